"""Health, and signing in and out of the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AfterValidator, BaseModel, Field

from toxplan.auth import sessions
from toxplan.http.deps import DB, KB, SESSION_COOKIE, Allow, Now, lookup_session
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.signin import attempt_sign_in, finish_sign_in
from toxplan.primitives.roles import ALL_ROLES
from toxplan.services.access_audit import storable

router = APIRouter(tags=["system"], responses=ERROR_RESPONSES)


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
