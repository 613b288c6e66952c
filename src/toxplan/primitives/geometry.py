"""Positions of injection sites and danger zones relative to facial landmarks.

The same placement rule works on any set of landmarks given in millimetres: the template
face of the knowledge base today, and the landmarks measured on a patient's photo later.
Placements and zone shapes are read through the protocols below, which the knowledge
schema's models (``knowledge/models.py``, ``knowledge/zone_models.py``) satisfy; this module
knows nothing of files or labels. ``toxplan.domain.geometry`` re-exports it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal, NamedTuple, Protocol

from toxplan.primitives.numbers import MM_STEP, round_half_up
from toxplan.primitives.vocabulary import Side, View

MM = MM_STEP


# --- what a placement and a zone shape must offer (the knowledge schema's models do) --------


class _Offsets(Protocol):
    @property
    def lateral_mm(self) -> Decimal: ...
    @property
    def anterior_mm(self) -> Decimal: ...
    @property
    def up_mm(self) -> Decimal: ...


class OffsetRule(_Offsets, Protocol):
    """At an offset from one landmark (``{side}`` in its id is filled in)."""

    @property
    def kind(self) -> Literal["offset"]: ...
    @property
    def landmark(self) -> str: ...


class BetweenRule(_Offsets, Protocol):
    """On the segment from landmark ``a`` to ``b`` at ``fraction``, then offset."""

    @property
    def kind(self) -> Literal["between"]: ...
    @property
    def a(self) -> str: ...
    @property
    def b(self) -> str: ...
    @property
    def fraction(self) -> Decimal: ...


Placement = OffsetRule | BetweenRule


class CircleShape(Protocol):
    @property
    def kind(self) -> Literal["circle"]: ...
    @property
    def landmarks(self) -> Sequence[str]: ...
    @property
    def radius_mm(self) -> Decimal: ...


class BoxShape(Protocol):
    """The older ``band_above`` box around each landmark."""

    @property
    def kind(self) -> Literal["band_above"]: ...
    @property
    def landmarks(self) -> Sequence[str]: ...
    @property
    def min_above_mm(self) -> Decimal: ...
    @property
    def half_width_mm(self) -> Decimal: ...
    @property
    def reach_below_mm(self) -> Decimal: ...


class BandShape(Protocol):
    @property
    def kind(self) -> Literal["band"]: ...
    @property
    def sides(self) -> Sequence[Side]: ...
    @property
    def line(self) -> Sequence[Placement]: ...
    @property
    def above_mm(self) -> Decimal: ...
    @property
    def below_mm(self) -> Decimal: ...


class PolygonShape(Protocol):
    @property
    def kind(self) -> Literal["polygon"]: ...
    @property
    def sides(self) -> Sequence[Side]: ...
    @property
    def corners(self) -> Sequence[Placement]: ...


ZoneShape = CircleShape | BoxShape | BandShape | PolygonShape


class Position(NamedTuple):
    """A point in one view's frame, in millimetres (a named tuple: cheap to create, immutable)."""

    view: View
    x_mm: Decimal
    y_mm: Decimal

    def rounded(self) -> Position:
        return Position(self.view, round_half_up(self.x_mm, MM), round_half_up(self.y_mm, MM))


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
    if placement.kind == "offset":
        base = landmarks[landmark_id(placement.landmark, side)]
        x, y = base.x_mm, base.y_mm
    else:
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


# --- danger-zone shapes -----------------------------------------------------------------------

EPSILON = 1e-9
"""Positions are 0.1 mm values; a boundary point ("exactly 2 cm above") counts as outside."""
EDGE_MM = 1e-6
"""A point this close to a polygon's outline lies on it, and so outside the zone."""
MAX_MITER = 4.0
"""A band line may bend, but not so sharply that its offset corner runs 4 widths away."""


class ShapeError(ValueError):
    """A zone shape that cannot be drawn on these landmarks (a band that turns back, ...)."""


