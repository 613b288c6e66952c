"""A visit charted late is checked against every treatment recorded around it, on SQLite and
PostgreSQL: the rolling maximum and the retreatment interval count the visits recorded after
it as well as before, and a visit must lie between the patient's birth and now."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, ClinicSetup, treatment_data
from toxplan.db.engine import unit_of_work
from toxplan.db.models import Treatment, TreatmentFinding
from toxplan.errors import Conflict, InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import treatments
from toxplan.services.treatments import RecordedTreatment

CD_300 = [  # 300 U BOTOX for cervical dystonia; the label allows 400 U in 3 months
    ("sternocleidomastoid_left", 50),
    ("splenius_capitis_left", 50),
    ("trapezius_upper_left", 50),
    ("sternocleidomastoid_right", 50),
    ("splenius_capitis_right", 50),
    ("trapezius_upper_right", 50),
]
YESTERDAY = NOW - dt.timedelta(days=1)


def record(
    factory: sessionmaker[Session], kb: KnowledgeBase, setup: ClinicSetup, **changes: object
) -> RecordedTreatment:
    with unit_of_work(factory) as session:
        data = treatment_data(setup, indication="cervical_dystonia", sites=CD_300, **changes)  # type: ignore[arg-type]
        return treatments.record_treatment(session, setup.injector, data, kb=kb, now=NOW)


def signed(factory: sessionmaker[Session], clinic_id: str) -> int:
    with unit_of_work(factory) as session:
        return int(session.scalar(select(func.count()).select_from(Treatment).where(Treatment.clinic_id == clinic_id)))


def test_a_backdated_visit_counts_the_dose_recorded_after_it(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    today = record(factory, kb, clinic)
    assert not any(f.code == "CUMULATIVE_DOSE_ABOVE_MAX" for f in today.findings)
    with pytest.raises(Conflict, match="CUMULATIVE_DOSE_ABOVE_MAX") as refused:
        record(factory, kb, clinic, visit_at=YESTERDAY)
    assert refused.value.field == "overrides"
    assert f"300 U given from 2026-08-26 to {NOW.date()}" in refused.value.message  # the window holds the later visit
    assert signed(factory, clinic.clinic_id) == 1  # nothing half-written

    reasons = [
        {
            "code": "CUMULATIVE_DOSE_ABOVE_MAX",
            "category": "clinically_indicated",
            "reason": "Charted late; agreed with the treating neurologist",
        }
    ]
    done = record(factory, kb, clinic, visit_at=YESTERDAY, overrides=reasons)
    cumulative = [f for f in done.findings if f.code == "CUMULATIVE_DOSE_ABOVE_MAX"]
    assert cumulative and cumulative[0].critical and "600 U" in cumulative[0].message
    with unit_of_work(factory) as session:
        kept = session.scalars(
            select(TreatmentFinding).where(
                TreatmentFinding.treatment_id == done.treatment.id, TreatmentFinding.code == "CUMULATIVE_DOSE_ABOVE_MAX"
            )
        ).one()
        assert kept.override_reason is not None


def test_a_backdated_visit_is_too_soon_before_a_recorded_one(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with unit_of_work(factory) as session:
        session_data = treatment_data(clinic)  # 20 U glabellar lines today
        treatments.record_treatment(session, clinic.injector, session_data, kb=kb, now=NOW)
    with unit_of_work(factory) as session:
        done = treatments.record_treatment(
            session, clinic.injector, treatment_data(clinic, visit_at=NOW - dt.timedelta(days=30)), kb=kb, now=NOW
        )
    soon = [f for f in done.findings if f.code == "RETREATMENT_TOO_SOON"]
    assert soon and "30 days after this visit" in soon[0].message


def test_visits_before_birth_or_in_the_future_are_refused(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    long_ago = dt.datetime(1900, 6, 1, 10, tzinfo=dt.UTC)  # the patient was born in 1986
    with pytest.raises(InvalidInput, match="before the patient's birth date 1986-03-14") as refused:
        record(factory, kb, clinic, visit_at=long_ago)
    assert refused.value.field == "visit_at"
    with pytest.raises(InvalidInput, match="in the future") as refused:
        record(factory, kb, clinic, visit_at=NOW + dt.timedelta(days=1))
    assert refused.value.field == "visit_at"
    assert signed(factory, clinic.clinic_id) == 0
