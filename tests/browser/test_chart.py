"""The planning chart in Chromium at 1024x768: plan by area buttons and by clicking the chart,
edit units, drag, watch totals and findings follow, override a critical finding, sign, and
find the treatment on the timeline; then the same chart by touch, and the side and back views.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, LiveServer
from tests.web import seed as seeding

pytestmark = pytest.mark.slow
UPPER_LIMB = [
    ("biceps_brachii_left", 50),
    ("brachialis_left", 50),
    ("brachioradialis_left", 50),
    ("flexor_carpi_radialis_left", 50),
    ("flexor_carpi_ulnaris_left", 50),
    ("flexor_digitorum_profundus_left", 50),
    ("flexor_digitorum_superficialis_left", 50),
    ("pronator_teres_left", 30),
]
"""380 U of BOTOX: with today's plan the patient passes the label's 400 U in 3 months."""
TO_SCREEN = """([view, x, y]) => {
  const svg = document.getElementById("view-" + view);
  const p = svg.createSVGPoint();
  p.x = svg.dataset.mirror === "1" ? -x : x;
  p.y = -y;
  const s = p.matrixTransform(svg.getScreenCTM());
  return [s.x, s.y];
}"""


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect  # noqa: PLC0415 - imported once Chromium is known

    return playwright_expect(target)


@pytest.fixture
def page_for(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
    """A new 1024x768 page per call; JavaScript errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(**options: Any) -> Any:
        context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == []


