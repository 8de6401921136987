"""Noiseless functions of the BBOB testbed (COCO), with seeded random instances.

Definitions from Hansen, Finck, Ros & Auger (2009), "Real-parameter black-box optimization
benchmarking 2009: noiseless functions definitions", INRIA RR-6829 (cited below as [H09],
with the function number); the ``bbob`` suite of COCO implements the same formulas. All 24
noiseless functions but f20 (Schwefel), whose minimum is known only approximately (the
constant 4.189828872724339 of its definition), so that its regret could not be exact.

Notation (row vectors: ``X`` has shape ``(n_points, d)``, and ``z = M x`` is ``Z = X @ M.T``)

- ``x_opt``: the optimum location, uniform in ``[-4, 4]^d`` (f8: ``[-3, 3]^d``; f9 and the
  Gallagher functions define their own).
- ``f_opt``: the optimal value, drawn as COCO draws it: ``100 g1 / g2`` for two standard normal
  numbers, rounded to two decimals and clipped to ``[-1000, 1000]`` (a Cauchy variable).
- ``R``, ``Q``: random orthogonal matrices (Haar measure: QR of a Gaussian matrix, with the
  signs of R's diagonal moved into Q; Mezzadri 2007).
- ``Lambda^alpha``: the diagonal matrix with ``lambda_ii = alpha^(1/2 (i-1)/(d-1))``.
- ``T_osz``, ``T_asy^beta``: the oscillation and asymmetry transformations of [H09], section 0.
- ``f_pen(x) = sum_i max(0, |x_i| - 5)^2``: zero in the search box ``[-5, 5]^d``.

An instance is a seed: ``instance=k`` draws ``x_opt``, ``f_opt``, ``R``, ``Q`` (and Gallagher's
peaks) from ``numpy.random.default_rng([fid, d, k])`` (``fid`` the BBOB function number), so
instances are reproducible and independent across functions and dimensions. They are hpo's own
draws, not COCO's instances (COCO uses its own legacy generator): the formulas are the same,
the random numbers differ. Each function reaches ``f_opt`` exactly at ``x_opt`` (the
:attr:`minimizers`), which lies in the search box.
"""

from __future__ import annotations

import numbers
from typing import ClassVar

import numpy as np

from hpo.problems.synthetic import SyntheticFunction, _frozen
from hpo.space import Real, Space

__all__ = [
    "FUNCTIONS",
    "AttractiveSector",
    "BBOBFunction",
    "BentCigar",
    "BucheRastrigin",
    "DifferentPowers",
    "Discus",
    "EllipsoidRotated",
    "EllipsoidSeparable",
    "Gallagher21",
    "Gallagher101",
    "GriewankRosenbrock",
    "Katsuura",
    "LinearSlope",
    "LunacekBiRastrigin",
    "Rastrigin",
    "RastriginRotated",
    "RosenbrockOriginal",
    "RosenbrockRotated",
    "SchafferF7",
    "SchafferF7Ill",
    "SharpRidge",
    "Sphere",
    "StepEllipsoid",
    "Weierstrass",
    "lambda_alpha",
    "random_rotation",
    "t_asy",
    "t_osz",
]


# -- the transformations of [H09], section 0.2 ----------------------------------------------


def t_osz(x: np.ndarray) -> np.ndarray:
    """T_osz, elementwise: ``sign(x) exp(xh + 0.049 (sin(c1 xh) + sin(c2 xh)))`` with
    ``xh = log|x|`` (0 at x = 0), ``c1 = 10, c2 = 7.9`` for x > 0 and ``5.5, 3.1`` otherwise."""
    x = np.asarray(x, dtype=float)
    a = np.abs(x)
    xh = np.log(a, out=np.zeros_like(a), where=a > 0)
    pos = x > 0
    c1, c2 = np.where(pos, 10.0, 5.5), np.where(pos, 7.9, 3.1)
    return np.sign(x) * np.exp(xh + 0.049 * (np.sin(c1 * xh) + np.sin(c2 * xh)))


def t_asy(X: np.ndarray, beta: float) -> np.ndarray:
    """T_asy^beta on rows of ``X`` (n_points, d): ``x_i^(1 + beta (i-1)/(d-1) sqrt(x_i))`` where
    ``x_i > 0``, ``x_i`` otherwise."""
    d = X.shape[1]
    ramp = np.arange(d) / (d - 1)
    base = np.maximum(X, 0.0)
    return np.where(X > 0, base ** (1.0 + beta * ramp * np.sqrt(base)), X)


