"""The printed treatment record: a signed demo treatment renders as a one-to-two-page PDF
whose pages are turned into PNG and whose text names every injection, the totals, the signer,
the knowledge-base version and the page numbers."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pypdfium2
import pytest
from sqlalchemy import select

from tests.exports.conftest import NOW, SCREENSHOTS, Demo
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent, Treatment, TreatmentInjection, User
from toxplan.errors import Forbidden
from toxplan.knowledge.base import KnowledgeBase
from toxplan.presenters import number
from toxplan.reports.record import treatment_record_pdf


def _treatment(demo: Demo, units: int | None = None, *, largest: bool = False) -> Treatment:
    with unit_of_work(demo.factory) as session:
        query = select(Treatment).where(Treatment.clinic_id == demo.clinic_id)
        if units is not None:
            query = query.where(Treatment.total_units == units)
        order = Treatment.total_units.desc() if largest else Treatment.visit_at
        found = session.scalars(query.order_by(order, Treatment.id)).first()
        assert found is not None
        session.expunge(found)
        return found


def _pdf(demo: Demo, kb: KnowledgeBase, treatment_id: str, role: str = "medical_director") -> bytes:
    with unit_of_work(demo.factory) as session:
        return treatment_record_pdf(session, demo.actors[role], treatment_id, kb=kb, now=NOW)


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_a_glabellar_treatment_prints_on_one_page_with_everything_a_record_needs(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _treatment(demo, 20)
    pdf = _pdf(demo, kb, treatment.id)
    pages = _text(pdf)
    assert 1 <= len(pages) <= 2
    text = " ".join(" ".join(pages).split())
    with unit_of_work(demo.factory) as session:
        shots = list(session.scalars(select(TreatmentInjection).where(TreatmentInjection.treatment_id == treatment.id)))
        signer = session.get(User, treatment.injector_id)
        assert signer is not None
        signer_name = signer.name
    assert len(shots) == 5
    for shot in shots:
        assert shot.site is not None
        assert kb.sites[shot.site].name in text
    assert f"Total: {len(shots)} injection(s)" in text
    assert "20 0.5" in text  # total units and mL
    assert signer_name in text and "Performed and signed" in text
    assert treatment.knowledge_version in text
    assert f"Page 1 of {len(pages)}" in text
    assert "Face diagram" in text and "Front view" in text


def test_pages_render_to_png_with_ink_on_them(demo: Demo, kb: KnowledgeBase) -> None:
    pdf = _pdf(demo, kb, _treatment(demo, 20).id)
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=1.5).to_pil().convert("L")
    finally:
        document.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "treatment-record-page-1.png")
    width, height = image.size
    assert width > 800 and height > 1100  # A4 at 108 dpi
    dark = sum(image.histogram()[:128])
    assert dark > 5_000  # text, table and the face outline are drawn
    # the diagram's red points: the middle band of the page is not blank
    band = image.crop((0, height // 4, width, height // 2))
    assert band.getextrema()[0] < 100


def test_the_largest_demo_treatment_still_fits_on_two_pages(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _treatment(demo, largest=True)
    pages = _text(_pdf(demo, kb, treatment.id))
    assert len(pages) <= 2
    text = " ".join(" ".join(pages).split())
    assert "Total: " in text and str(number(Decimal(treatment.total_units))) in text
    assert "Page 2 of 2" in text or len(pages) == 1


def test_printing_is_an_audited_export_and_the_front_desk_may_not(demo: Demo, kb: KnowledgeBase) -> None:
    treatment = _treatment(demo, 20)
    _pdf(demo, kb, treatment.id, role="injector")
    with unit_of_work(demo.factory) as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "export",
                AuditEvent.entity == "treatment_record",
                AuditEvent.entity_id == treatment.id,
            )
        ).all()
        assert events and events[-1].user_id == demo.actors["injector"].user_id
        assert events[-1].patient_id == treatment.patient_id
    with pytest.raises(Forbidden):
        _pdf(demo, kb, treatment.id, role="front_desk")


def test_a_record_without_consent_says_so(demo: Demo, kb: KnowledgeBase) -> None:
    import dataclasses  # noqa: PLC0415

    from toxplan.reports.record import record_html  # noqa: PLC0415
    from toxplan.services.exports import treatment_report  # noqa: PLC0415

    with unit_of_work(demo.factory) as session:
        report = treatment_report(
            session, demo.actors["injector"], _treatment(demo, 20).id, document="treatment_record"
        )
    html = record_html(dataclasses.replace(report, consent=None), kb, now=NOW)
    assert "No consent recorded" in html
