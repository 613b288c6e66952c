"""Stock: lots and the vials made up from them.

A vial is reconstituted once (who, when, how much saline, which lot) and then shared by the
day's patients: every signed treatment draws its units from it (``VialDraw``). A vial is open
while it has units left, is inside its product's in-use time and was not discarded. Where the
knowledge base holds no in-use time for a product, the shortest one it holds for any product
applies, and the vial says so (``use_by_known`` is False): the cautious value, visibly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.models import Lot, Reconstitution, VialDraw
from toxplan.db.repositories import inventory as vial_repo
from toxplan.db.repositories import listings
from toxplan.db.repositories import treatments as repo
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor, LotCreate, ReconstitutionCreate, VialDiscard, parse, require_past

RECENT_VIALS = dt.timedelta(days=14)
"""How far back the stock page lists vials (open, emptied, expired or discarded)."""
DISCARD_REASONS = (
    "empty",
    "in-use time passed",
    "end of clinic day",
    "contaminated or dropped",
    "storage temperature not kept",
    "other",
)


@dataclass(frozen=True)
class VialView:
    vial: Reconstitution
    lot: Lot
    units_left: Decimal
    use_by: dt.datetime
    use_by_known: bool
    """False: the product's own in-use time is not in the knowledge base; the shortest known applies."""
    status: str
    """open, empty, expired or discarded."""

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def in_use_hours(kb: KnowledgeBase, product_id: str) -> tuple[Decimal, bool]:
    """The product's in-use time in hours and whether it is the label's own; where the label
    value is unconfirmed, ToxPlan's cautious default (``defaults.yaml``) applies, visibly."""
    product = kb.products.get(product_id)
    hours, is_default = kb.in_use_hours(product) if product is not None else (None, True)
    if hours is None:  # no product, or a knowledge base without defaults: the shortest known
        known = [p.in_use.hours for p in kb.products.values() if p.in_use is not None]
        hours = min(known) if known else Decimal(24)
    return hours, not is_default


def view_of(vial: Reconstitution, lot: Lot, drawn: Decimal, *, kb: KnowledgeBase, now: dt.datetime) -> VialView:
    hours, known = in_use_hours(kb, lot.product)
    use_by = vial.reconstituted_at + dt.timedelta(hours=float(hours))
    left = max(lot.vial_units - drawn, Decimal(0))
    if vial.discarded_at is not None:
        status = "discarded"
    elif left <= 0:
        status = "empty"
    elif use_by <= now:
        status = "expired"
    else:
        status = "open"
    return VialView(vial, lot, left, use_by, known, status)


def _views(
    session: Session, pairs: Iterable[tuple[Reconstitution, Lot]], kb: KnowledgeBase, now: dt.datetime
) -> list[VialView]:
    pairs = list(pairs)
    drawn = vial_repo.drawn(session, [v.id for v, _ in pairs])
    return [view_of(v, lot, drawn.get(v.id, Decimal(0)), kb=kb, now=now) for v, lot in pairs]


def recent_vials(session: Session, actor: Actor, *, kb: KnowledgeBase, now: dt.datetime) -> list[VialView]:
    """Vials made up in the last two weeks, newest first. Stock holds no patient data: not audited."""
    require(actor, CLINICAL_RECORD_READERS)
    return _views(session, vial_repo.vials_since(session, actor.clinic_id, now - RECENT_VIALS), kb, now)


def open_vials(
    session: Session, actor: Actor, *, kb: KnowledgeBase, now: dt.datetime, product: str | None = None
) -> list[VialView]:
    """Open vials (units left, in date, not discarded), the one to use first (earliest use-by) first."""
    require(actor, CLINICAL_RECORD_READERS)
    hours = max([p.in_use.hours for p in kb.products.values() if p.in_use is not None] or [Decimal(24)])
    pairs = vial_repo.vials_since(session, actor.clinic_id, now - dt.timedelta(hours=float(hours)))
    found = [v for v in _views(session, pairs, kb, now) if v.is_open and (product is None or v.lot.product == product)]
    return sorted(found, key=lambda v: (v.use_by, v.vial.id))


def add_lot(session: Session, actor: Actor, data: object, *, kb: KnowledgeBase) -> Lot:
    require(actor, CLINICAL_RECORD_READERS)
    given = parse(LotCreate, data)
    product = kb.find_product(given.product)
    if product is None:
        raise InvalidInput(f"unknown product {given.product!r}", field="product")
    if given.vial_units not in {v.units for v in product.vial_sizes}:
        sizes = ", ".join(str(v.units) for v in product.vial_sizes)
        raise InvalidInput(f"{product.brands[0]} comes in {sizes} U vials", field="vial_units")
    taken = repo.lot_by_number(session, actor.clinic_id, product.id, given.lot_number)
    if taken is not None:
        raise Conflict(f"lot {given.lot_number} of {product.id} is already recorded", field="lot_number")
    lot = Lot(
        clinic_id=actor.clinic_id,
        product=product.id,
        lot_number=given.lot_number,
        expiry_date=given.expiry_date,
        vial_units=given.vial_units,
        vials_received=given.vials_received,
    )
    session.add(lot)
    session.flush()
    received = f", {given.vials_received} vials" if given.vials_received is not None else ""
    log(session, actor, "create", "lot", entity_id=lot.id, detail=f"{product.id} {given.lot_number}{received}")
    return lot


