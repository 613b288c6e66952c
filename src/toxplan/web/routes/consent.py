"""The consent page for the tablet: the patient reads the form for the product and areas, types
their name and signs with a finger; a signed consent can be read back with its signature."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from toxplan.auth.sessions import Current
from toxplan.domain.consent_text import ConsentDocument, area_name, brand_for
from toxplan.errors import Conflict, InvalidInput, NotFound, ToxPlanError
from toxplan.http.deps import DB, KB, Now
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import consents, patients
from toxplan.web.access import Admin, Prescriber, Reader, redirect, safe_next
from toxplan.web.forms import Form, status_of, text
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
REFUSALS = (InvalidInput, Conflict, NotFound)


def _consent_page(
    request: Request,
    db: Session,
    current: Current,
    kb: KnowledgeBase,
    patient_id: str,
    *,
    product: str,
    purpose: str,
    areas: list[str],
    next_url: str,
    error: ToxPlanError | None = None,
    signed_by: str = "",
) -> Response:
    patient = patients.load(db, current.actor, patient_id)
    found = kb.find_product(product) or next(iter(kb.products.values()))
    purpose = purpose if purpose in ("aesthetic", "therapeutic") else "aesthetic"
    offered = consents.areas_of(kb, found.id, purpose)
    doc: ConsentDocument | None = None
    problem = error
    try:
        doc = consents.document(kb, found.id, purpose, [a for a in areas if a in offered])
    except REFUSALS as exc:
        problem = problem or exc
    return page(
        request,
        "consent.html",
        current,
        status_code=status_of(error) if error else 200,
        patient=patient,
        doc=doc,
        product=found,
        purpose=purpose,
        products=[(p.id, brand_for(kb, p.id, purpose)) for p in kb.products.values()],
        offered=[(a, area_name(kb, a)) for a in offered],
        chosen=set(areas),
        next_url=next_url,
        error=problem,
        signed_by=signed_by,
    )


@router.get("/patients/{patient_id}/consent")
def consent_form(
    request: Request,
    patient_id: str,
    current: Prescriber,
    db: DB,
    kb: KB,
    product: str = "onabotulinumtoxina",
    purpose: str = "aesthetic",
    next: str = "",
) -> Response:
    areas = [a for a in request.query_params.getlist("areas") if a][:40]
    target = safe_next(next, f"/patients/{patient_id}")
    return _consent_page(
        request, db, current, kb, patient_id, product=product[:60], purpose=purpose, areas=areas, next_url=target
    )


@router.post("/patients/{patient_id}/consent")
def sign_consent(
    request: Request, patient_id: str, current: Prescriber, db: DB, kb: KB, now: Now, form: Form
) -> Response:
    areas = [a for a in form.getlist("areas") if isinstance(a, str) and a][:40]
    data: dict[str, object] = {
        "product": text(form, "product"),
        "purpose": text(form, "purpose") or "aesthetic",
        "areas": areas,
        "text_sha256": text(form, "text_sha256"),
        "signed_by": text(form, "signed_by"),
        "signature": text(form, "signature"),
    }
    target = safe_next(text(form, "next"), f"/patients/{patient_id}")
    try:
        consents.sign_consent(db, current.actor, patient_id, data, kb=kb, now=now)
    except REFUSALS as exc:
        db.rollback()
        return _consent_page(
            request,
            db,
            current,
            kb,
            patient_id,
            product=text(form, "product") or "",
            purpose=text(form, "purpose") or "aesthetic",
            areas=areas,
            next_url=target,
            error=exc,
            signed_by=text(form, "signed_by") or "",
        )
    return redirect(target + ("&" if "?" in target else "?") + urlencode({"consented": 1}))


@router.get("/consents/{consent_id}")
def consent_record(request: Request, consent_id: str, current: Reader, db: DB) -> Response:
    consent = consents.get(db, current.actor, consent_id)
    patient = patients.load(db, current.actor, consent.patient_id)
    return page(request, "consent_record.html", current, consent=consent, patient=patient)


@router.get("/consents/{consent_id}/signature.png")
def consent_signature(consent_id: str, current: Reader, db: DB) -> Response:
    consent = consents.get(db, current.actor, consent_id)
    if not consent.signature_png:
        raise NotFound("this consent was recorded without a drawn signature", field="consent_id")
    return Response(
        base64.b64decode(consent.signature_png), media_type="image/png", headers={"Cache-Control": "private"}
    )


def consent_link(patient_id: str, product: str, areas: list[str], *, next_url: str) -> str:
    query = urlencode([("product", product), *(("areas", a) for a in areas), ("next", next_url)])
    return f"/patients/{patient_id}/consent?{query}"


def _settings_page(
    request: Request, db: Session, current: Current, kb: KnowledgeBase, *, error: ToxPlanError | None = None
) -> Response:
    return page(
        request,
        "settings.html",
        current,
        status_code=status_of(error) if error else 200,
        rules=consents.policy(db, current.actor.clinic_id),
        products=[(p.id, p.brands[0]) for p in kb.products.values()],
        error=error,
    )


@router.get("/clinic/settings")
def clinic_settings(request: Request, current: Admin, db: DB, kb: KB) -> Response:
    return _settings_page(request, db, current, kb)


@router.post("/clinic/settings")
def save_clinic_settings(request: Request, current: Admin, db: DB, kb: KB, form: Form) -> Response:
    data = {
        "consent_aesthetic": text(form, "consent_aesthetic") == "yes",
        "consent_therapeutic": text(form, "consent_therapeutic") == "yes",
        "consent_valid_months": text(form, "consent_valid_months"),
        "usual_product": text(form, "usual_product"),
    }
    try:
        consents.update_settings(db, current.actor, data, kb=kb)
    except REFUSALS as exc:
        db.rollback()
        return _settings_page(request, db, current, kb, error=exc)
    return redirect("/clinic/settings?saved=1")
