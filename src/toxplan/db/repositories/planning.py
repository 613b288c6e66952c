"""Queries for starting a plan quickly: the clinic's most used product, a patient's last
treatment, the clinic's saved plan templates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from toxplan.db.models import PlanTemplate, Treatment


def most_used_product(session: Session, clinic_id: str, since: dt.datetime) -> str | None:
    return session.scalar(
        select(Treatment.product)
        .where(Treatment.clinic_id == clinic_id, Treatment.visit_at >= since)
        .group_by(Treatment.product)
        .order_by(func.count().desc(), Treatment.product)
        .limit(1)
    )


def last_treatment(session: Session, patient_id: str) -> Treatment | None:
    return session.scalar(
        select(Treatment).where(Treatment.patient_id == patient_id).order_by(Treatment.visit_at.desc()).limit(1)
    )


def templates(session: Session, clinic_id: str) -> list[PlanTemplate]:
    return list(
        session.scalars(select(PlanTemplate).where(PlanTemplate.clinic_id == clinic_id).order_by(PlanTemplate.name))
    )


def template_named(session: Session, clinic_id: str, name: str) -> PlanTemplate | None:
    return session.scalar(select(PlanTemplate).where(PlanTemplate.clinic_id == clinic_id, PlanTemplate.name == name))
