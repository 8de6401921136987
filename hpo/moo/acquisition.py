"""Multi-objective acquisition maths: exact 2-objective EHVI and ParEGO scalarizations.

Notation
--------
P          : the current Pareto front (minimization), points ``(x_i, y_i)`` sorted by the first
             objective ascending, so the second descends; ``r`` the reference point.
mu, sigma  : the posterior means and standard deviations of the two objectives at a candidate
             (independent GPs, one per objective), arrays of shape ``(n, 2)``.
psi(c)     : ``E[max(0, c - Y)]`` for ``Y ~ N(mu, sigma^2)``, ``= sigma h((c - mu) / sigma)``
             with ``h(z) = phi(z) + z Phi(z)`` (the expected-improvement function).
"""

from __future__ import annotations

import numpy as np

from hpo.gp.acquisition import log_h
from hpo.moo.dominance import is_non_dominated

__all__ = [
    "chebyshev_weights",
    "expected_hypervolume_improvement",
    "log_ehvi_and_gradient",
    "parego_scalarize",
]


def _cells(
    front: np.ndarray, reference: np.ndarray, lower: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Vertical strips that tile the region no point of ``front`` dominates, below ``r``.

    Strip ``i`` (``i = 0..k``) is ``[x_i, x_{i+1}) x (-inf, y_i)`` with ``x_0 = -inf``,
    ``y_0 = r_2`` and ``x_{k+1} = r_1``: for first-objective values in ``[x_i, x_{i+1})`` the
    front dominates exactly the second-objective values ``>= y_i``.
    """
    F = np.asarray(front, dtype=float).reshape(-1, 2)
    F = F[np.all(F < reference, axis=1)]
    if len(F):
        F = np.unique(F[is_non_dominated(F)], axis=0)  # sorted by the first objective
    left = -np.inf if lower is None else lower[0]
    upper = np.concatenate([F[:, 0], [reference[0]]])
    top = np.concatenate([[reference[1]], F[:, 1]])
    return np.column_stack([np.concatenate([[left], F[:, 0]]), upper]), top


def _log_psi(c: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    # log E[max(0, c - Y)] = log sigma + log h((c - mu) / sigma); -inf at c = -inf
    with np.errstate(invalid="ignore"):
        z = (c - mu) / sigma
    out = np.full(np.broadcast(c, mu, sigma).shape, -np.inf)
    finite = np.isfinite(z)
    out[finite] = np.log(np.broadcast_to(sigma, out.shape)[finite]) + log_h(z[finite])[0]
    return out


def _log_psi_difference(b, a, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    # log(psi(b) - psi(a)) = log psi(b) + log(1 - exp(log psi(a) - log psi(b))), a <= b
    log_upper, log_lower = _log_psi(b, mu, sigma), _log_psi(a, mu, sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.minimum(log_lower - log_upper, 0.0)
        return log_upper + np.log(-np.expm1(gap))


def expected_hypervolume_improvement(
    mu: np.ndarray,
    sigma: np.ndarray,
    front: np.ndarray,
    reference: np.ndarray,
    *,
    log: bool = False,
    lower: np.ndarray | None = None,
) -> np.ndarray:
    """Exact expected hypervolume improvement of two independent Gaussian objectives.

    With the strips of :func:`_cells`, the improvement of a new point ``Y`` inside strip ``i``
    is the rectangle ``[max(x_i, Y_1), x_{i+1}) x [Y_2, y_i)``, a product of a term in ``Y_1``
    and a term in ``Y_2``, so by independence (Emmerich, Giannakoglou & Naujoks 2006; the strip
    form of Yang, Emmerich, Deutz & Baeck 2019, "Efficient computation of expected hypervolume
    improvement using box decomposition algorithms", J. Glob. Optim. 75)::

        EHVI = sum_i [psi_1(x_{i+1}) - psi_1(x_i)] psi_2(y_i),

    using ``E[max(0, b - max(a, Y))] = psi(b) - psi(a)`` for ``a < b``. O(k) per candidate.

    Parameters
    ----------
    mu, sigma : ndarray of shape (n, 2)
        Posterior means and standard deviations (``sigma > 0``) of the two objectives.
    front : ndarray of shape (k, 2)
        Observed objective vectors (dominated ones are ignored).
    reference : array-like of shape (2,)
    log : bool, default False
        Return ``log EHVI``, computed from log-space terms so that it stays finite and
        informative where EHVI underflows (the log-EI idea of Ament et al. 2023).
    lower : array-like of shape (2,), optional
        A lower corner ``l`` below every point of ``front``: the improvement is measured in
        the box ``[l, r]`` only, so ``x_0 = l_1`` and ``psi_2(y_i)`` becomes
        ``psi_2(y_i) - psi_2(l_2)``. A model that extrapolates an objective below anything
        observed then gains at most the box's margin, not an unbounded strip.

    Returns
    -------
    ndarray of shape (n,)
    """
    mu, sigma, r, low = _checked(mu, sigma, reference, lower, "expected_hypervolume_improvement")
    bounds, top = _cells(front, r, low)
    m1, s1 = mu[:, :1], sigma[:, :1]
    m2, s2 = mu[:, 1:], sigma[:, 1:]
    log_width = _log_psi_difference(bounds[None, :, 1], bounds[None, :, 0], m1, s1)
    bottom = -np.inf if low is None else low[1]
    log_terms = log_width + _log_psi_difference(top[None, :], bottom, m2, s2)
    peak = np.max(log_terms, axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):
        log_ehvi = peak[:, 0] + np.log(np.sum(np.exp(log_terms - peak), axis=1))
    log_ehvi = np.where(np.isfinite(peak[:, 0]), log_ehvi, -np.inf)
    return log_ehvi if log else np.exp(log_ehvi)


def _log_psi_and_gradient(
    c: np.ndarray, mu: np.ndarray, sigma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log psi(c)`` and its derivatives in ``mu`` and ``sigma`` (0 where ``c = -inf``).

    ``psi = sigma h(z)``, ``z = (c - mu) / sigma``, and with ``g = h'(z) / h(z)`` (from
    :func:`hpo.gp.acquisition.log_h`): ``d log psi / d mu = -g / sigma`` and
    ``d log psi / d sigma = (1 - z g) / sigma``.
    """
    shape = np.broadcast(c, mu, sigma).shape
    c, mu, sigma = (np.broadcast_to(a, shape) for a in (c, mu, sigma))
    out, dmu, dsigma = np.full(shape, -np.inf), np.zeros(shape), np.zeros(shape)
    finite = np.isfinite(c)
    s = sigma[finite]
    z = (c[finite] - mu[finite]) / s
    lh, g = log_h(z)
    out[finite] = np.log(s) + lh
    dmu[finite] = -g / s
    dsigma[finite] = (1.0 - z * g) / s
    return out, dmu, dsigma


def _log_psi_difference_and_gradient(b, a, mu: np.ndarray, sigma: np.ndarray):
    """``log W = log(psi(b) - psi(a))`` and its derivatives in ``mu`` and ``sigma``:
    ``d log W = (d log psi(b) - e^D d log psi(a)) / (1 - e^D)``, ``D = log psi(a) - log psi(b)``.
    """
    lb, db_mu, db_s = _log_psi_and_gradient(b, mu, sigma)
    la, da_mu, da_s = _log_psi_and_gradient(a, mu, sigma)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        e = np.exp(np.minimum(la - lb, 0.0))  # e^D, 0 where a = -inf
        one_minus = -np.expm1(np.minimum(la - lb, 0.0))
        log_w = lb + np.log(one_minus)
        dw_mu = np.nan_to_num((db_mu - e * da_mu) / one_minus)
        dw_s = np.nan_to_num((db_s - e * da_s) / one_minus)
    return log_w, dw_mu, dw_s


def log_ehvi_and_gradient(
    mu: np.ndarray,
    sigma: np.ndarray,
    front: np.ndarray,
    reference: np.ndarray,
    *,
    lower: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log EHVI`` of :func:`expected_hypervolume_improvement` and its gradient.

    With ``W_i = psi_1(b_i) - psi_1(a_i)`` and ``P_i = psi_2(y_i)``, ``EHVI = sum_i W_i P_i``,
    so ``d log EHVI = sum_i w_i (d log W_i + d log P_i)`` with the weights
    ``w_i = W_i P_i / EHVI`` (computed from the log terms, so they stay exact where EHVI
    underflows), and ``d log W = (d log psi(b) - e^D d log psi(a)) / (1 - e^D)`` with
    ``D = log psi(a) - log psi(b) <= 0``. Checked against finite differences in
    tests/moo/test_acquisition.py.

    Parameters
    ----------
    mu, sigma : ndarray of shape (n, 2)
    front : ndarray of shape (k, 2)
    reference, lower : array-like of shape (2,)
        As in :func:`expected_hypervolume_improvement`.

    Returns
    -------
    log_ehvi : ndarray of shape (n,)
    dmu, dsigma : ndarray of shape (n, 2)
        Derivatives of ``log_ehvi`` in the means and the standard deviations (0 where
        ``log_ehvi`` is ``-inf``).
    """
    mu, sigma, r, low = _checked(mu, sigma, reference, lower, "log_ehvi_and_gradient")
    bounds, top = _cells(front, r, low)
    m1, s1, m2, s2 = mu[:, :1], sigma[:, :1], mu[:, 1:], sigma[:, 1:]
    bottom = -np.inf if low is None else low[1]
    log_w, dw_mu, dw_s = _log_psi_difference_and_gradient(
        bounds[None, :, 1], bounds[None, :, 0], m1, s1
    )  # (n, k+1)
    lp, dp_mu, dp_s = _log_psi_difference_and_gradient(top[None, :], bottom, m2, s2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_terms = log_w + lp
        peak = np.max(log_terms, axis=1, keepdims=True)
        weights = np.exp(log_terms - peak)
        total = np.sum(weights, axis=1, keepdims=True)
        log_ehvi = peak[:, 0] + np.log(total[:, 0])
        weights = weights / total
    ok = np.isfinite(peak[:, 0])
    log_ehvi = np.where(ok, log_ehvi, -np.inf)
    weights = np.where(ok[:, None] & np.isfinite(log_terms), weights, 0.0)
    dmu = np.column_stack([np.sum(weights * dw_mu, axis=1), np.sum(weights * dp_mu, axis=1)])
    dsigma = np.column_stack([np.sum(weights * dw_s, axis=1), np.sum(weights * dp_s, axis=1)])
    return log_ehvi, dmu, dsigma


def chebyshev_weights(n_objectives: int, rng: np.random.Generator, *, s: int | None = None):
    """A weight vector drawn uniformly from ParEGO's simplex lattice.

    Knowles (2006), "ParEGO: a hybrid algorithm with on-line landscape approximation for
    expensive multiobjective optimization problems", IEEE TEC 10(1), section III-B: the
    vectors whose components are in ``{0, 1/s, ..., s/s}`` and sum to 1 (``s = 10`` for two
    objectives, 4 for three, as there; other m: ``s = 4``).

    Returns
    -------
    ndarray of shape (n_objectives,)
    """
    if s is None:
        s = 10 if n_objectives == 2 else 4
    # a uniform composition of s into n_objectives parts: stars and bars
    bars = np.sort(rng.choice(s + n_objectives - 1, size=n_objectives - 1, replace=False))
    parts = np.diff(np.concatenate([[-1], bars, [s + n_objectives - 1]])) - 1
    return parts / s


def parego_scalarize(values: np.ndarray, weights: np.ndarray, *, rho: float = 0.05) -> np.ndarray:
    """ParEGO's augmented Chebyshev scalarization of objective vectors (minimized).

    Knowles (2006), eq. (2): objectives normalized to [0, 1] by the observed minimum and maximum,
    then ``f_lambda(x) = max_j (lambda_j f_j(x)) + rho sum_j lambda_j f_j(x)``, rho = 0.05.

    Parameters
    ----------
    values : ndarray of shape (n, m)
    weights : ndarray of shape (m,)

    Returns
    -------
    ndarray of shape (n,)
    """
    Y = np.asarray(values, dtype=float)
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    weighted = weights * (Y - lo) / span
    return weighted.max(axis=1) + rho * weighted.sum(axis=1)


def _checked(
    mu: np.ndarray,
    sigma: np.ndarray,
    reference: np.ndarray,
    lower: np.ndarray | None,
    caller: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The posterior means and deviations as ``(n, 2)`` arrays, the reference point and the
    lower corner as arrays; a ValueError naming ``caller`` for any other shape."""
    mu = np.atleast_2d(np.asarray(mu, dtype=float))
    sigma = np.atleast_2d(np.asarray(sigma, dtype=float))
    r = np.asarray(reference, dtype=float)
    if mu.shape[-1] != 2 or sigma.shape != mu.shape or r.shape != (2,):
        raise ValueError(f"{caller}: two objectives, mu and sigma (n, 2)")
    if np.any(sigma <= 0):
        raise ValueError(f"{caller}: sigma must be positive")
    return mu, sigma, r, None if lower is None else np.asarray(lower, dtype=float)
