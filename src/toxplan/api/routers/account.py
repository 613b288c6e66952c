"""The signed-in user's own account: change the password, set up or remove an authenticator app."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from toxplan.api.routers.system import Who, who
from toxplan.auth import sessions
from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.signin import check_current_password, set_session_cookie
from toxplan.primitives.roles import ALL_ROLES
from toxplan.services import accounts

router = APIRouter(prefix="/session", tags=["account"], responses=ERROR_RESPONSES)

SignedIn = Annotated[Current, Depends(Allow(*ALL_ROLES, enrolment=True))]
"""Every role, also while a required second factor is not set up yet."""
Password = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\x00]*$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PasswordChange(_Body):
    current_password: Password
    new_password: Password


class CurrentPassword(_Body):
    current_password: Password


class Code(_Body):
    code: Annotated[str, Field(min_length=6, max_length=7, pattern=r"^[0-9 ]+$")]


class SecondFactorSetup(BaseModel):
    secret: str
    """Type it into the authenticator app, or scan ``uri`` as a QR code."""
    uri: str


class SecondFactorState(BaseModel):
    enabled: bool


@router.post("/password")
def change_password(
    body: PasswordChange, current: SignedIn, request: Request, response: Response, db: DB, now: Now
) -> Who:
    """Change your password (the current one is required). Every session of yours ends, on
    every device; this answer carries a new session cookie and CSRF token for this client."""
    check_current_password(request, current, body.current_password, now)
    user = accounts.change_own_password(db, current.actor, body.new_password, now=now)
    fresh = sessions.open_session(db, user, now=now, security=request.app.state.settings.security)
    set_session_cookie(request, response, fresh.token)
    return who(fresh, fresh.user_name, fresh.csrf_token, current.must_enrol_second_factor)


@router.get("/second-factor")
def second_factor_state(current: SignedIn, db: DB) -> SecondFactorState:
    return SecondFactorState(enabled=accounts.second_factor_enabled(db, current.actor.user_id))


@router.post("/second-factor", status_code=201)
def begin_second_factor(current: SignedIn, db: DB, now: Now) -> SecondFactorSetup:
    """Start setting up an authenticator app (TOTP, RFC 6238): a new secret, used from the moment
    one code from it is confirmed. 409 when one is already set up."""
    made = accounts.begin_second_factor(db, current.actor, now=now)
    return SecondFactorSetup(secret=made.secret, uri=made.uri)


@router.post("/second-factor/confirm")
def confirm_second_factor(body: Code, current: SignedIn, db: DB, now: Now) -> SecondFactorState:
    """Confirm with the code the app shows now; from the next sign-in on, the code is required."""
    accounts.confirm_second_factor(db, current.actor, body.code, now=now)
    return SecondFactorState(enabled=True)


@router.post("/second-factor/remove")
def remove_second_factor(
    body: CurrentPassword, current: SignedIn, request: Request, db: DB, now: Now
) -> SecondFactorState:
    """Remove your authenticator app (the current password is required); refused (409) where
    the clinic requires a second factor for your role."""
    required = request.app.state.settings.security.second_factor_roles
    if current.actor.role in required:
        accounts.remove_own_second_factor(db, current.actor, required_roles=required)  # raises
    check_current_password(request, current, body.current_password, now)
    accounts.remove_own_second_factor(db, current.actor, required_roles=required)
    return SecondFactorState(enabled=False)
