"""Queries behind the lists of the API and the pages: patient search pages, the co-sign queue,
follow-ups, lots and their vials, a patient's timeline. Every query is scoped to one clinic or
to one patient the caller has already loaded through its clinic, so nothing here can cross
clinics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from toxplan.db.models import (
    Cosignature,
    FollowUp,
    Lot,
    Patient,
    Reconstitution,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
    TreatmentReview,
    User,
)
from toxplan.db.repositories.search import patient_filter


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally: ``%`` and ``_`` typed by a user are not wildcards."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _count(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def patient_page(session: Session, clinic_id: str, text: str, *, limit: int, offset: int) -> tuple[list[Patient], int]:
    """Patients whose given or family name contains ``text`` (all when empty), by name, and the total."""
    query = select(Patient).where(Patient.clinic_id == clinic_id)
    if text:
        query = query.where(patient_filter(text))
    ordered = query.order_by(Patient.family_name, Patient.given_name, Patient.id)
    return list(session.scalars(ordered.limit(limit).offset(offset))), _count(session, query)


@dataclass(frozen=True)
class QueueRow:
    treatment: Treatment
    patient: Patient
    injector_name: str
    lot_number: str
    critical: int
    """Critical findings shown at signing (each was overridden, or the treatment was refused)."""


def _not_cosigned() -> ColumnElement[bool]:
    """Waiting for review: neither co-signed nor rejected by a medical director."""
    rejected = exists().where(TreatmentReview.treatment_id == Treatment.id, TreatmentReview.decision == "reject")
    return and_(~exists().where(Cosignature.treatment_id == Treatment.id), ~rejected)


def cosign_queue(
    session: Session,
    clinic_id: str,
    *,
    limit: int,
    offset: int,
    exclude_injector: str | None = None,
    newest_first: bool = False,
) -> tuple[list[QueueRow], int]:
    """Signed treatments of the clinic without a co-signature, and their total.

    Oldest signature first (they wait longest), or with ``newest_first`` the latest visit first.
    ``exclude_injector`` leaves out one user's own treatments (a director may not co-sign them).
    """
    waiting = [Treatment.clinic_id == clinic_id, _not_cosigned()]
    if exclude_injector is not None:
        waiting.append(Treatment.injector_id != exclude_injector)
    critical = (
        select(func.count())
        .where(TreatmentFinding.treatment_id == Treatment.id, TreatmentFinding.severity == "critical")
        .correlate(Treatment)
        .scalar_subquery()
    )
    query = (
        select(Treatment, Patient, User.name, Lot.lot_number, critical)
        .join(Patient, Patient.id == Treatment.patient_id)
        .join(User, User.id == Treatment.injector_id)
        .join(Lot, Lot.id == Treatment.lot_id)
        .where(*waiting)
    )
    order = (Treatment.visit_at.desc(), Treatment.id) if newest_first else (Treatment.signed_at, Treatment.id)
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset))
    total = _count(session, select(Treatment.id).where(*waiting))
    return [QueueRow(t, p, name, number, int(n or 0)) for t, p, name, number, n in rows], total


def follow_up_page(
    session: Session, clinic_id: str, *, open_only: bool | None, limit: int, offset: int
) -> tuple[list[tuple[FollowUp, Patient]], int]:
    """Follow-ups of the clinic by due date; ``open_only`` True: not yet reviewed, False: reviewed."""
    query = select(FollowUp, Patient).join(Patient, Patient.id == FollowUp.patient_id)
    query = query.where(FollowUp.clinic_id == clinic_id)
    if open_only is not None:
        query = query.where(FollowUp.reviewed_on.is_(None) if open_only else FollowUp.reviewed_on.is_not(None))
    rows = session.execute(query.order_by(FollowUp.due_on, FollowUp.id).limit(limit).offset(offset))
    return [(f, p) for f, p in rows], _count(session, query)


def lots(session: Session, clinic_id: str) -> list[Lot]:
    """The clinic's lots by expiry date (then product and lot number, unique within a clinic)."""
    query = select(Lot).where(Lot.clinic_id == clinic_id)
    return list(session.scalars(query.order_by(Lot.expiry_date, Lot.product, Lot.lot_number, Lot.id)))


