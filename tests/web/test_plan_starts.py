"""Starting a plan in one tap: the clinic's usual product and its open vial, the patient's last
treatment to repeat, clinic-saved templates."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from tests.web.test_chart_page import chart_data
from toxplan.db.engine import unit_of_work
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import consents


def test_the_plan_starts_from_the_usual_product_and_offers_to_repeat_the_last_treatment(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session], kb: KnowledgeBase, now: dt.datetime
) -> None:
    moved = {
        "indication": "glabellar_lines",
        "site": "procerus",
        "units": 6,
        "position": {"x_mm": 0, "y_mm": 21, "view": "front"},
    }
    seeding.record(
        factory,
        kb,
        seeded,
        now=now,
        visit_at=now - dt.timedelta(days=20),
        injections=[moved, {"indication": "glabellar_lines", "site": "corrugator_medial_left", "units": 4}],
    )
    injector = login("injector")
    patient = injector.get(f"/patients/{seeded.patient_id}")
    assert f'href="/patients/{seeded.patient_id}/plan?start=repeat"' in patient.text
    data = chart_data(injector.get(f"/patients/{seeded.patient_id}/plan").text)
    assert data["defaults"] == {"product": "onabotulinumtoxina"}  # the clinic's most used product
    repeat = data["starts"]["repeat"]
    assert repeat["product"] == "onabotulinumtoxina" and repeat["name"].startswith("Repeat ")
    procerus, corrugator = repeat["injections"]
    assert procerus["moved"] and procerus["position"] == {"x_mm": 0.0, "y_mm": 21.0, "view": "front"}
    assert not corrugator["moved"] and corrugator["position"]["view"] == "front"  # the site's own spot

    with unit_of_work(factory) as session:
        consents.update_settings(
            session,
            seeded.actors["admin"],
            {
                "consent_aesthetic": True,
                "consent_therapeutic": False,
                "consent_valid_months": 12,
                "usual_product": "Xeomin",
            },
            kb=kb,
        )
    assert chart_data(injector.get(f"/patients/{seeded.patient_id}/plan").text)["defaults"] == {
        "product": "incobotulinumtoxina"
    }


def test_a_plan_saved_as_a_template_is_offered_to_the_clinic(login: Login, seeded: seeding.Seeded) -> None:
    injector = login("injector")
    injector.get(f"/patients/{seeded.patient_id}/plan")
    plan = {"injections": [{"indication": "glabellar_lines", "site": "procerus", "units": 4}]}
    saved = injector.post(
        f"/patients/{seeded.patient_id}/plan-templates",
        {"name": "Procerus only", "product": "onabotulinumtoxina", "plan": json.dumps(plan)},
    )
    assert saved.status_code == 200 and "Template saved for the clinic." in saved.text
    again = injector.post(
        f"/patients/{seeded.patient_id}/plan-templates",
        {"name": "Procerus only", "product": "onabotulinumtoxina", "plan": json.dumps(plan)},
    )
    assert again.status_code == 409 and "exists already" in again.text
    director = login("medical_director")
    (template,) = chart_data(director.get(f"/patients/{seeded.patient_id}/plan").text)["starts"]["templates"]
    assert template["name"] == "Procerus only" and template["injections"][0]["site"] == "procerus"
