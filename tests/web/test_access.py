"""Every page form needs the session's CSRF token, and every page lets in exactly its roles.

Both tables must name every page route, so a new page cannot be added without deciding both.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Browser, Login
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import consents as consent_repo
from toxplan.db.repositories import treatments as repo
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS, TREATING, Role
from toxplan.services import worklists
from toxplan.web.routes import PAGE_ROUTERS

ALL = ALL_ROLES
READERS = CLINICAL_RECORD_READERS
PRESCRIBERS = TREATING
GET_PAGES = {
    "/patients": ALL,
    "/patients/new": ALL,
    "/patients/{patient_id}": READERS,
    "/patients/{patient_id}/screening": READERS,
    "/patients/{patient_id}/plan": PRESCRIBERS,
    "/treatments/{treatment_id}": READERS,
    "/cosign": ("medical_director",),
    "/lots": READERS,
    "/lots/recall": READERS,
    "/treatments/{treatment_id}/record.pdf": READERS,
    "/treatments/{treatment_id}/aftercare.pdf": READERS,
    "/exports": READERS,
    **dict.fromkeys(
        [
            "/reports/safety",
            "/reports/safety/rates.svg",
            "/reports/safety/durations.svg",
            "/reports/safety/rates.csv",
            "/reports/safety/durations.csv",
        ],
        ("medical_director", "admin"),
    ),
    "/patients/{patient_id}/photos": READERS,
    "/patients/{patient_id}/photos/compare": READERS,
    "/account": ALL,
    "/users": ("admin",),
    "/audit": ("admin", "medical_director"),
    "/stock": READERS,
    "/patients/{patient_id}/consent": PRESCRIBERS,
    "/consents/{consent_id}": READERS,
    "/consents/{consent_id}/signature.png": READERS,
    "/clinic/settings": ("admin",),
    "/follow-ups": ALL,
    "/queries": PRESCRIBERS,
    "/patients/{patient_id}/details": ALL,
    "/lots/recall.csv": READERS,
}
POST_FORMS = {
    "/sign-out": "front_desk",
    "/patients/new": "front_desk",
    "/patients/{patient_id}/screening": "admin",
    "/patients/{patient_id}/treatments": "injector",
    "/treatments/{treatment_id}/addenda": "injector",
    "/treatments/{treatment_id}/cosign": "medical_director",
    "/follow-ups/{follow_up_id}": "medical_director",
    "/treatments/{treatment_id}/adverse-events": "injector",
    "/lots": "admin",
    "/lots/reconstitutions": "injector",
    "/patients/{patient_id}/photos": "injector",
    "/account/password": "injector",
    "/account/second-factor": "injector",
    "/account/second-factor/confirm": "injector",
    "/account/second-factor/remove": "injector",
    "/users": "admin",
    "/users/{user_id}": "admin",
    "/users/{user_id}/password": "admin",
    "/users/{user_id}/second-factor/remove": "admin",
    "/stock/vials/{vial_id}/discard": "admin",
    "/patients/{patient_id}/consent": "injector",
    "/clinic/settings": "admin",
    "/follow-ups/{follow_up_id}/no-show": "front_desk",
    "/follow-ups/{follow_up_id}/reschedule": "front_desk",
    "/treatments/{treatment_id}/review": "medical_director",
    "/reviews/{review_id}/answer": "injector",
    "/patients/{patient_id}/details": "front_desk",
    "/lots/recall/contacted": "admin",
    "/patients/{patient_id}/plan-templates": "injector",
}
"""Each POST form, with a role that may use it (so only the token can be what is refused)."""
PUBLIC = {("GET", "/"), ("GET", "/sign-in"), ("POST", "/sign-in"), ("GET", "/docs"), ("GET", "/redoc")}


def page_routes(method: str) -> set[str]:
    return {r.path for router in PAGE_ROUTERS for r in router.routes if isinstance(r, APIRoute) and method in r.methods}


def test_the_tables_cover_every_page_route() -> None:
    assert page_routes("GET") - {p for m, p in PUBLIC if m == "GET"} == set(GET_PAGES)
    assert page_routes("POST") - {p for m, p in PUBLIC if m == "POST"} == set(POST_FORMS)


@pytest.fixture
def ids(seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime) -> dict[str, str]:
    treatment_id = seeding.record(factory, kb, seeded, now=now)
    with factory() as session:
        (follow_up,) = repo.follow_ups(session, [treatment_id])
        (consent,) = consent_repo.for_patient(session, seeded.patient_id)
    with unit_of_work(factory) as session:
        query = worklists.review(
            session, seeded.actors["medical_director"], treatment_id, "query", "Please explain the dose chosen."
        )
        review_id = query.id
    return {
        "patient_id": seeded.patient_id,
        "treatment_id": treatment_id,
        "follow_up_id": follow_up.id,
        "user_id": seeded.actors["front_desk"].user_id,
        "vial_id": seeded.reconstitution_id,
        "consent_id": consent.id,
        "review_id": review_id,
    }


@pytest.mark.parametrize("role", list(Role))  # in declared order: xdist workers must collect alike
def test_each_role_sees_only_its_pages(login: Login, role: str, ids: dict[str, str]) -> None:
    browser = login(role)
    for template, allowed in GET_PAGES.items():
        response = browser.get(template.format(**ids))
        assert response.status_code == (200 if role in allowed else 403), (role, template)


@pytest.mark.parametrize("path", sorted(POST_FORMS))
def test_every_form_needs_the_csrf_token(login: Login, path: str, ids: dict[str, str]) -> None:
    browser = login(POST_FORMS[path])
    url = path.format(**ids)
    missing = browser.post(url, {"text": "a long enough addendum"}, csrf=False)
    assert missing.status_code == 403 and "missing or wrong CSRF token" in missing.text
    wrong = browser.client.post(url, data={"csrf_token": "forged", "text": "a long enough addendum"})
    assert wrong.status_code == 403
    assert browser.get("/patients").status_code == 200  # still signed in: nothing was done


def test_sign_in_form_needs_its_own_token(anonymous: Browser) -> None:
    response = anonymous.client.post(
        "/sign-in", data={"email": seeding.email("injector"), "password": seeding.PASSWORD, "form_token": "x"}
    )
    assert response.status_code == 403 and "The form expired" in response.text


LINK = re.compile(r'href="(/[^"#?]*)(?:[?#][^"]*)?"')


def test_the_front_desk_meets_no_broken_link(login: Login, ids: dict[str, str]) -> None:
    """Every page link the front desk is shown opens (breadth-first from the patient list)."""
    desk = login("front_desk")
    seen: set[str] = set()
    todo = ["/patients", "/follow-ups", f"/patients/{ids['patient_id']}/details"]
    while todo:
        url = todo.pop()
        if url in seen or url.startswith("/static/"):
            continue
        seen.add(url)
        response = desk.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert "/treatments/" not in response.text, url  # no clinical detail
        todo.extend(found for found in LINK.findall(response.text) if found not in seen)
    assert f"/patients/{ids['patient_id']}/details" in seen and len(seen) >= 4
