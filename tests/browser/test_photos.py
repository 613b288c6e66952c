"""Photos in Chromium: upload from the photo page, chart on a photo of today (sites placed on the
face, zones and the patient's sides drawn, a tap becomes a point checked like any other),
sign, and compare two photos before and after; screenshots in build/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from skimage import data

from tests.browser.conftest import VIEWPORT, LiveServer
from tests.browser.test_chart import expect, sign_in, sign_with_password
from toxplan.db.engine import unit_of_work
from toxplan.services import photos

pytestmark = pytest.mark.slow
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll("main *")]
  .filter((n) => n.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map((n) => n.tagName + "#" + n.id + "." + n.className)"""


@pytest.fixture
def page_for(chromium: Any, live_server: LiveServer) -> Iterator[Any]:
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


def portrait(turn: float = 0.0) -> bytes:
    image = Image.fromarray(np.asarray(data.astronaut())).resize((768, 768), Image.Resampling.LANCZOS)
    if turn:
        image = image.rotate(turn, resample=Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_photo(live_server: LiveServer, image: bytes, *, days_ago: int = 0, **meta: Any) -> str:
    now = dt.datetime.now(dt.UTC)
    with unit_of_work(live_server.factory) as session:
        added = photos.add_photo(
            session,
            live_server.seeded.actors["injector"],
            live_server.seeded.patient_id,
            image,
            {"view": "front_rest", "time_point": "baseline", "taken_at": now - dt.timedelta(days=days_ago), **meta},
            now=now,
        )
        return added.id


def test_chart_on_a_photo_and_sign(page_for: Any, live_server: LiveServer, screenshots: Path) -> None:
    photo_id = add_photo(live_server, portrait())
    page = page_for()
    sign_in(page)
    page.goto(f"/patients/{live_server.seeded.patient_id}/plan")
    page.locator("[data-area=glabellar_lines]").click()
    expect(page.locator("#view-front g.pt")).to_have_count(5)
    page.select_option("#photo-picker", photo_id)
    on_photo = page.locator("#view-photo g.pt")
    expect(on_photo).to_have_count(5)
    expect(page.locator("#view-photo text.side-label")).to_have_text(["Patient's right", "Patient's left"])
    expect(page.locator("#view-photo g.zone[data-zone=glabellar_central_brow_1cm] polygon")).to_have_count(2)
    page.screenshot(path=str(screenshots / "chart-photo.png"))

    # a tap on the forehead, 12 mm-ish above the procerus point, adds a point in template mm
    box = page.locator("#view-photo g.pt[data-index='0'] circle.dot").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] - 2.5 * box["height"])
    expect(on_photo).to_have_count(6)
    expect(page.locator("#view-front g.pt")).to_have_count(6)
    expect(page.locator("#sel-count")).to_have_text("Point 6: free point (glabellar lines)")
    expect(page.locator("#check-state")).to_have_text("up to date")
    page.fill("#sel-units", "2")

    # dragging a site on the photo moves it in template mm
    dot = page.locator("#view-photo g.pt[data-index='1'] circle.dot").bounding_box()
    assert dot is not None
    page.mouse.move(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
    page.mouse.down()
    page.mouse.move(dot["x"] + dot["width"] / 2 + 6, dot["y"] - 8, steps=6)
    page.mouse.up()
    expect(page.locator("#points-body tr").nth(1)).to_contain_text("moved")
    expect(page.locator("#check-state")).to_have_text("up to date")
    page.screenshot(path=str(screenshots / "chart-photo-tapped.png"))

    page.select_option("#photo-picker", "")
    expect(page.locator("#view-photo")).to_have_count(0)
    expect(page.locator("#view-front")).to_be_visible()
    sign_with_password(page)
    expect(page.locator("p.notice")).to_have_text("Treatment signed and recorded.")
    expect(page.locator("#injections tbody tr")).to_have_count(6)


def test_a_photo_that_cannot_be_charted_says_why(page_for: Any, live_server: LiveServer) -> None:
    tilted = add_photo(live_server, portrait(turn=28))
    page = page_for()
    sign_in(page)
    page.goto(f"/patients/{live_server.seeded.patient_id}/plan")
    page.select_option("#photo-picker", tilted)
    expect(page.locator("#photo-status")).to_contain_text("cannot be charted on: the head is tilted sideways")
    expect(page.locator("#photo-picker")).to_have_value("")
    expect(page.locator("#view-front")).to_be_visible()


def test_upload_and_before_after(page_for: Any, live_server: LiveServer, screenshots: Path, tmp_path: Path) -> None:
    add_photo(live_server, portrait(), days_ago=15)
    page = page_for()
    sign_in(page)
    page.goto(f"/patients/{live_server.seeded.patient_id}")
    page.get_by_role("link", name="Photos").click()
    expect(page.locator("h1")).to_have_text("Photos")
    upload = tmp_path / "review.jpg"
    upload.write_bytes(portrait(turn=6))
    page.select_option("select[name=view]", "front_rest")
    page.select_option("select[name=time_point]", "review_2_weeks")
    page.set_input_files("#add-photo input[type=file]:not([capture])", str(upload))
    page.locator("#add-photo button[type=submit]").click()
    expect(page.locator("p.notice")).to_have_text("Photo added.")
    expect(page.locator(".photo-tile")).to_have_count(2)
    page.screenshot(path=str(screenshots / "photos-page.png"), full_page=True)

    page.locator("#compare-photos button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Before and after: Front, at rest")
    expect(page.locator("#compare-side g[transform^=matrix]")).to_have_count(1)
    page.screenshot(path=str(screenshots / "before-after.png"), full_page=True)
    page.get_by_role("button", name="Slider").click()
    expect(page.locator("#compare-slider")).to_be_visible()
    page.locator("#slider").fill("30")
    assert float(page.locator("#after-clip-rect").get_attribute("width") or 0) == pytest.approx(768 * 0.3, abs=1)
    page.screenshot(path=str(screenshots / "before-after-slider.png"), full_page=True)


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}], ids=["phone"])
def test_photo_pages_fit_a_phone(page_for: Any, live_server: LiveServer, viewport: dict[str, int]) -> None:
    first = add_photo(live_server, portrait(), days_ago=15)
    second = add_photo(live_server, portrait(turn=5), time_point="review_2_weeks")
    page = page_for()
    page.set_viewport_size(viewport)
    sign_in(page)
    pid = live_server.seeded.patient_id
    for url in (f"/patients/{pid}/photos", f"/patients/{pid}/photos/compare?before={first}&after={second}"):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        # the page's own content (the shared header is laid out by base.html)
        assert page.evaluate(WIDER_THAN_SCREEN) == [], url
        assert re.search(r"/photos", page.url)
