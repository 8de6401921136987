"""Synthetic test functions with a fidelity: cheap, biased versions of a known target.

The fidelity ``s`` in ``(0, 1]`` is an extra input; ``s = 1`` is the target function, and
evaluating at ``s`` costs ``s`` (resource units of :meth:`Problem.cost`). The forms are
BoTorch's ``AugmentedBranin`` and ``AugmentedHartmann`` (``botorch/test_functions/
multi_fidelity.py``), after Kandasamy, Dasarathy, Schneider & Poczos 2017, "Multi-fidelity
Bayesian optimisation with continuous approximations", ICML; constants from ``REFERENCE.md``
section 4. The fidelity is :data:`FIDELITY`: ``Fidelity("fidelity", 1/27, 1.0)``, so that
``eta = 3`` gives the four rungs ``1/27, 1/9, 1/3, 1`` (``s = 0`` is excluded: a
:class:`~hpo.Fidelity` needs ``low > 0``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from hpo.fidelity import Fidelity
from hpo.problems.dixon_szego import Branin, Hartmann6
from hpo.problems.synthetic import SyntheticFunction

__all__ = ["FIDELITY", "FUNCTIONS", "AugmentedBranin", "AugmentedHartmann"]

#: The fidelity of these problems: ``s`` from 1/27 to 1 (the target), under ``"fidelity"``.
FIDELITY = Fidelity("fidelity", 1 / 27, 1.0)


class _MultiFidelityFunction(SyntheticFunction):
    """A synthetic function with an extra fidelity input ``s`` (f*, x* are at ``s = 1``)."""

    fidelity = FIDELITY

    def evaluate(self, X: np.ndarray, s: float | np.ndarray = 1.0) -> np.ndarray:
        """Evaluate many points at fidelity ``s`` (a number, or one per point).

        Parameters
        ----------
        X : array-like of shape (n_points, dim)
        s : float or array-like of shape (n_points,), default 1.0 (the target)

        Returns
        -------
        ndarray of shape (n_points,)
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"{self.key}: X must have shape (n_points, {self.dim}), got {X.shape}")
        s = np.broadcast_to(np.asarray(s, dtype=float), (len(X),))
        return self._evaluate_at(X, s)

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        return self._evaluate_at(X, np.ones(len(X)))

    def _evaluate_at(self, X: np.ndarray, s: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, params: Mapping[str, Any]) -> float:
        """Evaluate ``{"x0": ..., "fidelity": s}`` (``s = 1`` when the fidelity is absent).

        Raises
        ------
        ValueError
            Naming the parameter that is missing, unknown or outside the domain, or the
            fidelity when it is outside ``[1/27, 1]``.
        """
        name = self.fidelity.name
        s = params.get(name, self.fidelity.high)
        if not self.fidelity.contains(s):
            raise ValueError(
                f"parameter {name!r} must be a number in [{self.fidelity.low}, "
                f"{self.fidelity.high}], got {s!r}"
            )
        values = self.space.validate({k: v for k, v in params.items() if k != name})
        x = np.array([[values[k] for k in self.space.names]])
        return float(self._evaluate_at(x, np.array([float(s)]))[0])


class AugmentedBranin(_MultiFidelityFunction):
    """Augmented Branin on ``[-5, 10] x [0, 15]`` with fidelity ``s``.

    ``f(x, s) = (x2 - (5.1 / (4 pi^2) - 0.1 (1 - s)) x1^2 + 5 / pi x1 - 6)^2
    + 10 (1 - 1 / (8 pi)) cos(x1) + 10``: Branin at ``s = 1``, with ``f* = 5 / (4 pi)``
    ``= 0.397887...`` at ``(-pi, 12.275)``, ``(pi, 2.275)``, ``(3 pi, 2.475)``. At lower
    fidelity the valleys move (the quadratic coefficient shrinks by ``0.1 (1 - s)``).

    Reference: Kandasamy et al. 2017 (ICML); BoTorch ``AugmentedBranin``; REFERENCE.md 4.
    """

    key = "augmented_branin"
    fixed_dim = 2
    domain = Branin.domain
    f_star = Branin.f_star
    x_star = Branin.x_star

    def _evaluate_at(self, X: np.ndarray, s: np.ndarray) -> np.ndarray:
        x1, x2 = X[:, 0], X[:, 1]
        b = 5.1 / (4 * math.pi**2) - 0.1 * (1 - s)  # the fidelity-dependent coefficient
        t1 = x2 - b * x1**2 + 5 / math.pi * x1 - 6
        return t1**2 + 10 * (1 - 1 / (8 * math.pi)) * np.cos(x1) + 10


class AugmentedHartmann(_MultiFidelityFunction):
    """Augmented Hartmann 6-D on ``[0, 1]^6`` with fidelity ``s``.

    Hartmann-6 (``f(x) = -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2)``, ``A`` and ``P``
    of :class:`~hpo.problems.dixon_szego.Hartmann6`) with ``alpha = (1 - 0.1 (1 - s), 1.2,
    3, 3.2)``: Hartmann-6 at ``s = 1``, ``f* = -3.32236801141551`` at
    ``(0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054)``.

    Reference: Kandasamy et al. 2017 (ICML); BoTorch ``AugmentedHartmann``; REFERENCE.md 4.
    """

    key = "augmented_hartmann"
    fixed_dim = 6
    domain = Hartmann6.domain
    f_star = Hartmann6.f_star
    x_star = Hartmann6.x_star

    def _evaluate_at(self, X: np.ndarray, s: np.ndarray) -> np.ndarray:
        # alpha_1 = 1.0 - 0.1 (1 - s), the other three as in Hartmann-6; one row per point
        alpha = np.empty((len(X), 4))
        alpha[:] = (1.0, 1.2, 3.0, 3.2)
        alpha[:, 0] = 1.0 - 0.1 * (1 - s)
        inner = np.sum(Hartmann6.A * (X[:, None, :] - Hartmann6.P) ** 2, axis=-1)
        return -np.sum(alpha * np.exp(-inner), axis=-1)


FUNCTIONS: tuple[type[_MultiFidelityFunction], ...] = (AugmentedBranin, AugmentedHartmann)

#: Registry names and factories (see :data:`hpo.problems.CATALOGUE`).
PROBLEMS = {function.key: function for function in FUNCTIONS}
