"""Queries behind the worklists: the review queue with each record's findings counted, a
treatment's reviews, open queries per injector, follow-ups due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from toxplan.db.models import (
    Cosignature,
    FollowUp,
    Lot,
    Patient,
    Treatment,
    TreatmentFinding,
    TreatmentReview,
    User,
)


@dataclass(frozen=True)
class ReviewRow:
    treatment: Treatment
    patient: Patient
    injector_name: str
    lot_number: str
    critical: int
    overridden: int
    warnings: int
    open_query: bool
    """Queried back to the injector and not answered yet."""
    answered: bool
    """A query was answered: the director reads the answer before co-signing."""


def _count(severity: str, *, overridden: bool = False) -> ColumnElement[int]:
    where = [TreatmentFinding.treatment_id == Treatment.id, TreatmentFinding.severity == severity]
    if overridden:
        where.append(TreatmentFinding.override_reason.is_not(None))
    return select(func.count()).where(*where).correlate(Treatment).scalar_subquery()


def _review(decision: str, *extra: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(TreatmentReview.treatment_id == Treatment.id, TreatmentReview.decision == decision, *extra)


def review_queue(session: Session, clinic_id: str, *, limit: int) -> tuple[list[ReviewRow], int]:
    """Every signed treatment neither co-signed nor rejected, latest visit first, with its
    critical (all overridden, or it was not signed), overridden and warning findings counted."""
    waiting = [
        Treatment.clinic_id == clinic_id,
        ~exists().where(Cosignature.treatment_id == Treatment.id),
        ~_review("reject"),
    ]
    query = (
        select(
            Treatment,
            Patient,
            User.name,
            Lot.lot_number,
            _count("critical"),
            _count("critical", overridden=True),
            _count("warning"),
            _review("query", TreatmentReview.answered_at.is_(None)),
            _review("query", TreatmentReview.answered_at.is_not(None)),
        )
        .join(Patient, Patient.id == Treatment.patient_id)
        .join(User, User.id == Treatment.injector_id)
        .join(Lot, Lot.id == Treatment.lot_id)
        .where(*waiting)
        .order_by(Treatment.visit_at.desc(), Treatment.id)
        .limit(limit)
    )
    rows = [
        ReviewRow(t, p, name, number, int(c or 0), int(o or 0), int(w or 0), bool(q), bool(a))
        for t, p, name, number, c, o, w, q, a in session.execute(query)
    ]
    total = int(session.scalar(select(func.count()).select_from(Treatment).where(*waiting)) or 0)
    return rows, total


def reviews_of(session: Session, treatment_id: str) -> list[TreatmentReview]:
    query = select(TreatmentReview).where(TreatmentReview.treatment_id == treatment_id)
    return list(session.scalars(query.order_by(TreatmentReview.created_at, TreatmentReview.id)))


def review(session: Session, clinic_id: str, review_id: str) -> TreatmentReview | None:
    return session.scalar(
        select(TreatmentReview).where(TreatmentReview.id == review_id, TreatmentReview.clinic_id == clinic_id)
    )


def reviews_for_injector(
    session: Session, clinic_id: str, injector_id: str
) -> list[tuple[TreatmentReview, Treatment, Patient]]:
    """Queries still open and rejections of this injector's treatments, newest first."""
    rows = session.execute(
        select(TreatmentReview, Treatment, Patient)
        .join(Treatment, Treatment.id == TreatmentReview.treatment_id)
        .join(Patient, Patient.id == Treatment.patient_id)
        .where(
            TreatmentReview.clinic_id == clinic_id,
            Treatment.injector_id == injector_id,
            (TreatmentReview.decision == "reject")
            | and_(TreatmentReview.decision == "query", TreatmentReview.answered_at.is_(None)),
        )
        .order_by(TreatmentReview.created_at.desc(), TreatmentReview.id)
    )
    return [(r, t, p) for r, t, p in rows]


def follow_ups_due(
    session: Session, clinic_id: str, *, until: dt.date, limit: int
) -> list[tuple[FollowUp, Patient, Treatment]]:
    """Open follow-ups (not reviewed, not a no-show) due on or before ``until``, earliest first."""
    rows = session.execute(
        select(FollowUp, Patient, Treatment)
        .join(Patient, Patient.id == FollowUp.patient_id)
        .join(Treatment, Treatment.id == FollowUp.treatment_id)
        .where(
            FollowUp.clinic_id == clinic_id,
            FollowUp.reviewed_on.is_(None),
            FollowUp.no_show_on.is_(None),
            FollowUp.due_on <= until,
        )
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit)
    )
    return [(f, p, t) for f, p, t in rows]
