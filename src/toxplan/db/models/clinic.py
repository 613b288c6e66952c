"""Clinics and their users. Every record belongs to a clinic, so one database serves a chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, Str, UTCDateTime, utcnow
from toxplan.primitives.roles import Role

ROLES = tuple(role.value for role in Role)
"""The values the ``users.role`` CHECK constraint allows (unchanged since the first migration)."""


class Clinic(IdMixin, Base):
    __tablename__ = "clinics"

    name: Mapped[str] = mapped_column(Str(limits.NAME))
    phone: Mapped[str | None] = mapped_column(Str(limits.PHONE), default=None)
    """Printed on aftercare sheets and records; None until the clinic gives one."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Clinic policy for the clinic day (the admin's settings page).
    consent_aesthetic: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Signing an aesthetic treatment needs a current consent covering its product and areas."""
    consent_therapeutic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_valid_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    usual_product: Mapped[str | None] = mapped_column(String(40), default=None)
    """The product the plan page starts from; None: the clinic's most used product."""


class User(IdMixin, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("clinic_id", "email", name="clinic_email"),)

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(Str(limits.NAME))
    email: Mapped[str] = mapped_column(Str(limits.EMAIL))
    role: Mapped[str] = mapped_column(Enum(*ROLES, name="user_role", native_enum=False, create_constraint=True))
    password_hash: Mapped[str | None] = mapped_column(Str(500), default=None)
    """Argon2 hash; set by the sign-in layer. None: the user cannot sign in yet."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
