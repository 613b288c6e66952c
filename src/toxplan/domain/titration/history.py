"""A patient's past courses in one area, as the advisor reads them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple


class PastInjection(NamedTuple):
    site: str | None
    """None for a point placed by position only (it cannot be suggested again by name)."""
    units: Decimal


@dataclass(frozen=True)
class Review:
    """The follow-up review of a course (two weeks after it, by default)."""

    reviewed_on: dt.date | None
    fws_rest: int | None = None
    fws_max: int | None = None
    """Facial wrinkle scale at maximum contraction: 0 none, 1 mild, 2 moderate, 3 severe."""
    satisfaction: int | None = None
    touch_up_units: Decimal | None = None

    @property
    def recorded(self) -> bool:
        """Whether the review says anything about the response."""
        return any(v is not None for v in (self.fws_rest, self.fws_max, self.satisfaction, self.touch_up_units))


@dataclass(frozen=True)
class PastEvent:
    type: str
    onset_on: dt.date
    sites: tuple[str, ...] = ()
    """Sites of the course the event was linked to; empty when none was named."""


@dataclass(frozen=True)
class Course:
    """One past treatment of the area: what was given there and what came of it."""

    treated_on: dt.date
    product: str
    injections: tuple[PastInjection, ...]
    """The injections of this area only."""
    review: Review | None = None
    effect_days: int | None = None
    """Days from the treatment until the effect wore off, when that was recorded."""
    returned_days: int | None = None
    """Days until the patient's next treatment of this area (any product)."""
    events: tuple[PastEvent, ...] = ()
    """Side effects of this course that concern this area."""

    @property
    def total_units(self) -> Decimal:
        return sum((i.units for i in self.injections), Decimal(0))

    @property
    def duration(self) -> tuple[int, str] | None:
        """How long the course lasted, and how that is known (``wore off`` or ``returned``)."""
        if self.effect_days is not None:
            return self.effect_days, "wore off"
        if self.returned_days is not None:
            return self.returned_days, "returned"
        return None

    @property
    def has_outcome(self) -> bool:
        """Anything recorded after the course that a rule can read."""
        return bool(self.events) or self.duration is not None or (self.review is not None and self.review.recorded)
