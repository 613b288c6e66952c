"""From pixels or stored landmarks to a face ready for charting, with the checks that go first.

``read`` finds the face (MediaPipe) and fits it; ``from_landmarks`` refits landmarks stored
with a photo without running the model again. ``frontal_problem`` says, in words, why a photo
cannot be charted (beyond the pose limits of the knowledge map); ``scale_note`` whether the
iris disagrees with the face-fit scale.
"""

from __future__ import annotations

import numpy as np

from toxplan.domain.face_fit import FloatArray, NoFace, fit_face, outside_limits, scale_disagreement
from toxplan.domain.photo_chart import PhotoFace, read_face

__all__ = ["PhotoFace", "detect", "from_landmarks", "frontal_problem", "read", "scale_note"]
from toxplan.errors import InvalidInput, KnowledgeBaseError, Problem
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.photo_map import PhotoLandmarkFile
from toxplan.photo import landmarks
from toxplan.photo.model import canonical_face

NO_FACE = "no face was found in the photo"


def photo_map(kb: KnowledgeBase) -> PhotoLandmarkFile:
    if kb.photo_landmarks is None:
        raise KnowledgeBaseError([Problem("face/photo_landmarks.yaml", "", "file is missing")])
    return kb.photo_landmarks


def from_landmarks(points: FloatArray, width: int, height: int, kb: KnowledgeBase) -> PhotoFace:
    """Fit 478 landmarks (pixels) and measure the template landmarks on them."""
    canonical = canonical_face()
    try:
        fit = fit_face(points, width, height, canonical)
    except NoFace:
        raise InvalidInput(NO_FACE, field="image") from None
    return read_face(fit, canonical.triangles, photo_map(kb), kb.template, kb.sites.values())


def detect(rgb: np.ndarray) -> FloatArray:
    """478 landmarks of the face in the photo; InvalidInput when there is none."""
    found = landmarks.detect(rgb)
    if found is None:
        raise InvalidInput(NO_FACE, field="image")
    return found


def read(rgb: np.ndarray, kb: KnowledgeBase) -> PhotoFace:
    height, width = rgb.shape[:2]
    return from_landmarks(detect(rgb), width, height, kb)


def frontal_problem(face: PhotoFace, kb: KnowledgeBase) -> str | None:
    """Why this face is too far from frontal to chart on, or None."""
    limits = photo_map(kb).frontal_limits
    beyond = outside_limits(face.fit.pose, float(limits.yaw_deg), float(limits.pitch_deg), float(limits.roll_deg))
    if not beyond:
        return None
    return f"the head is {' and '.join(beyond)} from a frontal view"


def scale_note(face: PhotoFace, kb: KnowledgeBase) -> str | None:
    """A warning when the iris and the face fit disagree on the scale beyond the tolerance."""
    scale = photo_map(kb).scale
    off = scale_disagreement(face.fit, float(scale.diameter_mm))
    if off is None:
        return "the iris could not be measured, so the scale is unchecked"
    if abs(off) * 100 > float(scale.tolerance_percent):
        return (
            f"the iris measures {face.fit.iris_mm:.1f} mm at the face's scale, against about "
            f"{scale.diameter_mm} mm in adults: distances on this photo may be off by {abs(off) * 100:.0f} %"
        )
    return None
