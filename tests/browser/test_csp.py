"""Every page works under the Content-Security-Policy (no inline script or style): Chromium
reports no CSP violation on any page, for any role, and the pages' own scripts still run."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, LiveServer
from tests.browser.test_chart import expect, points, sign_in
from tests.web import seed as seeding

pytestmark = pytest.mark.slow
WATCH = """() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " line " + e.lineNumber);
  });
}"""


@pytest.fixture
def watched(chromium: Any, live_server: LiveServer) -> Iterator[tuple[Any, list[str]]]:
    """A page whose console and CSP violation events are collected; errors fail the test."""
    context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.add_init_script(f"({WATCH})()")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page, problems
    context.close()


def violations(page: Any) -> list[str]:
    found: list[str] = page.evaluate("window.__csp || []")
    return found


def visit(page: Any, problems: list[str], path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status < 500, path
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    assert violations(page) == [], (path, violations(page))
    assert problems == [], (path, problems)


def test_every_page_runs_under_the_policy(watched: tuple[Any, list[str]], live_server: LiveServer) -> None:
    page, problems = watched
    now = dt.datetime.now(dt.UTC)
    treatment_id = seeding.record(live_server.factory, live_server.kb, live_server.seeded, now=now)
    patient_id = live_server.seeded.patient_id
    visit(page, problems, "/sign-in")
    sign_in(page, "medical_director")
    for path in (
        "/patients",
        f"/patients/{patient_id}",
        f"/patients/{patient_id}/screening",
        f"/treatments/{treatment_id}",
        "/cosign",
        "/lots",
        f"/lots/recall?lot_number={live_server.seeded.lot_number}",
        "/account",
        "/audit",
        "/patients/new",
        "/users",  # a 403 page for a medical director
    ):
        visit(page, problems, path)
    # The pages' scripts ran: local times were rewritten, the dose meter has its width.
    page.goto(f"/patients/{patient_id}")
    fill = page.locator("#dose-window .meter span").first
    assert fill.evaluate("e => e.getBoundingClientRect().width") > 0
    visit(page, problems, f"/patients/{patient_id}/plan")
    page.locator("[data-area=glabellar_lines]").click()
    expect(points(page)).to_have_count(5)
    assert violations(page) == [] and problems == []
    # The account page's QR code (inline SVG) and the error page's back link, as an admin.
    page.locator("form.signout button").click()
    sign_in(page, "admin")
    visit(page, problems, "/users")
    visit(page, problems, "/account")
    page.locator("#second-factor button.primary").click()
    expect(page.locator(".qr svg")).to_be_visible()
    assert violations(page) == [] and problems == []
    visit(page, problems, "/cosign")  # not for an admin: the error page
    expect(page.locator("h1")).to_have_text(re.compile("did not work"))
