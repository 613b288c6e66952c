"""Queries about treatments, their injections and findings, lots and outcomes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from toxplan.db.models import (
    Addendum,
    AdverseEvent,
    Cosignature,
    FollowUp,
    FollowUpReview,
    Lot,
    Patient,
    RecallContact,
    Reconstitution,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
)


def dose_history(
    session: Session, patient_id: str, since: dt.datetime, until: dt.datetime | None = None
) -> list[tuple[dt.datetime, str, str, Decimal]]:
    """(visit, product, indication, units) per signed treatment and indication from ``since``
    (to ``until``, when given).

    Uses the patient index only, so its cost does not grow with the size of the clinic.
    """
    bounds = [Treatment.patient_id == patient_id, Treatment.visit_at >= since]
    if until is not None:
        bounds.append(Treatment.visit_at <= until)
    rows = session.execute(
        select(
            Treatment.visit_at,
            Treatment.product,
            TreatmentInjection.indication,
            func.sum(TreatmentInjection.units),
        )
        .join(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id)
        .where(*bounds)
        .group_by(Treatment.id, Treatment.visit_at, Treatment.product, TreatmentInjection.indication)
        .order_by(Treatment.visit_at)
    )
    return [(visit, product, indication, Decimal(units)) for visit, product, indication, units in rows]


def get(session: Session, clinic_id: str, treatment_id: str) -> Treatment | None:
    return session.scalar(select(Treatment).where(Treatment.id == treatment_id, Treatment.clinic_id == clinic_id))


def injections(session: Session, treatment_id: str) -> list[TreatmentInjection]:
    return list(
        session.scalars(
            select(TreatmentInjection)
            .where(TreatmentInjection.treatment_id == treatment_id)
            .order_by(TreatmentInjection.seq)
        )
    )


def findings(session: Session, treatment_id: str) -> list[TreatmentFinding]:
    return list(
        session.scalars(
            select(TreatmentFinding).where(TreatmentFinding.treatment_id == treatment_id).order_by(TreatmentFinding.id)
        )
    )


def cosignature(session: Session, treatment_id: str) -> Cosignature | None:
    return session.scalar(select(Cosignature).where(Cosignature.treatment_id == treatment_id))


def addenda(session: Session, treatment_id: str) -> list[Addendum]:
    return list(
        session.scalars(
            select(Addendum).where(Addendum.treatment_id == treatment_id).order_by(Addendum.created_at, Addendum.id)
        )
    )


def for_patient(session: Session, patient_id: str) -> list[Treatment]:
    return list(
        session.scalars(
            select(Treatment)
            .where(Treatment.patient_id == patient_id)
            .order_by(Treatment.visit_at.desc(), Treatment.id)
        )
    )


def follow_ups(session: Session, treatment_ids: list[str]) -> list[FollowUp]:
    if not treatment_ids:
        return []
    return list(
        session.scalars(
            select(FollowUp).where(FollowUp.treatment_id.in_(treatment_ids)).order_by(FollowUp.due_on, FollowUp.id)
        )
    )


def follow_up(session: Session, clinic_id: str, follow_up_id: str, *, lock: bool = False) -> FollowUp | None:
    """The follow-up; with ``lock``, locked until the transaction ends (PostgreSQL), so two
    reviews recorded at once get versions one after the other."""
    query = select(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.clinic_id == clinic_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def reviews(session: Session, follow_up_ids: list[str]) -> list[FollowUpReview]:
    """Every version of the reviews of these follow-ups, oldest first."""
    if not follow_up_ids:
        return []
    return list(
        session.scalars(
            select(FollowUpReview)
            .where(FollowUpReview.follow_up_id.in_(follow_up_ids))
            .order_by(FollowUpReview.follow_up_id, FollowUpReview.version)
        )
    )


def review_count(session: Session, follow_up_id: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(FollowUpReview).where(FollowUpReview.follow_up_id == follow_up_id)
        )
        or 0
    )


def adverse_events(session: Session, patient_id: str) -> list[AdverseEvent]:
    return list(
        session.scalars(
            select(AdverseEvent)
            .where(AdverseEvent.patient_id == patient_id)
            .order_by(AdverseEvent.onset_on, AdverseEvent.id)
        )
    )


def lot(session: Session, clinic_id: str, lot_id: str) -> Lot | None:
    return session.scalar(select(Lot).where(Lot.id == lot_id, Lot.clinic_id == clinic_id))


def lot_by_number(session: Session, clinic_id: str, product: str, lot_number: str) -> Lot | None:
    return session.scalar(
        select(Lot).where(Lot.clinic_id == clinic_id, Lot.product == product, Lot.lot_number == lot_number)
    )


def reconstitution(session: Session, clinic_id: str, reconstitution_id: str) -> Reconstitution | None:
    return session.scalar(
        select(Reconstitution).where(Reconstitution.id == reconstitution_id, Reconstitution.clinic_id == clinic_id)
    )


def recall(session: Session, clinic_id: str, lot_key: str) -> list[tuple[Treatment, Patient, Lot]]:
    """Every treatment, with its patient, that used a lot whose number contains ``lot_key``
    (letters and digits only, lower case: "bo4393-00100" finds BO4393-00100)."""
    escaped = lot_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.execute(
        select(Treatment, Patient, Lot)
        .join(Lot, Lot.id == Treatment.lot_id)
        .join(Patient, Patient.id == Treatment.patient_id)
        .where(Lot.clinic_id == clinic_id, Lot.lot_key.like(f"%{escaped}%", escape="\\"))
        .order_by(Lot.lot_number, Treatment.visit_at, Treatment.id)
    )
    return [(t, p, lot_row) for t, p, lot_row in rows]


def recall_contacts(session: Session, clinic_id: str, lot_ids: list[str]) -> dict[tuple[str, str], RecallContact]:
    """(lot id, patient id) -> the latest contact about that lot."""
    if not lot_ids:
        return {}
    rows = session.scalars(
        select(RecallContact)
        .where(RecallContact.clinic_id == clinic_id, RecallContact.lot_id.in_(lot_ids))
        .order_by(RecallContact.contacted_at)
    )
    return {(c.lot_id, c.patient_id): c for c in rows}
