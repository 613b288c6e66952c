"""Titration advice for a returning patient: past courses of an area from the records, read
through the repositories and audited, handed to the advisor in the core."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from toxplan.db.models import FollowUp, Patient, Treatment, TreatmentInjection
from toxplan.db.repositories import courses as repo
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.domain.safety_report import attribute
from toxplan.domain.titration import Advice, Course, PastEvent, PastInjection, Review, advise
from toxplan.errors import InvalidInput, NotFound
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import TREATING
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor


def _patient(session: Session, actor: Actor | None, patient_id: str) -> Patient:
    if actor is not None:
        require(actor, TREATING)
        return load(session, actor, patient_id)
    found = repo.patient_anywhere(session, patient_id)
    if found is None:
        raise NotFound(f"no patient {patient_id}", field="patient")
    return found


def _review(follow_up: FollowUp | None) -> Review | None:
    if follow_up is None or follow_up.reviewed_on is None:
        return None
    return Review(
        follow_up.reviewed_on,
        fws_rest=follow_up.fws_rest,
        fws_max=follow_up.fws_max,
        satisfaction=follow_up.satisfaction,
        touch_up_units=follow_up.touch_up_units,
    )


def courses_of(session: Session, patient: Patient, indication: str) -> list[Course]:
    """The patient's courses of ``indication`` (every product), newest first."""
    treatments = repo.area_treatments(session, patient.id, indication)
    ids = [t.id for t in treatments]
    injections: dict[str, list[TreatmentInjection]] = defaultdict(list)
    for injection in repo.injections_of(session, ids):
        injections[injection.treatment_id].append(injection)
    reviews: dict[str, FollowUp] = {}
    for follow_up in treatment_repo.follow_ups(session, ids):  # the latest reviewed one wins
        if follow_up.reviewed_on is not None or follow_up.treatment_id not in reviews:
            reviews[follow_up.treatment_id] = follow_up
    events: dict[str, list[PastEvent]] = defaultdict(list)
    for event in treatment_repo.adverse_events(session, patient.id):
        if event.treatment_id in injections:
            sites = tuple(event.sites.split())
            areas: dict[str, set[str]] = defaultdict(set)
            for injection in injections[event.treatment_id]:
                areas[injection.indication].add(injection.site or "")
            if indication in attribute(sites, areas):
                events[event.treatment_id].append(PastEvent(event.type, event.onset_on, sites))
    return [
        _course(
            t,
            injections[t.id],
            follow_up=reviews.get(t.id),
            events=events[t.id],
            treatments=treatments,
            indication=indication,
        )
        for t in treatments
    ]


def _course(
    treatment: Treatment,
    injections: list[TreatmentInjection],
    *,
    follow_up: FollowUp | None,
    events: list[PastEvent],
    treatments: list[Treatment],
    indication: str,
) -> Course:
    treated = treatment.visit_at.date()
    later = [t.visit_at.date() for t in treatments if t.visit_at > treatment.visit_at]
    wore_off = follow_up.effect_wore_off_on if follow_up else None
    return Course(
        treated_on=treated,
        product=treatment.product,
        injections=tuple(PastInjection(i.site, i.units) for i in injections if i.indication == indication),
        review=_review(follow_up),
        effect_days=(wore_off - treated).days if wore_off else None,
        returned_days=(min(later) - treated).days if later else None,
        events=tuple(events),
    )


def advise_patient(
    session: Session,
    actor: Actor | None,
    *,
    patient_id: str,
    indication: str,
    kb: KnowledgeBase,
    product: str | None = None,
) -> Advice:
    """Suggest the next course of ``indication`` for a patient from their past courses.

    Without ``product``, the product of the latest course of the area. ``actor`` is None only
    for the command line acting for the whole database; the read is audited either way.
    """
    kb.indication(indication)
    chosen = kb.product(product).id if product else None
    patient = _patient(session, actor, patient_id)
    courses = courses_of(session, patient, indication)
    if chosen is None:
        if not courses:
            raise InvalidInput(
                f"the patient has no earlier course of {indication}; name the product to plan with",
                field="product",
            )
        chosen = courses[0].product
    advice = advise(kb, product=chosen, indication=indication, courses=courses)
    detail = f"{indication} with {chosen}" + ("" if actor else " (command line, no user named)")
    log(
        session,
        actor,
        "read",
        "titration_advice",
        entity_id=patient.id,
        patient_id=patient.id,
        detail=detail,
        clinic_id=patient.clinic_id,
    )
    return advice
