"""Evaluating the knowledge base's titration rules on a patient's past courses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from toxplan.domain.titration.history import Course, PastEvent
from toxplan.knowledge.outcome_models import OutcomeCondition, TitrationRule


@dataclass(frozen=True)
class Match:
    """A rule that applies, with the facts that made it apply (for its wording)."""

    rule: TitrationRule
    events: tuple[tuple[PastEvent, Course], ...]
    """The events its ``adverse_events`` condition found, with their course."""
    values: dict[str, str]


def window(courses: Sequence[Course], n: int) -> Sequence[Course]:
    """The last ``n`` courses (``courses`` are newest first)."""
    return courses[:n]


def _within(value: int | None, at_least: int | None, at_most: int | None) -> bool:
    """Whether a review score meets the bounds a condition gives (a missing score meets none)."""
    if at_least is None and at_most is None:
        return True
    if value is None:
        return False
    return (at_least is None or value >= at_least) and (at_most is None or value <= at_most)


def _review_holds(cond: OutcomeCondition, latest: Course | None) -> bool:
    review = latest.review if latest else None
    fws = review.fws_max if review else None
    satisfaction = review.satisfaction if review else None
    if not _within(fws, cond.fws_max_at_least, cond.fws_max_at_most):
        return False
    if not _within(satisfaction, cond.satisfaction_at_least, cond.satisfaction_at_most):
        return False
    if cond.touch_up_at_review is not None:
        if review is None or not review.recorded:
            return False
        touched = review.touch_up_units is not None and review.touch_up_units > 0
        if touched != cond.touch_up_at_review:
            return False
    return True


def _duration_holds(cond: OutcomeCondition, latest: Course | None) -> bool:
    if cond.effect_days_under is None and cond.effect_days_at_least is None:
        return True
    duration = latest.duration if latest else None
    if duration is None:
        return False
    days = duration[0]
    if cond.effect_days_under is not None and not days < cond.effect_days_under:
        return False
    return cond.effect_days_at_least is None or days >= cond.effect_days_at_least


def evaluate(rule: TitrationRule, same_product: Sequence[Course], every_product: Sequence[Course]) -> Match | None:
    """The rule's match on the history (courses newest first), or None when it does not apply.

    Review and duration conditions read the newest course of the planned product; event
    conditions its last ``courses_back`` courses (of every product when ``any_product``).
    """
    cond = rule.when
    latest = same_product[0] if same_product else None
    if not (_review_holds(cond, latest) and _duration_holds(cond, latest)):
        return None
    pool = window(every_product if cond.any_product else same_product, cond.courses_back)
    found = tuple((e, c) for c in pool for e in c.events if e.type in cond.adverse_events)
    if cond.adverse_events and not found:
        return None
    if any(e.type in cond.no_adverse_events for c in pool for e in c.events):
        return None
    return Match(rule, found, _values(cond, latest, found))


def _values(
    cond: OutcomeCondition, latest: Course | None, found: tuple[tuple[PastEvent, Course], ...]
) -> dict[str, str]:
    review = latest.review if latest else None
    values = {
        "fws_max": _shown(review.fws_max if review else None),
        "satisfaction": _shown(review.satisfaction if review else None),
        "reviewed_on": _shown(review.reviewed_on if review else None),
        "touch_up": _shown(review.touch_up_units.normalize() if review and review.touch_up_units else None),
        "courses_back": str(cond.courses_back),
        "excluded": or_list([t.replace("_", " ") for t in cond.no_adverse_events]),
        "events": and_list(sorted({e.type.replace("_", " ") for e, _ in found})),
        "event_date": _shown(min((c.treated_on for _, c in found), default=None)),
        "effect": "",
    }
    duration = latest.duration if latest else None
    if duration is not None:
        days, how = duration
        values["effect"] = (
            f"the effect wore off after {days} days" if how == "wore off" else f"the patient returned after {days} days"
        )
    return values


def _shown(value: object) -> str:
    return "unknown" if value is None else str(value)


def and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def or_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def render(template: str, values: dict[str, str]) -> str:
    """Fill a rule's wording; a placeholder without a value stays visible rather than failing."""
    text = template
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
