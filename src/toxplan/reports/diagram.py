"""The face diagram of a signed treatment: the planning chart's drawing of each view used, with
every charted point and its units.

The outline comes from ``toxplan.face_chart`` (the same drawing the planning page shows); this
module adds the points, which that page draws in the browser, and picks the closest zoom
that holds them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from toxplan.domain.geometry import Position
from toxplan.face_chart import FRAMES, VIEWS, Bounds, render_view, to_svg, view_box
from toxplan.presenters import number

MARGIN_MM = 8
STYLE = """
.backdrop{fill:#fff}.landmarks{display:none}
.face path{fill:none;stroke:#6b7280;stroke-width:0.6}
.face .outline{stroke:#374151;stroke-width:0.8}.face .iris{fill:#e5e7eb;stroke:#9ca3af}
.face .muscle,.face .crease,.face .hair{stroke:#d1d5db;stroke-dasharray:2 1.5}
.pt{fill:#b91c1c;stroke:#fff;stroke-width:0.3}.lbl{fill:#111827}.side{fill:#6b7280}
"""


@dataclass(frozen=True)
class Point:
    number: int
    units: Decimal
    position: Position


def _fits(bounds: Bounds, points: Iterable[Point]) -> bool:
    left, right, top, bottom = bounds
    return all(
        left + MARGIN_MM <= float(p.position.x_mm) <= right - MARGIN_MM
        and bottom + MARGIN_MM <= float(p.position.y_mm) <= top - MARGIN_MM
        for p in points
    )


def _closest_zoom(view: str, points: list[Point]) -> Bounds:
    zooms = sorted(FRAMES[view].zooms, key=lambda z: (z.bounds[1] - z.bounds[0]) * (z.bounds[2] - z.bounds[3]))
    return next((z.bounds for z in zooms if _fits(z.bounds, points)), FRAMES[view].zooms[0].bounds)


def _marks(view: str, points: list[Point], scale: float) -> str:
    """A dot and its units per point; sizes follow the zoom so they print the same size."""
    r, size = 1.3 * scale, 4.6 * scale
    marks = []
    for p in points:
        x, y = to_svg(view, float(p.position.x_mm), float(p.position.y_mm))
        marks.append(
            f'<circle class="pt" cx="{x:.1f}" cy="{y:.1f}" r="{r:.2f}"/>'
            f'<text class="lbl" x="{x + r + 0.3 * scale:.1f}" y="{y - r:.1f}" font-size="{size:.1f}" '
            f'font-weight="bold" font-family="DejaVu Sans, sans-serif">{escape(str(number(p.units)))}</text>'
        )
    return "".join(marks)


def _sides(view: str, bounds: Bounds, scale: float) -> str:
    """The patient's right and left on the front view, where a reader might swap them."""
    if view != "front":
        return ""
    left, right, top, _ = bounds
    size = 6 * scale
    font = f'font-size="{size:.1f}" font-weight="bold" font-family="DejaVu Sans, sans-serif"'
    return (
        f'<text class="side" x="{left + size / 2:.1f}" y="{-top + size * 1.2:.1f}" {font}>R</text>'
        f'<text class="side" x="{right - size * 1.2:.1f}" y="{-top + size * 1.2:.1f}" {font}>L</text>'
    )


def view_svg(view: str, landmarks: Mapping[str, Position], points: list[Point]) -> str:
    """One view with its points, zoomed to hold them."""
    bounds = _closest_zoom(view, points)
    scale = (bounds[1] - bounds[0]) / 160  # the upper-face zoom is about 160 mm wide
    svg = render_view(view, landmarks)
    svg = svg.replace(
        f'viewBox="{view_box(view, FRAMES[view].zooms[0].bounds)}"', f'viewBox="{view_box(view, bounds)}"'
    )
    svg = svg.replace(
        '<g class="points"></g>', f'<g class="points">{_marks(view, points, scale)}{_sides(view, bounds, scale)}</g>'
    )
    return svg.replace(">\n<rect", f"><style>{STYLE}</style>\n<rect", 1)


def diagrams(landmarks: Mapping[str, Position], points: list[Point]) -> list[tuple[str, str]]:
    """(view label, SVG) for every view that has a point, in the chart's order of views."""
    found = []
    for frame in VIEWS:
        here = [p for p in points if p.position.view == frame.id]
        if here:
            found.append((frame.label, view_svg(frame.id, landmarks, here)))
    return found
