"""Test functions whose Sobol indices are known exactly, to check importance estimators.

Both are registered with :func:`hpo.problems.get_problem` (``"ishigami"``, ``"sobol_g"``);
their analytic first-order and total indices (``REFERENCE.md`` section 4) are class data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from hpo.problems.base import Problem
from hpo.space import Real, Space

__all__ = ["Ishigami", "SobolG"]


class _Sensitivity(Problem):
    """A vectorized test function on a box, with its analytic Sobol indices."""

    key: ClassVar[str] = ""
    first_order: ClassVar[tuple[float, ...]] = ()
    total_order: ClassVar[tuple[float, ...]] = ()

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """Values at points ``X`` of shape ``(n, dim)`` of the box; shape ``(n,)``."""
        raise NotImplementedError

    def __call__(self, params: Mapping[str, Any]) -> float:
        values = self.space.validate(params)
        return float(self.evaluate(np.array([[values[n] for n in self.space.names]]))[0])


class Ishigami(_Sensitivity):
    """Ishigami function ``sin x0 + a sin^2 x1 + b x2^4 sin x0`` on ``[-pi, pi]^3``,
    ``a = 7``, ``b = 0.1``.

    Variance 13.8446; first-order indices (0.3139, 0.4424, 0), total (0.5576, 0.4424, 0.2437);
    the only interaction is x0-x2. Minimum ``-(1 + b pi^4)`` at ``x0 = -pi/2``, ``x2 = +/-pi``,
    ``sin x1 = 0``. Reference: Ishigami & Homma (1990), ISUMA; Sobol & Levitan (1999).
    """

    key = "ishigami"
    first_order = (0.3139, 0.4424, 0.0)
    total_order = (0.5576, 0.4424, 0.2437)

    def __init__(self) -> None:
        self.name = self.key
        self.space = Space({f"x{i}": Real(-math.pi, math.pi) for i in range(3)})
        self.optimum = -(1.0 + 0.1 * math.pi**4)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        s0 = np.sin(X[:, 0])
        return s0 + 7.0 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * s0


class SobolG(_Sensitivity):
    """Sobol G-function ``prod_i (|4 x_i - 2| + a_i) / (1 + a_i)`` on ``[0, 1]^8`` with
    ``a = (0, 1, 4.5, 9, 99, 99, 99, 99)``.

    ``V_i = 1 / (3 (1 + a_i)^2)``, ``V = prod (1 + V_i) - 1``, first-order ``S_i = V_i / V``
    = (0.7162, 0.1790, 0.0237, 0.0072, 1e-4 x 4). Minimum 0 wherever ``x0 = 1/2``.
    Reference: Saltelli & Sobol (1995), Reliab. Eng. Syst. Safe. 50; Saltelli et al. (2010).
    """

    key = "sobol_g"
    a: ClassVar[tuple[float, ...]] = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)

    def __init__(self) -> None:
        self.name = self.key
        self.space = Space({f"x{i}": Real(0.0, 1.0) for i in range(len(self.a))})
        self.optimum = 0.0

    @classmethod
    def analytic(cls) -> tuple[np.ndarray, np.ndarray]:
        """Exact first-order and total indices (Saltelli et al. 2010, section 4)."""
        a = np.array(cls.a)
        v = 1.0 / (3.0 * (1.0 + a) ** 2)
        total_var = np.prod(1.0 + v) - 1.0
        total = v * np.array([np.prod(1.0 + np.delete(v, i)) for i in range(len(a))])
        return v / total_var, total / total_var

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        a = np.array(self.a)
        return np.prod((np.abs(4.0 * np.asarray(X, float) - 2.0) + a) / (1.0 + a), axis=1)


SobolG.first_order = tuple(float(s) for s in SobolG.analytic()[0])
SobolG.total_order = tuple(float(s) for s in SobolG.analytic()[1])

#: Registry names and factories (see :data:`hpo.problems.CATALOGUE`).
PROBLEMS = {Ishigami.key: Ishigami, SobolG.key: SobolG}
