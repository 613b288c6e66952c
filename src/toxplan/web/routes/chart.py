"""The planning chart, and signing the plan drawn on it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from toxplan.auth.reauth import confirm_signer
from toxplan.auth.sessions import Current
from toxplan.errors import Conflict, InvalidInput, NotFound, ToxPlanError
from toxplan.face_chart import render_chart
from toxplan.http.deps import DB, KB, ClinicPolicy, Now, client_address
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import patients, planning, treatments
from toxplan.web.access import Prescriber, redirect
from toxplan.web.chart_data import chart_data
from toxplan.web.forms import Form, status_of, text
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
PLAN_FIELDS = ("product", "lot_id", "reconstitution_id", "diluent_ml", "injections", "overrides", "note")
"""What the chart may send; the patient and the visit time come from the server."""
MAX_PLAN_BYTES = 200_000


def _chart_page(
    request: Request,
    db: Session,
    current: Current,
    patient_id: str,
    kb: KnowledgeBase,
    now: dt.datetime,
    *,
    error: ToxPlanError | None = None,
) -> Response:
    view = patients.get_patient(db, current.actor, patient_id, on=now.date())
    data = chart_data(db, actor=current.actor, patient=view.patient, kb=kb, now=now)
    return page(
        request,
        "chart.html",
        current,
        status_code=status_of(error) if error else 200,
        view=view,
        data=data,
        chart_svg=render_chart(kb.template),
        zooms=data["zooms"],
        screening=patients.screening_on(db, current.actor, patient_id, now.date()),
        error=error,
    )


@router.get("/patients/{patient_id}/plan")
def chart(request: Request, patient_id: str, current: Prescriber, db: DB, kb: KB, now: Now) -> Response:
    return _chart_page(request, db, current, patient_id, kb, now)


def _password(form: FormData) -> str | None:
    value = form.get("password")
    return value if isinstance(value, str) else None


def _plan(form_value: str | None) -> dict[str, Any]:
    if not form_value:
        raise InvalidInput("the plan is empty", field="plan")
    if len(form_value) > MAX_PLAN_BYTES:
        raise InvalidInput("the plan is too large", field="plan")
    try:
        sent = json.loads(form_value, parse_float=Decimal)  # units keep their digits to the database
    except ValueError:
        raise InvalidInput("the plan is not valid JSON", field="plan") from None
    except RecursionError:  # e.g. 100,000 nested brackets: refused, never a server error
        raise InvalidInput("the plan is nested too deeply", field="plan") from None
    if not isinstance(sent, dict):
        raise InvalidInput("the plan must be an object", field="plan")
    return {key: sent[key] for key in PLAN_FIELDS if sent.get(key) not in (None, "")}


@router.post("/patients/{patient_id}/treatments")
def sign(
    request: Request,
    patient_id: str,
    current: Prescriber,
    db: DB,
    kb: KB,
    now: Now,
    policy: ClinicPolicy,
    form: Form,
) -> Response:
    """Record (sign) the plan; a refusal shows the chart again with the reason."""
    try:
        data = _plan(text(form, "plan"))
        data.update(patient_id=patient_id, visit_at=now)
        confirm_signer(request.app.state.sessions, db, current.actor, _password(form), address=client_address(request))
        done = treatments.record_treatment(db, current.actor, data, kb=kb, now=now, policy=policy)
    except (InvalidInput, Conflict, NotFound) as exc:
        db.rollback()  # nothing of a refused signing may be committed with the page's reads
        return _chart_page(request, db, current, patient_id, kb, now, error=exc)
    return redirect(f"/treatments/{done.treatment.id}?signed=1")


@router.post("/patients/{patient_id}/plan-templates")
def save_template(
    request: Request, patient_id: str, current: Prescriber, db: DB, kb: KB, now: Now, form: Form
) -> Response:
    """Save the plan on the chart as a clinic template; the chart comes back with its draft."""
    try:
        sent = _plan(text(form, "plan"))
        data = {"name": text(form, "name"), "product": text(form, "product"), "injections": sent.get("injections", [])}
        planning.save_template(db, current.actor, data, kb=kb)
    except (InvalidInput, Conflict, NotFound) as exc:
        db.rollback()
        return _chart_page(request, db, current, patient_id, kb, now, error=exc)
    return redirect(f"/patients/{patient_id}/plan?template_saved=1")
