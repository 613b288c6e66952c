"""Signing in: throttle, check the password (and second factor), open a session.

The attempt is counted in the throttle in its own committed transaction *before* the password
is checked, the Argon2 check runs outside any transaction (it is slow on purpose; no database
lock is held meanwhile), and the outcome — a new session, or a failure recorded in the audit
log — is written in a second transaction. A failed sign-in is therefore audited even though
the request fails.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from toxplan.auth import throttle
from toxplan.auth.sessions import SignedIn, is_demo_account, open_session, token_hash
from toxplan.credentials import totp
from toxplan.credentials.passwords import verify_password
from toxplan.db.engine import unit_of_work
from toxplan.db.models import TrustedDevice, User
from toxplan.db.repositories import clinics as users_repo
from toxplan.db.repositories import security as repo
from toxplan.services import access_audit
from toxplan.settings.security import SecuritySettings


class Outcome(enum.Enum):
    SIGNED_IN = "signed in"
    WRONG = "wrong e-mail or password"
    THROTTLED = "too many failed sign-ins"
    SECOND_FACTOR_NEEDED = "second factor needed"
    SECOND_FACTOR_WRONG = "wrong or reused authenticator code"
    DEMO_ONLY = "demo account outside demo mode"


@dataclass(frozen=True)
class Attempt:
    email: str
    password: str
    address: str
    """The client's address, as resolved by ``auth.addresses``."""
    second_factor: str | None = None
    device_token: str | None = None
    """The device cookie this browser holds, if any."""


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    signed_in: SignedIn | None = None
    retry_after: int = 0
    new_device_token: str | None = None
    """Set after a sign-in from a browser that was not trusted yet: send it as the device cookie."""


def _trusted_device(session: Session, token: str | None, email: str) -> str | None:
    """The device's hash when its cookie belongs to an active account with this e-mail."""
    if not token:
        return None
    device = repo.trusted_device(session, token_hash(token)) if _could_be_stored(token) else None
    user = users_repo.user(session, device.user_id) if device else None
    return device.token_hash if device and user and user.active and user.email == email else None


def _could_be_stored(email: str) -> bool:
    """False for text no account's e-mail can be (NUL, a lone surrogate): not worth a query."""
    try:
        access_audit.storable(email)
    except ValueError:
        return False
    return True


def sign_in(
    factory: sessionmaker[Session], attempt: Attempt, *, now: dt.datetime, security: SecuritySettings
) -> Result:
    email = attempt.email.strip().lower()
    with unit_of_work(factory) as session:
        device = _trusted_device(session, attempt.device_token, email)
        reservation = throttle.reserve(session, throttle.buckets_for(email, attempt.address, device_hash=device), now)
        candidates: list[tuple[str | None, str | None, str | None]] = (
            [(u.id, u.clinic_id, u.password_hash) for u in repo.sign_in_candidates(session, email)]
            if _could_be_stored(email)
            else []
        )
    accounts = [(clinic_id, user_id) for user_id, clinic_id, _ in candidates if clinic_id and user_id]
    if not reservation.allowed:
        _failed(factory, email, accounts, attempt.address, Outcome.THROTTLED)
        return Result(Outcome.THROTTLED, retry_after=reservation.retry_after)
    matched = None
    for user_id, _, stored in candidates or [(None, None, None)]:  # no such user: still spend the time
        if verify_password(stored, attempt.password) and user_id is not None:
            matched = user_id
            break
    with unit_of_work(factory) as session:
        user = users_repo.user(session, matched) if matched else None
        outcome = _second_check(session, user, attempt, now=now, security=security)
        if user is None or outcome is not Outcome.SIGNED_IN:
            # A missing code after the right password is no guess: the count is given back.
            throttle.settle(session, reservation, succeeded=outcome is Outcome.SECOND_FACTOR_NEEDED, now=now)
            named = [(user.clinic_id, user.id)] if user else accounts
            access_audit.failed_sign_in(
                session, email=email, accounts=named, address=attempt.address, reason=outcome.value
            )
            return Result(outcome)
        throttle.settle(session, reservation, succeeded=True, now=now)
        signed = open_session(session, user, now=now, security=security)
        new_device = None
        if device is None:
            new_device = secrets.token_urlsafe(32)
            session.add(
                TrustedDevice(token_hash=token_hash(new_device), user_id=user.id, created_at=now, last_used_at=now)
            )
        elif (known := repo.trusted_device(session, device)) is not None:
            known.last_used_at = now
        return Result(Outcome.SIGNED_IN, signed, new_device_token=new_device)


def _second_check(
    session: Session, user: User | None, attempt: Attempt, *, now: dt.datetime, security: SecuritySettings
) -> Outcome:
    """After the password: demo mode, then the second factor (its step is spent under lock)."""
    if user is None or not user.active:
        return Outcome.WRONG
    if is_demo_account(user.email) and not security.demo:
        return Outcome.DEMO_ONLY
    factor = repo.second_factor(session, user.id, lock=True)
    if factor is None or factor.confirmed_at is None:
        return Outcome.SIGNED_IN
    if not attempt.second_factor:
        return Outcome.SECOND_FACTOR_NEEDED
    step = totp.accepted_step(factor.secret, attempt.second_factor, now=now, after=factor.last_step)
    if step is None:
        return Outcome.SECOND_FACTOR_WRONG
    factor.last_step = step
    return Outcome.SIGNED_IN


def _failed(
    factory: sessionmaker[Session], email: str, accounts: list[tuple[str, str]], address: str, outcome: Outcome
) -> None:
    with unit_of_work(factory) as session:
        access_audit.failed_sign_in(session, email=email, accounts=accounts, address=address, reason=outcome.value)


def check_own_password(
    factory: sessionmaker[Session], user_id: str, password: str, *, address: str, now: dt.datetime
) -> Result:
    """Re-check a signed-in user's password (to change it or remove a second factor),
    throttled like a sign-in so a stolen session cannot guess it: SIGNED_IN when it is right."""
    buckets = (throttle.Bucket.of("password", user_id),)
    with unit_of_work(factory) as session:
        reservation = throttle.reserve(session, buckets, now)
        user = users_repo.user(session, user_id)
        stored = user.password_hash if user else None
        clinic_id = user.clinic_id if user else None
    if not reservation.allowed:
        return Result(Outcome.THROTTLED, retry_after=reservation.retry_after)
    right = verify_password(stored, password)
    with unit_of_work(factory) as session:
        throttle.settle(session, reservation, succeeded=right, now=now)
        if not right and clinic_id:
            access_audit.failed_sign_in(
                session,
                email="(signed in)",
                accounts=[(clinic_id, user_id)],
                address=address,
                reason="wrong current password",
            )
    return Result(Outcome.SIGNED_IN if right else Outcome.WRONG)
