"""MediaPipe's metric canonical face, shipped with the package (Apache-2.0, see LICENSE here)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from toxplan.domain.face_fit import CanonicalFace

DIRECTORY = Path(__file__).resolve().parent / "model"
CM_TO_MM = 10.0
_WEIGHT = re.compile(r"procrustes_landmark_basis \{ landmark_id: (\d+) weight: ([0-9.eE+-]+) \}")


def read_obj(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (cm) and triangles (0-based) of a Wavefront OBJ file."""
    vertices, triangles = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("v "):
            vertices.append([float(v) for v in line.split()[1:4]])
        elif line.startswith("f "):
            triangles.append([int(corner.split("/")[0]) - 1 for corner in line.split()[1:4]])
    return np.array(vertices, dtype=np.float64), np.array(triangles, dtype=np.int64)


@lru_cache(maxsize=1)
def canonical_face() -> CanonicalFace:
    """Read once per process."""
    vertices, triangles = read_obj(DIRECTORY / "canonical_face_model.obj")
    pairs = _WEIGHT.findall((DIRECTORY / "procrustes_weights.pbtxt").read_text(encoding="utf-8"))
    basis = np.array([int(i) for i, _ in pairs], dtype=np.int64)
    weights = np.array([float(w) for _, w in pairs], dtype=np.float64)
    return CanonicalFace(vertices * CM_TO_MM, triangles, basis, weights)


IRIS_MIRROR = {468: 473, 469: 476, 470: 475, 471: 474, 472: 477}
"""Iris points of one eye and their mirror images in the other (face-landmarks.md 5.1)."""


@lru_cache(maxsize=1)
def mirror_indices() -> np.ndarray:
    """For each of the 478 points, the point that a left-right mirror image turns it into.

    Found on the canonical face: the vertex nearest each vertex's reflection across the midline.
    """
    vertices = canonical_face().vertices
    reflected = vertices * np.array([-1.0, 1.0, 1.0])
    nearest = ((reflected[:, None, :] - vertices[None, :, :]) ** 2).sum(-1).argmin(axis=1)
    iris = {**IRIS_MIRROR, **{v: k for k, v in IRIS_MIRROR.items()}}
    mapping = np.concatenate([nearest, [iris[i] for i in range(468, 478)]]).astype(np.int64)
    if not np.array_equal(mapping[mapping], np.arange(len(mapping))):
        raise ValueError("the canonical face is not left-right symmetric")
    return mapping