def _check_stock(session: Session, lot: Lot, wanted: int) -> None:
    """Refuse to open more vials of a counted lot than it has left unopened."""
    if lot.vials_received is None:
        return
    opened = vial_repo.opened_of_lot(session, lot.id)
    if opened + wanted > lot.vials_received:
        raise Conflict(
            f"lot {lot.lot_number} has {max(lot.vials_received - opened, 0)} unopened vial(s) left "
            f"({lot.vials_received} received, {opened} opened)",
            field="lot_id",
        )


def _new_vial(session: Session, actor: Actor, lot: Lot, diluent: Decimal, at: dt.datetime) -> Reconstitution:
    made = Reconstitution(
        clinic_id=actor.clinic_id, lot_id=lot.id, diluent_ml=diluent, reconstituted_at=at, by_user_id=actor.user_id
    )
    session.add(made)
    session.flush()
    log(session, actor, "create", "reconstitution", entity_id=made.id, detail=f"lot {lot.lot_number}")
    return made


def reconstitute(session: Session, actor: Actor, data: object, *, now: dt.datetime) -> Reconstitution:
    require(actor, CLINICAL_RECORD_READERS)
    given = parse(ReconstitutionCreate, data)
    require_past(given.reconstituted_at, now=now, field="reconstituted_at")
    lot = repo.lot(session, actor.clinic_id, given.lot_id)
    if lot is None:
        raise NotFound(f"no lot {given.lot_id} in this clinic", field="lot_id")
    if lot.expiry_date < given.reconstituted_at.date():
        raise Conflict(f"lot {lot.lot_number} expired on {lot.expiry_date}", field="lot_id")
    _check_stock(session, lot, 1)
    return _new_vial(session, actor, lot, given.diluent_ml, given.reconstituted_at)


def discard(session: Session, actor: Actor, vial_id: str, data: object, *, now: dt.datetime) -> Reconstitution:
    """Discard a vial with a reason; what is left in it is no longer offered."""
    require(actor, CLINICAL_RECORD_READERS)
    given = parse(VialDiscard, data)
    if given.reason not in DISCARD_REASONS:
        raise InvalidInput(f"choose one of: {', '.join(DISCARD_REASONS)}", field="reason")
    if given.reason == "other" and not given.note:
        raise InvalidInput("say why the vial is discarded", field="note")
    vial = vial_repo.vial(session, actor.clinic_id, vial_id)
    if vial is None:
        raise NotFound(f"no vial {vial_id} in this clinic", field="vial_id")
    if vial.discarded_at is not None:
        raise Conflict("this vial is already discarded", field="vial_id")
    vial.discarded_at = now
    vial.discarded_by = actor.user_id
    vial.discard_reason = given.reason + (f": {given.note}" if given.note else "")
    log(session, actor, "amend", "reconstitution", entity_id=vial.id, detail=f"discarded: {vial.discard_reason}")
    return vial


@dataclass(frozen=True)
class VialPlan:
    """The vial a treatment is signed against: an open one, or a new one made up at signing."""

    vial: Reconstitution
    opened_now: bool
    units_left: Decimal


def vial_for_signing(
    session: Session,
    actor: Actor,
    lot: Lot,
    *,
    vial_id: str | None,
    diluent: Decimal | None,
    at: dt.datetime,
) -> VialPlan:
    """The vial named (checked: this lot, not discarded, not empty) or a new one, not yet saved."""
    if vial_id is None:
        if diluent is None:
            raise InvalidInput("choose an open vial or give the saline of a new one", field="diluent_ml")
        made = Reconstitution(
            clinic_id=actor.clinic_id, lot_id=lot.id, diluent_ml=diluent, reconstituted_at=at, by_user_id=actor.user_id
        )
        return VialPlan(made, True, lot.vial_units)
    found = vial_repo.vial(session, actor.clinic_id, vial_id)
    if found is None or found.lot_id != lot.id:
        raise NotFound(f"no reconstitution {vial_id} of this lot", field="reconstitution_id")
    if found.reconstituted_at > at:
        raise InvalidInput("the vial was reconstituted after the visit", field="reconstitution_id")
    if found.discarded_at is not None:
        raise Conflict(f"this vial was discarded ({found.discard_reason})", field="reconstitution_id")
    left = lot.vial_units - vial_repo.drawn(session, [found.id]).get(found.id, Decimal(0))
    return VialPlan(found, False, max(left, Decimal(0)))


def _extra_vials(lot: Lot, plan: VialPlan, units: Decimal) -> int:
    extra = max(units - plan.units_left, Decimal(0))
    return math.ceil(extra / lot.vial_units) if extra > 0 else 0


