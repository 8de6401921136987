"""Choose the output warping of a GP by the likelihood of the observed values.

Notation (as in :mod:`hpo.gp.warping`, plus)
--------------------------------------------
v        : the observed values, shape ``(n,)``; ``w = psi(v)`` a warping of them.
S_w      : the GP's standardization of ``w`` (:class:`hpo.gp._standardize.Standardization`,
           an affine map of slope ``a_w``), so the GP models ``S_w(w)``.

A warped GP (Snelson, Rasmussen & Ghahramani 2004, "Warped Gaussian processes", NeurIPS,
eq. 5) gives the observed values the density

    log p(v) = log N(S_w(psi(v)) | 0, K_y) + n log a_w + sum_i log psi'(v_i),

the GP's log marginal likelihood of the standardized warped values (R&W eq. 2.30) plus the
log-Jacobian of the map ``v -> S_w(psi(v))``. Unlike the GP's own likelihood, this compares
warpings on one scale, that of ``v``. :func:`warp_by_likelihood` fits one GP per candidate
warping and keeps the warping of the highest density, so that a quadratic bowl keeps its
identity (an ill-conditioned ellipsoid is a quadratic: a log-like warping bends it) while
values spanning decades in a narrow valley keep Yeo-Johnson's.

:func:`warp_every` is its cheaper form (``output_warping="likelihood-every"`` of
:class:`hpo.BayesianOptimization`): the same choice, made only when the number of values
reaches a multiple of :data:`DECIDE_EVERY`, and kept in between, so that a step costs
``2 / DECIDE_EVERY`` extra fits instead of two. (Deciding at every step without fits of its
own, at the hyperparameters of the GP fitted on the last choice with its Cholesky factor
reused, was tried and rejected: those hyperparameters favour the warping they were fitted
to by 5-20 nats, so the choice never changed; ``benchmarks/results/landscapes/quadfast.md``.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from hpo.gp._standardize import Standardization
from hpo.gp.regression import GaussianProcess
from hpo.gp.warping import fit_yeo_johnson, yeo_johnson

__all__ = [
    "DECIDE_EVERY",
    "LIKELIHOOD_CANDIDATES",
    "MIN_POINTS",
    "log_jacobian",
    "warp_by_likelihood",
    "warp_every",
]

#: The warpings :func:`warp_by_likelihood` chooses from by default, in order of preference
#: on ties (the copula transform, a step function of the ranks, has no density).
LIKELIHOOD_CANDIDATES = ("yeo-johnson", "none")
#: Below this many values the first candidate is kept (too few to compare models).
MIN_POINTS = 10
#: :func:`warp_every` decides when the number of values reaches a multiple of this.
DECIDE_EVERY = 4


def _slope(std: Standardization) -> float:
    return float(std(1.0) - std(0.0))


def log_jacobian(values: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The warped values ``w = psi(v)`` of :func:`hpo.gp.warp` and ``log psi'(v_i)``.

    For ``"yeo-johnson"``, ``psi(v) = YJ(S_v(v); lam)`` with ``S_v`` the standardization of
    ``v`` (slope ``a_v``) and ``lam`` fitted as :func:`hpo.gp.warping.fit_yeo_johnson`
    does, so ``psi'(v) = a_v YJ'(s)`` with ``YJ'(s) = (1 + s)^(lam - 1)`` for ``s >= 0`` and
    ``(1 - s)^(1 - lam)`` for ``s < 0`` (Yeo & Johnson 2000, eq. 2.1 differentiated).

    Parameters
    ----------
    values : ndarray of shape (n,)
    method : {"yeo-johnson", "none"}

    Returns
    -------
    w, log_derivative : ndarrays of shape (n,)
    """
    v = np.asarray(values, dtype=float)
    if method == "none":
        return v.copy(), np.zeros(len(v))
    if method != "yeo-johnson":
        raise ValueError(f"method must be 'yeo-johnson' or 'none', got {method!r}")
    std = Standardization.of(v)
    s = std(v)
    lam = fit_yeo_johnson(s)
    exponent = np.where(s >= 0, lam - 1.0, 1.0 - lam)
    log_derivative = exponent * np.log1p(np.abs(s)) + np.log(_slope(std))
    return yeo_johnson(s, lam), log_derivative


def warp_by_likelihood(
    values: np.ndarray,
    X: np.ndarray,
    make_gp: Callable[[], GaussianProcess],
    candidates: Sequence[str] = LIKELIHOOD_CANDIDATES,
) -> tuple[np.ndarray, str]:
    """The warped values of the candidate warping under which ``values`` are most likely.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Finite observed values (minimized).
    X : ndarray of shape (n, p)
        The GP inputs of the values.
    make_gp : callable
        Returns a new, unfitted GP; each candidate gets its own, fitted (MAP, from the
        default hyperparameters, no restarts: no random numbers drawn) on its warped values.
    candidates : sequence of {"yeo-johnson", "none"}
        In order of preference on ties.

    Returns
    -------
    w : ndarray of shape (n,)
        The chosen warping of ``values``.
    method : str
        Its name. With fewer than :data:`MIN_POINTS` values, the first candidate.
    """
    v = np.asarray(values, dtype=float)
    if len(candidates) == 0:
        raise ValueError("candidates must name at least one warping")
    if len(v) < MIN_POINTS:
        return log_jacobian(v, candidates[0])[0], candidates[0]
    best: tuple[float, np.ndarray, str] | None = None
    for method in candidates:
        w, log_derivative = log_jacobian(v, method)
        gp = make_gp().fit(X, w)
        # log p(v) = log N(S_w(w)) + n log a_w + sum log psi'(v)   (Snelson et al. eq. 5)
        total = (
            gp.log_marginal_likelihood()
            + len(w) * np.log(float(gp.standardize_y(1.0) - gp.standardize_y(0.0)))
            + float(np.sum(log_derivative))
        )
        if best is None or total > best[0]:
            best = (total, w, method)
    assert best is not None
    return best[1], best[2]


def warp_every(
    values: np.ndarray,
    X: np.ndarray,
    make_gp: Callable[[], GaussianProcess],
    last: tuple[str, int] | None,
    every: int = DECIDE_EVERY,
    candidates: Sequence[str] = LIKELIHOOD_CANDIDATES,
) -> tuple[np.ndarray, tuple[str, int]]:
    """:func:`warp_by_likelihood`'s choice, remade only when ``len(values)`` reached a new
    multiple of ``every`` since the ``last`` decision (or that one had too few values).

    Parameters
    ----------
    values, X, make_gp, candidates
        As for :func:`warp_by_likelihood`.
    last : (str, int) or None
        The last decision: the warping chosen and the number of values it was made on;
        None before the first.
    every : int, default :data:`DECIDE_EVERY`
        1 decides at every call (then the same as :func:`warp_by_likelihood`).

    Returns
    -------
    w : ndarray of shape (n,)
        ``values`` under the warping in force.
    decision : (str, int)
        The warping in force and the number of values it was chosen on: the ``last`` to
        pass to the next call.
    """
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    v = np.asarray(values, dtype=float)
    n = len(v)
    if last is not None and last[1] >= MIN_POINTS and last[1] // every == n // every:
        return log_jacobian(v, last[0])[0], last
    w, method = warp_by_likelihood(v, X, make_gp, candidates)
    return w, (method, n)
