"""Recording, co-signing and amending treatments; lot recall.

Recording is signing: the treatment is checked against the patient's stored history and
screening at that moment, under a per-patient lock, and written once with the findings the
injector saw. It is never edited afterwards; corrections are addenda.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from toxplan.db.base import new_id, utcnow
from toxplan.db.integrity import seal_treatment
from toxplan.db.models import (
    Addendum,
    Cosignature,
    FollowUp,
    Lot,
    Patient,
    RecallContact,
    Reconstitution,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
)
from toxplan.db.repositories import listings
from toxplan.db.repositories import patients as patient_repo
from toxplan.db.repositories import treatments as repo
from toxplan.db.search_keys import compact
from toxplan.domain.checking import CheckedPlan, check
from toxplan.domain.requests import CheckRequest, HistoryIn, PatientIn, TreatmentIn
from toxplan.domain.safety.findings import Finding
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.policy import Policy
from toxplan.primitives.numbers import round_half_up
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, DIRECTORS, TREATING
from toxplan.services import consents, inventory
from toxplan.services.access_audit import shown
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor, AddendumCreate, Override, TreatmentCreate, parse, require_past

HISTORY_DAYS = 400
"""History loaded for a check, before and after the visit: longer than any rolling window or
interval in the labels. A visit charted late is checked against the treatments recorded after
it too, so 300 U dated yesterday after 300 U today is as much above a 400 U maximum as the
other way round."""
FOLLOW_UP_AFTER = dt.timedelta(days=14)
NEVER_OVERRIDDEN = frozenset({"RECONSTITUTED_VIAL_EXPIRED"})
"""Critical findings that refuse the recording outright: no reason makes an old vial safe."""


@dataclass(frozen=True)
class RecordedTreatment:
    treatment: Treatment
    findings: tuple[Finding, ...]
    follow_up: FollowUp


def _lot_and_vial(
    session: Session, actor: Actor, given: TreatmentCreate, kb: KnowledgeBase
) -> tuple[Lot, inventory.VialPlan]:
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
    vial = inventory.vial_for_signing(
        session, actor, lot, vial_id=given.reconstitution_id, diluent=given.diluent_ml, at=given.visit_at
    )
    return lot, vial


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
    around = dt.timedelta(days=HISTORY_DAYS)  # before and after: a visit charted late counts later doses
    history = tuple(
        HistoryIn(date=visit.date(), product=product, indication=indication, units=units)
        for visit, product, indication, units in repo.dose_history(
            session, patient.id, visit_at - around, visit_at + around
        )
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
    require(actor, TREATING)
    given = parse(TreatmentCreate, data)
    require_past(given.visit_at, now=now, field="visit_at")
    patient = patient_repo.lock(session, actor.clinic_id, given.patient_id)  # serialises this patient
    if patient is None:
        raise NotFound(f"no patient {given.patient_id} in this clinic", field="patient_id")
    if given.visit_at.date() < patient.birth_date:
        raise InvalidInput(
            f"{given.visit_at.date()} is before the patient's birth date {patient.birth_date}", field="visit_at"
        )
    lot, vial = _lot_and_vial(session, actor, given, kb)
    made, diluent = vial.vial, vial.vial.diluent_ml
    request = check_request(session, patient=patient, given=given, lot=lot, made=made, diluent=diluent)
    checked = check(kb, request, at=given.visit_at, policy=policy)
    _refuse_unless_overridden(checked.result.findings, given.overrides)
    consent = consents.for_treatment(
        session,
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        product=lot.product,
        indications=sorted({i.indication for i in checked.plan.injections}),
        kb=kb,
        at=given.visit_at,
    )
    parts = inventory.prepare(session, actor, lot=lot, plan=vial, units=checked.plan.units_for(), at=given.visit_at)
    treatment = _write(
        session,
        actor=actor,
        given=given,
        patient=patient,
        lot=lot,
        made=parts[0][0],
        diluent=diluent,
        checked=checked,
        consent_id=consent.id if consent else None,
    )
    inventory.draw(session, actor, parts, treatment.id)
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
        detail=f"{treatment.total_units} U {lot.product}, lot {lot.lot_number}, hash {treatment.content_hash}",
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
    consent_id: str | None = None,
) -> Treatment:
    """Write the signed treatment with its injections and findings, sealed by their content
    hash. Every value is set here as it will be stored (ids, signing time, positions at the
    column's 0.1 mm), so the hash computed now is the one the stored rows give back."""
    plan = checked.plan
    treatment = Treatment(
        id=new_id(),
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        injector_id=actor.user_id,
        visit_at=given.visit_at,
        product=lot.product,
        lot_id=lot.id,
        reconstitution_id=None if made is None else made.id,
        vial_units=lot.vial_units,
        diluent_ml=diluent,
        total_units=plan.units_for(),
        knowledge_version=checked.result.knowledge_version,
        screening_id=given.screening_id,
        note=given.note,
        signed_at=utcnow(),
        consent_id=consent_id,
        signer_name=listings.user_names(session, actor.clinic_id, {actor.user_id}).get(actor.user_id),
    )
    injections = []
    for seq, injection in enumerate(plan.injections):
        position = injection.position
        volume = plan.volume_ml(injection)
        injections.append(
            TreatmentInjection(
                id=new_id(),
                treatment_id=treatment.id,
                seq=seq,
                indication=injection.indication,
                site=injection.site,
                x_mm=_tenth(position.x_mm) if position else None,
                y_mm=_tenth(position.y_mm) if position else None,
                view=position.view if position else None,
                muscle=injection.muscle,
                units=injection.units,
                volume_ml=round_half_up(volume or Decimal(0), Decimal("0.0001")),
                depth=injection.depth,
                needle=injection.needle,
                note=injection.note,
            )
        )
    findings = []
    for finding in checked.result.findings:
        override = _override_for(finding, given.overrides) if finding.critical else None
        findings.append(
            TreatmentFinding(
                id=new_id(),
                treatment_id=treatment.id,
                code=finding.code,
                severity=finding.severity,
                message=finding.message,
                subject_type=finding.subject.type,
                subject_id=finding.subject.id[:200],
                subject_row=finding.subject.row,
                citations=" ".join(finding.citations),
                override_reason=override.reason if override else None,
                override_category=override.category if override else None,
            )
        )
    treatment.content_hash = seal_treatment(treatment, injections, findings)
    session.add(treatment)
    session.flush()
    session.add_all([*injections, *findings])
    return treatment


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def cosign(session: Session, actor: Actor, treatment_id: str) -> Cosignature:
    """A medical director's co-signature; once per treatment, never one's own."""
    require(actor, DIRECTORS)
    treatment = repo.get(session, actor.clinic_id, treatment_id)
    if treatment is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    if treatment.injector_id == actor.user_id:
        raise Conflict("a treatment cannot be co-signed by the injector who signed it", field="treatment_id")
    if repo.cosignature(session, treatment.id) is not None:
        raise Conflict("this treatment is already co-signed", field="treatment_id")
    name = listings.user_names(session, actor.clinic_id, {actor.user_id}).get(actor.user_id)
    signature = Cosignature(treatment_id=treatment.id, user_id=actor.user_id, signer_name=name)
    session.add(signature)
    session.flush()
    log(session, actor, "cosign", "treatment", entity_id=treatment.id, patient_id=treatment.patient_id)
    return signature


def add_addendum(session: Session, actor: Actor, treatment_id: str, text: str) -> Addendum:
    """Correct or complete a signed treatment without changing it."""
    require(actor, TREATING)
    treatment = repo.get(session, actor.clinic_id, treatment_id)
    if treatment is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    if len(text.strip()) < 5:
        raise InvalidInput("write at least a few words", field="text")
    written = parse(AddendumCreate, {"text": text.strip()}).text
    addendum = Addendum(treatment_id=treatment.id, author_id=actor.user_id, text=written)
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
    lot_id: str = ""
    phone: str | None = None
    email: str | None = None
    contacted_at: dt.datetime | None = None
    """When the patient was last told about this lot's recall (None: not yet)."""


def recall(session: Session, actor: Actor, lot_number: str) -> list[RecallRow]:
    """Every patient and treatment that received a lot whose number contains what was typed,
    whatever its case and punctuation, with the patient's contact details."""
    require(actor, CLINICAL_RECORD_READERS)
    key = compact(lot_number)
    if not key:
        raise InvalidInput("give a lot number", field="lot_number")
    found = repo.recall(session, actor.clinic_id, key)
    contacts = repo.recall_contacts(session, actor.clinic_id, sorted({lot.id for _, _, lot in found}))
    rows = [
        RecallRow(
            p.id,
            f"{p.family_name}, {p.given_name}",
            t.id,
            t.visit_at,
            t.product,
            t.total_units,
            lot.lot_number,
            lot.id,
            p.phone,
            p.email,
            contact.contacted_at if (contact := contacts.get((lot.id, p.id))) else None,
        )
        for t, p, lot in found
    ]
    shown(session, actor, "lot_recall", [r.patient_id for r in rows], detail=f"lot {lot_number.strip()}: {len(rows)}")
    return rows


def mark_contacted(session: Session, actor: Actor, lot_id: str, patient_id: str, note: str | None) -> RecallContact:
    """Record that the patient was told about the recall of a lot they received."""
    require(actor, CLINICAL_RECORD_READERS)
    lot = repo.lot(session, actor.clinic_id, lot_id)
    if lot is None:
        raise NotFound(f"no lot {lot_id} in this clinic", field="lot_id")
    patient = patient_repo.get(session, actor.clinic_id, patient_id)
    if patient is None:
        raise NotFound(f"no patient {patient_id} in this clinic", field="patient_id")
    contact = RecallContact(
        clinic_id=actor.clinic_id,
        lot_id=lot.id,
        patient_id=patient.id,
        contacted_by=actor.user_id,
        note=(note or "").strip()[:2000] or None,
    )
    session.add(contact)
    session.flush()
    log(
        session,
        actor,
        "create",
        "recall_contact",
        entity_id=contact.id,
        patient_id=patient.id,
        detail=f"lot {lot.lot_number}",
    )
    return contact
