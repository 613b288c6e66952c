"""Records that leave the building, from the pages: the printed treatment record and aftercare
sheet (PDF, opened by the treatment page's links) and the clinic's CSV exports."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from toxplan.errors import InvalidInput
from toxplan.http.deps import DB, KB, Now
from toxplan.interop.csv_export import KINDS, export_csv
from toxplan.reports.aftercare import aftercare_pdf
from toxplan.reports.record import treatment_record_pdf
from toxplan.web.access import Reader
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
LABELS = {
    "treatments": "Treatments (one row per injection)",
    "lots": "Lot usage",
    "adverse_events": "Adverse events",
    "follow_ups": "Follow-up outcomes",
}
assert set(LABELS) == set(KINDS)


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/treatments/{treatment_id}/record.pdf")
async def print_record(treatment_id: str, current: Reader, db: DB, kb: KB, now: Now) -> Response:
    pdf = await run_in_threadpool(treatment_record_pdf, db, current.actor, treatment_id, kb=kb, now=now)
    return _pdf(pdf, f"treatment-{treatment_id}.pdf")


@router.get("/treatments/{treatment_id}/aftercare.pdf")
async def print_aftercare(treatment_id: str, current: Reader, db: DB, kb: KB, now: Now) -> Response:
    pdf = await run_in_threadpool(aftercare_pdf, db, current.actor, treatment_id, kb=kb, now=now)
    return _pdf(pdf, f"aftercare-{treatment_id}.pdf")


def _day(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise InvalidInput("give a date as YYYY-MM-DD", field=field) from None


@router.get("/exports")
def exports_page(request: Request, current: Reader, db: DB, kb: KB, now: Now) -> Response:
    """The export form; with ``kind``, ``from`` and ``to`` it answers the CSV file itself."""
    query = request.query_params
    today = now.date()
    if "kind" not in query:
        first = today.replace(day=1)
        return page(request, "exports.html", current, labels=LABELS, first=first, last=today)
    kind = query.get("kind", "")
    start, end = _day(query.get("from"), "from"), _day(query.get("to"), "to")
    text = export_csv(db, current.actor, kind, start, end, kb=kb)
    disposition = f'attachment; filename="{kind}-{start}-{end}.csv"'
    return Response(text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})
