"""Face landmarks with MediaPipe Face Mesh (mediapipe 0.10.14: the model ships in the wheel).

The model loads once per process, on first use, and is shared behind a lock: one graph is
not safe to run from two threads at once. Nothing about the image is logged.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from toxplan.domain.face_fit import MESH_POINTS, FloatArray
from toxplan.photo.model import mirror_indices

_lock = threading.Lock()
_mesh: Any = None


@contextlib.contextmanager
def _native_stderr_muted() -> Iterator[None]:
    """Silence what the native graph prints to file descriptor 2 while it starts up.

    TensorFlow Lite and absl announce themselves there once per process (delegate created,
    feedback tensors disabled): noise on a command whose only message should be the answer.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "w", encoding="utf-8") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _face_mesh() -> Any:
    global _mesh  # noqa: PLW0603 - one model per process, loaded on first use
    if _mesh is None:
        os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's native logging: errors only
        with _native_stderr_muted(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from mediapipe.python.solutions import face_mesh  # noqa: PLC0415

            mesh = face_mesh.FaceMesh(
                static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.5
            )
            mesh.process(np.zeros((64, 64, 3), dtype=np.uint8))  # the graph logs on its first run
        _mesh = mesh
    return _mesh


def warm_up() -> None:
    """Load the model now (servers and benchmarks call this at start)."""
    with _lock:
        _face_mesh()


def _once(rgb: np.ndarray) -> FloatArray | None:
    height, width = rgb.shape[:2]
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # protobuf deprecation notices from inside MediaPipe
        result = _face_mesh().process(np.ascontiguousarray(rgb))
    faces = result.multi_face_landmarks
    if not faces:
        return None
    points = np.array([(p.x, p.y, p.z) for p in faces[0].landmark], dtype=np.float64)
    if points.shape != (MESH_POINTS, 3):
        return None
    return np.asarray(points * np.array([width, height, width]), dtype=np.float64)


TURN_DEG = 6.0
"""The two turned views are the face turned this much either way."""
CROP_SIDE = 384
"""Turned views are read on a square around the face, resampled to this many pixels."""
CROP_MARGIN = 1.8
"""The square's side in face widths (or heights): the model needs the whole head in view."""


def _unflip(points: FloatArray, width: float) -> FloatArray:
    back = np.array(points[mirror_indices()], dtype=np.float64)
    back[:, 0] = width - back[:, 0]
    return back


def _view_matrix(box: tuple[float, float, float, float], degrees: float, mirror: bool) -> np.ndarray:
    """3x3 affine map from photo pixels to a view: the face square, resampled, mirrored, turned."""
    import cv2  # noqa: PLC0415 - OpenCV comes with MediaPipe; loaded with it, on first use

    x0, y0, x1, _ = box
    k = CROP_SIDE / (x1 - x0)
    crop = np.array([[k, 0.0, -k * x0], [0.0, k, -k * y0], [0.0, 0.0, 1.0]])
    flip = np.array([[-1.0, 0.0, CROP_SIDE], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) if mirror else np.eye(3)
    turn = np.vstack([cv2.getRotationMatrix2D((CROP_SIDE / 2, CROP_SIDE / 2), degrees, 1.0), [0.0, 0.0, 1.0]])
    return np.asarray(turn @ flip @ crop, dtype=np.float64)


def _turned_crop(
    rgb: np.ndarray, box: tuple[float, float, float, float], degrees: float, mirror: bool
) -> FloatArray | None:
    """Landmarks read on the face square turned by ``degrees`` (and mirrored), in photo pixels."""
    import cv2  # noqa: PLC0415

    matrix = _view_matrix(box, degrees, mirror)
    view = cv2.warpAffine(
        rgb, matrix[:2], (CROP_SIDE, CROP_SIDE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    found = _once(np.ascontiguousarray(view))
    if found is None:
        return None
    back = np.linalg.inv(matrix)
    xy = np.column_stack((found[:, :2], np.ones(len(found)))) @ back.T
    found[:, :2] = xy[:, :2]
    found[:, 2] /= math.hypot(matrix[0, 0], matrix[0, 1])  # depth in photo pixels, like x and y
    return found[mirror_indices()] if mirror else found


def detect(rgb: np.ndarray) -> FloatArray | None:
    """478 landmarks (x, y, z in pixels; z smaller = nearer) of the most prominent face, or None.

    The model's answer moves by a pixel or two when the same face is mirrored or turned a
    little, so four views are read and averaged: the photo and its mirror image, then, on a
    square around the face, the face turned by ``TURN_DEG`` and the mirror image turned the
    other way (mirrored answers are mapped back across the midline). The views of a mirrored
    photo are the mirror images of these, so a mirrored photo gives the mirrored landmarks
    with the patient's sides swapped. No face in the photo itself is no face.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("expected an RGB image of 8-bit pixels")
    width = rgb.shape[1]
    direct = _once(rgb)
    if direct is None:
        return None
    found = [direct]
    mirrored = _once(rgb[:, ::-1])
    if mirrored is not None:
        found.append(_unflip(mirrored, width))
    both = np.mean(found, axis=0)
    low, high = both[:, :2].min(axis=0), both[:, :2].max(axis=0)
    cx, cy = (low + high) / 2
    half = CROP_MARGIN * float((high - low).max()) / 2
    box = (float(cx - half), float(cy - half), float(cx + half), float(cy + half))
    for degrees, mirror in ((TURN_DEG, False), (-TURN_DEG, True)):
        view = _turned_crop(rgb, box, degrees, mirror)
        if view is not None:
            found.append(view)
    return np.asarray(np.mean(found, axis=0), dtype=np.float64)