def reconstitutions(session: Session, clinic_id: str) -> list[Reconstitution]:
    """The clinic's reconstituted vials, newest first."""
    query = select(Reconstitution).where(Reconstitution.clinic_id == clinic_id)
    return list(session.scalars(query.order_by(Reconstitution.reconstituted_at.desc(), Reconstitution.id)))


def unexpired_lots(session: Session, clinic_id: str, today: dt.date) -> list[Lot]:
    """Lots still usable on ``today``, by product, then expiry date and lot number."""
    query = select(Lot).where(Lot.clinic_id == clinic_id, Lot.expiry_date >= today)
    return list(session.scalars(query.order_by(Lot.product, Lot.expiry_date, Lot.lot_number)))


def vials(
    session: Session, clinic_id: str, lot_id: str, *, since: dt.datetime, until: dt.datetime
) -> list[Reconstitution]:
    """Vials of the lot reconstituted between ``since`` and ``until``, newest first."""
    query = select(Reconstitution).where(
        Reconstitution.clinic_id == clinic_id,
        Reconstitution.lot_id == lot_id,
        Reconstitution.reconstituted_at >= since,
        Reconstitution.reconstituted_at <= until,
    )
    return list(session.scalars(query.order_by(Reconstitution.reconstituted_at.desc())))


def user_names(session: Session, clinic_id: str, user_ids: set[str]) -> dict[str, str]:
    """Names of the clinic's users with these ids (for 'signed by' fields)."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.clinic_id == clinic_id, User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}


def lot_number(session: Session, lot_id: str) -> str | None:
    return session.scalar(select(Lot.lot_number).where(Lot.id == lot_id))


@dataclass
class TimelineRow:
    treatment: Treatment
    lot_number: str
    injector_name: str
    cosigned: bool
    indications: list[str] = field(default_factory=list)
    """In the order they were first injected."""
    units_by_indication: dict[str, Decimal] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    """Findings shown at signing, counted by severity."""
    overridden: int = 0


def timeline(session: Session, patient_id: str) -> list[TimelineRow]:
    """The patient's treatments, most recent first, in three queries whatever their number."""
    rows = session.execute(
        select(Treatment, Lot.lot_number, User.name, Cosignature.id)
        .join(Lot, Lot.id == Treatment.lot_id)
        .join(User, User.id == Treatment.injector_id)
        .outerjoin(Cosignature, Cosignature.treatment_id == Treatment.id)
        .where(Treatment.patient_id == patient_id)
        .order_by(Treatment.visit_at.desc(), Treatment.id)
    )
    found = {t.id: TimelineRow(t, number, name, signature is not None) for t, number, name, signature in rows}
    ids = list(found)
    if not ids:
        return []
    indications = session.execute(
        select(
            TreatmentInjection.treatment_id,
            TreatmentInjection.indication,
            func.min(TreatmentInjection.seq),
            func.sum(TreatmentInjection.units),
        )
        .where(TreatmentInjection.treatment_id.in_(ids))
        .group_by(TreatmentInjection.treatment_id, TreatmentInjection.indication)
        .order_by(func.min(TreatmentInjection.seq))
    )
    for treatment_id, indication, _, units in indications:
        found[treatment_id].indications.append(indication)
        found[treatment_id].units_by_indication[indication] = Decimal(units)
    counts = session.execute(
        select(
            TreatmentFinding.treatment_id,
            TreatmentFinding.severity,
            func.count(),
            func.count(TreatmentFinding.override_reason),
        )
        .where(TreatmentFinding.treatment_id.in_(ids))
        .group_by(TreatmentFinding.treatment_id, TreatmentFinding.severity)
    )
    for treatment_id, severity, number, overridden in counts:
        found[treatment_id].findings[severity] = int(number)
        found[treatment_id].overridden += int(overridden)
    return list(found.values())


def follow_ups_for_patient(session: Session, patient_id: str) -> list[FollowUp]:
    query = select(FollowUp).where(FollowUp.patient_id == patient_id)
    return list(session.scalars(query.order_by(FollowUp.due_on, FollowUp.id)))
