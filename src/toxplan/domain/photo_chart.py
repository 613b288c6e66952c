"""Charting on a patient's photo with the same site and danger-zone definitions as the template.

From a fitted face (``face_fit``) the template landmarks are measured in the patient's face
frame as the knowledge map says (``face/photo_landmarks.yaml``); landmarks the mesh cannot see
are carried over from the template by a thin-plate warp fitted on the measured ones. Sites are
then placed by ``geometry.place`` on the patient's own landmarks, exactly as on the template,
and drawn through the mesh onto the photo. The other way, a tap on the photo goes into the face
frame and through the warp into template millimetres, where the usual site, dose and
danger-zone checks run; danger zones are drawn on the photo as the template zones brought back
through the same warp, so what is drawn is what is checked.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from toxplan.domain.face_fit import SURFACE_POINTS, FaceFit, FloatArray, IntArray
from toxplan.domain.geometry import BoxPart, CirclePart, Position, ShapeError, compile_zone, place
from toxplan.domain.mesh_map import BoolArray, SurfaceMap
from toxplan.domain.warp import ThinPlate
from toxplan.knowledge.base import Site
from toxplan.knowledge.photo_map import Carried, MeshContour, MeshPoint, PhotoLandmarkFile
from toxplan.knowledge.zone_models import ZoneShape

REACH_MM = 15.0
"""How far above the face mesh a point is still drawn on the photo: the mesh stops on the upper
forehead, below the hairline. Beside and below the mesh (ears, jaw angle, neck) nothing of the
photo is measured, so points there stay on the template only."""
OUTLINE_STEP_MM = 2.0


@dataclass(frozen=True)
class PhotoPoint:
    x_px: float
    y_px: float
    on_face: bool
    """On the face mesh or within ``REACH_MM`` of it: drawn on the photo."""


@dataclass(frozen=True)
class TemplatePoint:
    x_mm: float
    y_mm: float
    on_face: bool


@dataclass(frozen=True)
class PhotoFace:
    """One photo's face, ready for charting."""

    fit: FaceFit
    surface: SurfaceMap
    landmarks: Mapping[str, tuple[float, float]]
    """Every front-view template landmark in the patient's face frame (mm)."""
    measured: frozenset[str]
    sites: Mapping[str, tuple[float, float]]
    """Front-view sites placed by their definitions on these landmarks, face frame (mm)."""
    to_template: ThinPlate
    site_pixels: Mapping[str, PhotoPoint] | None = None

    def _near(self, frontal_xy: FloatArray, on_face: BoolArray) -> BoolArray:
        """On the mesh, or above the eyes and off the mesh by at most ``REACH_MM``."""
        near = on_face.copy()
        off = ~on_face & (frontal_xy[:, 1] > 0)
        if off.any():
            surface = self.fit.frontal[:SURFACE_POINTS, :2]
            d2 = ((frontal_xy[off][:, None, :] - surface[None, :, :]) ** 2).sum(-1)
            near[off] = d2.min(axis=1) <= REACH_MM**2
        return near

    def frontal_to_photo(self, frontal_xy: FloatArray) -> list[PhotoPoint]:
        frontal_xy = np.asarray(frontal_xy, dtype=np.float64).reshape(-1, 2)
        located = self.surface.to_pixels(frontal_xy)
        near = self._near(frontal_xy, located.on_face)
        return [PhotoPoint(float(x), float(y), bool(n)) for (x, y), n in zip(located.points, near, strict=True)]

    def landmark_pixels(self) -> dict[str, PhotoPoint]:
        names = sorted(self.landmarks)
        points = self.frontal_to_photo(np.array([self.landmarks[n] for n in names]))
        return dict(zip(names, points, strict=True))

    def place_sites(self) -> dict[str, PhotoPoint]:
        """The front-view sites, placed on the patient's landmarks, in pixels."""
        if self.site_pixels is not None:
            return dict(self.site_pixels)
        if not self.sites:
            return {}
        ids = sorted(self.sites)
        return dict(zip(ids, self.frontal_to_photo(np.array([self.sites[i] for i in ids])), strict=True))

    def locate(self, pixels: FloatArray) -> list[TemplatePoint]:
        """Photo pixels -> template millimetres (front view)."""
        located = self.surface.to_frontal(np.asarray(pixels, dtype=np.float64).reshape(-1, 2))
        near = self._near(located.points, located.on_face)
        template = self.to_template(located.points)
        return [TemplatePoint(float(x), float(y), bool(n)) for (x, y), n in zip(template, near, strict=True)]

    def project(self, template_xy: FloatArray) -> list[PhotoPoint]:
        """Template millimetres (front view) -> photo pixels."""
        return self.frontal_to_photo(self.to_template.inverse(np.asarray(template_xy, dtype=np.float64)))

    def zone_outline(self, shape: ZoneShape, template: Mapping[str, Position]) -> list[list[PhotoPoint]] | None:
        """The zone's shapes as pixel polygons; None for a shape kind this module cannot draw."""
        polygons = outline_mm(shape, template)
        if polygons is None:
            return None
        return [self.project(polygon) for polygon in polygons]


def _densify(corners: list[tuple[float, float]]) -> FloatArray:
    points = []
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
        steps = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / OUTLINE_STEP_MM))
        points += [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(steps)]
    return np.array(points)


