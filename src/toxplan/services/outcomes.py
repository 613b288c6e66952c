"""Follow-up reviews, adverse events, and the per-indication history summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.models import AdverseEvent, FollowUp, FollowUpReview
from toxplan.db.models.outcome import REVIEW_FIELDS
from toxplan.db.repositories import treatments as repo
from toxplan.errors import InvalidInput, NotFound
from toxplan.primitives.roles import CLINICAL_RECORD_READERS, TREATING
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor, AdverseEventCreate, FollowUpRecord, parse


def record_follow_up(session: Session, actor: Actor, follow_up_id: str, data: object, *, today: dt.date) -> FollowUp:
    """Record a review. The follow-up shows the latest; every review stays as a version with
    its scores, note, author and time (``FollowUpReview``)."""
    require(actor, TREATING)
    given = parse(FollowUpRecord, data)
    follow_up = repo.follow_up(session, actor.clinic_id, follow_up_id, lock=True)
    if follow_up is None:
        raise NotFound(f"no follow-up {follow_up_id} in this clinic", field="follow_up_id")
    treatment = repo.get(session, actor.clinic_id, follow_up.treatment_id)
    assert treatment is not None
    treated_on = treatment.visit_at.date()
    for name in ("reviewed_on", "effect_wore_off_on"):
        value = getattr(given, name)
        if value is not None and not treated_on <= value <= today:
            raise InvalidInput(f"{value} must lie between the treatment ({treated_on}) and today", field=name)
    for name, value in given.model_dump(exclude_unset=True).items():  # a later visit adds, never erases
        setattr(follow_up, name, value)
    follow_up.recorded_by = actor.user_id
    version = repo.review_count(session, follow_up.id) + 1
    session.add(
        FollowUpReview(
            clinic_id=actor.clinic_id,
            follow_up_id=follow_up.id,
            version=version,
            recorded_by=actor.user_id,
            **{name: getattr(follow_up, name) for name in REVIEW_FIELDS},
        )
    )
    session.flush()
    log(
        session,
        actor,
        "amend",
        "follow_up",
        entity_id=follow_up.id,
        patient_id=follow_up.patient_id,
        detail=f"review version {version}",
    )
    return follow_up


def follow_up_reviews(session: Session, actor: Actor, follow_up_id: str) -> list[FollowUpReview]:
    """Every version of a follow-up's review, oldest first (the last one is what it shows)."""
    require(actor, CLINICAL_RECORD_READERS)
    follow_up = repo.follow_up(session, actor.clinic_id, follow_up_id)
    if follow_up is None:
        raise NotFound(f"no follow-up {follow_up_id} in this clinic", field="follow_up_id")
    found = repo.reviews(session, [follow_up.id])
    log(session, actor, "read", "follow_up_reviews", entity_id=follow_up.id, patient_id=follow_up.patient_id)
    return found


def record_adverse_event(session: Session, actor: Actor, data: object, *, today: dt.date) -> AdverseEvent:
    require(actor, TREATING)
    given = parse(AdverseEventCreate, data)
    treatment = repo.get(session, actor.clinic_id, given.treatment_id)
    if treatment is None:
        raise NotFound(f"no treatment {given.treatment_id} in this clinic", field="treatment_id")
    if not treatment.visit_at.date() <= given.onset_on <= today:
        raise InvalidInput("onset must lie between the treatment and today", field="onset_on")
    sites = {i.site for i in repo.injections(session, treatment.id)}
    unknown = [s for s in given.sites if s not in sites]
    if unknown:
        raise InvalidInput(f"{unknown[0]} was not injected in this treatment", field="sites")
    event = AdverseEvent(
        clinic_id=actor.clinic_id,
        patient_id=treatment.patient_id,
        treatment_id=treatment.id,
        lot_id=treatment.lot_id,
        type=given.type,
        onset_on=given.onset_on,
        severity=given.severity,
        serious=given.serious,
        outcome=given.outcome,
        sites=" ".join(given.sites),
        description=given.description,
        recorded_by=actor.user_id,
    )
    session.add(event)
    session.flush()
    log(
        session,
        actor,
        "create",
        "adverse_event",
        entity_id=event.id,
        patient_id=treatment.patient_id,
        detail=given.type,
    )
    return event


@dataclass
class IndicationSummary:
    """What the next plan for an indication should know."""

    indication: str
    treatments: int = 0
    last_date: dt.date | None = None
    last_product: str | None = None
    last_units: Decimal | None = None
    last_fws_max: int | None = None
    last_satisfaction: int | None = None
    effect_days: list[int] = field(default_factory=list)
    """Days from treatment until the effect wore off, most recent first."""
    adverse_events: list[str] = field(default_factory=list)

    @property
    def mean_effect_days(self) -> int | None:
        return round(sum(self.effect_days) / len(self.effect_days)) if self.effect_days else None


def history_summary(session: Session, actor: Actor, patient_id: str) -> list[IndicationSummary]:
    require(actor, CLINICAL_RECORD_READERS)
    patient = load(session, actor, patient_id)
    treatments = repo.for_patient(session, patient.id)
    follow_ups = {f.treatment_id: f for f in repo.follow_ups(session, [t.id for t in treatments])}
    events: dict[str, list[str]] = {}
    for event in repo.adverse_events(session, patient.id):
        events.setdefault(event.treatment_id, []).append(event.type)
    summaries: dict[str, IndicationSummary] = {}
    for treatment in treatments:  # most recent first
        units: dict[str, Decimal] = {}
        for injection in repo.injections(session, treatment.id):
            units[injection.indication] = units.get(injection.indication, Decimal(0)) + injection.units
        review = follow_ups.get(treatment.id)
        for indication, total in units.items():
            summary = summaries.setdefault(indication, IndicationSummary(indication))
            summary.treatments += 1
            if summary.last_date is None:
                summary.last_date, summary.last_product, summary.last_units = (
                    treatment.visit_at.date(),
                    treatment.product,
                    total,
                )
                summary.last_fws_max = review.fws_max if review else None
                summary.last_satisfaction = review.satisfaction if review else None
            if review and review.effect_wore_off_on:
                summary.effect_days.append((review.effect_wore_off_on - treatment.visit_at.date()).days)
            summary.adverse_events.extend(events.get(treatment.id, []))
    log(session, actor, "read", "history_summary", entity_id=patient.id, patient_id=patient.id)
    return sorted(summaries.values(), key=lambda s: s.indication)
