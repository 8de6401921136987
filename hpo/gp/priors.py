"""Priors on GP hyperparameters, written as densities of their natural logs.

Notation
--------
theta   : a log-hyperparameter, ``theta = log(h)`` (a lengthscale, a variance, ...).
mu, s   : location and scale of a normal density on ``theta``, so that ``h`` is log-normal
          with median ``exp(mu)``.

The MAP fit maximizes ``log p(y | theta) + log p(theta)`` over ``theta`` (log space), so a
prior here is the density of ``theta``; a log-normal prior on ``h`` is a normal one on
``theta`` (no Jacobian term is needed in that parametrization).

Defaults (inputs in the unit cube, outputs standardized):

* lengthscales: ``LogNormal(0, 1.5)``: a median of 1, the width of the unit cube, with 95 %
  of the mass between 0.05 and 19. Optuna's GP sampler also centres its lengthscale prior
  at 1. The dimension-scaled prior of Hvarfner, Hellsten & Nardi (2024), "Vanilla Bayesian
  optimization performs great in high dimensions", ICML,
  ``LogNormal(sqrt(2) + log(d) / 2, sqrt(3))`` (median about ``4.1 sqrt(d)``), is kept as
  :func:`dimension_scaled_lengthscale_prior` (pass it to ``BayesianOptimization`` through
  ``GPConfig(lengthscale_prior=...)``). Chosen on seeds 0-4, mixed on held-out seeds 10-14
  (worse on Hartmann6): both in ``benchmarks/results/bo/prior-holdout.md``.
  :func:`tight_lengthscale_prior`, ``LogNormal(0, 0.75)``, keeps lengthscales far below the
  spacing of the points unlikely; on the shifted Levy-5 boxes of issue 16 it took 10 of 10
  seeds below regret 1 (the default 6 of 10) but left more Ackley seeds on the plateau
  (``benchmarks/results/bo/funnels-ablation.md``): an option, not the default;
* signal variance: ``LogNormal(0, 1)``, centred on the unit variance of standardized data;
* noise variance: ``LogNormal(log(1e-3), 2.5)``, wide enough to reach both exact objectives
  (near the 1e-6 floor) and noisy ones;
* the variance and offset of the quadratic part of ``GPConfig(quadratic=True)``
  (:class:`hpo.gp.kernels.Polynomial`): ``LogNormal(0, 2)`` each, weak priors centred on the
  scale of standardized outputs over centred unit-cube inputs, so that the marginal
  likelihood decides how much of the function the quadratic explains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "HyperPrior",
    "LogNormal",
    "default_prior",
    "dimension_scaled_lengthscale_prior",
    "lengthscale_prior",
    "quadratic_prior",
    "tight_lengthscale_prior",
]


@dataclass(frozen=True)
class LogNormal:
    """A log-normal prior on ``h``: ``log h ~ Normal(mu, sigma^2)``."""

    mu: float
    sigma: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.mu) and np.isfinite(self.sigma) and self.sigma > 0):
            raise ValueError(
                f"LogNormal needs a finite mu and sigma > 0, got mu={self.mu!r}, "
                f"sigma={self.sigma!r}"
            )

    def log_density(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log density of ``theta = log h`` (up to a constant) and its derivative."""
        z = (np.asarray(theta, dtype=float) - self.mu) / self.sigma
        return -0.5 * z**2, -z / self.sigma

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``theta = log h``."""
        return rng.normal(self.mu, self.sigma, size)


@dataclass(frozen=True)
class HyperPrior:
    """One prior per entry of a hyperparameter vector (``None``: flat).

    Parameters
    ----------
    priors : tuple of LogNormal or None
        In the order of the GP's hyperparameter vector.
    """

    priors: tuple[LogNormal | None, ...]

    def log_density(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """Sum of the log densities and its gradient, shape ``(p,)``."""
        value, grad = 0.0, np.zeros(len(theta))
        for i, prior in enumerate(self.priors):
            if prior is not None:
                v, g = prior.log_density(theta[i])
                value += float(v)
                grad[i] = g
        return value, grad

    def sample(self, rng: np.random.Generator, theta: np.ndarray) -> np.ndarray:
        """A draw from the priors, keeping ``theta`` where the prior is flat."""
        out = np.array(theta, dtype=float, copy=True)
        for i, prior in enumerate(self.priors):
            if prior is not None:
                out[i] = prior.sample(rng, 1)[0]
        return out

    def mode(self, theta: np.ndarray) -> np.ndarray:
        """The prior mode of ``theta``, keeping ``theta`` where the prior is flat."""
        out = np.array(theta, dtype=float, copy=True)
        for i, prior in enumerate(self.priors):
            if prior is not None:
                out[i] = prior.mu
        return out


def dimension_scaled_lengthscale_prior(dim: int) -> LogNormal:
    """Hvarfner et al. (2024), sec. 4: ``LogNormal(sqrt(2) + log(d) / 2, sqrt(3))``."""
    return LogNormal(math.sqrt(2.0) + 0.5 * math.log(max(dim, 1)), math.sqrt(3.0))


def lengthscale_prior(dim: int) -> LogNormal:
    """The default lengthscale prior, ``LogNormal(0, 1.5)`` (``dim`` unused; see the notes)."""
    return LENGTHSCALE_PRIOR


LENGTHSCALE_PRIOR = LogNormal(0.0, 1.5)
SIGNAL_PRIOR = LogNormal(0.0, 1.0)
NOISE_PRIOR = LogNormal(math.log(1e-3), 2.5)


def default_prior(
    n_lengthscales: int,
    dim: int,
    fit_noise: bool = True,
    lengthscale: LogNormal | None = None,
) -> HyperPrior:
    """Priors for ``[log signal variance, log lengthscales..., (log noise variance)]``, the
    hyperparameter order of :class:`hpo.gp.GaussianProcess` with its default kernel.

    ``lengthscale``: the prior of every lengthscale, default :func:`lengthscale_prior`.
    """
    if lengthscale is not None and not isinstance(lengthscale, LogNormal):
        raise TypeError(f"lengthscale must be a LogNormal, got {lengthscale!r}")
    priors: list[LogNormal | None] = [SIGNAL_PRIOR]
    priors += [lengthscale or lengthscale_prior(dim)] * n_lengthscales
    if fit_noise:
        priors.append(NOISE_PRIOR)
    return HyperPrior(tuple(priors))


POLYNOMIAL_VARIANCE_PRIOR = LogNormal(0.0, 2.0)
POLYNOMIAL_OFFSET_PRIOR = LogNormal(0.0, 2.0)


def quadratic_prior(
    n_lengthscales: int, fit_noise: bool = True, lengthscale: LogNormal | None = None
) -> HyperPrior:
    """Priors for ``[log c, log l_1..l_d, log v, log s, (log noise)]``: the default kernel's
    (:func:`default_prior`) with those of the added ``Polynomial(v, s)`` before the noise,
    the hyperparameter order of ``c * Matern(l) + Polynomial(v, s)``."""
    base = default_prior(n_lengthscales, n_lengthscales, False, lengthscale).priors
    tail = (NOISE_PRIOR,) if fit_noise else ()
    return HyperPrior((*base, POLYNOMIAL_VARIANCE_PRIOR, POLYNOMIAL_OFFSET_PRIOR, *tail))


def tight_lengthscale_prior(dim: int) -> LogNormal:
    """``LogNormal(0, 0.75)`` (``dim`` unused): the default's median, 95 % of the mass between
    0.23 and 4.3, so that lengthscales far below the spacing of the points are unlikely."""
    return LogNormal(0.0, 0.75)
