"""Signing asks for the password again, and an override needs a reason from the list with a few
real words: "aaaaaaaaaa" is refused."""

from __future__ import annotations

from tests.api.conftest import (
    API,
    NOW,
    World,
    assert_error,
    new_lot,
    new_patient,
    ok,
    reconstitute,
    screen,
    treatment_body,
)


def setup(world: World) -> tuple[object, dict[str, object]]:
    nurse = world.clinic["injector"]
    patient = new_patient(nurse)
    screen(nurse, patient["id"])
    lot = new_lot(nurse)
    made = reconstitute(nurse, lot["id"])
    return nurse, treatment_body(patient["id"], lot["id"], reconstitution_id=made["id"])


def test_signing_needs_the_signers_password(world: World) -> None:
    nurse, body = setup(world)
    assert_error(
        nurse.post(f"{API}/treatments", json={**body, "password": "wrong one"}), 422, "signature_refused", "password"
    )  # type: ignore[attr-defined]
    no_password = {k: v for k, v in body.items() if k != "password"}
    assert nurse.post(f"{API}/treatments", json=no_password).status_code == 422  # type: ignore[attr-defined]
    signed = ok(nurse.post(f"{API}/treatments", json=body), 201)  # type: ignore[attr-defined]
    assert signed["visit_at"].startswith(NOW.date().isoformat())


def test_an_override_reason_needs_a_category_and_real_words(world: World) -> None:
    nurse, body = setup(world)
    finding = {"code": "DANGER_ZONE", "subject_id": "position"}
    for bad, field in (
        ({**finding, "reason": "Asymmetric brow, patient informed of risk"}, "overrides[0].category"),
        ({**finding, "category": "patient_informed", "reason": "aaaaaaaaaa"}, "overrides[0].reason"),
        ({**finding, "category": "patient_informed", "reason": "aaaa bbbb cccc dddd"}, "overrides[0].reason"),
        ({**finding, "category": "whim", "reason": "Asymmetric brow, patient informed"}, "overrides[0].category"),
    ):
        error = assert_error(
            nurse.post(f"{API}/treatments", json={**body, "overrides": [bad]}), 422, "invalid_input", field
        )  # type: ignore[attr-defined]
        assert error["message"]


def test_a_rejected_treatment_leaves_the_api_cosign_queue(world: World) -> None:
    from tests.api.conftest import signed_visit  # noqa: PLC0415
    from toxplan.db.engine import unit_of_work  # noqa: PLC0415
    from toxplan.services import worklists  # noqa: PLC0415
    from toxplan.services.schemas import Actor  # noqa: PLC0415

    visit = signed_visit(world.clinic["injector"])
    director = world.clinic["medical_director"]
    queued = ok(director.get(f"{API}/cosign-queue", params={"limit": 200}))
    assert visit.treatment_id in {row["treatment_id"] for row in queued["items"]}
    actor = Actor(
        clinic_id=world.clinic.clinic_id, user_id=world.clinic.user_ids["medical_director"], role="medical_director"
    )
    with unit_of_work(world.app.state.sessions) as session:
        worklists.review(session, actor, visit.treatment_id, "reject", "Dose not justified in the note.")
    after = ok(director.get(f"{API}/cosign-queue", params={"limit": 200}))
    assert visit.treatment_id not in {row["treatment_id"] for row in after["items"]}
