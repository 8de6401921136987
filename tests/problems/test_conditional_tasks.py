"""The real conditional tasks of hpo.problems.conditional (issue 13)."""

import math

import numpy as np
import pytest

from hpo.problems import get_problem, list_problems
from hpo.problems.conditional import ConditionalMLPProblem, ModelSelectionProblem

ALWAYS_SOLVER = {"solver", "hidden_layer_sizes", "alpha", "tol"}
SGD_OR_ADAM = {"batch_size", "learning_rate_init", "validation_fraction"}
ACTIVE_SOLVER = {
    "adam": ALWAYS_SOLVER | SGD_OR_ADAM | {"beta_1", "beta_2", "epsilon"},
    "sgd": ALWAYS_SOLVER | SGD_OR_ADAM | {"momentum", "power_t"},
    "lbfgs": ALWAYS_SOLVER,
}
ACTIVE_MODEL = {
    "mlp": {"model", "hidden_layer_sizes", "alpha", "batch_size", "learning_rate_init"},
    "svc": {"model", "C", "gamma"},
    "rf": {"model", "n_estimators", "max_depth", "max_features"},
}


def test_registered_with_no_known_optimum():
    names = set(list_problems())
    for d in ("digits", "breast_cancer"):
        assert {f"cond_mlp_solver_{d}_logloss", f"cond_mlp_solver_{d}_acc"} <= names
        assert f"cond_model_{d}_acc" in names
    p = get_problem("cond_mlp_solver_digits_logloss:seed=2")
    assert isinstance(p, ConditionalMLPProblem) and p.optimum is None and p.seed == 2
    assert p.name == "cond_mlp_solver_digits_logloss:seed=2"
    q = get_problem("cond_model_breast_cancer_acc")
    assert isinstance(q, ModelSelectionProblem) and q.optimum is None


@pytest.mark.parametrize(
    ("name", "parent", "active"),
    [
        ("cond_mlp_solver_digits_logloss", "solver", ACTIVE_SOLVER),
        ("cond_model_digits_acc", "model", ACTIVE_MODEL),
    ],
)
def test_sampled_configurations_hold_exactly_the_active_set_of_their_branch(name, parent, active):
    space = get_problem(name).space
    assert space.is_conditional
    seen = set()
    for c in space.sample(np.random.default_rng(0), 60):
        assert set(c) == active[c[parent]], c
        seen.add(c[parent])
    assert seen == set(active)  # every branch drawn


def test_a_present_inactive_or_missing_active_parameter_is_refused():
    p = get_problem("cond_mlp_solver_breast_cancer_logloss")
    lbfgs = {"solver": "lbfgs", "hidden_layer_sizes": 50, "alpha": 1.0, "tol": 1e-3}
    with pytest.raises(ValueError, match="momentum"):
        p.space.validate({**lbfgs, "momentum": 0.9})
    with pytest.raises(ValueError, match="momentum"):  # through the problem too
        p({**lbfgs, "momentum": 0.9})
    with pytest.raises(ValueError, match="batch_size"):
        p.space.validate({**lbfgs, "solver": "sgd"})  # sgd's own parameters are missing
    q = get_problem("cond_model_breast_cancer_acc")
    with pytest.raises(ValueError, match="gamma"):
        q({"model": "rf", "n_estimators": 10, "max_depth": 3, "max_features": 0.5, "gamma": 1.0})


CHEAP = {
    "adam": {
        "batch_size": 100,
        "learning_rate_init": 1e-2,
        "validation_fraction": 0.2,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-8,
    },
    "sgd": {
        "batch_size": 100,
        "learning_rate_init": 1e-2,
        "validation_fraction": 0.2,
        "momentum": 0.9,
        "power_t": 0.5,
    },
    "lbfgs": {},
}


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_each_solver_branch_evaluates_to_a_finite_loss(solver):
    p = get_problem("cond_mlp_solver_breast_cancer_logloss")
    shared = {"solver": solver, "hidden_layer_sizes": 50, "alpha": 1.0, "tol": 1e-3}
    config = {**shared, **CHEAP[solver]}
    assert p.estimator(config).named_steps["mlp"].solver == solver
    loss = p(config)
    assert math.isfinite(loss) and 0.0 < loss < math.log(2)  # better than a coin
    assert p.last_info["n_iter"] and len(p.last_info["n_iter"]) == 5


@pytest.mark.parametrize(
    "config",
    [
        {"model": "svc", "C": 1.0, "gamma": 0.01},
        {"model": "rf", "n_estimators": 10, "max_depth": 4, "max_features": 0.3},
        {
            "model": "mlp",
            "hidden_layer_sizes": 50,
            "alpha": 1.0,
            "batch_size": 100,
            "learning_rate_init": 1e-2,
        },
    ],
)
def test_each_model_branch_evaluates_to_minus_an_accuracy(config):
    p = get_problem("cond_model_breast_cancer_acc")
    loss = p(config)
    assert -1.0 <= loss < -0.5  # better than chance on breast_cancer
    assert p.last_info["model"] == config["model"] and len(p.last_info["fold_losses"]) == 5
    assert loss == pytest.approx(np.mean(p.last_info["fold_losses"]))


def test_the_conditional_study_builds_every_problem_and_optimizer():
    from hpo.bench.study import check_study, find_study, load_study

    study = check_study(load_study(find_study("conditional")))
    assert {p.problem for p in study.problems} == {
        "jenatton",
        "jenatton:flat=True",
        "cond_mlp_solver_breast_cancer_logloss",
        "cond_model_breast_cancer_acc",
    }
    assert {"random", "bayes", "optuna-tpe", "optuna-gp"} <= {o.label for o in study.optimizers}


@pytest.mark.parametrize(
    "name", ["cond_mlp_solver_breast_cancer_logloss", "cond_model_breast_cancer_acc"]
)
def test_reference_values_describe_random_search_and_a_best_known_loss(name):
    from hpo.problems.conditional import reference

    ref = get_problem(name).reference()
    assert ref == reference(name)
    median, q25, q75 = (np.array(ref[k]) for k in ("random_median", "random_q25", "random_q75"))
    assert len(median) == len(q25) == len(q75) == 100
    assert np.all(np.diff(median) <= 0) and np.all(q25 <= median) and np.all(median <= q75)
    assert ref["best_known"] <= ref["pool_best"] <= median[-1]
    # The best known configuration is one of the task's, and evaluates to its loss.
    p = get_problem(name)
    assert p.space.validate(ref["best_known_params"]) == ref["best_known_params"]
    assert p(ref["best_known_params"]) == pytest.approx(ref["best_known"], abs=1e-12)


def test_reference_values_are_refused_for_other_tasks_and_seeds():
    from hpo.problems.conditional import reference

    with pytest.raises(ValueError, match="no reference values"):
        reference("jenatton")
    with pytest.raises(ValueError, match="seed 0 only"):
        reference("cond_model_breast_cancer_acc:seed=3")
