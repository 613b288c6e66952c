"""Positions of injection sites and danger zones relative to facial landmarks.

The same placement rule works on any set of landmarks given in millimetres: the template
face of the knowledge base today, and the landmarks measured on a patient's photo later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

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


class Position(NamedTuple):
    """A point in one view's frame, in millimetres (a named tuple: cheap to create, immutable)."""

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


EPSILON = 1e-9
"""Positions are 0.1 mm values; a boundary point ("exactly 2 cm above") counts as outside."""


@dataclass(frozen=True)
class CompiledZone:
    """A zone shape resolved against one face's landmarks, in floats, for fast testing."""

    circle: bool
    anchors: tuple[tuple[str, View, float, float], ...]
    radius_sq: float = 0.0
    half_width: float = 0.0
    min_above: float = 0.0
    reach_below: float = 0.0

    def holds(self, view: View, x: float, y: float) -> str | None:
        for name, anchor_view, ax, ay in self.anchors:
            if anchor_view != view:
                continue
            dx, dy = x - ax, y - ay
            if self.circle:
                if dx * dx + dy * dy < self.radius_sq - EPSILON:
                    return name
            elif abs(dx) <= self.half_width + EPSILON and -self.reach_below - EPSILON <= dy < self.min_above - EPSILON:
                return name
        return None


def compile_zone(shape: ZoneShape, landmarks: Mapping[str, Position]) -> CompiledZone:
    anchors = tuple(
        (name, landmarks[name].view, float(landmarks[name].x_mm), float(landmarks[name].y_mm))
        for name in shape.landmarks
    )
    if isinstance(shape, Circle):
        return CompiledZone(True, anchors, radius_sq=float(shape.radius_mm) ** 2)
    assert isinstance(shape, BandAbove)
    return CompiledZone(
        False,
        anchors,
        half_width=float(shape.half_width_mm),
        min_above=float(shape.min_above_mm),
        reach_below=float(shape.reach_below_mm),
    )


def inside(shape: ZoneShape, point: Position, landmarks: Mapping[str, Position]) -> str | None:
    """The landmark id whose zone holds ``point``, or None when the point is outside."""
    return compile_zone(shape, landmarks).holds(point.view, float(point.x_mm), float(point.y_mm))
