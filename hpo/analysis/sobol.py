"""Sobol indices of hpo's Gaussian process: of its posterior mean, with a band from samples.

The GP (:class:`hpo.gp.GaussianProcess`) is fitted to the trials in the unit cube, where the
uniform measure is the space's own (log-uniform on log axes, one equal share per integer value
and per categorical level; points are snapped to the centres of their bins before the GP sees
them). Its posterior mean ``m`` is then decomposed with the estimators of Saltelli et al.
(2010), *Variance based sensitivity analysis of model output*, Comput. Phys. Commun. 181,
Table 2, on two scrambled Sobol' matrices ``A`` and ``B`` (``A_B^i``: ``A`` with column ``i``
from ``B``):

* first order (Table 2, b):  ``S_i  = mean(f(B) (f(A_B^i) - f(A))) / V``;
* total (Table 2, f; Jansen 1999): ``ST_i = mean((f(A) - f(A_B^i))^2) / (2 V)``;

with ``V`` the variance of ``f`` over ``A`` and ``B`` together. The uncertainty band repeats the
estimate on joint draws of the posterior (not only its mean) over a smaller design, so it holds
both the GP's uncertainty and the Monte Carlo error of that design.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.linalg import cholesky, solve_triangular
from scipy.stats import qmc

from hpo._seed import spawn_seed
from hpo.gp import GaussianProcess

__all__ = [
    "GPSobol",
    "fit_gp",
    "gp_sobol",
    "posterior_covariance",
    "posterior_mean",
    "saltelli_indices",
]


def fit_gp(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator, max_fit: int = 256
) -> GaussianProcess:
    """Fit hpo's GP to unit points: hyperparameters (MAP) on at most ``max_fit`` of them drawn
    at random, then conditioned on all of them.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
    rng : numpy.random.Generator
    max_fit : int, default 256
        Largest number of points the hyperparameter fit sees (its cost grows as ``n^3``).
    """
    gp = GaussianProcess()
    if len(y) <= max_fit:
        return gp.fit(X, y, rng=rng)
    rows = np.sort(rng.choice(len(y), max_fit, replace=False))
    gp.fit(X[rows], y[rows], rng=rng)
    return gp.fit(X, y, optimize=False)


def posterior_covariance(gp: GaussianProcess, Z: np.ndarray) -> np.ndarray:
    """Joint posterior covariance of the latent function at ``Z`` (units of ``y``).

    ``Sigma = k(Z, Z) - v^T v`` with ``v = L^{-1} k(X, Z)`` (Rasmussen & Williams 2006,
    eq. 2.24 and Algorithm 2.1), from the fitted GP's documented ``kernel``, ``X_train``
    and ``L``; rescaled from the GP's standardized units to those of ``y``.

    Parameters
    ----------
    gp : GaussianProcess
        A fitted GP.
    Z : ndarray of shape (m, d)

    Returns
    -------
    ndarray of shape (m, m)
    """
    v = solve_triangular(gp.L, gp.kernel(gp.X_train, Z), lower=True, check_finite=False)
    cov = gp.kernel(Z, Z) - v.T @ v
    scale = 1.0 / float(gp.standardize_y(1.0) - gp.standardize_y(0.0))  # std of y
    return cov * scale**2


def posterior_mean(gp: GaussianProcess, Z: np.ndarray) -> np.ndarray:
    """Posterior mean at ``Z`` of shape ``(m, d)`` in the units of ``y``: ``k_*^T alpha``
    (R&W Algorithm 2.1, line 4) from the documented ``kernel``, ``X_train`` and ``alpha``,
    without the variance that :meth:`GaussianProcess.predict` also computes; in blocks."""
    scale = 1.0 / float(gp.standardize_y(1.0) - gp.standardize_y(0.0))
    shift = -float(gp.standardize_y(0.0)) * scale
    step = max(1, 4_000_000 // max(1, len(gp.X_train)))
    out = np.concatenate(
        [gp.kernel(Z[a : a + step], gp.X_train) @ gp.alpha for a in range(0, len(Z), step)]
    )
    return out * scale + shift


def saltelli_indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> tuple:
    """First-order and total indices from ``f(A)``, ``f(B)`` (shape ``(..., N)``) and
    ``f(A_B^i)`` (shape ``(..., d, N)``), by Saltelli et al. 2010, Table 2 (b) and (f).

    Returns ``(S, ST)``, each of shape ``(..., d)`` (zeros where ``V = 0``)."""
    var = np.var(np.concatenate([f_a, f_b], axis=-1), axis=-1)[..., None]
    first = np.mean(f_b[..., None, :] * (f_ab - f_a[..., None, :]), axis=-1)
    total = 0.5 * np.mean((f_a[..., None, :] - f_ab) ** 2, axis=-1)
    safe = np.where(var > 0, var, 1.0)
    return np.where(var > 0, first / safe, 0.0), np.where(var > 0, total / safe, 0.0)


def _design(
    d: int, n: int, rng: np.random.Generator, snap: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, ...]:
    """``A``, ``B`` (``(n, d)``) and the stacked ``A_B^i`` (``(d, n, d)``), snapped."""
    AB = qmc.Sobol(2 * d, scramble=True, seed=spawn_seed(rng)).random(n)
    A, B = snap(AB[:, :d]), snap(AB[:, d:])
    ABi = np.repeat(A[None], d, axis=0)
    for i in range(d):
        ABi[i, :, i] = B[:, i]
    return A, B, ABi


@dataclass
class GPSobol:
    """Sobol indices of the GP: ``first``/``total`` of the posterior mean, and 5 % and 95 %
    quantiles over posterior draws (``first_band``/``total_band``, shape ``(2, d)``) and
    pairwise interactions ``pairs[i, j]`` (``i < j``)."""

    first: np.ndarray
    total: np.ndarray
    first_band: np.ndarray | None
    total_band: np.ndarray | None
    pairs: np.ndarray
    gp: GaussianProcess


def gp_sobol(
    gp: GaussianProcess,
    d: int,
    rng: np.random.Generator,
    *,
    snap: Callable[[np.ndarray], np.ndarray] | None = None,
    n_base: int = 1024,
    n_draws: int = 64,
    n_base_draws: int = 64,
    n_pairs: int = 0,
) -> GPSobol:
    """Sobol indices of a fitted GP over the unit cube.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted on unit points of dimension ``d``.
    d : int
    rng : numpy.random.Generator
        Source of the scrambled Sobol' designs and of the posterior draws.
    snap : callable, optional
        Maps unit points to the centres of their integer and categorical bins
        (:meth:`hpo.Space.snap`); the identity by default.
    n_base : int, default 1024
        Rows of ``A`` and ``B`` for the posterior mean (``n_base (d + 2)`` predictions).
    n_draws : int, default 64
        Posterior draws for the band (0: no band).
    n_base_draws : int, default 64
        Rows of the design the draws are evaluated on (a joint draw over
        ``n_base_draws (d + 2)`` points).
    n_pairs : int, default 0
        Pairwise interactions are estimated among the ``n_pairs`` axes of largest total
        effect: ``S_ij = V^c_ij / V - S_i - S_j`` with
        the closed variance ``V^c_ij = mean(f(B) (f(A_B^ij) - f(A)))`` (the estimator of
        Table 2 (b) for the set ``{i, j}``), ``n_base`` predictions each.
    """
    snap = snap or (lambda U: U)
    A, B, ABi = _design(d, n_base, rng, snap)
    pts = np.concatenate([A, B, ABi.reshape(-1, d)])
    f = posterior_mean(gp, pts)
    first, total = saltelli_indices(
        f[:n_base], f[n_base : 2 * n_base], f[2 * n_base :].reshape(d, n_base)
    )
    pair = np.zeros((d, d))
    f_a, f_b = f[:n_base], f[n_base : 2 * n_base]
    var = float(np.var(np.concatenate([f_a, f_b])))
    top = sorted(np.argsort(-total, kind="stable")[:n_pairs]) if n_pairs > 1 else []
    for i, j in combinations(top, 2):
        Aij = A.copy()
        Aij[:, [i, j]] = B[:, [i, j]]
        closed = np.mean(f_b * (posterior_mean(gp, Aij) - f_a))
        pair[i, j] = closed / var - first[i] - first[j] if var > 0 else 0.0
    first_band = total_band = None
    if n_draws > 0:
        A, B, ABi = _design(d, n_base_draws, rng, snap)
        Z = np.concatenate([A, B, ABi.reshape(-1, d)])
        Z, inverse = np.unique(Z, axis=0, return_inverse=True)  # snapped points may repeat
        cov = posterior_covariance(gp, Z)
        jitter = 1e-9 * max(float(np.mean(np.diag(cov))), 1e-300)
        for _ in range(6):  # jitter until the Cholesky factorization succeeds
            try:
                C = cholesky(cov + jitter * np.eye(len(Z)), lower=True, check_finite=False)
                break
            except np.linalg.LinAlgError:
                jitter *= 100.0
        else:  # pragma: no cover - a covariance this broken means a broken GP
            raise np.linalg.LinAlgError("posterior covariance is not positive semi-definite")
        mean = posterior_mean(gp, Z)
        draws = mean[None, :] + (C @ rng.standard_normal((len(Z), n_draws))).T
        draws = np.concatenate([mean[None, :], draws])[:, inverse.ravel()]
        n = n_base_draws
        s, st = saltelli_indices(
            draws[:, :n], draws[:, n : 2 * n], draws[:, 2 * n :].reshape(-1, d, n)
        )
        # The mean on the same small design is a control variate: the band is the spread of
        # (draw - mean) on it, added to the precise estimate of the mean.
        first_band = first + np.quantile(s[1:] - s[0], [0.05, 0.95], axis=0)
        total_band = total + np.quantile(st[1:] - st[0], [0.05, 0.95], axis=0)
    return GPSobol(first, total, first_band, total_band, pair, gp)
