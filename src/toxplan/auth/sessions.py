"""Sessions: sign in, look up the signed-in user from the cookie token, sign out."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from toxplan.auth.passwords import verify_password
from toxplan.db.models import User, UserSession
from toxplan.services.audit import log
from toxplan.services.schemas import Actor

SESSION_LENGTH = dt.timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    token: str
    """Goes in the cookie; never stored."""
    csrf_token: str
    actor: Actor
    user_name: str


def sign_in(session: Session, email: str, password: str, *, now: dt.datetime) -> SignedIn | None:
    """A new session for the active user with this e-mail and password, else None."""
    users: list[User | None] = list(
        session.scalars(select(User).where(User.email == email.strip().lower(), User.active))
    )
    for user in users or [None]:  # no such user: still spend the hashing time
        if verify_password(user.password_hash if user else None, password) and user is not None:
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            session.add(
                UserSession(
                    token_hash=_hash(token),
                    user_id=user.id,
                    clinic_id=user.clinic_id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + SESSION_LENGTH,
                )
            )
            actor = Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role)
            log(session, actor, "create", "session", entity_id=user.id)
            return SignedIn(token, csrf, actor, user.name)
    return None


@dataclass(frozen=True)
class Current:
    actor: Actor
    csrf_token: str
    user_name: str


def current(session: Session, token: str | None, *, now: dt.datetime) -> Current | None:
    if not token:
        return None
    row = session.get(UserSession, _hash(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Current(Actor(clinic_id=user.clinic_id, user_id=user.id, role=user.role), row.csrf_token, user.name)


def sign_out(session: Session, token: str | None, *, now: dt.datetime) -> None:
    if token and (row := session.get(UserSession, _hash(token))) is not None:
        row.revoked_at = now
