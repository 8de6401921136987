"""Multi-objective test problems with known Pareto fronts (all objectives minimized).

Each problem declares ``n_objectives``, a ``reference_point`` and ``max_hypervolume``, the
hypervolume of its true Pareto front with respect to that point, so that hypervolume regret
``max_hypervolume - HV`` is exact; ``pareto_front(n)`` samples the true front (for IGD+).

- ZDT1, ZDT2, ZDT3: Zitzler, Deb & Thiele (2000), "Comparison of multiobjective evolutionary
  algorithms: empirical results", Evol. Comput. 8(2), eq. T1-T3, ``dim`` variables in [0, 1]
  (30 in the paper). The front is at ``x_2 = ... = x_n = 0`` (g = 1).
- DTLZ2: Deb, Thiele, Laumanns & Zitzler (2005), "Scalable test problems for evolutionary
  multiobjective optimization", eq. (9); ``n_objectives`` objectives, ``dim = m + k - 1``
  variables in [0, 1] (k = 10 in the paper); the front is the positive part of the unit sphere,
  reached at ``x_i = 0.5`` for the last k variables.
- Branin-Currin: Branin and the Currin exponential function on [0, 1]^2, as in BoTorch's
  ``BraninCurrin`` (Belakaria et al. 2019), here minimized, with reference point (18, 6).

The maximal hypervolumes are from ``REFERENCE.md`` section 4 (ZDT1, ZDT2, DTLZ2) or derived
below (ZDT3, DTLZ2 with 3 objectives) and checked numerically in the tests.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from hpo.moo import hypervolume, is_non_dominated
from hpo.problems.base import Problem
from hpo.space import Real, Space

__all__ = ["DTLZ2", "ZDT1", "ZDT2", "ZDT3", "BraninCurrin", "MultiObjectiveFunction"]


class MultiObjectiveFunction(Problem):
    """A vector-valued test function over a box, with its Pareto front known.

    ``problem(params)`` returns a list of ``n_objectives`` floats; :meth:`evaluate` takes an
    array ``X`` of shape ``(n_points, dim)`` and returns ``(n_points, n_objectives)``.
    """

    key: ClassVar[str] = ""
    n_objectives: int = 2
    reference_point: tuple[float, ...] = ()
    max_hypervolume: float = math.nan

    def __init__(self, dim: int) -> None:
        if not isinstance(dim, int) or isinstance(dim, bool) or dim < self._min_dim():
            raise ValueError(
                f"{self.key}: dim must be an integer >= {self._min_dim()}, got {dim!r}"
            )
        self.dim = dim
        self.space = Space({f"x{i}": Real(0.0, 1.0) for i in range(dim)})
        self.optimum = None  # a front, not a number: see max_hypervolume

    def _min_dim(self) -> int:
        return 2

    def __call__(self, params: dict[str, Any]) -> list[float]:
        x = np.array([[float(params[f"x{i}"]) for i in range(self.dim)]])
        return [float(v) for v in self.evaluate(x)[0]]

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """Objective vectors of the rows of ``X``, shape ``(n_points, n_objectives)``."""
        raise NotImplementedError

    def pareto_front(self, n: int = 1000) -> np.ndarray:
        """``n`` or so points of the true Pareto front, shape ``(n_points, n_objectives)``."""
        raise NotImplementedError

    def hypervolume_regret(self, points: np.ndarray) -> float:
        """``max_hypervolume - hypervolume(points, reference_point)`` (0 is the true front)."""
        return self.max_hypervolume - hypervolume(points, self.reference_point)


class _ZDT(MultiObjectiveFunction):
    reference_point = (1.1, 1.1)

    def __init__(self, dim: int = 30) -> None:
        super().__init__(dim)
        self.name = self.key if dim == 30 else f"{self.key}:dim={dim}"

    def _h(self, f1: np.ndarray, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        f1 = X[:, 0]
        # Zitzler et al. (2000): g = 1 + 9 sum_{i>=2} x_i / (n - 1), f2 = g h(f1, g)
        g = 1.0 + 9.0 * X[:, 1:].sum(axis=1) / (X.shape[1] - 1)
        return np.column_stack([f1, g * self._h(f1, g)])

    def pareto_front(self, n: int = 1000) -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, n)
        F = np.column_stack([f1, self._h(f1, np.ones_like(f1))])
        return F[is_non_dominated(F)]


class ZDT1(_ZDT):
    """ZDT1: ``h = 1 - sqrt(f1 / g)``; convex front ``f2 = 1 - sqrt(f1)``; max HV 1.21 - 1/3."""

    key = "zdt1"
    max_hypervolume = 1.21 - 1.0 / 3.0

    def _h(self, f1, g):
        return 1.0 - np.sqrt(f1 / g)


class ZDT2(_ZDT):
    """ZDT2: ``h = 1 - (f1 / g)^2``; concave front ``f2 = 1 - f1^2``; max HV 1.21 - 2/3."""

    key = "zdt2"
    max_hypervolume = 1.21 - 2.0 / 3.0

    def _h(self, f1, g):
        return 1.0 - (f1 / g) ** 2


class ZDT3(_ZDT):
    """ZDT3: ``h = 1 - sqrt(f1/g) - (f1/g) sin(10 pi f1)``; a front of five disconnected pieces.

    Its maximal hypervolume for r = (1.1, 1.1) has no closed form: the non-dominated part of
    ``f2 = h(f1, 1)`` sampled at 2e4, 2e5 and 2e6 + 1 evenly spaced f1 gives 1.3317184,
    1.3317585 and 1.3317625, converging like 1/n towards 1.331763 (+/- 1e-6), the value used.
    (pymoo's 100-point front gives 1.32914.)
    """

    key = "zdt3"
    max_hypervolume = 1.331763

    def _h(self, f1, g):
        return 1.0 - np.sqrt(f1 / g) - (f1 / g) * np.sin(10.0 * np.pi * f1)


class DTLZ2(MultiObjectiveFunction):
    """DTLZ2 with ``n_objectives`` objectives and ``k`` distance variables (Deb et al. 2005).

    ``g = sum_{i in last k} (x_i - 0.5)^2``;
    ``f_1 = (1 + g) prod_{j < m} cos(x_j pi/2)``, ..., ``f_m = (1 + g) sin(x_1 pi/2)``.
    The front is ``sum f_i^2 = 1``, ``f >= 0``; with r = 1.1 in every objective the maximal
    hypervolume is ``1.1^m`` minus the volume of the unit ball's positive orthant:
    ``1.21 - pi/4`` for m = 2 and ``1.331 - pi/6`` for m = 3.
    """

    key = "dtlz2"

    def __init__(self, n_objectives: int = 2, k: int = 10) -> None:
        if n_objectives not in (2, 3):
            raise ValueError(f"dtlz2: n_objectives must be 2 or 3, got {n_objectives!r}")
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"dtlz2: k must be a positive integer, got {k!r}")
        self.n_objectives = n_objectives
        self.k = k
        super().__init__(n_objectives + k - 1)
        self.reference_point = (1.1,) * n_objectives
        ball = math.pi / 4.0 if n_objectives == 2 else math.pi / 6.0
        self.max_hypervolume = 1.1**n_objectives - ball
        args = [f"n_objectives={n_objectives}"] if n_objectives != 2 else []
        args += [f"k={k}"] if k != 10 else []
        self.name = "dtlz2" + (":" + ",".join(args) if args else "")

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        m = self.n_objectives
        g = np.sum((X[:, m - 1 :] - 0.5) ** 2, axis=1)
        angles = X[:, : m - 1] * (np.pi / 2.0)
        F = np.empty((len(X), m))
        for i in range(m):  # f_{i+1} = (1+g) prod_{j < m-1-i} cos(a_j) [* sin(a_{m-1-i})]
            value = 1.0 + g
            value = value * np.prod(np.cos(angles[:, : m - 1 - i]), axis=1)
            if i > 0:
                value = value * np.sin(angles[:, m - 1 - i])
            F[:, i] = value
        return F

    def pareto_front(self, n: int = 1000) -> np.ndarray:
        if self.n_objectives == 2:
            a = np.linspace(0.0, np.pi / 2.0, n)
            return np.column_stack([np.cos(a), np.sin(a)])
        side = max(2, round(math.sqrt(n)))
        a, b = np.meshgrid(np.linspace(0, np.pi / 2, side), np.linspace(0, np.pi / 2, side))
        a, b = a.ravel(), b.ravel()
        return np.column_stack([np.cos(a) * np.cos(b), np.cos(a) * np.sin(b), np.sin(a)])


class BraninCurrin(MultiObjectiveFunction):
    """Branin and Currin's exponential function on [0, 1]^2, both minimized.

    ``f1 = branin(15 x1 - 5, 15 x2)`` and
    ``f2 = (1 - exp(-1 / (2 x2))) (2300 x1^3 + 1900 x1^2 + 2092 x1 + 60)
    / (100 x1^3 + 500 x1^2 + 4 x1 + 20)`` (Currin et al. 1991), as in BoTorch's
    ``BraninCurrin`` with reference point (18, 6). BoTorch states a maximal hypervolume of
    59.36011874867746, but evaluated points reach 59.405386 (REFERENCE.md section 4), so
    ``max_hypervolume`` is 59.4054. The front has no closed form and a grid converges to it
    only like the grid step (2001^2 points give 59.28), so :meth:`pareto_front` is not offered.
    """

    key = "branin_currin"
    reference_point = (18.0, 6.0)
    max_hypervolume = 59.4054

    def __init__(self) -> None:
        super().__init__(2)
        self.name = self.key

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        x1, x2 = 15.0 * X[:, 0] - 5.0, 15.0 * X[:, 1]
        b, c, t = 5.1 / (4.0 * np.pi**2), 5.0 / np.pi, 1.0 / (8.0 * np.pi)
        branin = (x2 - b * x1**2 + c * x1 - 6.0) ** 2 + 10.0 * (1.0 - t) * np.cos(x1) + 10.0
        u, v = X[:, 0], X[:, 1]
        with np.errstate(divide="ignore"):
            factor = 1.0 - np.exp(-1.0 / (2.0 * v))  # -> 1 - exp(-inf) = 1 at x2 = 0
        currin = (
            factor
            * (2300 * u**3 + 1900 * u**2 + 2092 * u + 60)
            / (100 * u**3 + 500 * u**2 + 4 * u + 20)
        )
        return np.column_stack([branin, currin])

    def pareto_front(self, n: int = 1000) -> np.ndarray:
        raise NotImplementedError(
            "branin_currin: no sampled true front (use max_hypervolume for the regret)"
        )


#: Registry names of the problems of this module and their factories.
PROBLEMS = {"zdt1": ZDT1, "zdt2": ZDT2, "zdt3": ZDT3, "dtlz2": DTLZ2, "branin_currin": BraninCurrin}
