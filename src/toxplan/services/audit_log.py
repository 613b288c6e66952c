"""Reading the audit log: for admins and medical directors, in their own clinic only. Reading it
is itself audited (``read audit_log``; the CSV export is ``export audit_log``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from toxplan.db.models.audit import ACTIONS
from toxplan.db.repositories import audit_search as repo
from toxplan.db.repositories.audit_search import AuditFilter, AuditRow
from toxplan.errors import InvalidInput
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services.access_audit import as_id, clean
from toxplan.services.audit import log, require
from toxplan.services.listings import Page, check_page
from toxplan.services.schemas import Actor

MAX_EXPORT = 50_000
"""Events in one CSV export; narrow the dates for more."""
CSV_COLUMNS = ("at", "user_id", "user_name", "action", "entity", "entity_id", "patient_id", "detail")


@dataclass(frozen=True)
class Filters:
    """What the caller asked for, as typed; ``since``/``until`` are whole UTC days."""

    since: dt.date | None = None
    until: dt.date | None = None
    user_id: str | None = None
    action: str | None = None
    entity: str | None = None
    patient_id: str | None = None

    def describe(self) -> str:
        given = {k: v for k, v in self.__dict__.items() if v not in (None, "")}
        return clean(", ".join(f"{k}={v}" for k, v in given.items()) or "no filter")


def _checked(filters: Filters) -> AuditFilter:
    if filters.since and filters.until and filters.until < filters.since:
        raise InvalidInput("must not be before 'since'", field="until")
    if filters.action is not None and filters.action not in ACTIONS:
        raise InvalidInput(f"one of {', '.join(ACTIONS)}", field="action")
    for name in ("user_id", "patient_id"):
        value = getattr(filters, name)
        if value is not None and as_id(value) is None:
            raise InvalidInput("not an id", field=name)
    if filters.entity is not None and (len(filters.entity) > 40 or clean(filters.entity) != filters.entity):
        raise InvalidInput("at most 40 printable characters", field="entity")

    def start(day: dt.date | None) -> dt.datetime | None:
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) if day else None

    return AuditFilter(
        since=start(filters.since),
        until=start(filters.until + dt.timedelta(days=1)) if filters.until else None,
        user_id=filters.user_id,
        action=filters.action,
        entity=filters.entity,
        patient_id=filters.patient_id,
    )


def read(session: Session, actor: Actor, filters: Filters, *, limit: int, offset: int) -> Page[AuditRow]:
    require(actor, OVERSIGHT)
    check_page(limit, offset)
    wanted = _checked(filters)
    rows, total = repo.page(session, actor.clinic_id, wanted, limit=limit, offset=offset)
    log(session, actor, "read", "audit_log", detail=f"{filters.describe()}; {len(rows)} of {total} events")
    return Page(rows, limit, offset, total)


def export_csv(session: Session, actor: Actor, filters: Filters) -> str:
    """The matching events as CSV (oldest first), at most ``MAX_EXPORT``."""
    require(actor, OVERSIGHT)
    wanted = _checked(filters)
    total = repo.count(session, actor.clinic_id, wanted)
    if total > MAX_EXPORT:
        raise InvalidInput(f"{total} events match; export at most {MAX_EXPORT} at a time", field="since")
    rows = repo.everything(session, actor.clinic_id, wanted)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        e = row.event
        fields = (e.at.isoformat(), e.user_id, row.user_name, e.action, e.entity, e.entity_id, e.patient_id, e.detail)
        writer.writerow([_cell(v) for v in fields])
    log(session, actor, "export", "audit_log", detail=f"{filters.describe()}; {len(rows)} events as CSV")
    return out.getvalue()


def _cell(value: str | None) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def kinds(session: Session, actor: Actor) -> list[str]:
    require(actor, OVERSIGHT)
    return repo.entities(session, actor.clinic_id)
