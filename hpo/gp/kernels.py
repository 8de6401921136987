"""Covariance functions (kernels) with gradients, for Gaussian-process regression.

Notation (used throughout :mod:`hpo.gp`)
----------------------------------------
X, Y      : inputs, arrays of shape ``(n, d)`` and ``(m, d)``, in the unit cube.
d         : input dimension; ``n`` the number of training points.
l_j       : lengthscale of dimension ``j`` (ARD: one per dimension; a scalar is isotropic).
r2        : scaled squared distance ``r2(x, y) = sum_j (x_j - y_j)^2 / l_j^2``; ``r = sqrt(r2)``.
c         : signal variance (:class:`Constant`), ``s`` the white-noise variance (:class:`White`).
theta     : the kernel's hyperparameters as one flat vector of *natural logs*
            (``theta = log([l_1, ..., l_d, ...])``); gradients are taken w.r.t. ``theta``.
K         : the matrix ``K[a, b] = k(X[a], Y[b])``; ``dK`` its gradient, shape ``(n, m, p)``.

Every kernel gives ``K = k(X, Y)``, its diagonal ``k.diag(X)``, the gradient ``dK/dtheta`` and
the contraction ``sum_ab W_ab dK_ab/dtheta`` that the marginal-likelihood gradient needs (R&W
eq. 5.9), computed without forming ``dK`` for the stationary kernels. Stationary kernels also
give ``dK/dx``, used to differentiate acquisition functions. Sums ``k1 + k2`` and products
``k1 * k2`` combine kernels; numbers become :class:`Constant` kernels.

Formulas: Rasmussen & Williams (2006), *Gaussian Processes for Machine Learning*, ch. 4
(eqs. 4.9, 4.14, 4.17, 4.19); values agree with :mod:`sklearn.gaussian_process.kernels`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.spatial.distance import cdist

__all__ = [
    "RBF",
    "Constant",
    "Kernel",
    "Matern",
    "Polynomial",
    "Product",
    "RationalQuadratic",
    "Stationary",
    "Sum",
    "White",
]


Contraction = Callable[[np.ndarray], np.ndarray]


def _as_2d(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    return X[:, None] if X.ndim == 1 else X


class Kernel:
    """Base class: a covariance function with log-hyperparameters ``theta``.

    Subclasses implement :meth:`__call__`, :meth:`diag`, :meth:`gradient`, the ``theta``
    property and :meth:`bounds`; the others have generic (slower) defaults.
    """

    #: Names of the hyperparameters, in the order of ``theta``.
    names: tuple[str, ...] = ()

    @property
    def theta(self) -> np.ndarray:
        """Natural logs of the hyperparameters, shape ``(p,)``."""
        raise NotImplementedError

    @theta.setter
    def theta(self, value: np.ndarray) -> None:
        raise NotImplementedError

    @property
    def n_params(self) -> int:
        return len(self.theta)

    @property
    def bounds(self) -> np.ndarray:
        """Bounds of ``theta`` (log space), shape ``(p, 2)``."""
        raise NotImplementedError

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        """The covariance matrix ``K`` of shape ``(n, m)`` (``Y`` defaults to ``X``)."""
        raise NotImplementedError

    def diag(self, X: np.ndarray) -> np.ndarray:
        """``k(x, x)`` for each row of ``X``, shape ``(n,)``."""
        raise NotImplementedError

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``K = k(X, X)`` and ``dK/dtheta`` of shape ``(n, n, p)``."""
        raise NotImplementedError

    def contract_gradient(self, X: np.ndarray, W: np.ndarray) -> np.ndarray:
        """``g_i = sum_ab W_ab dK_ab / dtheta_i`` for a symmetric ``W`` of shape ``(n, n)``."""
        return self.with_gradient(X)[1](W)

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        """``K = k(X, X)`` and the function ``W -> contract_gradient(X, W)``, which reuses the
        work done for ``K`` (the marginal likelihood needs ``K`` before it knows ``W``)."""
        K, dK = self.gradient(X)
        return K, lambda W: np.einsum("ab,abp->p", W, dK)

    def gradient_x(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """``dk(X[a], Y[b]) / dX[a, j]``, shape ``(n, m, d)``."""
        return self.value_and_gradient_x(X, Y)[1]

    def value_and_gradient_x(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``k(X, Y)`` and :meth:`gradient_x` in one pass."""
        raise NotImplementedError(f"{type(self).__name__} has no gradient w.r.t. its input")

    def diag_gradient_x(self, X: np.ndarray) -> np.ndarray | None:
        """``dk(x_a, x_a) / dx_aj``, shape ``(n, d)``; None where ``k(x, x)`` does not depend
        on ``x`` (stationary kernels, constants), so that callers can skip the term."""
        return None

    def clone(self) -> Kernel:
        """A deep copy (hyperparameters included)."""
        import copy

        return copy.deepcopy(self)

    def __add__(self, other: Kernel | float) -> Sum:
        return Sum(self, other if isinstance(other, Kernel) else Constant(other))

    def __radd__(self, other: float) -> Sum:
        return Sum(Constant(other), self)

    def __mul__(self, other: Kernel | float) -> Product:
        return Product(self, other if isinstance(other, Kernel) else Constant(other))

    def __rmul__(self, other: float) -> Product:
        return Product(Constant(other), self)


def _positive(value: float | np.ndarray, name: str) -> np.ndarray:
    value = np.atleast_1d(np.asarray(value, dtype=float))
    if value.ndim != 1 or value.size == 0 or not np.all(np.isfinite(value) & (value > 0)):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return value


# --------------------------------------------------------------------------------------
# Stationary kernels: k(x, y) = f(r2(x, y)); each subclass gives f and df/dr2.
# --------------------------------------------------------------------------------------
class Stationary(Kernel):
    """A kernel of the scaled squared distance only: ``k(x, y) = f(r2(x, y))``.

    Parameters
    ----------
    lengthscale : float or array of shape (d,)
        A scalar is one lengthscale shared by all dimensions (isotropic); an array gives one
        per dimension (ARD).
    bounds : (float, float), default (1e-3, 1e3)
        Bounds of each lengthscale.
    """

    def __init__(
        self, lengthscale: float | np.ndarray = 1.0, bounds: tuple[float, float] = (1e-3, 1e3)
    ) -> None:
        self.lengthscale = _positive(lengthscale, "lengthscale")
        self.lengthscale_bounds = bounds

    # -- the profile f(r2) and its derivative, to be defined by subclasses --------------
    def _profile(self, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``f(r2)`` and ``df/dr2`` (finite, 0 where the derivative is singular at 0)."""
        raise NotImplementedError

    def _extra_gradient(self, r2: np.ndarray) -> list[np.ndarray]:
        """Gradients w.r.t. log-hyperparameters other than the lengthscales."""
        return []

    # -- hyperparameters ----------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"lengthscale_{j}" for j in range(len(self.lengthscale)))

    @property
    def theta(self) -> np.ndarray:
        return np.log(self.lengthscale)

    @theta.setter
    def theta(self, value: np.ndarray) -> None:
        self.lengthscale = np.exp(np.asarray(value, dtype=float))

    @property
    def bounds(self) -> np.ndarray:
        return np.log(np.tile(self.lengthscale_bounds, (len(self.lengthscale), 1)))

    @property
    def isotropic(self) -> bool:
        return len(self.lengthscale) == 1

    # -- values -------------------------------------------------------------------------
    def r2(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        """``r2[a, b] = sum_j (X[a, j] - Y[b, j])^2 / l_j^2``, shape ``(n, m)``."""
        X = _as_2d(X) / self.lengthscale
        Y = X if Y is None else _as_2d(Y) / self.lengthscale
        return cdist(X, Y, "sqeuclidean")

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        return self._profile(self.r2(X, Y))[0]

    #: ``f(0) == 1`` exactly (RBF, Matern, rational quadratic): ``diag`` skips ``_profile``
    _unit_diag = False

    def diag(self, X: np.ndarray) -> np.ndarray:
        if self._unit_diag:
            return np.ones(_as_2d(X).shape[0])
        return np.full(_as_2d(X).shape[0], self._profile(np.zeros(1))[0][0])

    # -- gradients ----------------------------------------------------------------------
    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X = _as_2d(X)
        r2 = self.r2(X)
        K, df = self._profile(r2)
        # dr2/dlog(l_j) = -2 (x_j - y_j)^2 / l_j^2, so dK/dlog(l_j) = f'(r2) * that.
        if self.isotropic:
            dls = [-2.0 * df * r2]
        else:
            D2 = (X[:, None, :] - X[None, :, :]) ** 2 / self.lengthscale**2
            dls = list(np.moveaxis(-2.0 * df[:, :, None] * D2, 2, 0))
        return K, np.stack(dls + self._extra_gradient(r2), axis=2)

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        X = _as_2d(X)
        Z = X / self.lengthscale
        r2 = cdist(Z, Z, "sqeuclidean")  # self.r2(X), without dividing twice
        K, df = self._profile(r2)

        def contract(W: np.ndarray) -> np.ndarray:
            M = W * df
            if self.isotropic:
                g = [-2.0 * np.sum(M * r2)]
            else:
                # sum_ab M_ab (z_aj - z_bj)^2 = 2 sum_a z_aj^2 (M 1)_a - 2 z_j^T M z_j
                # for symmetric M, times -2 for dr2/dlog(l_j)
                quad = np.sum(Z * (M @ Z), axis=0)
                g = list(-4.0 * ((Z**2).T @ M.sum(axis=1) - quad))
            g += [np.sum(W * e) for e in self._extra_gradient(r2)]
            return np.asarray(g, dtype=float)

        return K, contract

    def value_and_gradient_x(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        X, Y = _as_2d(X), _as_2d(Y)
        K, df = self._profile(self.r2(X, Y))
        # dr2/dx_j = 2 (x_j - y_j) / l_j^2
        diff = (X[:, None, :] - Y[None, :, :]) / self.lengthscale**2
        return K, 2.0 * df[:, :, None] * diff

    def __repr__(self) -> str:
        ls = np.array2string(self.lengthscale, precision=3, separator=", ")
        return f"{type(self).__name__}(lengthscale={ls})"


class RBF(Stationary):
    """Squared exponential: ``k = exp(-r2 / 2)`` (R&W eq. 4.9)."""

    _unit_diag = True

    def _profile(self, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = np.exp(-0.5 * r2)
        return k, -0.5 * k


class Matern(Stationary):
    """Matern kernel with ``nu`` in {1/2, 3/2, 5/2} (R&W eqs. 4.14, 4.17).

    ``nu = 1/2``: ``exp(-r)``; ``3/2``: ``(1 + sqrt3 r) exp(-sqrt3 r)``;
    ``5/2``: ``(1 + sqrt5 r + 5/3 r2) exp(-sqrt5 r)``.

    Parameters
    ----------
    lengthscale : float or array of shape (d,)
    nu : {0.5, 1.5, 2.5}, default 2.5
    bounds : (float, float), default (1e-3, 1e3)
    """

    _unit_diag = True

    def __init__(
        self,
        lengthscale: float | np.ndarray = 1.0,
        nu: float = 2.5,
        bounds: tuple[float, float] = (1e-3, 1e3),
    ) -> None:
        if nu not in (0.5, 1.5, 2.5):
            raise ValueError(f"nu must be 0.5, 1.5 or 2.5, got {nu!r}")
        super().__init__(lengthscale, bounds)
        self.nu = nu

    def _profile(self, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = np.sqrt(r2)
        if self.nu == 0.5:
            k = np.exp(-r)
            # df/dr2 = -exp(-r) / (2 r): singular at r = 0, where every use multiplies it
            # by a vanishing difference; 0 there (as scikit-learn does).
            with np.errstate(divide="ignore", invalid="ignore"):
                df = np.where(r > 0, -k / (2.0 * r), 0.0)
            return k, df
        if self.nu == 1.5:
            e = np.exp(-math.sqrt(3.0) * r)
            return (1.0 + math.sqrt(3.0) * r) * e, -1.5 * e
        # k = (1 + sqrt5 r + 5/3 r2) e and df = -5/6 (1 + sqrt5 r) e, e = exp(-sqrt5 r), with
        # the same operations in the same order, in place (fewer n x m temporaries)
        e = np.multiply(-math.sqrt(5.0), r)
        np.exp(e, out=e)
        a = np.multiply(math.sqrt(5.0), r, out=r)
        np.add(1.0, a, out=a)
        k = np.multiply(5.0 / 3.0, r2)
        np.add(a, k, out=k)
        k *= e
        np.multiply(-5.0 / 6.0, a, out=a)
        a *= e
        return k, a

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", nu={self.nu})"


class RationalQuadratic(Stationary):
    """Rational quadratic: ``k = (1 + r2 / (2 alpha))^(-alpha)`` (R&W eq. 4.19).

    Parameters
    ----------
    lengthscale : float or array of shape (d,)
    alpha : float, default 1.0
        Scale mixture parameter (a learned hyperparameter, after the lengthscales in
        ``theta``).
    bounds, alpha_bounds : (float, float)
    """

    def __init__(
        self,
        lengthscale: float | np.ndarray = 1.0,
        alpha: float = 1.0,
        bounds: tuple[float, float] = (1e-3, 1e3),
        alpha_bounds: tuple[float, float] = (1e-3, 1e3),
    ) -> None:
        super().__init__(lengthscale, bounds)
        self.alpha = float(_positive(alpha, "alpha")[0])
        self.alpha_bounds = alpha_bounds

    @property
    def names(self) -> tuple[str, ...]:  # type: ignore[override]
        return (*super().names, "alpha")

    @property
    def theta(self) -> np.ndarray:
        return np.append(np.log(self.lengthscale), math.log(self.alpha))

    @theta.setter
    def theta(self, value: np.ndarray) -> None:
        value = np.asarray(value, dtype=float)
        self.lengthscale = np.exp(value[:-1])
        self.alpha = float(np.exp(value[-1]))

    @property
    def bounds(self) -> np.ndarray:
        return np.vstack([super().bounds, np.log(self.alpha_bounds)])

    def _profile(self, r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        base = 1.0 + r2 / (2.0 * self.alpha)
        k = base**-self.alpha
        return k, -0.5 * k / base

    def _extra_gradient(self, r2: np.ndarray) -> list[np.ndarray]:
        # With s = r2 / (2 alpha): dlog k/dalpha = -log(1 + s) + s / (1 + s), times alpha
        # for the log-parameter.
        a = self.alpha
        s = r2 / (2.0 * a)
        k = (1.0 + s) ** -a
        return [k * a * (-np.log1p(s) + s / (1.0 + s))]

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", alpha={self.alpha:.3g})"


# --------------------------------------------------------------------------------------
# Constant and white noise
# --------------------------------------------------------------------------------------
class Constant(Kernel):
    """``k(x, y) = c``: multiplied with another kernel, ``c`` is the signal variance.

    Parameters
    ----------
    value : float, default 1.0
    bounds : (float, float), default (1e-5, 1e5)
    """

    names = ("constant",)

    def __init__(self, value: float = 1.0, bounds: tuple[float, float] = (1e-5, 1e5)) -> None:
        self.value = float(_positive(value, "value")[0])
        self.value_bounds = bounds

    @property
    def theta(self) -> np.ndarray:
        return np.array([math.log(self.value)])

    @theta.setter
    def theta(self, value: np.ndarray) -> None:
        self.value = float(np.exp(np.asarray(value, dtype=float).ravel()[0]))

    @property
    def bounds(self) -> np.ndarray:
        return np.log([self.value_bounds])

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        n = _as_2d(X).shape[0]
        m = n if Y is None else _as_2d(Y).shape[0]
        return np.full((n, m), self.value)

    def diag(self, X: np.ndarray) -> np.ndarray:
        return np.full(_as_2d(X).shape[0], self.value)

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        K = self(X)
        return K, K[:, :, None].copy()  # dc/dlog(c) = c

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        return self(X), lambda W: np.array([self.value * W.sum()])

    def value_and_gradient_x(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shape = (_as_2d(X).shape[0], _as_2d(Y).shape[0], _as_2d(X).shape[1])
        return self(X, Y), np.zeros(shape)

    def __repr__(self) -> str:
        return f"Constant({self.value:.3g})"


class White(Kernel):
    """White noise: ``k(x, y) = s`` if ``x`` and ``y`` are the same training point, else 0.

    As in scikit-learn, ``k(X)`` is ``s I`` and ``k(X, Y)`` with ``Y`` given is zero.

    Parameters
    ----------
    value : float, default 1.0
        The noise variance ``s``.
    bounds : (float, float), default (1e-6, 1e1)
    """

    names = ("noise",)

    def __init__(self, value: float = 1.0, bounds: tuple[float, float] = (1e-6, 1e1)) -> None:
        self.value = float(_positive(value, "value")[0])
        self.value_bounds = bounds

    theta = Constant.theta
    bounds = Constant.bounds

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        n = _as_2d(X).shape[0]
        if Y is None:
            return self.value * np.eye(n)
        return np.zeros((n, _as_2d(Y).shape[0]))

    def diag(self, X: np.ndarray) -> np.ndarray:
        return np.full(_as_2d(X).shape[0], self.value)

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        K = self(X)
        return K, K[:, :, None].copy()

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        return self(X), lambda W: np.array([self.value * np.trace(W)])

    value_and_gradient_x = Constant.value_and_gradient_x

    def __repr__(self) -> str:
        return f"White({self.value:.3g})"


# --------------------------------------------------------------------------------------
# Polynomial (dot-product) kernel
# --------------------------------------------------------------------------------------
class Polynomial(Kernel):
    """``k(x, y) = v (s + (x - c) . (y - c))^p``: a Bayesian polynomial regression of degree ``p``.

    Rasmussen & Williams (2006), sec. 4.2.2 (eq. 4.22, the inhomogeneous polynomial kernel)
    and sec. 2.7 (explicit basis functions): with ``p = 2`` the GP's sample functions are
    exactly the quadratics of ``x`` (all ``1 + d + d(d+1)/2`` monomials, with a Gaussian
    prior on their coefficients), so that added to a stationary kernel it lets the mean aim
    at the minimum of a rotated, ill-conditioned bowl. As scikit-learn's
    ``ConstantKernel(v) * DotProduct(sigma_0=sqrt(s)) ** p`` on the inputs ``X - c``.

    Parameters
    ----------
    variance : float, default 1.0
        ``v``, the scale of the polynomial part (fitted, log space).
    offset : float, default 1.0
        ``s > 0``, the weight of the lower-degree terms against the degree-``p`` ones (fitted,
        log space).
    degree : int, default 2
        ``p >= 1`` (fixed).
    center : float or array of shape (d,), default 0.5
        ``c``, the point the inputs are centred on (fixed): the middle of the unit cube.
    variance_bounds, offset_bounds : (float, float)
        Bounds of ``v`` and ``s``.
    """

    names = ("variance", "offset")

    def __init__(
        self,
        variance: float = 1.0,
        offset: float = 1.0,
        degree: int = 2,
        center: float | np.ndarray = 0.5,
        variance_bounds: tuple[float, float] = (1e-6, 1e4),
        offset_bounds: tuple[float, float] = (1e-3, 1e3),
    ) -> None:
        self.variance = float(_positive(variance, "variance")[0])
        self.offset = float(_positive(offset, "offset")[0])
        if isinstance(degree, bool) or not isinstance(degree, int) or degree < 1:
            raise ValueError(f"degree must be a positive integer, got {degree!r}")
        center = np.asarray(center, dtype=float)
        if center.ndim > 1 or not np.all(np.isfinite(center)):
            raise ValueError(f"center must be a finite number or vector, got {center!r}")
        self.degree = degree
        self.center = center
        self.variance_bounds = variance_bounds
        self.offset_bounds = offset_bounds

    @property
    def theta(self) -> np.ndarray:
        return np.log([self.variance, self.offset])

    @theta.setter
    def theta(self, value: np.ndarray) -> None:
        v, s = np.exp(np.asarray(value, dtype=float).ravel())
        self.variance, self.offset = float(v), float(s)

    @property
    def bounds(self) -> np.ndarray:
        return np.log([self.variance_bounds, self.offset_bounds])

    def _base(self, X: np.ndarray, Y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """``P = s + (X - c)(Y - c)^T`` and ``Y - c``."""
        U = _as_2d(X) - self.center
        V = U if Y is None else _as_2d(Y) - self.center
        return self.offset + U @ V.T, V

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        return self.variance * self._base(X, Y)[0] ** self.degree

    def diag(self, X: np.ndarray) -> np.ndarray:
        U = _as_2d(X) - self.center
        return self.variance * (self.offset + np.einsum("ij,ij->i", U, U)) ** self.degree

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        P = self._base(X, None)[0]
        Pm = P ** (self.degree - 1)
        K = self.variance * Pm * P
        # dK/dlog v = K; dK/dlog s = v p P^(p-1) s
        return K, np.stack([K, self.variance * self.degree * self.offset * Pm], axis=2)

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        P = self._base(X, None)[0]
        Pm = P ** (self.degree - 1)
        K = self.variance * Pm * P
        # dK/dlog v = K; dK/dlog s = v p P^(p-1) s
        scale = self.variance * self.degree * self.offset
        return K, lambda W: np.array([np.sum(W * K), scale * np.sum(W * Pm)])

    def value_and_gradient_x(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        P, V = self._base(X, Y)
        Pm = P ** (self.degree - 1)
        # dk(x_a, y_b)/dx_aj = v p P_ab^(p-1) (y_bj - c_j)
        G = (self.variance * self.degree * Pm)[:, :, None] * V[None, :, :]
        return self.variance * Pm * P, G

    def diag_gradient_x(self, X: np.ndarray) -> np.ndarray:
        # d/dx_j v (s + |x - c|^2)^p = 2 v p (s + |x - c|^2)^(p-1) (x_j - c_j)
        U = _as_2d(X) - self.center
        P = self.offset + np.einsum("ij,ij->i", U, U)
        return (2.0 * self.variance * self.degree * P ** (self.degree - 1))[:, None] * U

    def __repr__(self) -> str:
        return (
            f"Polynomial(variance={self.variance:.3g}, offset={self.offset:.3g}, "
            f"degree={self.degree})"
        )


# --------------------------------------------------------------------------------------
# Sums and products: theta is the concatenation [theta_1, theta_2]
# --------------------------------------------------------------------------------------
class _Pair(Kernel):
    def __init__(self, k1: Kernel, k2: Kernel) -> None:
        self.k1, self.k2 = k1, k2

    @property
    def names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"k1.{n}" for n in self.k1.names) + tuple(f"k2.{n}" for n in self.k2.names)

    @property
    def theta(self) -> np.ndarray:
        return np.concatenate([self.k1.theta, self.k2.theta])

    @theta.setter
    def theta(self, value: np.ndarray) -> None:
        p1 = self.k1.n_params
        self.k1.theta, self.k2.theta = value[:p1], value[p1:]

    @property
    def bounds(self) -> np.ndarray:
        return np.vstack([self.k1.bounds, self.k2.bounds])


class Sum(_Pair):
    """``k(x, y) = k1(x, y) + k2(x, y)``."""

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        return self.k1(X, Y) + self.k2(X, Y)

    def diag(self, X: np.ndarray) -> np.ndarray:
        return self.k1.diag(X) + self.k2.diag(X)

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        K1, dK1 = self.k1.gradient(X)
        K2, dK2 = self.k2.gradient(X)
        return K1 + K2, np.concatenate([dK1, dK2], axis=2)

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        (K1, c1), (K2, c2) = self.k1.with_gradient(X), self.k2.with_gradient(X)
        return K1 + K2, lambda W: np.concatenate([c1(W), c2(W)])

    def value_and_gradient_x(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        (K1, G1), (K2, G2) = self.k1.value_and_gradient_x(X, Y), self.k2.value_and_gradient_x(X, Y)
        return K1 + K2, G1 + G2

    def diag_gradient_x(self, X: np.ndarray) -> np.ndarray | None:
        g1, g2 = self.k1.diag_gradient_x(X), self.k2.diag_gradient_x(X)
        if g1 is None or g2 is None:
            return g2 if g1 is None else g1
        return g1 + g2

    def __repr__(self) -> str:
        return f"{self.k1!r} + {self.k2!r}"


class Product(_Pair):
    """``k(x, y) = k1(x, y) k2(x, y)``; gradients by the product rule."""

    def __call__(self, X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
        if isinstance(self.k1, Constant):
            return self.k1.value * self.k2(X, Y)
        return self.k1(X, Y) * self.k2(X, Y)

    def diag(self, X: np.ndarray) -> np.ndarray:
        return self.k1.diag(X) * self.k2.diag(X)

    def gradient(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        K1, dK1 = self.k1.gradient(X)
        K2, dK2 = self.k2.gradient(X)
        dK = np.concatenate([dK1 * K2[:, :, None], K1[:, :, None] * dK2], axis=2)
        return K1 * K2, dK

    def with_gradient(self, X: np.ndarray) -> tuple[np.ndarray, Contraction]:
        # sum W (dK1 * K2) = contract_1(W * K2), and symmetrically.
        (K2, c2) = self.k2.with_gradient(X)
        if isinstance(self.k1, Constant):  # c * k2 (the GP's default): no constant matrix
            c = self.k1.value
            return c * K2, lambda W: np.concatenate([[c * np.sum(W * K2)], c2(W * c)])
        K1, c1 = self.k1.with_gradient(X)
        return K1 * K2, lambda W: np.concatenate([c1(W * K2), c2(W * K1)])

    def value_and_gradient_x(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        K2, G2 = self.k2.value_and_gradient_x(X, Y)
        if isinstance(self.k1, Constant):  # dc/dx = 0: the same values, without the zeros
            return self.k1.value * K2, self.k1.value * G2
        K1, G1 = self.k1.value_and_gradient_x(X, Y)
        return K1 * K2, G1 * K2[:, :, None] + K1[:, :, None] * G2

    def diag_gradient_x(self, X: np.ndarray) -> np.ndarray | None:
        # d(k1 k2)(x, x)/dx = dk1(x, x)/dx k2(x, x) + k1(x, x) dk2(x, x)/dx
        g1, g2 = self.k1.diag_gradient_x(X), self.k2.diag_gradient_x(X)
        if g1 is None and g2 is None:
            return None
        out = 0.0 if g1 is None else g1 * self.k2.diag(X)[:, None]
        return out + (0.0 if g2 is None else self.k1.diag(X)[:, None] * g2)

    def __repr__(self) -> str:
        left = f"({self.k1!r})" if isinstance(self.k1, Sum) else repr(self.k1)
        right = f"({self.k2!r})" if isinstance(self.k2, Sum) else repr(self.k2)
        return f"{left} * {right}"
