"""The fixed-dimension classics of the Dixon-Szegő test set.

Branin, Six-Hump Camel, Goldstein-Price, Hartmann 3 and 6, and Shekel 5, 7 and 10 (Dixon &
Szegő, "The global optimization problem: an introduction", in *Towards Global Optimisation 2*,
1978), in the forms of Surjanovic & Bingham's Virtual Library of Simulation Experiments (SFU,
https://www.sfu.ca/~ssurjano/optimization.html) and BoTorch's ``test_functions/synthetic.py``.
Constants, f* and x* are those of ``REFERENCE.md`` section 1.
"""

from __future__ import annotations

import math

import numpy as np

from hpo.problems.synthetic import SyntheticFunction

__all__ = [
    "FUNCTIONS",
    "Branin",
    "GoldsteinPrice",
    "Hartmann3",
    "Hartmann6",
    "Shekel5",
    "Shekel7",
    "Shekel10",
    "SixHumpCamel",
]


class Branin(SyntheticFunction):
    """Branin(-Hoo) function on ``[-5, 10] x [0, 15]``.

    ``f(x) = (x2 - b x1^2 + c x1 - r)^2 + s (1 - t) cos(x1) + s`` with ``b = 5.1 / (4 pi^2)``,
    ``c = 5 / pi``, ``r = 6``, ``s = 10``, ``t = 1 / (8 pi)``. Three global minimizers,
    ``(-pi, 12.275)``, ``(pi, 2.275)`` and ``(3 pi, 2.475)``, with ``f* = 5 / (4 pi)``
    (``= 10 t``: there the square vanishes and ``cos x1 = -1``).

    Reference: Branin (1972), IBM J. Res. Dev. 16(5); Dixon & Szegő (1978); SFU.
    """

    key = "branin"
    fixed_dim = 2
    domain = ((-5.0, 10.0), (0.0, 15.0))
    f_star = 5.0 / (4.0 * math.pi)
    x_star = ((-math.pi, 12.275), (math.pi, 2.275), (3.0 * math.pi, 2.475))

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        b, c, r, s, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
        x1, x2 = X[:, 0], X[:, 1]
        # SFU Branin: (x2 - b x1^2 + c x1 - r)^2 + s (1 - t) cos(x1) + s
        return (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * np.cos(x1) + s


class SixHumpCamel(SyntheticFunction):
    """Six-Hump Camel function on ``[-3, 3] x [-2, 2]``.

    ``f(x) = (4 - 2.1 x1^2 + x1^4 / 3) x1^2 + x1 x2 + (-4 + 4 x2^2) x2^2``, with two global
    minimizers ``+/-(0.08984201368301331, -0.7126564032704135)`` and
    ``f* = -1.031628453489877``. (Some libraries use ``[-5, 5]^2``; the minima are the same.)

    Reference: Dixon & Szegő (1978); SFU.
    """

    key = "six_hump_camel"
    fixed_dim = 2
    domain = ((-3.0, 3.0), (-2.0, 2.0))
    f_star = -1.031628453489877
    x_star = (
        (0.08984201368301331, -0.7126564032704135),
        (-0.08984201368301331, 0.7126564032704135),
    )

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        x1, x2 = X[:, 0], X[:, 1]
        # SFU Six-Hump Camel
        return (4 - 2.1 * x1**2 + x1**4 / 3) * x1**2 + x1 * x2 + (-4 + 4 * x2**2) * x2**2


class GoldsteinPrice(SyntheticFunction):
    """Goldstein-Price function on ``[-2, 2]^2``.

    ``f(x) = [1 + (x1 + x2 + 1)^2 (19 - 14 x1 + 3 x1^2 - 14 x2 + 6 x1 x2 + 3 x2^2)]
    x [30 + (2 x1 - 3 x2)^2 (18 - 32 x1 + 12 x1^2 + 48 x2 - 36 x1 x2 + 27 x2^2)]``,
    minimized at ``(0, -1)`` with ``f* = 3``.

    Shiftable: ``(0, -1)`` lies on the 5-point grid of the box. ``f >= 3`` on all of R^2: with
    ``s = x1 + x2`` the first factor is ``1 + (s + 1)^2 (3 s^2 - 14 s + 19) >= 1`` (negative
    discriminant), and with ``u = 2 x1 - 3 x2`` the second is ``30 + u^2 (3 u^2 - 16 u + 18)``,
    whose least value is 3 at ``u = 3``.

    Reference: Goldstein & Price (1971), Math. Comp. 25(115); SFU.
    """

    key = "goldstein_price"
    fixed_dim = 2
    domain = ((-2.0, 2.0),)
    f_star = 3.0
    x_star = ((0.0, -1.0),)
    shiftable = True

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        x1, x2 = X[:, 0], X[:, 1]
        # Goldstein & Price (1971), SFU form: the product of the two factors of the docstring
        a = 1 + (x1 + x2 + 1) ** 2 * (19 - 14 * x1 + 3 * x1**2 - 14 * x2 + 6 * x1 * x2 + 3 * x2**2)
        b = 30 + (2 * x1 - 3 * x2) ** 2 * (
            18 - 32 * x1 + 12 * x1**2 + 48 * x2 - 36 * x1 * x2 + 27 * x2**2
        )
        return a * b


_HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def _hartmann(X: np.ndarray, A: np.ndarray, P: np.ndarray) -> np.ndarray:
    # SFU Hartmann: f(x) = -sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2), i = 1..4
    inner = np.sum(A * (X[:, None, :] - P) ** 2, axis=-1)
    return -np.sum(_HARTMANN_ALPHA * np.exp(-inner), axis=-1)


class Hartmann3(SyntheticFunction):
    """Hartmann 3-D function on ``[0, 1]^3``.

    ``f(x) = -sum_{i=1}^4 alpha_i exp(-sum_{j=1}^3 A_ij (x_j - P_ij)^2)`` with
    ``alpha = (1, 1.2, 3, 3.2)``, ``A`` and ``P`` below (``P[3][0] = 0.0381``, the SFU and
    BoTorch matrix). ``f* = -3.8627797873`` at ``(0.1145889, 0.5556489, 0.8525470)``; the often
    quoted ``x1 = 0.114614`` belongs to the ``P[3][0] = 0.03815`` variant.

    Reference: Hartman (1973), Naval Res. Logist. Q. 20; Dixon & Szegő (1978); SFU.
    """

    key = "hartmann3"
    fixed_dim = 3
    domain = ((0.0, 1.0),)
    f_star = -3.8627797873
    x_star = ((0.1145889, 0.5556489, 0.8525470),)
    A = np.array([[3.0, 10, 30], [0.1, 10, 35], [3.0, 10, 30], [0.1, 10, 35]])
    P = 1e-4 * np.array(
        [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]
    )

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        return _hartmann(X, self.A, self.P)


class Hartmann6(SyntheticFunction):
    """Hartmann 6-D function on ``[0, 1]^6``.

    ``f(x) = -sum_{i=1}^4 alpha_i exp(-sum_{j=1}^6 A_ij (x_j - P_ij)^2)`` with
    ``alpha = (1, 1.2, 3, 3.2)`` and ``A``, ``P`` of Surjanovic & Bingham.
    ``f* = -3.32236801141551`` at
    ``(0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054)``.

    Reference: Hartman (1973), Naval Res. Logist. Q. 20; Dixon & Szegő (1978); SFU.
    """

    key = "hartmann6"
    fixed_dim = 6
    domain = ((0.0, 1.0),)
    f_star = -3.32236801141551
    x_star = ((0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054),)
    A = np.array(
        [
            [10, 3, 17, 3.5, 1.7, 8],
            [0.05, 10, 17, 0.1, 8, 14],
            [3, 3.5, 1.7, 10, 17, 8],
            [17, 8, 0.05, 10, 0.1, 14],
        ]
    )
    P = 1e-4 * np.array(
        [
            [1312, 1696, 5569, 124, 8283, 5886],
            [2329, 4135, 8307, 3736, 1004, 9991],
            [2348, 1451, 3522, 2883, 3047, 6650],
            [4047, 8828, 8732, 5743, 1091, 381],
        ]
    )

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        return _hartmann(X, self.A, self.P)


class _Shekel(SyntheticFunction):
    """Shekel function on ``[0, 10]^4`` with ``m`` terms.

    ``f(x) = -sum_{i=1}^m (sum_{j=1}^4 (x_j - C_ij)^2 + beta_i)^{-1}`` with
    ``beta = (1, 2, 2, 4, 4, 6, 3, 7, 5, 5) / 10`` and the SFU centres ``C_i`` below (the 7th
    is ``(5, 3, 5, 3)``; the ``(5, 5, 3, 3)`` variant has other optima). The global minimizer
    is near ``(4, 4, 4, 4)``.

    Shiftable: the 11-point grid of the box contains ``(4, 4, 4, 4)``, within 2e-4 of f*.
    ``f >= f*`` on all of R^4 because the box contains every centre: projecting a point onto
    the convex hull of the centres brings it nearer to all of them, lowering every term.

    Reference: Shekel (1971), Proc. 5th Princeton Conf. Inf. Sci. Syst.; Dixon & Szegő
    (1978); SFU.
    """

    m = 10
    fixed_dim = 4
    domain = ((0.0, 10.0),)
    shiftable = True
    C = np.array(
        [
            [4, 4, 4, 4],
            [1, 1, 1, 1],
            [8, 8, 8, 8],
            [6, 6, 6, 6],
            [3, 7, 3, 7],
            [2, 9, 2, 9],
            [5, 3, 5, 3],
            [8, 1, 8, 1],
            [6, 2, 6, 2],
            [7, 3.6, 7, 3.6],
        ]
    )
    beta = 0.1 * np.array([1, 2, 2, 4, 4, 6, 3, 7, 5, 5])

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        # SFU Shekel: -sum_{i<=m} 1 / (||x - C_i||^2 + beta_i)
        sq = np.sum((X[:, None, :] - self.C[: self.m]) ** 2, axis=-1)
        return -np.sum(1.0 / (sq + self.beta[: self.m]), axis=-1)


# The m = 5 and m = 7 minimizers are ours (BFGS from (4, 4, 4, 4), gradient tolerance 1e-13,
# rounded to 8 decimals); they reproduce the tabulated f* to 3e-14 relative.
class Shekel5(_Shekel):
    __doc__ = _Shekel.__doc__ + "\n    m = 5: ``f* = -10.153199679058``."
    key = "shekel5"
    m = 5
    f_star = -10.153199679058
    x_star = ((4.00003715, 4.00013327, 4.00003715, 4.00013327),)


class Shekel7(_Shekel):
    __doc__ = _Shekel.__doc__ + "\n    m = 7: ``f* = -10.402915336778``."
    key = "shekel7"
    m = 7
    f_star = -10.402915336778
    x_star = ((4.00057281, 3.99960620, 4.00057281, 3.99960620),)


class Shekel10(_Shekel):
    __doc__ = _Shekel.__doc__ + "\n    m = 10: ``f* = -10.536443153484``."
    key = "shekel10"
    m = 10
    f_star = -10.536443153484
    x_star = ((4.00074687, 3.99950948, 4.00074687, 3.99950948),)


FUNCTIONS: tuple[type[SyntheticFunction], ...] = (
    Branin,
    SixHumpCamel,
    GoldsteinPrice,
    Hartmann3,
    Hartmann6,
    Shekel5,
    Shekel7,
    Shekel10,
)

#: Listed in the catalogue of :mod:`hpo.problems`: name -> factory.
PROBLEMS = {function.key: function for function in FUNCTIONS}
