"""Pareto dominance, fast non-dominated sorting and crowding distance (Deb et al. 2002).

Deb, Pratap, Agarwal & Meyarivan (2002), "A fast and elitist multiobjective genetic algorithm:
NSGA-II", IEEE Trans. Evol. Comput. 6(2): section III-A (fast non-dominated sort) and
III-B (crowding distance).
"""

from __future__ import annotations

import numpy as np

__all__ = ["crowding_distance", "dominates", "is_non_dominated", "non_dominated_sort"]


def _as_points(points: np.ndarray) -> np.ndarray:
    F = np.asarray(points, dtype=float)
    if F.ndim != 2:
        raise ValueError(f"points must have shape (n_points, n_objectives), got {F.shape}")
    if not np.all(np.isfinite(F)):
        raise ValueError("points must be finite (failed trials are not points of a front)")
    return F


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` Pareto-dominates ``b`` (minimization)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(a <= b) and np.any(a < b))


def _domination_matrix(F: np.ndarray) -> np.ndarray:
    """``D[i, j]`` is True when point ``i`` dominates point ``j``."""
    less_equal = np.all(F[:, None, :] <= F[None, :, :], axis=2)
    less = np.any(F[:, None, :] < F[None, :, :], axis=2)
    return less_equal & less


def is_non_dominated(points: np.ndarray) -> np.ndarray:
    """Boolean mask of the points no other point dominates (duplicates are all kept).

    Parameters
    ----------
    points : ndarray of shape (n_points, n_objectives)

    Returns
    -------
    ndarray of bool, shape (n_points,)
    """
    F = _as_points(points)
    if len(F) == 0:
        return np.zeros(0, dtype=bool)
    if F.shape[1] == 2:
        return _non_dominated_2d(F)
    mask = np.ones(len(F), dtype=bool)
    # Blocks of rows keep memory at O(block * n * m) for large sets.
    block = max(1, 2_000_000 // max(1, len(F) * F.shape[1]))
    for start in range(0, len(F), block):
        rows = F[start : start + block]
        le = np.all(F[:, None, :] <= rows[None, :, :], axis=2)
        lt = np.any(F[:, None, :] < rows[None, :, :], axis=2)
        mask[start : start + block] = ~np.any(le & lt, axis=0)
    return mask


def _non_dominated_2d(F: np.ndarray) -> np.ndarray:
    # Sorted by (f1, f2), a point is dominated exactly when an earlier point that is not its
    # duplicate has f2 <= its f2: compare with the running minimum of f2 over earlier
    # distinct points. O(n log n).
    order = np.lexsort((F[:, 1], F[:, 0]))
    G = F[order]
    new = np.ones(len(G), dtype=bool)
    new[1:] = np.any(G[1:] != G[:-1], axis=1)  # first of each run of duplicates
    group = np.cumsum(new) - 1  # index of the run each point belongs to
    run_f2 = G[new, 1]
    best_before = np.concatenate([[np.inf], np.minimum.accumulate(run_f2)[:-1]])
    mask = np.empty(len(F), dtype=bool)
    mask[order] = run_f2[group] < best_before[group]
    return mask


def non_dominated_sort(points: np.ndarray) -> list[np.ndarray]:
    """Fast non-dominated sorting (Deb et al. 2002, section III-A).

    Each point ``p`` keeps ``n_p`` (how many points dominate it) and ``S_p`` (the points it
    dominates); front 1 is ``{p : n_p = 0}``; removing a front decrements ``n_q`` for every
    ``q`` in the ``S_p`` of its members, and the points that reach 0 form the next front.
    O(m N^2) time.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_objectives)

    Returns
    -------
    list of ndarray of int
        Indices of the points in each front, the first front first; each sorted ascending.
    """
    F = _as_points(points)
    if len(F) == 0:
        return []
    D = _domination_matrix(F)
    n_dominating = D.sum(axis=0)  # n_p: how many points dominate p
    fronts = []
    current = np.flatnonzero(n_dominating == 0)
    while current.size:
        fronts.append(current)
        n_dominating = n_dominating - D[current].sum(axis=0)
        n_dominating[current] = -1  # sorted already
        current = np.flatnonzero(n_dominating == 0)
    return fronts


def crowding_distance(points: np.ndarray) -> np.ndarray:
    """Crowding distance of the points of one front (Deb et al. 2002, section III-B).

    For each objective the points are sorted; the two boundary points get infinity and an
    interior point ``i`` adds ``(f[i+1] - f[i-1]) / (f_max - f_min)``, the side lengths of
    the cuboid formed by its neighbours, normalized. Objectives of zero range add nothing.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_objectives)

    Returns
    -------
    ndarray of shape (n_points,)
    """
    F = _as_points(points)
    n, m = F.shape
    distance = np.zeros(n)
    if n <= 2:
        distance[:] = np.inf
        return distance
    for j in range(m):
        order = np.argsort(F[:, j], kind="stable")
        f = F[order, j]
        distance[order[[0, -1]]] = np.inf
        span = f[-1] - f[0]
        if span > 0:
            distance[order[1:-1]] += (f[2:] - f[:-2]) / span
    return distance
