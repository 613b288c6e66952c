"""The clinic safety report: adverse-event rates per area, product, injector and lot, beside
the label's incidence, and how long the effect lasted.

Counting: a rate is the number of treatments of a group with at least one event of a type,
out of the group's treatments that included the area. An event counts for the areas of its
treatment whose sites it was linked to; an event linked to no site (a headache) counts for
every area of its treatment. Label rates are per product and area, so they stand beside rows
that name both (areas, injectors, lots); rows pooled over products or areas show none.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from toxplan.domain.rates import Rate
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.outcome_models import LabelReaction

Dimension = Literal["area", "injector", "lot", "indication", "product"]
DIMENSIONS: tuple[Dimension, ...] = ("area", "injector", "lot", "indication", "product")


@dataclass(frozen=True)
class Exposure:
    """Treatments of one product in one area by one injector from one lot."""

    product: str
    indication: str
    injector: str
    lot: str
    treatments: int


@dataclass(frozen=True)
class EventRecord:
    treatment: str
    type: str
    product: str
    injector: str
    lot: str
    indications: tuple[str, ...]
    """The areas of the treatment the event counts for (see ``attribute``)."""


def attribute(event_sites: Iterable[str], sites_by_indication: Mapping[str, set[str]]) -> tuple[str, ...]:
    """The areas of a treatment an event counts for: those holding one of its linked sites,
    else (no site named, or none of them found) every area of the treatment."""
    linked = set(event_sites)
    hit = tuple(sorted(i for i, sites in sites_by_indication.items() if sites & linked))
    return hit or tuple(sorted(sites_by_indication))


@dataclass(frozen=True)
class RateRow:
    dimension: Dimension
    group: str
    """The injector's or lot's id for those dimensions; else the product or area id."""
    product: str | None
    indication: str | None
    event: str
    rate: Rate
    label: LabelReaction | None

    @property
    def flagged(self) -> bool:
        return self.label is not None and self.rate.clearly_above(self.label.rate_percent)


@dataclass(frozen=True)
class DurationRow:
    product: str
    indication: str
    days: tuple[int, ...]

    @property
    def median(self) -> float:
        return float(statistics.median(self.days))

    @property
    def quartiles(self) -> tuple[float, float]:
        if len(self.days) < 2:
            return float(self.days[0]), float(self.days[0])
        q1, _, q3 = statistics.quantiles(self.days, n=4, method="inclusive")
        return float(q1), float(q3)


@dataclass(frozen=True)
class Unknown:
    product: str
    indication: str
    reason: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class SafetyReport:
    start: dt.date
    end: dt.date
    treatments: int
    rows: tuple[RateRow, ...]
    durations: tuple[DurationRow, ...]
    unknown: tuple[Unknown, ...]
    knowledge_version: str

    @property
    def flagged(self) -> tuple[RateRow, ...]:
        return tuple(r for r in self.rows if r.flagged)

    def of(self, dimension: Dimension) -> tuple[RateRow, ...]:
        return tuple(r for r in self.rows if r.dimension == dimension)


Key = tuple[str, str | None, str | None]
"""(group, product, indication) of a row."""


def _key(dimension: Dimension, product: str, indication: str, injector: str, lot: str) -> Key:
    group = {"area": product, "injector": injector, "lot": lot, "indication": indication, "product": product}[dimension]
    return (
        group,
        None if dimension == "indication" else product,
        None if dimension == "product" else indication,
    )


def rate_rows(kb: KnowledgeBase, exposures: Iterable[Exposure], events: Iterable[EventRecord]) -> tuple[RateRow, ...]:
    at_risk: dict[tuple[Dimension, Key], int] = defaultdict(int)
    for e in exposures:
        for dimension in DIMENSIONS:
            at_risk[(dimension, _key(dimension, e.product, e.indication, e.injector, e.lot))] += e.treatments
    with_event: dict[tuple[Dimension, Key, str], set[str]] = defaultdict(set)
    for ev in events:
        for indication in ev.indications:
            for dimension in DIMENSIONS:
                key = _key(dimension, ev.product, indication, ev.injector, ev.lot)
                with_event[(dimension, key, ev.type)].add(ev.treatment)
    observed: dict[tuple[Dimension, Key], set[str]] = defaultdict(set)
    for dimension, key, kind in with_event:
        observed[(dimension, key)].add(kind)
    rows = []
    for (dimension, key), treatments in sorted(at_risk.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        group, of_product, of_area = key
        labels = _labels(kb, of_product, of_area)
        for kind in sorted(observed.get((dimension, key), set()) | set(labels)):
            count = len(with_event.get((dimension, key, kind), ()))
            rows.append(RateRow(dimension, group, of_product, of_area, kind, Rate(count, treatments), labels.get(kind)))
    return tuple(rows)


def _labels(kb: KnowledgeBase, product: str | None, indication: str | None) -> dict[str, LabelReaction]:
    if product is None or indication is None or kb.outcomes is None:
        return {}
    return {r.event: r for r in kb.outcomes.reactions_for(product, indication)}


def unknown_label_rates(kb: KnowledgeBase, areas: Iterable[tuple[str, str]]) -> tuple[Unknown, ...]:
    """For each (product, area) treated: why the report shows no label rate, when it has none."""
    listed: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
    if kb.outcomes is not None:
        for entry in kb.outcomes.label_reactions.unknown:
            for indication in entry.indications:
                listed[(entry.product, indication)] = (entry.reason, entry.citations)
    found = []
    for product, indication in sorted(set(areas)):
        if _labels(kb, product, indication):
            continue
        regimen = kb.regimen(product, indication)
        if (product, indication) in listed:
            reason, citations = listed[(product, indication)]
        elif regimen is None or regimen.label_status == "off_label":
            reason, citations = "Off-label use: no label reports a rate.", regimen.citations if regimen else ()
        else:
            reason, citations = "The knowledge base holds no label rate for this area.", regimen.citations
        found.append(Unknown(product, indication, reason, citations))
    return tuple(found)


def duration_rows(effects: Iterable[tuple[str, str, int]]) -> tuple[DurationRow, ...]:
    """Days until the effect wore off, per product and area."""
    grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
    for product, indication, days in effects:
        grouped[(product, indication)].append(days)
    return tuple(DurationRow(p, i, tuple(sorted(days))) for (p, i), days in sorted(grouped.items()))


def build_report(
    kb: KnowledgeBase,
    *,
    start: dt.date,
    end: dt.date,
    treatments: int,
    exposures: list[Exposure],
    events: list[EventRecord],
    effects: list[tuple[str, str, int]],
) -> SafetyReport:
    return SafetyReport(
        start=start,
        end=end,
        treatments=treatments,
        rows=rate_rows(kb, exposures, events),
        durations=duration_rows(effects),
        unknown=unknown_label_rates(kb, ((e.product, e.indication) for e in exposures)),
        knowledge_version=kb.version,
    )
