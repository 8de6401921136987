"""Monotone output warpings, to tame heavy-tailed objective values before GP regression.

Notation
--------
y     : observed values, shape ``(n,)`` (minimized); ``y_s`` the standardized values.
lam   : the Yeo-Johnson exponent; ``psi(y_s; lam)`` the transform.

A warping is increasing, so the order of the values (and the incumbent) is kept; the GP then
models ``psi(y)`` instead of ``y``. Losses such as Rosenbrock's span orders of magnitude: a
few huge values dominate a Gaussian likelihood and flatten the model where the minimum is.

* ``"yeo-johnson"``: Yeo & Johnson (2000), "A new family of power transformations to improve
  normality or symmetry", Biometrika 87(4), eq. (2.1), applied to standardized values, with
  ``lam`` fitted by maximum likelihood (the normal log likelihood of the transformed values
  plus the log-Jacobian, as in scipy.stats.yeojohnson_llf).
* ``"copula"``: the Gaussian copula transform of Salinas et al. (2020), "A quantile-based
  approach for hyperparameter transfer learning", ICML: ``Phi^{-1}((rank - 1/2) / n)``.
* ``"none"``: identity.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import ndtri
from scipy.stats import rankdata

from hpo.gp._standardize import Standardization

__all__ = ["WARPINGS", "fit_yeo_johnson", "warp", "yeo_johnson"]

WARPINGS = ("none", "yeo-johnson", "copula")
_LAMBDA_BOUNDS = (-2.0, 2.0)


def yeo_johnson(y: np.ndarray, lam: float) -> np.ndarray:
    """``psi(y; lam)`` of Yeo & Johnson (2000), eq. (2.1):

    ``((y + 1)^lam - 1) / lam`` for ``y >= 0`` (``log1p(y)`` at ``lam = 0``), and
    ``-((1 - y)^(2 - lam) - 1) / (2 - lam)`` for ``y < 0`` (``-log1p(-y)`` at ``lam = 2``).
    """
    y = np.asarray(y, dtype=float)
    out = np.empty_like(y)
    pos = y >= 0
    if abs(lam) < 1e-12:
        out[pos] = np.log1p(y[pos])
    else:
        out[pos] = np.expm1(lam * np.log1p(y[pos])) / lam
    if abs(lam - 2.0) < 1e-12:
        out[~pos] = -np.log1p(-y[~pos])
    else:
        out[~pos] = -np.expm1((2.0 - lam) * np.log1p(-y[~pos])) / (2.0 - lam)
    return out


def _neg_log_likelihood(lam: float, y: np.ndarray) -> float:
    # Normal log likelihood of psi(y) with its MLE variance, plus the log-Jacobian
    # (lam - 1) sum sign(y) log(1 + |y|): -n/2 log var(psi) + (lam - 1) sum ...
    psi = yeo_johnson(y, lam)
    var = np.var(psi)
    if not var > 0:
        return np.inf
    return 0.5 * len(y) * np.log(var) - (lam - 1.0) * np.sum(np.sign(y) * np.log1p(np.abs(y)))


def fit_yeo_johnson(y: np.ndarray) -> float:
    """The maximum-likelihood ``lam`` in [-2, 2] for values ``y`` (standardize them first)."""
    res = minimize_scalar(_neg_log_likelihood, bounds=_LAMBDA_BOUNDS, args=(y,), method="bounded")
    return float(res.x) if np.isfinite(res.fun) else 1.0


def warp(y: np.ndarray, method: str = "yeo-johnson") -> np.ndarray:
    """Apply the increasing warping ``method`` to the values ``y``, shape ``(n,)``.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Finite values.
    method : {"none", "yeo-johnson", "copula"}

    Returns
    -------
    ndarray of shape (n,)
        Warped values, in the same order as ``y`` (ties stay ties).
    """
    if method not in WARPINGS:
        raise ValueError(f"output warping must be one of {WARPINGS}, got {method!r}")
    y = np.asarray(y, dtype=float)
    if method == "none" or len(y) < 3:
        return y.copy()
    if method == "copula":
        return ndtri((rankdata(y) - 0.5) / len(y))
    ys = Standardization.of(y)(y)  # scale-free: no overflow, c * y + b warps like y
    return yeo_johnson(ys, fit_yeo_johnson(ys))
