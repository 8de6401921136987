"""The asynchronous GP-guided Hyperband: ASHA's promotions in Hyperband's brackets, new
configurations from the GP."""

from collections import Counter

import numpy as np
import pytest

from hpo import AsyncGPHyperband, Fidelity, Real, SearchExhausted, Space, simulate
from hpo.optimizers import make_optimizer
from hpo.optimizers.base import config_key
from hpo.optimizers.hyperband import bracket_plan

SPACE = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
FID = Fidelity("epochs", 1, 9)


def loss(params):
    return (params["x"] - 0.7) ** 2 + (params["y"] - 0.2) ** 2 + 0.1 / params["epochs"]


def key(params):
    return (params["x"], params["y"])


def run(opt, n):
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, loss(params))
    return opt


def test_registered_and_built_by_name():
    opt = make_optimizer("async-gp-hyperband", SPACE, seed=0, options={"fidelity": FID})
    assert isinstance(opt, AsyncGPHyperband) and opt.multi_fidelity


def test_promotes_without_waiting_for_the_rung():
    opt = AsyncGPHyperband(SPACE, fidelity=FID, seed=0, brackets="asha")
    batch = opt.ask(3)
    assert [p["epochs"] for p in batch] == [1, 1, 1]
    more = opt.ask(2)  # nothing told yet: no promotion, new configurations
    assert [p["epochs"] for p in more] == [1, 1]
    opt.tell(batch, [loss(p) for p in batch])  # rung 0 of 3 told (2 pending): top 1 goes on
    promoted = opt.ask()
    best = min(batch, key=loss)
    assert promoted == {**best, "epochs": 3}
    assert opt.trials[-1].info["source"] == "promotion"


def test_new_configurations_follow_hyperbands_brackets():
    # R = 9, eta = 3: brackets s = 2, 1, 0 with n = 9, 5, 3 configurations at budgets 1, 3, 9
    opt = AsyncGPHyperband(SPACE, fidelity=FID, seed=0, rho=1.0)
    assert [bracket_plan(s, 2, 3) for s in (2, 1, 0)] == [9, 5, 3]
    new = []
    for _ in range(80):  # every result told at once: promotions interleave with new ones
        params = opt.ask()
        trial = opt.trials[-1]
        if trial.info["source"] != "promotion":
            new.append((trial.info["s"], params["epochs"]))
        opt.tell(params, loss(params))
    expected = [(2, 1)] * 9 + [(1, 3)] * 5 + [(0, 9)] * 3
    assert new[:17] == expected and new[17:34] == expected
    assert all(t.info["budget"] == t.params["epochs"] for t in opt.trials)
    assert all(t.info["bracket"] == 2 - t.info["s"] for t in opt.trials)


def check_promotions(opt):
    """No configuration asked twice at one budget, every promotion from a complete result
    at the previous rung of its bracket, and every trial told in its rung (none lost). (A
    rung may promote more than floor(|rung| / eta) in the end: ASHA promotes the top of the
    results told so far, which later results may push out.)"""
    asked = Counter((key(t.params), t.params["epochs"]) for t in opt.trials)
    assert max(asked.values()) == 1
    for t in opt.trials:
        if t.info["source"] == "promotion":
            below = opt.budgets[opt._level(t.info["s"], t.info["rung"] - 1)]
            earlier = [
                u
                for u in opt.trials[: t.number]
                if key(u.params) == key(t.params) and u.params["epochs"] == below
            ]
            assert len(earlier) == 1 and earlier[0].ok
    told = [t for t in opt.trials if t.status.value != "pending"]
    assert sum(len(r) for rungs in opt.rungs.values() for r in rungs) == len(told)
    for s, rungs in opt.rungs.items():
        for k, results in enumerate(rungs[:-1]):
            assert {config_key(p) for p, _ in rungs[k + 1]} <= opt.promoted[s][k]
            assert len(opt.promoted[s][k]) <= len(results)


