"""Queries behind the titration advice: a patient's past treatments of one area."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from toxplan.db.models import Patient, Treatment, TreatmentInjection


def patient_anywhere(session: Session, patient_id: str) -> Patient | None:
    """A patient by id in any clinic: for the command line, which acts for the whole database."""
    return session.get(Patient, patient_id)


def area_treatments(session: Session, patient_id: str, indication: str) -> list[Treatment]:
    """The patient's treatments that included ``indication``, newest first (read by the patient
    and treatment indexes, so the cost does not grow with the clinic)."""
    included = exists().where(
        TreatmentInjection.treatment_id == Treatment.id, TreatmentInjection.indication == indication
    )
    return list(
        session.scalars(
            select(Treatment)
            .where(Treatment.patient_id == patient_id, included)
            .order_by(Treatment.visit_at.desc(), Treatment.id)
        )
    )


def injections_of(session: Session, treatment_ids: list[str]) -> list[TreatmentInjection]:
    """Every injection of these treatments (all areas), in order."""
    if not treatment_ids:
        return []
    return list(
        session.scalars(
            select(TreatmentInjection)
            .where(TreatmentInjection.treatment_id.in_(treatment_ids))
            .order_by(TreatmentInjection.treatment_id, TreatmentInjection.seq)
        )
    )
