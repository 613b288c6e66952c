"""Sign-in security state: throttling counters, trusted browsers and second factors.

None of it is a clinical record and none of it goes into a backup: counters are transient,
and device tokens and authenticator secrets are credentials (after a restore, users sign in
with their passwords and enrol a second factor again).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from toxplan.db.base import Base, UTCDateTime, utcnow


class SignInThrottle(Base):
    """One throttling bucket: an address, an account, an account from one address, or a
    trusted browser. Shared by every server process, so the limits hold across workers and
    restarts. The key is a SHA-256, so no e-mail or address is stored in the clear."""

    __tablename__ = "sign_in_throttle"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    """Attempts counted against the bucket (each is counted before its password is checked)."""
    blocks: Mapped[int] = mapped_column(Integer, default=0)
    """Pauses in a row; each doubles the next one."""
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class TrustedDevice(Base):
    """A browser (or API client keeping cookies) that signed in to an account before: its
    attempts are counted on their own, so others' failures never lock it out."""

    __tablename__ = "trusted_devices"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserTotp(Base):
    """A time-based one-time password (RFC 6238) second factor. Pending until the user has
    typed one code from it (``confirmed_at``)."""

    __tablename__ = "user_totp"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The 30-second step of the last accepted code: a code is never accepted twice."""
