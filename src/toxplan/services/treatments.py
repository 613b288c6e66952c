"""Recording, co-signing and amending treatments; lot recall.

Recording is signing: the treatment is checked against the patient's stored history and
screening at that moment, under a per-patient lock, and written once with the findings the
injector saw. It is never edited afterwards; corrections are addenda.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.models import (
    Addendum,
    Cosignature,
    FollowUp,
    Lot,
    Patient,
    Reconstitution,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
)
from toxplan.db.repositories import patients as patient_repo
from toxplan.db.repositories import treatments as repo
from toxplan.domain.checking import CheckedPlan, check
from toxplan.domain.requests import CheckRequest, HistoryIn, PatientIn, TreatmentIn
from toxplan.domain.safety.findings import Finding
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy
from toxplan.primitives.numbers import round_half_up
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor, Override, TreatmentCreate, parse, require_past

HISTORY_DAYS = 400
"""History loaded for a check: longer than any rolling window or interval in the labels."""
FOLLOW_UP_AFTER = dt.timedelta(days=14)
NEVER_OVERRIDDEN = frozenset({"RECONSTITUTED_VIAL_EXPIRED"})
"""Critical findings that refuse the recording outright: no reason makes an old vial safe."""
PRESCRIBERS = ("injector", "medical_director")


@dataclass(frozen=True)
class RecordedTreatment:
    treatment: Treatment
    findings: tuple[Finding, ...]
    follow_up: FollowUp


def _lot_and_dilution(
    session: Session, actor: Actor, given: TreatmentCreate, kb: KnowledgeBase
) -> tuple[Lot, Reconstitution | None, Decimal]:
    lot = repo.lot(session, actor.clinic_id, given.lot_id)
    if lot is None:
        raise NotFound(f"no lot {given.lot_id} in this clinic", field="lot_id")
    if given.product is not None:
        planned = kb.find_product(given.product)
        if planned is None:
            raise InvalidInput(f"unknown product {given.product!r}", field="product")
        if lot.product != planned.id:
            raise InvalidInput(f"lot {lot.lot_number} is {lot.product}, not {planned.id}", field="lot_id")
    if lot.expiry_date < given.visit_at.date():
        raise Conflict(f"lot {lot.lot_number} expired on {lot.expiry_date}", field="lot_id")
    made = None
    if given.reconstitution_id is not None:
        made = repo.reconstitution(session, actor.clinic_id, given.reconstitution_id)
        if made is None or made.lot_id != lot.id:
            raise NotFound(f"no reconstitution {given.reconstitution_id} of this lot", field="reconstitution_id")
        if made.reconstituted_at > given.visit_at:
            raise InvalidInput("the vial was reconstituted after the visit", field="reconstitution_id")
    diluent = made.diluent_ml if made is not None else given.diluent_ml
    if diluent is None:
        raise InvalidInput("give reconstitution_id or diluent_ml", field="diluent_ml")
    return lot, made, diluent


def patient_facts(
    session: Session, patient: Patient, *, visit_at: dt.datetime, screening_id: str | None = None
) -> tuple[PatientIn, tuple[HistoryIn, ...]]:
    """The patient block and dose history of a check, from what is stored about the patient:
    the same for the chart's live check and for signing."""
    on = visit_at.date()
    conditions, medications, allergies = patient_repo.facts(session, patient.id)
    weight = patient_repo.latest_weight(session, patient.id, on)
    screening = (
        patient_repo.screening(session, patient.id, screening_id)
        if screening_id
        else patient_repo.screening_on(session, patient.id, on)
    )
    if screening_id and screening is None:
        raise NotFound(f"no screening {screening_id} for this patient", field="screening_id")
    since = visit_at - dt.timedelta(days=HISTORY_DAYS)
    history = tuple(
        HistoryIn(date=visit.date(), product=product, indication=indication, units=units)
        for visit, product, indication, units in repo.dose_history(session, patient.id, since)
        if visit <= visit_at
    )
    facts = PatientIn(
        birth_date=patient.birth_date,
        sex=patient.sex,
        weight_kg=weight.weight_kg if weight else None,
        pregnant=screening.pregnant if screening else None,
        breastfeeding=screening.breastfeeding if screening else None,
        infection_at_site=screening.infection_at_site if screening else None,
        conditions=tuple(c.text for c in conditions),
        medications=tuple(m.text for m in medications)
        + ((screening.new_medications,) if screening and screening.new_medications else ()),
        allergies=tuple(a.text for a in allergies),
    )
    return facts, history


