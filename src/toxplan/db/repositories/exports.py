"""Queries behind the exports: a clinic's details, a patient's consents and whole record, and
the clinic's treatments, lots, adverse events and follow-ups between two moments.

Every query is scoped to one clinic, or to a patient already loaded through its clinic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from toxplan.db.models import (
    AdverseEvent,
    Clinic,
    Consent,
    Cosignature,
    FollowUp,
    Lot,
    Patient,
    Treatment,
    TreatmentInjection,
    User,
)


def clinic(session: Session, clinic_id: str) -> Clinic | None:
    return session.get(Clinic, clinic_id)


def consents(session: Session, patient_id: str) -> list[Consent]:
    """The patient's consents, oldest first."""
    query = select(Consent).where(Consent.patient_id == patient_id)
    return list(session.scalars(query.order_by(Consent.signed_at, Consent.id)))


def users(session: Session, clinic_id: str, user_ids: set[str]) -> list[User]:
    if not user_ids:
        return []
    query = select(User).where(User.clinic_id == clinic_id, User.id.in_(user_ids))
    return list(session.scalars(query.order_by(User.name, User.id)))


def lots(session: Session, clinic_id: str, lot_ids: set[str]) -> list[Lot]:
    if not lot_ids:
        return []
    query = select(Lot).where(Lot.clinic_id == clinic_id, Lot.id.in_(lot_ids))
    return list(session.scalars(query.order_by(Lot.lot_number, Lot.id)))


def injections_of(session: Session, treatment_ids: list[str]) -> list[TreatmentInjection]:
    if not treatment_ids:
        return []
    query = select(TreatmentInjection).where(TreatmentInjection.treatment_id.in_(treatment_ids))
    return list(session.scalars(query.order_by(TreatmentInjection.treatment_id, TreatmentInjection.seq)))


def cosignatures_of(session: Session, treatment_ids: list[str]) -> list[Cosignature]:
    if not treatment_ids:
        return []
    return list(session.scalars(select(Cosignature).where(Cosignature.treatment_id.in_(treatment_ids))))


InjectionRow = tuple[Treatment, TreatmentInjection, Patient, Lot, str, str | None]
"""A treatment, one of its injections, the patient, the lot, the injector's and co-signer's names."""


def injections_between(session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime) -> list[InjectionRow]:
    """Every injection of the clinic's treatments with ``start <= visit < end``, by visit then order."""
    injector = aliased(User)
    cosigner = aliased(User)
    rows = session.execute(
        select(Treatment, TreatmentInjection, Patient, Lot, injector.name, cosigner.name)
        .join(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id)
        .join(Patient, Patient.id == Treatment.patient_id)
        .join(Lot, Lot.id == Treatment.lot_id)
        .join(injector, injector.id == Treatment.injector_id)
        .outerjoin(Cosignature, Cosignature.treatment_id == Treatment.id)
        .outerjoin(cosigner, cosigner.id == Cosignature.user_id)
        .where(Treatment.clinic_id == clinic_id, Treatment.visit_at >= start, Treatment.visit_at < end)
        .order_by(Treatment.visit_at, Treatment.id, TreatmentInjection.seq)
    )
    return [(t, i, p, lot, name, co) for t, i, p, lot, name, co in rows]


def lot_usage(
    session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[Lot, int, int, Decimal]]:
    """Each lot used by treatments with ``start <= visit < end``: patients, treatments and units."""
    rows = session.execute(
        select(
            Lot,
            func.count(func.distinct(Treatment.patient_id)),
            func.count(Treatment.id),
            func.sum(Treatment.total_units),
        )
        .join(Treatment, Treatment.lot_id == Lot.id)
        .where(Lot.clinic_id == clinic_id, Treatment.visit_at >= start, Treatment.visit_at < end)
        .group_by(Lot.id)
        .order_by(Lot.product, Lot.lot_number)
    )
    return [(lot, int(patients), int(count), Decimal(units)) for lot, patients, count, units in rows]


def adverse_events_between(
    session: Session, clinic_id: str, first: dt.date, last: dt.date
) -> list[tuple[AdverseEvent, Patient, Treatment, Lot]]:
    """The clinic's adverse events with onset from ``first`` to ``last`` (inclusive)."""
    rows = session.execute(
        select(AdverseEvent, Patient, Treatment, Lot)
        .join(Patient, Patient.id == AdverseEvent.patient_id)
        .join(Treatment, Treatment.id == AdverseEvent.treatment_id)
        .join(Lot, Lot.id == AdverseEvent.lot_id)
        .where(AdverseEvent.clinic_id == clinic_id, AdverseEvent.onset_on >= first, AdverseEvent.onset_on <= last)
        .order_by(AdverseEvent.onset_on, AdverseEvent.id)
    )
    return [(e, p, t, lot) for e, p, t, lot in rows]


def follow_ups_between(
    session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[FollowUp, Patient, Treatment]]:
    """Follow-ups of the clinic's treatments with ``start <= visit < end``."""
    rows = session.execute(
        select(FollowUp, Patient, Treatment)
        .join(Patient, Patient.id == FollowUp.patient_id)
        .join(Treatment, Treatment.id == FollowUp.treatment_id)
        .where(FollowUp.clinic_id == clinic_id, Treatment.visit_at >= start, Treatment.visit_at < end)
        .order_by(Treatment.visit_at, FollowUp.due_on, FollowUp.id)
    )
    return [(f, p, t) for f, p, t in rows]
