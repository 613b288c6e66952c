"""The audit log: who read, created or amended which patient data, and when.

Append-only: the application has no way to change or delete a row (no repository method
does it) and the database refuses UPDATE, DELETE, REPLACE and TRUNCATE on this table
(triggers, see the migrations). Tamper-evident: each event is a link of its chain (its
clinic's, or the installation's) and carries the hash of the event before it
(``db.integrity``); appends to one chain are serialised (``repositories.audit_chain``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Enum, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, LongText, Str, UTCDateTime, utcnow

ACTIONS = ("read", "create", "amend", "sign", "cosign", "export", "import")


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("audit_chain_position", "chain", "seq", unique=True),)

    clinic_id: Mapped[str | None] = mapped_column(ForeignKey("clinics.id"), index=True, default=None)
    """None for events about the whole installation (e.g. a restore)."""
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(Enum(*ACTIONS, name="audit_action", native_enum=False, create_constraint=True))
    entity: Mapped[str] = mapped_column(Str(40))
    entity_id: Mapped[str | None] = mapped_column(Str(limits.ID), default=None)
    patient_id: Mapped[str | None] = mapped_column(Str(limits.ID), index=True, default=None)
    detail: Mapped[str | None] = mapped_column(LongText(), default=None)
    chain: Mapped[str] = mapped_column(Str(limits.ID))
    """The clinic id, or "installation" for events about no clinic."""
    seq: Mapped[int] = mapped_column(Integer)
    """Position in the chain: 1, 2, 3, ... without gaps."""
    prev_hash: Mapped[str] = mapped_column(Str(64))
    """The hash of the event before this one in the chain (64 zeros for the first)."""
    hash: Mapped[str] = mapped_column(Str(64))
    """SHA-256 of every other column of this event (``db.integrity.event_hash``)."""
