"""Page routes, one module per page group, mounted next to the API."""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from toxplan.errors import ToxPlanError
from toxplan.http.deps import SecondFactorEnrolment
from toxplan.http.errors import Unauthenticated
from toxplan.web.forms import status_of
from toxplan.web.rendering import HERE, page
from toxplan.web.routes import (
    account,
    api_docs,
    auth,
    chart,
    consent,
    exports,
    lots,
    patients,
    photos,
    treatments,
    worklists,
)
from toxplan.web.routes import audit as audit_pages
from toxplan.web.routes import users as user_pages
from toxplan.web.routes.reports import router as reports_router

PAGE_ROUTERS = [
    auth.router,
    patients.router,
    chart.router,
    treatments.router,
    lots.router,
    consent.router,
    worklists.router,
    api_docs.router,
    exports.router,
    reports_router,
    photos.router,
    account.router,
    user_pages.router,
    audit_pages.router,
]
"""Page routers; page groups register here as they are added."""


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    api_docs.mount_assets(app)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    _install_page_errors(app)


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "text/html")


def _install_page_errors(app: FastAPI) -> None:
    """Pages get an error page (or the sign-in page); the API keeps its JSON error shape."""
    api_handler = app.exception_handlers[ToxPlanError]

    async def handler(request: Request, exc: Exception) -> Response:
        if not wants_html(request):
            response = api_handler(request, exc)
            return await response if inspect.isawaitable(response) else response
        if isinstance(exc, Unauthenticated):
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        if isinstance(exc, SecondFactorEnrolment):
            return RedirectResponse("/account#second-factor", status_code=303)
        assert isinstance(exc, ToxPlanError)
        return page(request, "error.html", None, status_code=status_of(exc), error=exc)

    app.exception_handlers[ToxPlanError] = handler


__all__ = ["HTMLResponse", "JSONResponse", "mount"]
