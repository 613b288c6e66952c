"""A clinic day through the API: register and screen a patient, stock a lot, make up a vial,
check the plan, sign (refused, then with an override, when the history makes the plan exceed
a limit), co-sign, amend, review, report an adverse event, and read it all back; the reads
land in the audit log."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.api.conftest import (
    API,
    NOW,
    PASSWORD,
    TODAY,
    World,
    assert_error,
    new_lot,
    new_patient,
    ok,
    reconstitute,
    screen,
    treatment_body,
)
from toxplan.db.engine import unit_of_work
from toxplan.db.repositories import audit as audit_repo

CERVICAL = [
    ("sternocleidomastoid_left", 50),
    ("splenius_capitis_left", 50),
    ("trapezius_upper_left", 50),
    ("sternocleidomastoid_right", 50),
    ("splenius_capitis_right", 50),
    ("trapezius_upper_right", 50),
]
OVERRIDE = {
    "code": "CUMULATIVE_DOSE_ABOVE_MAX",
    "category": "clinically_indicated",
    "reason": "Neurologist-approved escalation, letter on file",
}


def audited(world: World, patient_id: str) -> set[tuple[str, str]]:
    with unit_of_work(world.app.state.sessions) as session:
        events = audit_repo.for_patient(session, world.clinic.clinic_id, patient_id)
        return {(e.action, e.entity) for e in events}


def test_a_clinic_day_through_the_api(world: World) -> None:  # noqa: PLR0915 - one story, told in order
    nurse, director = world.clinic["injector"], world.clinic["medical_director"]

    # Registration, screening, weight and consent.
    patient = new_patient(nurse)
    pid = patient["id"]
    screen(nurse, pid)
    screen(nurse, pid, TODAY - dt.timedelta(days=20))
    ok(nurse.post(f"{API}/patients/{pid}/weights", json={"weight_kg": 63.4}), 201)
    consent = ok(
        nurse.post(
            f"{API}/patients/{pid}/consents",
            json={"form_version": "2026-1", "signed_by": "Ana Silva", "signed_at": NOW.isoformat()},
        ),
        201,
    )
    assert consent["witnessed_by"] == world.clinic.user_ids["injector"]
    view = ok(nurse.get(f"{API}/patients/{pid}"))
    assert [c["text"] for c in view["conditions"]] == ["hypothyroidism"]
    assert [a["text"] for a in view["allergies"]] == ["penicillin"]
    assert view["weight"] == {"measured_on": TODAY.isoformat(), "weight_kg": 63.4}

    # Stock: a lot, a vial made up two hours ago; expiry warnings on the lot list.
    lot = new_lot(nurse)
    soon = new_lot(nurse, expiry=TODAY + dt.timedelta(days=10))
    gone = new_lot(nurse, expiry=TODAY - dt.timedelta(days=1))
    made = reconstitute(nurse, lot["id"])
    stock = {row["id"]: row for row in ok(nurse.get(f"{API}/lots"))}
    assert (stock[lot["id"]]["expiring_soon"], stock[lot["id"]]["expired"]) == (False, False)
    assert (stock[soon["id"]]["days_to_expiry"], stock[soon["id"]]["expiring_soon"]) == (10, True)
    assert (stock[gone["id"]]["expired"], stock[gone["id"]]["expiring_soon"]) == (True, False)

    # Twenty days ago: 300 U for cervical dystonia.
    earlier = treatment_body(
        pid, lot["id"], visit_at=NOW - dt.timedelta(days=20), indication="cervical_dystonia", sites=CERVICAL
    )
    first = ok(nurse.post(f"{API}/treatments", json=earlier), 201)
    assert first["total_units"] == 300 and first["lot_number"] == lot["lot_number"]

    # Today's plan checks clean on its own (POST /check knows no history)...
    plan = {"indication": "cervical_dystonia", "sites": CERVICAL[:3]}
    check = ok(
        nurse.post(
            f"{API}/check",
            json={
                "date": TODAY.isoformat(),
                "treatment": {
                    "product": "botox",
                    "vial_units": 100,
                    "diluent_ml": 2.5,
                    "reconstituted_at": made["reconstituted_at"],
                    "injections": [
                        {"indication": "cervical_dystonia", "site": s, "units": u} for s, u in plan["sites"]
                    ],
                },
            },
        )
    )
    assert not check["critical"]

    # ...but signing checks the stored history: 450 U in 3 months is refused, nothing written.
    body = treatment_body(pid, lot["id"], reconstitution_id=made["id"], **plan)  # type: ignore[arg-type]
    error = assert_error(nurse.post(f"{API}/treatments", json=body), 409, "conflict", "overrides")
    assert "CUMULATIVE_DOSE_ABOVE_MAX" in error["message"]
    assert [w["units"] for w in ok(nurse.get(f"{API}/patients/{pid}/dose-windows"))] == [300]

    # With a documented reason it is signed, and the reason is kept with the finding.
    second = ok(nurse.post(f"{API}/treatments", json=body | {"overrides": [OVERRIDE]}), 201)
    tid = second["id"]
    critical = [f for f in second["findings"] if f["severity"] == "critical"]
    assert [(f["code"], f["override_reason"]) for f in critical] == [("CUMULATIVE_DOSE_ABOVE_MAX", OVERRIDE["reason"])]
    assert len(second["injections"]) == 3 and second["injections"][0]["volume_ml"] == 1.25  # 50 U at 4 U/0.1 mL
    assert second["follow_up"]["due_on"] == (TODAY + dt.timedelta(days=14)).isoformat()
    windows = ok(nurse.get(f"{API}/patients/{pid}/dose-windows"))
    assert [(w["product"], w["units"], w["maximum"]) for w in windows] == [("onabotulinumtoxina", 450, 400)]

    # Co-signature: the director, once; the queue empties for this treatment.
    queue = ok(director.get(f"{API}/cosign-queue", params={"limit": 200}))
    assert {tid, first["id"]} <= {row["treatment_id"] for row in queue["items"]}
    assert_error(nurse.post(f"{API}/treatments/{tid}/cosign", json={"password": PASSWORD}), 403, "forbidden", "role")
    signature = ok(director.post(f"{API}/treatments/{tid}/cosign", json={"password": PASSWORD}), 201)
    assert signature["user_id"] == world.clinic.user_ids["medical_director"]
    assert_error(
        director.post(f"{API}/treatments/{tid}/cosign", json={"password": PASSWORD}), 409, "conflict", "treatment_id"
    )
    queue = ok(director.get(f"{API}/cosign-queue", params={"limit": 200}))
    assert tid not in {row["treatment_id"] for row in queue["items"]}

    # An addendum corrects without changing the signed record.
    ok(nurse.post(f"{API}/treatments/{tid}/addenda", json={"text": "Left SCM dose given at two points."}), 201)
    assert_error(nurse.post(f"{API}/treatments/{tid}/addenda", json={"text": "ok"}), 422, "invalid_input", "text")
    stored = ok(nurse.get(f"{API}/treatments/{tid}"))
    assert stored["total_units"] == 150 and stored["cosignature"]["user_name"]
    assert [a["text"] for a in stored["addenda"]] == ["Left SCM dose given at two points."]
    assert stored["findings"] == second["findings"]

    # Follow-up review, then an adverse event.
    fid = second["follow_up"]["id"]
    open_ids = {f["id"] for f in ok(nurse.get(f"{API}/follow-ups", params={"open": "true", "limit": 200}))["items"]}
    assert fid in open_ids
    review = {"reviewed_on": TODAY.isoformat(), "fws_max": 1, "satisfaction": 4, "effect_wore_off_on": None}
    assert ok(nurse.post(f"{API}/follow-ups/{fid}", json=review))["fws_max"] == 1
    open_ids = {f["id"] for f in ok(nurse.get(f"{API}/follow-ups", params={"open": "true", "limit": 200}))["items"]}
    assert fid not in open_ids
    reviewed = ok(nurse.get(f"{API}/patients/{pid}/follow-ups"))
    assert [(f["id"], f["reviewed_on"]) for f in reviewed if f["treatment_id"] == tid] == [(fid, TODAY.isoformat())]
    event = {
        "treatment_id": tid,
        "type": "muscle_weakness",
        "onset_on": TODAY.isoformat(),
        "severity": "mild",
        "serious": False,
        "outcome": "recovering",
        "sites": ["sternocleidomastoid_left"],
    }
    assert ok(nurse.post(f"{API}/adverse-events", json=event), 201)["lot_id"] == lot["id"]
    wrong_site = event | {"sites": ["procerus"]}
    assert_error(nurse.post(f"{API}/adverse-events", json=wrong_site), 422, "invalid_input", "sites")
    events = ok(nurse.get(f"{API}/patients/{pid}/adverse-events"))
    assert [(e["type"], e["sites"]) for e in events] == [("muscle_weakness", ["sternocleidomastoid_left"])]
    summary = {s["indication"]: s for s in ok(nurse.get(f"{API}/patients/{pid}/history-summary"))}
    assert summary["cervical_dystonia"]["treatments"] == 2
    assert summary["cervical_dystonia"]["adverse_events"] == ["muscle_weakness"]

    # The timeline, most recent first, and the recall of the lot.
    timeline = ok(nurse.get(f"{API}/patients/{pid}/treatments"))
    assert [t["treatment_id"] for t in timeline] == [tid, first["id"]]
    latest = timeline[0]
    assert (latest["total_units"], latest["lot_number"], latest["indications"]) == (
        150,
        lot["lot_number"],
        ["cervical_dystonia"],
    )
    assert latest["cosigned"] and not timeline[1]["cosigned"]
    assert latest["findings"]["critical"] == 1 and latest["overridden"] == 1
    assert latest["injector"].startswith("Injector ")
    recall = ok(nurse.get(f"{API}/recall/{lot['lot_number']}"))
    assert [(r["treatment_id"], r["patient_id"]) for r in recall] == [(first["id"], pid), (tid, pid)]

    # Every read of this patient's records is in the audit log, next to the writes.
    trail = audited(world, pid)
    reads = {entity for action, entity in trail if action == "read"}
    assert reads >= {
        "patient",
        "treatment",
        "treatment_timeline",
        "dose_window",
        "history_summary",
        "adverse_event_list",
        "follow_up_list",
    }
    assert {("sign", "treatment"), ("cosign", "treatment"), ("amend", "treatment"), ("create", "consent")} <= trail


def test_list_reads_are_audited_too(world: World) -> None:
    director = world.clinic["medical_director"]
    before = _clinic_reads(world)
    ok(world.clinic["front_desk"].get(f"{API}/patients", params={"q": "nobody"}))
    ok(director.get(f"{API}/cosign-queue"))
    ok(director.get(f"{API}/follow-ups"))
    ok(director.get(f"{API}/recall/NO-SUCH-LOT"))
    after = _clinic_reads(world)
    for entity in ("patient_list", "cosign_queue", "follow_up_list", "lot_recall"):
        assert after.get(entity, 0) > before.get(entity, 0), entity


def _clinic_reads(world: World) -> dict[str, int]:
    from sqlalchemy import func, select  # noqa: PLC0415 - a test's own count, not application SQL

    from toxplan.db.models import AuditEvent  # noqa: PLC0415

    with unit_of_work(world.app.state.sessions) as session:
        rows = session.execute(
            select(AuditEvent.entity, func.count())
            .where(AuditEvent.clinic_id == world.clinic.clinic_id, AuditEvent.action == "read")
            .group_by(AuditEvent.entity)
        )
        return {entity: int(n) for entity, n in rows}


def test_patient_search_pages_through_matches(world: World) -> None:
    desk = world.clinic["front_desk"]
    family = f"Page{uuid.uuid4().hex[:8]}"
    made = [new_patient(desk, family_name=family, given_name=name)["id"] for name in ("Cy", "Al", "Bo")]
    first: dict[str, Any] = ok(desk.get(f"{API}/patients", params={"q": family.lower(), "limit": 2}))
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [p["given_name"] for p in first["items"]] == ["Al", "Bo"]
    rest = ok(desk.get(f"{API}/patients", params={"q": family, "limit": 2, "offset": 2}))
    assert [p["id"] for p in rest["items"]] == [made[0]]
    assert ok(desk.get(f"{API}/patients", params={"q": "%"}))["total"] == 0  # no wildcard injection
