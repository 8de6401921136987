"""Simulated-time runs (hpo/simulate.py)."""

import math

import numpy as np
import pytest

from hpo import Fidelity, Integer, Optimizer, Real, Space, minimize
from hpo.problems import get_problem
from hpo.simulate import run

SPACE = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})


def sphere(p):
    return p["x"] ** 2 + p["y"] ** 2


@pytest.mark.parametrize("k", [1, 3, 4, 16])
def test_constant_cost_completions_follow_rounds(k):
    c, n = 2.5, 23
    sim = run(sphere, "random", space=SPACE, n_workers=k, n_trials=n, cost=c, seed=0)
    ends = np.sort(sim.end)
    expected = [math.ceil(i / k) * c for i in range(1, n + 1)]
    assert np.array_equal(ends, expected)  # the n-th completion at ceil(n / k) * c
    assert np.array_equal(sim.end - sim.start, np.full(n, c))
    assert set(sim.worker) == set(range(min(k, n)))
    # never more than k evaluations at once
    for t in np.unique(sim.start):
        assert np.sum((sim.start <= t) & (sim.end > t)) <= k


@pytest.mark.parametrize("optimizer", ["random", "bayes", "ga"])
def test_one_worker_equals_the_sequential_run(optimizer):
    n = 8 if optimizer == "bayes" else 20
    sim = run(sphere, optimizer, space=SPACE, n_trials=n, seed=4, cost=lambda p: 1 + p["x"] ** 2)
    seq = minimize(sphere, SPACE, optimizer, n, seed=4)
    assert [(t.params, t.value) for t in sim.result.trials] == [
        (t.params, t.value) for t in seq.trials
    ]
    assert np.allclose(sim.start[1:], sim.end[:-1])  # one after the other, no idle time


def test_deterministic_under_a_seed_and_variable_costs():
    def cost(p):
        return 1.0 + round(4 * (p["x"] + 2))  # integer costs 1..17: many ties

    a = run(sphere, "bayes", space=SPACE, n_workers=4, n_trials=14, cost=cost, seed=7)
    b = run(sphere, "bayes", space=SPACE, n_workers=4, n_trials=14, cost=cost, seed=7)
    assert [t.params for t in a.result.trials] == [t.params for t in b.result.trials]
    assert np.array_equal(a.end, b.end) and np.array_equal(a.worker, b.worker)
    # a worker runs one evaluation at a time
    for w in range(4):
        mine = np.argsort(a.start[a.worker == w])
        s, e = a.start[a.worker == w][mine], a.end[a.worker == w][mine]
        assert np.all(s[1:] >= e[:-1])


def test_a_long_evaluation_ends_after_later_short_ones():
    calls = []

    def cost(p):
        calls.append(p)
        return 100.0 if len(calls) == 1 else 1.0

    sim = run(sphere, "random", space=SPACE, n_workers=2, n_trials=6, cost=cost, seed=0)
    assert sim.end[0] == 100.0 and np.all(sim.end[1:] <= 5.0)
    assert np.all(sim.worker[1:] == 1)  # worker 0 is busy with trial 0 all along
    times, best = sim.completions()
    assert np.array_equal(times, np.sort(sim.end)) and np.all(np.diff(best) <= 0)
    assert best[-1] == sim.result.best_value


def test_budgets_in_cost_and_time():
    sim = run(sphere, "random", space=SPACE, n_workers=2, max_cost=10, cost=3.0, seed=0)
    assert sim.cost.sum() == 12.0  # starts while the spent cost is below 10
    sim = run(sphere, "random", space=SPACE, n_workers=3, max_time=7.0, cost=2.0, seed=0)
    assert sim.start.max() < 7.0 and len(sim.result.trials) == 12  # 4 rounds of 3
    assert sim.best_at(0.0) == np.inf
    assert sim.best_at(100.0) == sim.result.best_value


def test_problem_cost_and_fidelity_are_used():
    p = get_problem("branin")
    p.fidelity = Fidelity("epochs", 1, 9)  # single-fidelity optimizers then ask for 9
    sim = run(p, "random", n_workers=2, n_trials=4, seed=0)
    assert np.all(sim.cost == 9.0)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="space: required"):
        run(sphere, "random", n_trials=3)
    with pytest.raises(ValueError, match="give a budget"):
        run(sphere, "random", space=SPACE)
    with pytest.raises(ValueError, match="n_workers must be a positive integer"):
        run(sphere, "random", space=SPACE, n_trials=3, n_workers=0)
    with pytest.raises(ValueError, match="cost must be finite and >= 0"):
        run(sphere, "random", space=SPACE, n_trials=3, cost=-1.0)
    with pytest.raises(TypeError, match="cost must be None"):
        run(sphere, "random", space=SPACE, n_trials=3, cost="slow")


class Ladder(Optimizer):
    """Asks for one configuration at budgets 1, 3, 9, 27, then for a second one at 27."""

    def _propose(self, n):
        base = dict(self.base)
        out = [{**base, "epochs": e} for e in (1, 3, 9, 27)]
        out.append({**base, "learning_rate_init": 0.02, "epochs": 27})
        return [p for p in out if self.is_new(p)][:n]


def test_learning_curve_problem_charges_the_epochs_actually_trained():
    p = get_problem("lc_mlp_adam_iris_logloss")
    space = Space({**p.space, "epochs": Integer(1, 27)})
    opt = Ladder(space, seed=0)
    opt.base = {**p.space.sample(np.random.default_rng(0)), "learning_rate_init": 0.01}
    sim = run(p, opt, space=space, n_workers=1, n_trials=5)
    assert list(sim.cost) == [1.0, 2.0, 6.0, 18.0, 27.0]  # resumed, then a fresh one
    assert list(sim.end) == [1.0, 3.0, 9.0, 27.0, 54.0]
