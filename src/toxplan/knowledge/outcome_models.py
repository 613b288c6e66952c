"""Typed schema of the outcome knowledge: titration rules and the labels' adverse-reaction rates.

``knowledge/outcomes/titration.yaml`` says how a patient's past courses of one product in one
area (review scores, how long the effect lasted, side effects at which sites) turn into a
suggestion for the next course; ``knowledge/outcomes/label_reactions.yaml`` holds the
incidence the labels report for an adverse reaction after one product in one area, which the
clinic safety report compares its own rates with. Both are data: the advisor and the report
only interpret them. Cross-file references are checked in ``outcome_checks.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from toxplan.knowledge.models import Category, Cited, Identifier, Positive, Strict

EventType = Literal[
    "eyelid_ptosis",
    "brow_ptosis",
    "asymmetry",
    "bruising",
    "headache",
    "injection_site_pain",
    "injection_site_redness",
    "dysphagia",
    "breathing_difficulty",
    "distant_spread",
    "diplopia",
    "dry_eye",
    "muscle_weakness",
    "hypersensitivity",
    "other",
]
"""The adverse-event types a clinic records (the same list as the records' ``EVENT_TYPES``)."""

Direction = Literal["same", "increase", "decrease", "withhold"]
Where = Literal["area_sites", "event_sites", "all_sites"]
WrinkleScore = Annotated[int, Field(ge=0, le=3)]
Satisfaction = Annotated[int, Field(ge=1, le=5)]


class OutcomeCondition(Strict):
    """What in the past courses makes a rule apply. Every condition given must hold; a rule
    with no condition at all always applies (the fallback, which must come last).

    Review conditions read the review of the most recent course of this product and area;
    event conditions look at the side effects after its last ``courses_back`` courses.
    """

    fws_max_at_least: WrinkleScore | None = None
    """Facial wrinkle scale at maximum contraction at the review (0 none ... 3 severe)."""
    fws_max_at_most: WrinkleScore | None = None
    satisfaction_at_least: Satisfaction | None = None
    satisfaction_at_most: Satisfaction | None = None
    touch_up_at_review: bool | None = None
    """True: units were added at the review (the dose fell short)."""
    effect_days_under: Annotated[int, Field(gt=0)] | None = None
    """The effect wore off (or, when that was not recorded, the patient returned) sooner."""
    effect_days_at_least: Annotated[int, Field(gt=0)] | None = None
    adverse_events: tuple[EventType, ...] = ()
    """Any of these after one of the last ``courses_back`` courses."""
    no_adverse_events: tuple[EventType, ...] = ()
    """None of these after any of the last ``courses_back`` courses."""
    courses_back: int = Field(default=1, ge=1, le=20)
    any_product: bool = False
    """Event conditions look at the courses of every product, not only the planned one (a
    hypersensitivity to any botulinum toxin matters whichever product is planned)."""

    @model_validator(mode="after")
    def _ordered(self) -> OutcomeCondition:
        for low, high in (
            (self.fws_max_at_least, self.fws_max_at_most),
            (self.satisfaction_at_least, self.satisfaction_at_most),
            (self.effect_days_at_least, self.effect_days_under),
        ):
            if low is not None and high is not None and low > high:
                raise ValueError(f"condition can never hold: {low} > {high}")
        if set(self.adverse_events) & set(self.no_adverse_events):
            raise ValueError("an event type is both required and excluded")
        return self

    @property
    def empty(self) -> bool:
        return self == OutcomeCondition()


class RuleChange(Strict):
    """What a rule suggests, and where: ``units_per_site`` more or less at each chosen site."""

    direction: Direction
    units_per_site: Positive | None = None
    where: Where = "all_sites"

    @model_validator(mode="after")
    def _step(self) -> RuleChange:
        moves = self.direction in ("increase", "decrease")
        if moves and self.units_per_site is None:
            raise ValueError(f"{self.direction} needs units_per_site")
        if not moves and self.units_per_site is not None:
            raise ValueError(f"{self.direction} takes no units_per_site")
        return self


class TitrationRule(Cited):
    """One titration rule: when it applies, what it suggests, and the words shown for it."""

    id: Identifier
    when: OutcomeCondition
    change: RuleChange
    reason: str
    """Shown after the change. Placeholders: {fws_max} {satisfaction} {reviewed_on} {effect}
    {events} {event_date} {courses_back} {touch_up}."""
    also: str | None = None
    """Shown after the reason when the rule's ``no_adverse_events`` held, e.g. "no ptosis"."""
    note: str | None = None
    """Advice shown with the suggestion (e.g. where to place the points next time)."""
    categories: tuple[Category, ...] = ("aesthetic", "therapeutic")
    """Indication categories the rule covers."""
    indications: tuple[Identifier, ...] = ()
    """Only these indications (empty: every indication of the categories)."""
    except_indications: tuple[Identifier, ...] = ()
    products: tuple[Identifier, ...] = ()
    """Only these products (empty: every product); a label's own titration rule names its product."""

    def covers(self, product: str, indication: str, category: str) -> bool:
        return (
            category in self.categories
            and (not self.indications or indication in self.indications)
            and indication not in self.except_indications
            and (not self.products or product in self.products)
        )


class AreaSites(Cited):
    """Where a change goes in one area: the points an increase goes to first, and the points
    a weakness side effect is usually traced to when the event names no site."""

    indication: Identifier
    increase_sites: tuple[Identifier, ...] = Field(min_length=1)
    increase_name: str
    """How clinicians call those points, e.g. "lateral corrugator points"."""
    event_sites: tuple[Identifier, ...] = ()
    event_name: str | None = None

    @model_validator(mode="after")
    def _named(self) -> AreaSites:
        if bool(self.event_sites) != (self.event_name is not None):
            raise ValueError("give event_sites and event_name together, or neither")
        return self


class ThinHistory(Cited):
    """Too few usable courses: the advisor suggests the label's starting dose instead."""

    min_courses: int = Field(ge=1, le=10)
    """Courses of this product and area with an outcome (a review, or a known duration)."""
    wording: str
    """Placeholders: {courses} {min_courses}."""


class OtherProducts(Cited):
    """Why courses of another product are shown but never used for the dose."""

    wording: str
    """Placeholders: {count} {products}."""


class TitrationFile(Strict):
    thin_history: ThinHistory
    other_products: OtherProducts
    rules: tuple[TitrationRule, ...] = Field(min_length=1)
    """In order: the first rule that applies decides."""
    areas: tuple[AreaSites, ...] = ()


class LabelReaction(Cited):
    """The incidence a label reports for one adverse reaction after one product in one area."""

    product: Identifier
    indication: Identifier
    event: EventType
    reaction: str
    """The reaction as the label names it."""
    rate_percent: Annotated[Decimal, Field(ge=0, le=100)]
    bound: Literal["equal", "below"] = "equal"
    """``below``: the label gives only an upper bound ("<1%"); the bound is compared with."""
    placebo_percent: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    note: str | None = None


class UnknownLabelRates(Cited):
    """Areas whose label adverse-reaction rates the knowledge base could not confirm."""

    product: Identifier
    indications: tuple[Identifier, ...] = Field(min_length=1)
    reason: str


class LabelReactionFile(Strict):
    reactions: tuple[LabelReaction, ...] = Field(min_length=1)
    unknown: tuple[UnknownLabelRates, ...] = ()


class OutcomeKnowledge(Strict):
    """Both outcome files, as the knowledge base holds them."""

    titration: TitrationFile
    label_reactions: LabelReactionFile

    def reactions_for(self, product: str, indication: str) -> tuple[LabelReaction, ...]:
        return tuple(r for r in self.label_reactions.reactions if r.product == product and r.indication == indication)

    def area(self, indication: str) -> AreaSites | None:
        return next((a for a in self.titration.areas if a.indication == indication), None)
