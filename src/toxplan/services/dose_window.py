"""The rolling dose per product against its label maximum (e.g. BOTOX 400 U in 3 months)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.repositories import treatments as repo
from toxplan.domain.safety.context import age_in_years, start_of_window
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import RollingWindowMax
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor


@dataclass(frozen=True)
class ProductWindow:
    product: str
    brand: str
    units: Decimal
    """Units of this product given inside the window (never mixed with other products)."""
    maximum: Decimal | None
    window: str | None
    since: dt.date | None
    citations: tuple[str, ...]


def dose_windows(
    session: Session, actor: Actor, patient_id: str, *, kb: KnowledgeBase, today: dt.date
) -> list[ProductWindow]:
    """For every product the patient received in the last 400 days: its rolling-window total."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    age = age_in_years(patient.birth_date, today)
    since = dt.datetime.combine(today - dt.timedelta(days=400), dt.time(), tzinfo=dt.UTC)
    history = repo.dose_history(session, patient.id, since)
    found = []
    for product_id in sorted({product for _, product, _, _ in history}):
        product = kb.products.get(product_id)
        limits = [
            lim
            for lim in (product.limits if product else ())
            if isinstance(lim, RollingWindowMax)
            and not lim.indications
            and (lim.ages is None or lim.ages.contains(age))
        ]
        limit = limits[0] if limits else None
        start = start_of_window(today, limit.window) if limit else today - dt.timedelta(days=90)
        units = sum((u for visit, p, _, u in history if p == product_id and visit.date() >= start), Decimal(0))
        found.append(
            ProductWindow(
                product=product_id,
                brand=product.brands[0] if product else product_id,
                units=units,
                maximum=limit.max_units if limit else None,
                window=limit.window.describe() if limit else None,
                since=start,
                citations=limit.citations if limit else (),
            )
        )
    log(session, actor, "read", "dose_window", entity_id=patient.id, patient_id=patient.id)
    return found