class CirclePart(NamedTuple):
    label: str
    view: View
    cx: float
    cy: float
    radius: float

    def holds(self, x: float, y: float) -> bool:
        dx, dy = x - self.cx, y - self.cy
        return dx * dx + dy * dy < self.radius * self.radius - EPSILON


class BoxPart(NamedTuple):
    """The older ``band_above``: |dx| <= half width, from ``below`` under to ``above`` over."""

    label: str
    view: View
    x: float
    y: float
    half_width: float
    above: float
    below: float

    def holds(self, x: float, y: float) -> bool:
        dx, dy = x - self.x, y - self.y
        return abs(dx) <= self.half_width + EPSILON and -self.below - EPSILON <= dy < self.above - EPSILON


class PolygonPart(NamedTuple):
    label: str
    view: View
    points: tuple[tuple[float, float], ...]
    box: tuple[float, float, float, float]
    """min x, min y, max x, max y: a cheap first test."""

    def holds(self, x: float, y: float) -> bool:
        min_x, min_y, max_x, max_y = self.box
        if not (min_x < x < max_x and min_y < y < max_y):
            return False
        return point_in_polygon(self.points, x, y)


ZonePart = CirclePart | BoxPart | PolygonPart


class CompiledZone(NamedTuple):
    """A zone shape resolved against one face's landmarks, in floats, for fast testing."""

    parts: tuple[ZonePart, ...]

    def holds(self, view: View, x: float, y: float) -> str | None:
        """The label of the part (``left``, ``right`` or ``midline``) holding the point."""
        for part in self.parts:
            if part.view == view and part.holds(x, y):
                return part.label
        return None


def _segment_distance_sq(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length_sq = dx * dx + dy * dy
    t = 0.0 if length_sq == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length_sq))
    px, py = ax + t * dx - x, ay + t * dy - y
    return px * px + py * py


