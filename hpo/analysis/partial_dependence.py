"""Partial dependence of the loss on one or two hyperparameters, from hpo's GP.

The partial dependence on a set of parameters ``S`` at values ``x_S`` is the GP's posterior
mean averaged over the other parameters (Friedman 2001, *Greedy function approximation*,
Ann. Statist. 29, eq. 40), here over ``n_samples`` points drawn uniformly in the space (its own
measure, as :func:`skopt.plots.plot_objective` does): ``PD(x_S) = (1/n) sum_s m(x_S, z_s)``.
Its uncertainty is that of the average of the latent function, whose posterior variance is
``(1/n^2) 1^T Sigma 1 = (1/n^2) (sum_{s,s'} k(z_s, z_s') - |L^{-1} k(X, Z) 1|^2)``
(Rasmussen & Williams 2006, eq. 2.24, summed): one triangular solve per grid point. The first
sum does not depend on ``x_S`` for a stationary kernel (hpo's default), since the points share
their ``x_S``; it is computed once per panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import solve_triangular

from hpo._seed import SeedLike, as_generator
from hpo.analysis.data import Run, as_trials
from hpo.analysis.sobol import fit_gp
from hpo.gp import GaussianProcess

__all__ = ["PartialDependence", "PartialDependenceModel", "partial_dependence"]


@dataclass
class PartialDependence:
    """Partial dependence on one or two parameters.

    Attributes
    ----------
    names : tuple of str
        The one or two parameters.
    values : list of list
        Grid values of each parameter in its own terms (floats spaced on the parameter's
        scale, integers, or the categorical levels).
    unit : list of ndarray
        The same grid in unit-cube coordinates.
    mean, std : ndarray of shape (n_1,) or (n_1, n_2)
        Partial dependence and its posterior standard deviation (units of the loss).
    """

    names: tuple[str, ...]
    values: list[list[Any]]
    unit: list[np.ndarray]
    mean: np.ndarray
    std: np.ndarray


def averaged_posterior(gp: GaussianProcess, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and standard deviation of ``(1/n) sum_s f(z_gs)`` for each group ``g``.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted, with a stationary kernel.
    Z : ndarray of shape (n_groups, n, d)
        Groups of points that differ only in shared coordinates.

    Returns
    -------
    mean, std : ndarray of shape (n_groups,)
    """
    g, n, d = Z.shape
    scale = 1.0 / float(gp.standardize_y(1.0) - gp.standardize_y(0.0))
    shift = -float(gp.standardize_y(0.0)) * scale
    prior = float(gp.kernel(Z[0], Z[0]).sum())
    mean = np.empty(g)
    var = np.empty(g)
    step = max(1, 2_000_000 // max(1, n * len(gp.X_train)))
    for a in range(0, g, step):
        block = Z[a : a + step]
        Ks = gp.kernel(block.reshape(-1, d), gp.X_train).reshape(len(block), n, -1)
        # R&W Algorithm 2.1: mean = k_*^T alpha; for the sum, v = L \ (k(X, Z) 1)
        mean[a : a + step] = (Ks @ gp.alpha).mean(axis=1)
        v = solve_triangular(gp.L, Ks.sum(axis=1).T, lower=True, check_finite=False)
        var[a : a + step] = (prior - np.sum(v**2, axis=0)) / n**2
    return mean * scale + shift, np.sqrt(np.maximum(var, 0.0)) * scale


class PartialDependenceModel:
    """A GP fitted once to a search, to draw many partial-dependence panels from.

    Parameters
    ----------
    obj : Optimizer, Result, SearchCV, RunRecord, run dict or path, or list of Trial
        The search (see :func:`hpo.analysis.as_trials`).
    seed : int, Generator or None, default 0
        Source of the GP fit's subsample and of the averaging sample.
    space : Space, optional
        For objects without one.
    n_samples : int, default 200
        Points the other parameters are averaged over.
    """

    def __init__(
        self, obj: Any, *, seed: SeedLike = 0, space: Any = None, n_samples: int = 200
    ) -> None:
        if not (isinstance(n_samples, (int, np.integer)) and n_samples >= 1):
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
        rng = as_generator(seed)
        self.run: Run = as_trials(obj, space=space)
        X, y = self.run.arrays()
        if len(y) < 2:
            raise ValueError(f"trials: partial dependence needs 2 completed trials, got {len(y)}")
        self.gp = fit_gp(X, y, rng)
        self.base = self.run.space.snap(rng.random((n_samples, self.run.space.dim)))

    def _grid(self, name: str, n_points: int) -> tuple[np.ndarray, list[Any]]:
        if name not in self.run.space:
            raise ValueError(f"parameter {name!r} is not in the space {list(self.run.space)}")
        p = self.run.space[name]
        k = p.n_values
        if p.kind == "categorical":
            unit = (np.arange(k) + 0.5) / k
        elif p.kind == "integer" and k <= n_points:
            unit = p.encode(list(range(p.low, p.high + 1)))  # type: ignore[attr-defined]
        else:
            unit = np.linspace(0.0, 1.0, n_points)
            if p.kind == "integer":  # bin centres of the integers on the grid
                unit = np.unique(p.encode(p.decode(unit)))
        values = [p.to_python(v) for v in p.decode(unit)]
        return np.asarray(unit, float), values

    def one(self, name: str, n_points: int = 40) -> PartialDependence:
        """Partial dependence on parameter ``name`` over ``n_points`` grid values."""
        u, values = self._grid(name, n_points)
        j = self.run.space.names.index(name)
        Z = np.repeat(self.base[None], len(u), axis=0)
        Z[:, :, j] = u[:, None]
        mean, std = averaged_posterior(self.gp, Z)
        return PartialDependence((name,), [values], [u], mean, std)

    def two(self, first: str, second: str, n_points: int = 16) -> PartialDependence:
        """Partial dependence on two parameters over a ``n_points`` by ``n_points`` grid."""
        if first == second:
            raise ValueError(f"two: the parameters must differ, got {first!r} twice")
        u1, v1 = self._grid(first, n_points)
        u2, v2 = self._grid(second, n_points)
        i, j = self.run.space.names.index(first), self.run.space.names.index(second)
        Z = np.repeat(self.base[None], len(u1) * len(u2), axis=0)
        Z[:, :, i] = np.repeat(u1, len(u2))[:, None]
        Z[:, :, j] = np.tile(u2, len(u1))[:, None]
        mean, std = averaged_posterior(self.gp, Z)
        shape = (len(u1), len(u2))
        return PartialDependence(
            (first, second), [v1, v2], [u1, u2], mean.reshape(shape), std.reshape(shape)
        )


def partial_dependence(
    obj: Any, *names: str, seed: SeedLike = 0, space: Any = None, n_points: int | None = None
) -> PartialDependence:
    """Partial dependence of the loss on one or two parameters, from hpo's GP.

    Parameters
    ----------
    obj : Optimizer, Result, SearchCV, RunRecord, run dict or path, or list of Trial
    *names : str
        One or two parameter names.
    seed : int, Generator or None, default 0
    space : Space, optional
    n_points : int, optional
        Grid values per axis (40 for one parameter, 16 for two).

    Returns
    -------
    PartialDependence

    Examples
    --------
    >>> from hpo import minimize
    >>> from hpo.problems import get_problem
    >>> p = get_problem("ishigami")
    >>> r = minimize(p, p.space, optimizer="random", n_trials=60, seed=0)
    >>> pd = partial_dependence(r, "x1", space=p.space)
    >>> pd.mean.shape, bool((pd.std >= 0).all())
    ((40,), True)
    """
    if len(names) not in (1, 2):
        raise ValueError(f"names: give one or two parameter names, got {len(names)}")
    model = PartialDependenceModel(obj, seed=seed, space=space)
    if len(names) == 1:
        return model.one(names[0], n_points or 40)
    return model.two(names[0], names[1], n_points or 16)
