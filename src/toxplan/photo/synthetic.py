"""Synthetic photos' landmarks with known truth: the canonical face under a known pose.

For the accuracy tests and benchmark. The canonical face's 468 vertices (and iris points made
from its eye contours, 11.71 mm across) are turned, scaled, moved and seen through a pinhole
camera; the truth for each site is where the same site, placed on the canonical face's own
landmarks, lands on the turned surface. Comparing it with what the charting pipeline makes of
the projected landmarks measures the placement error in millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toxplan.domain.face_fit import CanonicalFace, FaceFit, FloatArray, Pose, rotation_of
from toxplan.domain.photo_chart import PhotoFace, read_face
from toxplan.knowledge.base import KnowledgeBase
from toxplan.photo.analysis import from_landmarks, photo_map
from toxplan.photo.model import canonical_face

EYE_LEFT = (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398)
EYE_RIGHT = (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173)
IRIS_RADIUS_MM = 11.71 / 2


def with_iris(vertices: FloatArray) -> FloatArray:
    """478 points: the 468 vertices and iris centre, medial/lateral, top and bottom edges."""
    points = [vertices]
    for eye, lateral in ((EYE_RIGHT, -1.0), (EYE_LEFT, 1.0)):
        centre = vertices[list(eye)].mean(axis=0)
        r = IRIS_RADIUS_MM
        # right eye 468-472: centre, medial (469), top, lateral (471), bottom; left 473-477 mirrored
        across, up = np.array([lateral * r, 0.0, 0.0]), np.array([0.0, r, 0.0])
        medial, outer = centre - across, centre + across
        first, third = (medial, outer) if lateral < 0 else (outer, medial)
        points.append(np.array([centre, first, centre + up, third, centre - up]))
    return np.vstack(points)


@dataclass(frozen=True)
class Shot:
    pose: Pose
    scale_px_per_mm: float
    centre_px: tuple[float, float]
    distance_mm: float = 600.0
    """Camera to face; None-like large values approach an orthographic view."""
    width: int = 1200
    height: int = 1600


def project(shot: Shot, canonical: CanonicalFace) -> tuple[FloatArray, FloatArray]:
    """Landmarks as MediaPipe reports them (x, y, z in pixels) and the face frame they came from."""
    points = with_iris(canonical.vertices)
    origin = (points[468] + points[473]) / 2
    origin[2] = 0.0
    frontal = points - origin
    turned = frontal @ rotation_of(shot.pose).T
    depth = shot.distance_mm - turned[:, 2]
    focal = shot.scale_px_per_mm * shot.distance_mm
    cx, cy = shot.centre_px
    x = cx + focal * turned[:, 0] / depth
    y = cy - focal * turned[:, 1] / depth
    z = -turned[:, 2] * shot.scale_px_per_mm
    return np.column_stack((x, y, z)), frontal


def truth(shot: Shot, kb: KnowledgeBase) -> PhotoFace:
    """The face as it really is: its own frame, seen exactly as projected."""
    canonical = canonical_face()
    landmarks, frontal = project(shot, canonical)
    fit = FaceFit(
        width=shot.width,
        height=shot.height,
        pixels=landmarks[:, :2].copy(),
        depth_px=-landmarks[:, 2],
        frontal=frontal,
        rotation=rotation_of(shot.pose),
        scale_px_per_mm=shot.scale_px_per_mm,
        translation=np.array([shot.centre_px[0], -shot.centre_px[1], 0.0]),
        origin=np.zeros(3),
        pose=shot.pose,
        iris_mm=11.71,
    )
    return read_face(fit, canonical.triangles, photo_map(kb), kb.template, kb.sites.values())


def errors_mm(shot: Shot, kb: KnowledgeBase, *, noise_px: float = 0.0, seed: int = 0) -> dict[str, float]:
    """Placement error of every front-view site on the face mesh, in mm at the face's scale."""
    landmarks, _ = project(shot, canonical_face())
    if noise_px:
        landmarks = landmarks + np.random.default_rng(seed).normal(0.0, noise_px, landmarks.shape)
    placed = from_landmarks(landmarks, shot.width, shot.height, kb).place_sites()
    real = truth(shot, kb)
    ids = sorted(real.sites)
    expected = real.surface.to_pixels(np.array([real.sites[i] for i in ids]))
    return {
        site: float(np.hypot(placed[site].x_px - x, placed[site].y_px - y)) / shot.scale_px_per_mm
        for site, (x, y), on_mesh in zip(ids, expected.points, expected.on_face, strict=True)
        if on_mesh  # the canonical face has no surface, so no truth, beyond its mesh
    }
