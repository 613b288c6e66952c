"""The signed treatment page and what is done on it: addenda, co-signing (medical directors
only, never their own), the co-sign queue, follow-up reviews and adverse events."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from toxplan.db.repositories import treatments as repo
from toxplan.knowledge.base import KnowledgeBase


@pytest.fixture
def treatment_id(seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime) -> str:
    return seeding.record(factory, kb, seeded, now=now, visit_at=now - dt.timedelta(days=3))


def test_treatment_page_shows_injections_findings_and_sources(login: Login, treatment_id: str) -> None:
    page = login("injector").get(f"/treatments/{treatment_id}")
    assert page.status_code == 200
    assert "16 U BOTOX" in page.text and "corrugator medial left" in page.text
    assert "INPUT_MISSING" in page.text  # no screening on the visit day
    assert "Sources (" in page.text and 'target="_blank" rel="noopener"' in page.text
    assert 'action="/treatments/' in page.text and "Add addendum" in page.text
    assert "not co-signed" in page.text and ">Co-sign</button>" not in page.text


def test_addendum_is_added_and_a_short_one_refused(login: Login, treatment_id: str) -> None:
    injector = login("injector")
    injector.get(f"/treatments/{treatment_id}")
    page = injector.post(f"/treatments/{treatment_id}/addenda", {"text": "Patient reported mild headache next day."})
    assert "Patient reported mild headache next day." in page.text and "Injector Tester" in page.text
    refused = injector.post(f"/treatments/{treatment_id}/addenda", {"text": "ok"})
    assert refused.status_code == 422 and "write at least a few words" in refused.text


def test_medical_director_cosigns_once_from_the_queue(login: Login, treatment_id: str) -> None:
    director = login("medical_director")
    queue = director.get("/cosign")
    assert f'href="/treatments/{treatment_id}"' in queue.text
    assert "Silva, Ana" in queue.text and "Injector Tester" in queue.text
    page = director.post(f"/treatments/{treatment_id}/cosign", {"next": "/cosign"})
    assert page.url.path == "/cosign" and "Nothing to co-sign." in page.text
    treatment = director.get(f"/treatments/{treatment_id}")
    assert "co-signed by Medical Director Tester" in treatment.text
    again = director.post(f"/treatments/{treatment_id}/cosign")
    assert again.status_code == 409 and "already co-signed" in again.text


def test_a_director_never_cosigns_their_own_treatment(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    own = seeding.record(factory, kb, seeded, now=now, role="medical_director")
    director = login("medical_director")
    assert ">Co-sign</button>" not in director.get(f"/treatments/{own}").text
    assert f"/treatments/{own}" not in director.get("/cosign").text
    refused = director.post(f"/treatments/{own}/cosign")
    assert refused.status_code == 409 and "cannot be co-signed by the injector" in refused.text


def test_only_a_medical_director_cosigns(login: Login, treatment_id: str) -> None:
    injector = login("injector")
    assert injector.get("/cosign").status_code == 403
    injector.get(f"/treatments/{treatment_id}")
    assert injector.post(f"/treatments/{treatment_id}/cosign").status_code == 403
    admin = login("admin")
    page = admin.get(f"/treatments/{treatment_id}")
    assert page.status_code == 200 and "Add addendum" not in page.text  # admins read, prescribers write


def test_follow_up_review_is_recorded(
    login: Login, treatment_id: str, factory: sessionmaker[Session], now: dt.datetime
) -> None:
    injector = login("injector")
    page = injector.get(f"/treatments/{treatment_id}")
    found = re.search(r'action="/follow-ups/([0-9a-f-]{36})"', page.text)
    assert found
    url = f"/follow-ups/{found.group(1)}"
    too_early = injector.post(url, {"treatment_id": treatment_id, "reviewed_on": "2001-01-01"})
    assert too_early.status_code == 422 and "must lie between the treatment" in too_early.text
    today = now.date().isoformat()
    done = injector.post(url, {"treatment_id": treatment_id, "reviewed_on": today, "fws_max": "1", "satisfaction": "5"})
    assert done.status_code == 200 and f"Reviewed {today}" in done.text and "satisfaction 5/5" in done.text
    with factory() as session:
        (follow_up,) = repo.follow_ups(session, [treatment_id])
    assert follow_up.fws_max == 1 and follow_up.reviewed_on == now.date()


def test_adverse_event_is_recorded_with_its_sites(
    login: Login, treatment_id: str, seeded: seeding.Seeded, now: dt.datetime
) -> None:
    injector = login("injector")
    injector.get(f"/treatments/{treatment_id}")
    url = f"/treatments/{treatment_id}/adverse-events"
    event = {
        "type": "eyelid_ptosis",
        "onset_on": now.date().isoformat(),
        "severity": "moderate",
        "outcome": "recovering",
    }
    refused = injector.post(url, {**event, "onset_on": "2001-01-01"})
    assert refused.status_code == 422 and "onset must lie between" in refused.text
    assert "<details open>" in refused.text  # the form stays open with the error
    page = injector.post(url, {**event, "serious": "yes", "sites": ["procerus"], "description": "left lid"})
    assert page.status_code == 200
    assert "eyelid ptosis" in page.text and "serious" in page.text and "procerus" in page.text
    assert "eyelid ptosis" in injector.get(f"/patients/{seeded.patient_id}").text
