"""Statistics of a comparison study, as plain functions on arrays.

Glossary (the names below follow it):

- ``regret``: simple regret ``r_t = min_{s<=t} f(x_s) - f*`` (REFERENCE.md section 3), an array
  of shape ``(n_runs, n_trials)`` with one row per seed; ``+inf`` before a run's first
  successful trial.
- ``scores``: an array of shape ``(n_problems, n_methods)`` of per-problem summaries (medians
  over seeds), lower is better; what ranks and the Friedman test read.
- ``x, y``: final values of two methods paired by seed, shape ``(n_seeds,)``.

Regret can be exactly 0 (a grid that lands on x*) or a rounding error below it; every function
that takes a log first floors regret at :data:`REGRET_FLOOR`, so ``log10`` stays finite and
regrets below the floor count as equal.

:mod:`hpo.bench.summaries` turns :class:`~hpo.bench.records.RunRecord` lists into these arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats as sps

__all__ = [
    "ECDF_TARGETS",
    "NEMENYI_Q05",
    "REGRET_FLOOR",
    "FriedmanResult",
    "WilcoxonResult",
    "average_ranks",
    "cd_groups",
    "ecdf_solved",
    "floor_regret",
    "friedman_test",
    "holm",
    "log10_regret",
    "nemenyi_cd",
    "nemenyi_q",
    "normalized_score",
    "quantiles",
    "wilcoxon_signed_rank",
    "win_tie_loss",
]

#: Regret below this is reported as this (log10 = -12): double precision leaves about 1e-16
#: relative accuracy in f and f*, so smaller regrets of O(1) functions are rounding noise.
REGRET_FLOOR = 1e-12

#: COCO-style regret targets: 51 values log-spaced from 1e2 down to 1e-8 (REFERENCE.md 3).
ECDF_TARGETS = np.logspace(2, -8, 51)

#: Nemenyi q_0.05 for k = 2..10 methods (Demsar 2006, JMLR 7, Table 5a; REFERENCE.md 3).
_WILCOXON_EXACT_MAX = 500  # pairs; the exact count costs O(n^3)

NEMENYI_Q05 = {
    2: 1.960,
    3: 2.344,
    4: 2.569,
    5: 2.728,
    6: 2.850,
    7: 2.948,
    8: 3.031,
    9: 3.102,
    10: 3.164,
}


def floor_regret(regret: np.ndarray, floor: float = REGRET_FLOOR) -> np.ndarray:
    """Regret raised to at least ``floor`` (NaN and ``+inf`` pass through).

    Parameters
    ----------
    regret : array_like
        Simple regrets, any shape.
    floor : float
        Smallest regret reported; must be positive.
    """
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor!r}")
    r = np.asarray(regret, dtype=float)
    return np.where(np.isnan(r), np.nan, np.maximum(r, floor))


def log10_regret(regret: np.ndarray, floor: float = REGRET_FLOOR) -> np.ndarray:
    """``log10(max(regret, floor))``; ``+inf`` stays ``+inf`` (no successful trial yet)."""
    return np.log10(floor_regret(regret, floor))


def quantiles(
    x: np.ndarray, q: tuple[float, ...] = (0.5, 0.25, 0.75), axis: int = 0
) -> tuple[np.ndarray, ...]:
    """Quantiles along ``axis`` that ignore NaN and treat ``+inf`` as a value.

    ``numpy.quantile`` interpolates ``inf - inf`` into NaN; here the median of ``[1, inf, inf]``
    is ``inf``, as it should be for a run that has not succeeded yet.

    Parameters
    ----------
    x : array_like
        Values, typically of shape ``(n_seeds, n_trials)``.
    q : tuple of float
        Probabilities in [0, 1]; the default gives (median, 25 %, 75 %).
    axis : int
        Axis to reduce.

    Returns
    -------
    tuple of ndarray
        One array per ``q`` with ``axis`` removed; NaN where every value is NaN.
    """
    s = np.sort(np.moveaxis(np.asarray(x, dtype=float), axis, 0), axis=0)  # NaN sorts last
    n = np.sum(~np.isnan(s), axis=0)
    out = []
    for p in q:
        if not 0 <= p <= 1:
            raise ValueError(f"q must lie in [0, 1], got {p!r}")
        # Linear interpolation between order statistics (numpy's default "linear" method).
        pos = p * np.maximum(n - 1, 0)
        lo, hi = np.floor(pos).astype(int), np.ceil(pos).astype(int)
        a = np.take_along_axis(s, lo[None], axis=0)[0]
        b = np.take_along_axis(s, hi[None], axis=0)[0]
        with np.errstate(invalid="ignore"):
            v = np.where((lo == hi) | (a == b), a, a + (pos - lo) * (b - a))
        out.append(np.where(n > 0, v, np.nan))
    return tuple(out)


def normalized_score(
    best_so_far: np.ndarray, best_known: float, random_median: np.ndarray
) -> np.ndarray:
    """Bayesmark's normalized score: 0 at the best known loss, 1 at random search's median.

    Parameters
    ----------
    best_so_far : ndarray of shape (n_trials,) or (n_seeds, n_trials)
        Best loss after each trial.
    best_known : float
        The best loss seen by any method on the problem (``opt``).
    random_median : ndarray of shape (n_trials,)
        Median best-so-far loss of random search after each trial (``R_t``).

    Returns
    -------
    ndarray, same shape as ``best_so_far``
        ``(S_t - opt) / (R_t - opt)``; NaN where ``R_t <= opt`` (random search already at the
        best known loss) or beyond the length of ``random_median``. The median over seeds of
        this array equals Bayesmark's score of the median, since the map is increasing.
    """
    s = np.asarray(best_so_far, dtype=float)
    r = np.asarray(random_median, dtype=float)
    if r.ndim != 1:
        raise ValueError(f"random_median must be 1-D (one value per trial), got shape {r.shape}")
    n = s.shape[-1]
    r = np.concatenate([r[:n], np.full(max(n - r.size, 0), np.nan)])
    # score_t = (S_t - opt) / (R_t - opt)  (Bayesmark docs, "How scoring works")
    denom = r - best_known
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, (s - best_known) / np.where(denom > 0, denom, 1.0), np.nan)


def average_ranks(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rank methods within each problem (1 = lowest score, ties averaged) and average them.

    Parameters
    ----------
    scores : ndarray of shape (n_problems, n_methods)

    Returns
    -------
    ranks : ndarray of shape (n_problems, n_methods)
    mean_ranks : ndarray of shape (n_methods,)
    """
    s = _check_scores(scores)
    ranks = sps.rankdata(s, method="average", axis=1)
    return ranks, ranks.mean(axis=0)


