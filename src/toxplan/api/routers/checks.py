"""Checking a plan without saving it: the same request and findings as `toxplan check`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from toxplan.domain.checking import check, check_moment
from toxplan.domain.requests import CheckRequest, complete
from toxplan.errors import InvalidInput
from toxplan.http.deps import KB, Allow, ClinicPolicy, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.presenters import check_json
from toxplan.primitives.roles import TREATING

router = APIRouter(tags=["check"], responses=ERROR_RESPONSES)


@router.post("/check", dependencies=[Depends(Allow(*TREATING))])
def check_plan(body: CheckRequest, kb: KB, now: Now, policy: ClinicPolicy) -> dict[str, Any]:
    """Findings, injections and totals for a planned treatment; nothing is stored.

    A plain function, so the safety engine runs in the thread pool and never holds up the
    event loop that other requests (``/health`` included) are answered on.
    """
    made = body.treatment.reconstituted_at
    if made is not None and made.tzinfo is None:  # the server cannot know the caller's zone
        raise InvalidInput("give the time zone, e.g. 2026-11-25T08:30:00+01:00", field="treatment.reconstituted_at")
    parsed = complete(body, today=now.date())
    assert parsed.date is not None
    checked = check(kb, parsed, at=check_moment(parsed.date, now), policy=policy)
    return check_json(checked, kb)
