"""Map points between a photo and the patient's face frame through the face mesh.

Each mesh triangle is known twice: in the image (pixels) and in the face frame (mm). A point
inside a triangle keeps its barycentric coordinates from one to the other: a piecewise-affine
map that follows the patient's own face, so no depth needs guessing on the face itself. Where
triangles overlap (the nose over the cheek when the head is turned), the one nearest the camera
is the one seen. Off the mesh (neck, hairline, background) the fitted head pose is used, with
the depth of the nearest mesh point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from toxplan.domain.face_fit import SURFACE_POINTS, FaceFit, FloatArray, IntArray

EDGE = 1e-9
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Located:
    points: FloatArray
    """(K, 2) mapped points."""
    on_face: BoolArray
    """(K,) True where the point lies on the face mesh (else the pose fallback was used)."""


def _barycentric(
    a: FloatArray, b: FloatArray, c: FloatArray, p: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Barycentric coordinates of points ``p`` in triangles ``a b c`` (all (P, 2)), and validity."""
    v0, v1, v2 = b - a, c - a, p - a
    d00 = (v0 * v0).sum(-1)
    d01 = (v0 * v1).sum(-1)
    d11 = (v1 * v1).sum(-1)
    d20 = (v2 * v0).sum(-1)
    d21 = (v2 * v1).sum(-1)
    denom = d00 * d11 - d01 * d01
    valid = np.abs(denom) > EDGE
    safe = np.where(valid, denom, 1.0)
    v = (d11 * d20 - d01 * d21) / safe
    w = (d00 * d21 - d01 * d20) / safe
    return 1.0 - v - w, v, w, valid


@dataclass(frozen=True)
class SurfaceMap:
    fit: FaceFit
    triangles: IntArray

    def _through_mesh(
        self, queries: FloatArray, source: FloatArray, source_depth: FloatArray, target: FloatArray
    ) -> tuple[FloatArray, BoolArray]:
        """Carry each query from the ``source`` layout of the mesh to the ``target`` layout.

        Triangles are first screened by their bounding boxes, so only the few that can hold a
        query are solved; among those that hold it, the one nearest the camera wins.
        """
        tri = self.triangles
        corners = source[tri]  # (M, 3, 2)
        low, high = corners.min(axis=1), corners.max(axis=1)
        q = queries[:, None, :]
        maybe = ((q >= low[None] - 1e-6) & (q <= high[None] + 1e-6)).all(axis=-1)
        qi, ti = np.nonzero(maybe)
        u, v, w, valid = _barycentric(corners[ti, 0], corners[ti, 1], corners[ti, 2], queries[qi])
        inside = valid & (u >= -1e-7) & (v >= -1e-7) & (w >= -1e-7)
        qi, ti, u, v, w = qi[inside], ti[inside], u[inside], v[inside], w[inside]
        picked = tri[ti]
        depth = u * source_depth[picked[:, 0]] + v * source_depth[picked[:, 1]] + w * source_depth[picked[:, 2]]
        order = np.lexsort((-depth, qi))  # per query, nearest the camera first
        first = order[np.unique(qi[order], return_index=True)[1]]
        mapped = np.zeros_like(queries)
        hit = np.zeros(len(queries), dtype=np.bool_)
        to = target[picked[first]]
        mapped[qi[first]] = u[first, None] * to[:, 0] + v[first, None] * to[:, 1] + w[first, None] * to[:, 2]
        hit[qi[first]] = True
        return mapped, hit

    def _nearest_depth(self, frontal_xy: FloatArray) -> FloatArray:
        surface = self.fit.frontal[:SURFACE_POINTS]
        d = ((frontal_xy[:, None, :] - surface[None, :, :2]) ** 2).sum(-1)
        return np.asarray(surface[d.argmin(axis=1), 2], dtype=np.float64)

    def to_pixels(self, frontal_xy: FloatArray) -> Located:
        """Face-frame points (K, 2, mm) -> image pixels (K, 2)."""
        queries = np.asarray(frontal_xy, dtype=np.float64).reshape(-1, 2)
        fit = self.fit
        mapped, hit = self._through_mesh(queries, fit.frontal[:, :2], fit.frontal[:, 2], fit.pixels)
        if not hit.all():
            off = queries[~hit]
            lifted = np.column_stack((off, self._nearest_depth(off)))
            mapped[~hit] = fit.camera_space(lifted)
        return Located(mapped, hit)

    def to_frontal(self, pixels: FloatArray) -> Located:
        """Image pixels (K, 2) -> face-frame points (K, 2, mm)."""
        queries = np.asarray(pixels, dtype=np.float64).reshape(-1, 2)
        fit = self.fit
        mapped, hit = self._through_mesh(queries, fit.pixels, fit.depth_px, fit.frontal[:, :2])
        if not hit.all():
            mapped[~hit] = self._pose_inverse(queries[~hit])
        return Located(mapped, hit)

    def _pose_inverse(self, pixels: FloatArray) -> FloatArray:
        """Undo the fitted pose for points off the mesh, refining their depth a few times."""
        fit = self.fit
        r = fit.rotation
        target = np.column_stack((pixels[:, 0], -pixels[:, 1])) - fit.translation[:2]
        target = target / fit.scale_px_per_mm
        inverse = np.linalg.inv(r[:2, :2])
        depth = np.zeros(len(pixels))
        xy = np.zeros((len(pixels), 2))
        for _ in range(4):
            canonical_z = depth + fit.origin[2]
            xy = (target - canonical_z[:, None] * r[:2, 2][None, :]) @ inverse.T - fit.origin[:2]
            depth = self._nearest_depth(xy)
        return xy
