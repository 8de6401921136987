"""A derivative-free quadratic model step inside the trust region of Bayesian optimization.

Model-based derivative-free methods (Powell 2009, "The BOBYQA algorithm for bound constrained
optimization without derivatives", report DAMTP 2009/NA06; Conn, Scheinberg & Vicente 2009,
"Introduction to Derivative-Free Optimization", SIAM, ch. 4-6 and 10) fit a quadratic

    Q(z) = c + g^T z + 1/2 z^T H z

to the objective's values at evaluated points near the incumbent and step to the minimizer
of ``Q`` in a trust region. Here the region is TuRBO's box of
:mod:`hpo.optimizers._trust_region`, and the step is one more proposal of
:class:`hpo.BayesianOptimization` (``TrustRegion(local_model=...)`` says when).

Notation
--------
c0 : the incumbent in the unit cube; s : the box's half-sides (positive).
z : scaled coordinates ``z = (u - c0) / s``; the box is (a part of) ``[-1, 1]^d`` in ``z``.
p : ``(d + 1)(d + 2) / 2``, the number of coefficients of a quadratic in ``d`` variables.

The model (:func:`fit_quadratic`), on ``m`` points:

* ``m >= p``: least squares over the full quadratic basis (CSV 2009, section 4.4,
  regression models);
* ``d + 2 <= m < p``: the minimum-Frobenius-norm interpolant (CSV 2009, section 5.3,
  eq. (5.7); Powell's NEWUOA/BOBYQA use its variant on the change of ``H``): minimize
  ``||H||_F^2`` subject to ``Q(z_i) = f_i``, solved from the KKT system
  ``[[M_Q M_Q^T, M_L], [M_L^T, 0]] [lam; a_L] = [f; 0]``, ``a_Q = M_Q^T lam``, with the
  quadratic basis ``z_i^2 / 2`` and ``z_i z_j / sqrt(2)`` so that ``||a_Q||^2 = ||H||_F^2``;
* fewer points, or a system whose condition number exceeds ``max_condition`` (points that
  do not span the space, a poor geometry in the sense of CSV 2009, ch. 3 and 6): no model.

The step (:func:`minimize_in_box`) minimizes ``Q`` over the box by L-BFGS-B from a few
starts (``Q`` may be indefinite); a convex ``Q`` whose Newton
point lies in the box is solved exactly by the Newton point. :func:`model_step` returns
None (the caller falls back to the acquisition's proposal) when no model can be built, when
``Q`` predicts no decrease, or when the step lands on an evaluated point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

__all__ = ["QuadraticModel", "fit_quadratic", "minimize_in_box", "model_step"]

_SQRT2 = np.sqrt(2.0)


@dataclass(frozen=True)
class QuadraticModel:
    """``Q(z) = c + g^T z + 1/2 z^T H z`` in scaled coordinates.

    Parameters
    ----------
    c : float
    g : ndarray of shape (d,)
    H : ndarray of shape (d, d), symmetric
    kind : {"regression", "min-frobenius"}
        How it was fitted.
    """

    c: float
    g: np.ndarray
    H: np.ndarray
    kind: str

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        """The model's values at points ``Z`` of shape (m, d)."""
        Z = np.atleast_2d(Z)
        return self.c + Z @ self.g + 0.5 * np.einsum("ij,jk,ik->i", Z, self.H, Z)


def _quadratic_basis(Z: np.ndarray) -> np.ndarray:
    """Columns ``z_i^2 / 2`` then ``z_i z_j / sqrt(2)`` (i < j): ``||a_Q|| = ||H||_F``."""
    d = Z.shape[1]
    iu, ju = np.triu_indices(d, k=1)
    return np.hstack([0.5 * Z**2, Z[:, iu] * Z[:, ju] / _SQRT2])


