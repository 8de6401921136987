import math
import pickle
import warnings

import numpy as np
import pytest
from sklearn.model_selection import cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline

from hpo import Integer, Real, minimize
from hpo.problems import get_problem, list_problems
from hpo.problems.mlp import (
    PROBLEM_NAMES,
    EvaluationFailed,
    MLPProblem,
    mlp_space,
    random_search_quantiles,
    reference,
)
from hpo.trial import TrialStatus

# A cheap, well-behaved configuration of the adam space.
ADAM = {
    "hidden_layer_sizes": 50,
    "alpha": 1e-3,
    "batch_size": 64,
    "learning_rate_init": 1e-2,
    "tol": 1e-4,
    "validation_fraction": 0.2,
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-8,
}


@pytest.fixture(scope="module")
def iris() -> MLPProblem:
    return get_problem("mlp_adam_iris_logloss")


def test_registry_lists_every_problem_and_names_round_trip():
    assert set(PROBLEM_NAMES) <= set(list_problems())
    assert len(PROBLEM_NAMES) == 17  # 2 solvers x 4 datasets x 2 metrics + diabetes
    for name in ("mlp_sgd_breast_cancer_acc", "mlp_adam_diabetes_mse"):
        p = get_problem(name)
        assert p.name == name and p.optimum is None and p.regret(1.0) is None
    p = get_problem("mlp_adam_wine_acc:seed=3")
    assert p.name == "mlp_adam_wine_acc:seed=3" and p.seed == 3
    assert get_problem(p.name).name == p.name


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("sgd", "diabetes", "mse"), "solver"),
        (("adam", "iris", "mse"), "metric"),
        (("adam", "boston", "acc"), "dataset"),
        (("lbfgs", "iris", "acc"), "solver"),
    ],
)
def test_bad_arguments_are_refused(args, match):
    with pytest.raises(ValueError, match=match):
        MLPProblem(*args).space  # noqa: B018


def test_spaces_are_bayesmarks():
    adam, sgd = mlp_space("adam"), mlp_space("sgd")
    assert adam["hidden_layer_sizes"] == Integer(50, 200)
    assert adam["batch_size"] == Integer(10, 250)
    assert adam["alpha"] == Real(1e-5, 1e1, log=True)
    assert adam["beta_2"] == Real(0.9, 1 - 1e-6, logit=True)
    assert adam["epsilon"] == Real(1e-9, 1e-6, log=True)
    assert sgd["momentum"] == Real(0.001, 0.999, logit=True)
    assert sgd["power_t"] == Real(0.1, 0.9, logit=True)
    assert list(sgd) == [
        "hidden_layer_sizes",
        "alpha",
        "batch_size",
        "learning_rate_init",
        "power_t",
        "tol",
        "momentum",
        "validation_fraction",
    ]
    assert get_problem("mlp_adam_diabetes_mse").space == adam


def test_split_is_stratified_80_20_and_folds_partition_the_training_part(iris):
    X_train, X_test, _, y_test = iris.data
    assert len(X_test) == 30 and len(X_train) == 120
    assert np.bincount(y_test).tolist() == [10, 10, 10]
    folds = iris.folds
    assert len(folds) == 5
    assert sorted(np.concatenate([v for _, v in folds]).tolist()) == list(range(120))


def test_loss_is_minus_the_mean_cv_score_of_scikit_learn(iris):
    info = iris.evaluate_detailed(ADAM)
    X_train, _, y_train, _ = iris.data
    model = iris.estimator(ADAM)
    expected = {
        "logloss": -cross_val_score(
            model, X_train, y_train, cv=iris.folds, scoring="neg_log_loss"
        ).mean(),
        "acc": -cross_val_score(model, X_train, y_train, cv=iris.folds).mean(),
    }
    assert info["losses"] == pytest.approx(expected, rel=1e-12)
    assert info["loss"] == info["losses"]["logloss"] == iris(ADAM)
    # The accuracy problem shares the fits: same configuration, its own metric.
    assert get_problem("mlp_adam_iris_acc")(ADAM) == pytest.approx(expected["acc"], rel=1e-12)
    assert info["error"] is None and len(info["n_iter"]) == 5 and info["fit_time"] > 0
    assert info["wall_time"] >= info["fit_time"]
    assert info["loss_std"] == pytest.approx(np.std(info["fold_losses"]["logloss"]))


def test_evaluation_is_deterministic_and_seed_dependent(iris):
    assert iris(ADAM) == iris(ADAM)
    other = get_problem("mlp_adam_iris_logloss:seed=1")
    assert other(ADAM) != iris(ADAM)


def test_pipeline_standardizes_and_regressor_standardizes_its_target():
    model = get_problem("mlp_sgd_iris_acc").estimator(
        {**mlp_space("sgd").sample(np.random.default_rng(0)), "batch_size": 32}
    )
    assert [name for name, _ in model.steps] == ["scale", "mlp"]
    assert model.named_steps["mlp"].get_params()["nesterovs_momentum"] is True
    reg = get_problem("mlp_adam_diabetes_mse").estimator(ADAM)
    assert type(reg.transformer).__name__ == "StandardScaler"
    assert reg.regressor.named_steps["mlp"].hidden_layer_sizes == (50,)


