"""Patients: registration, what is known about them, screening and consent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from toxplan import limits
from toxplan.db.models import (
    Consent,
    Patient,
    PatientAllergy,
    PatientCondition,
    PatientMedication,
    Screening,
    WeightRecord,
)
from toxplan.db.repositories import patients as repo
from toxplan.errors import InvalidInput, NotFound
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS
from toxplan.services.access_audit import shown
from toxplan.services.audit import log, require
from toxplan.services.schemas import (
    Actor,
    ConsentCreate,
    PatientCreate,
    PatientDetails,
    ScreeningCreate,
    WeightRecordCreate,
    parse,
    require_past,
)


@dataclass(frozen=True)
class PatientView:
    patient: Patient
    conditions: list[PatientCondition]
    medications: list[PatientMedication]
    allergies: list[PatientAllergy]
    weight: WeightRecord | None


def create_patient(session: Session, actor: Actor, data: object, *, today: dt.date) -> Patient:
    require(actor, ALL_ROLES)
    given = parse(PatientCreate, data)
    if given.birth_date > today:
        raise InvalidInput(f"{given.birth_date} is in the future", field="birth_date")
    if given.birth_date < today.replace(year=today.year - 130):
        raise InvalidInput(f"{given.birth_date} is more than 130 years ago", field="birth_date")
    patient = Patient(
        clinic_id=actor.clinic_id,
        given_name=given.given_name,
        family_name=given.family_name,
        birth_date=given.birth_date,
        sex=given.sex,
        phone=given.phone,
        email=given.email,
    )
    session.add(patient)
    session.flush()
    for model, texts in (
        (PatientCondition, given.conditions),
        (PatientMedication, given.medications),
        (PatientAllergy, given.allergies),
    ):
        for text in texts:
            session.add(model(clinic_id=actor.clinic_id, patient_id=patient.id, text=text))
    if given.weight_kg is not None:
        session.add(
            WeightRecord(clinic_id=actor.clinic_id, patient_id=patient.id, measured_on=today, weight_kg=given.weight_kg)
        )
    log(session, actor, "create", "patient", entity_id=patient.id, patient_id=patient.id)
    return patient


def load(session: Session, actor: Actor, patient_id: str) -> Patient:
    patient = repo.get(session, actor.clinic_id, patient_id)
    if patient is None:  # another clinic's patient is as unknown as a missing one
        raise NotFound(f"no patient {patient_id} in this clinic", field="patient_id")
    return patient


def get_patient(session: Session, actor: Actor, patient_id: str, *, on: dt.date) -> PatientView:
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    conditions, medications, allergies = repo.facts(session, patient.id)
    log(session, actor, "read", "patient", entity_id=patient.id, patient_id=patient.id)
    return PatientView(patient, conditions, medications, allergies, repo.latest_weight(session, patient.id, on))


def search_patients(session: Session, actor: Actor, text: str, *, limit: int = 50, offset: int = 0) -> list[Patient]:
    require(actor, ALL_ROLES)
    text = text.strip()
    if len(text) > limits.SEARCH or "\x00" in text:
        raise InvalidInput(f"search for at most {limits.SEARCH} characters, without NUL", field="q")
    if not 0 <= offset <= limits.OFFSET:  # a huge number must never reach the database driver
        raise InvalidInput(f"give an offset from 0 to {limits.OFFSET}", field="offset")
    found = repo.search(session, actor.clinic_id, text, limit=min(max(limit, 1), limits.PAGE_SIZE), offset=offset)
    shown(session, actor, "patient_list", [p.id for p in found], detail=f"search {text!r}: {len(found)} patients")
    return found


def screening_on(session: Session, actor: Actor, patient_id: str, on: dt.date) -> Screening | None:
    """The patient's latest screening recorded for the visit on ``on``, if any."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    found = repo.screening_on(session, patient.id, on)
    log(
        session,
        actor,
        "read",
        "screening",
        entity_id=found.id if found else None,
        patient_id=patient.id,
        detail=f"visit on {on}",
    )
    return found


def add_screening(session: Session, actor: Actor, patient_id: str, data: object, *, today: dt.date) -> Screening:
    require(actor, CLINICAL_RECORD_READERS)
    given = parse(ScreeningCreate, data)
    patient = load(session, actor, patient_id)
    if given.visit_on > today:
        raise InvalidInput(f"{given.visit_on} is in the future", field="visit_on")
    screening = Screening(
        clinic_id=actor.clinic_id, patient_id=patient.id, recorded_by=actor.user_id, **given.model_dump()
    )
    session.add(screening)
    session.flush()
    log(session, actor, "create", "screening", entity_id=screening.id, patient_id=patient.id)
    return screening


def add_weight(session: Session, actor: Actor, patient_id: str, weight_kg: object, *, on: dt.date) -> WeightRecord:
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    given = parse(WeightRecordCreate, {"weight_kg": weight_kg}).weight_kg
    record = WeightRecord(clinic_id=actor.clinic_id, patient_id=patient.id, measured_on=on, weight_kg=given)
    session.add(record)
    session.flush()
    log(
        session,
        actor,
        "create",
        "patient_weight",
        entity_id=record.id,
        patient_id=patient.id,
        detail=f"{given} kg",
    )
    return record


def add_consent(
    session: Session,
    actor: Actor,
    patient_id: str,
    *,
    form_version: str,
    signed_by: str,
    signed_at: dt.datetime,
) -> Consent:
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    given = parse(ConsentCreate, {"form_version": form_version, "signed_by": signed_by, "signed_at": signed_at})
    require_past(given.signed_at, now=dt.datetime.now(dt.UTC), field="signed_at")
    consent = Consent(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        form_version=given.form_version,
        signed_by=given.signed_by,
        signed_at=given.signed_at,
        witnessed_by=actor.user_id,
    )
    session.add(consent)
    session.flush()
    log(session, actor, "create", "consent", entity_id=consent.id, patient_id=patient.id)
    return consent


def demographics(session: Session, actor: Actor, patient_id: str) -> Patient:
    """Name, birth date, sex and contact details: what every staff member may see."""
    require(actor, ALL_ROLES)
    patient = load(session, actor, patient_id)
    log(session, actor, "read", "patient_demographics", entity_id=patient.id, patient_id=patient.id)
    return patient


def update_details(session: Session, actor: Actor, patient_id: str, data: object, *, today: dt.date) -> Patient:
    """Correct a patient's demographics and contact details (the front desk's job too)."""
    require(actor, ALL_ROLES)
    given = parse(PatientDetails, data)
    patient = load(session, actor, patient_id)
    if given.birth_date > today:
        raise InvalidInput(f"{given.birth_date} is in the future", field="birth_date")
    changed = []
    for name, value in given.model_dump().items():
        if getattr(patient, name) != value:
            setattr(patient, name, value)
            changed.append(name)
    session.flush()
    log(
        session,
        actor,
        "amend",
        "patient",
        entity_id=patient.id,
        patient_id=patient.id,
        detail=", ".join(changed) or None,
    )
    return patient
