"""Signing asks for the password again: a signature is the signer's own act, not the session's.

The password is checked like any re-typed password (``signin.check_own_password``): counted
in the signer's own throttling bucket before it is verified, in the database, so a left-open
session cannot be used to guess a password by signing, on any server process.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from toxplan.auth.signin import Outcome, check_own_password
from toxplan.db.repositories import clinics as users_repo
from toxplan.errors import InvalidInput
from toxplan.services.schemas import Actor


class SignatureRefused(InvalidInput):
    """The password given to sign did not match; nothing was signed."""

    code = "signature_refused"


def confirm_signer(
    factory: sessionmaker[Session],
    session: Session,
    actor: Actor,
    password: str | None,
    *,
    address: str,
    now: dt.datetime | None = None,
) -> str:
    """The signer's printed name once their password is confirmed; refuses otherwise."""
    result = check_own_password(
        factory, actor.user_id, password or "", address=address, now=now or dt.datetime.now(dt.UTC)
    )
    if result.outcome is Outcome.THROTTLED:
        raise SignatureRefused(f"too many wrong passwords; try again in {result.retry_after} s", field="password")
    if result.outcome is not Outcome.SIGNED_IN:
        raise SignatureRefused("the password does not match: nothing was signed", field="password")
    user = users_repo.user(session, actor.user_id)
    if user is None:
        raise SignatureRefused("the signer's account no longer exists: nothing was signed", field="password")
    return user.name