@pytest.mark.parametrize("brackets", ["hyperband", "asha"])
def test_parallel_workers_never_promote_twice_nor_lose_a_trial(brackets):
    opt = AsyncGPHyperband(SPACE, fidelity=FID, seed=1, min_points=3, brackets=brackets)
    sim = simulate.run(
        loss, opt, space=SPACE, n_workers=4, max_cost=150, cost=lambda p: p["epochs"]
    )
    assert not opt.pending and len(sim.result.trials) == len(opt.trials)
    check_promotions(opt)
    sources = Counter(t.info["source"] for t in opt.trials)
    assert sources["model"] > 5 and sources["promotion"] > 5
    assert opt.best.params["epochs"] == 9


def test_model_proposals_can_start_at_the_model_budget():
    # start="model": a proposal of the GP fitted at budget b starts in the bracket whose first
    # rung is b; random draws keep Hyperband's schedule; still no double promotion, none lost
    opt = AsyncGPHyperband(SPACE, fidelity=FID, seed=2, min_points=3, start="model")
    simulate.run(loss, opt, space=SPACE, n_workers=4, max_cost=150, cost=lambda p: p["epochs"])
    check_promotions(opt)
    model = [t for t in opt.trials if t.info["source"] == "model"]
    assert len(model) > 5 and {t.info["model_budget"] for t in model} >= {9}
    for t in model:
        assert t.params["epochs"] == t.info["model_budget"] and t.info["rung"] == 0
    new = [t.info["s"] for t in opt.trials if t.info["source"] == "random"]
    assert new == [opt.schedule[i % len(opt.schedule)] for i in range(len(new))]


def test_failures_count_in_the_rung_and_are_never_promoted():
    opt = AsyncGPHyperband(SPACE, fidelity=FID, seed=2, brackets="asha")
    failed = set()
    for i in range(40):
        params = opt.ask()
        assert key(params) not in failed
        if i % 4 == 0:
            opt.tell(params, float("nan"))
            failed.add(key(params))
        else:
            opt.tell(params, loss(params))
    check_promotions(opt)


def test_same_seed_same_run_under_workers():
    def trajectory(seed):
        opt = AsyncGPHyperband(SPACE, fidelity=FID, seed=seed, min_points=3)
        simulate.run(loss, opt, space=SPACE, n_workers=3, max_cost=60, cost=lambda p: p["epochs"])
        return [(t.params, t.value) for t in opt.trials]

    assert trajectory(4) == trajectory(4) != trajectory(5)


def test_configurations_in_flight_are_fantasized():
    # with rho = 0 and the model ready, 6 workers ask while the others are pending: the
    # kriging believer spreads the proposals (no near-copies of one maximizer)
    opt = run(AsyncGPHyperband(SPACE, fidelity=FID, seed=0, rho=0.0, min_points=3), 20)
    start = len(opt.trials)
    opt.ask(6)
    new = [t for t in opt.trials[start:] if t.info["source"] == "model"]
    assert len(new) >= 3
    points = np.array([key(t.params) for t in new])
    distance = np.linalg.norm(points[:, None] - points[None], axis=-1)
    assert distance[np.triu_indices(len(points), 1)].min() > 1e-3


def test_finite_space_is_exhausted_cleanly():
    from hpo import Categorical

    space = Space({"c": Categorical(["a", "b", "c"])})
    opt = AsyncGPHyperband(space, fidelity=FID, seed=0, brackets="asha")
    seen = []
    with pytest.raises(SearchExhausted):
        for _ in range(20):
            params = opt.ask()
            seen.append((params["c"], params["epochs"]))
            opt.tell(params, {"a": 1.0, "b": 2.0, "c": 3.0}[params["c"]])
    assert len(set(seen)) == len(seen) and ("a", 3) in seen


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="brackets must be one of"):
        AsyncGPHyperband(SPACE, fidelity=FID, brackets="bohb")
    with pytest.raises(ValueError, match="start must be one of"):
        AsyncGPHyperband(SPACE, fidelity=FID, start="top")
    with pytest.raises(ValueError, match="rho must be a number in"):
        AsyncGPHyperband(SPACE, fidelity=FID, rho=2.0)