def lambda_alpha(alpha: float, d: int) -> np.ndarray:
    """The diagonal of Lambda^alpha: ``alpha^(1/2 (i-1)/(d-1))``, i = 1..d."""
    return alpha ** (0.5 * np.arange(d) / (d - 1))


def random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    """A random orthogonal ``d x d`` matrix, Haar-distributed (Mezzadri 2007, section 5)."""
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def _penalty(X: np.ndarray) -> np.ndarray:
    # f_pen(x) = sum_i max(0, |x_i| - 5)^2 [H09, section 0.2]
    return np.sum(np.maximum(0.0, np.abs(X) - 5.0) ** 2, axis=1)


def _weights(exponent: float, d: int) -> np.ndarray:
    """``10^(exponent (i-1)/(d-1))``, i = 1..d: the conditioning of the ellipsoids."""
    return 10.0 ** (exponent * np.arange(d) / (d - 1))


class BBOBFunction(SyntheticFunction):
    """A BBOB function on ``[-5, 5]^d`` (``d >= 2``), one seeded instance of it.

    Parameters
    ----------
    dim : int, optional
        Dimension ``d >= 2`` (default 2).
    instance : int, optional
        Seed of the instance (default 0): ``x_opt``, ``f_opt`` and the rotations. Studies
        use 1, 2, ... as COCO numbers its instances, so that every name carries its instance.

    Attributes
    ----------
    x_opt : ndarray of shape (dim,)
        The global minimizer (also ``minimizers[0]``).
    optimum : float
        ``f_opt``, reached exactly at ``x_opt``.

    Examples
    --------
    >>> from hpo.problems import get_problem
    >>> p = get_problem("bbob_ellipsoid_rotated:dim=5,instance=3")
    >>> p.name, p.dim
    ('bbob_ellipsoid_rotated:dim=5,instance=3', 5)
    >>> bool(p.evaluate(p.minimizers)[0] == p.optimum)
    True
    """

    #: The function number in [H09].
    fid: ClassVar[int] = 0
    domain = ((-5.0, 5.0),)
    min_dim = 2
    #: Factor of f_pen in the definition (0: none).
    penalty: ClassVar[float] = 0.0

    def __init__(self, dim: int | None = None, instance: int = 0) -> None:
        self.dim = self._resolve_dim(dim)
        if not isinstance(instance, numbers.Integral) or isinstance(instance, bool):
            raise ValueError(f"{self.key}: instance must be an integer, got {instance!r}")
        if instance < 0:
            raise ValueError(f"{self.key}: instance must be a non-negative seed, got {instance}")
        self.instance = int(instance)
        rng = np.random.default_rng([self.fid, self.dim, self.instance])
        self.x_opt = rng.uniform(-4.0, 4.0, size=self.dim)
        # COCO's f_opt: round(100 g1 / g2, 2), clipped to [-1000, 1000]
        g1, g2 = rng.standard_normal(2)
        self.f_opt = float(np.clip(np.round(100.0 * g1 / g2, 2), -1000.0, 1000.0))
        self._setup(rng)
        self.x_opt.setflags(write=False)
        self.optimum = self.f_opt
        self.minimizers = _frozen(self.x_opt[None, :])
        self.shift = None
        self.bounds = _frozen(np.tile([-5.0, 5.0], (self.dim, 1)))
        self.space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(self.dim)})
        args = [f"dim={self.dim}"] if self.dim != self.default_dim else []
        args += [f"instance={self.instance}"] if self.instance != 0 else []
        self.name = self.key + (":" + ",".join(args) if args else "")

    def _setup(self, rng: np.random.Generator) -> None:
        """Draw what the instance needs beyond ``x_opt`` and ``f_opt``."""

    def _raw(self, X: np.ndarray) -> np.ndarray:
        """The function without ``f_opt`` and ``f_pen``, for X of shape (n_points, d)."""
        raise NotImplementedError

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        out = self._raw(X)
        if self.penalty:
            out = out + self.penalty * _penalty(X)
        return out + self.f_opt


class Sphere(BBOBFunction):
    """f1, sphere: ``||z||^2 + f_opt``, ``z = x - x_opt`` [H09, f1]."""

    key, fid = "bbob_sphere", 1

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return np.sum((X - self.x_opt) ** 2, axis=1)


