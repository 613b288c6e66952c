"""The planning chart's drawing: the template face in each view, as SVG, from the landmarks.

Pure functions of the landmark positions (millimetres, y up). SVG user units are millimetres
too, with y pointing down, so ``to_svg`` is a sign flip, and a mirror for the views seen from
the viewer's other side: looking at a patient's left side or back, the patient's left (or
front) is on the viewer's left. web/static/chart_svg.js uses the same rule (``data-mirror``).
The outline is a drawing aid around the landmarks; only landmark and site positions carry
meaning. It lives below the web pages and the documents, which both draw with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from toxplan.domain.geometry import Position

Point = tuple[float, float]
Bounds = tuple[float, float, float, float]
"""(left x, right x, top y, bottom y) in mm, as the patient frame has them."""


@dataclass(frozen=True)
class Zoom:
    id: str
    label: str
    bounds: Bounds


@dataclass(frozen=True)
class ViewFrame:
    id: str
    label: str
    mirror: bool
    zooms: tuple[Zoom, ...]


VIEWS: tuple[ViewFrame, ...] = (
    ViewFrame(
        "front",
        "Front",
        False,
        (
            Zoom("whole", "Whole", (-122, 122, 122, -215)),
            Zoom("upper", "Upper face", (-78, 78, 84, -16)),
            Zoom("lower", "Lower face", (-88, 88, -12, -124)),
            Zoom("neck", "Neck", (-95, 95, -55, -215)),
        ),
    ),
    ViewFrame("left", "Left side", True, (Zoom("whole", "Whole", (-125, 128, 140, -190)),)),
    ViewFrame("right", "Right side", False, (Zoom("whole", "Whole", (-125, 128, 140, -190)),)),
    ViewFrame(
        "back",
        "Back",
        True,
        (
            Zoom("whole", "Whole", (-165, 165, 135, -205)),
            Zoom("head", "Head and neck", (-110, 110, 135, -150)),
        ),
    ),
)
FRAMES = {v.id: v for v in VIEWS}


def to_svg(view: str, x_mm: float, y_mm: float) -> Point:
    """A point of a view's frame (mm, y up) in SVG user units (mm, y down)."""
    return (-x_mm if FRAMES[view].mirror else x_mm) + 0.0, -y_mm + 0.0


def from_svg(view: str, sx: float, sy: float) -> Point:
    return (-sx if FRAMES[view].mirror else sx) + 0.0, -sy + 0.0


def view_box(view: str, bounds: Bounds) -> str:
    left, right, top, bottom = bounds
    xs = sorted((to_svg(view, left, top)[0], to_svg(view, right, top)[0]))
    return f"{xs[0]:g} {-top:g} {xs[1] - xs[0]:g} {top - bottom:g}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def smooth_path(view: str, points: Sequence[Point], *, closed: bool = False) -> str:
    """A Catmull-Rom curve through ``points`` (mm) as SVG cubic Béziers."""
    pts = [to_svg(view, x, y) for x, y in points]
    if len(pts) < 3:
        return "M " + " L ".join(f"{_fmt(x)} {_fmt(y)}" for x, y in pts)
    ring = [pts[-1], *pts, pts[0], pts[1]] if closed else [pts[0], *pts, pts[-1]]
    parts = [f"M {_fmt(pts[0][0])} {_fmt(pts[0][1])}"]
    for i in range(1, len(ring) - 2):
        p0, p1, p2, p3 = ring[i - 1], ring[i], ring[i + 1], ring[i + 2]
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        parts.append(f"C {_fmt(c1[0])} {_fmt(c1[1])} {_fmt(c2[0])} {_fmt(c2[1])} {_fmt(p2[0])} {_fmt(p2[1])}")
    return " ".join(parts) + (" Z" if closed else "")


def _mirror(points: Iterable[Point]) -> list[Point]:
    return [(-x, y) for x, y in points]


def _both_sides(half: Sequence[Point]) -> list[Point]:
    """A closed contour from its left half (top to bottom, x >= 0): right half mirrored."""
    return [*half, *reversed(_mirror(half[1:-1]))]


class _Landmarks:
    def __init__(self, landmarks: Mapping[str, Position]) -> None:
        self._lm = landmarks

    def __call__(self, name: str) -> Point:
        p = self._lm[name]
        return float(p.x_mm), float(p.y_mm)


Stroke = tuple[str, list[Point], bool]
"""A css class, the points of a smooth curve through them (mm), and whether it is closed."""


