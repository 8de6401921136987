"""Gaussian processes from scratch, for Bayesian optimization.

Modules, each with its notation glossary at the top:

* :mod:`hpo.gp.kernels`: covariance functions with gradients (RBF, Matern, rational
  quadratic, constant, white noise; sums and products).
* :mod:`hpo.gp.regression`: :class:`GaussianProcess`: Cholesky fit, posterior, log marginal
  likelihood and its gradient, MAP hyperparameters, rank-k updates.
* :mod:`hpo.gp.priors`: log-normal priors on log-hyperparameters.
* :mod:`hpo.gp.warping`: monotone output warpings for heavy-tailed values.
* :mod:`hpo.gp.config`: :class:`GPConfig`, the kernel, lengthscale prior and search scaling
  that Bayesian optimization builds its GP from.
* :mod:`hpo.gp.acquisition`: EI, log-EI, PI, LCB with gradients (their maximizer over a
  search space is :func:`hpo.optimizers._bo_search.maximize_acquisition`).

The GP sees arrays in the unit cube; it knows nothing of search spaces.
"""

from hpo.gp.acquisition import (
    LCB,
    PI,
    ExpectedImprovement,
    LogExpectedImprovement,
    acquisition_and_gradient,
)
from hpo.gp.config import GPConfig
from hpo.gp.kernels import RBF, Constant, Kernel, Matern, RationalQuadratic, White
from hpo.gp.regression import GaussianProcess
from hpo.gp.warping import warp

__all__ = [
    "LCB",
    "PI",
    "RBF",
    "Constant",
    "ExpectedImprovement",
    "GPConfig",
    "GaussianProcess",
    "Kernel",
    "LogExpectedImprovement",
    "Matern",
    "RationalQuadratic",
    "White",
    "acquisition_and_gradient",
    "warp",
]
