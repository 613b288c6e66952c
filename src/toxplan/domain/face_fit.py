"""Fit a photo's face-mesh landmarks to the metric canonical face: head pose and mm scale.

A weighted similarity (Procrustes, Umeyama's method) maps the canonical face (millimetres) onto
the detected landmarks (pixels), using MediaPipe's own landmark weights: the stable,
non-expressive points (nose bridge, eye corners, forehead, cheekbones). Undoing that fit puts
every detected point into the patient's *face frame*: millimetres, origin midway between the
iris centres, x toward the patient's left, y up, z toward the camera of a frontal photo. This is
the template's frame (face-landmarks.md section 1), measured on this patient.

The millimetre scale assumes the patient's face has the canonical face's size; the iris
(about 11.7 mm across in adults) checks that assumption independently on every photo. The
camera is taken to be far enough for one scale to hold across the face (weak perspective): a
photo from closer than about a metre enlarges the nose against the cheeks and ears, which the
fit cannot undo without knowing the camera (see the README's accuracy figures).
Pure arithmetic: the caller reads images, models and files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MESH_POINTS = 478
SURFACE_POINTS = 468
IRIS_CENTRE_RIGHT, IRIS_CENTRE_LEFT = 468, 473
IRIS_EDGES = ((469, 471), (474, 476))
"""Horizontal iris edges of the patient's right and left eye (face-landmarks.md 5.1)."""


class NoFace(ValueError):
    """The landmarks cannot be fitted (too few, degenerate or not a face)."""


@dataclass(frozen=True)
class CanonicalFace:
    """MediaPipe's metric canonical face: 468 vertices (mm), its triangles and fit weights."""

    vertices: FloatArray
    """(468, 3) in mm: x toward the subject's left, y up, z toward the camera."""
    triangles: IntArray
    """(M, 3) vertex indices."""
    basis: IntArray
    """Landmark indices of the weighted Procrustes fit."""
    weights: FloatArray


@dataclass(frozen=True)
class Pose:
    """Head rotation from frontal, in degrees.

    yaw: positive when the patient turns toward their own left; pitch: positive when the
    chin goes down; roll: positive when the face turns anticlockwise in the image.
    """

    yaw_deg: float
    pitch_deg: float
    roll_deg: float


@dataclass(frozen=True)
class FaceFit:
    width: int
    height: int
    pixels: FloatArray
    """(478, 2) detected points in image pixels, origin top-left, y down."""
    depth_px: FloatArray
    """(478,) detected depth in pixels, larger = nearer the camera."""
    frontal: FloatArray
    """(478, 3) the same points in the patient's face frame (mm)."""
    rotation: FloatArray
    scale_px_per_mm: float
    translation: FloatArray
    origin: FloatArray
    """The face-frame origin (between the iris centres) in canonical coordinates (mm)."""
    pose: Pose
    iris_mm: float | None
    """Horizontal iris diameter measured in this fit's millimetres (None if not measurable)."""

    @property
    def mm_per_px(self) -> float:
        return 1.0 / self.scale_px_per_mm

    def camera_space(self, frontal: FloatArray) -> FloatArray:
        """Face-frame points (K, 3) -> image pixels (K, 2) through the fitted similarity."""
        canonical = frontal + self.origin
        moved = self.scale_px_per_mm * canonical @ self.rotation.T + self.translation
        return np.column_stack((moved[:, 0], -moved[:, 1]))


def _as_camera(points: FloatArray) -> FloatArray:
    """Image pixels (x right, y down, z smaller = nearer) -> a right-handed frame with y up."""
    return np.column_stack((points[:, 0], -points[:, 1], -points[:, 2]))


