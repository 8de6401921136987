"""Quality indicators of an approximation set against a known Pareto front."""

from __future__ import annotations

import numpy as np

__all__ = ["igd_plus"]


def igd_plus(points: np.ndarray, front: np.ndarray) -> float:
    """Inverted generational distance plus (IGD+) of ``points`` against a reference ``front``.

    Ishibuchi, Masuda, Tanigaki & Nojima (2015), "Modified distance calculation in generational
    distance and inverted generational distance", EMO 2015, eq. (8)-(10): for minimization,
    ``d+(z, a) = sqrt(sum_i max(a_i - z_i, 0)^2)`` counts only the objectives in which ``a`` is
    worse than the reference point ``z``, and
    ``IGD+(A) = mean over z in Z of min over a in A of d+(z, a)``. It is weakly Pareto
    compliant, unlike IGD.

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        The approximation set A.
    front : array-like of shape (n_reference, n_objectives)
        Points Z sampled on the true Pareto front.

    Returns
    -------
    float
    """
    A = np.atleast_2d(np.asarray(points, dtype=float))
    Z = np.atleast_2d(np.asarray(front, dtype=float))
    if A.size == 0:
        return float("inf")
    if A.shape[1] != Z.shape[1]:
        raise ValueError(f"points have {A.shape[1]} objectives but the front has {Z.shape[1]}")
    worse = np.maximum(A[None, :, :] - Z[:, None, :], 0.0)
    d_plus = np.sqrt(np.sum(worse**2, axis=2))
    return float(np.mean(d_plus.min(axis=1)))
