"""Placement accuracy on synthetic truth: the canonical face under known poses, scales, offsets.

Goal (issue 11): median error <= 1 mm, 95th percentile <= 2 mm, with yaw and pitch within 20
degrees and roll within 15. The fit assumes a distant camera (one scale across the face): a
clinic photo from 1.5 m meets the goal, one from closer does not fully (the README gives the
figures; bench/photo_accuracy.py prints them).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from toxplan.domain.face_fit import Pose
from toxplan.knowledge.base import KnowledgeBase
from toxplan.photo.synthetic import Shot, errors_mm

POSES = [Pose(y, p, r) for y, p, r in itertools.product((-20, 0, 20), (-20, 0, 20), (-15, 15))]


def _errors(kb: KnowledgeBase, distance: float, noise_px: float) -> np.ndarray:
    found = []
    for i, pose in enumerate(POSES):
        scale = (2.0, 3.5, 5.0)[i % 3]
        centre = (400 + 40 * (i % 5), 700 + 30 * (i % 4))
        shot = Shot(pose, scale, centre, distance_mm=distance)
        found += list(errors_mm(shot, kb, noise_px=noise_px, seed=i).values())
    return np.array(found)


@pytest.mark.parametrize(
    ("distance", "noise_px"),
    [(1e9, 0.0), (1e9, 1.0), (1500.0, 0.0)],
    ids=["scaled-and-moved", "with-1px-landmark-noise", "camera-at-1.5m"],
)
def test_sites_land_within_a_millimetre_or_two(kb: KnowledgeBase, distance: float, noise_px: float) -> None:
    errors = _errors(kb, distance, noise_px)
    assert len(errors) > 40 * len(POSES)  # every face site, in every pose
    assert np.median(errors) <= 1.0
    assert np.percentile(errors, 95) <= 2.0
