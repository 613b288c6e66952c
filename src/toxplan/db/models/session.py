"""Signed-in sessions. The cookie holds a random token; only its SHA-256 is stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from toxplan.db.base import Base, UTCDateTime, utcnow


class UserSession(Base):
    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    """Last request (to a minute): a session idle longer than the idle timeout has ended."""
