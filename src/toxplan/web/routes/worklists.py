"""Worklists: follow-ups due and overdue (outcome in place, no-show, rescheduling), the medical
director's review queue and review actions, and the injector's open queries."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from toxplan.auth.sessions import Current
from toxplan.errors import Conflict, InvalidInput, NotFound, ToxPlanError
from toxplan.http.deps import DB, Now
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING
from toxplan.services import worklists
from toxplan.web.access import Director, Prescriber, Staff, redirect, safe_next
from toxplan.web.forms import Form, status_of, text
from toxplan.web.rendering import page
from toxplan.web.routes.treatments import treatment_with_error

router = APIRouter(include_in_schema=False)
REFUSALS = (InvalidInput, Conflict, NotFound)


def _follow_ups_page(
    request: Request,
    db: Session,
    current: Current,
    now: dt.datetime,
    *,
    error: ToxPlanError | None = None,
    failed: str | None = None,
) -> Response:
    rows = worklists.due_follow_ups(db, current.actor, today=now.date())
    return page(
        request,
        "follow_ups.html",
        current,
        status_code=status_of(error) if error else 200,
        overdue=[r for r in rows if r.days_overdue > 0],
        due=[r for r in rows if r.days_overdue <= 0],
        today=now.date(),
        clinical=current.actor.role in CLINICAL_RECORD_READERS,
        can_review=current.actor.role in TREATING,
        error=error,
        failed=failed,
    )


@router.get("/follow-ups")
def follow_ups(request: Request, current: Staff, db: DB, now: Now) -> Response:
    return _follow_ups_page(request, db, current, now)


@router.post("/follow-ups/{follow_up_id}/no-show")
def no_show(request: Request, follow_up_id: str, current: Staff, db: DB, now: Now, form: Form) -> Response:
    try:
        worklists.no_show(db, current.actor, follow_up_id, today=now.date())
    except REFUSALS as exc:
        db.rollback()
        return _follow_ups_page(request, db, current, now, error=exc, failed=follow_up_id)
    return redirect(safe_next(text(form, "next"), "/follow-ups?no_show=1"))


@router.post("/follow-ups/{follow_up_id}/reschedule")
def reschedule(request: Request, follow_up_id: str, current: Staff, db: DB, now: Now, form: Form) -> Response:
    try:
        raw = text(form, "due_on")
        try:
            due_on = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            raise InvalidInput("give a date", field="due_on") from None
        worklists.reschedule(db, current.actor, follow_up_id, due_on, today=now.date())
    except REFUSALS as exc:
        db.rollback()
        return _follow_ups_page(request, db, current, now, error=exc, failed=follow_up_id)
    return redirect(safe_next(text(form, "next"), "/follow-ups?rescheduled=1"))


@router.get("/cosign")
def review_queue(request: Request, current: Director, db: DB) -> Response:
    rows, total = worklists.review_queue(db, current.actor)
    return page(request, "cosign_queue.html", current, rows=rows, total=total)


@router.post("/treatments/{treatment_id}/review")
def review(request: Request, treatment_id: str, current: Director, db: DB, form: Form) -> Response:
    try:
        worklists.review(db, current.actor, treatment_id, text(form, "decision") or "", text(form, "note"))
    except REFUSALS as exc:
        db.rollback()
        return treatment_with_error(request, db, current, treatment_id, exc, "review")
    return redirect("/cosign?reviewed=1")


@router.post("/reviews/{review_id}/answer")
def answer(request: Request, review_id: str, current: Prescriber, db: DB, now: Now, form: Form) -> Response:
    treatment_id = text(form, "treatment_id") or ""
    try:
        worklists.answer(db, current.actor, review_id, text(form, "text"), now=now)
    except REFUSALS as exc:
        db.rollback()
        return treatment_with_error(request, db, current, treatment_id, exc, "answer")
    return redirect(f"/treatments/{treatment_id}#reviews")


@router.get("/queries")
def queries(request: Request, current: Prescriber, db: DB) -> Response:
    return page(request, "queries.html", current, rows=worklists.my_reviews(db, current.actor))
