"""CSV exports parse back and match the database, on SQLite and on PostgreSQL; each export is
audited with its row count; bad requests name the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.exports.conftest import TODAY, Demo
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AdverseEvent, AuditEvent, FollowUp, Lot, Treatment, TreatmentInjection
from toxplan.errors import Forbidden, InvalidInput
from toxplan.interop.csv_export import cell, export_csv, text
from toxplan.knowledge.base import KnowledgeBase

FIRST, LAST = TODAY - dt.timedelta(days=365), TODAY


def _rows(demo: Demo, kb: KnowledgeBase, kind: str, role: str = "medical_director") -> list[dict[str, str]]:
    with unit_of_work(demo.factory) as session:
        data = export_csv(session, demo.actors[role], kind, FIRST, LAST, kb=kb)
    assert data.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(data)))


def _in_period(t: Treatment) -> bool:
    return FIRST <= t.visit_at.astimezone(dt.UTC).date() <= LAST


def test_treatments_have_one_row_per_injection_matching_the_database(any_demo: Demo, kb: KnowledgeBase) -> None:
    rows = _rows(any_demo, kb, "treatments")
    with unit_of_work(any_demo.factory) as session:
        stored = {
            (t.id, i.seq + 1): (t, i)
            for t, i in session.execute(
                select(Treatment, TreatmentInjection)
                .join(TreatmentInjection, TreatmentInjection.treatment_id == Treatment.id)
                .where(Treatment.clinic_id == any_demo.clinic_id)
            )
            if _in_period(t)
        }
        lots = {lot.id: lot.lot_number for lot in session.scalars(select(Lot))}
    assert rows and len(rows) == len(stored)
    for row in rows:
        t, i = stored[(row["treatment_id"], int(row["injection"]))]
        assert Decimal(row["units"]) == i.units and Decimal(row["volume_ml"]) == i.volume_ml
        assert row["site"] == (i.site or "") and row["indication"] == i.indication
        assert row["product"] == t.product and row["lot_number"] == lots[t.lot_id]
        assert dt.datetime.fromisoformat(row["visit_at"]) == t.visit_at
        assert row["knowledge_version"] == t.knowledge_version


def test_lot_usage_adds_up_to_the_treatments(any_demo: Demo, kb: KnowledgeBase) -> None:
    rows = _rows(any_demo, kb, "lots")
    with unit_of_work(any_demo.factory) as session:
        treatments = [
            t
            for t in session.scalars(select(Treatment).where(Treatment.clinic_id == any_demo.clinic_id))
            if _in_period(t)
        ]
    assert sum(Decimal(r["units_given"]) for r in rows) == sum(t.total_units for t in treatments)
    assert sum(int(r["treatments"]) for r in rows) == len(treatments)


def test_adverse_events_and_follow_ups_match_the_database(any_demo: Demo, kb: KnowledgeBase) -> None:
    events = _rows(any_demo, kb, "adverse_events")
    reviews = _rows(any_demo, kb, "follow-ups")
    with unit_of_work(any_demo.factory) as session:
        stored_events = {
            e.id: e
            for e in session.scalars(select(AdverseEvent).where(AdverseEvent.clinic_id == any_demo.clinic_id))
            if FIRST <= e.onset_on <= LAST
        }
        stored_reviews = {
            f.id: f
            for f, t in session.execute(
                select(FollowUp, Treatment)
                .join(Treatment, Treatment.id == FollowUp.treatment_id)
                .where(FollowUp.clinic_id == any_demo.clinic_id)
            )
            if _in_period(t)
        }
    assert {r["event_id"] for r in events} == set(stored_events)
    for row in events:
        event = stored_events[row["event_id"]]
        assert (row["type"], row["severity"], row["outcome"]) == (event.type, event.severity, event.outcome)
        assert row["serious"] == ("yes" if event.serious else "no")
    assert reviews and {r["follow_up_id"] for r in reviews} == set(stored_reviews)
    for row in reviews:
        review = stored_reviews[row["follow_up_id"]]
        assert row["reviewed_on"] == (review.reviewed_on.isoformat() if review.reviewed_on else "")
        assert row["satisfaction"] == ("" if review.satisfaction is None else str(review.satisfaction))


def test_exports_are_audited_with_their_row_counts_and_refused_to_the_front_desk(demo: Demo, kb: KnowledgeBase) -> None:
    rows = _rows(demo, kb, "treatments", role="admin")
    with unit_of_work(demo.factory) as session:
        logged = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "csv_treatments", AuditEvent.user_id == demo.actors["admin"].user_id
            )
        ).all()
    assert logged and logged[-1].action == "export" and f"{len(rows)} rows" in (logged[-1].detail or "")
    with pytest.raises(Forbidden):
        _rows(demo, kb, "treatments", role="front_desk")


BAD = [
    ("photos", FIRST, LAST, "kind"),
    ("treatments", LAST, FIRST, "to"),
    ("treatments", dt.date(1900, 1, 1), LAST, "to"),
]


@pytest.mark.parametrize("bad", BAD, ids=["unknown kind", "reversed period", "period too long"])
def test_bad_requests_name_the_field(demo: Demo, kb: KnowledgeBase, bad: tuple[str, dt.date, dt.date, str]) -> None:
    kind, first, last, field = bad
    with unit_of_work(demo.factory) as session, pytest.raises(InvalidInput) as refused:
        export_csv(session, demo.actors["injector"], kind, first, last, kb=kb)
    assert refused.value.field == field


def test_cells_keep_exact_decimals_and_utc_times_and_defuse_formulas() -> None:
    assert cell(Decimal("2.500")) == "2.5" and cell(Decimal("100")) == "100"
    assert cell(dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)) == "2026-01-02T03:04:00Z"
    assert text("=HYPERLINK(1)") == "'=HYPERLINK(1)" and text("Ana") == "Ana"
