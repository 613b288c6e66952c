"""The aftercare sheet: plain-language text from the knowledge base for the treated areas and
product, the urgent symptoms, the clinic's phone and the follow-up date; audited."""

from __future__ import annotations

import dataclasses
import io

import pypdf
from sqlalchemy import select

from tests.exports.conftest import NOW, SCREENSHOTS, Demo
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent, Treatment
from toxplan.knowledge.base import KnowledgeBase
from toxplan.reports.aftercare import aftercare_html, aftercare_pdf
from toxplan.services.exports import treatment_report


def _first(demo: Demo, product: str) -> Treatment:
    with unit_of_work(demo.factory) as session:
        query = select(Treatment).where(Treatment.clinic_id == demo.clinic_id, Treatment.product == product)
        found = session.scalars(query.order_by(Treatment.visit_at, Treatment.id)).first()
        assert found is not None
        session.expunge(found)
        return found


def test_the_sheet_names_timing_side_effects_urgent_symptoms_phone_and_follow_up(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _first(demo, "onabotulinumtoxina")
    with unit_of_work(demo.factory) as session:
        pdf = aftercare_pdf(session, demo.actors["injector"], treatment.id, kb=kb, now=NOW)
        report = treatment_report(session, demo.actors["injector"], treatment.id, document="aftercare_sheet")
        due = report.detail.follow_up.due_on if report.detail.follow_up else None
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert 1 <= len(pages) <= 2
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Get medical help right away" in text
    for words in ("swallowing, speaking or breathing", "muscles all over the body"):
        assert words in text
    assert "+1-202-555-0100" in text
    assert due is not None and due.strftime("%d %B %Y") in text
    assert "Starts:" in text and "Lasts:" in text and "What to avoid" in text and "Sources" in text
    assert f"Page 1 of {len(pages)}" in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "aftercare-sheet.pdf").write_bytes(pdf)


def test_a_product_that_lasts_longer_says_so_and_an_unknown_area_is_not_silent(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _first(demo, "daxibotulinumtoxina")
    with unit_of_work(demo.factory) as session:
        report = treatment_report(session, demo.actors["medical_director"], treatment.id, document="aftercare_sheet")
    html = aftercare_html(report, kb, now=NOW)
    assert "about 6 months on average" in html
    without = dataclasses.replace(kb, aftercare={})
    assert "No written aftercare is held for this area yet" in aftercare_html(report, without, now=NOW)


def test_a_clinic_without_a_phone_leaves_a_line_to_write_it_on(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _first(demo, "onabotulinumtoxina")
    with unit_of_work(demo.factory) as session:
        report = treatment_report(session, demo.actors["injector"], treatment.id, document="aftercare_sheet")
        session.expunge(report.clinic)
    report.clinic.phone = None
    assert "Clinic phone: ______" in aftercare_html(report, kb, now=NOW)


def test_printing_the_sheet_is_audited(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _first(demo, "onabotulinumtoxina")
    with unit_of_work(demo.factory) as session:
        aftercare_pdf(session, demo.actors["admin"], treatment.id, kb=kb, now=NOW)
    with unit_of_work(demo.factory) as session:
        found = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "aftercare_sheet", AuditEvent.entity_id == treatment.id)
        ).all()
    assert any(e.action == "export" and e.user_id == demo.actors["admin"].user_id for e in found)
