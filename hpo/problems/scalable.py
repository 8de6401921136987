"""Test functions of any dimension ``dim``.

Forms, domains, f* and x* follow Surjanovic & Bingham's Virtual Library of Simulation
Experiments (SFU, https://www.sfu.ca/~ssurjano/optimization.html) as recorded in
``REFERENCE.md`` section 1. Default dimensions follow BoTorch (2; Powell 4).

The shiftable ones (see :mod:`hpo.problems.synthetic`) are those whose x* is the box centre
or a point of a small regular grid; each is ``>= f*`` on all of R^d, as each docstring notes.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from hpo.problems.synthetic import SyntheticFunction

__all__ = [
    "FUNCTIONS",
    "Ackley",
    "DixonPrice",
    "Griewank",
    "Levy",
    "Michalewicz",
    "Powell",
    "Rastrigin",
    "Rosenbrock",
    "StyblinskiTang",
    "Zakharov",
]


class Ackley(SyntheticFunction):
    """Ackley function on ``[-32.768, 32.768]^d``.

    ``f(x) = -a exp(-b sqrt(mean_i x_i^2)) - exp(mean_i cos(c x_i)) + a + e`` with ``a = 20``,
    ``b = 0.2``, ``c = 2 pi``; ``f* = 0`` at the centre ``x = 0`` (shiftable; the two
    exponentials are at most ``a`` and ``e``, so ``f >= 0`` everywhere).

    Reference: Ackley (1987), *A Connectionist Machine for Genetic Hillclimbing*; SFU.
    """

    key = "ackley"
    domain = ((-32.768, 32.768),)
    x_star = 0.0
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        a, b, c = 20.0, 0.2, 2 * math.pi
        # SFU Ackley: -a exp(-b sqrt(mean x^2)) - exp(mean cos(c x)) + a + e
        return (
            -a * np.exp(-b * np.sqrt(np.mean(X**2, axis=1)))
            - np.exp(np.mean(np.cos(c * X), axis=1))
            + a
            + math.e
        )


class Rosenbrock(SyntheticFunction):
    """Rosenbrock function on ``[-5, 10]^d``, ``d >= 2``.

    ``f(x) = sum_{i=1}^{d-1} [100 (x_{i+1} - x_i^2)^2 + (x_i - 1)^2]``, ``f* = 0`` at
    ``(1, ..., 1)`` (shiftable: 1 is on the 6-point grid of ``[-5, 10]``; a sum of squares).
    Other domains in use: ``[-2.048, 2.048]^d``, ``[-30, 30]^d``.

    Reference: Rosenbrock (1960), Comput. J. 3(3); SFU.
    """

    key = "rosenbrock"
    domain = ((-5.0, 10.0),)
    x_star = 1.0
    min_dim = 2
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        # sum_i 100 (x_{i+1} - x_i^2)^2 + (x_i - 1)^2
        head, tail = X[:, :-1], X[:, 1:]
        return np.sum(100.0 * (tail - head**2) ** 2 + (head - 1.0) ** 2, axis=1)


class Rastrigin(SyntheticFunction):
    """Rastrigin function on ``[-5.12, 5.12]^d``.

    ``f(x) = 10 d + sum_i [x_i^2 - 10 cos(2 pi x_i)]``, ``f* = 0`` at the centre ``x = 0``
    (shiftable; every term ``x^2 + 10 (1 - cos 2 pi x)`` is ``>= 0``).

    Reference: Rastrigin (1974); Mühlenbein et al. (1991), Parallel Comput. 17; SFU.
    """

    key = "rastrigin"
    domain = ((-5.12, 5.12),)
    x_star = 0.0
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        # 10 d + sum_i x_i^2 - 10 cos(2 pi x_i)
        return 10.0 * X.shape[1] + np.sum(X**2 - 10.0 * np.cos(2 * math.pi * X), axis=1)


class Levy(SyntheticFunction):
    """Levy function on ``[-10, 10]^d``.

    With ``w_i = 1 + (x_i - 1) / 4``: ``f(x) = sin^2(pi w_1)
    + sum_{i=1}^{d-1} (w_i - 1)^2 [1 + 10 sin^2(pi w_i + 1)]
    + (w_d - 1)^2 [1 + sin^2(2 pi w_d)]``, ``f* = 0`` at ``(1, ..., 1)`` (shiftable: 1 is on
    the 21-point grid of ``[-10, 10]``; every term is ``>= 0``).

    Reference: Levy & Montalvo (1985), SIAM J. Sci. Stat. Comput. 6(1); SFU form.
    """

    key = "levy"
    domain = ((-10.0, 10.0),)
    x_star = 1.0
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        # SFU Levy, terms in the order of the docstring
        w = 1.0 + (X - 1.0) / 4.0
        head, last = w[:, :-1], w[:, -1]
        return (
            np.sin(math.pi * w[:, 0]) ** 2
            + np.sum((head - 1) ** 2 * (1 + 10 * np.sin(math.pi * head + 1) ** 2), axis=1)
            + (last - 1) ** 2 * (1 + np.sin(2 * math.pi * last) ** 2)
        )


class Griewank(SyntheticFunction):
    """Griewank function on ``[-600, 600]^d``.

    ``f(x) = sum_i x_i^2 / 4000 - prod_i cos(x_i / sqrt(i)) + 1``, ``f* = 0`` at the centre
    ``x = 0`` (shiftable; the product is at most 1, so ``f >= 0``).

    Reference: Griewank (1981), J. Optim. Theory Appl. 34(1); SFU.
    """

    key = "griewank"
    domain = ((-600.0, 600.0),)
    x_star = 0.0
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        i = np.arange(1, X.shape[1] + 1)
        # sum x_i^2 / 4000 - prod cos(x_i / sqrt(i)) + 1
        return np.sum(X**2, axis=1) / 4000.0 - np.prod(np.cos(X / np.sqrt(i)), axis=1) + 1.0


class StyblinskiTang(SyntheticFunction):
    """Styblinski-Tang function on ``[-5, 5]^d``.

    ``f(x) = sum_i (x_i^4 - 16 x_i^2 + 5 x_i) / 2``, ``f* = -39.16616570377142 d`` at
    ``x_i = -2.903534027771178`` (many pages print ``-39.16599 d``, which is wrong).

    Reference: Styblinski & Tang (1990), Neural Netw. 3(4); SFU.
    """

    key = "styblinski_tang"
    domain = ((-5.0, 5.0),)
    x_star = -2.903534027771178

    @classmethod
    def optimum_for(cls, dim: int) -> float:
        return -39.16616570377142 * dim

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        # sum_i (x_i^4 - 16 x_i^2 + 5 x_i) / 2
        return 0.5 * np.sum(X**4 - 16.0 * X**2 + 5.0 * X, axis=1)


class Michalewicz(SyntheticFunction):
    """Michalewicz function (steepness ``m = 10``) on ``[0, pi]^d``, ``d`` in {2, 5, 10}.

    ``f(x) = -sum_{i=1}^d sin(x_i) sin^{2m}(i x_i^2 / pi)``. It is separable, so the minimizer
    of coordinate ``i`` is the same in every ``d``: 2.20290552, pi/2, 1.28499157, 1.92305847,
    1.72046977, pi/2, 1.45441397, 1.75608652, 1.65571742, pi/2 (pi/2 is exact: there
    ``i x^2 / pi`` is an odd multiple of pi/2). f* = -1.8013034101 (d = 2),
    -4.6876581791 (d = 5), -9.6601517156 (d = 10); other ``d`` are refused for want of f*.

    Reference: Michalewicz (1996), *Genetic Algorithms + Data Structures = Evolution
    Programs*; SFU.
    """

    key = "michalewicz"
    domain = ((0.0, math.pi),)
    OPTIMA: ClassVar[dict[int, float]] = {2: -1.8013034101, 5: -4.6876581791, 10: -9.6601517156}
    X_STAR = (2.20290552, math.pi / 2, 1.28499157, 1.92305847, 1.72046977)
    X_STAR += (math.pi / 2, 1.45441397, 1.75608652, 1.65571742, math.pi / 2)

    @classmethod
    def dim_rule(cls, dim: int) -> str | None:
        return None if dim in cls.OPTIMA else "2, 5 or 10 (f* is tabulated only for these)"

    @classmethod
    def optimum_for(cls, dim: int) -> float:
        return cls.OPTIMA[dim]

    @classmethod
    def minimizers_for(cls, dim: int) -> np.ndarray:
        return np.array([cls.X_STAR[:dim]])

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        i = np.arange(1, X.shape[1] + 1)
        # -sum_i sin(x_i) sin(i x_i^2 / pi)^(2 m), m = 10
        return -np.sum(np.sin(X) * np.sin(i * X**2 / math.pi) ** 20, axis=1)


class Powell(SyntheticFunction):
    """Powell function on ``[-4, 5]^d``, ``d`` a multiple of 4.

    ``f(x) = sum_{k=1}^{d/4} [(x_{4k-3} + 10 x_{4k-2})^2 + 5 (x_{4k-1} - x_{4k})^2
    + (x_{4k-2} - 2 x_{4k-1})^4 + 10 (x_{4k-3} - x_{4k})^4]``, ``f* = 0`` at ``x = 0``
    (shiftable: 0 is on the 10-point grid of ``[-4, 5]``; a sum of even powers).

    Reference: Powell (1962), Comput. J. 5(2); SFU.
    """

    key = "powell"
    domain = ((-4.0, 5.0),)
    x_star = 0.0
    default_dim = 4
    shiftable = True

    @classmethod
    def dim_rule(cls, dim: int) -> str | None:
        return None if dim >= 4 and dim % 4 == 0 else "a positive multiple of 4"

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        a, b, c, d = X[:, 0::4], X[:, 1::4], X[:, 2::4], X[:, 3::4]
        # one term per block of four coordinates, as in the docstring
        terms = (a + 10 * b) ** 2 + 5 * (c - d) ** 2 + (b - 2 * c) ** 4 + 10 * (a - d) ** 4
        return np.sum(terms, axis=1)


class DixonPrice(SyntheticFunction):
    """Dixon-Price function on ``[-10, 10]^d``.

    ``f(x) = (x_1 - 1)^2 + sum_{i=2}^d i (2 x_i^2 - x_{i-1})^2``, ``f* = 0`` at
    ``x_i = 2^(-(2^i - 2) / 2^i)``; the last coordinate may also take the opposite sign (two
    minimizers for ``d >= 2``). Shiftable: ``x_1 = 1`` is on the 21-point grid of
    ``[-10, 10]``; a sum of squares.

    Reference: Dixon & Price (1989), J. Optim. Theory Appl. 60(2); SFU.
    """

    key = "dixon_price"
    domain = ((-10.0, 10.0),)
    shiftable = True

    @classmethod
    def minimizers_for(cls, dim: int) -> np.ndarray:
        i = np.arange(1, dim + 1)
        x = 2.0 ** (-(2.0**i - 2) / 2.0**i)
        if dim == 1:
            return x[None, :]
        mirrored = x.copy()
        mirrored[-1] = -x[-1]
        return np.array([x, mirrored])

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        i = np.arange(2, X.shape[1] + 1)
        # (x_1 - 1)^2 + sum_{i>=2} i (2 x_i^2 - x_{i-1})^2
        return (X[:, 0] - 1) ** 2 + np.sum(i * (2 * X[:, 1:] ** 2 - X[:, :-1]) ** 2, axis=1)


class Zakharov(SyntheticFunction):
    """Zakharov function on ``[-5, 10]^d``.

    With ``s = sum_i 0.5 i x_i``: ``f(x) = sum_i x_i^2 + s^2 + s^4``, ``f* = 0`` at ``x = 0``
    (shiftable: 0 is on the 4-point grid of ``[-5, 10]``; ``f >= 0``).

    Reference: SFU; Jamil & Yang (2013), Int. J. Math. Model. Numer. Optim. 4(2).
    """

    key = "zakharov"
    domain = ((-5.0, 10.0),)
    x_star = 0.0
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        s = np.sum(0.5 * np.arange(1, X.shape[1] + 1) * X, axis=1)
        # sum x_i^2 + s^2 + s^4
        return np.sum(X**2, axis=1) + s**2 + s**4


FUNCTIONS: tuple[type[SyntheticFunction], ...] = (
    Ackley,
    Rosenbrock,
    Rastrigin,
    Levy,
    Griewank,
    StyblinskiTang,
    Michalewicz,
    Powell,
    DixonPrice,
    Zakharov,
)

#: Listed in the catalogue of :mod:`hpo.problems`: name -> factory.
PROBLEMS = {function.key: function for function in FUNCTIONS}
