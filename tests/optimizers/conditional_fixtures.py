"""A solver-like conditional space and a GP fitted on it, shared by the tests of the
tree-aware acquisition searches (``_bo_conditional`` and ``_bo_leaves``)."""

import numpy as np

from hpo import Categorical, Integer, Real, Space
from hpo.gp.acquisition import make_acquisition
from hpo.gp.regression import GaussianProcess
from hpo.optimizers._bo_search import FeatureMap


def solver_like(units: bool = False) -> Space:
    """Three solvers, each with its own parameters (``units``: an integer child of lbfgs)."""
    params = {
        "solver": Categorical(["adam", "sgd", "lbfgs"]),
        "alpha": Real(1e-5, 1.0, log=True),
        "lr": Real(1e-4, 1e-1, log=True, when={"solver": ["adam", "sgd"]}),
        "beta": Real(0.5, 0.99, when={"solver": "adam"}),
        "momentum": Real(0.0, 0.99, when={"solver": "sgd"}),
    }
    if units:
        params["units"] = Integer(1, 4, when={"solver": "lbfgs"})
    return Space(params)


def fitted(space: Space, seed: int = 0, n: int = 12):
    """``(fmap, gp, acq, U)``: a GP on ``n`` random snapped points of ``space`` and its log EI."""
    fmap = FeatureMap(space)
    rng = np.random.default_rng(seed)
    U = space.snap(rng.random((n, space.dim)))
    y = np.sin(7 * U[:, 1]) + U[:, 0]
    gp = GaussianProcess().fit(fmap(U), y, rng=rng)
    acq = make_acquisition("logei", float(np.min(gp.standardize_y(gp.y_train))))
    return fmap, gp, acq, U
