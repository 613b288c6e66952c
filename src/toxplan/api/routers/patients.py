"""Patients: search and registration for all staff; the clinical record for clinicians.

The front desk sees names and birth dates only (``PatientSummary``); everything else about a
patient needs a clinical role or admin, as the services decide. Another clinic's patient is
a 404, like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from toxplan.api.schemas import (
    AdverseEventRead,
    ConsentFormRead,
    ConsentIn,
    ConsentRead,
    ConsentSectionRead,
    DoseWindowRead,
    FollowUpRead,
    IndicationSummaryRead,
    PatientPage,
    PatientRead,
    PatientSummary,
    ScreeningRead,
    TimelineEntry,
    WeightRead,
)
from toxplan.auth.sessions import Current
from toxplan.db.repositories.listings import TimelineRow
from toxplan.http.deps import DB, KB, Allow, Now
from toxplan.http.errors import ERROR_RESPONSES
from toxplan.http.params import Key
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS, TREATING
from toxplan.services import consents, dose_window, listings, outcomes, patients, records
from toxplan.services.schemas import ConsentSign, PatientCreate, ScreeningCreate, WeightRecordCreate

router = APIRouter(prefix="/patients", tags=["patients"], responses=ERROR_RESPONSES)

AnyStaff = Annotated[Current, Depends(Allow(*ALL_ROLES))]
Clinician = Annotated[Current, Depends(Allow(*CLINICAL_RECORD_READERS))]
Prescriber = Annotated[Current, Depends(Allow(*TREATING))]
"""Roles the patient services accept for clinical reads and writes (the same named sets as the services)."""
Limit = Annotated[int, Query(ge=1, le=listings.MAX_LIMIT, description="Page size, 1 to 200")]
Offset = Annotated[int, Query(ge=0, le=listings.MAX_OFFSET, description="Rows to skip")]


@router.get("")
def search(
    current: AnyStaff,
    db: DB,
    q: Annotated[str, Query(max_length=listings.MAX_SEARCH, description="Part of a name")] = "",
    limit: Limit = listings.DEFAULT_LIMIT,
    offset: Offset = 0,
) -> PatientPage:
    """Patients whose name contains ``q``: names and birth dates only, for every role."""
    page = listings.patients(db, current.actor, q, limit=limit, offset=offset)
    items = [PatientSummary.model_validate(p) for p in page.items]
    return PatientPage(items=items, limit=page.limit, offset=page.offset, total=page.total)


@router.post("", status_code=201)
def register(body: PatientCreate, current: AnyStaff, db: DB, now: Now) -> PatientSummary:
    """Register a patient; the answer repeats only what the front desk may see."""
    return PatientSummary.model_validate(patients.create_patient(db, current.actor, body, today=now.date()))


@router.get("/{patient_id}")
def clinical_view(patient_id: Key, current: Clinician, db: DB, now: Now) -> PatientRead:
    """Conditions, medications, allergies and the latest weight."""
    view = patients.get_patient(db, current.actor, patient_id, on=now.date())
    summary = PatientSummary.model_validate(view.patient).model_dump()
    p = view.patient
    return PatientRead(
        **summary,
        sex=p.sex,
        phone=p.phone,
        email=p.email,
        conditions=view.conditions,  # FactRead reads the rows' attributes
        medications=view.medications,
        allergies=view.allergies,
        weight=WeightRead.model_validate(view.weight) if view.weight else None,
    )


@router.post("/{patient_id}/screenings", status_code=201)
def add_screening(patient_id: Key, body: ScreeningCreate, current: Clinician, db: DB, now: Now) -> ScreeningRead:
    return ScreeningRead.model_validate(patients.add_screening(db, current.actor, patient_id, body, today=now.date()))


@router.post("/{patient_id}/weights", status_code=201)
def add_weight(patient_id: Key, body: WeightRecordCreate, current: Clinician, db: DB, now: Now) -> WeightRead:
    """A weight measured today; per-kg dose limits use the latest one."""
    return WeightRead.model_validate(patients.add_weight(db, current.actor, patient_id, body.weight_kg, on=now.date()))


@router.post("/{patient_id}/consent-signatures", status_code=201)
def sign_consent(patient_id: Key, body: ConsentSign, current: Prescriber, db: DB, kb: KB, now: Now) -> ConsentRead:
    """The patient signs the form for a product and areas (``GET /consent-form`` gives its text and
    hash); the drawn signature is a PNG. Signing an aesthetic treatment needs such a consent."""
    consent = consents.sign_consent(db, current.actor, patient_id, body, kb=kb, now=now)
    return ConsentRead.model_validate(consent)


@router.post("/{patient_id}/consents", status_code=201)
def add_consent(patient_id: Key, body: ConsentIn, current: Clinician, db: DB) -> ConsentRead:
    """A consent recorded without a form (its version and signer only). It covers no treatment:
    signing one needs a form consent (``consent-signatures``)."""
    consent = patients.add_consent(
        db,
        current.actor,
        patient_id,
        form_version=body.form_version,
        signed_by=body.signed_by,
        signed_at=body.signed_at,
    )
    db.flush()  # the id is given on insert; a refused insert must fail before the 201 goes out
    return ConsentRead.model_validate(consent)


def _entry(row: TimelineRow) -> TimelineEntry:
    t = row.treatment
    return TimelineEntry(
        treatment_id=t.id,
        visit_at=t.visit_at,
        product=t.product,
        lot_number=row.lot_number,
        total_units=t.total_units,
        indications=row.indications,
        injector=row.injector_name,
        cosigned=row.cosigned,
        findings={severity: row.findings.get(severity, 0) for severity in ("critical", "warning", "info")},
        overridden=row.overridden,
    )


@router.get("/{patient_id}/treatments")
def timeline(patient_id: Key, current: Clinician, db: DB) -> list[TimelineEntry]:
    """Every signed treatment, most recent first."""
    return [_entry(row) for row in records.timeline(db, current.actor, patient_id)]


@router.get("/{patient_id}/history-summary")
def history_summary(patient_id: Key, current: Clinician, db: DB) -> list[IndicationSummaryRead]:
    """Per indication: last dose and review, how long the effect lasted, adverse events."""
    return [IndicationSummaryRead.model_validate(s) for s in outcomes.history_summary(db, current.actor, patient_id)]


@router.get("/{patient_id}/dose-windows")
def dose_windows(patient_id: Key, current: Clinician, db: DB, kb: KB, now: Now) -> list[DoseWindowRead]:
    """Units of each product inside its label's rolling window, against the window's maximum."""
    found = dose_window.dose_windows(db, current.actor, patient_id, kb=kb, today=now.date())
    return [DoseWindowRead.model_validate(w) for w in found]


@router.get("/{patient_id}/adverse-events")
def adverse_events(patient_id: Key, current: Clinician, db: DB) -> list[AdverseEventRead]:
    return [AdverseEventRead.model_validate(e) for e in records.adverse_events(db, current.actor, patient_id)]


@router.get("/{patient_id}/follow-ups")
def follow_ups(patient_id: Key, current: Clinician, db: DB) -> list[FollowUpRead]:
    return [FollowUpRead.model_validate(f) for f in records.patient_follow_ups(db, current.actor, patient_id)]


forms = APIRouter(tags=["patients"], responses=ERROR_RESPONSES)


@forms.get("/consent-form")
def consent_form(
    current: Clinician,
    kb: KB,
    product: Annotated[str, Query(max_length=60, description="Product id or brand")],
    areas: Annotated[list[str], Query(description="Indication ids to treat")],
    purpose: Annotated[Literal["aesthetic", "therapeutic"], Query()] = "aesthetic",
) -> ConsentFormRead:
    """The consent form for a product, purpose and areas, with its text and the hash to sign."""
    doc = consents.document(kb, product, purpose, areas)
    return ConsentFormRead(
        form_id=doc.form.id,
        version=doc.form.version,
        title=doc.form.title,
        product=doc.product,
        purpose=doc.form.purpose,
        areas=list(doc.areas),
        off_label=list(doc.off_label),
        sections=[ConsentSectionRead(heading=s.heading, paragraphs=list(s.paragraphs)) for s in doc.sections],
        text=doc.text,
        text_sha256=doc.sha256,
    )
