"""The API documentation, offline: Swagger UI at /docs and ReDoc at /redoc, from the assets the
fastapi-offline package ships (no CDN, so they work on a clinic network without internet), and
with no inline script (the pages start Swagger UI from static/docs_init.js)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from toxplan.http.deps import Allow
from toxplan.web.rendering import page

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/api-docs-assets"
router = APIRouter(include_in_schema=False, dependencies=[Depends(Allow(public=True))])


def mount_assets(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=str(ASSETS)), name="api-docs-assets")


@router.get("/docs")
def swagger(request: Request) -> Response:
    return page(
        request, "api_docs.html", None, spec=request.app.openapi_url, assets=ASSETS_URL, title=request.app.title
    )


@router.get("/redoc")
def redoc(request: Request) -> Response:
    return page(
        request, "api_redoc.html", None, spec=request.app.openapi_url, assets=ASSETS_URL, title=request.app.title
    )
