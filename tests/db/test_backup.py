"""Backup and restore of one clinic, on SQLite and PostgreSQL and from one to the other."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, TODAY, ClinicSetup, make_clinic, migrated_postgres_database, treatment_data
from toxplan.db.base import Base
from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.db.models import AuditEvent, Clinic, Patient, Treatment
from toxplan.db.repositories.backup import NOT_BACKED_UP, TABLE_NAMES
from toxplan.errors import Conflict, InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import backup, outcomes, patients, photos, planning, treatments, worklists

Factory = sessionmaker[Session]


@pytest.fixture(scope="session")
def second_postgres_url() -> Iterator[str]:
    """A second migrated PostgreSQL database: the empty side of a PostgreSQL -> PostgreSQL restore."""
    with migrated_postgres_database() as url:
        yield url


def _sqlite(tmp_path: Path, template: Path, name: str) -> Iterator[Factory]:
    path = tmp_path / name
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Factory]:
    """A database that does not hold the clinic being restored."""
    if request.param == "sqlite":
        yield from _sqlite(tmp_path, sqlite_template, "target.db")
        return
    engine = make_engine(request.getfixturevalue("second_postgres_url"))
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def sqlite_source(tmp_path: Path, sqlite_template: Path) -> Iterator[Factory]:
    yield from _sqlite(tmp_path, sqlite_template, "source.db")


def populate(factory: Factory, kb: KnowledgeBase) -> ClinicSetup:
    """A clinic with a row in every table: two treatments, a review, an adverse event, ..."""
    setup = make_clinic(factory, kb)
    earlier = NOW - dt.timedelta(days=120)
    with unit_of_work(factory) as session:
        first = treatments.record_treatment(
            session, setup.injector, treatment_data(setup, visit_at=earlier), kb=kb, now=NOW
        )
        session.flush()  # record_treatment leaves the follow-up unflushed: it has no id yet
        review = {
            "reviewed_on": earlier.date() + dt.timedelta(days=14),
            "fws_rest": 0,
            "fws_max": 1,
            "satisfaction": 5,
            "touch_up_units": Decimal("2"),
            "effect_wore_off_on": earlier.date() + dt.timedelta(days=101),
        }
        outcomes.record_follow_up(session, setup.injector, first.follow_up.id, review, today=TODAY)
        event = {
            "treatment_id": first.treatment.id,
            "type": "bruising",
            "onset_on": earlier.date() + dt.timedelta(days=1),
            "severity": "mild",
            "serious": False,
            "outcome": "recovered",
            "sites": ["procerus"],
        }
        outcomes.record_adverse_event(session, setup.injector, event, today=TODAY)
        second = treatments.record_treatment(session, setup.injector, treatment_data(setup), kb=kb, now=NOW)
        treatments.add_addendum(session, setup.injector, second.treatment.id, "Lateral points were 2 mm higher.")
        worklists.review(session, setup.director, first.treatment.id, "query", "Why the earlier visit so soon?")
        treatments.mark_contacted(session, setup.injector, setup.lot_id, setup.patient_id, "told by phone")
        template = {"name": "Glabellar 20", "product": "botox", "injections": treatment_data(setup)["injections"]}
        planning.save_template(session, setup.injector, template, kb=kb)
        treatments.cosign(session, setup.director, second.treatment.id)
        patients.add_weight(session, setup.injector, setup.patient_id, "62.5", on=TODAY)
        patients.add_consent(
            session, setup.injector, setup.patient_id, form_version="v3", signed_by="Ana Silva", signed_at=NOW
        )
        photos.add_photo(session, setup.injector, setup.patient_id, _plain_jpeg(), {"view": "front_rest"}, now=NOW)
    return setup


def _plain_jpeg() -> bytes:
    """A small photo without a face: the image bytes travel through the backup all the same."""
    out = io.BytesIO()
    Image.new("RGB", (240, 240), (200, 170, 150)).save(out, "JPEG")
    return out.getvalue()


def export(factory: Factory, clinic_id: str) -> dict[str, Any]:
    with unit_of_work(factory) as session:
        return backup.export_clinic(session, clinic_id)


def restore(factory: Factory, data: object) -> str:
    with unit_of_work(factory) as session:
        return backup.import_clinic(session, data)


def count(factory: Factory, model: Any, *where: Any) -> int:
    with unit_of_work(factory) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_the_backup_covers_every_table() -> None:
    """A new table must be added to the backup (or excluded on purpose)."""
    assert set(TABLE_NAMES) | set(NOT_BACKED_UP) == set(Base.metadata.tables)


def test_round_trip_gives_the_same_backup(factory: Factory, target: Factory, kb: KnowledgeBase) -> None:
    """Every pair of databases: SQLite and PostgreSQL as source and as target."""
    setup = populate(factory, kb)
    bystander = make_clinic(factory, kb, name="Bystander")
    first = export(factory, setup.clinic_id)
    assert export(factory, setup.clinic_id) == first  # the export's own audit event is not in it
    assert all(first["tables"][name] for name in TABLE_NAMES), "every table has a row"
    assert bystander.clinic_id not in json.dumps(first)  # nothing of another clinic
    injection = first["tables"]["treatment_injections"][0]
    assert (injection["units"], injection["volume_ml"]) == ("4.000", "0.1000")  # column scale
    data = json.loads(json.dumps(first))  # plain JSON values only
    assert data == first

    assert restore(target, data) == setup.clinic_id
    assert export(target, setup.clinic_id) == first
    imported = count(target, AuditEvent, AuditEvent.action == "import", AuditEvent.entity_id == setup.clinic_id)
    assert imported == 1
    with unit_of_work(target) as session:  # restored rows read back as the services wrote them
        stored = session.get(Treatment, first["tables"]["treatments"][0]["id"])
        assert stored is not None and stored.visit_at.tzinfo is not None
        assert stored.knowledge_version == kb.version


def test_an_export_reads_one_snapshot(factory: Factory, kb: KnowledgeBase) -> None:
    setup = make_clinic(factory, kb)
    with unit_of_work(factory) as session:
        backup.export_clinic(session, setup.clinic_id)
        if session.get_bind().dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already does
            assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"


def test_import_refuses_a_clinic_that_is_already_stored(factory: Factory, kb: KnowledgeBase) -> None:
    setup = populate(factory, kb)
    data = export(factory, setup.clinic_id)
    patients_before = count(factory, Patient)
    with pytest.raises(Conflict) as refused:
        restore(factory, data)
    assert refused.value.field == "clinic.id"
    assert count(factory, Patient) == patients_before


def _set(table: str, column: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["tables"][table][0][column] = value

    return change


BAD = [
    (lambda d: d.__setitem__("format", "csv"), "format"),
    (lambda d: d.__setitem__("format_version", 1), "format_version"),  # before the hash chains
    (lambda d: d["tables"].pop("addenda"), "tables.addenda"),
    (lambda d: d["tables"]["patients"][0].pop("birth_date"), "tables.patients[0].birth_date"),
    (_set("treatments", "visit_at", "last Tuesday"), "tables.treatments[0].visit_at"),
    (_set("treatments", "visit_at", "2026-07-28T10:00:00"), "tables.treatments[0].visit_at"),
    (_set("treatment_injections", "units", "4.0001"), "tables.treatment_injections[0].units"),
    (_set("users", "role", "surgeon"), "tables.users[0].role"),
    (_set("patients", "clinic_id", str(uuid.uuid4())), "tables.patients[0].clinic_id"),
    (_set("cosignatures", "treatment_id", str(uuid.uuid4())), "tables.cosignatures[0].treatment_id"),
    (_set("photos", "image", "not base64!"), "tables.photos[0].image"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_a_malformed_backup_is_refused_naming_the_field(
    sqlite_source: Factory, factory: Factory, kb: KnowledgeBase, change: Any, field: str
) -> None:
    setup = populate(sqlite_source, kb)
    data = copy.deepcopy(export(sqlite_source, setup.clinic_id))
    change(data)
    with pytest.raises(InvalidInput) as refused:
        restore(factory, data)
    assert refused.value.field == field
    assert count(factory, Clinic, Clinic.id == setup.clinic_id) == 0


def test_a_failure_late_in_the_import_leaves_nothing(
    sqlite_source: Factory, factory: Factory, kb: KnowledgeBase
) -> None:
    """Refused on the last tables (the CHECK failure after every parent table was inserted):
    nothing of the backup stays, and the intact backup restores afterwards."""
    setup = populate(sqlite_source, kb)
    data = export(sqlite_source, setup.clinic_id)
    resident = make_clinic(factory, kb, name="Resident")
    before = {model: count(factory, model) for model in (Clinic, Patient, Treatment, AuditEvent)}

    clash = copy.deepcopy(data)  # an audit id already stored in the target: found before any insert
    with unit_of_work(factory) as session:
        taken = session.scalar(select(AuditEvent.id).where(AuditEvent.clinic_id == resident.clinic_id))
    clash["tables"]["audit_events"][0]["id"] = taken
    with pytest.raises(Conflict) as refused:
        restore(factory, clash)
    assert refused.value.field == "tables.audit_events"

    broken = copy.deepcopy(data)  # a row the database itself refuses (CHECK constraint)
    broken["tables"]["follow_ups"][0]["fws_rest"] = 7
    with pytest.raises(InvalidInput) as rejected:
        restore(factory, broken)
    assert rejected.value.field == "tables.follow_ups"

    assert {model: count(factory, model) for model in before} == before
    assert restore(factory, data) == setup.clinic_id  # the intact backup still restores
    assert export(factory, setup.clinic_id) == data
