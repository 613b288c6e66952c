"""Health, and signing in and out of the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from toxplan.api.deps import ALL_ROLES, DB, KB, SESSION_COOKIE, Allow, Now
from toxplan.api.errors import ERROR_RESPONSES, RateLimited, Unauthenticated
from toxplan.auth import sessions

router = APIRouter(tags=["system"], responses=ERROR_RESPONSES)


class Health(BaseModel):
    status: str
    knowledge_version: str


@router.get("/health", dependencies=[Depends(Allow(public=True))])
async def health(kb: KB) -> Health:
    """Liveness, and the knowledge-base version this server checks plans with."""
    return Health(status="ok", knowledge_version=kb.version)


class SignIn(BaseModel):
    email: Annotated[str, Field(min_length=3, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class Who(BaseModel):
    user_id: str
    clinic_id: str
    role: str
    name: str
    csrf_token: str
    """Send it back in the X-CSRF-Token header of every state-changing request."""


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
        max_age=int(sessions.SESSION_LENGTH.total_seconds()),
    )


def attempt_sign_in(request: Request, db: DB, now: Now, email: str, password: str) -> sessions.SignedIn:
    """Rate-limited sign-in shared by the API and the sign-in page."""
    limiter = request.app.state.limiter
    keys = (f"ip:{request.client.host if request.client else '?'}", f"email:{email.strip().lower()}")
    wait = limiter.retry_after(*keys)
    if wait:
        raise RateLimited(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
    done = sessions.sign_in(db, email, password, now=now)
    if done is None:
        limiter.failed(*keys)
        raise Unauthenticated("wrong e-mail or password", field="password")
    limiter.succeeded(*keys)
    return done


@router.post("/session", dependencies=[Depends(Allow(public=True))])
def create_session(body: SignIn, request: Request, response: Response, db: DB, now: Now) -> Who:
    """Sign in; the session cookie is HttpOnly and SameSite=Lax (and Secure over HTTPS)."""
    done = attempt_sign_in(request, db, now, body.email, body.password)
    set_session_cookie(request, response, done.token)
    actor = done.actor
    return Who(
        user_id=actor.user_id,
        clinic_id=actor.clinic_id,
        role=actor.role,
        name=done.user_name,
        csrf_token=done.csrf_token,
    )


@router.get("/session")
def read_session(current: Annotated[sessions.Current, Depends(Allow(*ALL_ROLES))]) -> Who:
    actor = current.actor
    return Who(
        user_id=actor.user_id,
        clinic_id=actor.clinic_id,
        role=actor.role,
        name=current.user_name,
        csrf_token=current.csrf_token,
    )


@router.delete("/session", status_code=204, dependencies=[Depends(Allow(*ALL_ROLES))])
def delete_session(request: Request, response: Response, db: DB, now: Now) -> None:
    sessions.sign_out(db, request.cookies.get(SESSION_COOKIE), now=now)
    response.delete_cookie(SESSION_COOKIE, path="/")
