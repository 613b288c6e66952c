"""Titration advice and the clinic safety report read from real records, on SQLite and
PostgreSQL: what they find, who may ask, and that every read is audited."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import consent_before
from tests.db.conftest import NOW, TODAY, ClinicSetup, make_clinic, treatment_data
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.errors import Forbidden, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import inventory, outcomes, safety_report, titration, treatments

CHIN = [("mentalis_left", 2), ("mentalis_right", 2)]
GLABELLAR_AND_FOREHEAD = [
    ("procerus", 4),
    ("corrugator_medial_left", 4),
    ("corrugator_medial_right", 4),
    ("corrugator_lateral_left", 4),
    ("corrugator_lateral_right", 4),
]
FOREHEAD = [
    ("frontalis_lower_midline", 4),
    ("frontalis_lower_lateral_left", 4),
    ("frontalis_lower_lateral_right", 4),
    ("frontalis_upper_left", 4),
    ("frontalis_upper_right", 4),
]


def sign(
    factory: sessionmaker[Session],
    kb: KnowledgeBase,
    clinic: ClinicSetup,
    *,
    days_ago: int,
    indication: str = "chin",
    sites: list[tuple[str, float]] | None = None,
    lot_id: str | None = None,
    extra: list[tuple[str, str, float]] | None = None,
) -> tuple[str, str]:
    """Sign a treatment ``days_ago`` days before now; returns (treatment id, follow-up id)."""
    data = treatment_data(
        clinic, visit_at=NOW - dt.timedelta(days=days_ago), indication=indication, sites=sites or CHIN
    )
    if lot_id is not None:
        data["lot_id"] = lot_id
    for ind, site, units in extra or []:
        data["injections"].append({"indication": ind, "site": site, "units": units})  # type: ignore[attr-defined]
    areas = [i["indication"] for i in data["injections"]]  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        lot = treatment_repo.lot(session, clinic.clinic_id, str(data["lot_id"]))
        assert lot is not None
        visit_at = data["visit_at"]
        assert isinstance(visit_at, dt.datetime)
        consent_before(
            session,
            clinic.injector,
            clinic.patient_id,
            kb,
            visit_at=visit_at,
            now=NOW,
            areas=areas,
            product=lot.product,
        )
        done = treatments.record_treatment(session, clinic.injector, data, kb=kb, now=NOW)
        session.flush()
        return done.treatment.id, done.follow_up.id


def review(factory: sessionmaker[Session], clinic: ClinicSetup, follow_up_id: str, **values: object) -> None:
    with unit_of_work(factory) as session:
        outcomes.record_follow_up(session, clinic.injector, follow_up_id, values, today=TODAY)


def adverse(
    factory: sessionmaker[Session], clinic: ClinicSetup, treatment_id: str, kind: str, sites: list[str]
) -> None:
    with unit_of_work(factory) as session:
        treatment = treatment_repo.get(session, clinic.clinic_id, treatment_id)
        assert treatment is not None
        outcomes.record_adverse_event(
            session,
            clinic.injector,
            {
                "treatment_id": treatment_id,
                "type": kind,
                "onset_on": treatment.visit_at.date() + dt.timedelta(days=3),
                "severity": "mild",
                "serious": False,
                "outcome": "recovered",
                "sites": sites,
            },
            today=TODAY,
        )


def audit_details(factory: sessionmaker[Session], clinic_id: str, entity: str) -> list[str | None]:
    with unit_of_work(factory) as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.clinic_id == clinic_id, AuditEvent.entity == entity)
        ).all()
        return [r.detail for r in rows]


def test_advice_reads_the_patients_courses_and_is_audited(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    older, older_review = sign(factory, kb, clinic, days_ago=300)
    review(factory, clinic, older_review, reviewed_on=TODAY - dt.timedelta(days=286), fws_max=1, satisfaction=4)
    latest, latest_review = sign(factory, kb, clinic, days_ago=150)
    review(
        factory,
        clinic,
        latest_review,
        reviewed_on=TODAY - dt.timedelta(days=136),
        fws_max=2,
        satisfaction=3,
        effect_wore_off_on=TODAY - dt.timedelta(days=40),
    )
    with unit_of_work(factory) as session:
        advice = titration.advise_patient(
            session, clinic.injector, patient_id=clinic.patient_id, indication="chin", kb=kb
        )
    assert advice.product == "onabotulinumtoxina"
    assert [v.course.treated_on for v in advice.courses] == [
        (NOW - dt.timedelta(days=150)).date(),
        (NOW - dt.timedelta(days=300)).date(),
    ]
    newest, oldest = (v.course for v in advice.courses)
    assert newest.effect_days == 110 and newest.review is not None and newest.review.fws_max == 2
    assert oldest.returned_days == 150 and newest.returned_days is None
    assert advice.suggestion.total_units == 6
    assert advice.suggestion.reasons[0].rule == "residual_lines_at_review"
    assert audit_details(factory, clinic.clinic_id, "titration_advice") == ["chin with onabotulinumtoxina"]
    assert older != latest


def test_advice_uses_only_the_planned_products_courses(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with unit_of_work(factory) as session:
        lot = inventory.add_lot(
            session,
            clinic.injector,
            {
                "product": "dysport",
                "lot_number": f"D{uuid.uuid4().hex[:6]}",
                "expiry_date": "2027-06-30",
                "vial_units": 300,
            },
            kb=kb,
        )
    dysport = [(site, 10) for site, _ in GLABELLAR_AND_FOREHEAD]
    _, follow_up = sign(factory, kb, clinic, days_ago=200, indication="glabellar_lines", sites=dysport, lot_id=lot.id)
    review(factory, clinic, follow_up, reviewed_on=TODAY - dt.timedelta(days=186), fws_max=3)
    with unit_of_work(factory) as session:
        advice = titration.advise_patient(
            session, clinic.director, patient_id=clinic.patient_id, indication="glabellar_lines", kb=kb, product="botox"
        )
    assert [(v.course.product, v.used) for v in advice.courses] == [("abobotulinumtoxina", False)]
    assert [r.rule for r in advice.suggestion.reasons] == ["units_not_interchangeable", "thin_history", "label_start"]
    assert advice.suggestion.total_units == 20


def test_a_side_effect_counts_for_the_area_of_its_site(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    extra = [("forehead_lines", site, units) for site, units in FOREHEAD]
    treatment, follow_up = sign(
        factory, kb, clinic, days_ago=120, indication="glabellar_lines", sites=GLABELLAR_AND_FOREHEAD, extra=extra
    )
    review(factory, clinic, follow_up, reviewed_on=TODAY - dt.timedelta(days=106), fws_max=2)
    adverse(factory, clinic, treatment, "brow_ptosis", ["frontalis_lower_midline"])
    with unit_of_work(factory) as session:
        forehead = titration.advise_patient(
            session, clinic.injector, patient_id=clinic.patient_id, indication="forehead_lines", kb=kb
        )
        glabellar = titration.advise_patient(
            session, clinic.injector, patient_id=clinic.patient_id, indication="glabellar_lines", kb=kb
        )
    assert [e.type for e in forehead.courses[0].course.events] == ["brow_ptosis"]
    assert forehead.suggestion.reasons[0].rule == "weakness_after_last_course"
    assert glabellar.courses[0].course.events == ()
    assert glabellar.suggestion.reasons[0].rule == "residual_lines_at_review"


def test_advice_is_for_prescribers_in_their_own_clinic(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    for actor in (clinic.front_desk, clinic.admin):
        with pytest.raises(Forbidden), unit_of_work(factory) as session:
            titration.advise_patient(session, actor, patient_id=clinic.patient_id, indication="chin", kb=kb)
    other = make_clinic(factory, kb, name="Other clinic")
    with pytest.raises(NotFound), unit_of_work(factory) as session:
        titration.advise_patient(
            session, other.injector, patient_id=clinic.patient_id, indication="chin", kb=kb, product="botox"
        )
    with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
        titration.advise_patient(session, clinic.injector, patient_id=clinic.patient_id, indication="chin", kb=kb)
    assert refused.value.field == "product"
    with pytest.raises(NotFound) as unknown, unit_of_work(factory) as session:
        titration.advise_patient(session, clinic.injector, patient_id=clinic.patient_id, indication="lips", kb=kb)
    assert unknown.value.field == "indication"


def test_the_safety_report_counts_rates_and_durations_for_the_period(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    glabellar = [
        sign(factory, kb, clinic, days_ago=d, indication="glabellar_lines", sites=GLABELLAR_AND_FOREHEAD)
        for d in (300, 200, 100)
    ]
    adverse(factory, clinic, glabellar[0][0], "eyelid_ptosis", ["corrugator_lateral_left"])
    adverse(factory, clinic, glabellar[1][0], "headache", [])
    review(
        factory,
        clinic,
        glabellar[0][1],
        reviewed_on=(NOW - dt.timedelta(days=286)).date(),
        effect_wore_off_on=(NOW - dt.timedelta(days=200)).date(),
    )
    sign(factory, kb, clinic, days_ago=500)  # before the period
    with unit_of_work(factory) as session:
        found = safety_report.safety_report(
            session, clinic.director, kb=kb, start=TODAY - dt.timedelta(days=364), end=TODAY
        )
    report = found.report
    assert report.treatments == 3
    rows = {(r.dimension, r.group, r.event): r for r in report.rows}
    ptosis = rows[("area", "onabotulinumtoxina", "eyelid_ptosis")]
    assert (ptosis.rate.events, ptosis.rate.treatments) == (1, 3)
    assert ptosis.label is not None and ptosis.label.rate_percent == 3
    # 1 in 3: the interval starts at 6.1 %, above 3 %, but one event is too few for a flag
    assert round(ptosis.rate.low_percent, 1) == 6.1 and not ptosis.flagged and not found.report.flagged
    assert rows[("injector", clinic.injector.user_id, "headache")].rate.events == 1
    assert found.group_name("injector", clinic.injector.user_id) == "injector user"
    assert found.group_name("lot", clinic.lot_id) == clinic.lot_number
    (duration,) = report.durations
    assert (duration.product, duration.indication, duration.days) == ("onabotulinumtoxina", "glabellar_lines", (100,))
    assert audit_details(factory, clinic.clinic_id, "safety_report") == [
        f"{TODAY - dt.timedelta(days=364)} to {TODAY}: 3 treatments"
    ]


def test_the_safety_report_is_for_medical_directors_and_admins(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    for actor in (clinic.injector, clinic.front_desk):
        with pytest.raises(Forbidden), unit_of_work(factory) as session:
            safety_report.safety_report(session, actor, kb=kb, start=TODAY, end=TODAY)
    with unit_of_work(factory) as session:
        empty = safety_report.safety_report(session, clinic.admin, kb=kb, start=TODAY, end=TODAY)
    assert empty.report.treatments == 0 and empty.report.rows == ()
    with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
        safety_report.safety_report(session, clinic.admin, kb=kb, start=TODAY, end=TODAY - dt.timedelta(days=1))
    assert refused.value.field == "to"
    last = dt.date.max
    for start, end, field in ((TODAY.replace(year=2000), TODAY, "from"), (last - dt.timedelta(days=3), last, "to")):
        with pytest.raises(InvalidInput) as refused, unit_of_work(factory) as session:
            safety_report.safety_report(session, clinic.admin, kb=kb, start=start, end=end)
        assert refused.value.field == field
