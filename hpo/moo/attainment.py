"""What runs attain: the hypervolume of a run after each evaluation, and the empirical
attainment surfaces of several runs (two objectives, minimized).

Glossary (beyond :mod:`hpo.moo`'s)
----------------------------------
``A`` attains ``z``
    Some point of the set ``A`` weakly dominates ``z`` (``a <= z`` in every objective).
empirical attainment function (EAF)
    For runs ``A_1 .. A_n``, ``alpha(z) = #{i : A_i attains z} / n``, the fraction of runs
    that attain ``z`` (Fonseca & Fleming 1996, "On the performance assessment and comparison
    of stochastic multiobjective optimizers", PPSN IV; Grunert da Fonseca, Fonseca & Hall
    2001).
``k``-th attainment surface
    The boundary of ``{z : alpha(z) >= k / n}``, given by its minimal points: the points
    attained by at least ``k`` of the ``n`` runs. ``k = 1`` is the best surface (attained by
    some run), ``k = n`` the worst (attained by every run); the median surface is
    ``k = ceil(n / 2)`` (Lopez-Ibanez, Paquete & Stutzle 2010, "Exploratory analysis of
    stochastic local search algorithms in biobjective optimization", section 3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hpo.moo.hypervolume import hypervolume

__all__ = ["attainment_surface", "hypervolume_trace", "percentile_level"]


def hypervolume_trace(points: np.ndarray, reference: Sequence[float]) -> np.ndarray:
    """Hypervolume of the first ``t`` points, for every ``t``.

    Parameters
    ----------
    points : array-like of shape (n_points, n_objectives)
        Objective vectors in the order they were evaluated; a row holding NaN (a failed
        trial) adds nothing.
    reference : sequence of float, length n_objectives

    Returns
    -------
    ndarray of shape (n_points,)
        ``HV(points[:t + 1], reference)``, non-decreasing.

    Examples
    --------
    >>> hypervolume_trace([[2.0, 2.0], [1.0, 2.5], [3.0, 3.0]], [3.0, 3.0]).tolist()
    [1.0, 1.5, 1.5]
    """
    r = np.asarray(reference, dtype=float)
    F = np.asarray(points, dtype=float).reshape(-1, r.size)
    out = np.zeros(len(F))
    archive = np.empty((0, r.size))  # the non-dominated points seen so far
    hv = 0.0
    for t, f in enumerate(F):
        # A point changes the hypervolume only if it is finite, strictly better than r in
        # every objective, and not weakly dominated by a point already kept.
        if np.all(np.isfinite(f)) and np.all(f < r):
            if not np.any(np.all(archive <= f, axis=1)):
                archive = np.vstack([archive[~np.all(f <= archive, axis=1)], f])
                hv = hypervolume(archive, r)
        out[t] = hv
    return out


def percentile_level(percentile: float, n_runs: int) -> int:
    """The level ``k`` (runs that must attain a point) of the ``percentile`` % attainment
    surface of ``n_runs`` runs: ``max(1, ceil(percentile / 100 * n_runs))``.

    So the 50 % surface of 10 runs is the 5th (attained by at least half of the runs), the
    0 % and 100 % ones the best and the worst (as moocore's ``eaf(..., percentiles=)``).

    Raises
    ------
    ValueError
        If ``percentile`` is outside ``[0, 100]`` or ``n_runs < 1``.
    """
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile must lie in [0, 100], got {percentile!r}")
    if not isinstance(n_runs, int) or n_runs < 1:
        raise ValueError(f"n_runs must be a positive integer, got {n_runs!r}")
    # A small tolerance: 30 % of 10 runs is 3, not 4 because 0.3 * 10 = 3.0000000000000004.
    return max(1, math.ceil(percentile / 100.0 * n_runs - 1e-9))


def attainment_surface(runs: Sequence[np.ndarray], level: int) -> np.ndarray:
    """The minimal points of the ``level``-th empirical attainment surface of 2-objective runs.

    A point ``z`` is attained by at least ``level`` runs iff ``z_2 >= y_(level)(z_1)``, where
    ``y_i(x)`` is the best second objective run ``i`` reached among its points with first
    objective ``<= x`` and ``y_(k)`` the ``k``-th smallest of them over runs. The surface is
    the staircase of that step function; its corners lie at first-objective values of the
    runs' points, which is where it is evaluated (an O(N n log N) sweep for N points, n runs).

    Parameters
    ----------
    runs : sequence of array-like of shape (n_points_i, 2)
        The objective vectors of each run (any points: dominated ones and NaN rows, failed
        trials, are ignored).
    level : int
        ``1 <= level <= len(runs)``: how many runs must attain each point of the surface.

    Returns
    -------
    ndarray of shape (n_corners, 2)
        The surface's minimal points, sorted by increasing first (decreasing second)
        objective; empty when fewer than ``level`` runs hold a finite point.

    Examples
    --------
    >>> a = [[1.0, 3.0], [2.0, 1.0]]
    >>> b = [[1.5, 2.0]]
    >>> attainment_surface([a, b], 1).tolist()
    [[1.0, 3.0], [1.5, 2.0], [2.0, 1.0]]
    >>> attainment_surface([a, b], 2).tolist()
    [[1.5, 3.0], [2.0, 2.0]]
    """
    if isinstance(level, bool) or not isinstance(level, (int, np.integer)):
        raise TypeError(f"level must be an integer, got {level!r}")
    if len(runs) == 0:
        raise ValueError("runs must hold at least one run")
    if not 1 <= level <= len(runs):
        raise ValueError(f"level must lie in [1, {len(runs)}] (the number of runs), got {level}")
    clean = []
    for i, run in enumerate(runs):
        F = np.asarray(run, dtype=float)
        if F.size and (F.ndim != 2 or F.shape[1] != 2):
            raise ValueError(f"runs[{i}] must have shape (n_points, 2), got {F.shape}")
        F = F.reshape(-1, 2)
        clean.append(F[np.all(np.isfinite(F), axis=1)])
    xs = np.unique(np.concatenate([F[:, 0] for F in clean]))
    if xs.size == 0:
        return np.empty((0, 2))
    # best[i, j] = y_i(xs[j]): the running minimum of run i's second objective, sorted by
    # its first, read at every candidate x (inf before the run's first point).
    best = np.full((len(clean), xs.size), np.inf)
    for i, F in enumerate(clean):
        if len(F) == 0:
            continue
        order = np.argsort(F[:, 0], kind="stable")
        x, y = F[order, 0], np.minimum.accumulate(F[order, 1])
        idx = np.searchsorted(x, xs, side="right") - 1  # last point with x <= xs[j]
        seen = idx >= 0
        best[i, seen] = y[idx[seen]]
    y_level = np.sort(best, axis=0)[level - 1]  # the level-th smallest over runs
    # Corners: where the staircase steps down (strictly), at a finite height.
    keep = np.isfinite(y_level)
    keep[1:] &= y_level[1:] < y_level[:-1]
    return np.column_stack([xs[keep], y_level[keep]])
