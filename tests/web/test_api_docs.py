"""/docs and /redoc come with their assets from this server: nothing is fetched from a CDN."""

from __future__ import annotations

import re

from tests.web.conftest import Browser


def test_the_api_docs_need_no_internet(anonymous: Browser) -> None:
    for path, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = anonymous.get(path)
        assert page.status_code == 200
        assert not re.search(r'(src|href)="(https?:)?//', page.text), path  # only this server's files
        assert "<script>" not in page.text  # no inline script: the pages work under a strict CSP
        assert 'spec-url="/api/v1/openapi.json"' in page.text
        script = anonymous.get(f"/api-docs-assets/{asset}")
        assert script.status_code == 200 and len(script.content) > 500_000
    assert anonymous.get("/api/v1/openapi.json").json()["info"]["title"] == "ToxPlan"
