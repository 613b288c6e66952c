"""Wall time of the clinic day's commonest flow in Chromium: a returning patient's glabellar +
forehead + crow's feet treatment from the patient page to the signed record ("Repeat last
treatment", Sign, password, confirm), and the same three areas planned anew. Each run uses a
fresh returning patient (treated 80 days ago, consent on file) on a server on loopback.
Prints figures, asserts nothing (the tap counts are asserted by tests/browser/test_clinic_day.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402
from tests.browser.test_clinic_day import THREE_AREAS  # noqa: E402
from tests.conftest import consent_data  # noqa: E402
from tests.web import seed as seeding  # noqa: E402

from toxplan.app import create_app  # noqa: E402
from toxplan.db.engine import unit_of_work  # noqa: E402
from toxplan.knowledge.loader import load  # noqa: E402
from toxplan.services import consents, patients  # noqa: E402
from toxplan.settings import Settings  # noqa: E402


def returning_patient(factory: Any, kb: Any, seeded: seeding.Seeded, n: int) -> str:
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(factory) as session:
        actor = seeded.actors["injector"]
        patient = patients.create_patient(
            session,
            actor,
            {"given_name": f"Bench{n}", "family_name": "Returning", "birth_date": "1980-01-01", "sex": "female"},
            today=now.date(),
        )
        data = consent_data(kb, signed_at=now - dt.timedelta(days=90))
        consents.sign_consent(session, actor, patient.id, data, kb=kb, now=now)
        patient_id = patient.id
    seeding.record(
        factory,
        kb,
        seeded,
        now=now,
        visit_at=now - dt.timedelta(days=80),
        injections=list(THREE_AREAS),
        patient_id=patient_id,
    )
    return patient_id


def sign(page: Any) -> None:
    page.wait_for_function("document.getElementById('check-state').textContent === 'up to date'")
    page.wait_for_function("!document.getElementById('sign-button').disabled")
    page.locator("#sign-button").tap()
    page.keyboard.type(seeding.PASSWORD)
    page.locator("#sign-confirm").tap()
    page.wait_for_selector("p.notice")


def repeat_flow(page: Any, patient_id: str) -> float:
    page.goto(f"/patients/{patient_id}")
    start = time.perf_counter()
    page.locator("#repeat-last").tap()
    sign(page)
    return time.perf_counter() - start


def new_plan_flow(page: Any, patient_id: str) -> float:
    page.goto(f"/patients/{patient_id}")
    start = time.perf_counter()
    page.get_by_role("link", name="Plan treatment").tap()
    for area in ("glabellar_lines", "forehead_lines", "lateral_canthal_lines"):
        page.locator(f"#area-chips [data-area={area}]").tap()
    page.wait_for_function("document.querySelectorAll('#stage svg.active g.pt').length === 16")
    sign(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    kb = load(ROOT / "knowledge")
    with tempfile.TemporaryDirectory() as tmp:
        url = seeding.migrated_database(Path(tmp) / "bench.db")
        factory = seeding.factory_for(url)
        seeded = seeding.seed(factory, kb, now=dt.datetime.now(dt.UTC))
        app = create_app(Settings(database_url=url, data_dir=Path(tmp)), kb=kb)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        times: dict[str, list[float]] = {"repeat (3 taps)": [], "new plan (6 taps)": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 1024, "height": 768}, has_touch=True, base_url=f"http://127.0.0.1:{port}"
            )
            page = context.new_page()
            page.goto("/sign-in")
            page.fill("input[name=email]", seeding.email("injector"))
            page.fill("input[name=password]", seeding.PASSWORD)
            page.locator("button[type=submit]").click()
            page.wait_for_url("**/patients")
            for n in range(args.runs):
                times["repeat (3 taps)"].append(repeat_flow(page, returning_patient(factory, kb, seeded, 2 * n)))
                times["new plan (6 taps)"].append(
                    new_plan_flow(page, returning_patient(factory, kb, seeded, 2 * n + 1))
                )
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
    print(f"patient page -> signed record, Chromium 1024x768 touch, {args.runs} runs each")
    for name, values in times.items():
        median, best, worst = statistics.median(values), min(values), max(values)
        print(f"  {name:<20} median {median:.2f} s  best {best:.2f} s  worst {worst:.2f} s")


if __name__ == "__main__":
    main()
