"""Tamper evidence on SQLite and PostgreSQL: the audit log is one hash chain per clinic that
concurrent writers extend without forking; signed treatments carry a content hash; a changed
event or dose is found; restore refuses a backup with a changed dose, a removed event or an
added admin; the database refuses REPLACE (SQLite) and TRUNCATE (PostgreSQL)."""

from __future__ import annotations

import copy
import itertools
import json
import shutil
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW as NOW_
from tests.db.conftest import TODAY, make_clinic, treatment_data
from tests.db.test_backup import export, populate, restore
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.integrity import GENESIS
from toxplan.db.models import AuditEvent, Treatment
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import integrity, patients, treatments

Factory = sessionmaker[Session]


def chain(factory: Factory, clinic_id: str) -> list[AuditEvent]:
    with unit_of_work(factory) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.chain == clinic_id).order_by(AuditEvent.seq)))


def verified(factory: Factory, clinic_id: str) -> integrity.Report:
    with unit_of_work(factory) as session:
        return integrity.verify_database(session, clinic_id=clinic_id)


def tamper(engine: Engine, table: str, statement: str) -> None:
    """Change a row behind the application's back, as someone with the database's owner rights
    could: the append-only guard is lifted for one statement and put back."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            return
        connection.execute(text(f"DROP TRIGGER {table}_no_update"))
        connection.execute(text(statement))
        connection.execute(
            text(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END"
            )
        )


def test_each_clinic_has_one_verified_chain(factory: Factory, kb: KnowledgeBase) -> None:
    setup = populate(factory, kb)
    events = chain(factory, setup.clinic_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert {("create", "user")} <= {(e.action, e.entity) for e in events}
    report = verified(factory, setup.clinic_id)
    assert report.ok, report.problems
    assert report.treatments == 2 and report.chains == {setup.clinic_id: len(events)}


def test_concurrent_writers_extend_the_chain_without_forking(factory: Factory, kb: KnowledgeBase) -> None:
    setup = make_clinic(factory, kb)
    before = len(chain(factory, setup.clinic_id))
    threads, rounds = 6, 5
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def reader() -> None:
        start.wait()
        for _ in range(rounds):
            try:
                with unit_of_work(factory) as session:
                    patients.get_patient(session, setup.injector, setup.patient_id, on=TODAY)
            except BaseException as exc:
                failures.append(exc)

    running = [threading.Thread(target=reader) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    assert failures == []
    events = chain(factory, setup.clinic_id)
    assert len(events) == before + threads * rounds
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert verified(factory, setup.clinic_id).ok


def test_a_changed_event_or_dose_is_found(engine: Engine, factory: Factory, kb: KnowledgeBase) -> None:
    setup = make_clinic(factory, kb)
    with unit_of_work(factory) as session:
        done = treatments.record_treatment(session, setup.injector, treatment_data(setup), kb=kb, now=NOW_)
    assert verified(factory, setup.clinic_id).ok
    tamper(
        engine,
        "treatment_injections",
        f"UPDATE treatment_injections SET units = 40 WHERE treatment_id = '{done.treatment.id}' AND seq = 0",
    )
    problems = verified(factory, setup.clinic_id).problems
    assert any(done.treatment.id in p and "content hash" in p for p in problems), problems
    middle = chain(factory, setup.clinic_id)[2]
    tamper(engine, "audit_events", f"UPDATE audit_events SET detail = 'nothing to see' WHERE id = '{middle.id}'")
    problems = verified(factory, setup.clinic_id).problems
    assert any(middle.id in p and "changed" in p for p in problems), problems


def _tampered(data: dict[str, Any], change: str) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    tables = copied["tables"]
    if change == "units":
        tables["treatment_injections"][0]["units"] = "40.000"
    elif change == "units and hash":  # the treatment's own hash rewritten to match: the chain still names the old one
        injection = tables["treatment_injections"][0]
        injection["units"] = "40.000"
        _rehash(tables, injection["treatment_id"])
    elif change == "removed event":
        del tables["audit_events"][len(tables["audit_events"]) // 2]
    elif change == "added admin":
        intruder = dict(tables["users"][0])
        intruder |= {"id": str(uuid.uuid4()), "email": "intruder@example.org", "role": "admin", "name": "Intruder"}
        tables["users"].append(intruder)
    elif change == "promoted":
        injector = next(u for u in tables["users"] if u["role"] == "injector")
        injector["role"] = "admin"
    return copied


def _rehash(tables: dict[str, list[dict[str, Any]]], treatment_id: str) -> None:
    from toxplan.db.repositories.backup import TABLES  # noqa: PLC0415
    from toxplan.services.backup import _decode_table  # noqa: PLC0415
    from toxplan.services.integrity import FINDINGS, INJECTIONS, TREATMENTS  # noqa: PLC0415

    by_name = {t.name: t for t in TABLES}
    decoded = {
        n: _decode_table(by_name[n], tables[n]) for n in ("treatments", "treatment_injections", "treatment_findings")
    }
    row = next(r for r in decoded["treatments"] if r["id"] == treatment_id)
    new_hash = integrity.content_hash(
        TREATMENTS,
        row,
        (INJECTIONS, [r for r in decoded["treatment_injections"] if r["treatment_id"] == treatment_id]),
        (FINDINGS, [r for r in decoded["treatment_findings"] if r["treatment_id"] == treatment_id]),
    )
    next(r for r in tables["treatments"] if r["id"] == treatment_id)["content_hash"] = new_hash


@pytest.mark.parametrize("change", ["units", "units and hash", "removed event", "added admin", "promoted"])
def test_restore_refuses_a_tampered_backup(
    factory: Factory, kb: KnowledgeBase, change: str, sqlite_target: Factory
) -> None:
    setup = populate(factory, kb)
    data = json.loads(json.dumps(export(factory, setup.clinic_id)))
    with pytest.raises(InvalidInput, match="does not verify") as refused:
        restore(sqlite_target, _tampered(data, change))
    assert refused.value.field == "backup"
    with unit_of_work(sqlite_target) as session:
        assert session.scalar(select(Treatment.id).where(Treatment.clinic_id == setup.clinic_id)) is None
    assert restore(sqlite_target, data) == setup.clinic_id  # the intact backup restores


@pytest.fixture
def sqlite_target(tmp_path: Any, sqlite_template: Any) -> Any:
    from tests.db.test_backup import _sqlite  # noqa: PLC0415

    yield from _sqlite(tmp_path, sqlite_template, "tamper-target.db")


REPLACEMENTS = {
    "treatments": "INSERT OR REPLACE INTO treatments SELECT * FROM treatments WHERE id = :id",
    "treatment_injections": (
        "INSERT OR REPLACE INTO treatment_injections SELECT * FROM treatment_injections WHERE treatment_id = :id"
    ),
    "cosignatures": "INSERT OR REPLACE INTO cosignatures SELECT * FROM cosignatures WHERE treatment_id = :id",
    "audit_events": "REPLACE INTO audit_events SELECT * FROM audit_events WHERE chain = :clinic",
    "treatment_findings": "REPLACE INTO treatment_findings SELECT * FROM treatment_findings WHERE treatment_id = :id",
}


@pytest.fixture
def sqlite_engine(tmp_path: Any, sqlite_template: Any) -> Any:
    path = tmp_path / "replace.db"
    shutil.copy(sqlite_template, path)
    made = make_engine(f"sqlite:///{path}")
    yield made
    made.dispose()


@pytest.mark.parametrize("table", sorted(REPLACEMENTS))
def test_sqlite_refuses_insert_or_replace_on_append_only_tables(
    sqlite_engine: Engine, kb: KnowledgeBase, table: str
) -> None:
    factory = session_factory(sqlite_engine)
    clinic = make_clinic(factory, kb)
    with unit_of_work(factory) as session:  # 25 U glabellar: above the label dose, so a finding is kept
        done = treatments.record_treatment(session, clinic.injector, treatment_data(clinic, units=5), kb=kb, now=NOW_)
        treatments.cosign(session, clinic.director, done.treatment.id)
    with pytest.raises(Exception, match="append-only: REPLACE refused"), sqlite_engine.begin() as connection:
        connection.execute(text(REPLACEMENTS[table]), {"id": done.treatment.id, "clinic": clinic.clinic_id})
    # a new cosignature for the same treatment (another id) would replace it too
    with pytest.raises(Exception, match="append-only: REPLACE refused"), sqlite_engine.begin() as connection:
        connection.execute(
            text("INSERT OR REPLACE INTO cosignatures (id, treatment_id, user_id, signed_at) VALUES (:n, :t, :u, :at)"),
            {"n": str(uuid.uuid4()), "t": done.treatment.id, "u": clinic.injector.user_id, "at": "2026-11-25 15:00:00"},
        )
    assert verified(factory, clinic.clinic_id).ok


@pytest.mark.postgres
def test_postgresql_refuses_truncate_of_append_only_tables(postgres_url: str) -> None:
    made = make_engine(postgres_url)
    try:
        for table in ("audit_events", "treatments", "cosignatures", "follow_up_reviews"):
            with pytest.raises(Exception, match="append-only"), made.begin() as connection:
                connection.execute(text(f"TRUNCATE {table} CASCADE"))
    finally:
        made.dispose()
