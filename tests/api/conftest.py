"""The API on a migrated temporary SQLite database, with two clinics and one signed-in client
per role in each.

Staff are created through the services with Argon2 password hashes and sign in through
``POST /api/v1/session``, like real users. Hashing and signing in cost real time, so the app
and its clients are built once per test session; tests create the patients they work on and
look only at those, so they do not depend on one another.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from toxplan.app import create_app
from toxplan.credentials.passwords import hash_password
from toxplan.db.engine import unit_of_work
from toxplan.db.migrate import upgrade
from toxplan.http.deps import CSRF_HEADER, get_now
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import Role
from toxplan.services import clinics
from toxplan.services.demo import signature_png
from toxplan.settings import Settings

API = "/api/v1"
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
"""The server's clock in these tests, so dates in assertions do not drift."""
TODAY = NOW.date()
PASSWORD = "correct horse battery staple"
GLABELLAR = [
    "procerus",
    "corrugator_medial_left",
    "corrugator_medial_right",
    "corrugator_lateral_left",
    "corrugator_lateral_right",
]


def pytest_configure(config: pytest.Config) -> None:
    # Registered here (pyproject lists markers strictly); the fuzz test stays in the default run.
    config.addinivalue_line("markers", "fuzz: property-based requests generated from the OpenAPI schema")


@dataclass
class Staff:
    """One clinic: its id, a signed-in client per role, and the users' ids and e-mails."""

    clinic_id: str
    clients: dict[str, TestClient]
    user_ids: dict[str, str]
    emails: dict[str, str]

    def __getitem__(self, role: str) -> TestClient:
        return self.clients[role]


@dataclass
class World:
    app: FastAPI
    clinic: Staff
    other: Staff
    """A second clinic in the same database: it must never see the first one's records."""

    def anonymous(self) -> TestClient:
        return TestClient(self.app)


def build_app(directory: Path, kb: KnowledgeBase) -> FastAPI:
    app = create_app(Settings(database_url=f"sqlite:///{directory / 'toxplan.db'}", data_dir=directory), kb=kb)
    upgrade(app.state.engine)

    async def fixed_now() -> dt.datetime:
        return NOW

    app.dependency_overrides[get_now] = fixed_now
    return app


def sign_in(app: FastAPI, email: str) -> TestClient:
    """A client holding the session cookie and sending its CSRF token on every request."""
    client = TestClient(app)
    answer = client.post(f"{API}/session", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers[CSRF_HEADER] = answer.json()["csrf_token"]
    return client


def make_staff(app: FastAPI, name: str, password_hash: str, roles: tuple[str, ...] = tuple(Role)) -> Staff:
    tag = uuid.uuid4().hex[:8]  # e-mails are unique per clinic only; sign-in looks across clinics
    with unit_of_work(app.state.sessions) as session:
        clinic = clinics.create_clinic(session, name)
        emails, user_ids = {}, {}
        for role in roles:
            email = f"{role}.{tag}@example.org"
            user = clinics.create_user(
                session,
                clinic.id,
                {"name": f"{role.replace('_', ' ').title()} {tag}", "email": email, "role": role},
                password_hash=password_hash,
            )
            emails[role], user_ids[role] = email, user.id
    return Staff(clinic.id, {role: sign_in(app, emails[role]) for role in roles}, user_ids, emails)


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase, password_hash: str) -> World:
    app = build_app(tmp_path_factory.mktemp("api"), kb)
    return World(app, make_staff(app, "First clinic", password_hash), make_staff(app, "Other clinic", password_hash))


# --- building records through the API ----------------------------------------------------------


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def new_patient(client: TestClient, **changes: Any) -> dict[str, Any]:
    body = {
        "given_name": "Ana",
        "family_name": f"Silva-{uuid.uuid4().hex[:8]}",
        "birth_date": "1986-03-14",
        "sex": "female",
        "weight_kg": 62,
        "conditions": ["hypothyroidism"],
        "medications": ["levothyroxine"],
        "allergies": ["penicillin"],
    }
    body.update(changes)
    return ok(client.post(f"{API}/patients", json=body), 201)