def test_holdout_is_scored_on_request(iris):
    info = iris.evaluate_detailed(ADAM, holdout=True)
    assert info["test_loss"] == iris.test_loss(ADAM) == info["test_losses"]["logloss"]
    assert "test_loss" not in iris.evaluate_detailed(ADAM)
    X_train, X_test, y_train, y_test = iris.data
    refit = iris.estimator(ADAM).fit(X_train, y_train)
    assert info["test_losses"]["acc"] == -refit.score(X_test, y_test)


def test_convergence_warnings_are_counted_not_shown(iris, monkeypatch):
    def short(params):
        return Pipeline([("mlp", MLPClassifier(max_iter=1, random_state=0))])

    monkeypatch.setattr(iris, "estimator", short)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping would fail the test
        info = iris.evaluate_detailed(ADAM, holdout=True)
    assert info["n_convergence_warnings"] == 6  # 5 folds and the refit
    assert iris.last_info is info


class _Exploding:
    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        raise ValueError("Solver produced non-finite parameter weights")


def test_a_failing_fit_is_a_failed_trial_not_a_crash(iris, monkeypatch):
    monkeypatch.setattr(iris, "estimator", lambda params: _Exploding())
    info = iris.evaluate_detailed(ADAM)
    assert math.isnan(info["loss"]) and "fold 0: ValueError: Solver" in info["error"]
    with pytest.raises(EvaluationFailed, match="non-finite"):
        iris(ADAM)
    with pytest.raises(EvaluationFailed):
        iris.test_loss(ADAM)
    result = minimize(iris, iris.space, "random", n_trials=2, seed=0)
    assert [t.status for t in result.trials] == [TrialStatus.FAILED] * 2
    assert "EvaluationFailed" in result.trials[0].error


def test_invalid_configurations_are_refused(iris):
    with pytest.raises(ValueError, match="batch_size"):
        iris({**ADAM, "batch_size": 5})


def test_problem_pickles_without_its_data(iris):
    blob = pickle.dumps(iris)
    assert len(blob) < 2000
    assert pickle.loads(blob)(ADAM) == iris(ADAM)


SGD = {
    "hidden_layer_sizes": 50,
    "alpha": 1e-3,
    "batch_size": 64,
    "learning_rate_init": 1e-2,
    "power_t": 0.5,
    "tol": 1e-3,
    "momentum": 0.9,
    "validation_fraction": 0.2,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mlp_sgd_digits_acc", "mlp_adam_diabetes_mse"])
def test_one_evaluation_of_the_larger_tasks(name):
    p = get_problem(name)
    value = p(SGD if "sgd" in name else ADAM)
    assert math.isfinite(value)
    assert -1.0 <= value <= 0.0 if name.endswith("_acc") else value > 0


def test_random_search_quantiles_match_resampled_runs():
    rng = np.random.default_rng(0)
    pool = rng.normal(size=40)
    pool[[3, 7]] = np.nan  # failed evaluations: drawn, never an improvement
    T, q = 12, (0.25, 0.5, 0.75)
    exact = random_search_quantiles(pool, T, q)
    runs = rng.choice(np.where(np.isnan(pool), np.inf, pool), size=(20_000, T))
    best = np.minimum.accumulate(runs, axis=1)
    for i, qi in enumerate(q):
        for t in range(T):
            # Definition: the least pool value v with P(S_t <= v) >= q.
            cdf = np.mean(best[:, t] <= exact[i, t])
            below = np.mean(best[:, t] < exact[i, t])
            assert cdf >= qi - 0.015 and below <= qi + 0.015
    assert np.all(np.diff(exact, axis=1) <= 0) and np.all(exact[0] <= exact[2])
    assert exact[1, 0] == np.sort(pool[~np.isnan(pool)])[19]  # t = 1: the pool's median


def test_random_search_quantiles_with_mostly_failures():
    pool = np.array([np.nan] * 9 + [1.0])
    out = random_search_quantiles(pool, 3, (0.5,))
    assert out[0].tolist() == [np.inf, np.inf, np.inf]
    assert random_search_quantiles(pool, 10, (0.5,))[0, -1] == 1.0


def test_reference_values_exist_for_every_problem():
    T = None
    for name in PROBLEM_NAMES:
        ref = reference(name)
        median, q25, q75 = (np.array(ref[k]) for k in ("random_median", "random_q25", "random_q75"))
        T = T or len(median)
        assert len(median) == len(q25) == len(q75) == T >= 50
        assert np.all(q25 <= median) and np.all(median <= q75)
        assert np.all(np.diff(median) <= 0)
        assert ref["best_known"] <= median[-1] and ref["n_pool"] >= 100
        problem = get_problem(name)
        assert problem.space.contains(ref["best_known_params"])
    assert get_problem("mlp_adam_iris_acc").reference() == reference("mlp_adam_iris_acc")


def test_reference_refuses_unknown_problems_and_other_seeds():
    with pytest.raises(ValueError, match="seed 0"):
        reference("mlp_adam_iris_acc:seed=1")
    with pytest.raises(ValueError, match="no reference"):
        reference("branin")


@pytest.mark.slow
def test_best_known_reproduces():
    name = "mlp_adam_iris_logloss"
    ref = reference(name)
    assert get_problem(name)(ref["best_known_params"]) == pytest.approx(ref["best_known"], rel=1e-9)
