"""Queries for sign-in security: throttling buckets, trusted browsers, second factors, and
ending a user's sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from toxplan.db.models import SignInThrottle, TrustedDevice, User, UserSession, UserTotp
from toxplan.primitives.roles import Role


def lock_buckets(session: Session, buckets: Iterable[tuple[str, str]], now: dt.datetime) -> list[SignInThrottle]:
    """The rows of ``buckets`` ((key hash, kind) pairs), created when missing and locked until
    the transaction ends, in key order (so two sign-ins never wait on each other in a circle).

    PostgreSQL: ``INSERT ... ON CONFLICT DO NOTHING`` then ``SELECT ... FOR UPDATE``.
    SQLite: every transaction already holds the write lock (``BEGIN IMMEDIATE``).
    """
    wanted = sorted(set(buckets))
    if not wanted:
        return []
    values = [
        {"key_hash": key, "kind": kind, "failures": 0, "blocks": 0, "last_failure_at": now, "blocked_until": None}
        for key, kind in wanted
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(SignInThrottle).values(values).on_conflict_do_nothing(index_elements=["key_hash"]))
    keys = [key for key, _ in wanted]
    query = (
        select(SignInThrottle)
        .where(SignInThrottle.key_hash.in_(keys))
        .order_by(SignInThrottle.key_hash)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def forget_bucket(session: Session, key_hash: str) -> None:
    session.execute(delete(SignInThrottle).where(SignInThrottle.key_hash == key_hash))


def sign_in_candidates(session: Session, email: str) -> list[User]:
    """Active users with this (lower-cased) e-mail in any clinic (e-mails are unique per clinic)."""
    return list(session.scalars(select(User).where(User.email == email, User.active).order_by(User.id)))


def user_session(session: Session, token_hash: str) -> UserSession | None:
    """The session row of this token hash, live or ended (the caller checks)."""
    return session.get(UserSession, token_hash)


def trusted_device(session: Session, token_hash: str) -> TrustedDevice | None:
    return session.get(TrustedDevice, token_hash)


def forget_devices(session: Session, user_id: str) -> None:
    session.execute(delete(TrustedDevice).where(TrustedDevice.user_id == user_id))


def second_factor(session: Session, user_id: str, *, lock: bool = False) -> UserTotp | None:
    query = select(UserTotp).where(UserTotp.user_id == user_id).execution_options(populate_existing=True)
    return session.scalar(query.with_for_update() if lock else query)


def confirmed_second_factors(session: Session, user_ids: Iterable[str]) -> set[str]:
    """Which of these users have a confirmed second factor."""
    ids = list(user_ids)
    if not ids:
        return set()
    query = select(UserTotp.user_id).where(UserTotp.user_id.in_(ids), UserTotp.confirmed_at.is_not(None))
    return set(session.scalars(query))


def forget_second_factor(session: Session, user_id: str) -> None:
    session.execute(delete(UserTotp).where(UserTotp.user_id == user_id))


def revoke_sessions(session: Session, user_id: str, now: dt.datetime) -> int:
    """End every open session of the user; returns how many."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def active_admins(session: Session, clinic_id: str) -> list[str]:
    query = select(User.id).where(User.clinic_id == clinic_id, User.role == Role.ADMIN, User.active)
    return list(session.scalars(query))


def users_by_email(session: Session, email: str) -> list[User]:
    """Users with this (lower-cased) e-mail in every clinic, active or not."""
    return list(session.scalars(select(User).where(User.email == email).order_by(User.clinic_id)))
