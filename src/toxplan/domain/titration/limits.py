"""The label's range for a product in an area, and keeping a suggestion inside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from toxplan.domain.titration.history import PastInjection
from toxplan.knowledge.models import Product, Regimen, SiteMax

STEP = Decimal("0.5")
"""The smallest change the advisor makes to one point when it has to move a total."""
FLOOR = Decimal("0.5")
"""The fewest units at one point when the label gives no per-point range."""


@dataclass(frozen=True)
class LabelRange:
    """Units the label (or, off-label, the published practice) gives for one product in one area."""

    min: Decimal | None
    max: Decimal | None
    site_min: Decimal
    site_max: Decimal | None
    off_label: bool
    derived: bool
    """True when the total comes from units per point times the number of points."""
    citations: tuple[str, ...]

    @property
    def known(self) -> bool:
        return self.min is not None and self.max is not None

    def describe(self) -> str:
        parts = []
        if self.site_max is not None:
            low, high = _u(self.site_min), _u(self.site_max)
            parts.append(f"{low} U per point" if low == high else f"{low}-{high} U per point")
        if self.min is not None and self.max is not None:
            low, high = _u(self.min), _u(self.max)
            parts.append(f"{low} U in total" if low == high else f"{low}-{high} U in total")
        return "; ".join(parts) or "no range known"


def _u(value: Decimal) -> str:
    return format(value.normalize(), "f")


def label_range(product: Product, regimen: Regimen) -> LabelRange:
    site_max: Decimal | None = None
    site_min = FLOOR
    if regimen.units_per_site is not None:
        site_min, site_max = max(regimen.units_per_site.min, FLOOR), regimen.units_per_site.max
    caps = [
        limit.max_units
        for limit in (*regimen.limits, *product.limits)
        if isinstance(limit, SiteMax)
        and limit.max_units is not None
        and limit.ages is None
        and (not limit.indications or regimen.indication in limit.indications)
    ]
    if caps:
        site_max = min([*caps, *([site_max] if site_max is not None else [])])
    low = high = None
    derived = False
    if regimen.recommended_total_units is not None:
        low, high = regimen.recommended_total_units.min, regimen.recommended_total_units.max
    elif regimen.units_per_site is not None and regimen.site_count is not None:
        low = regimen.units_per_site.min * regimen.site_count.min
        high = regimen.units_per_site.max * regimen.site_count.max
        derived = True
    return LabelRange(low, high, site_min, site_max, regimen.label_status == "off_label", derived, regimen.citations)


@dataclass(frozen=True)
class Clamped:
    injections: tuple[PastInjection, ...]
    capped_points: int
    """Points moved back inside the per-point range."""
    before_total: Decimal
    """Total of the rule's suggestion before the total was brought inside the range."""
    reached: bool
    """False when no change of the points could bring the total inside the range."""


def clamp(suggested: Sequence[PastInjection], changed: Sequence[int], limits: LabelRange) -> Clamped:
    """Bring every point into the per-point range, then the total into the total range.

    A total outside the range is moved in steps of ``STEP`` at one point at a time, round the
    points the rule changed first (undoing that change), then round all points, never leaving
    the per-point range. If that cannot reach the range, ``reached`` is False.
    """
    units = [_within(i.units, limits) for i in suggested]
    capped = sum(1 for i, u in zip(suggested, units, strict=True) if u != i.units)
    start = sum(units, Decimal(0))
    target = start
    if limits.max is not None and target > limits.max:
        target = limits.max
    if limits.min is not None and target < limits.min:
        target = limits.min
    order = [*changed, *(i for i in range(len(units)) if i not in changed)]
    remaining = target - start
    while remaining != 0 and order:
        moved = False
        for index in order:
            if remaining == 0:
                break
            step = min(STEP, abs(remaining)) * (1 if remaining > 0 else -1)
            proposed = units[index] + step
            if proposed == _within(proposed, limits) and proposed > 0:
                units[index] = proposed
                remaining -= step
                moved = True
        if not moved:
            break
    clamped = tuple(PastInjection(i.site, u) for i, u in zip(suggested, units, strict=True))
    return Clamped(clamped, capped, sum((i.units for i in suggested), Decimal(0)), remaining == 0)


def _within(units: Decimal, limits: LabelRange) -> Decimal:
    high = limits.site_max
    if high is not None and units > high:
        return high
    return max(units, limits.site_min)
