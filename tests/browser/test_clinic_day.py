"""The clinic day in Chromium: a returning patient's glabellar + forehead + crow's feet treatment
from the patient page to a signed record in at most 6 taps (a new plan in at most 10), counted;
Sign reachable without scrolling at every tablet size; no page wider than a 390 px phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_chart import expect, sign_in
from tests.web import seed as seeding

pytestmark = pytest.mark.slow
THREE_AREAS = [
    *(
        {"indication": "glabellar_lines", "site": s, "units": 4}
        for s in (
            "procerus",
            "corrugator_medial_left",
            "corrugator_medial_right",
            "corrugator_lateral_left",
            "corrugator_lateral_right",
        )
    ),
    *(
        {"indication": "forehead_lines", "site": s, "units": 4}
        for s in (
            "frontalis_lower_midline",
            "frontalis_lower_lateral_left",
            "frontalis_lower_lateral_right",
            "frontalis_upper_left",
            "frontalis_upper_right",
        )
    ),
    *(
        {"indication": "lateral_canthal_lines", "site": f"orbicularis_oculi_lateral_{n}_{side}", "units": 4}
        for side in ("left", "right")
        for n in ("upper", "middle", "lower")
    ),
]
TABLETS = [(1024, 768), (768, 1024), (1180, 820), (820, 1180), (1366, 1024)]


class Taps:
    """Every tap the test makes goes through here, so the count is the user's."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, locator: Any) -> None:
        locator.tap()
        self.count += 1


@pytest.fixture
def returning(live_server: LiveServer) -> str:
    """The seeded patient, treated 80 days ago for the three upper-face areas (64 U)."""
    now = dt.datetime.now(dt.UTC)
    seeding.record(
        live_server.factory,
        live_server.kb,
        live_server.seeded,
        now=now,
        visit_at=now - dt.timedelta(days=80),
        injections=list(THREE_AREAS),
    )
    return live_server.seeded.patient_id


@pytest.fixture
def tablet(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    contexts: list[Any] = []
    errors: list[str] = []

    def make(width: int = 1024, height: int = 768, role: str = "injector") -> Any:
        context = chromium.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url, has_touch=True, is_mobile=width < 500
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(10_000)
        sign_in(page, role)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def sign(page: Any, tap: Taps) -> None:
    expect(page.locator("#check-state")).to_have_text("up to date")
    expect(page.locator("#sign-button")).to_be_enabled()
    tap(page.locator("#sign-button"))
    expect(page.locator("#sign-password")).to_be_focused()
    page.keyboard.type(seeding.PASSWORD)  # typing, not a tap
    tap(page.locator("#sign-confirm"))
    expect(page.locator("p.notice")).to_have_text("Treatment signed and recorded.")


def test_returning_patient_three_areas_signed_in_six_taps(
    tablet: Any, returning: str, live_server: LiveServer, screenshots: Path
) -> None:
    page = tablet()
    page.goto(f"/patients/{returning}")
    tap = Taps()
    tap(page.locator("#repeat-last"))
    expect(page.locator("#stage svg.active g.pt")).to_have_count(16)
    expect(page.locator("#vial option:checked")).to_contain_text(live_server.seeded.lot_number)  # the open vial
    expect(page.locator("#total-units dd")).to_have_text(re.compile(r"^64\s*U"))
    page.screenshot(path=str(screenshots / "tap-count-repeat-before-sign.png"))
    sign(page, tap)
    assert tap.count <= 6, tap.count
    expect(page.locator("#injections tbody tr")).to_have_count(16)
    page.screenshot(path=str(screenshots / "tap-count-repeat-signed.png"), full_page=True)


def test_a_new_three_area_plan_is_signed_in_ten_taps(tablet: Any, returning: str, screenshots: Path) -> None:
    page = tablet()
    page.goto(f"/patients/{returning}")
    tap = Taps()
    tap(page.get_by_role("link", name="Plan treatment"))
    for area in ("glabellar_lines", "forehead_lines", "lateral_canthal_lines"):
        tap(page.locator(f"#area-chips [data-area={area}]"))
    expect(page.locator("#total-units dd")).to_have_text(re.compile(r"^64\s*U"))
    sign(page, tap)
    assert tap.count <= 10, tap.count
    page.screenshot(path=str(screenshots / "tap-count-new-plan-signed.png"), full_page=True)


@pytest.mark.parametrize(("width", "height"), TABLETS, ids=[f"{w}x{h}" for w, h in TABLETS])
def test_sign_is_reachable_without_scrolling_at_every_tablet_size(
    tablet: Any, returning: str, screenshots: Path, width: int, height: int
) -> None:
    page = tablet(width, height)
    page.goto(f"/patients/{returning}/plan?start=repeat")
    expect(page.locator("#check-state")).to_have_text("up to date")
    box = page.locator("#sign-button").bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (width, height, box)
    page.locator("#stage svg.active g.pt").first.tap()
    editor = page.locator("#sel-units").bounding_box()
    assert editor and editor["y"] >= 0 and editor["y"] + editor["height"] <= height, (width, height, editor)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshots / f"chart-tablet-{width}x{height}.png"))


PHONE_PAGES = [
    ("injector", "/patients"),
    ("injector", "/patients/{patient}"),
    ("injector", "/patients/{patient}/plan"),
    ("injector", "/patients/{patient}/consent?areas=glabellar_lines"),
    ("injector", "/treatments/{treatment}"),
    ("injector", "/stock"),
    ("injector", "/lots"),
    ("injector", "/lots/recall?lot_number={lot}"),
    ("injector", "/follow-ups"),
    ("injector", "/queries"),
    ("medical_director", "/cosign"),
    ("front_desk", "/patients/{patient}/details"),
    ("admin", "/clinic/settings"),
]


def test_no_page_scrolls_sideways_on_a_phone(
    tablet: Any, returning: str, live_server: LiveServer, screenshots: Path
) -> None:
    with live_server.factory() as session:
        from toxplan.db.repositories import treatments as repo  # noqa: PLC0415

        treatment = repo.for_patient(session, returning)[0].id
    pages: dict[str, Any] = {}
    widths: dict[str, int] = {}
    for role, template in PHONE_PAGES:
        page = pages.get(role) or pages.setdefault(role, tablet(390, 844, role))
        url = template.format(patient=returning, treatment=treatment, lot=live_server.seeded.lot_number)
        response = page.goto(url)
        assert response and response.status == 200, url
        name = re.sub(r"[^a-z0-9]+", "-", template.split("?")[0].replace("{", "").replace("}", "")).strip("-")
        page.screenshot(path=str(screenshots / f"phone-{role}-{name or 'home'}.png"), full_page=True)
        widths[url] = page.evaluate("document.documentElement.scrollWidth")
    assert {url: w for url, w in widths.items() if w > 390} == {}