class FriedmanResult(NamedTuple):
    """Friedman test on ranks and its Iman-Davenport F form (Demsar 2006, section 3.2.2)."""

    statistic: float
    pvalue: float
    f_statistic: float
    f_pvalue: float
    n_problems: int
    n_methods: int


def friedman_test(scores: np.ndarray) -> FriedmanResult:
    """Friedman test that all methods perform alike, from per-problem scores.

    Parameters
    ----------
    scores : ndarray of shape (n_problems, n_methods)
        At least 2 problems and 3 methods.

    Returns
    -------
    FriedmanResult
        ``statistic`` is chi2_F with the correction for ties used by
        ``scipy.stats.friedmanchisquare``; NaN with ``pvalue`` 1 when every problem is a tie.
    """
    s = _check_scores(scores)
    n, k = s.shape
    if k < 3 or n < 2:
        raise ValueError(f"scores must have at least 2 problems and 3 methods, got shape {s.shape}")
    ranks, mean_ranks = average_ranks(s)
    # chi2_F = 12 N / (k (k+1)) [sum_j R_j^2 - k (k+1)^2 / 4]   (Demsar 2006, section 3.2.2)
    chi2 = 12.0 * n / (k * (k + 1)) * (np.sum(mean_ranks**2) - k * (k + 1) ** 2 / 4.0)
    # tie correction C = 1 - sum(t^3 - t) / (N k (k^2 - 1)), t the sizes of tied groups
    ties = sum(np.sum(c**3 - c) for c in (np.unique(row, return_counts=True)[1] for row in ranks))
    c = 1.0 - ties / (n * k * (k * k - 1))
    if c <= 0:
        return FriedmanResult(np.nan, 1.0, np.nan, 1.0, n, k)
    chi2 /= c
    p = float(sps.chi2.sf(chi2, k - 1))
    # F_F = (N - 1) chi2_F / (N (k - 1) - chi2_F) ~ F(k - 1, (k - 1)(N - 1))   (Iman-Davenport)
    denom = n * (k - 1) - chi2
    f = (n - 1) * chi2 / denom if denom > 0 else np.inf
    f_p = float(sps.f.sf(f, k - 1, (k - 1) * (n - 1))) if np.isfinite(f) else 0.0
    return FriedmanResult(float(chi2), p, float(f), f_p, n, k)


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Critical value q_alpha of the Nemenyi test for ``k`` methods.

    From :data:`NEMENYI_Q05` for alpha = 0.05 and k <= 10; otherwise the studentized range
    quantile with infinite degrees of freedom divided by sqrt(2), which is how Demsar's table
    was computed (and reproduces it to 3 decimals).
    """
    if k < 2:
        raise ValueError(f"k must be at least 2 methods, got {k!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    if alpha == 0.05 and k in NEMENYI_Q05:
        return NEMENYI_Q05[k]
    return float(sps.studentized_range.ppf(1 - alpha, k, np.inf) / np.sqrt(2))


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference of average ranks for ``k`` methods on ``n`` problems.

    CD = q_alpha sqrt(k (k + 1) / (6 N))   (Demsar 2006, JMLR 7, section 3.2.2)
    """
    if n < 1:
        raise ValueError(f"n must be at least 1 problem, got {n!r}")
    return nemenyi_q(k, alpha) * float(np.sqrt(k * (k + 1) / (6.0 * n)))