def check_request(
    session: Session,
    *,
    patient: Patient,
    given: TreatmentCreate,
    lot: Lot,
    made: Reconstitution | None,
    diluent: Decimal,
) -> CheckRequest:
    """The domain check request built from what is stored about the patient."""
    facts, history = patient_facts(session, patient, visit_at=given.visit_at, screening_id=given.screening_id)
    return CheckRequest(
        date=given.visit_at.date(),
        patient=facts,
        history=history,
        treatment=TreatmentIn(
            product=lot.product,
            vial_units=lot.vial_units,
            diluent_ml=diluent,
            reconstituted_at=made.reconstituted_at if made else None,
            injections=given.injections,
        ),
    )


def _override_for(finding: Finding, overrides: tuple[Override, ...]) -> Override | None:
    for override in overrides:
        if override.code == finding.code and override.subject_id in (None, finding.subject.id):
            return override
    return None


def _refuse_unless_overridden(findings: tuple[Finding, ...], overrides: tuple[Override, ...]) -> None:
    blocked = [f for f in findings if f.critical and f.code in NEVER_OVERRIDDEN]
    if blocked:
        raise Conflict(blocked[0].message, field="reconstitution_id")
    missing = [f for f in findings if f.critical and _override_for(f, overrides) is None]
    if missing:
        listed = "; ".join(f"{f.code} ({f.subject.id}): {f.message}" for f in missing)
        raise Conflict(f"{len(missing)} critical finding(s) need an override reason: {listed}", field="overrides")


def record_treatment(
    session: Session,
    actor: Actor,
    data: object,
    *,
    kb: KnowledgeBase,
    now: dt.datetime,
    policy: Policy | None = None,
) -> RecordedTreatment:
    """Check and sign a treatment; refuse (writing nothing) what must not be signed."""
    require(actor, *PRESCRIBERS)
    given = parse(TreatmentCreate, data)
    require_past(given.visit_at, now=now, field="visit_at")
    patient = patient_repo.lock(session, actor.clinic_id, given.patient_id)  # serialises this patient
    if patient is None:
        raise NotFound(f"no patient {given.patient_id} in this clinic", field="patient_id")
    lot, made, diluent = _lot_and_dilution(session, actor, given, kb)
    request = check_request(session, patient=patient, given=given, lot=lot, made=made, diluent=diluent)
    checked = check(kb, request, at=given.visit_at, policy=policy)
    _refuse_unless_overridden(checked.result.findings, given.overrides)
    treatment = _write(
        session,
        actor=actor,
        given=given,
        patient=patient,
        lot=lot,
        made=made,
        diluent=diluent,
        checked=checked,
    )
    follow_up = FollowUp(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        treatment_id=treatment.id,
        due_on=given.visit_at.date() + FOLLOW_UP_AFTER,
    )
    session.add(follow_up)
    session.flush()  # callers get the follow-up's id
    log(
        session,
        actor,
        "sign",
        "treatment",
        entity_id=treatment.id,
        patient_id=patient.id,
        detail=f"{treatment.total_units} U {lot.product}, lot {lot.lot_number}",
    )
    return RecordedTreatment(treatment, checked.result.findings, follow_up)