def prepare(
    session: Session, actor: Actor, *, lot: Lot, plan: VialPlan, units: Decimal, at: dt.datetime
) -> list[tuple[Reconstitution, Decimal]]:
    """Before a treatment is written: the vials its units come from and how many from each.

    The chosen vial gives what it has left; new vials of the same lot, made up with the same
    saline (so the concentration the plan was checked with holds), give the rest. Vials made
    up here are saved, after checking the lot has them unopened. Another injector may have
    used up a shared vial meanwhile: then all of it comes from a new vial.
    """
    extra = max(units - plan.units_left, Decimal(0))
    wanted = math.ceil(extra / lot.vial_units) if extra > 0 else 0
    _check_stock(session, lot, wanted + (1 if plan.opened_now else 0))
    if plan.opened_now:
        session.add(plan.vial)
        session.flush()
        log(session, actor, "create", "reconstitution", entity_id=plan.vial.id, detail=f"lot {lot.lot_number}")
    parts = [(plan.vial, min(units, plan.units_left))]
    for _ in range(wanted):
        parts.append((_new_vial(session, actor, lot, plan.vial.diluent_ml, at), min(extra, lot.vial_units)))
        extra -= lot.vial_units
    return [(vial, taken) for vial, taken in parts if taken > 0]


def draw(session: Session, actor: Actor, parts: list[tuple[Reconstitution, Decimal]], treatment_id: str) -> None:
    """Record the units a signed treatment took from each vial."""
    session.add_all(
        VialDraw(clinic_id=actor.clinic_id, reconstitution_id=vial.id, treatment_id=treatment_id, units=taken)
        for vial, taken in parts
    )


@dataclass(frozen=True)
class ProductStock:
    product: str
    unopened_vials: int
    """In unexpired counted lots."""
    unopened_units: Decimal
    open_vials: int
    open_units: Decimal
    uncounted_lots: int
    """Unexpired lots recorded without a received count: their vials are not in the figures."""
    expiring_lots: list[Lot]
    used_by_month: dict[str, Decimal]
    """'2026-11' -> units signed that month, last six months."""


EXPIRY_WARNING_DAYS = 30


def stock(session: Session, actor: Actor, *, kb: KnowledgeBase, now: dt.datetime) -> list[ProductStock]:
    """Vials and units on hand per product, lots expiring soon, units used per month."""
    require(actor, CLINICAL_RECORD_READERS)
    today = now.date()
    opened = vial_repo.opened_per_lot(session, actor.clinic_id)
    months = _last_months(today, 6)
    used: dict[str, dict[str, Decimal]] = {}
    since = dt.datetime.combine(dt.date.fromisoformat(months[0] + "-01"), dt.time(), tzinfo=dt.UTC)
    for visit, product, units in vial_repo.units_used_since(session, actor.clinic_id, since):
        key = visit.astimezone(dt.UTC).strftime("%Y-%m")
        per = used.setdefault(product, {})
        per[key] = per.get(key, Decimal(0)) + units
    open_now = open_vials(session, actor, kb=kb, now=now)
    found = []
    lots = listings.lots(session, actor.clinic_id)
    for product_id in sorted({lot.product for lot in lots} | set(used)):
        mine = [lot for lot in lots if lot.product == product_id and lot.expiry_date >= today]
        counted = [lot for lot in mine if lot.vials_received is not None]
        unopened = {lot.id: max((lot.vials_received or 0) - opened.get(lot.id, 0), 0) for lot in counted}
        vials = [v for v in open_now if v.lot.product == product_id]
        found.append(
            ProductStock(
                product=product_id,
                unopened_vials=sum(unopened.values()),
                unopened_units=sum((lot.vial_units * unopened[lot.id] for lot in counted), Decimal(0)),
                open_vials=len(vials),
                open_units=sum((v.units_left for v in vials), Decimal(0)),
                uncounted_lots=len(mine) - len(counted),
                expiring_lots=[lot for lot in mine if (lot.expiry_date - today).days <= EXPIRY_WARNING_DAYS],
                used_by_month={m: used.get(product_id, {}).get(m, Decimal(0)) for m in months},
            )
        )
    return found


def _last_months(today: dt.date, count: int) -> list[str]:
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(found))


def unopened_left(session: Session, lot: Lot) -> int | None:
    """Unopened vials left of a counted lot (None when the lot was recorded without a count)."""
    if lot.vials_received is None:
        return None
    return max(lot.vials_received - vial_repo.opened_of_lot(session, lot.id), 0)


def usable_stock(
    session: Session, actor: Actor, *, kb: KnowledgeBase, now: dt.datetime
) -> list[tuple[Lot, list[VialView]]]:
    """Unexpired lots (by product, then expiry), each with its open vials. Not audited (no patient data)."""
    require(actor, CLINICAL_RECORD_READERS)
    vials = open_vials(session, actor, kb=kb, now=now)
    return [
        (lot, [v for v in vials if v.lot.id == lot.id])
        for lot in listings.unexpired_lots(session, actor.clinic_id, now.date())
    ]
