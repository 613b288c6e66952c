"""The audit log: admins and medical directors read their clinic's, filtered, or export it as
CSV. Reading it is itself an audit event."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from toxplan.api.schemas import Paged
from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, Allow
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services import audit_log, listings
from toxplan.services.audit_log import Filters

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)

Reader = Annotated[Current, Depends(Allow(*OVERSIGHT))]
Id = Annotated[str | None, Query(min_length=36, max_length=36, pattern=r"^[0-9a-f-]+$")]
Action = Literal["read", "create", "amend", "sign", "cosign", "export", "import"]


class AuditEventRead(BaseModel):
    id: str
    at: dt.datetime
    user_id: str | None
    user_name: str | None
    action: str
    entity: str
    entity_id: str | None
    patient_id: str | None
    detail: str | None


class AuditPage(Paged[AuditEventRead]):
    pass


def filters(
    since: Annotated[dt.date | None, Query(description="From this day (UTC), inclusive")] = None,
    until: Annotated[dt.date | None, Query(description="To this day (UTC), inclusive")] = None,
    user_id: Id = None,
    action: Action | None = None,
    entity: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    patient_id: Id = None,
) -> Filters:
    return Filters(since, until, user_id, action, entity, patient_id)


Filtered = Annotated[Filters, Depends(filters)]


@router.get("")
def read_audit_log(
    current: Reader,
    db: DB,
    wanted: Filtered,
    limit: Annotated[int, Query(ge=1, le=listings.MAX_LIMIT)] = listings.DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=listings.MAX_OFFSET)] = 0,
) -> AuditPage:
    """Events newest first. Kinds include ``read patient_list`` (one per patient a list showed),
    ``read|amend access_denied``, ``create failed_sign_in`` and ``read|export audit_log``."""
    page = audit_log.read(db, current.actor, wanted, limit=limit, offset=offset)
    items = [
        AuditEventRead(
            id=r.event.id,
            at=r.event.at,
            user_id=r.event.user_id,
            user_name=r.user_name,
            action=r.event.action,
            entity=r.event.entity,
            entity_id=r.event.entity_id,
            patient_id=r.event.patient_id,
            detail=r.event.detail,
        )
        for r in page.items
    ]
    return AuditPage(items=items, limit=page.limit, offset=page.offset, total=page.total)


@router.get("/export", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_audit_log(current: Reader, db: DB, wanted: Filtered) -> Response:
    """The matching events as CSV, oldest first (at most 50,000; narrow the dates for more)."""
    body = audit_log.export_csv(db, current.actor, wanted)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
