"""What leaves the building: the data behind a printed treatment record and aftercare sheet,
a patient's whole toxin record (FHIR), and the clinic's CSV exports.

Every export is role-checked (the front desk gets no clinical export) and lands in the audit
log as an ``export`` event naming what left and, for a period, how many rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.models import AdverseEvent, Clinic, Consent, Cosignature, FollowUp, Lot, Patient, Treatment, User
from toxplan.db.models import TreatmentInjection as Injection
from toxplan.db.repositories import exports as repo
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.db.repositories.exports import InjectionRow
from toxplan.errors import InvalidInput, NotFound
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.records import TreatmentDetail, treatment_detail
from toxplan.services.schemas import Actor

DOCUMENTS = ("treatment_record", "aftercare_sheet")
MAX_PERIOD_DAYS = 3660
"""About ten years: a bound, so one request cannot ask for every day since year 1."""


def _clinic(session: Session, actor: Actor) -> Clinic:
    found = repo.clinic(session, actor.clinic_id)
    if found is None:
        raise NotFound(f"no clinic {actor.clinic_id}", field="clinic_id")
    return found


# --- one treatment: the printed record and the aftercare sheet ------------------------------


@dataclass(frozen=True)
class TreatmentReport:
    detail: TreatmentDetail
    clinic: Clinic
    consent: Consent | None
    """The patient's latest consent signed before the visit; None when there is none."""
    consent_witness: str | None


def treatment_report(session: Session, actor: Actor, treatment_id: str, *, document: str) -> TreatmentReport:
    """A treatment with everything its printed ``document`` shows; audited as an export."""
    require(actor, CLINICAL_RECORD_READERS)
    if document not in DOCUMENTS:
        raise InvalidInput(f"choose one of {', '.join(DOCUMENTS)}", field="document")
    detail = treatment_detail(session, actor, treatment_id)
    visit = detail.treatment.visit_at
    signed = [c for c in repo.consents(session, detail.patient.id) if c.signed_at <= visit]
    consent = signed[-1] if signed else None
    witness = None
    if consent is not None:
        witness = next((u.name for u in repo.users(session, actor.clinic_id, {consent.witnessed_by})), None)
    log(
        session,
        actor,
        "export",
        document,
        entity_id=detail.treatment.id,
        patient_id=detail.patient.id,
        detail=f"{document.replace('_', ' ')} (PDF)",
    )
    return TreatmentReport(detail, _clinic(session, actor), consent, witness)


# --- one patient: the whole toxin record ----------------------------------------------------


@dataclass(frozen=True)
class TreatmentBundle:
    treatment: Treatment
    injections: list[Injection]
    cosignature: Cosignature | None


@dataclass(frozen=True)
class PatientRecord:
    clinic: Clinic
    patient: Patient
    treatments: list[TreatmentBundle]
    """Oldest first."""
    lots: dict[str, Lot]
    users: dict[str, User]
    """Everyone who injected, co-signed, witnessed a consent or recorded an outcome."""
    consents: list[Consent]
    follow_ups: list[FollowUp]
    adverse_events: list[AdverseEvent]


def patient_record(session: Session, actor: Actor, patient_id: str, *, format: str) -> PatientRecord:
    """Everything ToxPlan holds about a patient's toxin treatments; audited as an export."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    treatments = list(reversed(treatment_repo.for_patient(session, patient.id)))
    ids = [t.id for t in treatments]
    by_treatment: dict[str, list[Injection]] = {i: [] for i in ids}
    for injection in repo.injections_of(session, ids):
        by_treatment[injection.treatment_id].append(injection)
    signatures = {c.treatment_id: c for c in repo.cosignatures_of(session, ids)}
    consents = repo.consents(session, patient.id)
    follow_ups = treatment_repo.follow_ups(session, ids)
    events = treatment_repo.adverse_events(session, patient.id)
    people = {t.injector_id for t in treatments} | {c.user_id for c in signatures.values()}
    people |= {c.witnessed_by for c in consents} | {e.recorded_by for e in events}
    people |= {f.recorded_by for f in follow_ups if f.recorded_by}
    lot_ids = {t.lot_id for t in treatments} | {e.lot_id for e in events}
    log(
        session,
        actor,
        "export",
        "patient_record",
        entity_id=patient.id,
        patient_id=patient.id,
        detail=f"{format}: {len(treatments)} treatments",
    )
    return PatientRecord(
        clinic=_clinic(session, actor),
        patient=patient,
        treatments=[TreatmentBundle(t, by_treatment[t.id], signatures.get(t.id)) for t in treatments],
        lots={lot.id: lot for lot in repo.lots(session, actor.clinic_id, lot_ids)},
        users={u.id: u for u in repo.users(session, actor.clinic_id, people)},
        consents=consents,
        follow_ups=follow_ups,
        adverse_events=events,
    )


# --- the clinic over a period: CSV ----------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Calendar days ``first`` to ``last`` inclusive, read as UTC days."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), dt.UTC)

    def __str__(self) -> str:
        return f"{self.first} to {self.last}"


def period(first: dt.date, last: dt.date) -> Period:
    if last < first:
        raise InvalidInput(f"the period ends ({last}) before it starts ({first})", field="to")
    if (last - first).days > MAX_PERIOD_DAYS:
        raise InvalidInput(f"give a period of at most {MAX_PERIOD_DAYS} days", field="to")
    return Period(first, last)


def _exported(session: Session, actor: Actor, kind: str, span: Period, rows: int) -> None:
    log(session, actor, "export", f"csv_{kind}", detail=f"{span}: {rows} rows")


def injections(session: Session, actor: Actor, span: Period) -> list[InjectionRow]:
    """Every injection of the treatments in the period (one CSV row each)."""
    require(actor, CLINICAL_RECORD_READERS)
    rows = repo.injections_between(session, actor.clinic_id, span.start, span.end)
    _exported(session, actor, "treatments", span, len(rows))
    return rows


def lot_usage(session: Session, actor: Actor, span: Period) -> list[tuple[Lot, int, int, Decimal]]:
    """Each lot used in the period: patients, treatments and units given."""
    require(actor, CLINICAL_RECORD_READERS)
    rows = repo.lot_usage(session, actor.clinic_id, span.start, span.end)
    _exported(session, actor, "lots", span, len(rows))
    return rows


def adverse_events(session: Session, actor: Actor, span: Period) -> list[tuple[AdverseEvent, Patient, Treatment, Lot]]:
    """Adverse events with their onset in the period."""
    require(actor, CLINICAL_RECORD_READERS)
    rows = repo.adverse_events_between(session, actor.clinic_id, span.first, span.last)
    _exported(session, actor, "adverse_events", span, len(rows))
    return rows


def follow_ups(session: Session, actor: Actor, span: Period) -> list[tuple[FollowUp, Patient, Treatment]]:
    """Follow-ups (reviewed or still open) of the treatments in the period."""
    require(actor, CLINICAL_RECORD_READERS)
    rows = repo.follow_ups_between(session, actor.clinic_id, span.start, span.end)
    _exported(session, actor, "follow_ups", span, len(rows))
    return rows
