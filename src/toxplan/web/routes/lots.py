"""Stock: vials and units on hand, open vials (discarded with a reason), lots with expiry warnings,
adding a lot, reconstituting a vial, and lot recall."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from toxplan.auth.sessions import Current
from toxplan.errors import Conflict, InvalidInput, NotFound, ToxPlanError
from toxplan.http.deps import DB, KB, Now
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import inventory, records, treatments
from toxplan.services.audit import log
from toxplan.web.access import Reader, redirect
from toxplan.web.forms import Form, local_time, status_of, text, values
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
REFUSALS = (InvalidInput, Conflict, NotFound)


def _lots_page(
    request: Request,
    db: Session,
    current: Current,
    kb: KnowledgeBase,
    now: dt.datetime,
    *,
    error: ToxPlanError | None = None,
    failed_form: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    rows = records.lots(db, current.actor, today=now.date(), with_vials=True)
    return page(
        request,
        "lots.html",
        current,
        status_code=status_of(error) if error else 200,
        rows=rows,
        usable=[r for r in rows if r.status != "expired"],
        products=list(kb.products.values()),
        brands={p.id: p.brands[0] for p in kb.products.values()},
        warning_days=records.EXPIRY_WARNING_DAYS,
        error=error,
        failed_form=failed_form,
        form=form or {},
    )


@router.get("/lots")
def lots(request: Request, current: Reader, db: DB, kb: KB, now: Now) -> Response:
    return _lots_page(request, db, current, kb, now)


@router.post("/lots")
def add_lot(request: Request, current: Reader, db: DB, kb: KB, now: Now, form: Form) -> Response:
    data = {
        "product": text(form, "product"),
        "lot_number": text(form, "lot_number"),
        "expiry_date": text(form, "expiry_date"),
        "vial_units": text(form, "vial_units"),
        "vials_received": text(form, "vials_received"),
    }
    try:
        inventory.add_lot(db, current.actor, data, kb=kb)
    except REFUSALS as exc:
        db.rollback()
        return _lots_page(request, db, current, kb, now, error=exc, failed_form="lot", form=values(form))
    return redirect("/lots?added=1")


@router.post("/lots/reconstitutions")
def reconstitute(request: Request, current: Reader, db: DB, kb: KB, now: Now, form: Form) -> Response:
    try:
        data = {
            "lot_id": text(form, "lot_id"),
            "diluent_ml": text(form, "diluent_ml"),
            "reconstituted_at": local_time(form, "reconstituted_at") or now,
        }
        inventory.reconstitute(db, current.actor, data, now=now)
    except REFUSALS as exc:
        db.rollback()
        return _lots_page(request, db, current, kb, now, error=exc, failed_form="reconstitution", form=values(form))
    return redirect("/stock?reconstituted=1")


def _stock_page(
    request: Request,
    db: Session,
    current: Current,
    kb: KnowledgeBase,
    now: dt.datetime,
    *,
    error: ToxPlanError | None = None,
    failed_vial: str | None = None,
) -> Response:
    return page(
        request,
        "stock.html",
        current,
        status_code=status_of(error) if error else 200,
        products=inventory.stock(db, current.actor, kb=kb, now=now),
        vials=inventory.recent_vials(db, current.actor, kb=kb, now=now),
        brands={p.id: p.brands[0] for p in kb.products.values()},
        reasons=inventory.DISCARD_REASONS,
        warning_days=inventory.EXPIRY_WARNING_DAYS,
        error=error,
        failed_vial=failed_vial,
    )


@router.get("/stock")
def stock(request: Request, current: Reader, db: DB, kb: KB, now: Now) -> Response:
    return _stock_page(request, db, current, kb, now)


@router.post("/stock/vials/{vial_id}/discard")
def discard_vial(request: Request, vial_id: str, current: Reader, db: DB, kb: KB, now: Now, form: Form) -> Response:
    try:
        inventory.discard(
            db, current.actor, vial_id, {"reason": text(form, "reason"), "note": text(form, "note")}, now=now
        )
    except REFUSALS as exc:
        db.rollback()
        return _stock_page(request, db, current, kb, now, error=exc, failed_vial=vial_id)
    return redirect("/stock?discarded=1")


@router.get("/lots/recall")
def recall(request: Request, current: Reader, db: DB, lot_number: str = "") -> Response:
    rows = treatments.recall(db, current.actor, lot_number[:60]) if lot_number.strip() else None
    return page(request, "recall.html", current, rows=rows, lot_number=lot_number)


@router.get("/lots/recall.csv")
def recall_csv(current: Reader, db: DB, lot_number: str = "") -> Response:
    """The recall list for the phone calls: one row per treatment, with the patient's contacts."""
    rows = treatments.recall(db, current.actor, lot_number[:60]) if lot_number.strip() else []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["lot", "patient", "phone", "email", "visit", "product", "units", "contacted_at"])
    for r in rows:
        contacted = r.contacted_at.isoformat() if r.contacted_at else ""
        visit = r.visit_at.isoformat()
        writer.writerow(
            [r.lot_number, r.patient_name, r.phone or "", r.email or "", visit, r.product, r.units, contacted]
        )
    log(db, current.actor, "export", "lot_recall", detail=f"lot {lot_number.strip()}: {len(rows)} rows as CSV")
    name = "recall-" + "".join(c for c in lot_number if c.isalnum())[:40] + ".csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/lots/recall/contacted")
def mark_contacted(request: Request, current: Reader, db: DB, form: Form) -> Response:
    lot_number = text(form, "lot_number") or ""
    try:
        lot_id, patient_id = text(form, "lot_id") or "", text(form, "patient_id") or ""
        treatments.mark_contacted(db, current.actor, lot_id, patient_id, text(form, "note"))
    except REFUSALS as exc:
        db.rollback()
        return page(
            request, "recall.html", current, status_code=status_of(exc), rows=None, lot_number=lot_number, error=exc
        )
    return redirect("/lots/recall?" + urlencode({"lot_number": lot_number}))