def outline_mm(shape: ZoneShape, template: Mapping[str, Position]) -> list[FloatArray] | None:
    """A zone shape's outline (each of its parts on the front view), in template millimetres;
    None when the shape cannot be drawn on these landmarks."""
    try:
        compiled = compile_zone(shape, template, "front")
    except (ShapeError, KeyError):
        return None
    outlines = []
    for part in compiled.parts:
        if part.view != "front":
            continue
        if isinstance(part, CirclePart):
            n = max(24, math.ceil(2 * math.pi * part.radius / OUTLINE_STEP_MM))
            angles = np.linspace(0, 2 * math.pi, n, endpoint=False)
            outlines.append(
                np.column_stack((part.cx + part.radius * np.cos(angles), part.cy + part.radius * np.sin(angles)))
            )
        elif isinstance(part, BoxPart):
            x, y, hw = part.x, part.y, part.half_width
            corners = [
                (x - hw, y - part.below),
                (x + hw, y - part.below),
                (x + hw, y + part.above),
                (x - hw, y + part.above),
            ]
            outlines.append(_densify(corners))
        else:
            outlines.append(_densify(list(part.points)))
    return outlines


def _contour_point(polyline: FloatArray, x: float) -> tuple[float, float]:
    """Where the vertical at ``x`` crosses the polyline; past an end, that end."""
    for (x0, y0), (x1, y1) in itertools.pairwise(polyline):
        if min(x0, x1) <= x <= max(x0, x1) and x0 != x1:
            t = (x - x0) / (x1 - x0)
            return x, float(y0 + t * (y1 - y0))
    end = polyline[0] if abs(polyline[0, 0] - x) < abs(polyline[-1, 0] - x) else polyline[-1]
    return float(end[0]), float(end[1])


def measure_landmarks(fit: FaceFit, photo_map: PhotoLandmarkFile) -> dict[str, tuple[float, float]]:
    """The landmarks the mesh sees, in the face frame (mm)."""
    frontal = fit.frontal
    found: dict[str, tuple[float, float]] = {}
    for lm in photo_map.landmarks:
        if isinstance(lm.measure, MeshPoint):
            x, y = frontal[list(lm.measure.indices), :2].mean(axis=0)
            away = -1.0 if lm.id.endswith("_right") else 1.0  # +x is the patient's left
            found[lm.id] = (float(x) + away * float(lm.measure.lateral_mm), float(y) + float(lm.measure.up_mm))
    for lm in photo_map.landmarks:
        if isinstance(lm.measure, MeshContour):
            found[lm.id] = _contour_point(frontal[list(lm.measure.indices), :2], found[lm.measure.at][0])
    return found


def _positions(landmarks: Mapping[str, tuple[float, float]]) -> dict[str, Position]:
    return {name: Position("front", Decimal(f"{x:.2f}"), Decimal(f"{y:.2f}")) for name, (x, y) in landmarks.items()}


def _place(sites: Iterable[Site], landmarks: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    positions = _positions(landmarks)
    placed = {}
    for site in sites:
        placement = site.definition.placement
        if site.view == "front" and placement is not None and site.position is not None:
            at = place(placement, "front", site.side, positions)
            placed[site.id] = (float(at.x_mm), float(at.y_mm))
    return placed


def _xy(position: Position) -> tuple[float, float]:
    return float(position.x_mm), float(position.y_mm)


def _unfolded(warp: ThinPlate, probes: FloatArray) -> bool:
    """The warp keeps its orientation everywhere on the face (no fold, no tear)."""
    return bool(np.linalg.det(warp.jacobian(probes)).min() > MIN_STRETCH)


MIN_CONTROL_GAP_MM = 3.0
"""A site this close to a landmark or an earlier site is left to them: two control points a
rounding apart with different targets would crease the warp."""
PROBE_STEP = 3
"""Every third mesh point (and every control point) is probed for folds: about 260 probes."""
MIN_STRETCH = 0.2
"""Smallest area ratio the warp may have on the face; below it the site control points are
dropped and the landmarks alone shape the warp."""


def read_face(
    fit: FaceFit,
    triangles: IntArray,
    photo_map: PhotoLandmarkFile,
    template: Mapping[str, Position],
    sites: Iterable[Site] = (),
) -> PhotoFace:
    """Measure the landmarks, carry the rest, place the sites and fit the warp to the template.

    The warp passes through the measured and carried landmarks and through every site on the
    face, so a site drawn on the photo and the template position it is checked at are the same
    point; should that bend the warp into a fold, the landmarks alone shape it.
    """
    measured = measure_landmarks(fit, photo_map)
    names = sorted(measured)
    first = ThinPlate.fit(np.array([measured[n] for n in names]), np.array([_xy(template[n]) for n in names]))
    carried = [lm.id for lm in photo_map.landmarks if isinstance(lm.measure, Carried)]
    landmarks = dict(measured)
    if carried:
        for name, (x, y) in zip(carried, first.inverse(np.array([_xy(template[n]) for n in carried])), strict=True):
            landmarks[name] = (float(x), float(y))
    site_list = list(sites)
    placed = _place(site_list, landmarks)
    face = PhotoFace(fit, SurfaceMap(fit, triangles), landmarks, frozenset(measured), placed, first)
    template_of = {s.id: s.position for s in site_list if s.position is not None}
    sources = [landmarks[n] for n in sorted(landmarks)]
    targets = [_xy(template[n]) for n in sorted(landmarks)]
    site_points = face.place_sites()
    for site_id in sorted(site_points):
        at = placed[site_id]
        gap = float(np.sqrt(((np.array(sources) - at) ** 2).sum(axis=1).min()))
        if site_points[site_id].on_face and gap >= MIN_CONTROL_GAP_MM:
            sources.append(at)
            targets.append(_xy(template_of[site_id]))
    controls = np.array(sources)
    warp = ThinPlate.fit(controls, np.array(targets))
    probes = np.vstack([fit.frontal[:SURFACE_POINTS:PROBE_STEP, :2], controls])
    if not _unfolded(warp, probes):
        return PhotoFace(fit, face.surface, landmarks, face.measured, placed, first, site_points)
    return PhotoFace(fit, face.surface, landmarks, face.measured, placed, warp, site_points)
