"""Every API failure has the one shape {"error": {"code", "message", "field"}}, with the status
the error kind maps to, whether FastAPI or a service refused the request."""

from __future__ import annotations

import datetime as dt

from tests.api.conftest import API, NOW, TODAY, World, assert_error, new_lot, new_patient, screen, treatment_body
from toxplan.http.deps import CSRF_HEADER

CERVICAL = [
    ("sternocleidomastoid_left", 50),
    ("splenius_capitis_left", 50),
    ("trapezius_upper_left", 50),
    ("sternocleidomastoid_right", 50),
    ("splenius_capitis_right", 50),
    ("trapezius_upper_right", 50),
]


def test_401_when_not_signed_in(world: World) -> None:
    assert_error(world.anonymous().get(f"{API}/patients"), 401, "unauthenticated", "session")


def test_401_for_a_forged_session_cookie(world: World) -> None:
    client = world.anonymous()
    client.cookies.set("toxplan_session", "not-a-real-token")
    assert_error(client.get(f"{API}/patients"), 401, "unauthenticated", "session")


def test_403_when_the_role_may_not(world: World) -> None:
    patient = new_patient(world.clinic["front_desk"])
    assert_error(world.clinic["front_desk"].get(f"{API}/patients/{patient['id']}"), 403, "forbidden", "role")


def test_403_when_the_csrf_token_is_missing_or_wrong(world: World) -> None:
    client = world.clinic["injector"]
    token = client.headers.pop(CSRF_HEADER)
    try:
        body = {"given_name": "A", "family_name": "B", "birth_date": "1990-01-01", "sex": "female"}
        assert_error(client.post(f"{API}/patients", json=body), 403, "csrf_rejected", "csrf_token")
        bad = {CSRF_HEADER: token + "x"}
        assert_error(client.post(f"{API}/patients", json=body, headers=bad), 403, "csrf_rejected", "csrf_token")
    finally:
        client.headers[CSRF_HEADER] = token
    assert client.get(f"{API}/patients").status_code == 200  # reads need no token


def test_404_names_the_missing_thing(world: World) -> None:
    client = world.clinic["injector"]
    assert_error(client.get(f"{API}/patients/no-such-id"), 404, "not_found", "patient_id")
    assert_error(client.get(f"{API}/treatments/no-such-id"), 404, "not_found", "treatment_id")
    assert_error(
        client.post(f"{API}/follow-ups/no-such-id", json={"reviewed_on": TODAY.isoformat()}),
        404,
        "not_found",
        "follow_up_id",
    )
    assert_error(client.get(f"{API}/no-such-route"), 404, "not_found", None)


def test_409_for_a_critical_finding_without_an_override(world: World) -> None:
    client = world.clinic["injector"]
    patient = new_patient(client)
    screen(client, patient["id"])
    lot = new_lot(client)
    earlier = treatment_body(
        patient["id"], lot["id"], visit_at=NOW - dt.timedelta(days=20), indication="cervical_dystonia", sites=CERVICAL
    )
    assert client.post(f"{API}/treatments", json=earlier).status_code == 201
    more = treatment_body(patient["id"], lot["id"], indication="cervical_dystonia", sites=CERVICAL[:3])
    error = assert_error(client.post(f"{API}/treatments", json=more), 409, "conflict", "overrides")
    assert "CUMULATIVE_DOSE_ABOVE_MAX" in error["message"]


def test_409_for_a_lot_recorded_twice(world: World) -> None:
    client = world.clinic["injector"]
    lot = new_lot(client)
    again = {"product": "botox", "lot_number": lot["lot_number"], "expiry_date": "2027-06-30", "vial_units": 100}
    assert_error(client.post(f"{API}/lots", json=again), 409, "conflict", "lot_number")


def test_422_from_request_validation_names_the_field(world: World) -> None:
    client = world.clinic["injector"]
    assert_error(client.get(f"{API}/patients", params={"limit": 0}), 422, "invalid_input", "limit")
    assert_error(client.get(f"{API}/patients", params={"limit": 201}), 422, "invalid_input", "limit")
    assert_error(client.get(f"{API}/patients", params={"offset": -1}), 422, "invalid_input", "offset")
    assert_error(client.get(f"{API}/cosign-queue", params={"limit": "x"}), 403, "forbidden", "role")  # role first
    missing = {"family_name": "B", "birth_date": "1990-01-01", "sex": "female"}
    assert_error(client.post(f"{API}/patients", json=missing), 422, "invalid_input", "given_name")
    patient = new_patient(client)
    shot = {"weight_kg": -3}
    assert_error(client.post(f"{API}/patients/{patient['id']}/weights", json=shot), 422, "invalid_input", "weight_kg")
    naive = {"form_version": "v1", "signed_by": "Ana", "signed_at": "2026-11-25T10:00:00"}
    assert_error(client.post(f"{API}/patients/{patient['id']}/consents", json=naive), 422, "invalid_input", "signed_at")


def test_422_from_service_validation_names_the_field(world: World) -> None:
    client = world.clinic["injector"]
    future = {"given_name": "A", "family_name": "B", "birth_date": "2030-01-01", "sex": "female"}
    assert_error(client.post(f"{API}/patients", json=future), 422, "invalid_input", "birth_date")
    naive_visit = treatment_body("p", "l") | {"visit_at": "2026-11-25T10:00:00"}
    assert_error(client.post(f"{API}/treatments", json=naive_visit), 422, "invalid_input", "visit_at")
    unknown = {"product": "snake oil", "lot_number": "X1", "expiry_date": "2027-01-01", "vial_units": 100}
    assert_error(client.post(f"{API}/lots", json=unknown), 422, "invalid_input", "product")


def test_check_refuses_a_reconstitution_time_without_zone(world: World) -> None:
    body = {
        "treatment": {
            "product": "botox",
            "reconstituted_at": "2026-11-25T08:30:00",
            "injections": [{"indication": "glabellar_lines", "site": "procerus", "units": 4}],
        }
    }
    assert_error(
        world.clinic["injector"].post(f"{API}/check", json=body), 422, "invalid_input", "treatment.reconstituted_at"
    )


def test_a_nested_field_is_named_as_everywhere_else(world: World) -> None:
    client = world.clinic["injector"]
    shot = {"indication": "glabellar_lines", "site": "procerus", "units": -4}
    body = {"treatment": {"product": "botox", "injections": [shot]}}
    assert_error(client.post(f"{API}/check", json=body), 422, "invalid_input", "treatment.injections[0].units")
    signing = treatment_body("p", "l") | {"injections": [shot]}
    assert_error(client.post(f"{API}/treatments", json=signing), 422, "invalid_input", "injections[0].units")