def _unpack(a_L: np.ndarray, a_Q: np.ndarray, d: int) -> tuple[float, np.ndarray, np.ndarray]:
    H = np.diag(a_Q[:d]).astype(float)
    iu, ju = np.triu_indices(d, k=1)
    H[iu, ju] = H[ju, iu] = a_Q[d:] / _SQRT2
    return float(a_L[0]), a_L[1:].copy(), H


def fit_quadratic(
    Z: np.ndarray, f: np.ndarray, max_condition: float = 1e10
) -> QuadraticModel | None:
    """A quadratic model of ``f`` on points ``Z`` (regression or minimum Frobenius norm).

    Parameters
    ----------
    Z : ndarray of shape (m, d)
        Points in scaled coordinates (about unit size near the incumbent).
    f : ndarray of shape (m,)
        Finite values.
    max_condition : float, default 1e10
        The largest condition number of the (column-scaled) system accepted; above it the
        geometry is too poor and None is returned.

    Returns
    -------
    QuadraticModel or None
        None with fewer than ``d + 2`` points or a poor geometry.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Z = rng.uniform(-1, 1, (30, 2))
    >>> model = fit_quadratic(Z, 1 + Z[:, 0] + Z[:, 0] * Z[:, 1])
    >>> model.kind, bool(np.allclose(model.H, [[0, 1], [1, 0]]))
    ('regression', True)
    """
    Z = np.asarray(Z, dtype=float)
    f = np.asarray(f, dtype=float)
    m, d = Z.shape
    if m < d + 2 or not np.all(np.isfinite(f)) or not np.all(np.isfinite(Z)):
        return None
    M_L = np.hstack([np.ones((m, 1)), Z])
    M_Q = _quadratic_basis(Z)
    p = (d + 1) * (d + 2) // 2
    if m >= p:  # least squares (CSV 2009, section 4.4)
        M = np.hstack([M_L, M_Q])
        norms = np.linalg.norm(M, axis=0)
        if np.any(norms == 0):
            return None
        sv = np.linalg.svd(M / norms, compute_uv=False)
        if sv[-1] <= 0 or sv[0] / sv[-1] > max_condition:
            return None
        a = np.linalg.lstsq(M / norms, f, rcond=None)[0] / norms
        return QuadraticModel(*_unpack(a[: d + 1], a[d + 1 :], d), kind="regression")
    # minimum Frobenius norm (CSV 2009, eq. (5.7)): the KKT system of
    # min 1/2 ||a_Q||^2  s.t.  M_L a_L + M_Q a_Q = f
    K = np.zeros((m + d + 1, m + d + 1))
    K[:m, :m] = M_Q @ M_Q.T
    K[:m, m:] = M_L
    K[m:, :m] = M_L.T
    if np.linalg.cond(K) > max_condition:
        return None
    sol = np.linalg.solve(K, np.concatenate([f, np.zeros(d + 1)]))
    lam, a_L = sol[:m], sol[m:]
    return QuadraticModel(*_unpack(a_L, M_Q.T @ lam, d), kind="min-frobenius")


