"""The clinic safety report for a period: medical directors and admins only, audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from toxplan.db.repositories import safety_stats as repo
from toxplan.domain.safety_report import EventRecord, Exposure, SafetyReport, attribute, build_report
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase
from toxplan.primitives.roles import OVERSIGHT
from toxplan.services.audit import log, require
from toxplan.services.schemas import Actor

LONGEST = dt.timedelta(days=3661)
"""About ten years: the longest period one report covers."""


@dataclass(frozen=True)
class ClinicSafetyReport:
    report: SafetyReport
    injectors: dict[str, str]
    """User id -> name."""
    lots: dict[str, tuple[str, str]]
    """Lot id -> (lot number, product)."""

    def group_name(self, dimension: str, group: str) -> str:
        if dimension == "injector":
            return self.injectors.get(group, group)
        if dimension == "lot":
            return self.lots.get(group, (group, ""))[0]
        return group


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months up to today."""
    return today - dt.timedelta(days=364), today


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def safety_report(
    session: Session,
    actor: Actor,
    *,
    kb: KnowledgeBase,
    start: dt.date,
    end: dt.date,
    action: Literal["read", "export"] = "read",
) -> ClinicSafetyReport:
    """Rates of every adverse event type after the treatments from ``start`` to ``end``
    (inclusive, UTC days), per area, product, injector and lot, with the label's rates."""
    require(actor, OVERSIGHT)
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})", field="to")
    if end - start > LONGEST:
        raise InvalidInput("choose a period of at most ten years", field="from")
    if end >= dt.date.max - dt.timedelta(days=1):
        raise InvalidInput(f"{end} is too far ahead", field="to")
    clinic = actor.clinic_id
    since, until = _moment(start), _moment(end + dt.timedelta(days=1))
    exposures = [Exposure(*row) for row in repo.exposures(session, clinic, since, until)]
    raw_events = repo.events(session, clinic, since, until)
    areas: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for treatment, indication, site in repo.treatment_sites(session, [e[0] for e in raw_events]):
        areas[treatment][indication].add(site or "")
    events = [
        EventRecord(treatment, kind, product, injector, lot, attribute(sites.split(), areas[treatment]))
        for treatment, kind, sites, product, injector, lot in raw_events
    ]
    effects = [
        (product, indication, (off - visit.date()).days)
        for product, indication, visit, off in repo.effect_durations(session, clinic, since, until)
    ]
    report = build_report(
        kb,
        start=start,
        end=end,
        treatments=repo.treatment_count(session, clinic, since, until),
        exposures=exposures,
        events=events,
        effects=effects,
    )
    log(session, actor, action, "safety_report", detail=f"{start} to {end}: {report.treatments} treatments")
    return ClinicSafetyReport(report, repo.user_names(session, clinic), repo.lot_numbers(session, clinic))
