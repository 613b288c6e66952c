"""Placing sites relative to landmarks, and danger-zone shapes."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from toxplan.domain.geometry import (
    CirclePart,
    Position,
    ShapeError,
    band_outline,
    compile_zone,
    inside,
    outline,
    place,
    point_in_polygon,
)
from toxplan.knowledge.models import BetweenPlacement, OffsetPlacement
from toxplan.knowledge.zone_models import Band, BandAbove, Circle, Polygon

D = Decimal
LANDMARKS = {
    "brow_left": Position("front", D("31.4"), D("19.8")),
    "brow_right": Position("front", D("-31.4"), D("19.8")),
    "glabella": Position("front", D(0), D("17.8")),
    "tragus_side_left": Position("left", D(0), D(0)),
}


def test_offset_is_mirrored_for_the_right_side() -> None:
    rule = OffsetPlacement(kind="offset", landmark="brow_{side}", lateral_mm=D(-8), up_mm=D(11))
    assert place(rule, "front", "left", LANDMARKS) == Position("front", D("23.4"), D("30.8"))
    assert place(rule, "front", "right", LANDMARKS) == Position("front", D("-23.4"), D("30.8"))


def test_between_interpolates_then_offsets() -> None:
    rule = BetweenPlacement(kind="between", a="glabella", b="brow_{side}", fraction=D("0.5"), up_mm=D(20))
    assert place(rule, "front", "left", LANDMARKS) == Position("front", D("15.7"), D("38.8"))


def test_side_view_uses_anterior_offset() -> None:
    rule = OffsetPlacement(kind="offset", landmark="tragus_side_{side}", anterior_mm=D(30), up_mm=D(40))
    assert place(rule, "left", "left", LANDMARKS) == Position("left", D("30.0"), D("40.0"))


def test_band_above_holds_points_too_close_above_the_landmark() -> None:
    band = BandAbove(kind="band_above", landmarks=("brow_left",), min_above_mm=D(20), half_width_mm=D(15))
    assert inside(band, Position("front", D(30), D(35)), LANDMARKS) == "left"
    assert inside(band, Position("front", D(30), D("39.8")), LANDMARKS) is None  # exactly 2 cm: allowed
    assert inside(band, Position("front", D(0), D(35)), LANDMARKS) is None  # too far sideways
    assert inside(band, Position("left", D(30), D(35)), LANDMARKS) is None  # other view


def test_circle_radius_is_exclusive() -> None:
    circle = Circle(kind="circle", landmarks=("glabella",), radius_mm=D(10))
    assert inside(circle, Position("front", D(0), D("27.7")), LANDMARKS) == "midline"
    assert inside(circle, Position("front", D(0), D("27.8")), LANDMARKS) is None


# --- landmark-drawn shapes: bands and polygons -------------------------------------------------

FACE = {
    "brow_left": Position("front", D("31.4"), D("19.8")),
    "brow_right": Position("front", D("-31.4"), D("19.8")),
    "brow_medial_left": Position("front", D("16.1"), D("15.7")),
    "brow_medial_right": Position("front", D("-16.1"), D("15.7")),
    "glabella": Position("front", D(0), D("17.8")),
    "canthus_left": Position("front", D("43.6"), D("0.9")),
    "canthus_right": Position("front", D("-43.6"), D("0.9")),
    "menton": Position("front", D(0), D(-116)),
}


def at(landmark: str, lateral: float = 0, up: float = 0) -> OffsetPlacement:
    return OffsetPlacement(kind="offset", landmark=landmark, lateral_mm=D(str(lateral)), up_mm=D(str(up)))


def pos(x: float, y: float) -> Position:
    return Position("front", D(str(x)), D(str(y)))


def test_band_holds_points_above_and_below_its_line_up_to_its_widths() -> None:
    band = Band(kind="band", line=(at("brow_medial_left"), at("brow_left")), above_mm=D(10), below_mm=D(2))
    assert inside(band, pos(24, 25), FACE) == "midline"
    assert inside(band, pos(24, 16.5), FACE) == "midline"  # just below the line
    assert inside(band, pos(24, 30), FACE) is None  # more than 10 mm above
    assert inside(band, pos(24, 14), FACE) is None  # more than 2 mm below
    assert inside(band, pos(10, 20), FACE) is None  # before the line starts (square end)


def test_a_horizontal_band_boundary_is_outside() -> None:
    band = Band(kind="band", line=(at("brow_left", -10), at("brow_left", 10)), above_mm=D(20), below_mm=D(0))
    assert inside(band, pos(31.4, 39.7), FACE) == "midline"
    assert inside(band, pos(31.4, 39.8), FACE) is None  # exactly 2 cm above: allowed
    assert inside(band, pos(31.4, 19.8), FACE) is None  # on the line itself, with nothing below


def test_sided_shapes_are_mirrored() -> None:
    band = Band(
        kind="band",
        sides=("left", "right"),
        line=(at("brow_medial_{side}"), at("brow_{side}", 5)),
        above_mm=D(10),
        below_mm=D(0),
    )
    assert inside(band, pos(30, 25), FACE) == "left"
    assert inside(band, pos(-30, 25), FACE) == "right"
    assert inside(band, pos(0, 25), FACE) is None


def test_a_sideless_shape_places_lateral_offsets_away_from_the_midline() -> None:
    band = Band(
        kind="band", line=(at("brow_right", 8), at("glabella"), at("brow_left", 8)), above_mm=D(5), below_mm=D(5)
    )
    compiled = compile_zone(band, FACE, "front")
    xs = [x for x, _ in compiled.parts[0].points]  # type: ignore[union-attr]
    assert min(xs) == pytest.approx(-39.4, abs=0.5) and max(xs) == pytest.approx(39.4, abs=0.5)


def test_polygon_holds_its_inside_only() -> None:
    lid = Polygon(
        kind="polygon",
        sides=("left", "right"),
        corners=(
            at("canthus_{side}", -27),
            at("canthus_{side}"),
            at("canthus_{side}", up=-17),
            at("canthus_{side}", -27, -17),
        ),
    )
    assert inside(lid, pos(30, -8), FACE) == "left"
    assert inside(lid, pos(-30, -8), FACE) == "right"
    assert inside(lid, pos(30, 2), FACE) is None
    assert inside(lid, pos(43.6, -8), FACE) is None  # on the lateral edge


def test_a_band_that_turns_back_cannot_be_drawn() -> None:
    band = Band(
        kind="band",
        line=(at("brow_medial_left"), at("brow_left"), at("brow_medial_left", up=1)),
        above_mm=D(5),
        below_mm=D(5),
    )
    with pytest.raises(ShapeError, match="turns back"):
        compile_zone(band, FACE, "front")


def test_outline_draws_what_is_tested() -> None:
    circle = Circle(kind="circle", landmarks=("canthus_left",), radius_mm=D(10))
    drawn = outline(compile_zone(circle, FACE, "front"))
    assert drawn == [{"side": "left", "view": "front", "circle": {"x_mm": 43.6, "y_mm": 0.9, "r_mm": 10.0}}]


# --- properties --------------------------------------------------------------------------------

coord = st.floats(min_value=-150, max_value=150, allow_nan=False, allow_infinity=False)
width = st.floats(min_value=0.5, max_value=30, allow_nan=False, allow_infinity=False)


@given(
    x0=coord,
    y0=coord,
    length=st.floats(min_value=2, max_value=80),
    angle=st.floats(min_value=-1.2, max_value=1.2),
    above=width,
    below=width,
    t=st.floats(min_value=0.01, max_value=0.99),
    offset=st.floats(min_value=-40, max_value=40),
)
def test_a_straight_band_holds_exactly_the_points_within_its_widths(
    *, x0: float, y0: float, length: float, angle: float, above: float, below: float, t: float, offset: float
) -> None:
    a = (x0, y0)
    b = (x0 + length * math.cos(angle), y0 + length * math.sin(angle))
    points = band_outline([a, b], above, below)
    normal = (-math.sin(angle), math.cos(angle))  # faces up for |angle| < pi/2
    x = a[0] + t * (b[0] - a[0]) + offset * normal[0]
    y = a[1] + t * (b[1] - a[1]) + offset * normal[1]
    assume(abs(offset - above) > 1e-3 and abs(offset + below) > 1e-3)
    assert point_in_polygon(points, x, y) == (-below < offset < above)


@given(dx=coord, dy=coord, px=coord, py=coord)
def test_membership_moves_with_the_landmarks(dx: float, dy: float, px: float, py: float) -> None:
    """The same zone on a face moved in the frame holds the same points, moved."""
    lid = Polygon(kind="polygon", corners=(at("canthus_left", -27), at("canthus_left"), at("canthus_left", up=-17)))
    shift = {k: Position(v.view, v.x_mm + D(str(round(dx, 1))), v.y_mm + D(str(round(dy, 1)))) for k, v in FACE.items()}
    here = pos(round(px, 1), round(py, 1))
    there = pos(round(px, 1) + round(dx, 1), round(py, 1) + round(dy, 1))
    assert (inside(lid, here, FACE) is None) == (inside(lid, there, shift) is None)


@given(x=st.floats(min_value=-60, max_value=60), y=st.floats(min_value=-30, max_value=40))
def test_left_and_right_parts_are_mirror_images(x: float, y: float) -> None:
    lid = Polygon(
        kind="polygon",
        sides=("left", "right"),
        corners=(at("canthus_{side}", -27), at("canthus_{side}"), at("brow_{side}", 3), at("brow_medial_{side}")),
    )
    left = inside(lid, pos(round(x, 1), round(y, 1)), FACE)
    right = inside(lid, pos(-round(x, 1), round(y, 1)), FACE)
    assert (left is None) == (right is None)
    assert left in (None, "left" if x > 0 else "right")


@given(x=coord, y=coord, r=width)
def test_a_circle_holds_points_closer_than_its_radius(x: float, y: float, r: float) -> None:
    part = CirclePart("left", "front", 10.0, -5.0, r)
    distance = math.hypot(x - 10.0, y + 5.0)
    assume(abs(distance - r) > 1e-6)
    assert part.holds(x, y) == (distance < r)
