"""Charting polish in Chromium: the patient's left and right on every view, danger zones in
their true shapes beside (never over) the face, crow's-feet points seen on the side profile,
points reached and moved by keyboard, and the face diagram on the signed record and timeline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_chart import expect, page_for, points, sign_in, sign_with_password

pytestmark = pytest.mark.slow
__all__ = ["page_for"]  # the fixture, shared with test_chart


def test_sides_zones_profile_keyboard_and_the_signed_diagram(
    page_for: Any, live_server: LiveServer, screenshots: Path
) -> None:
    page = page_for()
    sign_in(page)
    page.goto(f"/patients/{live_server.seeded.patient_id}/plan")
    expect(page.locator("#mark-left")).to_have_text("Patient's right (R)")
    expect(page.locator("#mark-right")).to_have_text("Patient's left (L)")
    for area in ("glabellar_lines", "lateral_canthal_lines"):
        page.locator(f"[data-area={area}]").click()
    expect(points(page)).to_have_count(11)
    zone = page.locator("#view-front g.zone[data-zone=glabellar_central_brow_1cm] path.zone-shape")
    expect(zone).to_have_count(1)
    assert len(zone.get_attribute("d") or "") > 200  # traced from the zone test, not a fixed shape
    stage, legend = page.locator("#stage").bounding_box(), page.locator("#zone-legend").bounding_box()
    assert stage and legend and legend["y"] >= stage["y"] + stage["height"] - 1  # below the face, never over it
    page.screenshot(path=str(screenshots / "chart-zones-true-shapes.png"))

    # keyboard: Tab reaches a point, Enter selects it, arrows move it; focus stays on it
    first = page.locator("g.pt[data-index='0']")
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sel-count")).to_contain_text("Point 1:")
    page.keyboard.press("Shift+ArrowUp")
    expect(page.locator("#points-body tr").first).to_contain_text("moved")
    assert page.evaluate("document.activeElement.dataset.key") == first.get_attribute("data-key")
    page.keyboard.press("Escape")

    page.locator("#views [data-view=left]").click()
    expect(page.locator("#mark-left")).to_have_text("Front · patient's left side")
    expect(page.locator("#view-left g.ghost")).to_have_count(3)  # the left crow's feet, seen from the side
    page.screenshot(path=str(screenshots / "chart-left-profile-crows-feet.png"))
    page.locator("#views [data-view=front]").click()

    sign_with_password(page)
    diagram = page.locator("#face-diagram svg.diagram[data-view=front]")
    expect(diagram.locator("g.dot")).to_have_count(11)
    expect(diagram.locator("text.side-label")).to_have_text(["R", "L"])
    page.screenshot(path=str(screenshots / "treatment-face-diagram.png"), full_page=True)
    page.locator(".crumbs a").first.click()
    expect(page.locator("#timeline .timeline-item svg.diagram.small")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/patients/[0-9a-f-]+$"))
    page.screenshot(path=str(screenshots / "patient-timeline-diagrams.png"), full_page=True)
