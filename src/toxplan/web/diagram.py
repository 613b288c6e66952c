"""The face diagram of a signed treatment: the template face with each injection numbered as in
the record's table, in every view that holds one, with the patient's left and right marked.
Static SVG for the treatment page and (small, unnumbered) for the patient's timeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from toxplan.domain.geometry import Position
from toxplan.face_chart import (
    FRAMES,
    VIEWS,
    _back,
    _front,
    _irises,
    _Landmarks,
    _side,
    smooth_path,
    to_svg,
    view_box,
)
from toxplan.knowledge.base import KnowledgeBase
from toxplan.web.filters import units as units_text

MARKS = {
    "front": ("R", "L", "patient's right", "patient's left"),
    "back": ("L", "R", "patient's left", "patient's right"),
    "left": ("front", "back", "", ""),
    "right": ("back", "front", "", ""),
}


@dataclass(frozen=True)
class Dot:
    number: int
    units: str
    view: str
    x: float
    y: float
    title: str


def dots_of(kb: KnowledgeBase, injections: Iterable[object]) -> list[Dot]:
    """Each injection where it was given: its stored position, else its site's template position."""
    found = []
    for i in injections:
        x, y, view = getattr(i, "x_mm", None), getattr(i, "y_mm", None), getattr(i, "view", None)
        site_id = getattr(i, "site", None)
        site = kb.sites.get(site_id or "")
        if x is None and site is not None and site.position is not None:
            x, y, view = site.position.x_mm, site.position.y_mm, site.position.view
        if x is None or view not in FRAMES:
            continue
        name = site.name if site else "free point"
        seq = int(getattr(i, "seq", 0))
        found.append(Dot(seq + 1, units_text(getattr(i, "units", None)), view, float(x), float(y or 0), name))
    return found


def _box(view: str, dots: list[Dot]) -> tuple[float, float, float, float]:
    """The smallest zoom preset holding every dot, as an SVG box (x, y, width, height)."""
    points = [to_svg(view, d.x, d.y) for d in dots]
    for zoom in sorted(FRAMES[view].zooms, key=lambda z: (z.bounds[1] - z.bounds[0]) * (z.bounds[2] - z.bounds[3])):
        x, y, w, h = (float(v) for v in view_box(view, zoom.bounds).split())
        if all(x + 5 < px < x + w - 5 and y + 5 < py < y + h - 5 for px, py in points):
            return x, y, w, h
    x, y, w, h = (float(v) for v in view_box(view, FRAMES[view].zooms[0].bounds).split())
    return x, y, w, h


def _face(view: str, landmarks: Mapping[str, Position]) -> str:
    lm = _Landmarks(landmarks)
    strokes = _front(lm) if view == "front" else _back(lm) if view == "back" else _side(view, lm)
    paths = [(cls, smooth_path(view, pts, closed=closed)) for cls, pts, closed in strokes]
    if view == "front":
        paths += _irises(lm)
    return "".join(f'<path class="{cls}" d="{d}"/>' for cls, d in paths)


def render(kb: KnowledgeBase, injections: Iterable[object], *, small: bool = False) -> Markup:
    """One SVG per view holding injections; nothing when none has a place on the face."""
    dots = dots_of(kb, injections)
    parts = []
    for frame in VIEWS:
        mine = [d for d in dots if d.view == frame.id]
        if not mine or (small and frame.id != "front" and any(d.view == "front" for d in dots)):
            continue
        x, y, w, h = _box(frame.id, mine)
        r = w / 36
        left, right, left_title, right_title = MARKS[frame.id]
        size = w / 20
        body = [
            f'<rect class="backdrop" x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"/>',
            f'<g class="face">{_face(frame.id, kb.template)}</g>',
            f"<g><title>{left_title}</title>"
            f'<text class="side-label" x="{x + size * 0.6:g}" y="{y + size * 1.3:g}" '
            f'font-size="{size:g}">{left}</text></g>',
            f"<g><title>{right_title}</title>"
            f'<text class="side-label" text-anchor="end" x="{x + w - size * 0.6:g}" y="{y + size * 1.3:g}" '
            f'font-size="{size:g}">{right}</text></g>',
        ]
        for d in mine:
            sx, sy = to_svg(frame.id, d.x, d.y)
            label = "" if small else f'<text y="{r * 0.38:g}" font-size="{r * 1.05:g}">{d.number}</text>'
            body.append(
                f'<g class="dot" transform="translate({sx:g} {sy:g})"><circle r="{r:g}"/>{label}'
                f"<title>#{d.number} {escape(d.title)}: {escape(d.units)} U</title></g>"
            )
        cls = "diagram small" if small else "diagram"
        parts.append(
            f'<svg class="{cls}" data-view="{frame.id}" viewBox="{x:g} {y:g} {w:g} {h:g}" role="img" '
            f'aria-label="{escape(frame.label)} view with {len(mine)} injection(s)">{"".join(body)}</svg>'
        )
    return Markup("".join(parts))
