"""The demo clinic: written through the real services, complete, and the same for one seed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import TODAY
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AdverseEvent, FollowUp, Patient, Treatment, TreatmentFinding, User
from toxplan.errors import Conflict
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import demo, treatments

Factory = sessionmaker[Session]


def seed(factory: Factory, kb: KnowledgeBase, *, patients: int = 12, seed: int = 2026) -> demo.DemoSummary:
    with unit_of_work(factory) as session:
        return demo.seed_demo(session, kb, today=TODAY, patients=patients, seed=seed)


def count(session: Session, model: Any, clinic_id: str, *where: Any) -> int:
    query = select(func.count()).select_from(model).where(model.clinic_id == clinic_id, *where)
    return int(session.scalar(query) or 0)


def names(factory: Factory, clinic_id: str) -> list[tuple[str, str]]:
    with unit_of_work(factory) as session:
        rows = session.execute(select(Patient.family_name, Patient.given_name).where(Patient.clinic_id == clinic_id))
        return sorted((family, given) for family, given in rows)


def test_a_small_demo_has_every_kind_of_record(
    factory: Factory, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: dict[str, list[tuple[str, str, str]]] = {}  # treatment id -> findings seen when signing
    record = treatments.record_treatment

    def watched(*args: Any, **kwargs: Any) -> treatments.RecordedTreatment:
        done = record(*args, **kwargs)
        shown[done.treatment.id] = sorted((f.code, f.severity, f.subject.id) for f in done.findings)
        return done

    monkeypatch.setattr(treatments, "record_treatment", watched)
    summary = seed(factory, kb)

    assert summary.patients == 12 and summary.treatments >= 12
    assert sorted(role for _, role in summary.users) == sorted(
        ["injector", "injector", "medical_director", "front_desk", "admin"]
    )
    assert all(email.endswith("@demo.toxplan.org") for email, _ in summary.users)
    assert 0 < summary.follow_ups < summary.treatments and summary.adverse_events > 0
    with unit_of_work(factory) as session:
        clinic_id = summary.clinic_id
        assert count(session, Patient, clinic_id) == 12
        assert count(session, Treatment, clinic_id) == summary.treatments == len(shown)
        assert count(session, FollowUp, clinic_id) == summary.treatments  # one due per treatment
        assert count(session, FollowUp, clinic_id, FollowUp.reviewed_on.is_not(None)) == summary.follow_ups
        assert count(session, AdverseEvent, clinic_id) == summary.adverse_events
        assert count(session, User, clinic_id, User.password_hash.is_not(None)) == 0
        stored = session.scalars(select(Treatment).where(Treatment.clinic_id == clinic_id)).all()
        assert {t.knowledge_version for t in stored} == {kb.version}
        assert all(TODAY.replace(year=TODAY.year - 2) <= t.visit_at.date() < TODAY for t in stored)
        findings = session.execute(
            select(TreatmentFinding.treatment_id, TreatmentFinding.code, TreatmentFinding.severity)
            .add_columns(TreatmentFinding.subject_id, TreatmentFinding.override_reason)
            .join(Treatment, Treatment.id == TreatmentFinding.treatment_id)
            .where(Treatment.clinic_id == clinic_id)
        ).all()
    kept: dict[str, list[tuple[str, str, str]]] = {t: [] for t in shown}
    for treatment_id, code, severity, subject, reason in findings:
        kept[treatment_id].append((code, severity, subject))
        assert severity != "critical" or reason, "a critical finding is stored with its override"
    assert {t: sorted(f) for t, f in kept.items()} == shown


def test_the_same_seed_gives_the_same_clinic(factory: Factory, kb: KnowledgeBase) -> None:
    first, second = seed(factory, kb), seed(factory, kb)
    other = seed(factory, kb, seed=7)
    counts = (first.patients, first.treatments, first.follow_ups, first.adverse_events)
    assert counts == (second.patients, second.treatments, second.follow_ups, second.adverse_events)
    assert first.users == second.users
    assert names(factory, first.clinic_id) == names(factory, second.clinic_id)
    assert names(factory, first.clinic_id) != names(factory, other.clinic_id)


def test_refused_treatments_are_retried_with_a_reason_or_skipped(
    factory: Factory, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seeder never crashes on a refusal: overridable ones get a reason, others are skipped."""
    record = treatments.record_treatment

    def needs_reason(*args: Any, **kwargs: Any) -> treatments.RecordedTreatment:
        if not args[2]["overrides"]:
            raise Conflict("1 critical finding(s) need an override reason", field="overrides")
        return record(*args, **kwargs)

    monkeypatch.setattr(treatments, "record_treatment", needs_reason)
    retried = seed(factory, kb, patients=3)
    monkeypatch.setattr(treatments, "record_treatment", record)
    assert retried.treatments == seed(factory, kb, patients=3).treatments > 0

    def refuse(*args: Any, **kwargs: Any) -> treatments.RecordedTreatment:
        raise Conflict("lot expired", field="lot_id")

    monkeypatch.setattr(treatments, "record_treatment", refuse)
    skipped = seed(factory, kb, patients=3)
    assert (skipped.patients, skipped.treatments, skipped.follow_ups) == (3, 0, 0)


def test_the_demo_has_photos_to_chart_on_and_compare(factory: Factory, kb: KnowledgeBase) -> None:
    """One patient's frontal photos: before the last treatment, two weeks after, and today."""
    from toxplan.db.models import Photo  # noqa: PLC0415 - this test only

    summary = seed(factory, kb, patients=3)
    assert summary.photos == 3
    with unit_of_work(factory) as session:
        stored = session.scalars(select(Photo).where(Photo.clinic_id == summary.clinic_id).order_by(Photo.taken_at))
        rows = [(p.view, p.time_point, p.face_found, p.taken_at.date()) for p in stored]
    assert [r[1] for r in rows] == ["baseline", "review_2_weeks", "other"]
    assert all(view == "front_rest" and found for view, _, found, _ in rows)
    assert rows[-1][3] == TODAY
