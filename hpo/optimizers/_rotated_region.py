"""A rotated trust region for Bayesian optimization on spaces of reals.

TuRBO's region (:mod:`hpo.optimizers._trust_region`) is a box aligned with the axes, and the
GP's ARD kernel measures distances along the axes too. On a function whose valley runs
obliquely (BBOB's sharp ridge and rotated Rosenbrock, Hansen et al. 2009, f13 and f9) both
fit the valley badly: the box cannot slide along it and the lengthscales average the long
and the short directions. This module learns a rotation of the unit cube and searches in it:

0. **The values** the two GPs below model are ``(f - f_best)^p`` (``TrustRegion.
   local_power``, default 2), not the output warping's: squaring turns the sharp ridge's
   cone ``100 |z_perp|`` into a smooth bowl that a Matern-5/2 GP fits, where a compressing
   warping (Yeo-Johnson) sharpens it. On the tuning instances a square root raised the
   ridge's median regret and the square lowered it (``benchmarks/results/landscapes/
   ridge-tune.md``).
1. **The rotation** ``R`` (orthonormal columns, :func:`active_subspace_rotation`): the
   eigenvectors of ``C = E[grad m(x) grad m(x)^T]``, the average outer product of the
   gradient of the posterior mean ``m`` of a GP fitted on every completed trial, over points
   of the current (axis-aligned) trust region and the five best observations (the active
   subspace of Constantine, Dow & Wang 2014, "Active subspace methods in theory and
   practice", SIAM J. Sci. Comput. 36(4), eq. 2.2, with the GP mean as the function).
   Directions with small eigenvalues are the ones the objective hardly changes along: the
   valley's floor.
2. **A local GP on rotated inputs** ``z = (u - 1/2) R``, fitted on the ``local_points``
   (default 30) completed trials nearest the incumbent (TuRBO's GP is local too): the ARD
   kernel's lengthscales are then those of the valley's own axes (a full metric
   ``R diag(l)^-2 R^T`` in the unit cube). Its acquisition is log-EI as usual.
3. **The region** is a box in ``z`` centred at the incumbent, of base side ``L`` (TuRBO's
   rules, unchanged) and TuRBO's lengthscale weights, so it is long along the valley. The
   acquisition search runs over ``v`` in ``[0, 1]^d`` mapped onto that box,
   ``u = clip(c + (w L (v - 1/2)) R^T, 0, 1)``, and the acquisition is evaluated at the
   clipped point (the region's part outside the cube folds onto the cube's faces).

Used by :class:`hpo.BayesianOptimization` when ``TrustRegion(metric="active")``, on flat
spaces of reals only. Each proposal fits two GPs more than the axis-aligned region (the
frame's and the local one): about twice its CPU time at 100 evaluations in 5 dimensions.
A proposal's ``info`` records the global GP's mean and standard deviation, and the local
GP's acquisition value.
"""

from __future__ import annotations

import numpy as np

from hpo.gp.acquisition import Acquisition, acquisition_and_gradient
from hpo.gp.regression import GaussianProcess
from hpo.trial import TrialStatus

__all__ = ["RotatedRegion", "active_subspace_rotation", "rotation_open"]


def active_subspace_rotation(gp: GaussianProcess, points: np.ndarray) -> np.ndarray:
    """Eigenvectors of the mean outer product of the GP mean's gradient at ``points``.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted on unit-cube inputs of a space of reals.
    points : ndarray of shape (m, d)
        Where the gradient is averaged.

    Returns
    -------
    ndarray of shape (d, d)
        Orthonormal columns, by increasing eigenvalue of
        ``C = (1/m) sum_i g_i g_i^T`` (Constantine et al. 2014, eq. 2.2); the sign of each
        column is fixed so that its largest entry in magnitude is positive (a pure function
        of ``C``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((30, 2))
    >>> gp = GaussianProcess().fit(X, (X[:, 0] + X[:, 1]) ** 2, rng=rng)
    >>> R = active_subspace_rotation(gp, rng.random((50, 2)))
    >>> bool(np.allclose(R.T @ R, np.eye(2)))
    True
    """
    points = np.atleast_2d(np.asarray(points, dtype=float))
    _, _, dmean, _ = gp.posterior(points, gradient=True)
    C = dmean.T @ dmean / len(points)
    _, vectors = np.linalg.eigh(C)  # ascending eigenvalues
    signs = np.sign(vectors[np.argmax(np.abs(vectors), axis=0), np.arange(len(C))])
    return vectors * np.where(signs == 0, 1.0, signs)


