"""Bad values and colliding writes are 4xx in the one error shape, never 500, on SQLite and on
PostgreSQL: NUL bytes in ids, text, paths and queries; over-long text; two directors
co-signing at once; two users adding the same lot number at once; a huge offset; a plan
nested 100,000 deep; a time in 1900 with a +23:59 offset.

Each database gets its own app (PostgreSQL: a fresh migrated database) with one clinic whose
staff sign in through the API. Server errors are not raised into the test: the client sees
what a browser would.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    NOW,
    PASSWORD,
    build_app,
    new_lot,
    new_patient,
    screen,
    signed_visit,
    treatment_body,
)
from tests.db.conftest import migrated_postgres_database
from toxplan.app import create_app
from toxplan.credentials.passwords import hash_password
from toxplan.db.engine import unit_of_work
from toxplan.http.deps import CSRF_HEADER, get_now
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import clinics
from toxplan.settings import Settings

ROLES = ("injector", "medical_director", "admin")
NUL = "a\x00b"
HTML = {"accept": "text/html"}


class Clinic:
    def __init__(self, app: Any, clients: dict[str, TestClient]) -> None:
        self.app = app
        self.clients = clients

    def __getitem__(self, name: str) -> TestClient:
        return self.clients[name]


def _client(app: Any, email: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    answer = client.post(f"{API}/session", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers[CSRF_HEADER] = answer.json()["csrf_token"]
    return client


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def clinic(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kb: KnowledgeBase
) -> Iterator[Clinic]:
    with _app(request.param, tmp_path_factory.mktemp("bad-values"), kb) as app:
        tag = uuid.uuid4().hex[:8]
        digest = hash_password(PASSWORD)
        people = {"injector": "injector", "director": "medical_director", "director2": "medical_director"}
        people["admin"] = "admin"
        with unit_of_work(app.state.sessions) as session:
            made = clinics.create_clinic(session, "Bad values clinic")
            for name, role in people.items():
                clinics.create_user(
                    session,
                    made.id,
                    {"name": f"{name} {tag}", "email": f"{name}.{tag}@example.org", "role": role},
                    password_hash=digest,
                )
        yield Clinic(app, {name: _client(app, f"{name}.{tag}@example.org") for name in people})


class _app:
    """The API on a fresh SQLite file or a fresh migrated PostgreSQL database."""

    def __init__(self, kind: str, directory: Path, kb: KnowledgeBase) -> None:
        self.kind, self.directory, self.kb = kind, directory, kb
        self.postgres: Any = None

    def __enter__(self) -> Any:
        if self.kind == "sqlite":
            return build_app(self.directory, self.kb)
        self.postgres = migrated_postgres_database()
        url = self.postgres.__enter__()
        app = create_app(Settings(database_url=url, data_dir=self.directory), kb=self.kb)

        async def fixed_now() -> Any:
            return NOW

        app.dependency_overrides[get_now] = fixed_now
        self.app = app
        return app

    def __exit__(self, *exc: object) -> None:
        if self.postgres is not None:
            self.app.state.engine.dispose()
            self.postgres.__exit__(None, None, None)


def refused(response: Any, status: int = 422) -> dict[str, Any]:
    """A 4xx in the one error shape (the field may vary with the layer that refused)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


def refused_page(response: Any, status: int = 422) -> None:
    assert response.status_code == status, response.text[:300]
    assert "Traceback" not in response.text


