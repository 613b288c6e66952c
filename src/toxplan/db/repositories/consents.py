"""Queries about consents and the clinic's policy settings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from toxplan.db.models import Clinic, Consent


def clinic(session: Session, clinic_id: str) -> Clinic | None:
    return session.get(Clinic, clinic_id)


def for_patient(session: Session, patient_id: str, *, since: dt.datetime | None = None) -> list[Consent]:
    """The patient's consents, newest first (since ``since`` when given)."""
    query = select(Consent).where(Consent.patient_id == patient_id)
    if since is not None:
        query = query.where(Consent.signed_at >= since)
    return list(session.scalars(query.order_by(Consent.signed_at.desc(), Consent.id)))


def get(session: Session, clinic_id: str, consent_id: str) -> Consent | None:
    return session.scalar(select(Consent).where(Consent.id == consent_id, Consent.clinic_id == clinic_id))
