"""Stock: product lots with their expiry, vial reconstitutions, and the recall of a lot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from toxplan.api.schemas import LotRead, LotStock, RecallRead, ReconstitutionRead, VialRead
from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, KB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.services import inventory, records, treatments
from toxplan.services.inventory import VialView
from toxplan.services.schemas import LotCreate, ReconstitutionCreate, VialDiscard

router = APIRouter(tags=["inventory"], responses=ERROR_RESPONSES)

Stock = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
"""Who keeps the stock and runs recalls (``inventory.STOCK``, ``treatments.recall``)."""


@router.get("/lots")
def list_lots(current: Stock, db: DB, now: Now) -> list[LotStock]:
    """Every lot by expiry date; ``expiring_soon`` within 30 days, ``expired`` after its date."""
    return [
        LotStock(
            **LotRead.model_validate(row.lot).model_dump(),
            days_to_expiry=row.days_to_expiry,
            expiring_soon=row.expiring_soon,
            expired=row.expired,
        )
        for row in records.lots(db, current.actor, today=now.date())
    ]


@router.post("/lots", status_code=201)
def add_lot(body: LotCreate, current: Stock, db: DB, kb: KB) -> LotRead:
    """A lot received; the product may be named by brand or id and must come in that vial size."""
    return LotRead.model_validate(inventory.add_lot(db, current.actor, body, kb=kb))


@router.post("/reconstitutions", status_code=201)
def reconstitute(body: ReconstitutionCreate, current: Stock, db: DB, now: Now) -> ReconstitutionRead:
    """A vial made up with saline: the in-use clock the safety check uses starts here."""
    return ReconstitutionRead.model_validate(inventory.reconstitute(db, current.actor, body, now=now))


def _vial(view: VialView) -> VialRead:
    return VialRead(
        vial=ReconstitutionRead.model_validate(view.vial),
        lot_number=view.lot.lot_number,
        product=view.lot.product,
        units_left=view.units_left,
        use_by=view.use_by,
        use_by_known=view.use_by_known,
        status=view.status,
    )


@router.get("/vials")
def list_vials(current: Stock, db: DB, kb: KB, now: Now, open_only: bool = True) -> list[VialRead]:
    """Open vials (units left, inside the in-use time, not discarded), the one to use first first;
    with ``open_only=false`` every vial made up in the last two weeks, newest first."""
    found = (
        inventory.open_vials(db, current.actor, kb=kb, now=now)
        if open_only
        else inventory.recent_vials(db, current.actor, kb=kb, now=now)
    )
    return [_vial(v) for v in found]


@router.post("/vials/{vial_id}/discard")
def discard_vial(vial_id: Key, body: VialDiscard, current: Stock, db: DB, kb: KB, now: Now) -> ReconstitutionRead:
    """Discard a vial with a reason (one of: empty, in-use time passed, end of clinic day,
    contaminated or dropped, storage temperature not kept, other with a note)."""
    return ReconstitutionRead.model_validate(inventory.discard(db, current.actor, vial_id, body, now=now))


@router.get("/recall/{lot_number}")
def recall(lot_number: Key, current: Stock, db: DB) -> list[RecallRead]:
    """Every patient and treatment that received a lot with this number."""
    return [RecallRead.model_validate(row) for row in treatments.recall(db, current.actor, lot_number)]
