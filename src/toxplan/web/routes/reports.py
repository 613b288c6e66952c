"""The clinic safety report page, its charts (SVG) and its numbers (CSV). Medical directors and
admins only; every view and download is audited by the service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from toxplan.auth.sessions import Current
from toxplan.domain.rates import CONFIDENCE
from toxplan.domain.safety.wording import indication_name, product_name
from toxplan.errors import InvalidInput
from toxplan.http.deps import DB, KB, Allow, Now
from toxplan.knowledge.base import KnowledgeBase
from toxplan.outcome_views import DURATION_COLUMNS, RATE_COLUMNS, csv_text, duration_rows_json, rate_rows_json
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services import safety_report
from toxplan.services.safety_report import ClinicSafetyReport
from toxplan.web.rendering import page
from toxplan.web.report_charts import durations_svg, rates_svg

router = APIRouter(include_in_schema=False)
ReportReader = Annotated[Current, Depends(Allow(*OVERSIGHT))]
TABLES = (
    ("area", "By product and area", "The label comparison: each product in each area."),
    ("injector", "By injector", "Each injector's treatments, per product and area."),
    ("lot", "By lot", "Each lot's treatments, per area (a lot is one product)."),
    ("indication", "By area, all products", "Pooled over products: label rates are per product, so none is shown."),
    ("product", "By product, all areas", "Pooled over areas: label rates are per area, so none is shown."),
)


def _day(request: Request, name: str, default: dt.date) -> dt.date:
    text = (request.query_params.get(name) or "").strip()
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)", field=name) from None


def _report(
    request: Request,
    db: Session,
    current: Current,
    kb: KnowledgeBase,
    now: dt.datetime,
    action: Literal["read", "export"] = "read",
) -> ClinicSafetyReport:
    first, last = safety_report.default_period(now.date())
    start, end = _day(request, "from", first), _day(request, "to", last)
    return safety_report.safety_report(db, current.actor, kb=kb, start=start, end=end, action=action)


def _period(found: ClinicSafetyReport) -> str:
    return f"from={found.report.start}&to={found.report.end}"


@router.get("/reports/safety")
def report_page(request: Request, current: ReportReader, db: DB, kb: KB, now: Now) -> Response:
    found = _report(request, db, current, kb, now)
    return page(
        request,
        "safety_report.html",
        current,
        found=found,
        report=found.report,
        tables=TABLES,
        period=_period(found),
        confidence=round(CONFIDENCE * 100),
        product_name=lambda p: product_name(kb, p) if p else "all products",
        area_name=lambda i: indication_name(kb, i) if i else "all areas",
        sources=kb.citations,
    )


def _svg(content: bytes) -> Response:
    return Response(content, media_type="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@router.get("/reports/safety/rates.svg")
def rates_chart(request: Request, current: ReportReader, db: DB, kb: KB, now: Now) -> Response:
    found = _report(request, db, current, kb, now)
    return _svg(rates_svg(found.report, kb, found.group_name))


@router.get("/reports/safety/durations.svg")
def durations_chart(request: Request, current: ReportReader, db: DB, kb: KB, now: Now) -> Response:
    found = _report(request, db, current, kb, now)
    return _svg(durations_svg(found.report, kb))


def _csv(text: str, name: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )


@router.get("/reports/safety/rates.csv")
def rates_csv(request: Request, current: ReportReader, db: DB, kb: KB, now: Now) -> Response:
    found = _report(request, db, current, kb, now, action="export")
    rows = rate_rows_json(found.report, found.group_name)
    return _csv(csv_text(rows, RATE_COLUMNS), f"safety-rates-{found.report.start}-{found.report.end}.csv")


@router.get("/reports/safety/durations.csv")
def durations_csv(request: Request, current: ReportReader, db: DB, kb: KB, now: Now) -> Response:
    found = _report(request, db, current, kb, now, action="export")
    rows = duration_rows_json(found.report)
    return _csv(csv_text(rows, DURATION_COLUMNS), f"effect-durations-{found.report.start}-{found.report.end}.csv")