class EllipsoidSeparable(BBOBFunction):
    """f2, separable ellipsoid: ``sum_i 10^(6 (i-1)/(d-1)) z_i^2 + f_opt``,
    ``z = T_osz(x - x_opt)`` [H09, f2]; condition 1e6."""

    key, fid = "bbob_ellipsoid", 2

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return t_osz(X - self.x_opt) ** 2 @ _weights(6.0, self.dim)


class AttractiveSector(BBOBFunction):
    """f6, attractive sector: ``T_osz(sum_i (s_i z_i)^2)^0.9 + f_opt``,
    ``z = Q Lambda^10 R (x - x_opt)``, ``s_i = 100`` where ``z_i x_opt_i > 0``, else 1
    [H09, f6]: only a hypercone around x_opt in which the slope is 100 times smaller."""

    key, fid = "bbob_attractive_sector", 6

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = self.Q @ (lambda_alpha(10.0, self.dim)[:, None] * self.R)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.x_opt) @ self.M.T
        s = np.where(Z * self.x_opt > 0, 100.0, 1.0)
        return t_osz(np.sum((s * Z) ** 2, axis=1)) ** 0.9


class StepEllipsoid(BBOBFunction):
    """f7, step ellipsoid: ``0.1 max(|zh_1| / 1e4, sum_i 10^(2 (i-1)/(d-1)) z_i^2) + f_pen
    + f_opt`` with ``zh = Lambda^10 R (x - x_opt)``, ``zt_i = floor(0.5 + zh_i)`` where
    ``|zh_i| > 0.5``, else ``floor(0.5 + 10 zh_i) / 10``, and ``z = Q zt`` [H09, f7]: plateaus.
    The minimum ``f_opt`` is reached on a set around x_opt (zt = 0 and zh_1 = 0)."""

    key, fid, penalty = "bbob_step_ellipsoid", 7, 1.0

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Zh = ((X - self.x_opt) @ self.R.T) * lambda_alpha(10.0, self.dim)
        Zt = np.where(np.abs(Zh) > 0.5, np.floor(0.5 + Zh), np.floor(0.5 + 10.0 * Zh) / 10.0)
        Z = Zt @ self.Q.T
        return 0.1 * np.maximum(np.abs(Zh[:, 0]) / 1e4, Z**2 @ _weights(2.0, self.dim))


def _rosenbrock(Z: np.ndarray) -> np.ndarray:
    # sum_{i<d} 100 (z_i^2 - z_{i+1})^2 + (z_i - 1)^2 [H09, f8]
    head, tail = Z[:, :-1], Z[:, 1:]
    return np.sum(100.0 * (head**2 - tail) ** 2 + (head - 1.0) ** 2, axis=1)


class RosenbrockOriginal(BBOBFunction):
    """f8, Rosenbrock: ``sum_{i<d} 100 (z_i^2 - z_{i+1})^2 + (z_i - 1)^2 + f_opt`` with
    ``z = max(1, sqrt(d)/8) (x - x_opt) + 1`` and ``x_opt`` in ``[-3, 3]^d`` [H09, f8]."""

    key, fid = "bbob_rosenbrock", 8

    def _setup(self, rng: np.random.Generator) -> None:
        self.x_opt = 0.75 * self.x_opt
        self.scale = max(1.0, np.sqrt(self.dim) / 8.0)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return _rosenbrock(self.scale * (X - self.x_opt) + 1.0)


class RosenbrockRotated(BBOBFunction):
    """f9, rotated Rosenbrock: the same sum with ``z = max(1, sqrt(d)/8) R x + 1/2``
    [H09, f9]; its minimizer is where ``z = 1``: ``x_opt = R^T 1 / (2 max(1, sqrt(d)/8))``
    (inside ``[-5, 5]^d``: its norm is ``sqrt(d)/2``, at most 4 for d <= 64)."""

    key, fid = "bbob_rosenbrock_rotated", 9

    def _setup(self, rng: np.random.Generator) -> None:
        self.R = random_rotation(rng, self.dim)
        self.scale = max(1.0, np.sqrt(self.dim) / 8.0)
        self.x_opt = self.R.T @ np.full(self.dim, 0.5 / self.scale)
        if np.max(np.abs(self.x_opt)) > 5.0:
            raise ValueError(f"{self.key}: dim must be <= 64 for x_opt to lie in the box")

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return _rosenbrock(self.scale * (X @ self.R.T) + 0.5)


