"""Outcome records for the page and browser tests: a patient with reviewed chin courses (the
advisor suggests more), and a dozen glabellar treatments of which four were followed by eyelid
ptosis (the safety report flags it against the label's 3 %)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import consent_before
from tests.web import seed as seeding
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import treatments as repo
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import outcomes, patients

CHIN = [
    {"indication": "chin", "site": "mentalis_left", "units": 2},
    {"indication": "chin", "site": "mentalis_right", "units": 2},
]
GLABELLAR = [
    "procerus",
    "corrugator_medial_left",
    "corrugator_medial_right",
    "corrugator_lateral_left",
    "corrugator_lateral_right",
]
PTOSIS_EVERY = 3
"""Every third glabellar treatment is followed by eyelid ptosis: 4 of 12."""


@dataclass(frozen=True)
class OutcomeRecords:
    treatments: int
    ptosis: int


def _review(factory: sessionmaker[Session], seeded: seeding.Seeded, treatment_id: str, **values: object) -> None:
    with unit_of_work(factory) as session:
        (follow_up,) = repo.follow_ups(session, [treatment_id])
        outcomes.record_follow_up(session, seeded.actors["injector"], follow_up.id, values, today=dt.date.today())


def _consent(
    factory: sessionmaker[Session], kb: KnowledgeBase, seeded: seeding.Seeded, patient_id: str, *, visit: dt.datetime
) -> None:
    """Each treatment needs a consent covering it: signed an hour before its visit."""
    area = "chin" if patient_id == seeded.patient_id else "glabellar_lines"
    with unit_of_work(factory) as session:
        consent_before(
            session,
            seeded.actors["injector"],
            patient_id,
            kb,
            visit_at=visit,
            now=visit + dt.timedelta(hours=1),
            areas=[area],
        )


def seed_outcomes(
    factory: sessionmaker[Session], kb: KnowledgeBase, seeded: seeding.Seeded, *, now: dt.datetime
) -> OutcomeRecords:
    injector = seeded.actors["injector"]
    lot_id = seeding.extra_lot(
        factory, kb, seeded, now=now, vials=20
    )  # the seeded lot's vials stay as other tests expect
    for days_ago, fws in ((300, 1), (150, 2)):
        visit = now - dt.timedelta(days=days_ago)
        _consent(factory, kb, seeded, seeded.patient_id, visit=visit)
        treatment = seeding.record(factory, kb, seeded, now=now, visit_at=visit, injections=CHIN, lot_id=lot_id)
        _review(
            factory, seeded, treatment, reviewed_on=(visit + dt.timedelta(days=14)).date(), fws_max=fws, satisfaction=3
        )
    ptosis = 0
    for n in range(12):
        with unit_of_work(factory) as session:
            patient = patients.create_patient(
                session,
                injector,
                {"given_name": f"Pat{n}", "family_name": "Glabella", "birth_date": "1980-05-05", "sex": "female"},
                today=now.date(),
            )
        visit = now - dt.timedelta(days=120 + 7 * n)
        injections = [{"indication": "glabellar_lines", "site": s, "units": 4} for s in GLABELLAR]
        _consent(factory, kb, seeded, patient.id, visit=visit)
        treatment = seeding.record(
            factory, kb, seeded, now=now, visit_at=visit, injections=injections, patient_id=patient.id, lot_id=lot_id
        )
        _review(
            factory,
            seeded,
            treatment,
            reviewed_on=(visit + dt.timedelta(days=14)).date(),
            fws_max=0,
            satisfaction=5,
            effect_wore_off_on=(visit + dt.timedelta(days=90 + n)).date(),
        )
        if n % PTOSIS_EVERY == 0:
            with unit_of_work(factory) as session:
                outcomes.record_adverse_event(
                    session,
                    injector,
                    {
                        "treatment_id": treatment,
                        "type": "eyelid_ptosis",
                        "onset_on": (visit + dt.timedelta(days=4)).date(),
                        "severity": "mild",
                        "serious": False,
                        "outcome": "recovered",
                        "sites": ["corrugator_lateral_left"],
                    },
                    today=now.date(),
                )
            ptosis += 1
    return OutcomeRecords(treatments=14, ptosis=ptosis)
