"""Opening a patient's pages writes the same audit events as reading the same records through
the API: one read event per record read, naming the patient and the signed-in user."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import audit as audit_repo
from toxplan.knowledge.base import KnowledgeBase

PATIENT_PAGE_READS = {
    "patient",
    "treatment_timeline",
    "dose_window",
    "history_summary",
    "follow_up_list",
    "adverse_event_list",
    "consent_list",
    "screening",
}
"""What the patient page shows, each audited as the API (or the service) audits that read."""


def reads(factory: sessionmaker[Session], seeded: seeding.Seeded, user_id: str) -> list[tuple[str, str | None]]:
    with unit_of_work(factory) as session:
        events = audit_repo.for_patient(session, seeded.clinic_id, seeded.patient_id)
        return [(e.entity, e.entity_id) for e in events if e.action == "read" and e.user_id == user_id]


def test_opening_the_patient_page_audits_each_read_once(
    login: Login,
    seeded: seeding.Seeded,
    factory: sessionmaker[Session],
    kb: KnowledgeBase,
    now: dt.datetime,
) -> None:
    for days in (40, 20, 5):  # a few treatments: still one event per record read, not one per row
        seeding.record(factory, kb, seeded, now=now, visit_at=now - dt.timedelta(days=days))
    injector = login("injector")
    user_id = seeded.actors["injector"].user_id
    before = reads(factory, seeded, user_id)
    page = injector.get(f"/patients/{seeded.patient_id}")
    assert page.status_code == 200
    added = Counter(entity for entity, _ in reads(factory, seeded, user_id)[len(before) :])
    assert set(added) == PATIENT_PAGE_READS
    assert all(n == 1 for n in added.values()), added


def test_opening_the_treatment_page_audits_one_read_of_the_treatment(
    login: Login,
    seeded: seeding.Seeded,
    factory: sessionmaker[Session],
    kb: KnowledgeBase,
    now: dt.datetime,
) -> None:
    treatment_id = seeding.record(factory, kb, seeded, now=now, visit_at=now - dt.timedelta(days=3))
    director = login("medical_director")
    user_id = seeded.actors["medical_director"].user_id
    before = reads(factory, seeded, user_id)
    page = director.get(f"/treatments/{treatment_id}")
    assert page.status_code == 200
    assert reads(factory, seeded, user_id)[len(before) :] == [("treatment", treatment_id)]
