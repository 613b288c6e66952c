"""Records that leave the building: a patient's FHIR R4 bundle, the printed treatment record
and aftercare sheet as PDF, and the clinic's CSV exports. Clinical roles and admins only (the
front desk gets no clinical export); every call is an audited export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, KB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.interop.csv_export import KINDS, export_csv
from toxplan.interop.fhir import patient_bundle
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.reports.aftercare import aftercare_pdf
from toxplan.reports.record import treatment_record_pdf

router = APIRouter(tags=["exports"], responses=ERROR_RESPONSES)
Exporter = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
"""Who may take clinical data out (``services.exports.EXPORTERS``)."""
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}, "description": "A PDF document"}}
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}, "description": "CSV with a header row"}}


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/patients/{patient_id}/fhir", response_class=JSONResponse)
def patient_fhir(patient_id: Key, current: Exporter, db: DB, kb: KB, now: Now) -> JSONResponse:
    """The patient's toxin record as a FHIR R4 Bundle (type collection), validated before it is sent."""
    bundle = patient_bundle(db, current.actor, patient_id, kb=kb, now=now)
    return JSONResponse(bundle, media_type="application/fhir+json")


@router.get("/treatments/{treatment_id}/record.pdf", response_class=Response, responses=PDF)
async def treatment_record(treatment_id: Key, current: Exporter, db: DB, kb: KB, now: Now) -> Response:
    """The signed treatment record as PDF (rendered off the event loop)."""
    pdf = await run_in_threadpool(treatment_record_pdf, db, current.actor, treatment_id, kb=kb, now=now)
    return _pdf(pdf, f"treatment-{treatment_id}.pdf")


@router.get("/treatments/{treatment_id}/aftercare.pdf", response_class=Response, responses=PDF)
async def aftercare_sheet(treatment_id: Key, current: Exporter, db: DB, kb: KB, now: Now) -> Response:
    """The patient's aftercare sheet for the treatment as PDF."""
    pdf = await run_in_threadpool(aftercare_pdf, db, current.actor, treatment_id, kb=kb, now=now)
    return _pdf(pdf, f"aftercare-{treatment_id}.pdf")


@router.get("/exports/{kind}", response_class=Response, responses=CSV)
def clinic_csv(
    kind: Annotated[str, Path(description=f"One of {', '.join(KINDS)}", max_length=40)],
    current: Exporter,
    db: DB,
    kb: KB,
    start: Annotated[dt.date, Query(alias="from", description="First day (UTC)")],
    end: Annotated[dt.date, Query(alias="to", description="Last day (UTC), inclusive")],
) -> Response:
    """The clinic's records of one kind over a period as CSV; treatments have one row per injection."""
    text = export_csv(db, current.actor, kind, start, end, kb=kb)
    disposition = f'attachment; filename="{kind}-{start}-{end}.csv"'
    return Response(text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition})
