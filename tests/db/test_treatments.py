"""Recording and signing treatments against the stored history, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, ClinicSetup, make_clinic, treatment_data
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent, FollowUp, Treatment, TreatmentFinding, TreatmentInjection
from toxplan.errors import Conflict, Forbidden, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import treatments

CD_SITES = [
    ("sternocleidomastoid_left", 50),
    ("splenius_capitis_left", 50),
    ("trapezius_upper_left", 50),
    ("sternocleidomastoid_right", 50),
    ("splenius_capitis_right", 50),
    ("trapezius_upper_right", 50),
]


def record(factory: sessionmaker[Session], kb: KnowledgeBase, setup: ClinicSetup, **changes: object):  # type: ignore[no-untyped-def]
    with unit_of_work(factory) as session:
        return treatments.record_treatment(session, setup.injector, treatment_data(setup, **changes), kb=kb, now=NOW)


def count(factory: sessionmaker[Session], model: type, clinic_id: str | None = None) -> int:
    with unit_of_work(factory) as session:
        query = select(func.count()).select_from(model)
        if clinic_id is not None and hasattr(model, "clinic_id"):
            query = query.where(model.clinic_id == clinic_id)
        return int(session.scalar(query) or 0)


def test_a_clean_treatment_is_signed_with_its_findings_and_a_follow_up(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    done = record(factory, kb, clinic)
    assert done.treatment.total_units == 20
    assert not any(f.critical for f in done.findings)
    assert done.follow_up.due_on == NOW.date() + dt.timedelta(days=14)
    with unit_of_work(factory) as session:
        stored = session.get(Treatment, done.treatment.id)
        assert stored is not None and stored.knowledge_version == kb.version
        rows = session.scalars(select(TreatmentInjection).where(TreatmentInjection.treatment_id == stored.id)).all()
        assert len(rows) == 5 and {r.volume_ml for r in rows} == {Decimal("0.1")}
        kept = session.scalars(select(TreatmentFinding).where(TreatmentFinding.treatment_id == stored.id)).all()
        assert len(kept) == len(done.findings)
        assert session.scalar(select(func.count()).select_from(FollowUp).where(FollowUp.treatment_id == stored.id)) == 1


def test_history_makes_a_critical_finding_that_needs_an_override(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    earlier = NOW - dt.timedelta(days=20)
    record(factory, kb, clinic, indication="cervical_dystonia", sites=CD_SITES, visit_at=earlier)
    before = count(factory, Treatment, clinic.clinic_id)
    plan = {
        "indication": "cervical_dystonia",
        "sites": [
            ("sternocleidomastoid_left", 50),
            ("splenius_capitis_left", 50),
            ("trapezius_upper_left", 50),
        ],
    }
    with pytest.raises(Conflict, match="CUMULATIVE_DOSE_ABOVE_MAX") as refused:
        record(factory, kb, clinic, **plan)
    assert refused.value.field == "overrides"
    assert count(factory, Treatment, clinic.clinic_id) == before  # nothing half-written
    override = [
        {
            "code": "CUMULATIVE_DOSE_ABOVE_MAX",
            "category": "clinically_indicated",
            "reason": "Neurologist-approved escalation, documented in letter",
        }
    ]
    done = record(factory, kb, clinic, overrides=override, **plan)
    with unit_of_work(factory) as session:
        kept = session.scalars(
            select(TreatmentFinding).where(
                TreatmentFinding.treatment_id == done.treatment.id,
                TreatmentFinding.code == "CUMULATIVE_DOSE_ABOVE_MAX",
            )
        ).one()
        assert kept.override_reason and "escalation" in kept.override_reason


def test_expired_vial_is_refused_whatever_the_reason(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    late = NOW + dt.timedelta(hours=30)
    override = [
        {
            "code": "RECONSTITUTED_VIAL_EXPIRED",
            "category": "patient_informed",
            "reason": "we really want to use it up today",
        }
    ]
    with pytest.raises(Conflict, match="24"), unit_of_work(factory) as session:
        treatments.record_treatment(
            session,
            clinic.injector,
            treatment_data(clinic, visit_at=late, overrides=override),
            kb=kb,
            now=late,
        )


def test_expired_lot_is_refused(factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup) -> None:
    later = dt.datetime(2027, 7, 2, 10, tzinfo=dt.UTC)
    data = treatment_data(clinic, visit_at=later)
    data.pop("reconstitution_id")
    data["diluent_ml"] = 2.5
    with pytest.raises(Conflict, match="expired") as refused, unit_of_work(factory) as session:
        treatments.record_treatment(session, clinic.injector, data, kb=kb, now=later)
    assert refused.value.field == "lot_id"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["injections"][0].__setitem__("units", -4), "injections[0].units"),
        (lambda d: d.__setitem__("product", "Dysport"), "lot_id"),  # the lot is BOTOX
        (lambda d: d.__setitem__("product", "no such toxin"), "product"),
        (lambda d: d.__setitem__("visit_at", NOW + dt.timedelta(days=3)), "visit_at"),
        (lambda d: d.__setitem__("lot_id", "no-such-lot"), "lot_id"),
        (lambda d: d.__setitem__("patient_id", "no-such-patient"), "patient_id"),
        (lambda d: d.__setitem__("injections", []), "injections"),
    ],
)
def test_invalid_values_are_refused_naming_the_field(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup, change: object, field: str
) -> None:
    data = treatment_data(clinic)
    change(data)  # type: ignore[operator]
    before = count(factory, Treatment, clinic.clinic_id)
    with pytest.raises((InvalidInput, NotFound)) as refused, unit_of_work(factory) as session:
        treatments.record_treatment(session, clinic.injector, data, kb=kb, now=NOW)
    assert refused.value.field == field
    assert count(factory, Treatment, clinic.clinic_id) == before


def test_only_prescribers_record_and_only_a_director_cosigns(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        treatments.record_treatment(session, clinic.front_desk, treatment_data(clinic), kb=kb, now=NOW)
    done = record(factory, kb, clinic)
    with pytest.raises(Forbidden), unit_of_work(factory) as session:
        treatments.cosign(session, clinic.injector, done.treatment.id)
    with unit_of_work(factory) as session:
        treatments.cosign(session, clinic.director, done.treatment.id)
    with pytest.raises(Conflict, match="already"), unit_of_work(factory) as session:
        treatments.cosign(session, clinic.director, done.treatment.id)


def test_one_clinic_never_sees_anothers_records(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    other = make_clinic(factory, kb, name="Other clinic")
    done = record(factory, kb, clinic)
    with pytest.raises(NotFound), unit_of_work(factory) as session:
        treatments.cosign(session, other.director, done.treatment.id)
    with unit_of_work(factory) as session:
        assert treatments.recall(session, other.injector, clinic.lot_number) == []


def test_lot_recall_lists_every_patient_and_treatment(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    done = record(factory, kb, clinic)
    with unit_of_work(factory) as session:
        rows = treatments.recall(session, clinic.injector, clinic.lot_number)
    assert [(r.treatment_id, r.patient_name) for r in rows] == [(done.treatment.id, "Silva, Ana")]


def test_signed_treatments_are_amended_by_addenda_not_edits(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    done = record(factory, kb, clinic)
    with unit_of_work(factory) as session:
        treatments.add_addendum(session, clinic.injector, done.treatment.id, "Patient reported mild headache on day 2.")
    with pytest.raises(Exception, match="append-only"), unit_of_work(factory) as session:
        stored = session.get(Treatment, done.treatment.id)
        assert stored is not None
        stored.total_units = 99  # type: ignore[assignment]
    with unit_of_work(factory) as session:
        assert session.get(Treatment, done.treatment.id).total_units == 20  # type: ignore[union-attr]
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == done.treatment.id)).all()
        assert set(actions) >= {"sign", "amend"}