def _front_side(lm: _Landmarks, side: str) -> list[Stroke]:
    """One side's eye, brow, nose wing, ear, neck, clavicle and sternocleidomastoid."""
    s = 1 if side == "left" else -1  # +x is the patient's left
    mx, my = lm(f"medial_canthus_{side}")
    lx, ly = lm(f"lateral_canthus_{side}")
    px, py = lm(f"pupil_{side}")
    bm, bt, bl, bo = (lm(f"{n}_{side}") for n in ("brow_medial", "brow", "brow_lateral", "brow_lower"))
    ax, ay = lm(f"alare_{side}")
    _, sub = lm("subnasale")
    tx, ty = lm(f"tragus_{side}")
    jx, jy = lm(f"mandible_angle_{side}")
    cx, cy = lm(f"clavicle_mid_{side}")
    sx, _ = lm(f"mastoid_front_{side}")
    return [
        ("eye", [(mx, my), (px - 3 * s, py + 6.5), (lx, ly), (px + 2 * s, py - 5), (mx, my)], False),
        ("brow", [bm, bt, bl, (bl[0] + 6 * s, bl[1] - 3), (bl[0], bl[1] - 5), bo, (bm[0], bm[1] - 4.5)], True),
        ("nose", [(bm[0] - 7 * s, bm[1] - 8), (10 * s, -22), (ax - 3 * s, ay + 6), (ax, ay),
                  (ax - 4 * s, sub + 1), (0, sub)], False),
        ("ear", [(tx - 2 * s, ty + 28), (tx + 8 * s, ty + 26), (tx + 10 * s, ty + 5), (tx + 5 * s, ty - 18),
                 (tx - s, ty - 20)], False),
        ("neck", [(jx - 6 * s, jy - 8), (jx - 4 * s, -150), (jx + 2 * s, -178), (jx + 60 * s, -196),
                  (122 * s, -203)], False),
        ("muscle", [(9 * s, -199), (40 * s, -194), (cx, cy), (122 * s, -191)], False),
        ("muscle", [(sx - 4 * s, jy - 12), (30 * s, -160), (8 * s, -196)], False),
    ]  # fmt: skip


def _front(lm: _Landmarks) -> list[Stroke]:
    tx, ty = lm("tragus_left")
    jx, jy = lm("mandible_angle_left")
    fx, fy = lm("temporal_fusion_line_left")
    _, me = lm("menton")
    _, hair = lm("hairline")
    rx, ry = lm("oral_commissure_right")
    lx, ly = lm("oral_commissure_left")
    _, st = lm("stomion")
    _, sl = lm("sublabiale")
    _, th = lm("thyroid_notch")
    face = _both_sides([
        (0, hair + 40), (fx - 6, hair + 32), (fx + 16, fy + 42), (fx + 20, fy), (tx - 4, ty + 22), (tx - 2, ty),
        (jx + 13, (ty + jy) / 2), (jx + 8, jy), (jx - 12, me + 11), (16, me + 2), (0, me),
    ])  # fmt: skip
    return [
        ("outline", face, True),
        ("hair", [(-fx - 18, fy + 22), (-34, hair - 3), (0, hair), (34, hair - 3), (fx + 18, fy + 22)], False),
        *_front_side(lm, "left"),
        *_front_side(lm, "right"),
        ("lip", [(rx, ry), (-10, st + 6), (0, st + 4.5), (10, st + 6), (lx, ly), (8, st - 9), (-8, st - 9),
                 (rx, ry)], False),
        ("mouth", [(rx, ry), (0, st - 0.5), (lx, ly)], False),
        ("crease", [(-11, sl + 1), (0, sl - 1), (11, sl + 1)], False),
        ("crease", [(-6, th + 4), (0, th - 2), (6, th + 4)], False),
    ]  # fmt: skip


def _irises(lm: _Landmarks) -> list[tuple[str, str]]:
    found = []
    for side in ("left", "right"):
        x, y = to_svg("front", *lm(f"pupil_{side}"))
        found.append(("iris", f"M {_fmt(x - 5.9)} {_fmt(y)} a 5.9 5.9 0 1 0 11.8 0 a 5.9 5.9 0 1 0 -11.8 0 Z"))
    return found