def sign_in(page: Any, role: str = "injector") -> None:
    page.goto("/sign-in")
    page.fill("input[name=email]", seeding.email(role))
    page.fill("input[name=password]", seeding.PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/patients$"))


def on_chart(page: Any, view: str, x_mm: float, y_mm: float) -> tuple[float, float]:
    """Where a point of a view's frame (mm) is on the screen."""
    x, y = page.evaluate(TO_SCREEN, [view, x_mm, y_mm])
    return float(x), float(y)


def points(page: Any) -> Any:
    return page.locator("#stage svg.active g.pt")


def total_units(page: Any) -> Any:
    return page.locator("#total-units dd")


def register_patient(page: Any) -> str:
    page.get_by_role("link", name="New patient").click()
    page.fill("input[name=given_name]", "Maya")
    page.fill("input[name=family_name]", "Okafor")
    page.fill("input[name=birth_date]", "1984-07-09")
    page.select_option("select[name=sex]", "female")
    page.locator("button[type=submit].primary").click()
    expect(page.locator("h1")).to_have_text("Okafor, Maya")
    patient_id: str = page.url.rsplit("/", 1)[1]
    return patient_id


def plan_by_areas_and_clicks(page: Any) -> None:
    """Glabellar and forehead lines by their buttons, one point clicked on, units changed."""
    page.locator("[data-area=glabellar_lines]").click()
    expect(points(page)).to_have_count(5)
    page.locator("[data-area=forehead_lines]").click()
    expect(points(page)).to_have_count(10)
    expect(total_units(page)).to_have_text(re.compile(r"^40\s*U"))
    expect(page.locator("#zooms [aria-pressed=true]")).to_have_text("Upper face")  # fitted to the points
    expect(page.locator("#view-front g.zone[data-zone=glabellar_central_brow_1cm] path.zone-shape")).to_have_count(1)
    expect(page.locator("#zone-legend")).to_contain_text("Less than 1 cm above the central eyebrow")

    # a point of our own, by clicking the chart: it joins the highlighted area (forehead)
    page.mouse.click(*on_chart(page, "front", 0, 64))
    expect(points(page)).to_have_count(11)
    expect(page.locator("#sel-count")).to_have_text("Point 11: free point (forehead lines)")
    page.fill("#sel-units", "3")
    page.fill("#sel-needle", "30G 4 mm")
    expect(total_units(page)).to_have_text(re.compile(r"^43\s*U"))

    # several points at once: shift-click, then one units button
    page.locator("g.pt[data-index='0']").click()
    page.locator("g.pt[data-index='3']").click(modifiers=["Shift"])
    expect(page.locator("#sel-count")).to_have_text("2 points selected")
    page.locator("#unit-chips button[data-units='5']").click()
    expect(total_units(page)).to_have_text(re.compile(r"^45\s*U"))
    expect(page.locator("#total-ml dd")).to_have_text("1.125 mL")
    expect(page.locator("#total-marks dd")).to_have_text("112.5 marks")
    expect(page.locator("#total-vials dd")).to_contain_text("1")

    # drag the procerus point 5 mm up: it keeps its site and gains a position
    box = page.locator("g.pt[data-index='2'] circle.dot").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(*on_chart(page, "front", 0, 23), steps=8)
    page.mouse.up()
    expect(page.locator("#points-body tr").nth(2)).to_contain_text("Procerus moved")
    expect(page.locator("#check-state")).to_have_text("up to date")


def sign_with_password(page: Any, role: str = "injector") -> None:
    """Sign: the dialog names the signer and the meaning, and asks for the password again."""
    page.locator("#sign-button").click()
    dialog = page.locator("#sign-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("signature meaning: performed")
    expect(page.locator("#sign-password")).to_be_focused()
    page.keyboard.type(seeding.PASSWORD)
    page.locator("#sign-confirm").click()


def take_consent(page: Any, name: str) -> None:
    """Read the form, type the name, sign with the pointer on the canvas, submit."""
    expect(page.locator("#consent-text .boxed-warning").first).to_contain_text("Boxed warning")
    page.fill("#signed-by", name)
    expect(page.locator("#consent-submit")).to_be_disabled()  # not signed yet
    page.locator("#signature-pad").scroll_into_view_if_needed()
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 40 + step * 25, box["y"] + box["height"] / 2 + (15 if step % 2 else -15), steps=3)
    page.mouse.up()
    expect(page.locator("#consent-submit")).to_be_enabled()
    page.locator("#consent-submit").click()


def record_history(live_server: LiveServer, patient_id: str) -> None:
    now = dt.datetime.now(dt.UTC)
    seeding.record(
        live_server.factory,
        live_server.kb,
        live_server.seeded,
        now=now,
        visit_at=now - dt.timedelta(days=20),
        injections=[{"indication": "upper_limb_spasticity", "site": s, "units": u} for s, u in UPPER_LIMB],
        patient_id=patient_id,
    )


def test_plan_edit_override_and_sign(page_for: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = page_for()
    sign_in(page)
    patient_id = register_patient(page)
    page.get_by_role("link", name="Plan treatment").click()
    expect(page.locator("#vial option:checked")).to_contain_text(live_server.seeded.lot_number)
    plan_by_areas_and_clicks(page)
    page.screenshot(path=str(screenshots / "chart-planned.png"))

    # a new patient has not consented yet: signing waits for the consent, the plan waits too
    expect(page.locator("#sign-hint")).to_contain_text("Consent needed for glabellar lines, forehead lines")
    expect(page.locator("#sign-button")).to_be_disabled()
    page.locator("#consent-link").click()
    take_consent(page, "Maya Okafor")
    page.screenshot(path=str(screenshots / "consent-signed-back-to-plan.png"))
    expect(page).to_have_url(re.compile(rf"/patients/{patient_id}/plan\?consented=1$"))
    expect(total_units(page)).to_have_text(re.compile(r"^45\s*U"))  # the draft came back
    expect(page.locator("#sign-button")).to_be_enabled()

    # an earlier treatment recorded elsewhere pushes the 3-month BOTOX total past 400 U
    record_history(live_server, patient_id)
    page.reload()  # the draft survives in session storage; the page brings the new history
    expect(total_units(page)).to_have_text(re.compile(r"^45\s*U"))
    finding = page.locator("#findings [data-code=CUMULATIVE_DOSE_ABOVE_MAX]")
    expect(finding).to_contain_text("critical")
    expect(finding.locator("summary")).to_contain_text("Sources")
    expect(page.locator("#sign-button")).to_be_disabled()
    expect(page.locator("#sign-hint")).to_contain_text("Choose why CUMULATIVE_DOSE_ABOVE_MAX is overridden")
    finding.locator("select").select_option("clinically_indicated")
    finding.locator("textarea").fill("aaaaaaaaaa")
    expect(page.locator("#sign-hint")).to_contain_text("in at least 3 real words")
    expect(page.locator("#sign-button")).to_be_disabled()
    reason = "Spasticity dose was planned with neurology; cosmetic dose kept minimal."
    finding.locator("textarea").fill(reason)
    expect(page.locator("#sign-button")).to_be_enabled()
    finding.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "chart-critical-override.png"))

    sign_with_password(page)
    expect(page.locator("p.notice")).to_have_text("Treatment signed and recorded.")
    expect(page.locator("#findings")).to_contain_text("CUMULATIVE_DOSE_ABOVE_MAX")
    expect(page.locator("#findings")).to_contain_text(f"Override reason: {reason}")
    expect(page.locator("#injections tbody tr")).to_have_count(11)
    expect(page.locator("#injections")).to_contain_text("30G 4 mm")
    assert page.evaluate(f"sessionStorage.getItem('toxplan-draft-{patient_id}')") is None
    page.screenshot(path=str(screenshots / "treatment-signed.png"), full_page=True)

    page.get_by_role("link", name="Okafor, Maya").click()
    timeline = page.locator("#timeline .timeline-item")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("45 U BOTOX")
    expect(timeline.first).to_contain_text("1 overridden")
    expect(page.locator("#dose-window")).to_contain_text("425 U of 400 U")
    page.screenshot(path=str(screenshots / "patient-timeline.png"), full_page=True)


