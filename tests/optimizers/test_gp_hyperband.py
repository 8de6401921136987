"""The GP-guided Hyperband: Hyperband's schedule, new configurations from the GP."""

from collections import Counter

import pytest

from hpo import Fidelity, GPHyperband, Hyperband, Real, Space

SPACE = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
FID = Fidelity("epochs", 1, 9)


def loss(params):
    return (params["x"] - 0.7) ** 2 + (params["y"] - 0.2) ** 2 + 0.1 / params["epochs"]


def run(opt, n):
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, loss(params))
    return opt


def test_same_schedule_as_hyperband():
    gp, hb = (
        run(GPHyperband(SPACE, fidelity=FID, seed=0), 40),
        run(Hyperband(SPACE, fidelity=FID, seed=0), 40),
    )
    assert [t.params["epochs"] for t in gp.trials] == [t.params["epochs"] for t in hb.trials]
    assert [t.info["bracket"] for t in gp.trials] == [t.info["bracket"] for t in hb.trials]


def test_model_fitted_on_the_highest_budget_with_enough_results():
    opt = GPHyperband(SPACE, fidelity=FID, seed=0, rho=0.0, min_points=4)
    assert opt.model_budget() is None
    first = opt.ask(9)  # bracket s = 2: 9 at budget 1, all random (no data yet)
    assert {t.info["source"] for t in opt.trials} == {"random"}
    opt.tell(first, [loss(p) for p in first])
    assert opt.model_budget() == 1
    run(opt, 3 + 1)  # rung 1 (3 at budget 3) and rung 2 (1 at budget 9) of bracket 0
    assert opt.model_budget() == 1  # budget 3 has 3 results < min_points, budget 9 one
    run(opt, 3)  # bracket s = 1: new configurations at budget 3, from the model
    got = [
        (t.info["source"], t.info["model_budget"], t.info["n_observations"])
        for t in opt.trials[13:]
    ]
    assert got == [("model", 1, 9), ("model", 3, 4), ("model", 3, 5)]
    assert opt.model_budget() == 3


def test_rho_is_the_fraction_of_random_configurations():
    opt = run(GPHyperband(SPACE, fidelity=FID, seed=1, rho=1.0), 30)
    assert "model" not in Counter(t.info["source"] for t in opt.trials)
    opt = run(GPHyperband(SPACE, fidelity=FID, seed=1, rho=0.0, min_points=3), 20)
    sources = Counter(t.info["source"] for t in opt.trials[9:])  # after the first rung
    assert sources["random"] == 0 and sources["model"] > 0


@pytest.mark.slow
def test_the_model_finds_the_optimum_faster_than_random_sampling():
    # median over seeds of the best full-budget loss, same schedule, same number of trials
    def best(cls, seed):
        return run(cls(SPACE, fidelity=FID, seed=seed), 45).best.value

    gp = sorted(best(GPHyperband, s) for s in range(3))[1]
    hb = sorted(best(Hyperband, s) for s in range(3))[1]
    assert gp < hb


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rho": 1.5}, "rho must be a number in"),
        ({"rho": "0.3"}, "rho"),
        ({"min_points": 1}, "min_points must be an integer >= 2"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GPHyperband(SPACE, fidelity=FID, **kwargs)
