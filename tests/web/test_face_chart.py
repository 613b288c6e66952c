"""The chart drawing is a pure function of the landmarks: millimetres, y up, become SVG units, y down."""

from __future__ import annotations

import re

import pytest

from toxplan.face_chart import FRAMES, VIEWS, from_svg, render_chart, smooth_path, to_svg, view_box, zoom_boxes
from toxplan.knowledge.base import KnowledgeBase


def test_front_view_flips_only_y() -> None:
    assert to_svg("front", 31.4, 19.8) == (31.4, -19.8)
    assert to_svg("front", -10, -116) == (-10, 116)


@pytest.mark.parametrize("view", ["left", "back"])
def test_views_seen_from_the_other_side_are_mirrored(view: str) -> None:
    """From behind (or from the patient's left) the patient's left (or front) is on the viewer's left."""
    assert FRAMES[view].mirror
    assert to_svg(view, 40, 25) == (-40, -25)


@pytest.mark.parametrize("view", [v.id for v in VIEWS])
def test_from_svg_inverts_to_svg(view: str) -> None:
    assert from_svg(view, *to_svg(view, 12.5, -33.0)) == (12.5, -33.0)


def test_view_box_covers_the_bounds() -> None:
    assert view_box("front", (-122, 122, 122, -215)) == "-122 -122 244 337"
    assert view_box("left", (-125, 128, 140, -190)) == "-128 -140 253 330"


def test_smooth_path_runs_through_its_points() -> None:
    d = smooth_path("front", [(0, 0), (10, 10), (20, 0)], closed=True)
    assert d.startswith("M 0 0 C") and d.endswith("Z")
    assert " 10 -10" in d and " 20 0" in d


def test_every_view_is_drawn_with_its_landmarks_and_empty_layers(kb: KnowledgeBase) -> None:
    svg = render_chart(kb.template)
    assert [m for m in re.findall(r'data-view="(\w+)"', svg)] == ["front", "left", "right", "back"]
    for layer in ("face", "landmarks", "zones", "points"):
        assert svg.count(f'<g class="{layer}">') == 4
    # pupil_left: x 31.4 mm to the patient's left, on the pupil line
    assert '<circle class="landmark" cx="31.4" cy="0" r="0.8"><title>pupil left</title>' in svg
    # the temporalis reference in the left view sits mirrored, 0 mm from the tragus
    assert "<title>tragus side left</title>" in svg
    dots = re.findall(r'class="landmark"', svg)
    assert len(dots) == len(kb.template)


def test_zoom_presets_per_view() -> None:
    zooms = zoom_boxes()
    assert set(zooms) == {"front", "left", "right", "back"}
    assert [z["id"] for z in zooms["front"]] == ["whole", "upper", "lower", "neck"]
    assert zooms["front"][1]["box"] == "-78 -84 156 100"
