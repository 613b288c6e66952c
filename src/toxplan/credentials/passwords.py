"""Argon2id password hashing (argon2-cffi's defaults follow RFC 9106's recommendations) and the
password policy: at least 12 characters and not guessable, as judged by zxcvbn (a maintained
port of Dropbox's estimator, with its lists of common passwords, names, words and keyboard
patterns; "aaaaaaaaaaaa" and "password1234" are refused)."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from toxplan.errors import InvalidInput

_hasher = PasswordHasher()
MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3
"""zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from offline attacks"."""
_ZXCVBN_MAX = 72
"""zxcvbn's longest input: a longer password is judged by its first 72 characters."""


def check_policy(password: str, *, user_inputs: Iterable[str] = (), field: str = "password") -> None:
    """Refuse a password that is too short, too long or guessable (InvalidInput naming ``field``).

    ``user_inputs`` (e-mail, name, clinic) count as guessable words for this user.
    """
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"use at least {MIN_LENGTH} characters", field=field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"use at most {MAX_LENGTH} characters", field=field)
    if "\x00" in password:
        raise InvalidInput("must not contain NUL characters", field=field)
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("must be valid Unicode text", field=field) from None
    words = [w for text in user_inputs for w in (text, *text.replace("@", " ").replace(".", " ").split()) if w]
    verdict = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=words)
    if verdict["score"] < MIN_SCORE:
        feedback = verdict["feedback"]
        hint = feedback.get("warning") or "it is too easy to guess"
        advice = " ".join(feedback.get("suggestions") or ["Add another word or two; uncommon words are better."])
        raise InvalidInput(f"this password is too easy to guess ({hint.rstrip('.')}). {advice}", field=field)


def hash_password(password: str, *, user_inputs: Iterable[str] = (), field: str = "password") -> str:
    """The Argon2id hash of a password that passes the policy."""
    check_policy(password, user_inputs=user_inputs, field=field)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a user without a hash can never sign in."""
    if not stored_hash:
        _hasher.hash("timing-equaliser")  # spend the same time as a real check
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeEncodeError):
        return False  # a lone surrogate can be no stored password
