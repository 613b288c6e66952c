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


def test_the_queue_lists_every_unreviewed_record_and_the_director_cosigns_on_the_record(
    login: Login, treatment_id: str
) -> None:
    director = login("medical_director")
    queue = director.get("/cosign")
    row = re.search(rf'<tr data-treatment="{treatment_id}">(.*?)</tr>', queue.text, re.S)
    assert row and "Silva, Ana" in row.group(1) and "Injector Tester" in row.group(1)
    assert f'href="/treatments/{treatment_id}#review"' in row.group(1)
    assert '/cosign"' not in row.group(1)  # no signing from the list: the record is opened first
    record = director.get(f"/treatments/{treatment_id}")
    assert 'id="cosign-form"' in record.text and 'name="password"' in record.text
    wrong = director.post(f"/treatments/{treatment_id}/cosign", {"password": "not my password"})
    assert wrong.status_code == 422 and "the password does not match" in wrong.text
    page = director.post(f"/treatments/{treatment_id}/cosign", {"password": seeding.PASSWORD, "next": "/cosign"})
    assert page.url.path == "/cosign" and "Nothing to co-sign." in page.text
    treatment = director.get(f"/treatments/{treatment_id}")
    reviewed = re.search(r'<p class="signature-line" data-meaning="reviewed">(.*?)</p>', treatment.text, re.S)
    assert reviewed and "Medical Director Tester" in reviewed.group(1) and "reviewed" in reviewed.group(1)
    performed = re.search(r'<p class="signature-line" data-meaning="performed">(.*?)</p>', treatment.text, re.S)
    assert performed and "Injector Tester" in performed.group(1) and "<time" in performed.group(1)
    again = director.post(f"/treatments/{treatment_id}/cosign", {"password": seeding.PASSWORD})
    assert again.status_code == 409 and "already co-signed" in again.text


def test_a_director_never_cosigns_their_own_treatment(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    own = seeding.record(factory, kb, seeded, now=now, role="medical_director")
    director = login("medical_director")
    page = director.get(f"/treatments/{own}")
    assert ">Co-sign</button>" not in page.text and "another medical director co-signs it" in page.text
    assert "your own: another director co-signs" in director.get("/cosign").text
    refused = director.post(f"/treatments/{own}/cosign", {"password": seeding.PASSWORD})
    assert refused.status_code == 409 and "cannot be reviewed by the injector" in refused.text


def test_a_query_goes_back_to_the_injector_who_answers_it(login: Login, treatment_id: str) -> None:
    director = login("medical_director")
    director.get(f"/treatments/{treatment_id}")
    vague = director.post(f"/treatments/{treatment_id}/review", {"decision": "query", "note": "aaaaaaaaaa"})
    assert vague.status_code == 422 and "at least 3 different real words" in vague.text
    done = director.post(
        f"/treatments/{treatment_id}/review", {"decision": "query", "note": "Why 4 U at the lateral corrugator?"}
    )
    assert done.url.path == "/cosign" and "queried" in done.text
    injector = login("injector")
    mine = injector.get("/queries")
    assert "Why 4 U at the lateral corrugator?" in mine.text
    review_id = re.search(r'data-review="([^"]+)"', mine.text)
    assert review_id
    page = injector.get(f"/treatments/{treatment_id}")
    assert f'action="/reviews/{review_id.group(1)}/answer"' in page.text
    answered = injector.post(
        f"/reviews/{review_id.group(1)}/answer",
        {"treatment_id": treatment_id, "text": "Strong lateral corrugator pull, documented on photos."},
    )
    assert "Answer to the medical director&#39;s query: Strong lateral corrugator" in answered.text
    assert "answered" in answered.text and "No open query." in injector.get("/queries").text
    assert "answered" in director.get("/cosign").text


def test_a_rejected_record_leaves_the_queue_and_cannot_be_cosigned(login: Login, treatment_id: str) -> None:
    director = login("medical_director")
    director.get(f"/treatments/{treatment_id}")
    director.post(
        f"/treatments/{treatment_id}/review", {"decision": "reject", "note": "Dose not justified in the note."}
    )
    assert f'data-treatment="{treatment_id}"' not in director.get("/cosign").text
    page = director.get(f"/treatments/{treatment_id}")
    assert "Rejected" in page.text and 'id="cosign-form"' not in page.text
    refused = director.post(f"/treatments/{treatment_id}/cosign", {"password": seeding.PASSWORD})
    assert refused.status_code == 409 and "was rejected" in refused.text
    assert "Dose not justified in the note." in login("injector").get("/queries").text


def test_only_a_medical_director_cosigns(login: Login, treatment_id: str) -> None:
    injector = login("injector")
    assert injector.get("/cosign").status_code == 403
    injector.get(f"/treatments/{treatment_id}")
    assert injector.post(f"/treatments/{treatment_id}/cosign", {"password": seeding.PASSWORD}).status_code == 403
    assert injector.post(f"/treatments/{treatment_id}/review", {"decision": "reject"}).status_code == 403
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
