"""Signing asks for the password again: a signature is the signer's own act, not the session's.

Wrong passwords count toward the sign-in limiter of that user, so a left-open session cannot be
used to guess a password by signing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from toxplan.auth.passwords import verify_password
from toxplan.auth.ratelimit import SignInLimiter
from toxplan.db.models import User
from toxplan.errors import InvalidInput
from toxplan.services.schemas import Actor


class SignatureRefused(InvalidInput):
    """The password given to sign did not match; nothing was signed."""

    code = "signature_refused"


def confirm_signer(session: Session, actor: Actor, password: str | None, limiter: SignInLimiter) -> str:
    """The signer's printed name once their password is confirmed; refuses otherwise."""
    key = f"sign:{actor.user_id}"
    wait = limiter.retry_after(key)
    if wait:
        raise SignatureRefused(f"too many wrong passwords; try again in {wait} s", field="password")
    user = session.get(User, actor.user_id)
    if user is None or not password or not verify_password(user.password_hash, password):
        limiter.failed(key)
        raise SignatureRefused("the password does not match: nothing was signed", field="password")
    limiter.succeeded(key)
    return user.name
