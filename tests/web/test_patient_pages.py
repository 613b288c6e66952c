"""Patient list and search, registration, the patient page and the screening form."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Browser, Login
from toxplan.db.models import Patient
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import outcomes

NEW_PATIENT = {
    "given_name": "Lena",
    "family_name": "Marsh",
    "birth_date": "1979-05-02",
    "sex": "female",
    "weight_kg": "70",
    "conditions": "migraine\nasthma",
    "medications": "",
    "allergies": "latex",
}


def test_signing_in_through_the_form_lands_on_the_patient_list(anonymous: Browser) -> None:
    anonymous.sign_in("injector")
    page = anonymous.get("/")
    assert page.url.path == "/patients"
    assert "Silva, Ana" in page.text
    assert "Injector Tester · injector" in page.text


def test_pages_need_a_session(anonymous: Browser, seeded: seeding.Seeded) -> None:
    for url in ("/patients", f"/patients/{seeded.patient_id}/plan", "/lots"):
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/sign-in?next={url}"


def test_search_finds_by_either_name(login: Login) -> None:
    desk = login("front_desk")
    assert "Silva, Ana" in desk.get("/patients?q=ANA").text
    assert "Silva, Ana" in desk.get("/patients?q=silv").text
    empty = desk.get("/patients?q=zzz")
    assert "No patient matches “zzz”" in empty.text


def test_injector_registers_a_patient_and_sees_the_patient_page(login: Login, factory: sessionmaker[Session]) -> None:
    injector = login("injector")
    assert 'name="csrf_token"' in injector.get("/patients/new").text
    page = injector.post("/patients/new", NEW_PATIENT)
    assert page.status_code == 200
    assert re.search(r"/patients/[0-9a-f-]{36}$", str(page.url))
    assert "Marsh, Lena" in page.text
    assert "migraine, asthma" in page.text and "latex" in page.text
    assert "70 kg" in page.text
    assert "No treatments yet." in page.text


def test_front_desk_registers_but_stays_off_clinical_pages(login: Login, seeded: seeding.Seeded) -> None:
    desk = login("front_desk")
    page = desk.post("/patients/new", NEW_PATIENT)
    assert page.url.path.endswith("/details")  # demographics and bookings, no clinical page
    assert "Details saved." in page.text and "Marsh, Lena" in page.text
    listed = desk.get("/patients").text
    assert f'href="/patients/{seeded.patient_id}"' not in listed
    assert f'href="/patients/{seeded.patient_id}/details"' in listed
    for url in (f"/patients/{seeded.patient_id}", f"/patients/{seeded.patient_id}/plan", "/lots", "/cosign"):
        refused = desk.get(url)
        assert refused.status_code == 403, url
        assert "front desk may not use this" in refused.text
    assert ">Lots<" not in desk.get("/patients").text  # not even offered


def test_a_refused_registration_keeps_what_was_typed(login: Login, factory: sessionmaker[Session]) -> None:
    injector = login("injector")
    future = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)).isoformat()
    page = injector.post("/patients/new", {**NEW_PATIENT, "birth_date": future})
    assert page.status_code == 422
    assert "birth date" in page.text and "is in the future" in page.text
    assert 'value="Marsh"' in page.text
    with factory() as session:
        assert session.scalar(select(Patient).where(Patient.family_name == "Marsh")) is None


def test_patient_page_shows_timeline_dose_window_follow_ups_and_events(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    earlier = now - dt.timedelta(days=30)
    treatment_id = seeding.record(factory, kb, seeded, now=now, visit_at=earlier)
    with factory.begin() as session:
        outcomes.record_adverse_event(
            session,
            seeded.actors["injector"],
            {
                "treatment_id": treatment_id,
                "type": "headache",
                "onset_on": earlier.date() + dt.timedelta(days=1),
                "severity": "mild",
                "serious": False,
                "outcome": "recovered",
            },
            today=now.date(),
        )
    page = login("injector").get(f"/patients/{seeded.patient_id}")
    assert page.status_code == 200
    assert f'href="/treatments/{treatment_id}"' in page.text
    assert "16 U BOTOX" in page.text and "glabellar lines 16 U" in page.text
    assert "<strong>BOTOX</strong> 16 U of 400 U in 3 months" in page.text
    assert 'aria-valuenow="16' in page.text
    assert "Review due" in page.text and "overdue" in page.text  # due 14 days after a visit 30 days ago
    assert "headache" in page.text and "recovered" in page.text
    assert "Plan treatment" in page.text


def test_admin_reads_the_patient_page_but_is_not_offered_planning(login: Login, seeded: seeding.Seeded) -> None:
    page = login("admin").get(f"/patients/{seeded.patient_id}")
    assert page.status_code == 200
    assert "Plan treatment" not in page.text


def test_screening_form_records_the_answers(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session]
) -> None:
    injector = login("injector")
    url = f"/patients/{seeded.patient_id}/screening"
    form = injector.get(url)
    assert f'value="{dt.datetime.now(dt.UTC).date().isoformat()}"' in form.text
    page = injector.post(
        url,
        {
            "visit_on": dt.datetime.now(dt.UTC).date().isoformat(),
            "pregnant": "no",
            "breastfeeding": "",
            "infection_at_site": "yes",
            "concern": "frown lines",
        },
    )
    assert "Screening saved." in page.text
    assert "infection at site yes" in page.text and "breastfeeding not asked" in page.text
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
    refused = injector.post(url, {"visit_on": soon.isoformat()})
    assert refused.status_code == 422 and "is in the future" in refused.text
    with factory() as session:
        assert treatment_repo.for_patient(session, seeded.patient_id) == []