def test_touch_taps_select_and_add_points(page_for: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = page_for(has_touch=True)
    sign_in(page, "medical_director")
    page.goto(f"/patients/{live_server.seeded.patient_id}/plan")
    page.locator("[data-area=glabellar_lines]").tap()
    expect(points(page)).to_have_count(5)
    page.locator("g.pt[data-index='2']").tap()
    expect(page.locator("#sel-count")).to_have_text("Point 3: Procerus (glabellar lines)")
    expect(page.locator("#sel-site")).to_contain_text("Midline, at the glabella")
    expect(page.locator("g.pt[data-index='2']")).to_have_class(re.compile(r"\bselected\b"))
    page.touchscreen.tap(*on_chart(page, "front", 12, 48))
    expect(points(page)).to_have_count(6)
    page.locator("#unit-chips button[data-units='2']").tap()
    expect(total_units(page)).to_have_text(re.compile(r"^22\s*U"))
    page.locator("#modes [data-mode=select]").tap()
    page.locator("g.pt[data-index='0']").tap()
    page.locator("g.pt[data-index='4']").tap()
    expect(page.locator("#sel-count")).to_have_text("3 points selected")
    expect(page.locator("#check-state")).to_have_text("up to date")
    assert page.evaluate("document.scrollingElement.scrollTop") == 0  # the chart page itself never scrolls
    page.screenshot(path=str(screenshots / "chart-touch.png"))


def test_more_areas_variants_and_views(page_for: Any, live_server: LiveServer, screenshots: Path) -> None:
    page = page_for()
    sign_in(page)
    page.goto(f"/patients/{live_server.seeded.patient_id}/plan")
    page.locator("[data-area=platysma_bands]").click()
    expect(points(page)).to_have_count(12)
    page.locator("#chosen-areas [data-area=platysma_bands] select.variant").select_option("2+2")
    expect(points(page)).to_have_count(16)
    expect(total_units(page)).to_have_text(re.compile(r"^36\s*U"))
    expect(page.locator("#zooms [aria-pressed=true]")).to_have_text("Neck")
    expect(page.locator("#check-state")).to_have_text("up to date")
    page.screenshot(path=str(screenshots / "chart-neck-platysma.png"))
    page.locator("#chosen-areas [data-area=platysma_bands] button", has_text="Remove").click()
    expect(points(page)).to_have_count(0)

    page.select_option("#more-areas", "chronic_migraine")
    expect(page.locator("#views [data-view=back] .count")).to_have_text(" 16")
    expect(page.locator("#views [data-view=left] .count")).to_have_text(" 4")
    expect(page.locator("#total-units dd")).to_have_text(re.compile(r"^155\s*U"))
    page.locator("#views [data-view=back]").click()
    expect(points(page)).to_have_count(16)
    expect(page.locator("#check-state")).to_have_text("up to date")
    page.screenshot(path=str(screenshots / "chart-back-view.png"))
    page.locator("#views [data-view=left]").click()
    expect(points(page)).to_have_count(4)
    page.screenshot(path=str(screenshots / "chart-left-view.png"))
