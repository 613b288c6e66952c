"""Signing in over HTTP, shared by the API's session endpoints and the sign-in and account
pages: the throttled attempt, its typed refusals, and the session and device cookies."""

from __future__ import annotations

from fastapi import Request, Response

from toxplan.auth import signin
from toxplan.auth.sessions import Current
from toxplan.auth.signin import Outcome
from toxplan.errors import InvalidInput
from toxplan.http.deps import SESSION_COOKIE, Now, client_address
from toxplan.http.errors import RateLimited, Unauthenticated

DEVICE_COOKIE = "toxplan_device"
"""Marks a browser that signed in to an account before: its sign-ins are throttled on their own."""
DEVICE_DAYS = 180


class SecondFactorRequired(Unauthenticated):
    """The password was right; the account has a second factor and the code was not given."""

    code = "second_factor_required"


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
        max_age=int(request.app.state.settings.security.session_lifetime.total_seconds()),
    )


def finish_sign_in(request: Request, response: Response, result: signin.Result) -> None:
    """Set the session cookie, and the device cookie for a browser signing in the first time."""
    assert result.signed_in is not None
    set_session_cookie(request, response, result.signed_in.token)
    if result.new_device_token:
        response.set_cookie(
            DEVICE_COOKIE,
            result.new_device_token,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
            max_age=DEVICE_DAYS * 86400,
        )


def attempt_sign_in(request: Request, now: Now, email: str, password: str, code: str | None) -> signin.Result:
    """Throttled sign-in shared by the API and the sign-in page; raises on every failure."""
    attempt = signin.Attempt(
        email=email,
        password=password,
        address=client_address(request),
        second_factor=code or None,
        device_token=request.cookies.get(DEVICE_COOKIE),
    )
    app = request.app
    result = signin.sign_in(app.state.sessions, attempt, now=now, security=app.state.settings.security)
    if result.outcome is Outcome.SIGNED_IN:
        return result
    if result.outcome is Outcome.THROTTLED:
        wait = result.retry_after
        raise RateLimited(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
    if result.outcome is Outcome.SECOND_FACTOR_NEEDED:
        raise SecondFactorRequired("enter the code from your authenticator app", field="second_factor")
    if result.outcome is Outcome.SECOND_FACTOR_WRONG:
        raise Unauthenticated("wrong or already used authenticator code", field="second_factor")
    if result.outcome is Outcome.DEMO_ONLY:
        raise Unauthenticated("demo accounts sign in only while the server runs in demo mode", field="email")
    raise Unauthenticated("wrong e-mail or password", field="password")


def check_current_password(request: Request, current: Current, password: str, now: Now) -> None:
    """Raise unless ``password`` is the user's (throttled per user: 5 tries, then pauses)."""
    result = signin.check_own_password(
        request.app.state.sessions, current.actor.user_id, password, address=client_address(request), now=now
    )
    if result.outcome is Outcome.THROTTLED:
        wait = result.retry_after
        raise RateLimited(f"too many wrong passwords; try again in {wait} s", retry_after=wait)
    if result.outcome is not Outcome.SIGNED_IN:
        raise InvalidInput("wrong current password", field="current_password")