def _side(view: str, lm: _Landmarks) -> list[Stroke]:
    """Profile with x anterior: the right view shows it as is, the left view mirrored."""
    cx, cy = lm(f"lateral_canthus_side_{view}")
    ox, oy = lm(f"oral_commissure_side_{view}")
    gx, gy = lm(f"mandible_angle_side_{view}")
    ax, ay = lm(f"ear_apex_side_{view}")
    ex, ey = lm(f"earlobe_side_{view}")
    fx, fy = lm(f"temporal_fusion_line_side_{view}")
    f = cx + 24  # the plane of the forehead and lips, in front of the eye
    head = [
        (-55, -180), (-55, -75), (-72, -42), (-96, -10), (-106, 35), (-92, 88), (-50, 123), (-2, 131),
        (46, 120), (f - 6, 88), (f, 50), (f + 3, cy + 10), (f - 2, cy + 3), (f + 12, cy - 22),
        (f + 24, cy - 40), (f + 11, cy - 50), (f + 5, cy - 52), (f + 10, oy + 8), (f + 5, oy + 2),
        (f + 9, oy - 4), (f + 1, oy - 15), (f + 6, oy - 30), (f - 6, oy - 46), (f - 32, oy - 50),
        (f - 42, oy - 60), (f - 40, -180),
    ]  # fmt: skip
    return [
        ("outline", head, False),
        ("ear", [(2, 4), (ax + 4, ay + 2), (ax - 10, ay - 4), (ax - 16, 0), (ex - 8, ey + 6), (ex, ey),
                 (4, -12)], False),
        ("eye", [(cx, cy), (f - 8, cy + 4), (f - 5, cy), (f - 8, cy - 3), (cx, cy)], False),
        ("brow", [(cx - 4, cy + 11), (f - 12, cy + 14), (f - 2, cy + 12)], False),
        ("muscle", [(gx + 4, ey + 8), (gx, gy), (f - 30, oy - 40), (f - 14, oy - 44)], False),
        ("mouth", [(ox, oy), (f + 6, oy + 2)], False),
        ("hair", [(-20, fy + 26), (fx - 22, fy + 14), (fx, fy), (fx + 8, fy - 18)], False),
    ]  # fmt: skip


def _back(lm: _Landmarks) -> list[Stroke]:
    mx, my = lm("mastoid_back_left")
    _, c7 = lm("c7_spinous")
    px, py = lm("acromion_back_left")
    half = [
        (0, 124), (52, 112), (76, 62), (80, 12), (mx + 8, my + 6), (mx - 6, my - 30),
        (42, -70), (44, -112), (88, c7 - 30), (px - 40, py + 10), (px, py), (px + 6, -240),
    ]  # fmt: skip
    strokes: list[Stroke] = [("outline", [*half, *reversed(_mirror(half[1:]))], True)]
    for s in (1, -1):
        strokes.append(("ear", [(s * 79, 18), (s * 86, 8), (s * 84, -18), (s * 76, -26)], False))
        strokes.append(("muscle", [(s * (mx - 10), my - 8), (s * 30, c7 + 20), (s * 12, c7 - 60)], False))
    strokes.append(
        ("hair", [(-mx + 6, my - 14), (-24, my - 24), (0, my - 26), (24, my - 24), (mx - 6, my - 14)], False)
    )
    strokes.append(("spine", [(0, -42), (0, c7), (0, -218)], False))
    return strokes


def _landmark_dots(view: str, landmarks: Mapping[str, Position]) -> list[str]:
    dots = []
    for name, p in landmarks.items():
        if p.view != view:
            continue
        sx, sy = to_svg(view, float(p.x_mm), float(p.y_mm))
        label = escape(name.replace("_", " "))
        dots.append(f'<circle class="landmark" cx="{_fmt(sx)}" cy="{_fmt(sy)}" r="0.8"><title>{label}</title></circle>')
    return dots


def render_view(view: str, landmarks: Mapping[str, Position]) -> str:
    """One view as an <svg> with the outline, landmark dots and empty layers for chart.js."""
    frame = FRAMES[view]
    lm = _Landmarks(landmarks)
    strokes = _front(lm) if view == "front" else _back(lm) if view == "back" else _side(view, lm)
    paths = [(cls, smooth_path(view, pts, closed=closed)) for cls, pts, closed in strokes]
    if view == "front":
        paths += _irises(lm)
    body = "\n".join(f'<path class="{cls}" d="{d}"/>' for cls, d in paths)
    dots = "\n".join(_landmark_dots(view, landmarks))
    box = view_box(view, frame.zooms[0].bounds)
    return (
        f'<svg class="chart-view" id="view-{view}" data-view="{view}" data-mirror="{int(frame.mirror)}" '
        f'viewBox="{box}" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-label="{escape(frame.label)} view of the template face">\n'
        f'<rect class="backdrop" x="-400" y="-400" width="800" height="800"/>\n'
        f'<g class="face">\n{body}\n</g>\n<g class="landmarks">\n{dots}\n</g>\n'
        f'<g class="zones"></g>\n<g class="points"></g>\n</svg>'
    )


def zoom_boxes() -> dict[str, list[dict[str, str]]]:
    """Each view's zoom presets with their viewBox, for the zoom buttons."""
    return {v.id: [{"id": z.id, "label": z.label, "box": view_box(v.id, z.bounds)} for z in v.zooms] for v in VIEWS}


def render_chart(landmarks: Mapping[str, Position]) -> str:
    """Every view, in the order of ``VIEWS``."""
    return "\n".join(render_view(v.id, landmarks) for v in VIEWS)
