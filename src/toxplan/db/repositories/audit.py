"""The audit log. It can be appended to and read; this module offers nothing else."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from toxplan.db.models import AuditEvent
from toxplan.db.repositories import audit_chain


def append(session: Session, event: AuditEvent) -> None:
    """Add an event to its hash chain when the transaction commits (``audit_chain``)."""
    audit_chain.defer(session, event)


def for_patient(session: Session, clinic_id: str, patient_id: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.clinic_id == clinic_id, AuditEvent.patient_id == patient_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
