"""Reading a clinic's records: one treatment with everything attached, a patient's timeline,
adverse events and follow-ups, and the stock of lots.

Reads of patient data are audited here, as the writing services audit what they write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from sqlalchemy.orm import Session

from toxplan.db.models import (
    Addendum,
    AdverseEvent,
    Cosignature,
    FollowUp,
    FollowUpReview,
    Lot,
    Patient,
    Reconstitution,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
)
from toxplan.db.repositories import listings
from toxplan.db.repositories import treatments as repo
from toxplan.db.repositories.listings import TimelineRow
from toxplan.errors import NotFound
from toxplan.primitives.roles import CLINICAL_RECORD_READERS
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor
from toxplan.services.treatments import RecordedTreatment

EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class TreatmentRecord:
    """A signed treatment as stored, with what was added to it afterwards."""

    treatment: Treatment
    lot_number: str
    injector_name: str
    injections: list[TreatmentInjection]
    findings: list[TreatmentFinding]
    cosignature: Cosignature | None
    addenda: list[Addendum]
    follow_up: FollowUp | None
    names: dict[str, str]
    """User id → name for the co-signer and the addenda authors."""


def _assemble(session: Session, actor: Actor, treatment: Treatment) -> TreatmentRecord:
    session.flush()  # rows added by the signing service get their ids and become queryable
    signature = repo.cosignature(session, treatment.id)
    addenda = repo.addenda(session, treatment.id)
    people = {treatment.injector_id, *(a.author_id for a in addenda)}
    if signature is not None:
        people.add(signature.user_id)
    names = listings.user_names(session, actor.clinic_id, people)
    follow_ups = repo.follow_ups(session, [treatment.id])
    return TreatmentRecord(
        treatment=treatment,
        lot_number=listings.lot_number(session, treatment.lot_id) or "",
        injector_name=names.get(treatment.injector_id, ""),
        injections=repo.injections(session, treatment.id),
        findings=repo.findings(session, treatment.id),
        cosignature=signature,
        addenda=addenda,
        follow_up=follow_ups[0] if follow_ups else None,
        names=names,
    )


def treatment_record(session: Session, actor: Actor, treatment_id: str) -> TreatmentRecord:
    require(actor, CLINICAL_RECORD_READERS)
    treatment = repo.get(session, actor.clinic_id, treatment_id)
    if treatment is None:  # another clinic's treatment is as unknown as a missing one
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    record = _assemble(session, actor, treatment)
    log(session, actor, "read", "treatment", entity_id=treatment.id, patient_id=treatment.patient_id)
    return record


@dataclass(frozen=True)
class TreatmentDetail(TreatmentRecord):
    """A treatment record with what its page shows besides: the patient, the lot and vial used,
    every follow-up and the adverse events reported after it."""

    patient: Patient
    lot: Lot
    reconstitution: Reconstitution | None
    follow_ups: list[FollowUp]
    adverse_events: list[AdverseEvent]
    reviews: dict[str, list[FollowUpReview]] = field(default_factory=dict)
    """Follow-up id → every version of its review, oldest first (the follow-up shows the last)."""


def treatment_detail(session: Session, actor: Actor, treatment_id: str) -> TreatmentDetail:
    """The treatment record with its patient, lot, vial and outcomes; audited as one read of the
    treatment, like ``treatment_record``."""
    require(actor, CLINICAL_RECORD_READERS)
    treatment = repo.get(session, actor.clinic_id, treatment_id)
    if treatment is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    record = _assemble(session, actor, treatment)
    patient = load(session, actor, treatment.patient_id)
    lot = repo.lot(session, actor.clinic_id, treatment.lot_id)
    assert lot is not None  # a treatment's lot is in its clinic (foreign key)
    made = (
        repo.reconstitution(session, actor.clinic_id, treatment.reconstitution_id)
        if treatment.reconstitution_id
        else None
    )
    events = [e for e in repo.adverse_events(session, patient.id) if e.treatment_id == treatment.id]
    follow_ups = repo.follow_ups(session, [treatment.id])
    reviews: dict[str, list[FollowUpReview]] = {}
    for review in repo.reviews(session, [f.id for f in follow_ups]):
        reviews.setdefault(review.follow_up_id, []).append(review)
    reviewers = {r.recorded_by for versions in reviews.values() for r in versions if r.recorded_by}
    log(session, actor, "read", "treatment", entity_id=treatment.id, patient_id=treatment.patient_id)
    return TreatmentDetail(
        **{f.name: getattr(record, f.name) for f in fields(record) if f.name != "names"},
        names={**record.names, **listings.user_names(session, actor.clinic_id, reviewers - record.names.keys())},
        patient=patient,
        lot=lot,
        reconstitution=made,
        follow_ups=follow_ups,
        adverse_events=events,
        reviews=reviews,
    )


def after_signing(session: Session, actor: Actor, recorded: RecordedTreatment) -> TreatmentRecord:
    """The record just signed, as stored, for the signer. Not logged as a read: the signing
    service has logged the signature, and the signer sees only what they wrote."""
    return _assemble(session, actor, recorded.treatment)


def timeline(session: Session, actor: Actor, patient_id: str) -> list[TimelineRow]:
    """The patient's treatments, most recent first, with what a list of visits shows."""
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    rows = listings.timeline(session, patient.id)
    log(session, actor, "read", "treatment_timeline", entity_id=patient.id, patient_id=patient.id)
    return rows


def adverse_events(session: Session, actor: Actor, patient_id: str) -> list[AdverseEvent]:
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    events = repo.adverse_events(session, patient.id)
    log(session, actor, "read", "adverse_event_list", entity_id=patient.id, patient_id=patient.id)
    return events


def patient_follow_ups(session: Session, actor: Actor, patient_id: str) -> list[FollowUp]:
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    found = listings.follow_ups_for_patient(session, patient.id)
    log(session, actor, "read", "follow_up_list", entity_id=patient.id, patient_id=patient.id)
    return found


@dataclass(frozen=True)
class LotRow:
    lot: Lot
    days_to_expiry: int
    """Negative once expired."""
    expiring_soon: bool
    """Expires within ``EXPIRY_WARNING_DAYS`` and has not yet expired."""
    expired: bool
    reconstitutions: list[Reconstitution] = field(default_factory=list)
    """The lot's reconstituted vials, newest first (only when asked for ``with_vials``)."""

    @property
    def status(self) -> str:
        """expired, expiring (within ``EXPIRY_WARNING_DAYS``) or ok."""
        return "expired" if self.expired else "expiring" if self.expiring_soon else "ok"


def lots(session: Session, actor: Actor, *, today: dt.date, with_vials: bool = False) -> list[LotRow]:
    """The clinic's lots by expiry date, with their reconstituted vials when ``with_vials``.
    Stock holds no patient data, so it is not audited."""
    require(actor, CLINICAL_RECORD_READERS)
    made: dict[str, list[Reconstitution]] = {}
    if with_vials:
        for vial in listings.reconstitutions(session, actor.clinic_id):
            made.setdefault(vial.lot_id, []).append(vial)
    rows = []
    for lot in listings.lots(session, actor.clinic_id):
        days = (lot.expiry_date - today).days
        rows.append(LotRow(lot, days, 0 <= days <= EXPIRY_WARNING_DAYS, days < 0, made.get(lot.id, [])))
    return rows
