"""Everything one check looks at, with the derived facts rules share (computed once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
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
from toxplan.primitives.memo import cached


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


_WINDOW_STARTS: dict[tuple[dt.date, int | None, int | None, int | None], dt.date] = {}
"""Memo of ``start_of_window``: a check asks for the same few windows of the same day."""


def start_of_window(day: dt.date, span: Duration) -> dt.date:
    """First day that is still 'within' ``span`` before ``day`` (elapsed < span)."""
    key = (day, span.days, span.weeks, span.months)
    found = _WINDOW_STARTS.get(key)
    if found is None:
        if len(_WINDOW_STARTS) > 10_000:  # bound memory in a long-running server
            _WINDOW_STARTS.clear()
        found = _WINDOW_STARTS[key] = _start_of_window(day, span)
    return found


def _start_of_window(day: dt.date, span: Duration) -> dt.date:
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


def _product_limits(kb: KnowledgeBase, product: Product) -> tuple[ScopedLimit, ...]:
    """A product's own limits, scoped (indexed once per knowledge base)."""
    key = ("product_limits", product.id, None)
    found: tuple[ScopedLimit, ...] | None = kb.readings.get(key)
    if found is None:
        found = kb.readings[key] = tuple(ScopedLimit(lim, frozenset(lim.indications)) for lim in product.limits)
    return found


def _regimen_limits(kb: KnowledgeBase, regimen: Regimen) -> tuple[ScopedLimit, ...]:
    """A regimen's limits, scoped to its indication (indexed once per knowledge base)."""
    key = ("regimen_limits", regimen.product, regimen.indication)
    found: tuple[ScopedLimit, ...] | None = kb.readings.get(key)
    if found is None:
        scope = frozenset({regimen.indication})
        found = kb.readings[key] = tuple(ScopedLimit(lim, scope) for lim in regimen.limits)
    return found


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
        self._regimens = kb.regimens_of(product.id) if product is not None else {}

    @cached
    def age(self) -> Decimal | None:
        birth = self.patient.birth_date
        return None if birth is None else age_in_years(birth, self.on)

    @cached
    def known_indications(self) -> list[str]:
        return [i for i in self.plan.indications() if i in self.kb.indications]

    def regimen(self, indication: str) -> Regimen | None:
        return self._regimens.get(indication)

    @cached
    def history_products(self) -> list[Product | None]:
        """The product of each history entry, or None where it is not recognised."""
        found: dict[str, Product | None] = {}  # a history names few products, many times
        find = self.kb.find_product
        return [found[p] if (p := entry.product) in found else found.setdefault(p, find(p)) for entry in self.history]

    def latest(self, indication: str, since: dt.date) -> HistoryIn | None:
        """The most recent history entry for ``indication`` on or after ``since`` (the first
        of equals)."""
        last = None
        for entry in self.history_by_indication.get(indication, ()):
            if entry.date >= since and (last is None or entry.date > last.date):
                last = entry
        return last

    def nearest(self, indication: str, span: Duration) -> HistoryIn | None:
        """The recorded treatment of ``indication`` closest to the planned day and within
        ``span`` of it, before or after (the earlier one on a tie)."""
        entries = [h for h in self.history_by_indication.get(indication, ()) if within(h.date, self.on, span)]
        return min(entries, key=lambda h: (abs((h.date - self.on).days), h.date)) if entries else None

    @cached
    def history_by_indication(self) -> dict[str, list[HistoryIn]]:
        grouped: dict[str, list[HistoryIn]] = {}
        for entry in self.history:
            if entry.indication in grouped:
                grouped[entry.indication].append(entry)
            else:
                grouped[entry.indication] = [entry]
        return grouped

    @cached
    def same_product_history(self) -> list[HistoryIn]:
        """Past doses of the planned product: the only ones its unit limits may count."""
        if self.product is None:
            return []
        own = self.product
        return [e for e, p in zip(self.history, self.history_products, strict=True) if p is own]

    @cached
    def limits(self) -> list[ScopedLimit]:
        """The product's limits and those of each planned indication's regimen."""
        if self.product is None:
            return []
        scoped = list(_product_limits(self.kb, self.product))
        for indication in self.known_indications:
            regimen = self.regimen(indication)
            if regimen is not None and regimen.limits:
                scoped.extend(_regimen_limits(self.kb, regimen))
        return scoped

    @cached
    def _limits_by_kind(self) -> dict[str, list[ScopedLimit]]:
        grouped: dict[str, list[ScopedLimit]] = {}
        for scoped in self.limits:
            grouped.setdefault(scoped.limit.kind, []).append(scoped)
        return grouped

    def limits_of(self, kind: str) -> Iterator[ScopedLimit]:
        return iter(self._limits_by_kind.get(kind, ()))

    @cached
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

    @cached
    def medications(self) -> list[Recognised]:
        return recognise_medications(self.kb, self.patient.medications)

    @cached
    def conditions(self) -> list[Recognised]:
        entries = [e if isinstance(e, str) else f"ICD-10 {e.code}" for e in self.patient.conditions]
        coded = [isinstance(e, CodedEntry) for e in self.patient.conditions]
        return recognise_conditions(self.kb, entries, coded)

    @cached
    def allergies(self) -> list[Recognised]:
        return recognise_allergies(self.kb, self.patient.allergies)

    @cached
    def condition_ids(self) -> set[str]:
        return {key for r in self.conditions if not r.negated for key in r.keys}

    @cached
    def condition_entries(self) -> dict[str, list[Recognised]]:
        """Problem-list entries (not negated) by the condition they were read as."""
        found: dict[str, list[Recognised]] = {}
        for entry in self.conditions:
            if not entry.negated:
                for key in sorted(entry.keys):
                    found.setdefault(key, []).append(entry)
        return found

    @cached
    def implied_conditions(self) -> dict[str, list[tuple[Recognised, ConditionMarker]]]:
        """Conditions a medicine on the list implies (pyridostigmine: myasthenia gravis)."""
        found: dict[str, list[tuple[Recognised, ConditionMarker]]] = {}
        for med in self.medications:
            for key in sorted(med.keys):
                for marker in self.kb.drugs[key].markers:
                    for condition_id in marker.implies:
                        found.setdefault(condition_id, []).append((med, marker))
        return found

    @cached
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
            return self.everything_planned
        return [i for i in self.known_indications if i in indications or self.kb.indications[i].region in regions]

    @cached
    def everything_planned(self) -> list[str]:
        """The planned indications the knowledge base knows, else every one planned."""
        return list(self.known_indications) or list(self.plan.indications())

    @cached
    def allergen_ids(self) -> set[str]:
        return {key for r in self.allergies if not r.negated for key in r.keys}
