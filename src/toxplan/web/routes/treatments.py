"""The signed treatment page with its addenda, co-signature, review, follow-up and adverse-event
forms."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from toxplan.auth.reauth import confirm_signer
from toxplan.auth.sessions import Current
from toxplan.db.models import TreatmentFinding
from toxplan.db.models.outcome import EVENT_TYPES, OUTCOMES, SEVERITIES
from toxplan.errors import Conflict, InvalidInput, NotFound, ToxPlanError
from toxplan.http.deps import DB, KB, Now, client_address
from toxplan.knowledge.base import KnowledgeBase
from toxplan.presenters import sources_json
from toxplan.primitives.roles import TREATING, Role
from toxplan.services import consents, outcomes, records, treatments, worklists
from toxplan.services.schemas import OVERRIDE_CATEGORIES
from toxplan.web import diagram
from toxplan.web.access import Director, Prescriber, Reader, redirect, safe_next
from toxplan.web.forms import Form, status_of, text, values
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
REFUSALS = (InvalidInput, Conflict, NotFound)


def _treatment_page(
    request: Request,
    db: Session,
    current: Current,
    treatment_id: str,
    kb: KnowledgeBase,
    *,
    error: ToxPlanError | None = None,
    failed_form: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    detail = records.treatment_detail(db, current.actor, treatment_id)
    findings = sorted(detail.findings, key=_severity_first)
    cited = (c for f in findings for c in f.citations.split())
    role = current.actor.role
    return page(
        request,
        "treatment.html",
        current,
        status_code=status_of(error) if error else 200,
        d=detail,
        t=detail.treatment,
        findings=findings,
        sources=sources_json(kb, cited),
        product=kb.products.get(detail.treatment.product),
        can_prescribe=role in TREATING,
        can_cosign=role == Role.MEDICAL_DIRECTOR
        and detail.cosignature is None
        and detail.treatment.injector_id != current.actor.user_id
        and not any(r.decision == "reject" for r in worklists.reviews_of(db, current.actor, treatment_id)),
        event_types=EVENT_TYPES,
        severities=SEVERITIES,
        outcomes=OUTCOMES,
        sites=sorted({i.site for i in detail.injections if i.site}),
        error=error,
        failed_form=failed_form,
        form=form or {},
        signed=request.query_params.get("signed") == "1",
        override_categories=OVERRIDE_CATEGORIES,
        diagram=diagram.render(kb, detail.injections),
        reviews=worklists.reviews_of(db, current.actor, treatment_id),
        can_review=role == Role.MEDICAL_DIRECTOR
        and detail.cosignature is None
        and detail.treatment.injector_id != current.actor.user_id,
        consent=consents.linked(db, current.actor, detail.treatment.consent_id)
        if detail.treatment.consent_id
        else None,
    )


def _severity_first(finding: TreatmentFinding) -> tuple[int, str]:
    return ({"critical": 0, "warning": 1}.get(finding.severity, 2), finding.code)


@router.get("/treatments/{treatment_id}")
def treatment_page(request: Request, treatment_id: str, current: Reader, db: DB, kb: KB) -> Response:
    return _treatment_page(request, db, current, treatment_id, kb)


@router.post("/treatments/{treatment_id}/addenda")
def add_addendum(request: Request, treatment_id: str, current: Prescriber, db: DB, kb: KB, form: Form) -> Response:
    try:
        treatments.add_addendum(db, current.actor, treatment_id, text(form, "text") or "")
    except REFUSALS as exc:
        db.rollback()
        return _treatment_page(
            request, db, current, treatment_id, kb, error=exc, failed_form="addendum", form=values(form)
        )
    return redirect(f"/treatments/{treatment_id}#addenda")


@router.post("/treatments/{treatment_id}/cosign")
def cosign(request: Request, treatment_id: str, current: Director, db: DB, kb: KB, form: Form) -> Response:
    try:
        password = form.get("password")
        signer_password = password if isinstance(password, str) else None
        confirm_signer(request.app.state.sessions, db, current.actor, signer_password, address=client_address(request))
        worklists.cosign(db, current.actor, treatment_id)
    except REFUSALS as exc:
        db.rollback()
        return _treatment_page(request, db, current, treatment_id, kb, error=exc, failed_form="cosign")
    return redirect(safe_next(text(form, "next"), f"/treatments/{treatment_id}"))


@router.post("/follow-ups/{follow_up_id}")
def record_follow_up(
    request: Request, follow_up_id: str, current: Prescriber, db: DB, kb: KB, now: Now, form: Form
) -> Response:
    treatment_id = text(form, "treatment_id") or ""
    data = {
        "reviewed_on": text(form, "reviewed_on"),
        "fws_rest": text(form, "fws_rest"),
        "fws_max": text(form, "fws_max"),
        "satisfaction": text(form, "satisfaction"),
        "touch_up_units": text(form, "touch_up_units"),
        "effect_wore_off_on": text(form, "effect_wore_off_on"),
        "note": text(form, "note"),
    }
    try:
        done = outcomes.record_follow_up(db, current.actor, follow_up_id, data, today=now.date())
    except REFUSALS as exc:
        db.rollback()
        return _treatment_page(
            request, db, current, treatment_id, kb, error=exc, failed_form="follow_up", form=values(form)
        )
    return redirect(safe_next(text(form, "next"), f"/treatments/{done.treatment_id}#follow-up"))


@router.post("/treatments/{treatment_id}/adverse-events")
def record_adverse_event(
    request: Request, treatment_id: str, current: Prescriber, db: DB, kb: KB, now: Now, form: Form
) -> Response:
    data = {
        "treatment_id": treatment_id,
        "type": text(form, "type"),
        "onset_on": text(form, "onset_on"),
        "severity": text(form, "severity"),
        "serious": text(form, "serious") == "yes",
        "outcome": text(form, "outcome"),
        "sites": [s for s in form.getlist("sites") if isinstance(s, str) and s],
        "description": text(form, "description"),
    }
    try:
        outcomes.record_adverse_event(db, current.actor, data, today=now.date())
    except REFUSALS as exc:
        db.rollback()
        return _treatment_page(
            request, db, current, treatment_id, kb, error=exc, failed_form="adverse_event", form=values(form)
        )
    return redirect(f"/treatments/{treatment_id}#adverse-events")


def treatment_with_error(
    request: Request, db: Session, current: Current, treatment_id: str, error: ToxPlanError, failed_form: str
) -> Response:
    """The treatment page again, showing why a form on it was refused."""
    kb = request.app.state.kb
    return _treatment_page(request, db, current, treatment_id, kb, error=error, failed_form=failed_form)
