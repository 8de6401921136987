"""Acquisition functions for minimization and their gradients: the maths only.

Notation (as in :mod:`hpo.gp.regression`, plus)
------------------------------------------------
mu, var  : posterior mean and variance of f at x (standardized units); ``s = sqrt(var)``.
best     : the incumbent, the lowest observed value (same units).
z        : the standardized improvement ``z = (best - mu) / s``.
phi, Phi : standard normal density and distribution function.
h(z)     : ``phi(z) + z Phi(z)``, so that ``EI = s h(z)``; ``h'(z) = Phi(z)``.
a        : an acquisition value, always to be *maximized*.

Each acquisition maps ``(mu, var)`` to ``a``, ``da/dmu`` and ``da/dvar``;
:func:`acquisition_and_gradient` chains them with the GP's ``dmu/dx`` and ``dvar/dx``.
Their maximizer over a search space is in :mod:`hpo.optimizers._bo_search`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

__all__ = [
    "LCB",
    "PI",
    "Acquisition",
    "ExpectedImprovement",
    "LogExpectedImprovement",
    "acquisition_and_gradient",
    "log_h",
    "make_acquisition",
]

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_SQRT_PI_2 = 0.5 * math.log(math.pi / 2.0)
_TAIL = -1e3  # below it the asymptotic series of log h is exact to double precision
_MIN_VAR = 1e-18


def _phi(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z**2 - _LOG_SQRT_2PI)


def _log1mexp(u: np.ndarray) -> np.ndarray:
    """``log(1 - exp(u))`` for ``u < 0``, accurate on both sides of ``-log 2`` (Maechler 2012)."""
    out = np.empty_like(u)
    near = u > -math.log(2.0)
    out[near] = np.log(-np.expm1(u[near]))
    out[~near] = np.log1p(-np.exp(u[~near]))
    return out


def log_h(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log h(z)`` with ``h(z) = phi(z) + z Phi(z)``, and its derivative ``Phi(z) / h(z)``.

    Ament et al. (2023), "Unexpected improvements to expected improvement for Bayesian
    optimization", NeurIPS, eq. (9):

    * ``z > -1``: ``log(phi(z) + z Phi(z))`` directly;
    * ``-1/sqrt(eps) < z <= -1``: ``-z^2/2 - log sqrt(2 pi) + log1mexp(log(erfcx(-z/sqrt2) |z|)
      + log sqrt(pi/2))``, using ``h = phi (1 - |z| r)`` with the Mills-type ratio
      ``r = Phi / phi = sqrt(pi/2) erfcx(-z / sqrt2)``;
    * ``z <= -1/sqrt(eps)``: the asymptote ``-z^2/2 - log sqrt(2 pi) - 2 log|z|``.

    The derivative ``h'/h = r / (1 - |z| r)`` uses the same terms. Because ``1 - |z| r``
    loses digits as ``z`` falls, we switch to the asymptotic series earlier than the paper,
    at ``z = -1e3``, keeping its next terms: ``h = phi(z) / z^2 (1 - 3/z^2 + 15/z^4 - ...)``
    (Abramowitz & Stegun 7.1.23), exact to double precision there.
    """
    z = np.asarray(z, dtype=float)
    upper = z > -1.0
    if upper.all():  # the usual case: the first branch, element for element, without masks
        cdf = ndtr(z)
        h = _phi(z) + z * cdf
        return np.log(h), cdf / h
    out, grad = np.empty_like(z), np.empty_like(z)
    # each region computed only when it has points (most calls have one or two)
    if upper.any():
        zu = z[upper]
        cdf = ndtr(zu)
        h = _phi(zu) + zu * cdf
        out[upper], grad[upper] = np.log(h), cdf / h
    mid = ~upper & (z > _TAIL)
    if mid.any():
        zm = z[mid]
        # u = log(|z| r) < 0, and 1 - |z| r = -expm1(u)
        ex = erfcx(-zm / math.sqrt(2.0))
        u = np.log(ex * np.abs(zm)) + _LOG_SQRT_PI_2
        out[mid] = -0.5 * zm**2 - _LOG_SQRT_2PI + _log1mexp(u)
        r = math.sqrt(math.pi / 2.0) * ex
        grad[mid] = r / -np.expm1(np.minimum(u, -1e-300))
    tail = ~upper & ~mid
    if tail.any():
        zt = z[tail]
        q = 1.0 - 3.0 / zt**2 + 15.0 / zt**4
        out[tail] = -0.5 * zt**2 - _LOG_SQRT_2PI - 2.0 * np.log(np.abs(zt)) + np.log(q)
        grad[tail] = -zt - 2.0 / zt + (6.0 / zt**3 - 60.0 / zt**5) / q
    return out, grad