class RotatedRegion:
    """The map between the search cube ``v`` and the unit cube ``u`` of a rotated region.

    Parameters
    ----------
    rotation : ndarray of shape (d, d)
        Orthonormal columns ``R``; rotated coordinates are ``z = (u - 1/2) R``.
    center : ndarray of shape (d,)
        The incumbent in the unit cube.
    sides : ndarray of shape (d,)
        The region's sides along the columns of ``R`` (``w L``).

    Examples
    --------
    >>> region = RotatedRegion(np.eye(2), np.array([0.5, 0.5]), np.array([0.2, 0.4]))
    >>> region.to_unit(np.array([[0.0, 1.0]]))
    array([[0.4, 0.7]])
    """

    def __init__(self, rotation: np.ndarray, center: np.ndarray, sides: np.ndarray) -> None:
        self.R = np.asarray(rotation, dtype=float)
        self.center = np.asarray(center, dtype=float)
        self.sides = np.asarray(sides, dtype=float)
        d = len(self.center)
        if self.R.shape != (d, d) or not np.allclose(self.R.T @ self.R, np.eye(d), atol=1e-8):
            raise ValueError(f"rotation must be an orthonormal matrix of shape ({d}, {d})")
        if self.sides.shape != (d,) or np.any(~np.isfinite(self.sides)) or np.any(self.sides <= 0):
            raise ValueError(f"sides must be {d} positive finite numbers, got {sides!r}")

    def rotate(self, U: np.ndarray) -> np.ndarray:
        """Rotated coordinates ``z = (u - 1/2) R`` of unit points."""
        return (np.asarray(U, dtype=float) - 0.5) @ self.R

    def _unclipped(self, V: np.ndarray) -> np.ndarray:
        return self.center + ((np.asarray(V, dtype=float) - 0.5) * self.sides) @ self.R.T

    def to_unit(self, V: np.ndarray) -> np.ndarray:
        """``u = clip(c + (s (v - 1/2)) R^T, 0, 1)``."""
        return np.clip(self._unclipped(V), 0.0, 1.0)

    def to_search(self, U: np.ndarray) -> np.ndarray:
        """The search coordinates ``v`` of unit points (the inverse of the unclipped map),
        clipped to ``[0, 1]``."""
        V = 0.5 + ((np.asarray(U, dtype=float) - self.center) @ self.R) / self.sides
        return np.clip(V, 0.0, 1.0)

    def acquisition(self, gp: GaussianProcess, acquisition: Acquisition):
        """``fun(V, gradient)`` of :func:`hpo.optimizers._bo_search.maximize_mixed`: the
        acquisition of ``gp`` (fitted on rotated inputs) at ``to_unit(V)``, with its
        gradient by the chain rule (zero along the columns the clip holds)."""

        def fun(V: np.ndarray, gradient: bool, rows: np.ndarray | None = None):
            raw = self._unclipped(V)
            U = np.clip(raw, 0.0, 1.0)
            a, dZ = acquisition_and_gradient(gp, acquisition, self.rotate(U), gradient)
            if dZ is None:
                return a, None
            # z = (u - 1/2) R: da/du = da/dz R^T; u = clip(c + (s (v - 1/2)) R^T):
            # du/dv_i = s_i R[:, i] where the clip is inactive
            dU = (dZ @ self.R.T) * ((raw > 0.0) & (raw < 1.0))
            return a, (dU @ self.R) * self.sides

        return fun


#: Uniform points of the axis-aligned region at which the active subspace is estimated.
N_GRADIENT_POINTS = 64


def _fitted(opt, Z: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> GaussianProcess:
    """A GP of ``opt``'s configuration fitted on inputs ``Z`` and values ``y``."""
    gp = opt.gp_config.make_gp(Z.shape[1], opt.deterministic)
    return gp.fit(Z, y, rng=rng, n_restarts=1)


def local_values(values: np.ndarray, power: float) -> np.ndarray:
    """``(f - min f)^power``: the values the local GP models.

    With ``power = 2`` a cone ``f = a |x - x*|`` (the sharp ridge across its ridge, BBOB f13)
    becomes the smooth ``a^2 |x - x*|^2`` that a Matern-5/2 GP fits well (an increasing
    transform of ``f - min f >= 0``: the ordering, hence the incumbent, is unchanged).

    Examples
    --------
    >>> local_values(np.array([3.0, 1.0, 2.0]), 2.0)
    array([4., 0., 1.])
    """
    values = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(values)):
        raise ValueError("values must be finite")
    return (values - np.min(values)) ** power


def rotation_open(opt) -> bool:
    """Whether the rotated region applies to ``opt``'s next proposal
    (``TrustRegion.active_below``): always when it is None, otherwise once the base side
    replayed by TuRBO's rules (:func:`hpo.optimizers._trust_region.side_length`, the same
    history as the region's) has been at or below it after some finished trial (latched:
    later growth or a restart of the side does not turn it off). A pure function of the
    history, as the side is."""
    from hpo.optimizers._trust_region import side_length

    tr = opt.trust_region
    if tr.active_below is None:
        return True
    finished = [t for t in opt._trials if t.status is not TrialStatus.PENDING]
    values = [t.value if t.status is TrialStatus.COMPLETE else np.inf for t in finished]
    n_before = min(opt.n_initial + tr.start, len(values))
    return any(
        side_length(values[:k], n_before, tr, opt.space.dim) <= tr.active_below
        for k in range(n_before + 1, len(values) + 1)
    )