def test_nul_bytes_in_ids_text_paths_and_queries(clinic: Clinic) -> None:
    injector = clinic["injector"]
    visit = signed_visit(injector)
    refused(injector.post(f"{API}/treatments", json=treatment_body(NUL, visit.lot_id)))
    refused(injector.post(f"{API}/treatments", json=treatment_body(visit.patient_id, NUL)))
    refused(
        injector.post(
            f"{API}/reconstitutions", json={"lot_id": NUL, "diluent_ml": 2.5, "reconstituted_at": NOW.isoformat()}
        )
    )
    consent = {"form_version": NUL, "signed_by": "Ana Silva", "signed_at": NOW.isoformat()}
    refused(injector.post(f"{API}/patients/{visit.patient_id}/consents", json=consent))
    refused(injector.post(f"{API}/treatments/{visit.treatment_id}/addenda", json={"text": f"Bruising {NUL} seen"}))
    body = {"given_name": NUL, "family_name": "Silva", "birth_date": "1986-03-14", "sex": "female"}
    refused(injector.post(f"{API}/patients", json=body))
    refused(injector.post(f"{API}/patients", json={**body, "given_name": "Ana", "conditions": [NUL]}))
    refused(injector.get(f"{API}/patients/a%00b"))
    refused(injector.get(f"{API}/patients", params={"q": NUL}))
    refused(injector.get(f"{API}/recall/a%00b"))
    refused(injector.post(f"{API}/follow-ups/a%00b", json={"reviewed_on": NOW.date().isoformat()}))
    for path in ("/patients/a%00b", "/treatments/a%00b", "/patients/a%00b/plan", "/lots/recall?lot_number=a%00b"):
        refused_page(injector.get(path, headers=HTML))
    form = {"text": f"Seen {NUL} today", "csrf_token": injector.headers[CSRF_HEADER]}
    refused_page(injector.post(f"/treatments/{visit.treatment_id}/addenda", data=form, headers=HTML))
    lot = {"product": "botox", "lot_number": NUL, "expiry_date": "2027-06-30", "vial_units": "100"}
    refused_page(injector.post("/lots", data={**lot, "csrf_token": injector.headers[CSRF_HEADER]}, headers=HTML))


def test_over_long_text_is_refused_not_stored(clinic: Clinic) -> None:
    injector = clinic["injector"]
    body = {"given_name": "Ana", "family_name": "Silva", "birth_date": "1986-03-14", "sex": "female"}
    error = refused(injector.post(f"{API}/patients", json={**body, "conditions": ["x" * 501]}))
    assert error["field"] == "conditions[0]" and "500" in error["message"]
    refused(injector.post(f"{API}/patients", json={**body, "given_name": "x" * 201}))
    refused(injector.post(f"{API}/patients", json={**body, "phone": "1" * 51}))
    visit = signed_visit(injector)
    refused(injector.post(f"{API}/treatments/{visit.treatment_id}/addenda", json={"text": "x" * 5001}))
    note = {"reviewed_on": NOW.date().isoformat(), "note": "x" * 2001}
    refused(injector.post(f"{API}/follow-ups/{visit.follow_up_id}", json=note))
    lines = "\n".join(["x" * 600])
    form = {**body, "conditions": lines, "csrf_token": injector.headers[CSRF_HEADER]}
    refused_page(injector.post("/patients/new", data=form, headers=HTML))


def test_too_many_list_entries_are_refused(clinic: Clinic) -> None:
    injector = clinic["injector"]
    body = {"given_name": "Ana", "family_name": "Silva", "birth_date": "1986-03-14", "sex": "female"}
    refused(injector.post(f"{API}/patients", json={**body, "allergies": ["latex"] * 101}))
    shot = {"indication": "glabellar_lines", "site": "procerus", "units": 1}
    check = {"treatment": {"product": "botox", "injections": [shot] * 201}}
    refused(injector.post(f"{API}/check", json=check))
    past = {"date": "2026-01-01", "product": "botox", "indication": "glabellar_lines", "units": 1}
    check = {"history": [past] * 1001, "treatment": {"product": "botox", "injections": [shot]}}
    refused(injector.post(f"{API}/check", json=check))


def _race(calls: list[Any]) -> list[Any]:
    """Run the calls at the same moment in threads; their responses in order."""
    start = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_directors_co_signing_at_once(clinic: Clinic) -> None:
    for _ in range(6):
        visit = signed_visit(clinic["injector"])
        url = f"{API}/treatments/{visit.treatment_id}/cosign"
        answers = _race(
            [
                lambda u=url: clinic["director"].post(u, json={"password": PASSWORD}),
                lambda u=url: clinic["director2"].post(u, json={"password": PASSWORD}),
            ]
        )
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409)
        assert refused(loser, 409)["field"] == "treatment_id"


