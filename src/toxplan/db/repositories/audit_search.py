"""Reading a clinic's audit log with filters, for the audit page and its CSV export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from toxplan.db.models import AuditEvent, User


@dataclass(frozen=True)
class AuditFilter:
    since: dt.datetime | None = None
    """From this moment (inclusive)."""
    until: dt.datetime | None = None
    """Before this moment."""
    user_id: str | None = None
    action: str | None = None
    entity: str | None = None
    patient_id: str | None = None


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    user_name: str | None


def _query(clinic_id: str, wanted: AuditFilter) -> Select[AuditEvent, str]:
    query = (
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.clinic_id == clinic_id)
    )
    if wanted.since is not None:
        query = query.where(AuditEvent.at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEvent.at < wanted.until)
    for column, value in (
        (AuditEvent.user_id, wanted.user_id),
        (AuditEvent.action, wanted.action),
        (AuditEvent.entity, wanted.entity),
        (AuditEvent.patient_id, wanted.patient_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def page(
    session: Session, clinic_id: str, wanted: AuditFilter, *, limit: int, offset: int
) -> tuple[list[AuditRow], int]:
    """Newest first, and the number of matching events."""
    query = _query(clinic_id, wanted)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    ordered = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    return [AuditRow(event, name) for event, name in session.execute(ordered)], total


def count(session: Session, clinic_id: str, wanted: AuditFilter) -> int:
    query = _query(clinic_id, wanted)
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def everything(session: Session, clinic_id: str, wanted: AuditFilter) -> list[AuditRow]:
    """Every matching event, oldest first (the caller bounds the count first)."""
    ordered = _query(clinic_id, wanted).order_by(AuditEvent.at, AuditEvent.id)
    return [AuditRow(event, name) for event, name in session.execute(ordered)]


def entities(session: Session, clinic_id: str) -> list[str]:
    """The kinds of things the clinic's log mentions, for the filter."""
    query = select(AuditEvent.entity).where(AuditEvent.clinic_id == clinic_id).distinct().order_by(AuditEvent.entity)
    return list(session.scalars(query))
