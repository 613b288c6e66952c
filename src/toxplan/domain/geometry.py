"""Positions of injection sites and danger zones relative to facial landmarks.

The same placement rule works on any set of landmarks given in millimetres: the template
face of the knowledge base today, and the landmarks measured on a patient's photo later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from toxplan.knowledge.models import (
    BandAbove,
    BetweenPlacement,
    Circle,
    OffsetPlacement,
    Placement,
    Side,
    View,
    ZoneShape,
)

MM = Decimal("0.1")


@dataclass(frozen=True, order=True)
class Position:
    """A point in one view's frame, in millimetres."""

    view: View
    x_mm: Decimal
    y_mm: Decimal

    def rounded(self) -> Position:
        return Position(self.view, self.x_mm.quantize(MM), self.y_mm.quantize(MM))


def landmark_id(template: str, side: Side | None) -> str:
    """Fill ``{side}`` in a landmark id; a sideless site may not use the placeholder."""
    if "{side}" in template:
        if side is None:
            raise ValueError(f"landmark {template!r} needs a side but the site has none")
        return template.replace("{side}", side)
    return template


def _lateral_sign(side: Side | None) -> Decimal:
    # +x is the patient's left, so "away from the midline" is +x on the left, -x on the right.
    return Decimal(-1) if side == "right" else Decimal(1)


def place(
    placement: Placement,
    view: View,
    side: Side | None,
    landmarks: Mapping[str, Position],
) -> Position:
    """Resolve a placement rule to a position, given the landmarks of one face."""
    if isinstance(placement, OffsetPlacement):
        base = landmarks[landmark_id(placement.landmark, side)]
        x, y = base.x_mm, base.y_mm
    else:
        assert isinstance(placement, BetweenPlacement)
        a = landmarks[landmark_id(placement.a, side)]
        b = landmarks[landmark_id(placement.b, side)]
        t = placement.fraction
        x = a.x_mm + (b.x_mm - a.x_mm) * t
        y = a.y_mm + (b.y_mm - a.y_mm) * t
    if view in ("left", "right"):
        x += placement.anterior_mm
    else:
        x += placement.lateral_mm * _lateral_sign(side)
    return Position(view, x, y + placement.up_mm).rounded()


def distance_mm(a: Position, b: Position) -> Decimal:
    return ((a.x_mm - b.x_mm) ** 2 + (a.y_mm - b.y_mm) ** 2).sqrt()


def inside(shape: ZoneShape, point: Position, landmarks: Mapping[str, Position]) -> str | None:
    """The landmark id whose zone holds ``point``, or None when the point is outside."""
    for name in shape.landmarks:
        anchor = landmarks[name]
        if anchor.view != point.view:
            continue
        if isinstance(shape, Circle):
            dx, dy = anchor.x_mm - point.x_mm, anchor.y_mm - point.y_mm
            if dx * dx + dy * dy < shape.radius_mm * shape.radius_mm:  # no square root needed
                return name
        else:
            assert isinstance(shape, BandAbove)
            above = point.y_mm - anchor.y_mm
            near = abs(point.x_mm - anchor.x_mm) <= shape.half_width_mm
            if near and -shape.reach_below_mm <= above < shape.min_above_mm:
                return name
    return None
