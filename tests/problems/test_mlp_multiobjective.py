"""The multi-objective MLP tasks of hpo.problems.mlp_multiobjective (issue 11)."""

import math

import numpy as np
import pytest

from hpo import RandomSearch, minimize
from hpo.problems import get_problem, list_problems
from hpo.problems.mlp import EvaluationFailed, mlp_space
from hpo.problems.mlp_multiobjective import MultiObjectiveMLPProblem, count_weights

NAMES = [f"mo_mlp_{d}_{o}" for d in ("digits", "breast_cancer") for o in ("weights", "time")]
#: A configuration that trains in a few epochs (large batches, large tolerance).
CHEAP = {
    "n_layers": 1,
    "n_units": 4,
    "alpha": 1e-3,
    "batch_size": 250,
    "learning_rate_init": 1e-2,
    "tol": 1e-1,
    "validation_fraction": 0.2,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
}


def test_registered_as_two_objective_problems_without_a_known_front():
    assert set(NAMES) <= set(list_problems())
    for name in NAMES:
        p = get_problem(name)
        assert p.name == name and p.n_objectives == 2
        assert p.optimum is None and p.max_hypervolume is None
        with pytest.raises(NotImplementedError, match="unknown"):
            p.pareto_front()
    q = get_problem("mo_mlp_digits_weights:seed=3")
    assert q.seed == 3 and q.name == "mo_mlp_digits_weights:seed=3"


def test_the_space_is_the_adam_space_with_the_architecture_searched():
    space = get_problem("mo_mlp_digits_weights").space
    adam = mlp_space("adam")
    assert set(space) == (set(adam) - {"hidden_layer_sizes"}) | {"n_layers", "n_units"}
    for name in set(adam) - {"hidden_layer_sizes"}:
        assert space[name] == adam[name]
    assert (space["n_layers"].low, space["n_layers"].high) == (1, 3)
    assert (space["n_units"].low, space["n_units"].high, space["n_units"].log) == (2, 256, True)


def test_weights_counted_by_hand():
    bc, digits = get_problem("mo_mlp_breast_cancer_weights"), get_problem("mo_mlp_digits_weights")
    # breast_cancer: 30 features, 2 classes -> one logistic output unit
    assert bc.n_weights({"n_layers": 1, "n_units": 2}) == 30 * 2 + 2 + 2 * 1 + 1
    # digits: 64 features, 10 classes; two hidden layers of 3
    assert digits.n_weights({"n_layers": 2, "n_units": 3}) == (64 * 3 + 3) + (3 * 3 + 3) + (
        3 * 10 + 10
    )
    assert count_weights((4, 5)) == 25
    # the reference points: ln K and log10 of the largest network (3 x 256)
    largest_bc = 30 * 256 + 256 + 2 * (256 * 256 + 256) + 256 + 1
    assert bc.reference_point == pytest.approx((math.log(2), math.log10(largest_bc)))
    largest_digits = 64 * 256 + 256 + 2 * (256 * 256 + 256) + 256 * 10 + 10
    assert digits.reference_point == pytest.approx((math.log(10), math.log10(largest_digits)))
    assert get_problem("mo_mlp_digits_time").reference_point == pytest.approx(
        (math.log(10), math.log10(60.0))
    )


@pytest.mark.parametrize("arch", [(1, 2), (2, 3), (3, 7)])
def test_weights_equal_those_of_the_fitted_network(arch):
    p = get_problem("mo_mlp_digits_weights")
    params = {**CHEAP, "n_layers": arch[0], "n_units": arch[1], "batch_size": 100}
    X, _, y, _ = p.data
    model = p.estimator(params).fit(X[:300], y[:300])
    mlp = model.named_steps["mlp"]
    assert mlp.hidden_layer_sizes == (arch[1],) * arch[0]
    fitted = sum(a.size for a in mlp.coefs_) + sum(b.size for b in mlp.intercepts_)
    assert p.n_weights(params) == fitted


