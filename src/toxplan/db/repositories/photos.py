"""Queries about patient photos. Lists never load the image bytes (they are deferred columns)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from toxplan.db.models import Photo, Treatment


def get(session: Session, clinic_id: str, photo_id: str, *, with_image: bool = False) -> Photo | None:
    query = select(Photo).where(Photo.id == photo_id, Photo.clinic_id == clinic_id)
    if with_image:
        query = query.options(undefer(Photo.image))
    return session.scalar(query)


def of_patient(session: Session, clinic_id: str, patient_id: str) -> list[Photo]:
    """The patient's photos, newest first."""
    query = (
        select(Photo)
        .where(Photo.clinic_id == clinic_id, Photo.patient_id == patient_id)
        .order_by(Photo.taken_at.desc(), Photo.id)
    )
    return list(session.scalars(query))


def treatments_between(
    session: Session, clinic_id: str, patient_id: str, start: dt.datetime, end: dt.datetime
) -> list[Treatment]:
    """Treatments whose visit lies between two photos (a before/after pair)."""
    query = (
        select(Treatment)
        .where(
            Treatment.clinic_id == clinic_id,
            Treatment.patient_id == patient_id,
            Treatment.visit_at >= start,
            Treatment.visit_at <= end,
        )
        .order_by(Treatment.visit_at, Treatment.id)
    )
    return list(session.scalars(query))
