"""The planning chart offers an indication, region, sites and a ready-to-use product that were
added to the knowledge base as data only (``tests/fixtures/zero_code``), with no code change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import KNOWLEDGE
from tests.fixtures.knowledge import ZERO_CODE, overlay
from tests.web import seed as seeding
from tests.web.conftest import Browser
from tests.web.test_chart_page import chart_data
from toxplan.app import create_app
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load
from toxplan.settings import Settings

TEMPLE = [{"indication": "temple_lines", "site": f"temple_point_{side}", "units": 4} for side in ("left", "right")]


@pytest.fixture(scope="module")
def zero_code_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load(overlay(KNOWLEDGE, ZERO_CODE, tmp_path_factory.mktemp("zero_code_web") / "knowledge"))


@pytest.fixture
def browser(
    database: str, tmp_path: Path, factory: sessionmaker[Session], zero_code_kb: KnowledgeBase, now: dt.datetime
) -> Iterator[tuple[Browser, seeding.Seeded]]:
    seeded = seeding.seed(factory, zero_code_kb, now=now)
    app: FastAPI = create_app(Settings(database_url=database, data_dir=tmp_path), kb=zero_code_kb)
    with TestClient(app, headers={"Accept": "text/html,application/xhtml+xml"}) as client:
        browser = Browser(client)
        browser.sign_in("injector")
        yield browser, seeded
    app.state.engine.dispose()


def test_the_chart_page_offers_the_new_area_and_the_solution(browser: tuple[Browser, seeding.Seeded]) -> None:
    client, seeded = browser
    page = client.get(f"/patients/{seeded.patient_id}/plan")
    assert page.status_code == 200
    data = chart_data(page.text)
    exampla = next(p for p in data["products"] if p["id"] == "examplabotulinumtoxina")
    assert exampla["ready_to_use"] is True and exampla["dilutions"] == []
    assert exampla["areas"] == [
        {
            "id": "temple_lines",
            "name": "Temple lines",
            "category": "aesthetic",
            "chart": True,
            "on_label": True,
            "variants": ["standard"],
            "default_variant": "standard",
        }
    ]
    botox = next(p for p in data["products"] if p["id"] == "onabotulinumtoxina")
    assert botox["ready_to_use"] is False


def test_the_chart_scripts_get_the_sites_plan_and_check(browser: tuple[Browser, seeding.Seeded]) -> None:
    """What chart.js fetches for the new area, through the same signed-in client."""
    client, _ = browser
    api = {"Accept": "application/json", "X-CSRF-Token": client.csrf}
    sites = client.client.get("/api/v1/kb/sites?indication=temple_lines", headers=api).json()
    assert {s["id"] for s in sites} == {"temple_point_left", "temple_point_right"}
    assert all(s["position"]["view"] == "front" for s in sites)
    plan = client.client.post(
        "/api/v1/plan", json={"product": "EXAMPLA", "indications": ["temple_lines"]}, headers=api
    ).json()
    assert plan["dilution"]["ready_to_use"] is True and plan["dilution"]["diluent_ml"] is None
    body = {"treatment": {"product": "examplabotulinumtoxina", "vial_units": 50, "injections": TEMPLE}}
    checked = client.client.post("/api/v1/check", json=body, headers=api)
    assert checked.status_code == 200, checked.text
    codes = {f["code"] for f in checked.json()["findings"]}
    assert not codes & {"UNRECOGNISED_INPUT", "DILUTION_UNUSUAL", "OFF_LABEL_USE"}
    assert checked.json()["totals"]["volume_ml"] == 0.08
