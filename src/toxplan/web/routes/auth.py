"""Sign-in and sign-out pages."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from toxplan.auth import sessions
from toxplan.http.deps import DB, SESSION_COOKIE, Allow, Now
from toxplan.http.errors import RateLimited, Unauthenticated
from toxplan.http.signin import attempt_sign_in, finish_sign_in
from toxplan.primitives.roles import ALL_ROLES
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
PRE_CSRF_COOKIE = "toxplan_signin_csrf"


def _safe_next(target: str | None) -> str:
    """Only local paths, so sign-in cannot be used to redirect elsewhere."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/sign-in", response_class=HTMLResponse, dependencies=[Depends(Allow(public=True))])
def sign_in_form(request: Request, next: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)  # double-submit token: the form field must match the cookie
    response = page(request, "sign_in.html", None, next=_safe_next(next), form_token=token)
    response.set_cookie(PRE_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/sign-in")
    return response


@router.post("/sign-in", dependencies=[Depends(Allow(public=True))])
def sign_in(
    request: Request,
    now: Now,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    form_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
    second_factor: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    if not form_token or form_token != request.cookies.get(PRE_CSRF_COOKIE):
        return page(
            request,
            "sign_in.html",
            None,
            status_code=403,
            next=_safe_next(next),
            form_token=form_token,
            error="The form expired; please sign in again.",
        )
    try:
        result = attempt_sign_in(request, now, email, password, second_factor)
    except (Unauthenticated, RateLimited) as exc:
        status = 429 if isinstance(exc, RateLimited) else 401
        return page(
            request,
            "sign_in.html",
            None,
            status_code=status,
            next=_safe_next(next),
            form_token=form_token,
            error=exc.message,
            email=email,
            ask_code=exc.field == "second_factor",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    finish_sign_in(request, response, result)
    response.delete_cookie(PRE_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out", dependencies=[Depends(Allow(*ALL_ROLES))])
def sign_out(request: Request, db: DB, now: Now) -> Response:
    sessions.sign_out(db, request.cookies.get(SESSION_COOKIE), now=now)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(current: Annotated[sessions.Current, Depends(Allow(*ALL_ROLES))]) -> Response:
    return RedirectResponse("/patients", status_code=303)
