"""The audit log: every read of patient data lands in it, and nothing can change it."""

from __future__ import annotations

import inspect as pyinspect
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import TODAY, ClinicSetup
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent
from toxplan.db.repositories import audit as audit_repo
from toxplan.services import outcomes, patients


def events(factory: sessionmaker[Session], setup: ClinicSetup) -> list[tuple[str, str]]:
    with unit_of_work(factory) as session:
        rows = audit_repo.for_patient(session, setup.clinic_id, setup.patient_id)
        return [(e.action, e.entity) for e in rows]


def test_reads_of_patient_data_are_logged(factory: sessionmaker[Session], clinic: ClinicSetup) -> None:
    before = events(factory, clinic)
    with unit_of_work(factory) as session:
        patients.get_patient(session, clinic.injector, clinic.patient_id, on=TODAY)
        outcomes.history_summary(session, clinic.director, clinic.patient_id)
    after = events(factory, clinic)
    assert after[len(before) :] == [("read", "patient"), ("read", "history_summary")]
    with unit_of_work(factory) as session:
        who = session.scalars(
            select(AuditEvent.user_id).where(AuditEvent.patient_id == clinic.patient_id, AuditEvent.action == "read")
        ).all()
    assert set(who) == {clinic.injector.user_id, clinic.director.user_id}


def test_the_application_offers_no_way_to_change_the_log() -> None:
    own = {
        name
        for name, fn in pyinspect.getmembers(audit_repo, pyinspect.isfunction)
        if fn.__module__ == audit_repo.__name__ and not name.startswith("_")
    }
    assert own == {"append", "for_patient"}
    # and no service module reaches the table another way
    services = Path(audit_repo.__file__).parents[2] / "services"
    for path in services.glob("*.py"):
        source = path.read_text()
        assert "update(AuditEvent" not in source and "delete(AuditEvent" not in source, path


@pytest.mark.parametrize("statement", ["update", "delete", "raw"])
def test_the_database_refuses_to_change_or_delete_the_log(
    factory: sessionmaker[Session], clinic: ClinicSetup, statement: str
) -> None:
    with pytest.raises(Exception, match="append-only"), unit_of_work(factory) as session:
        if statement == "update":
            session.execute(update(AuditEvent).where(AuditEvent.clinic_id == clinic.clinic_id).values(detail="x"))
        elif statement == "delete":
            session.execute(delete(AuditEvent).where(AuditEvent.clinic_id == clinic.clinic_id))
        else:
            session.execute(text("DELETE FROM audit_events"))
    with unit_of_work(factory) as session:
        assert audit_repo.for_patient(session, clinic.clinic_id, clinic.patient_id)
