"""Patients, what is known about them, and what is asked at each visit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from toxplan import limits
from toxplan.db.base import Base, IdMixin, LongText, Str, UTCDateTime, utcnow

SEXES = ("female", "male", "other", "unknown")


class Patient(IdMixin, Base):
    __tablename__ = "patients"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    given_name: Mapped[str] = mapped_column(Str(limits.NAME))
    family_name: Mapped[str] = mapped_column(Str(limits.NAME), index=True)
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(Enum(*SEXES, name="patient_sex", native_enum=False, create_constraint=True))
    phone: Mapped[str | None] = mapped_column(Str(limits.PHONE), default=None)
    email: Mapped[str | None] = mapped_column(Str(limits.EMAIL), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    search_key: Mapped[str | None] = mapped_column(Str(410), default=None)
    """" given family " folded (no accents or case), for search by names in any order."""
    phone_digits: Mapped[str | None] = mapped_column(Str(limits.PHONE), default=None)


class _PatientFact(IdMixin):
    """A row of a patient list (condition, medication, allergy): free text, a code if known."""

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    text: Mapped[str] = mapped_column(Str(limits.FACT))
    code: Mapped[str | None] = mapped_column(Str(limits.CODE), default=None)
    """ICD-10 for conditions, ATC for medications, when the entry was coded."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PatientCondition(_PatientFact, Base):
    __tablename__ = "patient_conditions"


class PatientMedication(_PatientFact, Base):
    __tablename__ = "patient_medications"


class PatientAllergy(_PatientFact, Base):
    __tablename__ = "patient_allergies"


class WeightRecord(IdMixin, Base):
    __tablename__ = "patient_weights"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    measured_on: Mapped[dt.date] = mapped_column(Date)
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    """Orders two weights of the same day: the later entry is the current one."""


class Screening(IdMixin, Base):
    """The pre-treatment questions of one visit."""

    __tablename__ = "screenings"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    visit_on: Mapped[dt.date] = mapped_column(Date)
    pregnant: Mapped[bool | None] = mapped_column(Boolean, default=None)
    breastfeeding: Mapped[bool | None] = mapped_column(Boolean, default=None)
    infection_at_site: Mapped[bool | None] = mapped_column(Boolean, default=None)
    new_medications: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    concern: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    muscles_on_animation: Mapped[str | None] = mapped_column(LongText(limits.NOTE), default=None)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(IdMixin, Base):
    __tablename__ = "consents"

    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    form_version: Mapped[str] = mapped_column(Str(limits.FORM_VERSION))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    signed_by: Mapped[str] = mapped_column(Str(limits.NAME))
    """Who signed: the patient, or their legal representative, by name."""
    witnessed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # A consent taken on a knowledge-base form: what exactly was signed, for which product and
    # areas. Consents recorded before forms existed leave these empty and cover nothing.
    form_id: Mapped[str | None] = mapped_column(Str(80), default=None)
    product: Mapped[str | None] = mapped_column(Str(40), default=None)
    purpose: Mapped[str | None] = mapped_column(Str(20), default=None)
    areas: Mapped[str | None] = mapped_column(LongText(), default=None)
    """Indication ids, space-separated."""
    text: Mapped[str | None] = mapped_column(LongText(), default=None)
    """The form's words as the patient read them."""
    text_sha256: Mapped[str | None] = mapped_column(Str(64), default=None)
    signature_png: Mapped[str | None] = mapped_column(LongText(), default=None)
    """The drawn signature, a PNG image in base64."""
