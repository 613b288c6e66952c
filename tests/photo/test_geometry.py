"""The photo geometry of the core: similarity fit, pose, warp and mesh map, on known truth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toxplan.domain.face_fit import Pose, fit_face, outside_limits, pose_of, rotation_of, similarity
from toxplan.domain.warp import ThinPlate
from toxplan.knowledge.base import KnowledgeBase
from toxplan.photo.model import canonical_face
from toxplan.photo.synthetic import Shot, project

angles = st.floats(-25, 25, allow_nan=False)


@given(angles, angles, angles)
def test_pose_angles_round_trip(yaw: float, pitch: float, roll: float) -> None:
    back = pose_of(rotation_of(Pose(yaw, pitch, roll)))
    assert back.yaw_deg == pytest.approx(yaw, abs=1e-9)
    assert back.pitch_deg == pytest.approx(pitch, abs=1e-9)
    assert back.roll_deg == pytest.approx(roll, abs=1e-9)


@settings(max_examples=50)
@given(angles, angles, angles, st.floats(0.5, 8), st.floats(-500, 500), st.floats(-500, 500))
def test_similarity_recovers_a_known_transform(  # noqa: PLR0917 - one value per strategy
    yaw: float, pitch: float, roll: float, scale: float, tx: float, ty: float
) -> None:
    face = canonical_face()
    source = face.vertices[face.basis]
    rotation = rotation_of(Pose(yaw, pitch, roll))
    target = scale * source @ rotation.T + np.array([tx, ty, 3.0])
    s, r, t = similarity(source, target, face.weights)
    assert s == pytest.approx(scale, rel=1e-9)
    assert np.allclose(r, rotation, atol=1e-9)
    assert np.allclose(t, [tx, ty, 3.0], atol=1e-6)


def test_the_fit_reads_pose_and_scale_of_a_synthetic_photo() -> None:
    shot = Shot(Pose(12, -8, 5), 2.5, (600, 800), distance_mm=1e9)
    points, _ = project(shot, canonical_face())
    fit = fit_face(points, shot.width, shot.height, canonical_face())
    assert (fit.pose.yaw_deg, fit.pose.pitch_deg, fit.pose.roll_deg) == pytest.approx((12, -8, 5), abs=1e-6)
    assert fit.mm_per_px == pytest.approx(1 / 2.5, rel=1e-6)
    assert fit.iris_mm == pytest.approx(11.71, rel=0.01)  # the synthetic iris, through cos(yaw)


def test_a_turned_head_is_refused_beyond_the_limits() -> None:
    assert outside_limits(Pose(19, -19, 14), 20, 20, 15) == []
    assert outside_limits(Pose(21, 0, 0), 20, 20, 15) == ["turned 21° (limit 20°)"]
    assert outside_limits(Pose(0, -25, 16), 20, 20, 15) == [
        "tilted up or down 25° (limit 20°)",
        "tilted sideways 16° (limit 15°)",
    ]


def test_the_warp_passes_through_its_landmarks_and_inverts_exactly() -> None:
    rng = np.random.default_rng(1)
    source = rng.uniform(-60, 60, (20, 2))
    target = source * 1.05 + rng.normal(0, 1.5, source.shape) + [2, -3]
    warp = ThinPlate.fit(source, target)
    assert np.allclose(warp(source), target, atol=1e-4)
    probes = rng.uniform(-50, 50, (200, 2))
    assert np.abs(warp(warp.inverse(probes)) - probes).max() < 1e-4


def test_the_mesh_map_goes_there_and_back(kb: KnowledgeBase) -> None:
    from toxplan.photo.synthetic import truth  # noqa: PLC0415

    face = truth(Shot(Pose(15, 10, -8), 3.0, (600, 800)), kb)
    rng = np.random.default_rng(2)
    frontal = rng.uniform([-40, -90], [40, 40], (300, 2))
    there = face.surface.to_pixels(frontal)
    back = face.surface.to_frontal(there.points)
    seen = there.on_face & back.on_face
    assert seen.sum() > 200
    # where the turned face hides part of itself (the far side of the nose) the way back meets
    # the surface in front; everywhere else a point returns to itself
    assert np.median(np.hypot(*(back.points[seen] - frontal[seen]).T)) < 1e-6
    assert math.isfinite(float(back.points[~there.on_face].sum()))
