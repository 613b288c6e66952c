"""Signed treatments. A treatment row is written once, when it is signed, and never changed:
co-signatures and corrections are rows of their own (``Cosignature``, ``Addendum``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, LongText, Str, UTCDateTime, utcnow


class Treatment(IdMixin, Base):
    __tablename__ = "treatments"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    injector_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    visit_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    product: Mapped[str] = mapped_column(Str(40))
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    reconstitution_id: Mapped[str | None] = mapped_column(ForeignKey("reconstitutions.id"), default=None)
    vial_units: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    diluent_ml: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    total_units: Mapped[Decimal] = mapped_column(Numeric(9, 3))
    knowledge_version: Mapped[str] = mapped_column(Str(60))
    screening_id: Mapped[str | None] = mapped_column(ForeignKey("screenings.id"), default=None)
    note: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(Str(64))
    """SHA-256 of this row, its injections and its findings as signed (``db.integrity``); the
    signing audit event names it, so a changed dose breaks the chain's evidence."""
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("consents.id"), default=None)
    """The patient's consent that covered this treatment's product and areas when it was signed."""
    signer_name: Mapped[str | None] = mapped_column(Str(limits.NAME), default=None)
    """The injector's printed name when they signed (signature meaning: performed)."""


class TreatmentInjection(IdMixin, Base):
    __tablename__ = "treatment_injections"

    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    indication: Mapped[str] = mapped_column(Str(limits.KEY))
    site: Mapped[str | None] = mapped_column(Str(80), default=None)
    x_mm: Mapped[Decimal | None] = mapped_column(Numeric(7, 1), default=None)
    y_mm: Mapped[Decimal | None] = mapped_column(Numeric(7, 1), default=None)
    view: Mapped[str | None] = mapped_column(Str(10), default=None)
    muscle: Mapped[str | None] = mapped_column(Str(120), default=None)
    units: Mapped[Decimal] = mapped_column(Numeric(8, 3))
    volume_ml: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    depth: Mapped[str | None] = mapped_column(Str(20), default=None)
    needle: Mapped[str | None] = mapped_column(Str(limits.KEY), default=None)
    note: Mapped[str | None] = mapped_column(LongText(limits.FACT), default=None)


class TreatmentFinding(IdMixin, Base):
    """A finding shown when the treatment was signed, with the override reason if critical."""

    __tablename__ = "treatment_findings"

    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    code: Mapped[str] = mapped_column(Str(40))
    severity: Mapped[str] = mapped_column(Str(10))
    message: Mapped[str] = mapped_column(LongText())
    subject_type: Mapped[str] = mapped_column(Str(20))
    subject_id: Mapped[str] = mapped_column(Str(limits.NAME))
    subject_row: Mapped[int | None] = mapped_column(Integer, default=None)
    citations: Mapped[str] = mapped_column(LongText())
    """Citation ids, space-separated."""
    override_reason: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    override_category: Mapped[str | None] = mapped_column(Str(40), default=None)
    """Why it was overridden (``OVERRIDE_CATEGORIES``); None for overrides signed before categories."""


class Cosignature(IdMixin, Base):
    __tablename__ = "cosignatures"
    __table_args__ = (UniqueConstraint("treatment_id", name="one_cosignature"),)

    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    signer_name: Mapped[str | None] = mapped_column(String(200), default=None)
    """The medical director's printed name when they co-signed (signature meaning: reviewed)."""


class Addendum(IdMixin, Base):
    """A correction or addition to a signed treatment; the original stays readable."""

    __tablename__ = "addenda"

    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(LongText(limits.ADDENDUM))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


REVIEW_DECISIONS = ("query", "reject")


class TreatmentReview(IdMixin, Base):
    """A medical director's review short of a co-signature: a query back to the injector (answered
    with an addendum) or a rejection (the record stays as signed, marked rejected)."""

    __tablename__ = "treatment_reviews"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    reviewer_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reviewer_name: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(
        Enum(*REVIEW_DECISIONS, name="review_decision", native_enum=False, create_constraint=True)
    )
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    """When the injector answered a query (their answer is an addendum)."""