def screen(client: TestClient, patient_id: str, on: dt.date = TODAY) -> dict[str, Any]:
    """The visit's screening; a patient's first screening also takes their consent to aesthetic
    BOTOX treatment (signed two months ago), which signing needs."""
    body = {"visit_on": on.isoformat(), "pregnant": False, "breastfeeding": False, "infection_at_site": False}
    screening = ok(client.post(f"{API}/patients/{patient_id}/screenings", json=body), 201)
    if not _CONSENTED.get(patient_id):
        consent(client, patient_id)
    return screening


_CONSENTED: dict[str, bool] = {}


def consent(client: TestClient, patient_id: str, areas: list[str] | None = None) -> dict[str, Any]:
    """The patient's consent through the API: read the form, sign its hash with a drawn signature."""
    params: dict[str, Any] = {"product": "botox", "areas": areas or GLABELLAR_AND_MORE}
    form = ok(client.get(f"{API}/consent-form", params=params))
    body = {
        "product": "botox",
        "areas": form["areas"],
        "text_sha256": form["text_sha256"],
        "signed_by": "Ana Silva",
        "signature": signature_png(),
        "signed_at": (NOW - dt.timedelta(days=60)).isoformat(),
    }
    _CONSENTED[patient_id] = True
    return ok(client.post(f"{API}/patients/{patient_id}/consent-signatures", json=body), 201)


GLABELLAR_AND_MORE = ["glabellar_lines", "forehead_lines", "lateral_canthal_lines", "masseter", "platysma_bands"]


def new_lot(client: TestClient, expiry: dt.date = dt.date(2027, 6, 30), product: str = "botox") -> dict[str, Any]:
    body = {
        "product": product,
        "lot_number": f"C{uuid.uuid4().hex[:7].upper()}",
        "expiry_date": expiry.isoformat(),
        "vial_units": 100,
    }
    return ok(client.post(f"{API}/lots", json=body), 201)


def reconstitute(client: TestClient, lot_id: str, at: dt.datetime = NOW - dt.timedelta(hours=2)) -> dict[str, Any]:
    body = {"lot_id": lot_id, "diluent_ml": 2.5, "reconstituted_at": at.isoformat()}
    return ok(client.post(f"{API}/reconstitutions", json=body), 201)


def treatment_body(
    patient_id: str,
    lot_id: str,
    *,
    reconstitution_id: str | None = None,
    visit_at: dt.datetime = NOW,
    indication: str = "glabellar_lines",
    sites: list[tuple[str, float]] | None = None,
    overrides: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "patient_id": patient_id,
        "lot_id": lot_id,
        "visit_at": visit_at.isoformat(),
        "injections": [
            {"indication": indication, "site": site, "units": units}
            for site, units in (sites or [(s, 4) for s in GLABELLAR])
        ],
        "overrides": overrides or [],
        "password": PASSWORD,  # every signature asks for the signer's password again
    }
    if reconstitution_id:
        body["reconstitution_id"] = reconstitution_id
    else:
        body["diluent_ml"] = 2.5  # a vial made up on the day, not recorded as a reconstitution
    return body


@dataclass(frozen=True)
class Visit:
    """A patient with a screening, a lot, a reconstituted vial and one signed treatment."""

    patient_id: str
    lot_id: str
    lot_number: str
    reconstitution_id: str
    treatment_id: str
    follow_up_id: str


def signed_visit(client: TestClient, make_patient: Callable[..., dict[str, Any]] = new_patient) -> Visit:
    patient = make_patient(client)
    screen(client, patient["id"])
    lot = new_lot(client)
    made = reconstitute(client, lot["id"])
    body = treatment_body(patient["id"], lot["id"], reconstitution_id=made["id"])
    treatment = ok(client.post(f"{API}/treatments", json=body), 201)
    return Visit(patient["id"], lot["id"], lot["lot_number"], made["id"], treatment["id"], treatment["follow_up"]["id"])


def assert_error(response: Any, status: int, code: str, field: str | None) -> dict[str, Any]:
    """The one error shape, exactly: no other keys, a readable message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field"}
    assert (body["error"]["code"], body["error"]["field"]) == (code, field), body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error
