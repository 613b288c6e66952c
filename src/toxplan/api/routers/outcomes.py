"""What came of treatments: the clinic's follow-up reviews and adverse events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from toxplan.api.schemas import (
    AdverseEventRead,
    FollowUpPage,
    FollowUpQueueItem,
    FollowUpRead,
    FollowUpReviewRead,
)
from toxplan.auth.sessions import Current
from toxplan.http.deps import DB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING
from toxplan.services import listings, outcomes
from toxplan.services.schemas import AdverseEventCreate, FollowUpRecord

router = APIRouter(tags=["outcomes"], responses=ERROR_RESPONSES)

Clinician = Annotated[Current, Depends(Allow(*TREATING))]
"""Who may record reviews and adverse events (``TREATING``, as the service)."""
Reader = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
Limit = Annotated[int, Query(ge=1, le=listings.MAX_LIMIT, description="Page size, 1 to 200")]
Offset = Annotated[int, Query(ge=0, le=listings.MAX_OFFSET, description="Rows to skip")]


@router.get("/follow-ups")
def list_follow_ups(
    current: Reader,
    db: DB,
    now: Now,
    open: Annotated[bool | None, Query(description="true: not yet reviewed; false: reviewed; absent: all")] = True,
    limit: Limit = listings.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> FollowUpPage:
    """The clinic's follow-ups by due date, open ones by default, with overdue ones flagged."""
    page = listings.follow_ups(db, current.actor, open_only=open, today=now.date(), limit=limit, offset=offset)
    items = [
        FollowUpQueueItem(
            **FollowUpRead.model_validate(row.follow_up).model_dump(),
            patient_name=f"{row.patient.family_name}, {row.patient.given_name}",
            overdue=row.overdue,
        )
        for row in page.items
    ]
    return FollowUpPage(items=items, limit=page.limit, offset=page.offset, total=page.total)


@router.post("/follow-ups/{follow_up_id}")
def record_follow_up(follow_up_id: Key, body: FollowUpRecord, current: Clinician, db: DB, now: Now) -> FollowUpRead:
    """Record the review: wrinkle scale, satisfaction, touch-up, when the effect wore off. A
    later review adds to the earlier one and keeps it as a version (``GET .../reviews``)."""
    reviewed = outcomes.record_follow_up(db, current.actor, follow_up_id, body, today=now.date())
    return FollowUpRead.model_validate(reviewed)


@router.get("/follow-ups/{follow_up_id}/reviews")
def follow_up_reviews(follow_up_id: Key, current: Reader, db: DB) -> list[FollowUpReviewRead]:
    """Every version of the review, oldest first: a second review adds a version (scores, note,
    author, time) and the follow-up shows the latest."""
    return [FollowUpReviewRead.model_validate(r) for r in outcomes.follow_up_reviews(db, current.actor, follow_up_id)]


@router.post("/adverse-events", status_code=201)
def record_adverse_event(body: AdverseEventCreate, current: Clinician, db: DB, now: Now) -> AdverseEventRead:
    """An adverse event after a treatment, linked to its lot for recalls and reporting."""
    return AdverseEventRead.model_validate(outcomes.record_adverse_event(db, current.actor, body, today=now.date()))
