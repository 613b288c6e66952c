"""Queries about vials: units drawn from them, vials opened per lot, units used per month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from toxplan.db.models import Lot, Reconstitution, Treatment, VialDraw


def drawn(session: Session, vial_ids: list[str]) -> dict[str, Decimal]:
    """Units drawn so far from each vial (vials nothing was drawn from are left out)."""
    if not vial_ids:
        return {}
    rows = session.execute(
        select(VialDraw.reconstitution_id, func.sum(VialDraw.units))
        .where(VialDraw.reconstitution_id.in_(vial_ids))
        .group_by(VialDraw.reconstitution_id)
    )
    return {vial: Decimal(str(units)) for vial, units in rows}


def vials_since(session: Session, clinic_id: str, since: dt.datetime) -> list[tuple[Reconstitution, Lot]]:
    """The clinic's vials made up since ``since``, newest first, with their lots."""
    rows = session.execute(
        select(Reconstitution, Lot)
        .join(Lot, Lot.id == Reconstitution.lot_id)
        .where(Reconstitution.clinic_id == clinic_id, Reconstitution.reconstituted_at >= since)
        .order_by(Reconstitution.reconstituted_at.desc(), Reconstitution.id)
    )
    return [(vial, lot) for vial, lot in rows]


def opened_per_lot(session: Session, clinic_id: str) -> dict[str, int]:
    """How many vials of each lot have been made up."""
    rows = session.execute(
        select(Reconstitution.lot_id, func.count())
        .where(Reconstitution.clinic_id == clinic_id)
        .group_by(Reconstitution.lot_id)
    )
    return {lot_id: int(n) for lot_id, n in rows}


def opened_of_lot(session: Session, lot_id: str) -> int:
    return int(session.scalar(select(func.count()).where(Reconstitution.lot_id == lot_id)) or 0)


def units_used_since(session: Session, clinic_id: str, since: dt.datetime) -> list[tuple[dt.datetime, str, Decimal]]:
    """(visit, product, units) of every treatment signed since ``since``: the caller groups by month."""
    rows = session.execute(
        select(Treatment.visit_at, Treatment.product, Treatment.total_units).where(
            Treatment.clinic_id == clinic_id, Treatment.visit_at >= since
        )
    )
    return [(visit, product, Decimal(str(units))) for visit, product, units in rows]


def vial(session: Session, clinic_id: str, vial_id: str) -> Reconstitution | None:
    return session.scalar(
        select(Reconstitution).where(Reconstitution.id == vial_id, Reconstitution.clinic_id == clinic_id)
    )


def draws_of(session: Session, treatment_id: str) -> list[VialDraw]:
    return list(session.scalars(select(VialDraw).where(VialDraw.treatment_id == treatment_id).order_by(VialDraw.id)))
