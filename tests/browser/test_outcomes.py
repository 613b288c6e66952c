"""Titration advice on the planning chart and the clinic safety report, in Chromium: the
suggestion appears for a chosen area and "Apply suggestion" puts it on the chart; the report
shows its flag and charts at 1024x768, and fits a 390 px phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, LiveServer
from tests.browser.test_chart import expect, points, sign_in, total_units
from tests.web.seed_outcomes import seed_outcomes

pytestmark = pytest.mark.slow

LOADED = """() => [...document.querySelectorAll("img.chart")].every((i) => i.complete && i.naturalWidth > 300)"""
OVERFLOW = (
    """() => Math.max(0, ...[...document.querySelectorAll("main *")].map((e) => e.getBoundingClientRect().right))"""
)


@pytest.fixture
def new_page(chromium: Any, live_server: LiveServer) -> Iterator[Callable[[], Any]]:
    """A new 1024x768 page per call; JavaScript errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make() -> Any:
        context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


@pytest.fixture
def outcomes(live_server: LiveServer) -> LiveServer:
    seed_outcomes(live_server.factory, live_server.kb, live_server.seeded, now=dt.datetime.now(dt.UTC))
    return live_server


def test_apply_suggestion_fills_the_chart(new_page: Callable[[], Any], outcomes: LiveServer, screenshots: Path) -> None:
    page = new_page()
    sign_in(page)
    page.goto(f"/patients/{outcomes.seeded.patient_id}/plan")
    expect(page.locator("#advice-box .advice-hint")).to_be_visible()
    page.locator("[data-area=chin]").click()
    expect(points(page)).to_have_count(2)
    expect(total_units(page)).to_have_text(re.compile(r"^4\s*U"))  # the label-standard pattern first
    advice = page.locator("#advice-box .advice[data-area=chin]")
    expect(advice.locator(".advice-total")).to_contain_text("Suggested 6 U in 2 points")
    expect(advice.locator("li[data-rule=residual_lines_at_review]")).to_contain_text("Mentalis points +1 U each")
    expect(advice.locator("summary")).to_have_text("2 past courses in this area")
    advice.locator("button.apply-suggestion").click()
    expect(total_units(page)).to_have_text(re.compile(r"^6\s*U"))
    expect(points(page)).to_have_count(2)
    expect(page.locator("#points-body tr")).to_have_count(2)
    for row in range(2):
        expect(page.locator("#points-body tr").nth(row).locator("td").nth(2)).to_have_text("3")
    expect(page.locator("#check-state")).to_have_text("up to date")
    expect(page.locator("#sign-button")).to_be_enabled()
    page.screenshot(path=str(screenshots / "chart-advice-applied.png"))

    # another product: its own advice, never the BOTOX units converted
    page.on("dialog", lambda dialog: dialog.accept())
    page.select_option("#product", "abobotulinumtoxina")
    page.locator("[data-area=glabellar_lines]").click()
    dysport = page.locator("#advice-box .advice[data-area=glabellar_lines]")
    expect(dysport.locator(".advice-total")).to_contain_text("Suggested 50 U in 5 points")
    expect(dysport.locator("li[data-rule=thin_history]")).to_be_visible()


def test_the_safety_report_shows_the_flag_and_its_charts(
    new_page: Callable[[], Any], outcomes: LiveServer, screenshots: Path
) -> None:
    page = new_page()
    sign_in(page, "medical_director")
    page.get_by_role("link", name="Safety").click()
    expect(page.locator("h1")).to_have_text("Clinic safety report")
    flags = page.locator("#flags ul.flags li")
    expect(flags.first).to_contain_text("Eyelid ptosis after glabellar lines with BOTOX: 33.3 %")
    # Matplotlib draws each chart on request: on a busy machine that can take a few seconds.
    page.wait_for_function(LOADED, timeout=60_000)
    for chart in page.locator("img.chart").all():
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
    expect(page.locator("#rates-area tr.flagged")).to_have_count(1)
    page.locator("#flags").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "safety-report.png"))
    page.screenshot(path=str(screenshots / "safety-report-full.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#flags ul.flags li")).to_have_count(flags.count())
    page.wait_for_function(LOADED, timeout=60_000)
    assert page.evaluate(OVERFLOW) <= 390
    page.locator("#rates-area").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "safety-report-phone.png"))


def test_an_injector_gets_no_report(new_page: Callable[[], Any], outcomes: LiveServer) -> None:
    page = new_page()
    sign_in(page)
    expect(page.get_by_role("link", name="Safety")).to_have_count(0)
    response = page.goto("/reports/safety")
    assert response is not None and response.status == 403