class EllipsoidRotated(BBOBFunction):
    """f10, rotated ellipsoid: ``sum_i 10^(6 (i-1)/(d-1)) z_i^2 + f_opt``,
    ``z = T_osz(R (x - x_opt))`` [H09, f10]; condition 1e6."""

    key, fid = "bbob_ellipsoid_rotated", 10

    def _setup(self, rng: np.random.Generator) -> None:
        self.R = random_rotation(rng, self.dim)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return t_osz((X - self.x_opt) @ self.R.T) ** 2 @ _weights(6.0, self.dim)


class Discus(BBOBFunction):
    """f11, discus: ``10^6 z_1^2 + sum_{i>=2} z_i^2 + f_opt``, ``z = T_osz(R (x - x_opt))``
    [H09, f11]: one sensitive direction."""

    key, fid = "bbob_discus", 11

    def _setup(self, rng: np.random.Generator) -> None:
        self.R = random_rotation(rng, self.dim)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = t_osz((X - self.x_opt) @ self.R.T)
        return 1e6 * Z[:, 0] ** 2 + np.sum(Z[:, 1:] ** 2, axis=1)


class BentCigar(BBOBFunction):
    """f12, bent cigar: ``z_1^2 + 10^6 sum_{i>=2} z_i^2 + f_opt``,
    ``z = R T_asy^0.5(R (x - x_opt))`` (the same R twice) [H09, f12]: a thin curved ridge."""

    key, fid = "bbob_bent_cigar", 12

    def _setup(self, rng: np.random.Generator) -> None:
        self.R = random_rotation(rng, self.dim)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = t_asy((X - self.x_opt) @ self.R.T, 0.5) @ self.R.T
        return Z[:, 0] ** 2 + 1e6 * np.sum(Z[:, 1:] ** 2, axis=1)


class SharpRidge(BBOBFunction):
    """f13, sharp ridge: ``z_1^2 + 100 sqrt(sum_{i>=2} z_i^2) + f_opt``,
    ``z = Q Lambda^10 R (x - x_opt)`` [H09, f13]: non-differentiable along the ridge."""

    key, fid = "bbob_sharp_ridge", 13

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = self.Q @ (lambda_alpha(10.0, self.dim)[:, None] * self.R)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.x_opt) @ self.M.T
        return Z[:, 0] ** 2 + 100.0 * np.sqrt(np.sum(Z[:, 1:] ** 2, axis=1))


class DifferentPowers(BBOBFunction):
    """f14, different powers: ``sqrt(sum_i |z_i|^(2 + 4 (i-1)/(d-1))) + f_opt``,
    ``z = R (x - x_opt)`` [H09, f14]."""

    key, fid = "bbob_different_powers", 14

    def _setup(self, rng: np.random.Generator) -> None:
        self.R = random_rotation(rng, self.dim)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = (X - self.x_opt) @ self.R.T
        return np.sqrt(np.sum(np.abs(Z) ** (2.0 + 4.0 * np.arange(self.dim) / (self.dim - 1)), 1))


class RastriginRotated(BBOBFunction):
    """f15, rotated Rastrigin: ``10 (d - sum_i cos(2 pi z_i)) + ||z||^2 + f_opt``,
    ``z = R Lambda^10 Q T_asy^0.2(T_osz(R (x - x_opt)))`` (the same R twice) [H09, f15]."""

    key, fid = "bbob_rastrigin_rotated", 15

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = self.R @ (lambda_alpha(10.0, self.dim)[:, None] * self.Q)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = t_asy(t_osz((X - self.x_opt) @ self.R.T), 0.2) @ self.M.T
        return 10.0 * (self.dim - np.sum(np.cos(2 * np.pi * Z), axis=1)) + np.sum(Z**2, axis=1)


