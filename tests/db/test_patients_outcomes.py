"""Patients, follow-ups, adverse events and the per-indication history summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, TODAY, ClinicSetup, treatment_data
from toxplan.db.engine import unit_of_work
from toxplan.db.models import Patient
from toxplan.errors import Forbidden, InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import outcomes, patients, treatments


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "2030-01-01"}, "birth_date"),
        ({"weight_kg": 0}, "weight_kg"),
        ({"sex": "robot"}, "sex"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_invalid_patients_are_refused_naming_the_field(
    factory: sessionmaker[Session], clinic: ClinicSetup, change: dict[str, object], field: str
) -> None:
    data = {"given_name": "Ben", "family_name": "Ode", "birth_date": "1990-01-01", "sex": "male", **change}
    with unit_of_work(factory) as session:
        before = session.scalar(select(func.count()).select_from(Patient))
    with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
        patients.create_patient(session, clinic.injector, data, today=TODAY)
    assert refused.value.field == field
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == before


def test_front_desk_cannot_read_clinical_records(factory: sessionmaker[Session], clinic: ClinicSetup) -> None:
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        patients.get_patient(session, clinic.front_desk, clinic.patient_id, on=TODAY)
    with unit_of_work(factory) as session:
        assert [p.id for p in patients.search_patients(session, clinic.front_desk, "silva")] == [clinic.patient_id]


def test_follow_up_adverse_event_and_history_summary(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    first_visit = NOW - dt.timedelta(days=150)
    with unit_of_work(factory) as session:
        first = treatments.record_treatment(
            session, clinic.injector, treatment_data(clinic, visit_at=first_visit), kb=kb, now=NOW
        )
    with unit_of_work(factory) as session:
        outcomes.record_follow_up(
            session,
            clinic.injector,
            first.follow_up.id,
            {
                "reviewed_on": first_visit.date() + dt.timedelta(days=14),
                "fws_rest": 0,
                "fws_max": 1,
                "satisfaction": 5,
                "effect_wore_off_on": first_visit.date() + dt.timedelta(days=120),
            },
            today=TODAY,
        )
        outcomes.record_adverse_event(
            session,
            clinic.injector,
            {
                "treatment_id": first.treatment.id,
                "type": "bruising",
                "onset_on": first_visit.date(),
                "severity": "mild",
                "serious": False,
                "outcome": "recovered",
                "sites": ["procerus"],
            },
            today=TODAY,
        )
    with unit_of_work(factory) as session:
        treatments.record_treatment(session, clinic.injector, treatment_data(clinic, units=5), kb=kb, now=NOW)
    with unit_of_work(factory) as session:
        summary = {s.indication: s for s in outcomes.history_summary(session, clinic.injector, clinic.patient_id)}
    glabellar = summary["glabellar_lines"]
    assert glabellar.treatments == 2
    assert glabellar.last_units == Decimal(25) and glabellar.last_date == TODAY
    assert glabellar.effect_days == [120] and glabellar.mean_effect_days == 120
    assert glabellar.adverse_events == ["bruising"]


def test_outcome_values_are_checked(factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup) -> None:
    with unit_of_work(factory) as session:
        done = treatments.record_treatment(session, clinic.injector, treatment_data(clinic), kb=kb, now=NOW)
    for data, field in (
        ({"reviewed_on": TODAY, "fws_max": 4}, "fws_max"),
        ({"reviewed_on": TODAY + dt.timedelta(days=1)}, "reviewed_on"),
    ):
        with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
            outcomes.record_follow_up(session, clinic.injector, done.follow_up.id, data, today=TODAY)
        assert refused.value.field == field
    with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
        outcomes.record_adverse_event(
            session,
            clinic.injector,
            {
                "treatment_id": done.treatment.id,
                "type": "eyelid_ptosis",
                "onset_on": TODAY,
                "severity": "mild",
                "serious": False,
                "outcome": "recovering",
                "sites": ["masseter_1_left"],
            },
            today=TODAY,
        )
    assert refused.value.field == "sites"
