"""Everything one check looks at, with the derived facts rules share (computed once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from toxplan.domain.plans import Injection, Plan
from toxplan.domain.requests import CodedEntry, HistoryIn, PatientIn
from toxplan.domain.safety.matching import (
    Recognised,
    recognise_allergies,
    recognise_conditions,
    recognise_medications,
)
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import (
    AgeRange,
    Category,
    ConditionMarker,
    DoseLimit,
    Duration,
    Product,
    Regimen,
    Severity,
    Side,
)
from toxplan.knowledge.policy import Policy
from toxplan.knowledge.purpose import PatientRisk


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def start_of_window(day: dt.date, span: Duration) -> dt.date:
    """First day that is still 'within' ``span`` before ``day`` (elapsed < span)."""
    if span.months is not None:
        return months_before(day, span.months) + dt.timedelta(days=1)
    days = span.days if span.days is not None else 7 * (span.weeks or 0)
    return day - dt.timedelta(days=days - 1)


def within(a: dt.date, b: dt.date, span: Duration) -> bool:
    """Whether two days lie within ``span`` of each other, in either order (elapsed < span).

    Symmetric on purpose: a visit charted late must be checked against the treatments recorded
    after it as well as before it.
    """
    early, late = (a, b) if a <= b else (b, a)
    return start_of_window(late, span) <= early


class Window(NamedTuple):
    start: dt.date
    end: dt.date
    entries: list[HistoryIn]
    units: Decimal


def worst_window(entries: list[HistoryIn], on: dt.date, span: Duration) -> Window:
    """Of all rolling windows of ``span`` that contain ``on``, the one whose ``entries`` add up
    to the most units (the earliest such window on a tie).

    A window ending on day E holds [start_of_window(E), E]; moving E later only adds units
    when it reaches an entry, so the windows ending on ``on`` or on a later entry's day that
    still contain ``on`` are the only candidates.
    """
    ends = [on, *sorted({e.date for e in entries if e.date > on and start_of_window(e.date, span) <= on})]
    worst: Window | None = None
    for end in ends:
        start = start_of_window(end, span)
        inside = [e for e in entries if start <= e.date <= end]
        units = sum((e.units for e in inside), Decimal(0))
        if worst is None or units > worst.units:
            worst = Window(start, end, inside, units)
    assert worst is not None
    return worst


def age_in_years(birth: dt.date, on: dt.date) -> Decimal:
    """Completed years, as used for label age ranges ("2 years and older")."""
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return Decimal(years)


class ScopedLimit(NamedTuple):
    limit: DoseLimit
    indications: frozenset[str]
    """Planned or past indications the limit counts; empty means every indication."""

    def covers(self, indication: str) -> bool:
        return not self.indications or indication in self.indications


class CheckContext:
    """The inputs of one check plus facts derived from them, shared by every rule."""

    def __init__(
        self,
        *,
        kb: KnowledgeBase,
        plan: Plan,
        patient: PatientIn,
        history: tuple[HistoryIn, ...],
        on: dt.date,
        at: dt.datetime | None = None,
        reconstituted_at: dt.datetime | None = None,
        policy: Policy | None = None,
        product: Product | None = None,
    ) -> None:
        self.kb = kb
        self.plan = plan
        self.patient = patient
        self.history = history
        self.on = on
        self.at = at
        self.reconstituted_at = reconstituted_at
        self.policy = policy
        self.product = product

    @cached_property
    def age(self) -> Decimal | None:
        birth = self.patient.birth_date
        return None if birth is None else age_in_years(birth, self.on)

    @cached_property
    def known_indications(self) -> list[str]:
        return [i for i in self.plan.indications() if i in self.kb.indications]

    def regimen(self, indication: str) -> Regimen | None:
        return None if self.product is None else self.kb.regimen(self.product.id, indication)

    @cached_property
    def history_products(self) -> list[Product | None]:
        """The product of each history entry, or None where it is not recognised."""
        return [self.kb.find_product(entry.product) for entry in self.history]

    def latest(self, indication: str, since: dt.date) -> HistoryIn | None:
        """The most recent history entry for ``indication`` on or after ``since``."""
        entries = self.history_by_indication.get(indication, ())
        recent = [h for h in entries if h.date >= since]
        return max(recent, key=lambda h: h.date) if recent else None

    def nearest(self, indication: str, span: Duration) -> HistoryIn | None:
        """The recorded treatment of ``indication`` closest to the planned day and within
        ``span`` of it, before or after (the earlier one on a tie)."""
        entries = [h for h in self.history_by_indication.get(indication, ()) if within(h.date, self.on, span)]
        return min(entries, key=lambda h: (abs((h.date - self.on).days), h.date)) if entries else None

    @cached_property
    def history_by_indication(self) -> dict[str, list[HistoryIn]]:
        grouped: dict[str, list[HistoryIn]] = {}
        for entry in self.history:
            grouped.setdefault(entry.indication, []).append(entry)
        return grouped

    @cached_property
    def same_product_history(self) -> list[HistoryIn]:
        """Past doses of the planned product: the only ones its unit limits may count."""
        if self.product is None:
            return []
        own = self.product
        return [e for e, p in zip(self.history, self.history_products, strict=True) if p is own]

    @cached_property
    def limits(self) -> list[ScopedLimit]:
        """The product's limits and those of each planned indication's regimen."""
        if self.product is None:
            return []
        scoped = [ScopedLimit(lim, frozenset(lim.indications)) for lim in self.product.limits]
        for indication in self.known_indications:
            regimen = self.regimen(indication)
            if regimen is not None:
                scoped.extend(ScopedLimit(lim, frozenset({indication})) for lim in regimen.limits)
        return scoped

    def limits_of(self, kind: str) -> Iterator[ScopedLimit]:
        return (s for s in self.limits if s.limit.kind == kind)

    @cached_property
    def fixed_dose_factor(self) -> Decimal:
        """Times a fixed label dose that is critical: ToxPlan's default, or the clinic's stricter one."""
        default = self.kb.defaults.fixed_dose_factor.factor if self.kb.defaults is not None else Decimal(2)
        if self.policy is not None and self.policy.fixed_dose_factor is not None:
            return min(default, self.policy.fixed_dose_factor)
        return default

    def side_of(self, injection: Injection) -> Side | None:
        """Left or right for a lateral site (or a free point off the midline), else None."""
        site = self.kb.sites.get(injection.site) if injection.site else None
        if site is not None and site.side is not None:
            return site.side
        point = injection.position if site is None else None
        if point is None:
            return None
        if point.view in ("left", "right"):
            return point.view
        if point.x_mm == 0:
            return None
        return "left" if point.x_mm > 0 else "right"  # front and back frames: x toward the patient's left

    def age_matches(self, ages: AgeRange | None) -> bool:
        """Whether ``ages`` includes the patient; unknown age counts as inside (the stricter reading)."""
        if ages is None or self.age is None:
            return True
        return ages.contains(self.age)

    def applies_by_age(self, limit: DoseLimit) -> bool:
        """Unknown age counts as inside the range: the stricter reading when in doubt."""
        if limit.ages is None or self.age is None:
            return True
        return limit.ages.contains(self.age)

    @cached_property
    def medications(self) -> list[Recognised]:
        return recognise_medications(self.kb, self.patient.medications)

    @cached_property
    def conditions(self) -> list[Recognised]:
        entries = [e if isinstance(e, str) else f"ICD-10 {e.code}" for e in self.patient.conditions]
        coded = [isinstance(e, CodedEntry) for e in self.patient.conditions]
        return recognise_conditions(self.kb, entries, coded)

    @cached_property
    def allergies(self) -> list[Recognised]:
        return recognise_allergies(self.kb, self.patient.allergies)

    @cached_property
    def condition_ids(self) -> set[str]:
        return {key for r in self.conditions if not r.negated for key in r.keys}

    @cached_property
    def condition_entries(self) -> dict[str, list[Recognised]]:
        """Problem-list entries (not negated) by the condition they were read as."""
        found: dict[str, list[Recognised]] = {}
        for entry in self.conditions:
            if not entry.negated:
                for key in sorted(entry.keys):
                    found.setdefault(key, []).append(entry)
        return found

    @cached_property
    def implied_conditions(self) -> dict[str, list[tuple[Recognised, ConditionMarker]]]:
        """Conditions a medicine on the list implies (pyridostigmine: myasthenia gravis)."""
        found: dict[str, list[tuple[Recognised, ConditionMarker]]] = {}
        for med in self.medications:
            for key in sorted(med.keys):
                for marker in self.kb.drugs[key].markers:
                    for condition_id in marker.implies:
                        found.setdefault(condition_id, []).append((med, marker))
        return found

    @cached_property
    def purposes(self) -> frozenset[Category]:
        """Aesthetic and/or therapeutic: the categories of the planned indications."""
        return frozenset(self.kb.indications[i].category for i in self.known_indications)

    def risk_severity(self, risk: PatientRisk) -> tuple[Severity, Category]:
        """How severe ``risk`` is for this plan: the strictest over its purposes."""
        return risk.severity.strictest(self.purposes)

    def planned_near(self, indications: tuple[str, ...], regions: tuple[str, ...]) -> list[str]:
        """Planned indications a fact limited to ``indications`` / ``regions`` concerns
        (every planned indication when both are empty)."""
        if not indications and not regions:
            return list(self.known_indications) or list(self.plan.indications())
        return [i for i in self.known_indications if i in indications or self.kb.indications[i].region in regions]

    @cached_property
    def allergen_ids(self) -> set[str]:
        return {key for r in self.allergies if not r.negated for key in r.keys}
