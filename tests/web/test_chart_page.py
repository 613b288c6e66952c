"""The planning chart page carries the SVG and the data its JavaScript needs; signing a plan
posted from it records the treatment through the service."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Browser, Login
from toxplan.db.repositories import treatments as repo
from toxplan.knowledge.base import KnowledgeBase

GLABELLAR = [
    ("corrugator_medial_left", 4),
    ("corrugator_lateral_left", 4),
    ("procerus", 4),
    ("corrugator_medial_right", 4),
    ("corrugator_lateral_right", 4),
]
IN_CENTRAL_BROW_BAND = {"x_mm": 31.0, "y_mm": 22.0, "view": "front"}
"""Less than 1 cm above the central eyebrow: a critical danger zone for glabellar lines."""


def chart_data(page_text: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page_text, re.S)
    assert found, "the chart data is missing"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def plan(seeded: seeding.Seeded, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "lot_id": seeded.lot_id,
        "reconstitution_id": seeded.reconstitution_id,
        "injections": [{"indication": "glabellar_lines", "site": s, "units": u} for s, u in GLABELLAR],
        "overrides": [],
        "note": None,
    }
    body.update(changes)
    return body


def sign(browser: Browser, seeded: seeding.Seeded, body: dict[str, Any], **kw: Any) -> Any:
    """Sign the plan, giving the password again as the sign dialog asks."""
    fields = {"plan": json.dumps(body), "password": seeding.PASSWORD}
    return browser.post(f"/patients/{seeded.patient_id}/treatments", fields, **kw)


def test_chart_page_has_every_view_and_the_scripts(login: Login, seeded: seeding.Seeded) -> None:
    page = login("injector").get(f"/patients/{seeded.patient_id}/plan")
    assert page.status_code == 200
    for view in ("front", "left", "right", "back"):
        assert f'<svg class="chart-view" id="view-{view}" data-view="{view}"' in page.text
    for script in ("chart_svg.js", "chart_panel.js", "chart_plan.js", "chart.js"):
        assert f'<script src="/static/{script}"></script>' in page.text
    assert re.search(r'<meta name="csrf-token" content="[^"]{20,}">', page.text)
    assert f'action="/patients/{seeded.patient_id}/treatments"' in page.text
    assert 'id="sign-button" disabled' in page.text  # nothing planned yet


def test_chart_data_carries_what_the_check_needs(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    seeding.record(factory, kb, seeded, now=now, visit_at=now - dt.timedelta(days=20))
    data = chart_data(login("medical_director").get(f"/patients/{seeded.patient_id}/plan").text)
    assert data["patient_id"] == seeded.patient_id
    assert data["today"] == now.date().isoformat()
    patient = data["context"]["patient"]
    assert patient["birth_date"] == "1986-03-14" and patient["pregnant"] is False
    assert patient["medications"] == ["levothyroxine"] and patient["weight_kg"] == "62.00"
    history = data["context"]["history"]
    assert [(h["product"], h["indication"], h["units"]) for h in history] == [
        ("onabotulinumtoxina", "glabellar_lines", "16.000")
    ]
    lots = {lot["lot_number"]: lot for lot in data["lots"]}
    assert seeded.expired_lot_number not in lots  # expired lots cannot be chosen
    good = lots[seeded.lot_number]
    assert good["product"] == "onabotulinumtoxina" and good["vial_units"] == 100
    assert good["unopened"] == 8  # ten received; one made up today, one for the visit 20 days ago
    (vial,) = data["vials"]  # the one open vial, with what is left in it and its use-by time
    assert vial["id"] == seeded.reconstitution_id and vial["lot"] == good["id"]
    assert vial["units_left"] == 100 and vial["use_by_known"] is True  # the old visit's vial is long past use
    assert dt.datetime.fromisoformat(vial["use_by"]) == dt.datetime.fromisoformat(
        vial["reconstituted_at"]
    ) + dt.timedelta(hours=24)
    botox = next(p for p in data["products"] if p["id"] == "onabotulinumtoxina")
    areas = {a["id"]: a for a in botox["areas"]}
    assert areas["glabellar_lines"]["chart"] and areas["glabellar_lines"]["on_label"]
    assert areas["platysma_bands"]["variants"] == ["1+1", "1+2", "2+1", "2+2"]
    assert not areas["chronic_migraine"]["chart"]  # therapeutic: offered in the list
    assert {"vial_units": 100, "diluent_ml": 2.5} in botox["dilutions"]
    assert data["urls"] == {
        "plan": "/api/v1/plan",
        "check": "/api/v1/check",
        "zones": "/api/v1/kb/danger-zones",
        "landmarks": "/api/v1/kb/landmarks",
        "sites": "/api/v1/kb/sites",
        "advice": f"/api/v1/patients/{seeded.patient_id}/advice",
    }
    assert data["never_overridden"] == ["RECONSTITUTED_VIAL_EXPIRED"]
    assert [z["id"] for z in data["zooms"]["front"]][:2] == ["whole", "upper"]


def test_only_prescribers_open_the_chart(login: Login, seeded: seeding.Seeded) -> None:
    for role in ("admin", "front_desk"):
        assert login(role).get(f"/patients/{seeded.patient_id}/plan").status_code == 403


def test_signing_records_the_treatment_and_shows_it(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session]
) -> None:
    injector = login("injector")
    injector.get(f"/patients/{seeded.patient_id}/plan")
    free = {"indication": "glabellar_lines", "position": {"x_mm": 8, "y_mm": 40, "view": "front"}, "units": 2}
    body = plan(seeded, injections=[*plan(seeded)["injections"], free], note="first visit")
    page = sign(injector, seeded, body)
    assert page.status_code == 200
    assert re.search(r"/treatments/[0-9a-f-]{36}$", page.url.path)
    assert "Treatment signed and recorded." in page.text
    assert f'data-clear-draft="{seeded.patient_id}"' in page.text
    assert "22 U BOTOX" in page.text and "free point" in page.text and "first visit" in page.text
    with factory() as session:
        (treatment,) = repo.for_patient(session, seeded.patient_id)
        injections = repo.injections(session, treatment.id)
    assert treatment.reconstitution_id == seeded.reconstitution_id
    assert [(i.site, i.units) for i in injections][:2] == [
        ("corrugator_medial_left", 4),
        ("corrugator_lateral_left", 4),
    ]
    assert (injections[-1].site, float(injections[-1].x_mm or 0), injections[-1].view) == (None, 8.0, "front")


def test_a_critical_finding_needs_an_override_reason(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session]
) -> None:
    injector = login("injector")
    injector.get(f"/patients/{seeded.patient_id}/plan")
    risky = {"indication": "glabellar_lines", "position": IN_CENTRAL_BROW_BAND, "units": 4}
    body = plan(seeded, injections=[risky])
    refused = sign(injector, seeded, body)
    assert refused.status_code == 409
    assert "Not signed." in refused.text and "DANGER_ZONE" in refused.text and "need an override reason" in refused.text
    assert 'id="chart-data"' in refused.text  # the chart again, to fix the plan
    with factory() as session:
        assert repo.for_patient(session, seeded.patient_id) == []
    reason = "Asymmetric brow; patient consented to the ptosis risk."
    body["overrides"] = [
        {"code": "DANGER_ZONE", "subject_id": "position", "category": "patient_informed", "reason": reason}
    ]
    page = sign(injector, seeded, body)
    assert page.status_code == 200 and "Treatment signed" in page.text
    assert "DANGER_ZONE" in page.text and f"<strong>Override reason:</strong> {reason}" in page.text


def test_a_plan_that_is_not_json_is_refused(login: Login, seeded: seeding.Seeded) -> None:
    injector = login("injector")
    injector.get(f"/patients/{seeded.patient_id}/plan")
    page = injector.post(f"/patients/{seeded.patient_id}/treatments", {"plan": "{not json"})
    assert page.status_code == 422 and "not valid JSON" in page.text
    assert sign(injector, seeded, plan(seeded, injections=[])).status_code == 422


def test_only_prescribers_sign(login: Login, seeded: seeding.Seeded) -> None:
    admin = login("admin")
    assert sign(admin, seeded, plan(seeded)).status_code == 403
