"""The clinic's worklists: follow-ups due and overdue (outcome entered in place, no-shows,
rescheduling), and the medical director's review of signed treatments (co-sign, query back to
the injector with a note, or reject; never one's own treatment)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from toxplan.db.models import FollowUp, Patient, Treatment, TreatmentReview
from toxplan.db.repositories import listings
from toxplan.db.repositories import treatments as treatment_repo
from toxplan.db.repositories import worklists as repo
from toxplan.db.repositories.worklists import ReviewRow
from toxplan.errors import Conflict, InvalidInput, NotFound
from toxplan.primitives.roles import ALL_ROLES, CLINICAL_RECORD_READERS, DIRECTORS, TREATING
from toxplan.services import treatments
from toxplan.services.audit import log, require
from toxplan.services.patients import load
from toxplan.services.schemas import Actor, real_words

DUE_AHEAD = dt.timedelta(days=7)
"""The follow-up worklist shows what is overdue and what falls due within the next week."""
MAX_ROWS = 500


@dataclass(frozen=True)
class DueFollowUp:
    follow_up: FollowUp
    patient: Patient
    treatment: Treatment
    days_overdue: int
    """Negative: due in that many days."""


def due_follow_ups(session: Session, actor: Actor, *, today: dt.date) -> list[DueFollowUp]:
    """Open follow-ups overdue or due within a week, with the patient's phone; every role (the
    front desk books them; the page shows it no clinical detail)."""
    require(actor, ALL_ROLES)
    rows = repo.follow_ups_due(session, actor.clinic_id, until=today + DUE_AHEAD, limit=MAX_ROWS)
    log(session, actor, "read", "follow_up_list", detail=f"due by {today + DUE_AHEAD}: {len(rows)} follow-ups")
    return [DueFollowUp(f, p, t, (today - f.due_on).days) for f, p, t in rows]


def _open_follow_up(session: Session, actor: Actor, follow_up_id: str) -> FollowUp:
    found = treatment_repo.follow_up(session, actor.clinic_id, follow_up_id)
    if found is None:
        raise NotFound(f"no follow-up {follow_up_id} in this clinic", field="follow_up_id")
    if found.reviewed_on is not None or found.no_show_on is not None:
        raise Conflict("this follow-up is already closed", field="follow_up_id")
    return found


def no_show(session: Session, actor: Actor, follow_up_id: str, *, today: dt.date) -> FollowUp:
    """The patient did not come: the follow-up leaves the worklist, unreviewed."""
    require(actor, ALL_ROLES)
    found = _open_follow_up(session, actor, follow_up_id)
    if found.due_on > today:
        raise InvalidInput(f"the review is not due until {found.due_on}", field="follow_up_id")
    found.no_show_on = today
    log(session, actor, "amend", "follow_up", entity_id=found.id, patient_id=found.patient_id, detail="no show")
    return found


def reschedule(
    session: Session, actor: Actor, follow_up_id: str, due_on: dt.date | None, *, today: dt.date
) -> FollowUp:
    """Book the review for another day (the front desk's scheduling)."""
    require(actor, ALL_ROLES)
    found = _open_follow_up(session, actor, follow_up_id)
    if due_on is None or due_on < today or due_on > today + dt.timedelta(days=365):
        raise InvalidInput("give a day from today to a year ahead", field="due_on")
    found.due_on = due_on
    log(session, actor, "amend", "follow_up", entity_id=found.id, patient_id=found.patient_id, detail=f"due {due_on}")
    return found


# --- review of signed treatments -----------------------------------------------------------------


def review_queue(session: Session, actor: Actor, *, limit: int = 200) -> tuple[list[ReviewRow], int]:
    """Every treatment not yet co-signed (nor rejected), with its criticals, overrides, warnings."""
    require(actor, DIRECTORS)
    rows, total = repo.review_queue(session, actor.clinic_id, limit=limit)
    log(session, actor, "read", "cosign_queue", detail=f"{len(rows)} of {total} treatments")
    return rows, total


def _note(text: str | None) -> str:
    note = (text or "").strip()
    if len(set(real_words(note))) < 3:
        raise InvalidInput("write the note in at least 3 different real words", field="note")
    if len(note) > 2000:
        raise InvalidInput("write at most 2000 characters", field="note")
    return note


def _reviewable(session: Session, actor: Actor, treatment_id: str) -> Treatment:
    require(actor, DIRECTORS)
    found = treatment_repo.get(session, actor.clinic_id, treatment_id)
    if found is None:
        raise NotFound(f"no treatment {treatment_id} in this clinic", field="treatment_id")
    if found.injector_id == actor.user_id:
        raise Conflict("a treatment cannot be reviewed by the injector who signed it", field="treatment_id")
    if treatment_repo.cosignature(session, found.id) is not None:
        raise Conflict("this treatment is already co-signed", field="treatment_id")
    if any(r.decision == "reject" for r in repo.reviews_of(session, found.id)):
        raise Conflict("this treatment was rejected", field="treatment_id")
    return found


def review(session: Session, actor: Actor, treatment_id: str, decision: str, note: str | None) -> TreatmentReview:
    """Query the treatment back to its injector with a note, or reject it with the reason."""
    if decision not in ("query", "reject"):
        raise InvalidInput("choose query or reject", field="decision")
    treatment = _reviewable(session, actor, treatment_id)
    name = listings.user_names(session, actor.clinic_id, {actor.user_id}).get(actor.user_id, "")
    made = TreatmentReview(
        clinic_id=actor.clinic_id,
        treatment_id=treatment.id,
        reviewer_id=actor.user_id,
        reviewer_name=name,
        decision=decision,
        note=_note(note),
    )
    session.add(made)
    session.flush()
    log(session, actor, "amend", "treatment", entity_id=treatment.id, patient_id=treatment.patient_id, detail=decision)
    return made


def cosign(session: Session, actor: Actor, treatment_id: str) -> object:
    """Co-sign once the record was read; refused for one's own, a rejected or an already co-signed one."""
    _reviewable(session, actor, treatment_id)
    return treatments.cosign(session, actor, treatment_id)


def answer(session: Session, actor: Actor, review_id: str, text: str | None, *, now: dt.datetime) -> TreatmentReview:
    """The injector answers a query: the answer is an addendum to the record."""
    require(actor, TREATING)
    found = repo.review(session, actor.clinic_id, review_id)
    if found is None or found.decision != "query":
        raise NotFound(f"no query {review_id} in this clinic", field="review_id")
    treatment = treatment_repo.get(session, actor.clinic_id, found.treatment_id)
    assert treatment is not None
    if treatment.injector_id != actor.user_id:
        raise Conflict("only the injector who signed the treatment answers its query", field="review_id")
    if found.answered_at is not None:
        raise Conflict("this query is already answered", field="review_id")
    treatments.add_addendum(session, actor, treatment.id, f"Answer to the medical director's query: {_note(text)}")
    found.answered_at = now
    return found


def reviews_of(session: Session, actor: Actor, treatment_id: str) -> list[TreatmentReview]:
    """The reviews shown on the treatment page (part of reading the treatment, already audited)."""
    require(actor, CLINICAL_RECORD_READERS)
    return repo.reviews_of(session, treatment_id)


def my_reviews(session: Session, actor: Actor) -> list[tuple[TreatmentReview, Treatment, Patient]]:
    """Open queries and rejections of the signed-in injector's treatments."""
    require(actor, TREATING)
    rows = repo.reviews_for_injector(session, actor.clinic_id, actor.user_id)
    log(session, actor, "read", "review_list", detail=f"{len(rows)} open queries and rejections")
    return rows


def patient_bookings(session: Session, actor: Actor, patient_id: str) -> list[FollowUp]:
    """The patient's open follow-ups, for booking: dates only, every staff member."""
    require(actor, ALL_ROLES)
    patient = load(session, actor, patient_id)
    found = [
        f
        for f in listings.follow_ups_for_patient(session, patient.id)
        if f.reviewed_on is None and f.no_show_on is None
    ]
    log(session, actor, "read", "follow_up_list", entity_id=patient.id, patient_id=patient.id, detail="bookings")
    return found