def similarity(source: FloatArray, target: FloatArray, weights: FloatArray) -> tuple[float, FloatArray, FloatArray]:
    """Weighted least-squares ``target ~ s * R @ source + t`` (Umeyama 1991), R a proper rotation.

    Points are rows, in 2 or 3 dimensions.
    """
    w = weights / weights.sum()
    mu_s = w @ source
    mu_t = w @ target
    cs, ct = source - mu_s, target - mu_t
    covariance = (ct * w[:, None]).T @ cs
    u, singular, vt = np.linalg.svd(covariance)
    fix = np.ones(source.shape[1])
    fix[-1] = 1.0 if np.linalg.det(u @ vt) >= 0 else -1.0  # a rotation, never a reflection
    rotation = (u * fix) @ vt
    spread = float(w @ (cs * cs).sum(axis=1))
    if spread <= 0 or not np.isfinite(spread):
        raise NoFace("the canonical landmarks are degenerate")
    scale = float((singular * fix).sum()) / spread
    if not scale > 0:
        raise NoFace("the landmarks do not form a face")
    return scale, rotation, mu_t - scale * rotation @ mu_s


def pose_of(rotation: FloatArray) -> Pose:
    """Angles of R = Rz(roll) Ry(yaw) Rx(pitch)."""
    yaw = math.asin(max(-1.0, min(1.0, float(-rotation[2, 0]))))
    pitch = math.atan2(float(rotation[2, 1]), float(rotation[2, 2]))
    roll = math.atan2(float(rotation[1, 0]), float(rotation[0, 0]))
    return Pose(math.degrees(yaw), -math.degrees(pitch), math.degrees(roll))


def rotation_of(pose: Pose) -> FloatArray:
    """The inverse of ``pose_of`` (for synthetic tests and benchmarks)."""
    y, p, r = (math.radians(a) for a in (pose.yaw_deg, -pose.pitch_deg, pose.roll_deg))
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    return np.asarray(rz @ ry @ rx, dtype=np.float64)


def _iris_mm(pixels: FloatArray, scale: float, pose: Pose) -> float | None:
    """Mean horizontal iris diameter; a turned head narrows it by cos(yaw) (a flat disc)."""
    widths = [float(np.linalg.norm(pixels[a] - pixels[b])) for a, b in IRIS_EDGES]
    shrink = math.cos(math.radians(pose.yaw_deg))
    if min(widths) <= 0 or shrink <= 0:
        return None
    return sum(widths) / len(widths) / scale / shrink


def fit_face(points: FloatArray, width: int, height: int, canonical: CanonicalFace) -> FaceFit:
    """Fit 478 detected points (x, y, z in pixels, MediaPipe's z sign) to the canonical face."""
    if points.shape != (MESH_POINTS, 3) or not np.isfinite(points).all():
        raise NoFace(f"expected {MESH_POINTS} finite landmarks, got shape {points.shape}")
    camera = _as_camera(points)
    scale, rotation, translation = similarity(
        canonical.vertices[canonical.basis], camera[canonical.basis], canonical.weights
    )
    canonical_frame = (camera - translation) @ rotation / scale
    origin = (canonical_frame[IRIS_CENTRE_RIGHT] + canonical_frame[IRIS_CENTRE_LEFT]) / 2
    origin[2] = 0.0  # depth keeps the canonical zero, so off-mesh depths stay comparable
    pose = pose_of(rotation)
    pixels = np.ascontiguousarray(points[:, :2], dtype=np.float64)
    return FaceFit(
        width=width,
        height=height,
        pixels=pixels,
        depth_px=camera[:, 2].copy(),
        frontal=canonical_frame - origin,
        rotation=rotation,
        scale_px_per_mm=scale,
        translation=translation,
        origin=origin,
        pose=pose,
        iris_mm=_iris_mm(pixels, scale, pose),
    )


def scale_disagreement(fit: FaceFit, iris_diameter_mm: float) -> float | None:
    """How far the iris says the face-fit scale is off, as a fraction (0.1 = 10 %)."""
    if fit.iris_mm is None:
        return None
    return fit.iris_mm / iris_diameter_mm - 1.0


def outside_limits(pose: Pose, yaw: float, pitch: float, roll: float) -> list[str]:
    """The pose angles beyond the limits, in words ("turned 27° (limit 20°)")."""
    found = []
    for word, value, limit in (("turned", pose.yaw_deg, yaw), ("tilted up or down", pose.pitch_deg, pitch)):
        if abs(value) > limit:
            found.append(f"{word} {abs(value):.0f}° (limit {limit:g}°)")
    if abs(pose.roll_deg) > roll:
        found.append(f"tilted sideways {abs(pose.roll_deg):.0f}° (limit {roll:g}°)")
    return found
