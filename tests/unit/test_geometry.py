"""Placing sites relative to landmarks, and danger-zone shapes."""

from __future__ import annotations

from decimal import Decimal

from toxplan.domain.geometry import Position, inside, place
from toxplan.knowledge.models import BetweenPlacement, OffsetPlacement
from toxplan.knowledge.zone_models import BandAbove, Circle

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