def test_an_evaluation_is_deterministic_under_the_seed_and_returns_log10_weights():
    params = {**CHEAP, "n_units": 50}  # one layer of 50: a configuration of mlp_adam too
    value = get_problem("mo_mlp_breast_cancer_weights")(params)
    again = MultiObjectiveMLPProblem("breast_cancer", "weights")
    assert again(params) == value
    single = get_problem("mlp_adam_breast_cancer_logloss")
    single_params = {k: v for k, v in params.items() if k not in ("n_layers", "n_units")}
    assert value[0] == single({**single_params, "hidden_layer_sizes": 50})  # same log-loss
    assert value[1] == math.log10(30 * 50 + 50 + 50 + 1)
    assert again.last_info["n_weights"] == 1601 and again.last_info["objectives"] == value
    other = get_problem("mo_mlp_breast_cancer_weights:seed=1")(params)
    assert other[0] != value[0] and other[1] == value[1]  # another split, the same network


def test_the_time_task_returns_log10_of_the_measured_fit_seconds():
    p = get_problem("mo_mlp_breast_cancer_time")
    loss, log_seconds = p(CHEAP)
    assert loss == get_problem("mo_mlp_breast_cancer_weights")(CHEAP)[0]
    assert log_seconds == math.log10(p.last_info["fit_time"])
    assert 0.0 < p.last_info["fit_time"] < p.last_info["wall_time"]


def test_bad_input_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="dataset"):
        MultiObjectiveMLPProblem("wine", "weights")
    with pytest.raises(ValueError, match="objective"):
        MultiObjectiveMLPProblem("digits", "latency")
    with pytest.raises(ValueError, match="seed"):
        get_problem("mo_mlp_digits_weights", seed=-1)
    p = get_problem("mo_mlp_breast_cancer_weights")
    with pytest.raises(ValueError, match="n_units"):
        p({**CHEAP, "n_units": 512})
    with pytest.raises(ValueError, match="n_layers"):
        p({k: v for k, v in CHEAP.items() if k != "n_layers"})
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        p({**CHEAP, "hidden_layer_sizes": 4})
    with pytest.raises(ValueError, match="n_units"):
        p.n_weights({"n_layers": 1, "n_units": 1})
    with pytest.raises(TypeError, match="n_layers"):
        p.n_weights({"n_layers": True, "n_units": 4})


def test_a_failed_fit_is_a_failed_evaluation(monkeypatch):
    p = get_problem("mo_mlp_breast_cancer_weights")
    monkeypatch.setattr(p, "evaluate_detailed", lambda params: {"error": "fold 0: boom"})
    with pytest.raises(EvaluationFailed, match="boom"):
        p(CHEAP)


def test_hypervolume_against_the_reference_point():
    p = get_problem("mo_mlp_breast_cancer_weights")
    r = p.reference_point
    assert p.hypervolume([]) == 0.0
    assert p.hypervolume([[r[0] + 1.0, 0.0]]) == 0.0  # worse than guessing: nothing
    assert p.hypervolume([[r[0] - 0.5, r[1] - 2.0]]) == pytest.approx(0.5 * 2.0)


def test_a_short_run_through_minimize_returns_a_front():
    p = get_problem("mo_mlp_breast_cancer_weights")
    opt = RandomSearch(p.space, n_objectives=2, seed=0)
    opt.tell(CHEAP, p(CHEAP))  # a warm start keeps the test cheap
    result = minimize(p, p.space, optimizer=opt, n_trials=2)
    assert result.pareto_front and all(len(t.value) == 2 for t in result.trials)
    assert all(np.isfinite(t.value).all() for t in result.pareto_front)


def test_the_committed_reference_fronts_are_consistent():
    from hpo.moo import is_non_dominated
    from hpo.problems.mlp_multiobjective import _reference_file

    names = set(_reference_file()["problems"])
    assert "mo_mlp_breast_cancer_weights" in names and names <= set(NAMES)
    for name in NAMES:
        p = get_problem(name)
        if name not in names:
            assert p.reference_hypervolume is None
            with pytest.raises(ValueError, match="reference"):
                p.hypervolume_ratio([[0.1, 1.0]])
            continue
        front = p.reference_front()
        assert front.shape[1] == 2 and is_non_dominated(front).all()
        assert np.all(front < np.asarray(p.reference_point))
        assert p.hypervolume(front) == pytest.approx(p.reference_hypervolume, rel=1e-12)
        assert p.hypervolume_ratio(front) == pytest.approx(1.0)
        assert p.hypervolume_ratio(front[::2]) < 1.0 or len(front) == 1
