"""What came of a treatment: follow-up reviews and adverse events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import Boolean, CheckConstraint, Date, Enum, ForeignKey, Integer, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, LongText, UTCDateTime, utcnow

EventType = Literal[
    "eyelid_ptosis",
    "brow_ptosis",
    "asymmetry",
    "bruising",
    "headache",
    "injection_site_pain",
    "injection_site_redness",
    "dysphagia",
    "breathing_difficulty",
    "distant_spread",
    "diplopia",
    "dry_eye",
    "muscle_weakness",
    "hypersensitivity",
    "other",
]
EventSeverity = Literal["mild", "moderate", "severe"]
EventOutcome = Literal["recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal", "unknown"]
# The values the CHECK constraints allow, from the one list above each.
EVENT_TYPES: tuple[EventType, ...] = get_args(EventType)
SEVERITIES: tuple[EventSeverity, ...] = get_args(EventSeverity)
OUTCOMES: tuple[EventOutcome, ...] = get_args(EventOutcome)


class FollowUp(IdMixin, Base):
    """A review after treatment (two weeks by default), with the 4-point wrinkle scale."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("fws_rest BETWEEN 0 AND 3", name="fws_rest"),
        CheckConstraint("fws_max BETWEEN 0 AND 3", name="fws_max"),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction"),
    )

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    fws_rest: Mapped[int | None] = mapped_column(Integer, default=None)
    """Facial wrinkle scale at rest: 0 none, 1 mild, 2 moderate, 3 severe."""
    fws_max: Mapped[int | None] = mapped_column(Integer, default=None)
    """Facial wrinkle scale at maximum contraction."""
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)
    touch_up_units: Mapped[Decimal | None] = mapped_column(Numeric(8, 3), default=None)
    effect_wore_off_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    note: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    no_show_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    """The patient did not come to the review: it leaves the worklist, unreviewed."""


class FollowUpReview(IdMixin, Base):
    """One version of a follow-up review, as it stood after a clinician recorded it.

    Append-only: a second review adds a version (the follow-up row shows the latest), so no
    score, note or author is ever overwritten.
    """

    __tablename__ = "follow_up_reviews"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "version", name="follow_up_version"),
        CheckConstraint("fws_rest BETWEEN 0 AND 3", name="fws_rest"),
        CheckConstraint("fws_max BETWEEN 0 AND 3", name="fws_max"),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction"),
    )

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    follow_up_id: Mapped[str] = mapped_column(ForeignKey("follow_ups.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    """1 for the first review, then 2, 3, ... in the order they were recorded."""
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    fws_rest: Mapped[int | None] = mapped_column(Integer, default=None)
    fws_max: Mapped[int | None] = mapped_column(Integer, default=None)
    satisfaction: Mapped[int | None] = mapped_column(Integer, default=None)
    touch_up_units: Mapped[Decimal | None] = mapped_column(Numeric(8, 3), default=None)
    effect_wore_off_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    note: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    """None only for reviews recorded before versions were kept, whose author is unknown."""
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


REVIEW_FIELDS = ("reviewed_on", "fws_rest", "fws_max", "satisfaction", "touch_up_units", "effect_wore_off_on", "note")
"""What a review records, on the follow-up (latest) and on each of its versions."""


class AdverseEvent(IdMixin, Base):
    __tablename__ = "adverse_events"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    treatment_id: Mapped[str] = mapped_column(ForeignKey("treatments.id"), index=True)
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    type: Mapped[str] = mapped_column(Enum(*EVENT_TYPES, name="event_type", native_enum=False, create_constraint=True))
    onset_on: Mapped[dt.date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(
        Enum(*SEVERITIES, name="event_severity", native_enum=False, create_constraint=True)
    )
    serious: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(
        Enum(*OUTCOMES, name="event_outcome", native_enum=False, create_constraint=True)
    )
    sites: Mapped[str] = mapped_column(LongText(), default="")
    """Site ids of the treatment concerned, space-separated."""
    description: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