class Acquisition:
    """An acquisition ``a(mu, var)`` to maximize (minimization of f); subclasses implement
    :meth:`__call__` returning ``a``, ``da/dmu`` and ``da/dvar``."""

    name = ""

    def __call__(
        self, mu: np.ndarray, var: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError


class _Improvement(Acquisition):
    def __init__(self, best: float) -> None:
        self.best = float(best)

    def _z(self, mu: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.sqrt(np.maximum(var, _MIN_VAR))
        return (self.best - mu) / s, s


class ExpectedImprovement(_Improvement):
    """``EI = E[max(best - f, 0)] = s h(z)`` (Jones et al. 1998, eq. 15);
    ``dEI/dmu = -Phi(z)``, ``dEI/ds = phi(z)``."""

    name = "ei"

    def __call__(self, mu, var):
        z, s = self._z(mu, var)
        cdf, pdf = ndtr(z), _phi(z)
        return s * (pdf + z * cdf), -cdf, pdf / (2.0 * s)


class LogExpectedImprovement(_Improvement):
    """``log EI = log h(z) + log s`` (Ament et al. 2023), finite where EI underflows;
    ``d/dmu = -g / s`` and ``d/ds = (1 - g z) / s`` with ``g = d log h / dz``."""

    name = "logei"

    def __call__(self, mu, var):
        z, s = self._z(mu, var)
        lh, g = log_h(z)
        return lh + np.log(s), -g / s, (1.0 - g * z) / (2.0 * s**2)


class PI(_Improvement):
    """Probability of improvement ``Phi(z)`` (Kushner 1964), given as ``log Phi(z)`` (the
    same maximizer, and gradients that do not vanish far from the incumbent):
    ``d/dmu = -m / s``, ``d/ds = -m z / s`` with ``m = phi(z) / Phi(z)``."""

    name = "pi"

    def __call__(self, mu, var):
        z, s = self._z(mu, var)
        value = log_ndtr(z)
        # phi/Phi = sqrt(2/pi) / erfcx(-z/sqrt2), stable for very negative z
        m = math.sqrt(2.0 / math.pi) / erfcx(-z / math.sqrt(2.0))
        return value, -m / s, -m * z / (2.0 * s**2)


class LCB(Acquisition):
    """Lower confidence bound ``mu - beta s`` (Srinivas et al. 2010, for minimization),
    returned negated to be maximized: ``a = beta s - mu``."""

    name = "lcb"

    def __init__(self, beta: float = 2.0) -> None:
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta!r}")
        self.beta = float(beta)

    def __call__(self, mu, var):
        s = np.sqrt(np.maximum(var, _MIN_VAR))
        return self.beta * s - mu, -np.ones_like(mu), self.beta / (2.0 * s)


ACQUISITIONS = {"logei": LogExpectedImprovement, "ei": ExpectedImprovement, "pi": PI}


def make_acquisition(name: str, best: float, beta: float = 2.0) -> Acquisition:
    """Build an acquisition by name: ``"logei"``, ``"ei"``, ``"pi"`` or ``"lcb"``."""
    if name == "lcb":
        return LCB(beta)
    if name not in ACQUISITIONS:
        raise ValueError(f"acquisition must be one of {[*ACQUISITIONS, 'lcb']}, got {name!r}")
    return ACQUISITIONS[name](best)


def acquisition_and_gradient(
    gp, acquisition: Acquisition, X: np.ndarray, gradient: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """``a(x)`` and ``da/dx = da/dmu dmu/dx + da/dvar dvar/dx`` at the rows of ``X``.

    Parameters
    ----------
    gp : GaussianProcess
    acquisition : Acquisition
        Its ``best`` in the GP's standardized units.
    X : ndarray of shape (m, d)

    Returns
    -------
    a : ndarray of shape (m,)
    da : ndarray of shape (m, d), or None without ``gradient``
    """
    if not gradient:
        mu, var = gp.posterior(X)
        return acquisition(mu, var)[0], None
    mu, var, dmu, dvar = gp.posterior(X, gradient=True)
    a, da_dmu, da_dvar = acquisition(mu, var)
    return a, da_dmu[:, None] * dmu + da_dvar[:, None] * dvar