def rotated_search(
    gp: GaussianProcess,
    acquisition: Acquisition,
    fmap,
    rng: np.random.Generator,
    *,
    opt,
    U: np.ndarray,
    length: float,
    box: tuple[np.ndarray, np.ndarray],
    extra: np.ndarray | None = None,
    lengthscales: np.ndarray | None = None,
    **options,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The acquisition search of ``opt`` (a :class:`hpo.BayesianOptimization` on a space of
    reals) inside the rotated region of base side ``length``; called as
    :func:`hpo.optimizers._bo_search.maximize_acquisition` is.

    Parameters
    ----------
    gp : GaussianProcess
        The proposing model (fantasies included) on unit-cube inputs.
    acquisition : Acquisition
        Unused: the acquisition of the rotated GP is made afresh (the same incumbent).
    fmap : FeatureMap
        Of the space (all reals: its features are the unit coordinates).
    rng : numpy.random.Generator
    opt : BayesianOptimization
    U : ndarray of shape (n, d)
        The completed trials' unit points.
    length : float
        TuRBO's base side ``L`` (:func:`hpo.optimizers._trust_region.side_length`).
    box : (lower, upper)
        The axis-aligned region (:func:`hpo.optimizers._trust_region.trust_box`), where the
        active subspace is estimated.
    extra : ndarray, optional
        Extra unit-cube candidates (perturbations of the best points), mapped into the
        region's coordinates.
    lengthscales : ndarray, optional
        Used only by the axis-aligned search while the rotation is off
        (:func:`rotation_open`); the rotated search runs in the region's own units.
    **options
        ``n_restarts``, ``ftol``, ``gtol``, ``batch`` of
        :func:`hpo.optimizers._bo_search.maximize_mixed` (others are ignored).

    Returns
    -------
    As :func:`hpo.optimizers._bo_search.maximize_mixed`, in unit-cube coordinates.
    """
    from hpo.optimizers._bo_search import maximize_acquisition, maximize_mixed
    from hpo.optimizers.bayes import _lengthscales

    if not rotation_open(opt):  # the axis-aligned region's search, exactly
        return maximize_acquisition(
            gp, acquisition, fmap, rng, extra=extra, lengthscales=lengthscales, box=box, **options
        )
    d = len(box[0])
    lower, upper = box
    n_fit = len(opt.gp.X_train)
    # the local model: the nearest points to the incumbent, values (f - f_best)^p
    c = opt.space.to_unit(opt.best.params)
    fit = np.argsort(np.sum((gp.X_train[:n_fit] - c) ** 2, axis=1), kind="stable")
    fit = fit[: opt.trust_region.local_points]
    by_number = {t.number: t.value for t in opt.completed}
    every = np.array([by_number[number] for number in opt._order], dtype=float)
    tr = opt.trust_region
    y = local_values(every[fit], tr.local_power)
    X = gp.X_train[fit]
    best = gp.X_train[:n_fit][np.argsort(every, kind="stable")[:5]]
    points = np.vstack([lower + (upper - lower) * rng.random((N_GRADIENT_POINTS, d)), best])
    # the frame: the active subspace of a GP on every point, values (f - f_best)^p
    every_y = local_values(every, tr.local_power)
    frame = _fitted(opt, gp.X_train[:n_fit] - 0.5, every_y, rng)
    R = active_subspace_rotation(frame, points - 0.5)
    rotated = _fitted(opt, (X - 0.5) @ R, y, rng)
    Z = (gp.X_train - 0.5) @ R
    if len(Z) > n_fit:  # fantasies: failed trials believed the worst, the others the mean
        n_failed = sum(t.status is TrialStatus.FAILED for t in opt._trials)
        n_failed = n_failed if opt.on_failure == "worst" else 0
        fantasy = Z[n_fit:]
        believed = np.clip(rotated.predict(fantasy), np.min(y), None)
        believed[:n_failed] = np.max(y)
        rotated.add_observations(fantasy, believed)
    w = _lengthscales(rotated)
    w = np.ones(d) if w is None or w.ndim == 0 else w / w.mean()
    w = w / np.exp(np.mean(np.log(w)))  # TuRBO's weights: prod(w) = 1
    region = RotatedRegion(R, opt.space.to_unit(opt.best.params), w * length)
    scales = np.repeat([0.01, 0.05, 0.15], 10)  # Gaussian steps around the incumbent (v = 1/2)
    near = np.clip(0.5 + rng.normal(size=(len(scales), d)) * scales[:, None], 0.0, 1.0)
    if extra is not None and len(extra):
        near = np.vstack([near, region.to_search(extra)])
    keep = {k: options[k] for k in ("n_restarts", "ftol", "gtol", "batch") if k in options}
    Vs, values, raw, raw_values = maximize_mixed(
        region.acquisition(rotated, opt._make_acquisition(rotated)), fmap, rng, extra=near, **keep
    )
    return region.to_unit(Vs), values, region.to_unit(raw), raw_values
