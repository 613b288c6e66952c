"""What the pages show that no service returns yet: lists and one treatment with everything
attached. Read-only; reads of patient data are audited like the services' reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from toxplan.db.models import (
    Addendum,
    AdverseEvent,
    Cosignature,
    FollowUp,
    Lot,
    Patient,
    Reconstitution,
    Treatment,
    TreatmentFinding,
    TreatmentInjection,
    User,
)
from toxplan.db.repositories import treatments as repo
from toxplan.errors import NotFound
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor

EXPIRY_WARNING_DAYS = 30
READERS = ("injector", "medical_director", "admin")


def names(session: Session, clinic_id: str) -> dict[str, str]:
    """User id → name, for 'signed by' lines."""
    rows = session.execute(select(User.id, User.name).where(User.clinic_id == clinic_id))
    return {user_id: name for user_id, name in rows}


@dataclass(frozen=True)
class LotRow:
    lot: Lot
    status: str
    """expired, expiring (within EXPIRY_WARNING_DAYS) or ok."""
    days_left: int
    reconstitutions: list[Reconstitution]


def lots(session: Session, actor: Actor, *, today: dt.date) -> list[LotRow]:
    """Every lot of the clinic, soonest expiry first, with its reconstituted vials (newest first)."""
    require(actor, *READERS)
    rows = list(
        session.scalars(
            select(Lot).where(Lot.clinic_id == actor.clinic_id).order_by(Lot.expiry_date, Lot.product, Lot.lot_number)
        )
    )
    made: dict[str, list[Reconstitution]] = {}
    for r in session.scalars(
        select(Reconstitution)
        .where(Reconstitution.clinic_id == actor.clinic_id)
        .order_by(Reconstitution.reconstituted_at.desc(), Reconstitution.id)
    ):
        made.setdefault(r.lot_id, []).append(r)
    found = []
    for lot in rows:
        days = (lot.expiry_date - today).days
        status = "expired" if days < 0 else "expiring" if days <= EXPIRY_WARNING_DAYS else "ok"
        found.append(LotRow(lot, status, days, made.get(lot.id, [])))
    return found


@dataclass
class TimelineRow:
    treatment: Treatment
    lot_number: str
    injector: str
    units_by_indication: dict[str, Decimal] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)
    """Findings per severity at signing."""
    overridden: int = 0
    cosigned: bool = False


def timeline(session: Session, actor: Actor, patient: Patient) -> list[TimelineRow]:
    """The patient's treatments, most recent first."""
    require(actor, *READERS)
    who = names(session, actor.clinic_id)
    treatments = repo.for_patient(session, patient.id)
    ids = [t.id for t in treatments]
    lots = session.execute(select(Lot.id, Lot.lot_number).where(Lot.clinic_id == actor.clinic_id))
    lot_numbers = {lot_id: number for lot_id, number in lots}
    rows = {t.id: TimelineRow(t, lot_numbers.get(t.lot_id, "?"), who.get(t.injector_id, "?")) for t in treatments}
    if ids:
        for inj in session.scalars(select(TreatmentInjection).where(TreatmentInjection.treatment_id.in_(ids))):
            by = rows[inj.treatment_id].units_by_indication
            by[inj.indication] = by.get(inj.indication, Decimal(0)) + inj.units
        for f in session.scalars(select(TreatmentFinding).where(TreatmentFinding.treatment_id.in_(ids))):
            row = rows[f.treatment_id]
            row.findings[f.severity] = row.findings.get(f.severity, 0) + 1
            row.overridden += f.override_reason is not None
        for tid in session.scalars(select(Cosignature.treatment_id).where(Cosignature.treatment_id.in_(ids))):
            rows[tid].cosigned = True
    log(session, actor, "read", "treatment_list", entity_id=patient.id, patient_id=patient.id)
    return [rows[t.id] for t in treatments]


def open_follow_ups(session: Session, treatment_ids: list[str]) -> list[FollowUp]:
    return [f for f in repo.follow_ups(session, treatment_ids) if f.reviewed_on is None]


@dataclass(frozen=True)
class TreatmentDetail:
    treatment: Treatment
    patient: Patient
    lot: Lot
    reconstitution: Reconstitution | None
    injections: list[TreatmentInjection]
    findings: list[TreatmentFinding]
    cosignature: Cosignature | None
    addenda: list[Addendum]
    follow_ups: list[FollowUp]
    adverse_events: list[AdverseEvent]
    names: dict[str, str]


def treatment(session: Session, actor: Actor, treatment_id: str) -> TreatmentDetail:
    require(actor, *READERS)
    found = repo.get(session, actor.clinic_id, treatment_id)
    if found is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    patient = session.get(Patient, found.patient_id)
    lot = repo.lot(session, actor.clinic_id, found.lot_id)
    assert patient is not None and lot is not None
    made = repo.reconstitution(session, actor.clinic_id, found.reconstitution_id) if found.reconstitution_id else None
    log(session, actor, "read", "treatment", entity_id=found.id, patient_id=patient.id)
    return TreatmentDetail(
        treatment=found,
        patient=patient,
        lot=lot,
        reconstitution=made,
        injections=repo.injections(session, found.id),
        findings=sorted(repo.findings(session, found.id), key=_severity_first),
        cosignature=repo.cosignature(session, found.id),
        addenda=repo.addenda(session, found.id),
        follow_ups=repo.follow_ups(session, [found.id]),
        adverse_events=[e for e in repo.adverse_events(session, patient.id) if e.treatment_id == found.id],
        names=names(session, actor.clinic_id),
    )


def _severity_first(finding: TreatmentFinding) -> tuple[int, str]:
    return ({"critical": 0, "warning": 1}.get(finding.severity, 2), finding.code)


@dataclass(frozen=True)
class QueueRow:
    treatment: Treatment
    patient: Patient
    injector: str
    critical: int
    """Critical findings overridden at signing: the first thing a co-signer looks at."""


def cosign_queue(session: Session, actor: Actor, *, limit: int = 200) -> list[QueueRow]:
    """Treatments not yet co-signed that this medical director may co-sign (not their own)."""
    require(actor, "medical_director")
    rows = session.execute(
        select(Treatment, Patient)
        .join(Patient, Patient.id == Treatment.patient_id)
        .outerjoin(Cosignature, Cosignature.treatment_id == Treatment.id)
        .where(
            Treatment.clinic_id == actor.clinic_id,
            Cosignature.id.is_(None),
            Treatment.injector_id != actor.user_id,
        )
        .order_by(Treatment.visit_at.desc(), Treatment.id)
        .limit(limit)
    )
    found = [(t, p) for t, p in rows]
    critical: dict[str, int] = {}
    if found:
        for tid in session.scalars(
            select(TreatmentFinding.treatment_id).where(
                TreatmentFinding.treatment_id.in_([t.id for t, _ in found]), TreatmentFinding.severity == "critical"
            )
        ):
            critical[tid] = critical.get(tid, 0) + 1
    who = names(session, actor.clinic_id)
    log(session, actor, "read", "cosign_queue", detail=f"{len(found)} treatments")
    return [QueueRow(t, p, who.get(t.injector_id, "?"), critical.get(t.id, 0)) for t, p in found]
