"""Sessions: open one after a sign-in, look up the signed-in user from the cookie token, sign out.

A session ends at the first of: signing out, its absolute lifetime (12 hours by default), the
idle timeout (30 minutes without a request by default), a password change or reset, the user
being deactivated, or (for a demo account) the server leaving demo mode.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from toxplan.db.models import User, UserSession
from toxplan.db.repositories import clinics as users_repo
from toxplan.db.repositories import security as repo
from toxplan.services.audit import log
from toxplan.services.schemas import Actor
from toxplan.settings.security import SecuritySettings

SESSION_LENGTH = SecuritySettings().session_lifetime
"""The default absolute lifetime (``TOXPLAN_SESSION_HOURS``)."""
TOUCH_EVERY = dt.timedelta(minutes=1)
"""``last_seen_at`` is written at most this often, so a busy session costs few writes."""
DEMO_DOMAIN = "@demo.toxplan.org"
"""The demo clinic's accounts (``services.demo``): they sign in only in demo mode."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_demo_account(email: str) -> bool:
    return email.lower().endswith(DEMO_DOMAIN)


@dataclass(frozen=True)
class SignedIn:
    token: str
    """Goes in the cookie; never stored."""
    csrf_token: str
    actor: Actor
    user_name: str


def open_session(session: Session, user: User, *, now: dt.datetime, security: SecuritySettings) -> SignedIn:
    """A new session for ``user`` (whose password, and second factor if any, were checked)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            clinic_id=user.clinic_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + security.session_lifetime,
            last_seen_at=now,
        )
    )
    actor = Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role)
    log(session, actor, "create", "session", entity_id=user.id)
    return SignedIn(token, csrf, actor, user.name)


@dataclass(frozen=True)
class Current:
    actor: Actor
    csrf_token: str
    user_name: str
    must_enrol_second_factor: bool = False
    """The clinic requires a second factor for this role and the user has none yet: until they
    enrol one, the session may only reach the enrolment routes."""


def current(
    session: Session, token: str | None, *, now: dt.datetime, security: SecuritySettings | None = None
) -> Current | None:
    """The signed-in user of a cookie token, or None when the session has ended."""
    security = security or SecuritySettings()
    if not token:
        return None
    row = repo.user_session(session, token_hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    seen = row.last_seen_at or row.created_at
    if now - seen >= security.idle_timeout:
        row.revoked_at = now  # idle: ended for good, not just until the next request
        return None
    user = users_repo.user(session, row.user_id)
    if user is None or not user.active or (is_demo_account(user.email) and not security.demo):
        return None
    if now - seen >= TOUCH_EVERY:
        row.last_seen_at = now
    enrol = user.role in security.second_factor_roles and not repo.confirmed_second_factors(session, [user.id])
    return Current(Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role), row.csrf_token, user.name, enrol)


def sign_out(session: Session, token: str | None, *, now: dt.datetime) -> None:
    if token and (row := repo.user_session(session, token_hash(token))) is not None:
        row.revoked_at = now