class WilcoxonResult(NamedTuple):
    """Two-sided Wilcoxon signed-rank test of paired differences ``x - y``."""

    statistic: float  # min(r_plus, r_minus), as scipy reports it
    pvalue: float
    r_plus: float  # rank sum of positive differences (x worse than y when minimizing)
    r_minus: float
    n: int  # non-zero differences


def cd_groups(mean_ranks: np.ndarray, cd: float) -> list[tuple[int, ...]]:
    """Groups of methods whose average ranks lie within the critical difference.

    The bars of a critical-difference diagram (Demsar 2006, section 3.2.2): maximal runs of
    consecutive methods, in rank order, whose largest and smallest average ranks differ by
    less than ``cd``; runs of one method are left out.

    Parameters
    ----------
    mean_ranks : ndarray of shape (n_methods,)
    cd : float

    Returns
    -------
    list of tuple of int
        Indices into ``mean_ranks``, each group sorted by rank, groups by their best rank.
    """
    r = np.asarray(mean_ranks, dtype=float)
    order = np.argsort(r, kind="stable")
    groups: list[tuple[int, int]] = []
    for i in range(r.size):
        j = i
        while j + 1 < r.size and r[order[j + 1]] - r[order[i]] < cd:
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in groups):
            groups.append((i, j))
    return [tuple(int(order[m]) for m in range(a, b + 1)) for a, b in groups]


