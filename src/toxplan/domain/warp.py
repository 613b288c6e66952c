"""A smooth 2D warp through corresponding landmarks (thin-plate spline), with its exact inverse.

It maps the patient's face frame onto the template face: each measured landmark lands exactly
on its template position and everything between bends as little as possible (Bookstein 1989).
The inverse is solved by Newton's method, so a point mapped there and back returns to itself
(to a thousandth of a millimetre), which keeps a tap and the point drawn for it together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toxplan.domain.face_fit import FloatArray

RIDGE = 1e-8
"""Keeps the system solvable when two landmarks coincide; far below a millimetre's effect."""


def _kernel(r2: FloatArray) -> FloatArray:
    """U(r) = r^2 log r, written with r^2 (U(0) = 0)."""
    safe = np.where(r2 > 0, r2, 1.0)
    return np.asarray(np.where(r2 > 0, 0.5 * r2 * np.log(safe), 0.0), dtype=np.float64)


@dataclass(frozen=True)
class ThinPlate:
    controls: FloatArray
    """(n, 2) source landmarks."""
    weights: FloatArray
    """(n, 2) kernel weights."""
    affine: FloatArray
    """(3, 2) affine part: [1, x, y] @ affine."""
    guess: ThinPlate | None = None
    """A warp fitted the other way round: the starting point of ``inverse``."""

    @classmethod
    def fit(cls, source: FloatArray, target: FloatArray, *, with_inverse: bool = True) -> ThinPlate:
        n = len(source)
        if n < 3:
            raise ValueError("a warp needs at least three landmarks")
        d2 = ((source[:, None, :] - source[None, :, :]) ** 2).sum(-1)
        system = np.zeros((n + 3, n + 3))
        system[:n, :n] = _kernel(d2) + RIDGE * np.eye(n)
        system[:n, n] = 1.0
        system[:n, n + 1 :] = source
        system[n, :n] = 1.0
        system[n + 1 :, :n] = source.T
        rhs = np.zeros((n + 3, 2))
        rhs[:n] = target
        try:
            solved = np.linalg.solve(system, rhs)
        except np.linalg.LinAlgError:
            solved = np.linalg.lstsq(system, rhs, rcond=None)[0]
        guess = cls.fit(target, source, with_inverse=False) if with_inverse else None
        return cls(
            source.copy(), np.asarray(solved[:n], dtype=np.float64), np.asarray(solved[n:], dtype=np.float64), guess
        )

    def __call__(self, points: FloatArray) -> FloatArray:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        d2 = ((pts[:, None, :] - self.controls[None, :, :]) ** 2).sum(-1)
        return np.asarray(_kernel(d2) @ self.weights + self.affine[0] + pts @ self.affine[1:], dtype=np.float64)

    def jacobian(self, points: FloatArray) -> FloatArray:
        """(K, 2, 2): d(output)/d(input) at each point."""
        diff = points[:, None, :] - self.controls[None, :, :]
        r2 = (diff**2).sum(-1)
        safe = np.where(r2 > 0, r2, 1.0)
        factor = np.where(r2 > 0, np.log(safe) + 1.0, 0.0)  # dU/dx = (x - c)(2 log r + 1)
        grad = factor[:, :, None] * diff  # (K, n, 2)
        jac = np.einsum("kni,nj->kji", grad, self.weights)
        return np.asarray(jac + self.affine[1:].T[None, :, :], dtype=np.float64)

    def inverse(self, targets: FloatArray, *, steps: int = 12) -> FloatArray:
        """Points whose image under this warp is ``targets``."""
        goal = np.asarray(targets, dtype=np.float64).reshape(-1, 2)
        x = self.guess(goal) if self.guess is not None else goal.copy()
        for _ in range(steps):
            error = self(x) - goal
            if float(np.abs(error).max(initial=0.0)) < 1e-6:
                break
            jac = self.jacobian(x)
            x = x - np.linalg.solve(jac, error[:, :, None])[:, :, 0]
        return x
