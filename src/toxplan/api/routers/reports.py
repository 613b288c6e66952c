"""The clinic safety report as JSON (the report page also offers charts and CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, KB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.outcome_views import report_json
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services import safety_report

router = APIRouter(tags=["outcomes"], responses=ERROR_RESPONSES)

ReportReader = Annotated[Current, Depends(Allow(*OVERSIGHT))]
"""Medical directors and admins (``OVERSIGHT``, as the service)."""


@router.get("/reports/safety")
def clinic_safety_report(
    current: ReportReader,
    db: DB,
    kb: KB,
    now: Now,
    start: Annotated[dt.date | None, Query(alias="from", description="First day (UTC); default a year ago")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day (UTC); default today")] = None,
) -> dict[str, Any]:
    """Adverse-event rates per area, product, injector and lot with Wilson 95 % intervals,
    the label's rates and flags, and how long the effect lasted, for a period."""
    first, last = safety_report.default_period(now.date())
    found = safety_report.safety_report(db, current.actor, kb=kb, start=start or first, end=end or last)
    return report_json(found.report, found.group_name)