def _write(
    session: Session,
    *,
    actor: Actor,
    given: TreatmentCreate,
    patient: Patient,
    lot: Lot,
    made: Reconstitution | None,
    diluent: Decimal,
    checked: CheckedPlan,
) -> Treatment:
    plan = checked.plan
    treatment = Treatment(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        injector_id=actor.user_id,
        visit_at=given.visit_at,
        product=lot.product,
        lot_id=lot.id,
        reconstitution_id=made.id if made else None,
        vial_units=lot.vial_units,
        diluent_ml=diluent,
        total_units=plan.units_for(),
        knowledge_version=checked.result.knowledge_version,
        screening_id=given.screening_id,
        note=given.note,
    )
    session.add(treatment)
    session.flush()
    for seq, injection in enumerate(plan.injections):
        position = injection.position
        volume = plan.volume_ml(injection)
        session.add(
            TreatmentInjection(
                treatment_id=treatment.id,
                seq=seq,
                indication=injection.indication,
                site=injection.site,
                x_mm=position.x_mm if position else None,
                y_mm=position.y_mm if position else None,
                view=position.view if position else None,
                muscle=injection.muscle,
                units=injection.units,
                volume_ml=round_half_up(volume or Decimal(0), Decimal("0.0001")),
                depth=injection.depth,
                needle=injection.needle,
                note=injection.note,
            )
        )
    for finding in checked.result.findings:
        override = _override_for(finding, given.overrides) if finding.critical else None
        session.add(
            TreatmentFinding(
                treatment_id=treatment.id,
                code=finding.code,
                severity=finding.severity,
                message=finding.message,
                subject_type=finding.subject.type,
                subject_id=finding.subject.id[:200],
                subject_row=finding.subject.row,
                citations=" ".join(finding.citations),
                override_reason=override.reason if override else None,
            )
        )
    return treatment


def cosign(session: Session, actor: Actor, treatment_id: str) -> Cosignature:
    """A medical director's co-signature; once per treatment, never one's own."""
    require(actor, "medical_director")
    treatment = repo.get(session, actor.clinic_id, treatment_id)
    if treatment is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    if treatment.injector_id == actor.user_id:
        raise Conflict("a treatment cannot be co-signed by the injector who signed it", field="treatment_id")
    if repo.cosignature(session, treatment.id) is not None:
        raise Conflict("this treatment is already co-signed", field="treatment_id")
    signature = Cosignature(treatment_id=treatment.id, user_id=actor.user_id)
    session.add(signature)
    session.flush()
    log(session, actor, "cosign", "treatment", entity_id=treatment.id, patient_id=treatment.patient_id)
    return signature


def add_addendum(session: Session, actor: Actor, treatment_id: str, text: str) -> Addendum:
    """Correct or complete a signed treatment without changing it."""
    require(actor, *PRESCRIBERS)
    treatment = repo.get(session, actor.clinic_id, treatment_id)
    if treatment is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    if len(text.strip()) < 5:
        raise InvalidInput("write at least a few words", field="text")
    addendum = Addendum(treatment_id=treatment.id, author_id=actor.user_id, text=text.strip())
    session.add(addendum)
    session.flush()
    log(
        session,
        actor,
        "amend",
        "treatment",
        entity_id=treatment.id,
        patient_id=treatment.patient_id,
        detail="addendum",
    )
    return addendum


@dataclass(frozen=True)
class RecallRow:
    patient_id: str
    patient_name: str
    treatment_id: str
    visit_at: dt.datetime
    product: str
    units: Decimal
    lot_number: str


def recall(session: Session, actor: Actor, lot_number: str) -> list[RecallRow]:
    """Every patient and treatment that received a lot."""
    require(actor, "injector", "medical_director", "admin")
    if not lot_number.strip():
        raise InvalidInput("give a lot number", field="lot_number")
    rows = [
        RecallRow(
            p.id,
            f"{p.family_name}, {p.given_name}",
            t.id,
            t.visit_at,
            t.product,
            t.total_units,
            lot.lot_number,
        )
        for t, p, lot in repo.recall(session, actor.clinic_id, lot_number.strip())
    ]
    log(
        session,
        actor,
        "read",
        "lot_recall",
        entity_id=None,
        detail=f"lot {lot_number.strip()}: {len(rows)} treatments",
    )
    return rows
