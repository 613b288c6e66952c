"""The audit log: who read, created or amended which patient data, and when.

Append-only: the application has no way to change or delete a row (no repository method
does it) and the database refuses UPDATE and DELETE on this table (a trigger, see the
migrations).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, LongText, Str, UTCDateTime, utcnow

ACTIONS = ("read", "create", "amend", "sign", "cosign", "export", "import")


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"

    clinic_id: Mapped[str | None] = mapped_column(ForeignKey("clinics.id"), index=True, default=None)
    """None for events about the whole installation (e.g. a restore)."""
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(Enum(*ACTIONS, name="audit_action", native_enum=False, create_constraint=True))
    entity: Mapped[str] = mapped_column(Str(40))
    entity_id: Mapped[str | None] = mapped_column(Str(limits.ID), default=None)
    patient_id: Mapped[str | None] = mapped_column(Str(limits.ID), index=True, default=None)
    detail: Mapped[str | None] = mapped_column(LongText(), default=None)
