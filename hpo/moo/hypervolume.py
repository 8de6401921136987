"""Exact hypervolume of a set of points with respect to a reference point (minimization).

* 2 objectives: a sweep over the points sorted by the first objective, O(n log n).
* 3 objectives: a sweep over the third objective that keeps the 2-D front of the points seen
  so far and updates its area as each point is inserted (the dimension-sweep idea of
  Beume, Fonseca, Lopez-Ibanez, Paquete & Vahrenhold 2009, "On the complexity of computing the
  hypervolume indicator", IEEE TEC 13(5), with a sorted list in place of their balanced tree):
  O(n^2) in the worst case, O(n log n) when few points are dominated on insertion.
* 4 or more objectives: the WFG algorithm (While, Bradstreet & Barone 2012, "A fast way of
  calculating exact hypervolumes", IEEE TEC 16(1)): the hypervolume is the sum of the
  exclusive contributions of the points taken in order, each the volume of its box minus the
  hypervolume of the remaining points "limited" to that box; recursion bottoms out at the
  3-D sweep. Exponential in m in the worst case, fine for m <= 5 and hundreds of points.
"""

from __future__ import annotations

import bisect

import numpy as np

from hpo.moo.dominance import is_non_dominated

__all__ = ["hypervolume"]


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """The hypervolume dominated by ``points`` and bounded by ``reference`` (minimization).

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        Objective vectors. Points that do not strictly dominate the reference in every
        objective contribute nothing; duplicates and dominated points are allowed.
    reference : array-like of shape (n_objectives,)

    Returns
    -------
    float

    Examples
    --------
    >>> hypervolume([[1.0, 2.0], [2.0, 1.0]], [3.0, 3.0])
    3.0
    """
    r = np.asarray(reference, dtype=float)
    F = np.asarray(points, dtype=float)
    if r.ndim != 1 or not np.all(np.isfinite(r)):
        raise ValueError(f"reference must be a finite vector, got {reference!r}")
    if F.size == 0:
        return 0.0
    F = np.atleast_2d(F)
    if F.shape[1] != r.size:
        raise ValueError(
            f"points have {F.shape[1]} objectives but the reference point has {r.size}"
        )
    if not np.all(np.isfinite(F)):
        raise ValueError("points must be finite")
    F = F[np.all(F < r, axis=1)]
    if len(F) == 0:
        return 0.0
    if F.shape[1] > 3:  # the sweeps below skip dominated points by themselves
        F = np.unique(F[is_non_dominated(F)], axis=0)
    return _hv(F, r)


def _hv(F: np.ndarray, r: np.ndarray) -> float:
    """Hypervolume of points that all strictly dominate ``r`` (non-dominated when m > 3)."""
    m = F.shape[1]
    if m == 1:
        return float(r[0] - F[:, 0].min())
    if m == 2:
        return _hv2(F, r)
    if m == 3:
        return _hv3(F, r)
    return _wfg(F, r)


def _hv2(F: np.ndarray, r: np.ndarray) -> float:
    # Sorted by f1 ascending, a non-dominated set has f2 descending; the dominated region is
    # a staircase: sum of (x_{i+1} - x_i) (r2 - y_i) with x_{n+1} = r1.
    F = F[np.argsort(F[:, 0], kind="stable")]
    best_y = np.minimum.accumulate(F[:, 1])
    x_next = np.append(F[1:, 0], r[0])
    return float(np.sum((x_next - F[:, 0]) * (r[1] - best_y)))


def _hv3(F: np.ndarray, r: np.ndarray) -> float:
    # Sweep f3 upwards: between consecutive levels z_i <= z < z_{i+1} the slice of the
    # dominated region is the 2-D region dominated by the points with f3 <= z_i.
    F = F[np.argsort(F[:, 2], kind="stable")]
    xs: list[float] = []  # the 2-D front, x ascending (and so y descending)
    ys: list[float] = []
    area = 0.0
    volume = 0.0
    r0, r1 = float(r[0]), float(r[1])
    for i, (px, py, pz) in enumerate(F.tolist()):
        area += _insert_2d(xs, ys, px, py, r0, r1)
        z_next = float(F[i + 1, 2]) if i + 1 < len(F) else float(r[2])
        volume += area * (z_next - pz)
    return volume


def _insert_2d(xs: list[float], ys: list[float], px: float, py: float, r0: float, r1: float):
    """Insert ``(px, py)`` into a 2-D front kept sorted by x; return the area it adds.

    The area of ``[px, r0] x [py, r1]`` not yet covered is a staircase over the points it
    dominates, d_1..d_j (consecutive from the insertion index): with ``y_k`` the y of the
    predecessor (``r1`` if none) and ``x_s`` the x of the first survivor after them
    (``r0`` if none), it is ``(x_{d1} - px)(y_k - py) + sum_i (x_{d(i+1)} - x_{di})(y_{di} - py)``.
    """
    k = bisect.bisect_right(xs, px)
    y_prev = ys[k - 1] if k > 0 else r1
    if y_prev <= py:  # dominated (or equal) by the predecessor
        return 0.0
    j = k
    while j < len(xs) and ys[j] >= py:
        j += 1  # xs[k:j] are dominated by the new point
    edges = [px, *xs[k:j], xs[j] if j < len(xs) else r0]
    heights = [y_prev, *ys[k:j]]
    added = sum((edges[i + 1] - edges[i]) * (heights[i] - py) for i in range(len(heights)))
    xs[k:j] = [px]
    ys[k:j] = [py]
    return added


def _wfg(F: np.ndarray, r: np.ndarray) -> float:
    # WFG (While et al. 2012, eq. 3-5): with the points sorted (here by the last objective,
    # descending, which keeps limited sets small),
    #   hv(S) = sum_k exclhv(s_k, {s_{k+1}, ...}),
    #   exclhv(p, T) = prod(r - p) - hv(nds({max(p, t) : t in T})).
    F = F[np.argsort(-F[:, -1], kind="stable")]
    total = 0.0
    for k in range(len(F)):
        p = F[k]
        box = float(np.prod(r - p))
        rest = F[k + 1 :]
        if len(rest):
            limited = np.maximum(rest, p)
            limited = limited[np.all(limited < r, axis=1)]
            if len(limited):
                limited = np.unique(limited[is_non_dominated(limited)], axis=0)
                box -= _hv(limited, r)
        total += box
    return total
