"""Patient list and search, registration, the patient page and the screening form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from toxplan.errors import InvalidInput
from toxplan.http.deps import DB, KB, Now
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.services import consents, dose_window, listings, outcomes, patients, planning, records, worklists
from toxplan.web import diagram
from toxplan.web.access import Reader, Staff, redirect
from toxplan.web.forms import Form, lines, status_of, text, values, yes_no
from toxplan.web.rendering import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/patients")
def patient_list(request: Request, current: Staff, db: DB, q: str = "", offset: int = 0) -> Response:
    # Exactly the rows shown are fetched, so the audit names exactly the patients shown; the
    # service refuses an offset or a search out of bounds, naming the field.
    found = listings.patients(db, current.actor, q, limit=PAGE_SIZE, offset=offset)
    return page(
        request,
        "patients.html",
        current,
        patients=found.items,
        more=offset + len(found.items) < found.total,
        q=q,
        offset=offset,
        page_size=PAGE_SIZE,
        clinical=current.actor.role in CLINICAL_RECORD_READERS,
    )


@router.get("/patients/new")
def new_patient_form(request: Request, current: Staff) -> Response:
    return page(request, "patient_new.html", current, form={})


@router.post("/patients/new")
def new_patient(request: Request, current: Staff, db: DB, now: Now, form: Form) -> Response:
    data = {
        "given_name": text(form, "given_name"),
        "family_name": text(form, "family_name"),
        "birth_date": text(form, "birth_date"),
        "sex": text(form, "sex"),
        "phone": text(form, "phone"),
        "email": text(form, "email"),
        "weight_kg": text(form, "weight_kg"),
        "conditions": lines(form, "conditions"),
        "medications": lines(form, "medications"),
        "allergies": lines(form, "allergies"),
    }
    try:
        patient = patients.create_patient(db, current.actor, data, today=now.date())
    except InvalidInput as exc:
        return page(request, "patient_new.html", current, status_code=status_of(exc), error=exc, form=values(form))
    if current.actor.role in CLINICAL_RECORD_READERS:
        return redirect(f"/patients/{patient.id}")
    return redirect(f"/patients/{patient.id}/details?saved=1")  # front desk: no clinical page


@router.get("/patients/{patient_id}")
def patient_page(request: Request, patient_id: str, current: Reader, db: DB, kb: KB, now: Now) -> Response:
    today = now.date()
    actor = current.actor
    view = patients.get_patient(db, actor, patient_id, on=today)
    held = consents.all_for(db, actor, patient_id)
    rows = records.timeline(db, actor, patient_id)
    shown = planning.injections_for(db, actor, patient_id, [r.treatment.id for r in rows[:12]])
    return page(
        request,
        "patient.html",
        current,
        view=view,
        timeline=rows,
        diagrams={tid: diagram.render(kb, found, small=True) for tid, found in shown.items()},
        windows=dose_window.dose_windows(db, actor, patient_id, kb=kb, today=today),
        summary=outcomes.history_summary(db, actor, patient_id),
        follow_ups=[f for f in records.patient_follow_ups(db, actor, patient_id) if f.reviewed_on is None],
        events=records.adverse_events(db, actor, patient_id),
        screening=patients.screening_on(db, actor, patient_id, today),
        today=today,
        kb=kb,
        consents=held,
        current_consents=consents.current_among(db, actor, held, at=now),
    )


@router.get("/patients/{patient_id}/screening")
def screening_form(request: Request, patient_id: str, current: Reader, db: DB, now: Now) -> Response:
    patient = patients.load(db, current.actor, patient_id)
    return page(request, "screening.html", current, patient=patient, form={"visit_on": now.date().isoformat()})


@router.post("/patients/{patient_id}/screening")
def add_screening(request: Request, patient_id: str, current: Reader, db: DB, now: Now, form: Form) -> Response:
    data = {
        "visit_on": text(form, "visit_on"),
        "pregnant": yes_no(form, "pregnant"),
        "breastfeeding": yes_no(form, "breastfeeding"),
        "infection_at_site": yes_no(form, "infection_at_site"),
        "new_medications": text(form, "new_medications"),
        "concern": text(form, "concern"),
        "muscles_on_animation": text(form, "muscles_on_animation"),
    }
    try:
        patients.add_screening(db, current.actor, patient_id, data, today=now.date())
    except InvalidInput as exc:
        patient = patients.load(db, current.actor, patient_id)
        return page(
            request,
            "screening.html",
            current,
            status_code=status_of(exc),
            patient=patient,
            error=exc,
            form=values(form),
        )
    return redirect(f"/patients/{patient_id}?screened=1")


def _details_page(
    request: Request,
    db: DB,
    current: Staff,
    patient_id: str,
    now: Now,
    *,
    error: InvalidInput | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    patient = patients.demographics(db, current.actor, patient_id)
    return page(
        request,
        "patient_details.html",
        current,
        status_code=status_of(error) if error else 200,
        p=patient,
        bookings=worklists.patient_bookings(db, current.actor, patient_id),
        today=now.date(),
        clinical=current.actor.role in CLINICAL_RECORD_READERS,
        error=error,
        form=form,
    )


@router.get("/patients/{patient_id}/details")
def patient_details(request: Request, patient_id: str, current: Staff, db: DB, now: Now) -> Response:
    return _details_page(request, db, current, patient_id, now)


@router.post("/patients/{patient_id}/details")
def save_patient_details(request: Request, patient_id: str, current: Staff, db: DB, now: Now, form: Form) -> Response:
    data = {name: text(form, name) for name in ("given_name", "family_name", "birth_date", "sex", "phone", "email")}
    try:
        patients.update_details(db, current.actor, patient_id, data, today=now.date())
    except InvalidInput as exc:
        db.rollback()
        return _details_page(request, db, current, patient_id, now, error=exc, form=values(form))
    return redirect(f"/patients/{patient_id}/details?saved=1")