def test_two_users_adding_the_same_lot_number_at_once(clinic: Clinic) -> None:
    for _ in range(6):
        lot = {
            "product": "botox",
            "lot_number": f"R{uuid.uuid4().hex[:7]}",
            "expiry_date": "2027-06-30",
            "vial_units": 100,
        }
        answers = _race(
            [
                lambda b=lot: clinic["injector"].post(f"{API}/lots", json=b),
                lambda b=lot: clinic["admin"].post(f"{API}/lots", json=b),
            ]
        )
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        assert refused(next(a for a in answers if a.status_code == 409), 409)["field"] == "lot_number"


def test_a_huge_offset(clinic: Clinic) -> None:
    injector = clinic["injector"]
    huge = "9" * 30
    for path in ("/patients", "/follow-ups", "/cosign-queue"):
        client = clinic["director"] if path == "/cosign-queue" else injector
        assert refused(client.get(f"{API}{path}", params={"offset": huge}))["field"] == "offset"
    refused_page(injector.get(f"/patients?offset={huge}", headers=HTML))
    refused_page(injector.get("/patients?offset=-1", headers=HTML))


def test_a_plan_nested_100000_deep(clinic: Clinic) -> None:
    injector = clinic["injector"]
    deep = "[" * 100_000 + "]" * 100_000
    shot = '{"indication": "glabellar_lines", "site": "procerus", "units": 4, "note": ' + deep + "}"
    raw = '{"treatment": {"product": "botox", "injections": [' + shot + "]}}"
    response = injector.post(f"{API}/check", content=raw, headers={"content-type": "application/json"})
    assert refused(response, 400)["code"] == "invalid_input"
    patient = new_patient(injector)
    screen(injector, patient["id"])
    form = {"plan": '{"injections": ' + deep[:199_000] + "}", "csrf_token": injector.headers[CSRF_HEADER]}
    refused_page(injector.post(f"/patients/{patient['id']}/treatments", data=form, headers=HTML))


def test_a_time_in_1900_with_a_plus_23_59_offset(clinic: Clinic) -> None:
    injector = clinic["injector"]
    early = "1900-01-01T00:00:00+23:59"  # 1899-12-31 in UTC
    patient = new_patient(injector, birth_date="1900-01-01")
    lot = new_lot(injector)
    error = refused(
        injector.post(
            f"{API}/reconstitutions", json={"lot_id": lot["id"], "diluent_ml": 2.5, "reconstituted_at": early}
        )
    )
    assert error["field"] == "reconstituted_at" and "UTC" in error["message"]
    body = {**treatment_body(patient["id"], lot["id"]), "visit_at": early}
    assert refused(injector.post(f"{API}/treatments", json=body))["field"] == "visit_at"
    consent = {"form_version": "2026-1", "signed_by": "Ana Silva", "signed_at": early}
    assert refused(injector.post(f"{API}/patients/{patient['id']}/consents", json=consent))["field"] == "signed_at"
    check = {
        "date": "1900-01-01",
        "treatment": {
            "product": "botox",
            "reconstituted_at": early,
            "injections": [{"indication": "glabellar_lines", "site": "procerus", "units": 4}],
        },
    }
    assert refused(injector.post(f"{API}/check", json=check))["field"] == "treatment.reconstituted_at"
    form = {"lot_id": lot["id"], "diluent_ml": "2.5", "reconstituted_at": "1900-01-01T00:00", "tz_offset": "-900"}
    refused_page(
        injector.post("/lots/reconstitutions", data={**form, "csrf_token": injector.headers[CSRF_HEADER]}, headers=HTML)
    )


def test_errors_keep_the_shape_for_every_refusal_above(clinic: Clinic) -> None:
    """The server is still answering normally after all of the above."""
    assert clinic["injector"].get(f"{API}/health").json()["status"] == "ok"
    assert json.loads(clinic["injector"].get(f"{API}/patients").text)["total"] >= 1