class SchafferF7(BBOBFunction):
    """f17, Schaffer's F7: ``(1/(d-1) sum_{i<d} sqrt(s_i) + sqrt(s_i) sin^2(50 s_i^(1/5)))^2
    + 10 f_pen + f_opt`` with ``s_i = sqrt(z_i^2 + z_{i+1}^2)`` and
    ``z = Lambda^10 Q T_asy^0.5(R (x - x_opt))`` [H09, f17] (f18: Lambda^1000)."""

    key, fid, penalty = "bbob_schaffer_f7", 17, 10.0
    condition: ClassVar[float] = 10.0

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = lambda_alpha(self.condition, self.dim)[:, None] * self.Q

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = t_asy((X - self.x_opt) @ self.R.T, 0.5) @ self.M.T
        s = np.sqrt(Z[:, :-1] ** 2 + Z[:, 1:] ** 2)
        return np.mean(np.sqrt(s) + np.sqrt(s) * np.sin(50.0 * s**0.2) ** 2, axis=1) ** 2


class SchafferF7Ill(SchafferF7):
    """f18, Schaffer's F7 moderately ill-conditioned: f17 with Lambda^1000 [H09, f18]."""

    key, fid = "bbob_schaffer_f7_ill", 18
    condition = 1000.0


class _Gallagher(BBOBFunction):
    """Gallagher's Gaussian peaks [H09, f21, f22]:
    ``T_osz(10 - max_i w_i exp(-1/(2d) (x - y_i)^T R^T C_i R (x - y_i)))^2 + f_pen + f_opt``,
    with ``w_1 = 10`` and ``w_i = 1.1 + 8 (i - 2)/(m - 2)`` for the other ``m - 1`` peaks,
    ``C_i = Lambda^alpha_i / alpha_i^(1/4)`` with its diagonal randomly permuted, ``alpha_i``
    drawn without replacement from ``{1000^(2j/(m-2)), j = 0..m-2}`` and ``alpha_1`` fixed;
    ``y_i`` uniform in ``[-b, b]^d`` and the global peak ``y_1 = x_opt`` in ``[-0.8 b, 0.8 b]^d``.
    As ``w_i < 10`` for i >= 2, ``x_opt`` is the unique minimizer."""

    penalty = 1.0
    n_peaks: ClassVar[int] = 0
    alpha_1: ClassVar[float] = 0.0
    box: ClassVar[float] = 0.0

    def _setup(self, rng: np.random.Generator) -> None:
        m, d = self.n_peaks, self.dim
        self.R = random_rotation(rng, d)
        alphas = rng.permutation(1000.0 ** (2.0 * np.arange(m - 1) / (m - 2)))
        alphas = np.concatenate([[self.alpha_1], alphas])
        # C_i diagonal: alpha^(1/2 (j-1)/(d-1)) / alpha^(1/4) = alpha^((j-1)/(2(d-1)) - 1/4)
        exponents = 0.5 * np.arange(d) / (d - 1) - 0.25
        self.C = np.array([rng.permutation(a**exponents) for a in alphas])
        self.w = np.concatenate([[10.0], 1.1 + 8.0 * np.arange(m - 1) / (m - 2)])
        self.y = rng.uniform(-self.box, self.box, size=(m, d))
        self.y[0] *= 0.8
        self.x_opt = self.y[0].copy()

    def _raw(self, X: np.ndarray) -> np.ndarray:
        diff = (X[:, None, :] - self.y[None, :, :]) @ self.R.T  # (n, m, d): R (x - y_i)
        quad = np.sum(self.C[None] * diff**2, axis=2)
        peaks = self.w * np.exp(-quad / (2.0 * self.dim))
        return t_osz(10.0 - np.max(peaks, axis=1)) ** 2


class Gallagher101(_Gallagher):
    """f21, Gallagher's 101 peaks: ``alpha_1 = 1000``, ``y_i`` in ``[-5, 5]^d`` [H09, f21]."""

    key, fid = "bbob_gallagher101", 21
    n_peaks, alpha_1, box = 101, 1000.0, 5.0


class Gallagher21(_Gallagher):
    """f22, Gallagher's 21 peaks: ``alpha_1 = 1000^2``, ``y_i`` in ``[-4.9, 4.9]^d``
    [H09, f22]."""

    key, fid = "bbob_gallagher21", 22
    n_peaks, alpha_1, box = 21, 1000.0**2, 4.9


def _rastrigin(Z: np.ndarray) -> np.ndarray:
    # 10 (d - sum_i cos(2 pi z_i)) + ||z||^2 [H09, f3]
    return 10.0 * (Z.shape[1] - np.sum(np.cos(2 * np.pi * Z), axis=1)) + np.sum(Z**2, axis=1)


