"""Clinic-saved plan templates, and patients contacted about a lot recall."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from toxplan.db.base import Base, IdMixin, UTCDateTime, utcnow


class PlanTemplate(IdMixin, Base):
    """A plan the clinic uses often ("Glabellar 20 + crow's feet 24"), filled in with one tap."""

    __tablename__ = "plan_templates"
    __table_args__ = (UniqueConstraint("clinic_id", "name", name="clinic_template_name"),)

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    product: Mapped[str] = mapped_column(String(40))
    injections: Mapped[str] = mapped_column(Text)
    """JSON list of {indication, site?, position?, units, depth?}."""
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecallContact(IdMixin, Base):
    """A patient told about a recalled lot."""

    __tablename__ = "recall_contacts"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    contacted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    contacted_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text, default=None)
