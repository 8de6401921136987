"""pytest-benchmark suites of hpo's Bayesian optimization (speed only, no assertions on it).

Run with ``nice -n 10 pytest benchmarks/bench_gp.py --benchmark-only`` (add
``--benchmark-json=benchmarks/results/bo/bench.json`` to keep the figures). A regression
shows against saved figures: ``--benchmark-autosave`` once, then
``--benchmark-compare --benchmark-compare-fail=median:25%`` fails any benchmark whose median
grew by more than a quarter (compare on the same machine, at the same load). Observations are
random points of the problem, the same for every size; each benchmark reuses one optimizer
(or GP) state, so it measures the steady state of a run: warm-started hyperparameters.

* ``test_ask_vs_n``: one ``ask()`` (GP fit + acquisition search) after n = 25..400 points of
  Hartmann6.
* ``test_ask_vs_dim``: one ``ask()`` after 100 points of Levy-d, d = 2, 6, 10, 20.
* ``test_gp_fit``: the MAP hyperparameter fit alone (warm start) at n = 100, 200, 400.
* ``test_acquisition_search``: the acquisition maximization alone at n = 200.
* ``test_gp_fit_one_more_point``: the warm fit after one more point (as in a run), n = 100,
  200, 400, with ``warm_fit`` "lbfgsb" (the default) and "bfgs" (``GPConfig(fit_warm=...)``).
* ``test_mixed_search``: the acquisition search on the MLP tasks' space (two integers with
  151 and 241 values, seven reals) after 40 points, ``integers`` "discrete" (the default)
  and "relaxed" (``GPConfig(search_integers=...)``).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from hpo import BayesianOptimization
from hpo.gp.acquisition import LogExpectedImprovement
from hpo.gp.regression import GaussianProcess
from hpo.gp.warping import warp
from hpo.optimizers import maximize_acquisition
from hpo.problems import get_problem


def _observed(spec: str, n: int, seed: int = 0) -> tuple[BayesianOptimization, object]:
    problem = get_problem(spec)
    configs = problem.space.sample(np.random.default_rng(seed), n)
    opt = BayesianOptimization(problem.space, seed=seed)
    opt.tell(configs, [problem(c) for c in configs])
    return opt, problem


def _ask_once(opt: BayesianOptimization) -> None:
    """An ask whose trial is then forgotten, so every round sees the same n."""
    state = copy.deepcopy(opt)
    state.ask()


@pytest.mark.parametrize("n", [25, 50, 100, 200, 400])
def test_ask_vs_n(benchmark, n):
    opt, _ = _observed("hartmann6", n)
    opt.tell(opt.ask(), 0.0)  # a first (cold) fit before timing
    benchmark.pedantic(_ask_once, args=(opt,), rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("dim", [2, 6, 10, 20])
def test_ask_vs_dim(benchmark, dim):
    opt, _ = _observed(f"levy:dim={dim}", 100)
    opt.tell(opt.ask(), 0.0)
    benchmark.pedantic(_ask_once, args=(opt,), rounds=5, warmup_rounds=1)


def _data(n: int) -> tuple[np.ndarray, np.ndarray]:
    problem = get_problem("hartmann6")
    rng = np.random.default_rng(0)
    configs = problem.space.sample(rng, n)
    X = problem.space.to_unit_batch(configs)
    return X, warp(np.array([problem(c) for c in configs]))


@pytest.mark.parametrize("n", [100, 200, 400])
def test_gp_fit(benchmark, n):
    X, y = _data(n)
    gp = GaussianProcess().fit(X, y, rng=np.random.default_rng(0))  # cold fit, untimed

    def warm_fit():
        copy.deepcopy(gp).fit(X, y)

    benchmark.pedantic(warm_fit, rounds=5, warmup_rounds=1)


def test_acquisition_search(benchmark):
    opt, _ = _observed("hartmann6", 200)
    opt.ask()
    gp = opt.gp
    acq = LogExpectedImprovement(float(np.min(gp.standardize_y(gp.y_train))))
    rng = np.random.default_rng(0)

    def search():
        return maximize_acquisition(gp, acq, opt.fmap, rng)

    benchmark.pedantic(search, rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("warm_fit", ["lbfgsb", "bfgs"])
@pytest.mark.parametrize("n", [100, 200, 400])
def test_gp_fit_one_more_point(benchmark, n, warm_fit):
    X, y = _data(n)
    gp = GaussianProcess(warm_fit=warm_fit).fit(X[:-2], y[:-2], rng=np.random.default_rng(0))
    gp.fit(X[:-1], y[:-1])  # a warm fit (for "bfgs": its inverse Hessian for the next)

    def one_more():
        copy.deepcopy(gp).fit(X, y)

    benchmark.pedantic(one_more, rounds=5, warmup_rounds=1)


@pytest.mark.parametrize("integers", ["discrete", "relaxed"])
def test_mixed_search(benchmark, integers):
    space = get_problem("mlp_adam_iris_logloss").space
    rng = np.random.default_rng(0)
    configs = space.sample(rng, 40)
    U = space.to_unit_batch(configs)
    opt = BayesianOptimization(space, seed=0)
    opt.tell(configs, list(np.sum((U - 0.3) ** 2, axis=1) + np.sin(7 * U[:, 0])))
    opt.ask()
    gp = opt.gp
    acq = LogExpectedImprovement(float(np.min(gp.standardize_y(gp.y_train))))

    def search():
        return maximize_acquisition(
            gp, acq, opt.fmap, np.random.default_rng(1), batch="independent", integers=integers
        )

    benchmark.pedantic(search, rounds=5, warmup_rounds=1)
