"""Positions of injection sites and danger zones relative to facial landmarks.

The math lives in ``toxplan.primitives.geometry``, beneath the knowledge base (which places
its template sites with it); this module keeps the domain's name for it, for the callers
that place sites on other landmarks (a patient's photo).
"""

from __future__ import annotations

from toxplan.primitives.geometry import (
    EDGE_MM,
    EPSILON,
    MAX_MITER,
    MM,
    BandShape,
    BetweenRule,
    BoxPart,
    BoxShape,
    CirclePart,
    CircleShape,
    CompiledZone,
    OffsetRule,
    Placement,
    PolygonPart,
    PolygonShape,
    Position,
    ShapeError,
    ZonePart,
    ZoneShape,
    band_outline,
    compile_zone,
    distance_mm,
    inside,
    landmark_id,
    outline,
    place,
    point_in_polygon,
    side_label,
)

__all__ = [
    "EDGE_MM",
    "EPSILON",
    "MAX_MITER",
    "MM",
    "BandShape",
    "BetweenRule",
    "BoxPart",
    "BoxShape",
    "CirclePart",
    "CircleShape",
    "CompiledZone",
    "OffsetRule",
    "Placement",
    "PolygonPart",
    "PolygonShape",
    "Position",
    "ShapeError",
    "ZonePart",
    "ZoneShape",
    "band_outline",
    "compile_zone",
    "distance_mm",
    "inside",
    "landmark_id",
    "outline",
    "place",
    "point_in_polygon",
    "side_label",
]
