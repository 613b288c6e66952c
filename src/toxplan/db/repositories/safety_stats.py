"""Queries behind the clinic safety report: treatments, adverse events and effect durations of
one clinic in a period, counted in the database where that is possible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import ColumnElement, and_, distinct, func, select
from sqlalchemy.orm import Session

from toxplan.db.models import AdverseEvent, FollowUp, Lot, Treatment, TreatmentInjection, User

CHUNK = 500
"""Ids per IN list: well inside every database's limit on bound parameters."""


def _in_period(clinic_id: str, start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    return and_(Treatment.clinic_id == clinic_id, Treatment.visit_at >= start, Treatment.visit_at < end)


def treatment_count(session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime) -> int:
    return int(session.scalar(select(func.count(Treatment.id)).where(_in_period(clinic_id, start, end))) or 0)


def exposures(
    session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, str, str, str, int]]:
    """(product, indication, injector id, lot id, treatments) for the treatments in the period."""
    rows = session.execute(
        select(
            Treatment.product,
            TreatmentInjection.indication,
            Treatment.injector_id,
            Treatment.lot_id,
            func.count(distinct(Treatment.id)),
        )
        .join(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id)
        .where(_in_period(clinic_id, start, end))
        .group_by(Treatment.product, TreatmentInjection.indication, Treatment.injector_id, Treatment.lot_id)
    )
    return [(p, i, inj, lot, int(n)) for p, i, inj, lot, n in rows]


def events(
    session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, str, str, str, str, str]]:
    """(treatment id, event type, linked sites, product, injector id, lot id) of every adverse
    event after a treatment in the period."""
    rows = session.execute(
        select(
            AdverseEvent.treatment_id,
            AdverseEvent.type,
            AdverseEvent.sites,
            Treatment.product,
            Treatment.injector_id,
            Treatment.lot_id,
        )
        .join(Treatment, Treatment.id == AdverseEvent.treatment_id)
        .where(AdverseEvent.clinic_id == clinic_id, _in_period(clinic_id, start, end))
        .order_by(AdverseEvent.treatment_id, AdverseEvent.id)
    )
    return [(t, kind, sites or "", p, inj, lot) for t, kind, sites, p, inj, lot in rows]


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for first in range(0, len(ids), CHUNK):
        yield ids[first : first + CHUNK]


def treatment_sites(session: Session, treatment_ids: list[str]) -> list[tuple[str, str, str | None]]:
    """(treatment id, indication, site) of every injection of these treatments."""
    found: list[tuple[str, str, str | None]] = []
    for chunk in _chunks(sorted(set(treatment_ids))):
        rows = session.execute(
            select(TreatmentInjection.treatment_id, TreatmentInjection.indication, TreatmentInjection.site).where(
                TreatmentInjection.treatment_id.in_(chunk)
            )
        )
        found += [(t, i, s) for t, i, s in rows]
    return found


def effect_durations(
    session: Session, clinic_id: str, start: dt.datetime, end: dt.datetime
) -> list[tuple[str, str, dt.datetime, dt.date]]:
    """(product, indication, visit, effect wore off on) per treatment in the period and area,
    where the review recorded when the effect wore off."""
    rows = session.execute(
        select(
            Treatment.id,
            Treatment.product,
            TreatmentInjection.indication,
            Treatment.visit_at,
            FollowUp.effect_wore_off_on,
        )
        .join(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id)
        .join(FollowUp, FollowUp.treatment_id == Treatment.id)
        .where(_in_period(clinic_id, start, end), FollowUp.effect_wore_off_on.is_not(None))
        .distinct()
    )
    return [(p, i, visit, off) for _, p, i, visit, off in rows if off is not None]


def user_names(session: Session, clinic_id: str) -> dict[str, str]:
    return {
        user_id: name
        for user_id, name in session.execute(select(User.id, User.name).where(User.clinic_id == clinic_id))
    }


def lot_numbers(session: Session, clinic_id: str) -> dict[str, tuple[str, str]]:
    """Lot id -> (lot number, product)."""
    rows = session.execute(select(Lot.id, Lot.lot_number, Lot.product).where(Lot.clinic_id == clinic_id))
    return {lot_id: (number, product) for lot_id, number, product in rows}