def wilcoxon_signed_rank(x: np.ndarray, y: np.ndarray) -> WilcoxonResult:
    """Two-sided Wilcoxon signed-rank test on paired samples, with an exact p-value.

    Zero differences are dropped (Wilcoxon's method) and tied absolute differences get
    average ranks. The p-value is exact under the sign-flip null for any n, ties included:
    the distribution of r_plus is counted over all 2^n sign patterns by dynamic programming
    on doubled (hence integer) ranks. It equals scipy's ``method="exact"`` without ties and its
    permutation p-value with ties. Above 500 pairs the normal approximation with the tie
    correction is used.

    Parameters
    ----------
    x, y : ndarray of shape (n_pairs,)

    Returns
    -------
    WilcoxonResult
        ``pvalue`` is 1 when every difference is zero.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of one length, got {x.shape} and {y.shape}")
    if np.any(np.isnan(x)) or np.any(np.isnan(y)):
        raise ValueError("x and y must not contain NaN")
    with np.errstate(invalid="ignore"):
        d = np.where(x == y, 0.0, x - y)  # inf == inf (no success in either run) is a tie
    d = d[d != 0]
    if d.size == 0:
        return WilcoxonResult(0.0, 1.0, 0.0, 0.0, 0)
    ranks2 = np.rint(2 * sps.rankdata(np.abs(d))).astype(int)  # average ranks are k/2
    r_plus2 = int(ranks2[d > 0].sum())
    total2 = int(ranks2.sum())
    if d.size <= _WILCOXON_EXACT_MAX:
        # pmf[s] = P(doubled r_plus = s) when each sign is + or - with probability 1/2
        pmf = np.zeros(total2 + 1)
        pmf[0] = 1.0
        for r in ranks2:
            pmf[r:] = 0.5 * (pmf[r:] + pmf[: total2 + 1 - r])
            pmf[:r] *= 0.5
        # two-sided p = 2 min(P(T+ <= t), P(T+ >= t)), capped at 1
        p = min(1.0, 2.0 * min(pmf[: r_plus2 + 1].sum(), pmf[r_plus2:].sum()))
    else:
        # normal approximation: mean n(n+1)/4, variance [n(n+1)(2n+1) - sum(t^3 - t)/2] / 24
        n = d.size
        t = np.unique(ranks2, return_counts=True)[1]
        sd = np.sqrt((n * (n + 1) * (2 * n + 1) - np.sum(t**3 - t) / 2.0) / 24.0)
        p = float(2 * sps.norm.sf(abs(r_plus2 / 2.0 - n * (n + 1) / 4.0) / sd))
    r_plus, r_minus = r_plus2 / 2.0, (total2 - r_plus2) / 2.0
    return WilcoxonResult(min(r_plus, r_minus), float(p), r_plus, r_minus, int(d.size))


def holm(pvalues: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control).

    p_adj(i) = max_{j <= i} min(1, (m - j + 1) p_(j)) for the p-values sorted ascending
    (Holm 1979, Scand. J. Statist. 6), returned in the input order. NaN entries are left out
    of the family and stay NaN.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    m = order.size
    adjusted = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(adjusted)
    return out


def win_tie_loss(x: np.ndarray, y: np.ndarray) -> tuple[int, int, int]:
    """Counts of pairs where ``x`` is lower (win), equal (tie) or higher (loss) than ``y``.

    Compare floored regrets (:func:`floor_regret`) so that regrets below the floor tie.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have one shape, got {x.shape} and {y.shape}")
    return int(np.sum(x < y)), int(np.sum(x == y)), int(np.sum(x > y))


def ecdf_solved(regret: np.ndarray, targets: np.ndarray = ECDF_TARGETS) -> np.ndarray:
    """Fraction of (run, target) pairs solved after each evaluation (COCO-style ECDF).

    Parameters
    ----------
    regret : ndarray of shape (n_runs, n_trials)
        Best-so-far regret of each (problem, seed) run, padded to a common length.
    targets : ndarray of shape (n_targets,)
        Regret targets; a run solves a target once its regret is at most the target.

    Returns
    -------
    ndarray of shape (n_trials,)
        Non-decreasing in the trial index for best-so-far input.
    """
    r = np.asarray(regret, dtype=float)
    if r.ndim != 2:
        raise ValueError(f"regret must be 2-D (n_runs, n_trials), got shape {r.shape}")
    t = np.asarray(targets, dtype=float).reshape(-1, 1, 1)
    return np.mean(r[None, :, :] <= t, axis=(0, 1))


def _check_scores(scores: np.ndarray) -> np.ndarray:
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.shape[0] < 1 or s.shape[1] < 1:
        raise ValueError(f"scores must be 2-D (n_problems, n_methods), got shape {s.shape}")
    if np.any(np.isnan(s)):
        raise ValueError("scores must not contain NaN (drop incomplete problems first)")
    return s