class Rastrigin(BBOBFunction):
    """f3, separable Rastrigin: ``10 (d - sum_i cos(2 pi z_i)) + ||z||^2 + f_opt``,
    ``z = Lambda^10 T_asy^0.2(T_osz(x - x_opt))`` [H09, f3]."""

    key, fid = "bbob_rastrigin", 3

    def _raw(self, X: np.ndarray) -> np.ndarray:
        return _rastrigin(lambda_alpha(10.0, self.dim) * t_asy(t_osz(X - self.x_opt), 0.2))


class BucheRastrigin(BBOBFunction):
    """f4, Büche-Rastrigin: ``10 (d - sum_i cos(2 pi z_i)) + ||z||^2 + 100 f_pen + f_opt``,
    ``z_i = s_i T_osz(x_i - x_opt_i)`` with ``s_i = 10 * 10^((i-1)/(2(d-1)))`` where that
    ``T_osz`` value is positive and ``i`` is odd, ``10^((i-1)/(2(d-1)))`` otherwise; ``x_opt_i
    >= 0`` for odd ``i`` [H09, f4]."""

    key, fid, penalty = "bbob_buche_rastrigin", 4, 100.0

    def _setup(self, rng: np.random.Generator) -> None:
        self.x_opt[::2] = np.abs(self.x_opt[::2])  # odd i (1-based)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = t_osz(X - self.x_opt)
        odd = (np.arange(self.dim) % 2 == 0)[None, :]
        s = np.where((Z > 0) & odd, 10.0, 1.0) * lambda_alpha(10.0, self.dim)
        return _rastrigin(s * Z)


class LinearSlope(BBOBFunction):
    """f5, linear slope: ``sum_i 5 |s_i| - s_i z_i + f_opt`` with ``s_i = sign(x_opt_i)
    10^((i-1)/(d-1))``, ``z_i = x_i`` where ``x_opt_i x_i < 25``, else ``x_opt_i``, and
    ``x_opt`` a random corner of the box, ``5 * (+/-1)^d`` [H09, f5]."""

    key, fid = "bbob_linear_slope", 5

    def _setup(self, rng: np.random.Generator) -> None:
        self.x_opt = 5.0 * np.where(self.x_opt >= 0, 1.0, -1.0)
        self.s = np.sign(self.x_opt) * 10.0 ** (np.arange(self.dim) / (self.dim - 1))

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = np.where(self.x_opt * X < 25.0, X, self.x_opt)
        return np.sum(5.0 * np.abs(self.s) - self.s * Z, axis=1)


class Weierstrass(BBOBFunction):
    """f16, Weierstrass: ``10 (1/d sum_i sum_{k=0}^{11} 2^-k cos(2 pi 3^k (z_i + 1/2)) - f0)^3
    + 10/d f_pen + f_opt`` with ``f0 = sum_k 2^-k cos(pi 3^k)`` and
    ``z = R Lambda^(1/100) Q T_osz(R (x - x_opt))`` (the same R twice) [H09, f16]."""

    key, fid = "bbob_weierstrass", 16
    _a = 0.5 ** np.arange(12)
    _b = 3.0 ** np.arange(12)

    @property
    def penalty(self) -> float:  # type: ignore[override]
        return 10.0 / self.dim

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = self.R @ (lambda_alpha(0.01, self.dim)[:, None] * self.Q)
        # f0: the inner sum at z_i = 0, computed as the sum itself is
        self.f0 = float(np.sum(self._a * np.cos(2 * np.pi * self._b * 0.5)))

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = t_osz((X - self.x_opt) @ self.R.T) @ self.M.T
        inner = np.cos(2 * np.pi * self._b * (Z[:, :, None] + 0.5)) @ self._a  # (n, d)
        return 10.0 * (np.mean(inner, axis=1) - self.f0) ** 3


class GriewankRosenbrock(BBOBFunction):
    """f19, composite Griewank-Rosenbrock F8F2: ``10/(d-1) sum_{i<d} (s_i/4000 - cos(s_i))
    + 10 + f_opt`` with ``s_i = 100 (z_i^2 - z_{i+1})^2 + (z_i - 1)^2`` and
    ``z = max(1, sqrt(d)/8) R x + 1/2``; minimizer ``x_opt = R^T 1 / (2 max(1, sqrt(d)/8))``
    as for f9 [H09, f19]."""

    key, fid = "bbob_griewank_rosenbrock", 19

    _setup = RosenbrockRotated._setup

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Z = self.scale * (X @ self.R.T) + 0.5
        s = 100.0 * (Z[:, :-1] ** 2 - Z[:, 1:]) ** 2 + (Z[:, :-1] - 1.0) ** 2
        return 10.0 * np.mean(s / 4000.0 - np.cos(s), axis=1) + 10.0


