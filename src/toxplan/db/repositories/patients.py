"""Queries about patients and what is recorded about them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from toxplan.db.models import (
    Patient,
    PatientAllergy,
    PatientCondition,
    PatientMedication,
    Screening,
    WeightRecord,
)
from toxplan.db.repositories.search import patient_filter


def get(session: Session, clinic_id: str, patient_id: str) -> Patient | None:
    return session.scalar(select(Patient).where(Patient.id == patient_id, Patient.clinic_id == clinic_id))


def lock(session: Session, clinic_id: str, patient_id: str) -> Patient | None:
    """The patient row, locked until the transaction ends, so that recordings for one patient
    run one after another. (On SQLite the whole database is already locked by BEGIN IMMEDIATE.)"""
    query = select(Patient).where(Patient.id == patient_id, Patient.clinic_id == clinic_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def search(session: Session, clinic_id: str, text: str, *, limit: int = 50, offset: int = 0) -> list[Patient]:
    query = select(Patient).where(Patient.clinic_id == clinic_id)
    if text:
        query = query.where(patient_filter(text))
    return list(
        session.scalars(query.order_by(Patient.family_name, Patient.given_name, Patient.id).limit(limit).offset(offset))
    )


def facts(
    session: Session, patient_id: str
) -> tuple[list[PatientCondition], list[PatientMedication], list[PatientAllergy]]:
    """The patient's active conditions, medications and allergies."""

    def active(model: Any) -> list[Any]:
        return list(
            session.scalars(
                select(model).where(model.patient_id == patient_id, model.active).order_by(model.recorded_at, model.id)
            )
        )

    return active(PatientCondition), active(PatientMedication), active(PatientAllergy)


def latest_weight(session: Session, patient_id: str, on: dt.date) -> WeightRecord | None:
    return session.scalar(
        select(WeightRecord)
        .where(WeightRecord.patient_id == patient_id, WeightRecord.measured_on <= on)
        .order_by(WeightRecord.measured_on.desc(), WeightRecord.recorded_at.desc(), WeightRecord.id.desc())
        .limit(1)
    )


def screening(session: Session, patient_id: str, screening_id: str) -> Screening | None:
    return session.scalar(select(Screening).where(Screening.id == screening_id, Screening.patient_id == patient_id))


def screening_on(session: Session, patient_id: str, on: dt.date) -> Screening | None:
    return session.scalar(
        select(Screening)
        .where(Screening.patient_id == patient_id, Screening.visit_on == on)
        .order_by(Screening.recorded_at.desc(), Screening.id.desc())
        .limit(1)
    )