def point_in_polygon(points: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    """Even-odd rule; a point on the outline (within ``EDGE_MM``) is outside."""
    inside = False
    count = len(points)
    for i in range(count):
        a, b = points[i], points[(i + 1) % count]
        if _segment_distance_sq(x, y, a, b) <= EDGE_MM * EDGE_MM:
            return False
        (ax, ay), (bx, by) = a, b
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


def side_label(landmark: str) -> str:
    """``brow_left`` -> ``left``; a midline landmark -> ``midline``."""
    for side in ("left", "right"):
        if landmark.endswith(f"_{side}") or f"_{side}_" in landmark:
            return side
    return "midline"


def _upward_normal(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length == 0:
        raise ShapeError(f"two points of a band line coincide at {a}")
    nx, ny = -dy / length, dx / length
    if ny < 0 or (ny == 0 and nx < 0):
        nx, ny = -nx, -ny
    return nx, ny


def band_outline(line: list[tuple[float, float]], above: float, below: float) -> tuple[tuple[float, float], ...]:
    """The outline of the band around ``line``: offset up by ``above``, down by ``below``.

    Each corner is moved along the bisector of its two segments' normals (a mitre), so both
    segments keep the band's full width; the ends are square.
    """
    normals = [_upward_normal(line[i], line[i + 1]) for i in range(len(line) - 1)]
    offsets: list[tuple[float, float]] = []
    for i in range(len(line)):
        if i == 0:
            offsets.append(normals[0])
            continue
        if i == len(line) - 1:
            offsets.append(normals[-1])
            continue
        before, after = line[i - 1], line[i + 1]
        turn = (line[i][0] - before[0]) * (after[0] - line[i][0]) + (line[i][1] - before[1]) * (after[1] - line[i][1])
        if turn <= 0:
            raise ShapeError(f"the band line turns back at {line[i]}")
        mx, my = normals[i - 1][0] + normals[i][0], normals[i - 1][1] + normals[i][1]
        norm = math.hypot(mx, my)
        scale = 1 / ((mx / norm) * normals[i][0] + (my / norm) * normals[i][1]) if norm else math.inf
        if scale > MAX_MITER:
            raise ShapeError(f"the band line bends too sharply at {line[i]}")
        offsets.append((mx / norm * scale, my / norm * scale))
    upper = [(x + above * ox, y + above * oy) for (x, y), (ox, oy) in zip(line, offsets, strict=True)]
    lower = [(x - below * ox, y - below * oy) for (x, y), (ox, oy) in zip(line, offsets, strict=True)]
    return tuple(upper + lower[::-1])


def _polygon_part(label: str, view: View, points: tuple[tuple[float, float], ...]) -> PolygonPart:
    if len(set(points)) < 3:
        raise ShapeError("a zone outline needs at least three distinct corners")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return PolygonPart(label, view, points, (min(xs), min(ys), max(xs), max(ys)))


def _own_side(placement: Placement) -> Side | None:
    """The side of a point placed from a sided landmark in a sideless shape (for mirroring)."""
    name = placement.landmark if placement.kind == "offset" else placement.a
    label = side_label(name)
    if label == "left":
        return "left"
    return "right" if label == "right" else None


def _placed(
    placements: Sequence[Placement], view: View, side: Side | None, landmarks: Mapping[str, Position]
) -> list[tuple[float, float]]:
    """Place each point; in a sideless shape "lateral" still means away from the midline."""
    placed = (place(p, view, side or _own_side(p), landmarks) for p in placements)
    return [(float(p.x_mm), float(p.y_mm)) for p in placed]


def compile_zone(shape: ZoneShape, landmarks: Mapping[str, Position], view: View) -> CompiledZone:
    """Resolve ``shape`` against one face's landmarks; raise ShapeError if it cannot be drawn."""
    if shape.kind == "circle":
        return CompiledZone(
            tuple(
                CirclePart(side_label(name), landmarks[name].view, *_xy(landmarks[name]), float(shape.radius_mm))
                for name in shape.landmarks
            )
        )
    if shape.kind == "band_above":
        return CompiledZone(
            tuple(
                BoxPart(
                    side_label(name),
                    landmarks[name].view,
                    *_xy(landmarks[name]),
                    float(shape.half_width_mm),
                    float(shape.min_above_mm),
                    float(shape.reach_below_mm),
                )
                for name in shape.landmarks
            )
        )
    sides: Sequence[Side | None] = shape.sides or (None,)
    parts = []
    for side in sides:
        label = side or "midline"
        if shape.kind == "band":
            line = _placed(shape.line, view, side, landmarks)
            outline = band_outline(line, float(shape.above_mm), float(shape.below_mm))
        else:
            outline = tuple(_placed(shape.corners, view, side, landmarks))
        parts.append(_polygon_part(label, view, outline))
    return CompiledZone(tuple(parts))


def _xy(position: Position) -> tuple[float, float]:
    return float(position.x_mm), float(position.y_mm)


def inside(shape: ZoneShape, point: Position, landmarks: Mapping[str, Position]) -> str | None:
    """The part (``left``, ``right``, ``midline``) of the zone holding ``point``, or None."""
    return compile_zone(shape, landmarks, point.view).holds(point.view, float(point.x_mm), float(point.y_mm))


def outline(zone: CompiledZone) -> list[dict[str, object]]:
    """Each part of a compiled zone as drawing data: a circle, or a closed outline of points."""
    drawn: list[dict[str, object]] = []
    for part in zone.parts:
        if isinstance(part, CirclePart):
            circle = {"x_mm": round(part.cx, 1), "y_mm": round(part.cy, 1), "r_mm": round(part.radius, 1)}
            drawn.append({"side": part.label, "view": part.view, "circle": circle})
            continue
        corners: tuple[tuple[float, float], ...]
        if isinstance(part, BoxPart):
            corners = (
                (part.x - part.half_width, part.y - part.below),
                (part.x + part.half_width, part.y - part.below),
                (part.x + part.half_width, part.y + part.above),
                (part.x - part.half_width, part.y + part.above),
            )
        else:
            corners = part.points
        points = [[round(x, 1), round(y, 1)] for x, y in corners]
        drawn.append({"side": part.label, "view": part.view, "points": points})
    return drawn
