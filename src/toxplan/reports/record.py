"""The signed treatment record as a PDF a clinician would file: one to two A4 pages with the
clinic, patient, product and lot, the face diagram, every injection, totals, the findings shown
at signing with their overrides, consent, signatures, addenda and the knowledge-base version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from toxplan.db.models import TreatmentInjection
from toxplan.domain.dilution import Dilution
from toxplan.domain.geometry import Position
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.numbers import round_half_up
from toxplan.primitives.vocabulary import as_view
from toxplan.reports.diagram import Point, diagrams
from toxplan.reports.pdf import html_to_pdf
from toxplan.reports.templating import environment
from toxplan.services.exports import TreatmentReport, treatment_report
from toxplan.services.schemas import Actor

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class IndicationTotal:
    indication: str
    units: Decimal
    volume_ml: Decimal
    injections: int


def position_of(injection: TreatmentInjection, kb: KnowledgeBase) -> Position | None:
    """Where the point was charted, else its site's template position, else nowhere."""
    view = as_view(injection.view)
    if injection.x_mm is not None and injection.y_mm is not None and view is not None:
        return Position(view, injection.x_mm, injection.y_mm)
    site = kb.sites.get(injection.site) if injection.site else None
    return site.position if site else None


def points(injections: list[TreatmentInjection], kb: KnowledgeBase) -> list[Point]:
    found = []
    for injection in injections:
        position = position_of(injection, kb)
        if position is not None:
            found.append(Point(injection.seq + 1, injection.units, position))
    return found


def totals(injections: list[TreatmentInjection]) -> list[IndicationTotal]:
    by: dict[str, IndicationTotal] = {}
    for i in injections:
        was = by.get(i.indication, IndicationTotal(i.indication, Decimal(0), Decimal(0), 0))
        by[i.indication] = IndicationTotal(
            i.indication, was.units + i.units, was.volume_ml + i.volume_ml, was.injections + 1
        )
    return list(by.values())


def context(report: TreatmentReport, kb: KnowledgeBase, *, now: dt.datetime) -> dict[str, object]:
    d = report.detail
    t = d.treatment
    concentration = round_half_up(Dilution(t.vial_units, t.diluent_ml).units_per_0_1_ml, Decimal("0.01"))
    charted = points(d.injections, kb)
    return {
        "r": report,
        "d": d,
        "t": t,
        "product": kb.products.get(t.product),
        "concentration": concentration,
        "diagrams": diagrams(kb.template, charted),
        "uncharted": len(d.injections) - len(charted),
        "totals": totals(d.injections),
        "total_volume": sum((i.volume_ml for i in d.injections), Decimal(0)),
        "findings": sorted(d.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.code)),
        "generated_at": now,
        "kb_version": kb.version,
    }


def record_html(report: TreatmentReport, kb: KnowledgeBase, *, now: dt.datetime) -> str:
    return environment(kb).get_template("record.html").render(**context(report, kb, now=now))


def treatment_record_pdf(
    session: Session, actor: Actor, treatment_id: str, *, kb: KnowledgeBase, now: dt.datetime
) -> bytes:
    """The PDF of a signed treatment (an audited export)."""
    report = treatment_report(session, actor, treatment_id, document="treatment_record")
    return html_to_pdf(record_html(report, kb, now=now))
