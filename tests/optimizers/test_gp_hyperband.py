"""The GP-guided Hyperband: Hyperband's schedule, new configurations from the GP."""

from collections import Counter

import numpy as np
import pytest

from hpo import Fidelity, GPHyperband, Hyperband, Real, Space
from hpo.gp import GaussianProcess

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
        ({"pending": "liar"}, "pending must be one of"),
        ({"refit": "never"}, "refit must be one of"),
        ({"seen": "keep"}, "seen must be one of"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GPHyperband(SPACE, fidelity=FID, **kwargs)


def _model_points(opt):
    return np.array(
        [[t.params["x"], t.params["y"]] for t in opt.trials if t.info["source"] == "model"]
    )


def _min_distance(points):
    d = np.linalg.norm(points[:, None] - points[None], axis=-1)
    return d[np.triu_indices(len(points), 1)].min()


@pytest.mark.slow
def test_one_worker_runs_are_those_without_fantasies(seed=3):
    # nothing is pending when one worker asks: the fantasies change nothing, bit for bit
    runs = [
        run(GPHyperband(SPACE, fidelity=FID, seed=seed, min_points=3, pending=rule), 45)
        for rule in ("believer", "ignore")
    ]
    assert Counter(t.info["source"] for t in runs[0].trials)["model"] > 5
    assert [t.params for t in runs[0].trials] == [t.params for t in runs[1].trials]
    assert [t.info for t in runs[0].trials] == [t.info for t in runs[1].trials]


def test_configurations_in_flight_are_fantasized():
    # after 13 results the model (budget 1) is ready; 8 workers then ask one after the other
    # while all 8 are pending: without fantasies the GP proposes near-copies of one point
    points = {}
    for rule in ("believer", "ignore"):
        opt = run(GPHyperband(SPACE, fidelity=FID, seed=0, rho=0.0, min_points=3, pending=rule), 13)
        asked = [opt.ask() for _ in range(8)]
        assert {t.info["source"] for t in opt.pending} == {"model"}
        assert len({(p["x"], p["y"]) for p in asked}) == 8  # distinct all the same
        points[rule] = _model_points(opt)[-8:]
    assert _min_distance(points["ignore"]) < 1e-3
    assert _min_distance(points["believer"]) > 10 * _min_distance(points["ignore"])


def test_a_batch_across_brackets_is_spread():
    # one ask(12) fills the first rung of a bracket and opens the next: the second bracket's
    # model proposals also believe the first's, chosen earlier in the same ask
    opt = run(GPHyperband(SPACE, fidelity=FID, seed=1, rho=0.0, min_points=3), 13)
    batch = opt.ask(12)
    assert len({t.info["bracket"] for t in opt.pending}) >= 2
    assert len({(p["x"], p["y"]) for p in batch}) == 12
    assert _min_distance(_model_points(opt)[-12:]) > 1e-3


def test_in_flight_skips_configurations_told_at_the_model_budget():
    opt = run(GPHyperband(SPACE, fidelity=FID, seed=0, min_points=3), 9)  # rung 0 told
    promoted = opt.ask(3)  # the rung's best three at budget 3, pending
    assert opt._in_flight(1) == []  # told at budget 1: data, not fantasies
    flying = opt._in_flight(3)
    assert flying == [{k: v for k, v in p.items() if k != "epochs"} for p in promoted]


def test_refit_on_new_data_only_reuses_the_model(monkeypatch):
    fits = []
    original = GaussianProcess.fit
    monkeypatch.setattr(
        GaussianProcess, "fit", lambda gp, *a, **k: fits.append(1) or original(gp, *a, **k)
    )
    for refit, expected in (("always", 3), ("new-data", 1)):
        opt = run(GPHyperband(SPACE, fidelity=FID, seed=2, rho=0.0, min_points=3, refit=refit), 13)
        fits.clear()
        opt.ask(1), opt.ask(1), opt.ask(1)  # nothing told in between: the same data
        assert len(fits) == expected
    run(opt, 20)  # new data: refitted (warm-started), one kept model per budget
    assert set(opt._fits) == {t.info.get("model_budget") for t in opt.trials} - {None}
    assert opt.best.params["epochs"] == 9


@pytest.mark.slow
def test_the_ablation_switch_tells_the_model_every_configuration_run(monkeypatch):
    # off (the default): a model proposal repeating a configuration run at another budget
    # is dropped for a random draw; on: the model proposes the best unseen one instead
    def sources(seed):
        opt = run(GPHyperband(SPACE, fidelity=FID, seed=seed, rho=0.0, min_points=3), 60)
        new = [t for t in opt.trials if t.info["source"] != "promotion"]
        assert len({(t.params["x"], t.params["y"]) for t in new}) == len(new)
        return Counter(t.info["source"] for t in opt.trials[9:])  # after the first rung

    assert sources(1)["random"] > 0
    monkeypatch.setattr(GPHyperband, "_exclude_seen", True)
    switched = sources(1)
    assert switched["random"] == 0 and switched["model"] > 30


@pytest.mark.slow
@pytest.mark.parametrize("seen", ["believer", "worst"])
def test_configurations_run_elsewhere_inform_the_model(seen):
    # seen="believer"/"worst": the model is told the configurations stopped at another
    # budget (fantasies at its posterior mean, or failures), so none of its proposals
    # repeats one and none is dropped for a random draw (rho = 0)
    opt = run(GPHyperband(SPACE, fidelity=FID, seed=1, rho=0.0, min_points=3, seen=seen), 60)
    new = [t for t in opt.trials if t.info["source"] != "promotion"]
    assert len({(t.params["x"], t.params["y"]) for t in new}) == len(new)
    sources = Counter(t.info["source"] for t in opt.trials[9:])
    assert sources["random"] == 0 and sources["model"] > 30


def test_configurations_run_elsewhere_are_those_stopped_at_other_budgets():
    opt = GPHyperband(SPACE, fidelity=FID, seed=0, min_points=3)
    first = opt.ask(9)  # bracket s = 2: 9 at budget 1
    opt.tell(first[:8], [loss(p) for p in first[:8]])  # one still in flight
    rest = [{k: v for k, v in p.items() if k != "epochs"} for p in first[:8]]
    assert opt._elsewhere(9) == rest  # told at budget 1 only, oldest first
    assert opt._elsewhere(1) == []  # all told there, or in flight


def test_the_model_searches_the_whole_space(monkeypatch):
    """GP-Hyperband's BO keeps no trust region, although ``bayes``'s default ("auto") turns
    one on for real spaces: its committed multi-fidelity results were measured without."""
    import hpo.optimizers.gp_hyperband as gp_hyperband

    made = []

    class Spy(gp_hyperband._Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(gp_hyperband, "_Model", Spy)
    opt = run(GPHyperband(SPACE, fidelity=FID, seed=1, rho=0.0, min_points=3), 20)
    assert made and all(m.trust_region is None for m in made)
    assert not any("trust_region" in t.info for t in opt.trials)