def minimize_in_box(model: QuadraticModel, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The minimizer of the model over the box ``[lower, upper]`` (which contains 0).

    Parameters
    ----------
    model : QuadraticModel
    lower, upper : ndarrays of shape (d,)

    Returns
    -------
    ndarray of shape (d,)
        The Newton point ``-H^-1 g`` when ``H`` is positive definite and that point lies in
        the box (the exact minimizer); otherwise the best of L-BFGS-B runs on ``Q`` from 0
        and from the clipped Newton point, or, when ``H`` is not positive definite, from the
        steepest-descent and both negative-curvature directions.

    Examples
    --------
    >>> model = QuadraticModel(0.0, np.array([-1.0, 0.0]), np.eye(2), "regression")
    >>> minimize_in_box(model, -np.ones(2), np.ones(2))
    array([1., 0.])
    """
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    g, H = model.g, model.H
    starts = [np.zeros_like(g)]
    try:
        np.linalg.cholesky(H)
        newton = np.linalg.solve(H, -g)
        if np.all(newton >= lower) and np.all(newton <= upper):
            return newton
        starts.append(np.clip(newton, lower, upper))
    except np.linalg.LinAlgError:
        # indefinite: steepest descent and both signs of the most negative curvature
        # direction (a saddle's gradient can be 0 along it; CSV 2009, section 10.6)
        vec = np.linalg.eigh(H)[1][:, 0]
        starts.append(np.clip(-g / max(float(np.linalg.norm(g)), 1e-300), lower, upper))
        starts += [np.clip(vec, lower, upper), np.clip(-vec, lower, upper)]

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        Hz = H @ z
        return float(g @ z + 0.5 * z @ Hz), g + Hz

    bounds = list(zip(lower, upper))
    best, best_value = np.zeros_like(g), 0.0
    for start in starts:
        res = minimize(fun, start, jac=True, method="L-BFGS-B", bounds=bounds)
        z = np.clip(res.x, lower, upper)
        value = fun(z)[0]
        if value < best_value:
            best, best_value = z, value
    return best


def model_step(
    U: np.ndarray,
    values: np.ndarray,
    center: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    n_points: int,
    min_distance: float = 1e-3,
    min_r2: float = 0.0,
) -> np.ndarray | None:
    """The next point of the quadratic model's step inside a trust box, or None.

    Parameters
    ----------
    U : ndarray of shape (n, d)
        Evaluated points in the unit cube.
    values : ndarray of shape (n,)
        Their values (lower is better; non-finite values are left out).
    center : ndarray of shape (d,)
        The incumbent in the unit cube (one of ``U``).
    lower, upper : ndarrays of shape (d,)
        The trust box in the unit cube; it contains ``center``.
    n_points : int
        The model is fitted on this many evaluated points nearest ``center`` (in the box's
        scaled metric).
    min_distance : float, default 1e-3
        A step closer than this (scaled units) to an evaluated point is rejected.
    min_r2 : float, default 0.0
        A regression model whose coefficient of determination ``R^2`` on its points is
        below this is rejected (the values are not locally quadratic: a rugged function);
        when positive, fewer than ``(d + 1)(d + 2) / 2 + d`` points give no step.

    Returns
    -------
    ndarray of shape (d,) or None
        The minimizer of the model over the box, in the unit cube; None when there is no
        model (too few points, poor geometry), when the model predicts no decrease from the
        incumbent, or when the step repeats an evaluated point.
    """
    U = np.asarray(U, dtype=float)
    values = np.asarray(values, dtype=float)
    center = np.asarray(center, dtype=float)
    ok = np.isfinite(values)
    U, values = U[ok], values[ok]
    half = np.maximum(np.maximum(upper - center, center - lower), 1e-12)
    Z_all = (U - center) / half
    order = np.argsort(np.linalg.norm(Z_all, axis=1), kind="stable")[:n_points]
    Z, f = Z_all[order], values[order]
    if len(f) == 0:
        return None
    # centre and scale the values (the model is invariant to it; the system's conditioning
    # is not)
    f0, spread = np.min(f), np.std(f)
    if not spread > 0:
        return None
    f = (f - f0) / spread
    model = fit_quadratic(Z, f)
    if model is None:
        return None
    if min_r2 > 0:  # needs d residual degrees of freedom beyond the p coefficients
        d = len(center)
        if len(f) < (d + 1) * (d + 2) // 2 + d:
            return None
        if 1.0 - np.mean((model(Z) - f) ** 2) / np.var(f) < min_r2:
            return None
    z_lo, z_hi = (lower - center) / half, (upper - center) / half
    z = minimize_in_box(model, z_lo, z_hi)
    if not model(z)[0] < model(np.zeros_like(z))[0] - 1e-12:
        return None
    if np.min(np.linalg.norm(Z_all - z, axis=1)) < min_distance:
        return None
    return np.clip(center + z * half, 0.0, 1.0)
