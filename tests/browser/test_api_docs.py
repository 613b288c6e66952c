"""The API documentation renders in Chromium with every request outside this server refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_chart import expect

pytestmark = pytest.mark.slow


def test_swagger_ui_and_redoc_render_offline(chromium: Any, live_server: LiveServer, screenshots: Path) -> None:
    context = chromium.new_context(viewport={"width": 1024, "height": 768}, base_url=live_server.url)
    outside: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/treatments").first).to_be_visible()
    page.screenshot(path=str(screenshots / "api-docs-swagger.png"))
    page.goto("/redoc")
    expect(page.get_by_text("Check and sign a treatment").first).to_be_attached(timeout=20_000)
    page.screenshot(path=str(screenshots / "api-docs-redoc.png"))
    context.close()
    # ReDoc's own "API docs by Redocly" badge image is the one outside reference: offline it is
    # not shown, and nothing else is missing.
    assert [url for url in outside if not url.endswith("redoc/logo-mini.svg")] == []
