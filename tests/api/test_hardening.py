"""Security headers on every response, no inline script or style in any template, JSON bodies
with a repeated key refused, and refused requests for patient data audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.conftest import API, World, assert_error, new_patient, ok, signed_visit
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent
from toxplan.http.json_keys import repeated_key

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "toxplan" / "web" / "templates"


def csp_of(response: object) -> dict[str, str]:
    header = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path", ["/api/v1/health", "/api/v1/patients", "/patients", "/sign-in", "/api/v1/nowhere", "/docs"]
)
def test_every_response_carries_the_security_headers(world: World, path: str) -> None:
    client = world.clinic["injector"]
    response = client.get(path, headers={"accept": "text/html"} if not path.startswith("/api") else {})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "private, no-store"
    policy = csp_of(response)
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert policy["object-src"] == "object-src 'none'"
    assert policy["script-src"].startswith("script-src 'self'")


def test_patient_data_is_never_cached_but_static_files_may_be(world: World) -> None:
    client = world.clinic["injector"]
    visit = signed_visit(client)
    assert client.get(f"{API}/patients/{visit.patient_id}").headers["cache-control"] == "private, no-store"
    assert client.get(f"/patients/{visit.patient_id}").headers["cache-control"] == "private, no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("cache-control", "")


def test_strict_transport_security_behind_tls(world: World) -> None:
    answer = world.anonymous().get(f"{API}/health", headers={"x-forwarded-proto": "https"})
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in world.anonymous().get(f"{API}/health").headers


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style() -> None:
    problems = [
        f"{path.name}: {what}"
        for path in sorted(TEMPLATES.glob("*.html"))
        for pattern, what in INLINE
        if pattern.search(path.read_text())
    ]
    assert problems == []
    assert len(list(TEMPLATES.glob("*.html"))) > 5


def test_a_repeated_json_key_is_refused_naming_it(world: World) -> None:
    client = world.clinic["injector"]
    body = b'{"given_name": "Ana", "family_name": "Twice", "birth_date": "1986-03-14", "sex": "female", "sex": "male"}'
    answer = client.post(f"{API}/patients", content=body, headers={"content-type": "application/json"})
    error = assert_error(answer, 422, "invalid_input", "sex")
    assert "'sex' appears twice" in error["message"]
    nested = (
        b'{"treatment": {"product": "botox", "injections": [{"indication": "glabellar_lines",'
        b' "site": "procerus", "units": 4, "units": 40}]}}'
    )
    answer = client.post(f"{API}/check", content=nested, headers={"content-type": "application/json"})
    assert_error(answer, 422, "invalid_input", "treatment.injections.0.units")
    once = body.replace(b', "sex": "male"', b"")
    assert client.post(f"{API}/patients", content=once, headers={"content-type": "application/json"}).status_code == 201


def test_repeated_key_search_handles_odd_documents() -> None:
    assert repeated_key(b'{"a": 1, "b": {"a": 2}}') is None
    assert repeated_key(b'[{"a": 1}, {"a": 1, "a": 2}]') == "1.a"
    assert repeated_key(b"not json") is None
    assert repeated_key(b"[" * 100_000 + b"]" * 100_000) is None  # too deep to parse: left to the route


def denials(world: World, clinic_id: str) -> list[AuditEvent]:
    with unit_of_work(world.app.state.sessions) as session:
        query = select(AuditEvent).where(AuditEvent.clinic_id == clinic_id, AuditEvent.entity == "access_denied")
        return list(session.scalars(query.order_by(AuditEvent.at)))


def test_refused_requests_for_patient_data_are_audited(world: World) -> None:
    visit = signed_visit(world.clinic["injector"])
    before = len(denials(world, world.clinic.clinic_id))
    assert_error(world.clinic["front_desk"].get(f"{API}/patients/{visit.patient_id}"), 403, "forbidden", "role")
    after = denials(world, world.clinic.clinic_id)
    assert len(after) == before + 1
    event = after[-1]
    assert (event.action, event.patient_id, event.user_id) == (
        "read",
        visit.patient_id,
        world.clinic.user_ids["front_desk"],
    )
    other_before = len(denials(world, world.other.clinic_id))
    assert_error(world.other["injector"].get(f"{API}/patients/{visit.patient_id}"), 404, "not_found", "patient_id")
    other_after = denials(world, world.other.clinic_id)
    assert len(other_after) == other_before + 1 and other_after[-1].patient_id == visit.patient_id
    assert (
        world.clinic["front_desk"].get(f"/treatments/{visit.treatment_id}", headers={"accept": "text/html"}).status_code
        == 403
    )
    assert denials(world, world.clinic.clinic_id)[-1].entity_id == visit.treatment_id
    # Not signed in: nothing reached, nothing written (anyone could fill the log otherwise).
    count = len(denials(world, world.clinic.clinic_id))
    assert TestClient(world.app).get(f"{API}/patients/{visit.patient_id}").status_code == 401
    assert len(denials(world, world.clinic.clinic_id)) == count


def shown_to(world: World, entity: str, user_id: str) -> list[AuditEvent]:
    with unit_of_work(world.app.state.sessions) as session:
        query = select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.user_id == user_id)
        return list(session.scalars(query))


def test_lists_searches_and_recall_audit_each_patient_shown(world: World) -> None:
    injector = world.clinic["injector"]
    first = new_patient(injector, family_name="Shownlist-Alpha")
    second = new_patient(injector, family_name="Shownlist-Beta")
    found = ok(world.clinic["front_desk"].get(f"{API}/patients", params={"q": "Shownlist-"}))
    assert {p["id"] for p in found["items"]} == {first["id"], second["id"]}
    listed = shown_to(world, "patient_list", world.clinic.user_ids["front_desk"])
    assert {first["id"], second["id"]} <= {e.patient_id for e in listed}
    page = world.clinic["front_desk"].get("/patients", params={"q": "Shownlist-Alpha"}, headers={"accept": "text/html"})
    assert page.status_code == 200
    visit = signed_visit(injector)
    ok(world.clinic["admin"].get(f"{API}/recall/{visit.lot_number}"))
    recalled = shown_to(world, "lot_recall", world.clinic.user_ids["admin"])
    assert visit.patient_id in {e.patient_id for e in recalled}
    ok(world.clinic["medical_director"].get(f"{API}/cosign-queue", params={"limit": 200}))
    queued = shown_to(world, "cosign_queue", world.clinic.user_ids["medical_director"])
    assert visit.patient_id in {e.patient_id for e in queued}
    ok(injector.get(f"{API}/follow-ups", params={"open": "true", "limit": 200}))
    assert visit.patient_id in {
        e.patient_id for e in shown_to(world, "follow_up_list", world.clinic.user_ids["injector"])
    }
