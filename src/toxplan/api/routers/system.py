"""Health, and signing in and out of the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AfterValidator, BaseModel, Field

from toxplan.api.deps import DB, KB, SESSION_COOKIE, Allow, Now, client_address, lookup_session
from toxplan.api.errors import ERROR_RESPONSES, RateLimited, Unauthenticated
from toxplan.auth import sessions, signin
from toxplan.auth.signin import Outcome
from toxplan.primitives.roles import ALL_ROLES
from toxplan.services.access_audit import storable

router = APIRouter(tags=["system"], responses=ERROR_RESPONSES)
DEVICE_COOKIE = "toxplan_device"
"""Marks a browser that signed in to an account before: its sign-ins are throttled on their own."""
DEVICE_DAYS = 180


class Health(BaseModel):
    status: str
    knowledge_version: str


@router.get("/health", dependencies=[Depends(Allow(public=True))])
async def health(kb: KB) -> Health:
    """Liveness, and the knowledge-base version this server checks plans with."""
    return Health(status="ok", knowledge_version=kb.version)


class SignIn(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=320), AfterValidator(storable)]
    password: Annotated[str, Field(min_length=1, max_length=1000)]
    second_factor: Annotated[str | None, Field(max_length=20, description="The authenticator app's code")] = None


class Who(BaseModel):
    user_id: str
    clinic_id: str
    role: str
    name: str
    csrf_token: str
    """Send it back in the X-CSRF-Token header of every state-changing request."""
    must_enrol_second_factor: bool = False
    """The clinic requires a second factor for this role: enrol one (POST /session/second-factor)
    before anything else is allowed."""


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


def who(current: sessions.Current | sessions.SignedIn, name: str, csrf: str, enrol: bool) -> Who:
    actor = current.actor
    return Who(
        user_id=actor.user_id,
        clinic_id=actor.clinic_id,
        role=actor.role,
        name=name,
        csrf_token=csrf,
        must_enrol_second_factor=enrol,
    )


@router.post("/session", dependencies=[Depends(Allow(public=True))])
def create_session(body: SignIn, request: Request, response: Response, now: Now) -> Who:
    """Sign in. Give ``second_factor`` when the account has an authenticator app (without it:
    401 ``second_factor_required``). Failures are throttled per address, per account and per
    account and address, counted before the password is checked (429 with Retry-After).
    The session cookie is HttpOnly and SameSite=Lax (and Secure over HTTPS)."""
    result = attempt_sign_in(request, now, body.email, body.password, body.second_factor)
    finish_sign_in(request, response, result)
    done = result.signed_in
    assert done is not None
    current = lookup_session(request.app.state.sessions, done.token, now, request.app.state.settings.security)
    return who(done, done.user_name, done.csrf_token, bool(current and current.must_enrol_second_factor))


@router.get("/session")
def read_session(current: Annotated[sessions.Current, Depends(Allow(*ALL_ROLES, enrolment=True))]) -> Who:
    return who(current, current.user_name, current.csrf_token, current.must_enrol_second_factor)


@router.delete("/session", status_code=204, dependencies=[Depends(Allow(*ALL_ROLES, enrolment=True))])
def delete_session(request: Request, response: Response, db: DB, now: Now) -> None:
    sessions.sign_out(db, request.cookies.get(SESSION_COOKIE), now=now)
    response.delete_cookie(SESSION_COOKIE, path="/")
