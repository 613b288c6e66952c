"""Request dependencies: the unit of work, the clock, the knowledge base, and who may call.

Every route declares an ``Allow`` rule; ``tests/api/test_access.py`` walks all routes and
all roles against those rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from toxplan.auth import addresses, sessions
from toxplan.db.engine import unit_of_work
from toxplan.errors import Forbidden
from toxplan.http.errors import CsrfRejected, Unauthenticated
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy
from toxplan.primitives.roles import ALL_ROLES
from toxplan.settings.security import SecuritySettings

SESSION_COOKIE = "toxplan_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler succeeds, else rolled back."""
    with unit_of_work(request.app.state.sessions) as session:
        yield session


async def get_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def get_kb(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase = request.app.state.kb
    return kb


async def get_policy(request: Request) -> Policy | None:
    policy: Policy | None = request.app.state.policy
    return policy


# scope="function": the commit happens before the response is sent, so a failed commit can
# never follow a success reply.
DB = Annotated[Session, Depends(get_db, scope="function")]
Now = Annotated[dt.datetime, Depends(get_now)]
KB = Annotated[KnowledgeBase, Depends(get_kb)]
ClinicPolicy = Annotated[Policy | None, Depends(get_policy)]


class Allow:
    """Who may use a route: roles (signed in, in their own clinic), or ``public``.

    State-changing requests must also carry the session's CSRF token, in the
    ``X-CSRF-Token`` header (API) or the ``csrf_token`` form field (web forms).
    """

    def __init__(self, *roles: str, public: bool = False, enrolment: bool = False) -> None:
        unknown = set(roles) - set(ALL_ROLES)
        if unknown:
            raise ValueError(f"unknown roles {unknown}")
        self.roles = tuple(roles)
        self.public = public
        self.enrolment = enrolment
        """Open to a session that must still enrol a second factor (the enrolment routes)."""

    async def __call__(self, request: Request, now: Now) -> sessions.Current | None:
        if self.public:
            return None
        # The session lookup runs in its own short transaction off the event loop: a waiting
        # SQLite lock must never block the loop that other requests need to finish, and routes
        # that need no database (check, plan, knowledge) open none of their own.
        token = request.cookies.get(SESSION_COOKIE)
        security = request.app.state.settings.security
        current = await run_in_threadpool(lookup_session, request.app.state.sessions, token, now, security)
        if current is None:
            raise Unauthenticated("sign in first", field="session")
        request.state.current = current  # for the audit of refused requests (api/access_log.py)
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER)
            if sent is None and "form" in request.headers.get("content-type", ""):
                sent = str((await request.form()).get("csrf_token") or "")
            if sent != current.csrf_token:
                raise CsrfRejected("missing or wrong CSRF token", field="csrf_token")
        if current.actor.role not in self.roles:
            raise Forbidden(f"a {current.actor.role.replace('_', ' ')} may not use this", field="role")
        if current.must_enrol_second_factor and not self.enrolment:
            raise SecondFactorEnrolment(
                "this clinic requires a second factor for your role: set up an authenticator app first",
                field="second_factor",
            )
        return current


class SecondFactorEnrolment(Forbidden):
    """The session may only reach the enrolment routes until the user has a second factor."""

    code = "second_factor_enrolment_required"


def lookup_session(
    factory: sessionmaker[Session], token: str | None, now: dt.datetime, security: SecuritySettings
) -> sessions.Current | None:
    if not token:
        return None
    with unit_of_work(factory) as session:
        return sessions.current(session, token, now=now, security=security)


def signed_in(*roles: str) -> object:
    """Dependency for routes that need the signed-in user (``Depends(signed_in(...))``)."""
    return Depends(Allow(*roles))


def client_address(request: Request) -> str:
    """The client's address; ``X-Forwarded-For`` counts only from a trusted proxy."""
    peer = request.client.host if request.client else None
    proxies = request.app.state.settings.security.trusted_proxies
    return addresses.client_address(peer, request.headers.get("x-forwarded-for"), proxies)
