"""Paginated lists across a clinic: patient search, the co-sign queue, follow-ups.

Each call checks the role, validates the page naming the field, and writes one audit event
(lists show patient data too), like ``patients.search_patients`` does for its search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from toxplan import limits
from toxplan.db.models import FollowUp, Patient
from toxplan.db.repositories import listings as repo
from toxplan.db.repositories.listings import QueueRow
from toxplan.errors import InvalidInput
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS, DIRECTORS
from toxplan.services.access_audit import shown
from toxplan.services.audit import require
from toxplan.services.schemas import Actor

MAX_LIMIT = limits.PAGE_SIZE
DEFAULT_LIMIT = 50
MAX_OFFSET = limits.OFFSET
"""Far beyond any clinic; bounded so a huge number never reaches the database driver."""
MAX_SEARCH = limits.SEARCH

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    limit: int
    offset: int
    total: int
    """Rows matching in all, so a caller knows how many pages there are."""


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"give a limit from 1 to {MAX_LIMIT}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"give an offset from 0 to {MAX_OFFSET}", field="offset")


def patients(
    session: Session, actor: Actor, text: str = "", *, limit: int = DEFAULT_LIMIT, offset: int = 0
) -> Page[Patient]:
    """Patients by name; any staff member may search (the caller shows only names and birth dates)."""
    require(actor, ALL_ROLES)
    check_page(limit, offset)
    text = text.strip()
    if len(text) > MAX_SEARCH:
        raise InvalidInput(f"search for at most {MAX_SEARCH} characters", field="q")
    if "\x00" in text:  # PostgreSQL refuses NUL in text: a bad search, not a server error
        raise InvalidInput("must not contain NUL characters", field="q")
    items, total = repo.patient_page(session, actor.clinic_id, text, limit=limit, offset=offset)
    shown(session, actor, "patient_list", [p.id for p in items], detail=f"search {text!r}: {len(items)} of {total}")
    return Page(items, limit, offset, total)


def cosign_queue(
    session: Session,
    actor: Actor,
    *,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    others_only: bool = False,
    newest_first: bool = False,
) -> Page[QueueRow]:
    """Treatments waiting for a medical director's co-signature, oldest signature first.

    ``others_only`` leaves out the director's own treatments (which they may not co-sign);
    ``newest_first`` lists the latest visit first.
    """
    require(actor, DIRECTORS)
    check_page(limit, offset)
    items, total = repo.cosign_queue(
        session,
        actor.clinic_id,
        limit=limit,
        offset=offset,
        exclude_injector=actor.user_id if others_only else None,
        newest_first=newest_first,
    )
    shown(session, actor, "cosign_queue", [r.patient.id for r in items], detail=f"{len(items)} of {total} treatments")
    return Page(items, limit, offset, total)


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    patient: Patient
    overdue: bool
    """Still open after its due date."""


def follow_ups(
    session: Session,
    actor: Actor,
    *,
    open_only: bool | None,
    today: dt.date,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> Page[FollowUpRow]:
    """The clinic's follow-ups by due date: open ones (``open_only``), reviewed ones, or all (None)."""
    require(actor, CLINICAL_RECORD_READERS)
    check_page(limit, offset)
    rows, total = repo.follow_up_page(session, actor.clinic_id, open_only=open_only, limit=limit, offset=offset)
    items = [FollowUpRow(f, p, f.reviewed_on is None and f.due_on < today) for f, p in rows]
    which = {True: "open", False: "reviewed", None: "all"}[open_only]
    shown(session, actor, "follow_up_list", [r.patient.id for r in items], detail=f"{which}: {len(items)} of {total}")
    return Page(items, limit, offset, total)