class Katsuura(BBOBFunction):
    """f23, Katsuura: ``10/d^2 prod_i (1 + i sum_{j=1}^{32} |2^j z_i - [2^j z_i]| / 2^j)^(10 /
    d^1.2) - 10/d^2 + f_pen + f_opt`` (``[.]`` rounding to the nearest integer),
    ``z = Q Lambda^100 R (x - x_opt)`` [H09, f23]."""

    key, fid, penalty = "bbob_katsuura", 23, 1.0
    _powers = 2.0 ** np.arange(1, 33)

    def _setup(self, rng: np.random.Generator) -> None:
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = self.Q @ (lambda_alpha(100.0, self.dim)[:, None] * self.R)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        d = self.dim
        T = ((X - self.x_opt) @ self.M.T)[:, :, None] * self._powers  # (n, d, 32)
        inner = np.abs(T - np.round(T)) @ (1.0 / self._powers)  # (n, d)
        factors = (1.0 + np.arange(1, d + 1) * inner) ** (10.0 / d**1.2)
        return 10.0 / d**2 * np.prod(factors, axis=1) - 10.0 / d**2


class LunacekBiRastrigin(BBOBFunction):
    """f24, Lunacek bi-Rastrigin: ``min(sum_i (xh_i - mu0)^2, d + s sum_i (xh_i - mu1)^2)
    + 10 (d - sum_i cos(2 pi z_i)) + 10^4 f_pen + f_opt`` with ``xh = 2 sign(x_opt) x``,
    ``z = Q Lambda^100 R (xh - mu0)``, ``mu0 = 2.5``, ``s = 1 - 1/(2 sqrt(d + 20) - 8.2)``,
    ``mu1 = -sqrt((mu0^2 - 1)/s)`` and ``x_opt = mu0/2 (+/-1)^d`` [H09, f24]."""

    key, fid, penalty = "bbob_lunacek", 24, 1e4
    mu0 = 2.5

    def _setup(self, rng: np.random.Generator) -> None:
        self.x_opt = 0.5 * self.mu0 * np.where(self.x_opt >= 0, 1.0, -1.0)
        self.R, self.Q = random_rotation(rng, self.dim), random_rotation(rng, self.dim)
        self.M = self.Q @ (lambda_alpha(100.0, self.dim)[:, None] * self.R)
        self.s = 1.0 - 1.0 / (2.0 * np.sqrt(self.dim + 20.0) - 8.2)
        self.mu1 = -np.sqrt((self.mu0**2 - 1.0) / self.s)

    def _raw(self, X: np.ndarray) -> np.ndarray:
        Xh = 2.0 * np.sign(self.x_opt) * X
        sphere0 = np.sum((Xh - self.mu0) ** 2, axis=1)
        sphere1 = self.dim + self.s * np.sum((Xh - self.mu1) ** 2, axis=1)
        Z = (Xh - self.mu0) @ self.M.T
        return np.minimum(sphere0, sphere1) + 10.0 * (self.dim - np.sum(np.cos(2 * np.pi * Z), 1))


#: The BBOB functions of this module, in the order of [H09].
FUNCTIONS: tuple[type[BBOBFunction], ...] = (
    Sphere,
    EllipsoidSeparable,
    Rastrigin,
    BucheRastrigin,
    LinearSlope,
    AttractiveSector,
    StepEllipsoid,
    RosenbrockOriginal,
    RosenbrockRotated,
    EllipsoidRotated,
    Discus,
    BentCigar,
    SharpRidge,
    DifferentPowers,
    RastriginRotated,
    Weierstrass,
    SchafferF7,
    SchafferF7Ill,
    GriewankRosenbrock,
    Gallagher101,
    Gallagher21,
    Katsuura,
    LunacekBiRastrigin,
)

#: Registry names of the functions of this module and their classes.
PROBLEMS = {cls.key: cls for cls in FUNCTIONS}
