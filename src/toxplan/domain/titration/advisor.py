"""The titration advisor: a suggestion for the next course in one area, with its reasons.

Only courses of the planned product are used for the dose: units of one botulinum toxin product
are never converted into another's, so other products' courses are shown and said to be unused.
The first titration rule (knowledge data) that applies decides the change; the result is kept
within the label's range for the product and area, and the advisor says when that changed it.
With too little history it suggests the label's starting dose (the regimen's default variant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from toxplan.domain.safety.wording import indication_name, product_name, site_name
from toxplan.domain.titration.history import Course, PastInjection
from toxplan.domain.titration.limits import LabelRange, clamp, label_range
from toxplan.domain.titration.rules import Match, and_list, evaluate, render
from toxplan.errors import PlanNotAvailable
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.models import Product, Regimen
from toxplan.knowledge.outcome_models import OutcomeKnowledge

Basis = Literal["history", "label_start", "withheld", "none"]


@dataclass(frozen=True)
class Reason:
    rule: str
    """The titration rule (or the advisor's own step, e.g. ``label_range``) behind the reason."""
    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    injections: tuple[PastInjection, ...]
    reasons: tuple[Reason, ...]
    basis: Basis

    @property
    def total_units(self) -> Decimal | None:
        return sum((i.units for i in self.injections), Decimal(0)) if self.injections else None


@dataclass(frozen=True)
class CourseView:
    course: Course
    used: bool
    """Whether the course is of the planned product (only those inform the dose)."""


@dataclass(frozen=True)
class Advice:
    indication: str
    product: str
    courses: tuple[CourseView, ...]
    """Newest first, every product."""
    suggestion: Suggestion
    label_range: LabelRange | None
    knowledge_version: str


def _u(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class _Advisor:
    kb: KnowledgeBase
    outcomes: OutcomeKnowledge
    product: Product
    indication: str
    reasons: list[Reason]

    def name(self) -> str:
        return f"{product_name(self.kb, self.product.id)} in {indication_name(self.kb, self.indication)}"

    def start(self, regimen: Regimen) -> Suggestion:
        """The label's starting dose: the regimen's default variant."""
        variant = next((v for v in regimen.variants if v.id == regimen.default_variant), None)
        if variant is None:
            self.reasons.append(
                Reason(
                    "no_label_pattern",
                    f"The knowledge base holds no starting pattern for {self.name()}: chart the dose by hand.",
                    regimen.citations,
                )
            )
            return Suggestion((), tuple(self.reasons), "none")
        injections = tuple(PastInjection(s.site, s.units) for s in variant.pattern for _ in range(s.count))
        self.reasons.append(
            Reason("label_start", f"Label starting dose for {self.name()}: {variant.description}", variant.citations)
        )
        return Suggestion(injections, tuple(self.reasons), "label_start")

    def targets(self, match: Match, base: Sequence[PastInjection]) -> tuple[list[int], str]:
        """Which points the rule's change goes to, and how to call them."""
        change = match.rule.change
        area = self.outcomes.area(self.indication)
        everything = list(range(len(base)))
        if change.where == "area_sites" and area is not None:
            chosen = [i for i, inj in enumerate(base) if inj.site in area.increase_sites]
            if chosen:
                return chosen, area.increase_name
        if change.where == "event_sites":
            linked = {s for event, _ in match.events for s in event.sites}
            chosen = [i for i, inj in enumerate(base) if inj.site in linked]
            if chosen:
                names = sorted({site_name(self.kb, base[i].site) for i in chosen})
                return chosen, and_list(names)
            if area is not None and area.event_name is not None:
                chosen = [i for i, inj in enumerate(base) if inj.site in area.event_sites]
                if chosen:
                    return chosen, area.event_name
        return everything, "all points"

    def change(
        self, match: Match, latest: Course, base: tuple[PastInjection, ...]
    ) -> tuple[list[PastInjection], list[int]]:
        rule = match.rule
        reason = render(rule.reason, match.values)
        if rule.also and rule.when.no_adverse_events:
            reason += "; " + render(rule.also, match.values)
        step = rule.change.units_per_site
        if rule.change.direction == "same" or step is None:
            text = f"Same dose as the course of {latest.treated_on} ({_u(latest.total_units)} U): {reason}"
            self.reasons.append(Reason(rule.id, text, rule.citations))
            return list(base), []
        sign = Decimal(1) if rule.change.direction == "increase" else Decimal(-1)
        chosen, where = self.targets(match, base)
        suggested = [
            PastInjection(inj.site, inj.units + sign * step) if i in chosen else inj for i, inj in enumerate(base)
        ]
        total = sum((i.units for i in suggested), Decimal(0))
        shown = f"{'+' if sign > 0 else '-'}{_u(step)} U each"
        text = f"{_cap(where)} {shown} ({_u(latest.total_units)} U to {_u(total)} U): {reason}"
        self.reasons.append(Reason(rule.id, text, rule.citations))
        return suggested, chosen

    def keep_within(self, limits: LabelRange, suggested: list[PastInjection], changed: list[int]) -> Suggestion | None:
        kind = "published off-label" if limits.off_label else "label"
        if not limits.known:
            self.reasons.append(
                Reason(
                    "label_range_unknown",
                    f"The knowledge base holds no {kind} total for {self.name()}: the suggestion was checked "
                    f"against the per-point range only ({limits.describe()}).",
                    limits.citations,
                )
            )
        clamped = clamp(suggested, changed, limits)
        if not clamped.reached:
            self.reasons.append(
                Reason(
                    "label_range",
                    f"These points cannot be brought within the {kind} range for {self.name()} "
                    f"({limits.describe()}), so the label's starting dose is suggested instead.",
                    limits.citations,
                )
            )
            return None
        final = sum((i.units for i in clamped.injections), Decimal(0))
        if clamped.capped_points or final != clamped.before_total:
            derived = " (units per point times points)" if limits.derived else ""
            self.reasons.append(
                Reason(
                    "label_range",
                    f"Kept within the {kind} range for {self.name()}{derived} ({limits.describe()}): "
                    f"{_u(clamped.before_total)} U became {_u(final)} U.",
                    limits.citations,
                )
            )
        return Suggestion(clamped.injections, tuple(self.reasons), "history")


def advise(kb: KnowledgeBase, *, product: str, indication: str, courses: Sequence[Course]) -> Advice:
    """Suggest the next course of ``product`` in ``indication`` from the past courses there."""
    chosen = kb.product(product)
    category = kb.indication(indication).category
    if kb.outcomes is None:
        raise PlanNotAvailable("the knowledge base holds no titration rules", field="knowledge")
    outcomes = kb.outcomes
    ordered = sorted(courses, key=lambda c: c.treated_on, reverse=True)
    same = [c for c in ordered if c.product == chosen.id]
    views = tuple(CourseView(c, c.product == chosen.id) for c in ordered)
    advisor = _Advisor(kb, outcomes, chosen, indication, [])
    others = sorted({product_name(kb, c.product) for c in ordered if c.product != chosen.id})
    if others:
        note = outcomes.titration.other_products
        count = str(sum(1 for c in ordered if c.product != chosen.id))
        text = render(note.wording, {"count": count, "products": and_list(others)})
        advisor.reasons.append(Reason("units_not_interchangeable", _cap(text), note.citations))

    def result(suggestion: Suggestion, limits: LabelRange | None) -> Advice:
        return Advice(indication, chosen.id, views, suggestion, limits, kb.version)

    regimen = kb.regimen(chosen.id, indication)
    if regimen is None:
        advisor.reasons.append(
            Reason(
                "no_regimen",
                f"The knowledge base has no regimen for {advisor.name()}: no dose is suggested.",
                chosen.citations,
            )
        )
        return result(Suggestion((), tuple(advisor.reasons), "none"), None)
    limits = label_range(chosen, regimen)
    rules = [r for r in outcomes.titration.rules if r.covers(chosen.id, indication, category)]
    match = next((m for m in (evaluate(r, same, ordered) for r in rules) if m is not None), None)
    if match is not None and match.rule.change.direction == "withhold":
        text = render(match.rule.reason, match.values)
        advisor.reasons.append(Reason(match.rule.id, _cap(text) + ".", match.rule.citations))
        if match.rule.note:
            advisor.reasons.append(Reason(match.rule.id, match.rule.note, match.rule.citations))
        return result(Suggestion((), tuple(advisor.reasons), "withheld"), limits)
    thin = outcomes.titration.thin_history
    usable = sum(1 for c in same if c.has_outcome)
    if match is None:  # only when no rule covers the area (the last rule has no conditions)
        text = f"No titration rule covers {advisor.name()}."
        advisor.reasons.append(Reason("no_rule", text, regimen.citations))
        return result(advisor.start(regimen), limits)
    if usable < thin.min_courses:
        text = render(thin.wording, {"courses": str(usable), "min_courses": str(thin.min_courses)})
        advisor.reasons.append(Reason("thin_history", _cap(text), thin.citations))
        return result(advisor.start(regimen), limits)
    latest = same[0]
    base = tuple(i for i in latest.injections if i.site is not None)
    if len(base) < len(latest.injections):
        dropped = len(latest.injections) - len(base)
        advisor.reasons.append(
            Reason(
                "points_by_position",
                f"{dropped} point(s) of the course of {latest.treated_on} were placed by position only and "
                "are not carried over.",
                (),
            )
        )
    if not base:
        return result(advisor.start(regimen), limits)
    suggested, changed = advisor.change(match, latest, base)
    if match.rule.note:
        advisor.reasons.append(Reason(match.rule.id, match.rule.note, match.rule.citations))
    kept = advisor.keep_within(limits, suggested, changed)
    return result(kept if kept is not None else advisor.start(regimen), limits)
