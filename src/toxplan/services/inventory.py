"""Product lots and vial reconstitutions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from toxplan.db.models import Lot, Reconstitution
from toxplan.db.repositories import listings
from toxplan.db.repositories import treatments as repo
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor, LotCreate, ReconstitutionCreate, parse, require_past

STOCK = ("injector", "medical_director", "admin")
RECENT_VIAL = dt.timedelta(days=7)
"""How long a vial stays usable when the product states no in-use time."""


def add_lot(session: Session, actor: Actor, data: object, *, kb: KnowledgeBase) -> Lot:
    require(actor, *STOCK)
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
    )
    session.add(lot)
    session.flush()
    log(session, actor, "create", "lot", entity_id=lot.id, detail=f"{product.id} {given.lot_number}")
    return lot


def reconstitute(session: Session, actor: Actor, data: object, *, now: dt.datetime) -> Reconstitution:
    require(actor, *STOCK)
    given = parse(ReconstitutionCreate, data)
    require_past(given.reconstituted_at, now=now, field="reconstituted_at")
    lot = repo.lot(session, actor.clinic_id, given.lot_id)
    if lot is None:
        raise NotFound(f"no lot {given.lot_id} in this clinic", field="lot_id")
    if lot.expiry_date < given.reconstituted_at.date():
        raise Conflict(f"lot {lot.lot_number} expired on {lot.expiry_date}", field="lot_id")
    made = Reconstitution(
        clinic_id=actor.clinic_id,
        lot_id=lot.id,
        diluent_ml=given.diluent_ml,
        reconstituted_at=given.reconstituted_at,
        by_user_id=actor.user_id,
    )
    session.add(made)
    session.flush()
    log(session, actor, "create", "reconstitution", entity_id=made.id, detail=f"lot {lot.lot_number}")
    return made


def usable_stock(
    session: Session, actor: Actor, *, kb: KnowledgeBase, now: dt.datetime
) -> list[tuple[Lot, list[Reconstitution]]]:
    """Unexpired lots (by product, then expiry), each with its vials still inside the product's
    in-use time, newest first. Stock holds no patient data, so it is not audited."""
    require(actor, *STOCK)
    found = []
    for lot in listings.unexpired_lots(session, actor.clinic_id, now.date()):
        product = kb.products.get(lot.product)
        hours = kb.in_use_hours(product)[0] if product else None
        keep = dt.timedelta(hours=float(hours)) if hours is not None else RECENT_VIAL
        found.append((lot, listings.vials(session, actor.clinic_id, lot.id, since=now - keep, until=now)))
    return found
