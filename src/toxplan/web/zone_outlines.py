"""Danger zones as the chart draws them: their true shapes, whatever kind of shape the geometry
module tests points with (circles, bands, polygons, distances to a line...).

The region is sampled with the very test the safety check uses (``compile_zone(...).holds``) on
a 0.5 mm grid, and drawn as the union of the inside runs of each row. So the drawing can never
disagree with the finding by more than half a millimetre, and a new kind of shape needs no
drawing code. Computed once per knowledge base and view.
"""

from __future__ import annotations

from typing import Any

from toxplan.domain.geometry import compile_zone
from toxplan.face_chart import FRAMES, to_svg
from toxplan.knowledge.base import KnowledgeBase

COARSE_MM = 2.0
FINE_MM = 0.5
_CACHE: dict[str, dict[str, dict[str, str]]] = {}


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _runs(holds: Any, view: str, xs: list[float], y: float) -> list[tuple[float, float]]:
    runs, start = [], None
    for x in xs:
        inside = holds(view, x, y) is not None
        if inside and start is None:
            start = x
        elif not inside and start is not None:
            runs.append((start, x))
            start = None
    if start is not None:
        runs.append((start, xs[-1] + FINE_MM))
    return runs


def _frange(lo: float, hi: float, step: float) -> list[float]:
    count = int((hi - lo) / step) + 1
    return [lo + i * step for i in range(count)]


def outline(holds: Any, view: str) -> str | None:
    """An SVG path (SVG units of the view) covering where ``holds`` is true, or None."""
    left, right, top, bottom = FRAMES[view].zooms[0].bounds
    coarse = [
        (x, y)
        for y in _frange(bottom, top, COARSE_MM)
        for x in _frange(left, right, COARSE_MM)
        if holds(view, x, y) is not None
    ]
    if not coarse:
        return None
    pad = 2 * COARSE_MM
    x0, x1 = min(x for x, _ in coarse) - pad, max(x for x, _ in coarse) + pad
    y0, y1 = min(y for _, y in coarse) - pad, max(y for _, y in coarse) + pad
    xs = _frange(x0, x1, FINE_MM)
    parts = []
    for y in _frange(y0, y1, FINE_MM):
        for a, b in _runs(holds, view, xs, y):
            sx0, sy = to_svg(view, a - FINE_MM / 2, y + FINE_MM / 2)
            sx1, _ = to_svg(view, b - FINE_MM / 2, y)
            lo, hi = min(sx0, sx1), max(sx0, sx1)
            # each row a little taller than the grid step: no hairline seams between rows (the
            # zone's group is translucent as a whole, so the overlap does not darken)
            parts.append(f"M{_fmt(lo)} {_fmt(sy)}h{_fmt(hi - lo)}v{_fmt(FINE_MM + 0.3)}h{_fmt(lo - hi)}z")
    return "".join(parts) or None


def zone_shapes(kb: KnowledgeBase) -> dict[str, dict[str, str]]:
    """zone id -> view -> SVG path of the zone's true shape on the template face."""
    found = _CACHE.get(kb.version)
    if found is None:
        found = {}
        for zone in kb.danger_zones:
            holds = compile_zone(zone.shape, kb.template, zone.view).holds
            path = outline(holds, zone.view)
            if path:
                found[zone.id] = {zone.view: path}
        _CACHE[kb.version] = found
    return found
