"""The audit log page for admins and medical directors: filters, pages, and a CSV export link."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from toxplan.auth.sessions import Current
from toxplan.db.models.audit import ACTIONS
from toxplan.errors import InvalidInput
from toxplan.http.deps import DB, Allow
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services import audit_log
from toxplan.services.audit_log import Filters
from toxplan.services.listings import Page
from toxplan.web.forms import status_of
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
Reader = Annotated[Current, Depends(Allow(*OVERSIGHT))]
PAGE_SIZE = 100
FIELDS = ("since", "until", "user_id", "action", "entity", "patient_id")


def _day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("give a date", field=field) from None


@router.get("/audit")
def audit_page(request: Request, current: Reader, db: DB, offset: int = 0) -> Response:
    given = {k: (request.query_params.get(k) or "").strip()[:60] for k in FIELDS}
    error, rows = None, None
    try:
        filters = Filters(
            since=_day(given["since"], "since"),
            until=_day(given["until"], "until"),
            user_id=given["user_id"] or None,
            action=given["action"] or None,
            entity=given["entity"] or None,
            patient_id=given["patient_id"] or None,
        )
        rows = audit_log.read(db, current.actor, filters, limit=PAGE_SIZE, offset=max(0, min(offset, 10**9)))
    except InvalidInput as exc:
        error = exc
    query = urlencode({k: v for k, v in given.items() if v})
    return page(
        request,
        "audit.html",
        current,
        status_code=status_of(error) if error else 200,
        error=error,
        rows=rows or Page([], PAGE_SIZE, 0, 0),
        given=given,
        query=query,
        actions=ACTIONS,
        kinds=audit_log.kinds(db, current.actor),
        page_size=PAGE_SIZE,
    )
