"""Values that once reached a server error through the services: a dose or weight finer than
the columns keep, and dates with no UTC value. Each must now be refused as invalid input
naming its field, and nothing stored may block a later recording.

Found by probing with real ids (the fuzz test only reaches them by chance).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import (
    API,
    World,
    new_lot,
    new_patient,
    reconstitute,
    screen,
    signed_visit,
    treatment_body,
)


def lenient(world: World, role: str = "injector") -> TestClient:
    """The role's session in a client that returns a 500 instead of raising it."""
    signed = world.clinic[role]
    client = TestClient(world.app, raise_server_exceptions=False)
    client.cookies = signed.cookies
    client.headers.update(signed.headers)
    return client


def not_a_server_error(response: Any) -> None:
    assert response.status_code < 500, response.text


def test_a_sub_precision_dose_does_not_block_the_patients_later_treatments(world: World) -> None:
    client = lenient(world)
    visit = signed_visit(world.clinic["injector"])
    tiny = treatment_body(
        visit.patient_id, visit.lot_id, reconstitution_id=visit.reconstitution_id, sites=[("procerus", 0.0001)]
    )
    first = client.post(f"{API}/treatments", json=tiny)
    not_a_server_error(first)
    again = treatment_body(visit.patient_id, visit.lot_id, reconstitution_id=visit.reconstitution_id)
    not_a_server_error(client.post(f"{API}/treatments", json=again))


def test_a_sub_precision_weight_does_not_block_recording(world: World) -> None:
    client, nurse = lenient(world), world.clinic["injector"]
    refused = client.post(
        f"{API}/patients",
        json={"given_name": "A", "family_name": "B", "birth_date": "1990-01-01", "sex": "female", "weight_kg": 0.001},
    )
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "weight_kg"
    patient = new_patient(nurse, weight_kg=61.5)
    screen(nurse, patient["id"])
    lot = new_lot(nurse)
    made = reconstitute(nurse, lot["id"])
    body = treatment_body(patient["id"], lot["id"], reconstitution_id=made["id"])
    not_a_server_error(client.post(f"{API}/treatments", json=body))


def test_a_visit_in_year_one_is_invalid_input(world: World) -> None:
    client = lenient(world)
    visit = signed_visit(world.clinic["injector"])
    body = treatment_body(visit.patient_id, visit.lot_id) | {"visit_at": "0001-01-02T00:00:00+00:00"}
    not_a_server_error(client.post(f"{API}/treatments", json=body))


def test_a_reconstitution_time_without_a_utc_value_is_invalid_input(world: World) -> None:
    client = lenient(world)
    visit = signed_visit(world.clinic["injector"])
    body = {"lot_id": visit.lot_id, "diluent_ml": 2.5, "reconstituted_at": "0001-01-01T00:00:00+01:00"}
    not_a_server_error(client.post(f"{API}/reconstitutions", json=body))
