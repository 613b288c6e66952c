"""The patient's aftercare sheet: plain-language text from the knowledge base (per product and
treated area, each sentence with its sources), the urgent symptoms of the boxed warning, the
clinic's phone and the follow-up date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from toxplan.knowledge.aftercare import IndicationAftercare, PatientText, ProductAftercare
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import Cited
from toxplan.reports.pdf import html_to_pdf
from toxplan.reports.templating import environment
from toxplan.services.exports import TreatmentReport, treatment_report
from toxplan.services.schemas import Actor


@dataclass(frozen=True)
class Sentence:
    text: str
    refs: tuple[int, ...]
    """Numbers of its sources in the sheet's list of sources."""


@dataclass
class Area:
    indication: str
    name: str
    onset: Sentence | None = None
    peak: Sentence | None = None
    duration: Sentence | None = None
    side_effects: list[Sentence] = field(default_factory=list)
    known: bool = True
    """False when the knowledge base holds no aftercare text for this indication."""


@dataclass
class Sheet:
    kb: KnowledgeBase
    sources: list[str] = field(default_factory=list)

    def cite(self, fact: Cited) -> Sentence:
        refs = []
        for cid in fact.citations:
            if cid not in self.sources:
                self.sources.append(cid)
            refs.append(self.sources.index(cid) + 1)
        return Sentence(fact.text if isinstance(fact, PatientText) else "", tuple(refs))

    def source_lines(self) -> list[str]:
        lines = []
        for cid in self.sources:
            c = self.kb.citations.get(cid)
            lines.append(f"{c.title} ({c.publisher}; {c.evidence.replace('_', ' ')})" if c else cid)
        return lines


def _area(sheet: Sheet, indication: str, product: str) -> Area:
    found = sheet.kb.indications.get(indication)
    name = found.name if found else indication.replace("_", " ")
    text: IndicationAftercare | None = sheet.kb.aftercare.get(indication)
    if text is None:
        return Area(indication, name, known=False)
    own: ProductAftercare | None = next((p for p in text.products if p.product == product), None)
    return Area(
        indication,
        name,
        onset=sheet.cite(own.onset if own and own.onset else text.onset),
        peak=sheet.cite(own.peak if own and own.peak else text.peak),
        duration=sheet.cite(own.duration if own and own.duration else text.duration),
        side_effects=[sheet.cite(s) for s in (*text.side_effects, *(own.side_effects if own else ()))],
    )


def context(report: TreatmentReport, kb: KnowledgeBase, *, now: dt.datetime) -> dict[str, object]:
    d = report.detail
    sheet = Sheet(kb)
    general = kb.aftercare_general
    urgent_refs = sheet.cite(general.urgent).refs if general else ()  # the urgent box cites first
    indications = list(dict.fromkeys(i.indication for i in d.injections))
    areas = [_area(sheet, ind, d.treatment.product) for ind in indications]
    avoid: list[Sentence] = []
    seen: set[str] = set()
    texts = [*(kb.aftercare[i].avoid for i in indications if i in kb.aftercare), general.avoid if general else ()]
    for fact in (f for group in texts for f in group):
        if fact.text not in seen:
            seen.add(fact.text)
            avoid.append(sheet.cite(fact))
    common = [sheet.cite(s) for s in general.side_effects] if general else []
    return {
        "r": report,
        "d": d,
        "product": kb.products.get(d.treatment.product),
        "areas": areas,
        "avoid": avoid,
        "common": common,
        "urgent": general.urgent if general else None,
        "urgent_refs": urgent_refs,
        "note": sheet.cite(general.note) if general else None,
        "sources": sheet.source_lines(),
        "generated_at": now,
        "kb_version": kb.version,
    }


def aftercare_html(report: TreatmentReport, kb: KnowledgeBase, *, now: dt.datetime) -> str:
    return environment(kb).get_template("aftercare.html").render(**context(report, kb, now=now))


def aftercare_pdf(session: Session, actor: Actor, treatment_id: str, *, kb: KnowledgeBase, now: dt.datetime) -> bytes:
    """The patient's aftercare sheet for a signed treatment (an audited export)."""
    report = treatment_report(session, actor, treatment_id, document="aftercare_sheet")
    return html_to_pdf(aftercare_html(report, kb, now=now))
