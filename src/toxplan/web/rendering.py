"""Templates and the page context every page shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from toxplan.auth.sessions import Current
from toxplan.primitives.roles import ROLE_SETS
from toxplan.web.filters import FILTERS

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters.update(FILTERS)
# Pages decide what to offer with the same named role sets as the services ("role in role_sets.TREATING").
templates.env.globals["role_sets"] = ROLE_SETS


def page(request: Request, name: str, current: Current | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page; templates get the signed-in user and the CSRF token for forms."""
    return templates.TemplateResponse(
        request,
        name,
        {"current": current, "csrf_token": current.csrf_token if current else "", **context},
        status_code=status_code,
    )
