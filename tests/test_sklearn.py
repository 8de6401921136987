import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import Ridge
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import check_estimator

from hpo import Categorical, GridSearch, Integer, RandomSearch, Real, Space, TrialStatus
from hpo.optimizers import optimizer_names
from hpo.sklearn import SearchCV

X, y = load_iris(return_X_y=True)
SPACE = Space({"C": Real(1e-2, 1e2, log=True), "kernel": Categorical(["linear", "rbf"])})
GRID = {"C": SPACE["C"].grid(4), "kernel": ["linear", "rbf"]}


class Picky(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; its fit raises when ``x > 0.5``, and counts fits."""

    fits = 0

    def __init__(self, x=0.0):
        self.x = x

    def fit(self, X, y):
        type(self).fits += 1
        if self.x > 0.5:
            raise RuntimeError(f"x={self.x} is too large")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


@pytest.fixture(scope="module")
def grid_pair():
    grid = GridSearch(SPACE, points_per_axis=4, seed=0)  # shuffled order
    ours = SearchCV(
        SVC(), SPACE, optimizer=grid, n_iter=100, cv=KFold(5, shuffle=True, random_state=0)
    )
    theirs = GridSearchCV(SVC(), GRID, cv=KFold(5, shuffle=True, random_state=0))
    return ours.fit(X, y), theirs.fit(X, y)


def test_grid_search_reproduces_grid_search_cv(grid_pair):
    ours, theirs = grid_pair
    a, b = ours.cv_results_, theirs.cv_results_
    assert len(a["params"]) == len(b["params"]) == 8
    order = [a["params"].index(p) for p in b["params"]]  # ours visits the grid shuffled
    assert a["params"] != b["params"]
    for key in b:
        if "time" in key:
            continue
        assert key in a, key
        if key == "params":
            continue
        assert type(a[key]) is type(b[key]) and a[key].dtype == b[key].dtype, key
        assert np.array_equal(
            np.asarray(a[key])[order], np.asarray(b[key]), equal_nan=a[key].dtype.kind == "f"
        ), key
    for key in ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"):
        assert a[key].shape == (8,) and np.all(a[key] >= 0)
    assert ours.best_params_ == theirs.best_params_
    assert ours.best_score_ == theirs.best_score_
    assert ours.n_splits_ == theirs.n_splits_ == 5
    assert np.array_equal(ours.predict(X), theirs.predict(X))


def test_ranks_follow_gridsearchcv_conventions(grid_pair):
    ours, _ = grid_pair
    r = ours.cv_results_
    means, ranks = r["mean_test_score"], r["rank_test_score"]
    assert ranks.dtype == np.int32 and ranks.min() == 1
    assert ours.best_index_ == int(np.argmin(ranks))
    for i in range(len(means)):
        assert ranks[i] == 1 + np.sum(means > means[i])  # "min" method: ties share a rank
    splits = np.column_stack([r[f"split{k}_test_score"] for k in range(5)])
    assert np.allclose(splits.mean(axis=1), means) and np.allclose(
        splits.std(axis=1), r["std_test_score"]
    )
    assert not r["param_C"].mask.any()


def test_optimizer_trials_mirror_the_results(grid_pair):
    ours, _ = grid_pair
    trials = ours.optimizer_.trials
    assert [t.params for t in trials] == ours.cv_results_["params"]
    assert np.allclose([-t.value for t in trials], ours.cv_results_["mean_test_score"])
    assert all(t.eval_time > 0 for t in trials)


def test_clone_and_params_round_trip():
    search = SearchCV(make_pipeline(StandardScaler(), SVC()), {"svc__C": Real(0.1, 10.0)}, n_iter=3)
    params = search.get_params()
    assert (
        params["n_iter"] == 3 and params["optimizer"] == "bayes" and "estimator__svc__C" in params
    )
    twin = clone(search)
    assert twin is not search and twin.get_params()["n_iter"] == 3
    twin.set_params(n_iter=4, estimator__svc__C=2.0, optimizer="random")
    assert twin.n_iter == 4 and twin.estimator.named_steps["svc"].C == 2.0
    assert search.n_iter == 3 and search.estimator.named_steps["svc"].C == 1.0
    assert is_classifier(search)


def test_nested_parameters_and_a_seed_give_the_same_search():
    pipe = make_pipeline(StandardScaler(), SVC())
    space = {"svc__C": Real(0.1, 10.0, log=True), "svc__gamma": Real(1e-3, 1.0, log=True)}
    a = SearchCV(pipe, space, optimizer="random", n_iter=4, seed=3).fit(X, y)
    b = SearchCV(pipe, space, optimizer="random", n_iter=4, seed=3).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert a.best_estimator_.named_steps["svc"].C == a.best_params_["svc__C"]


def test_unknown_parameters_are_refused_before_any_fit():
    Picky.fits = 0
    with pytest.raises(ValueError, match="'gamma' is not a parameter of Picky"):
        SearchCV(Picky(), {"x": Real(0.0, 1.0), "gamma": Real(0.1, 1.0)}, "random").fit(X, y)
    assert Picky.fits == 0
    with pytest.raises(ValueError, match=r"ambiguous.*write Real\(0.1, 0.2\)"):  # issue 15
        SearchCV(Picky(), {"x": [0.1, 0.2]}).fit(X, y)
    for bad in ({"n_iter": 0}, {"batch_size": 1.5}, {"error_score": "skip"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            SearchCV(Picky(), {"x": Real(0.0, 1.0)}, "random", **bad).fit(X, y)
    with pytest.raises(ValueError, match="optimizer"):
        SearchCV(Picky(), {"x": Real(0.0, 1.0)}, "simulated-annealing").fit(X, y)
    assert Picky.fits == 0


def test_failed_fits_follow_error_score_and_the_search_goes_on():
    space = {"x": Real(0.0, 1.0)}
    with pytest.warns(FitFailedWarning, match="too large"):
        search = SearchCV(Picky(), space, "random", n_iter=12, cv=3, seed=0).fit(X, y)
    r = search.cv_results_
    failed = np.array([p["x"] > 0.5 for p in r["params"]])
    assert 0 < failed.sum() < 12
    assert np.all(np.isnan(r["mean_test_score"][failed]))
    assert np.all(r["rank_test_score"][failed] == (~failed).sum() + 1)  # NaN ranked last
    statuses = [t.status for t in search.optimizer_.trials]
    assert statuses == [TrialStatus.FAILED if f else TrialStatus.COMPLETE for f in failed]
    assert "too large" in search.optimizer_.trials[int(np.argmax(failed))].error
    assert search.best_params_["x"] <= 0.5

    with pytest.warns(FitFailedWarning):
        zero = SearchCV(Picky(), space, "random", n_iter=12, cv=3, seed=0, error_score=0.0)
        zero.fit(X, y)
    assert np.all(zero.cv_results_["mean_test_score"][failed] == 0.0)
    assert [t.status for t in zero.optimizer_.trials] == statuses  # still failed trials

    with pytest.raises(RuntimeError, match="too large"):
        SearchCV(Picky(), {"x": Real(0.6, 1.0)}, "random", n_iter=2, error_score="raise").fit(X, y)
    with pytest.raises(ValueError, match="All the 6 fits failed"), warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        SearchCV(Picky(), {"x": Real(0.6, 1.0)}, "random", n_iter=2, cv=3).fit(X, y)


@pytest.mark.parametrize("name", optimizer_names(include_peers=False))
def test_every_hpo_optimizer_by_name(name):
    space = {"C": Real(1e-2, 1e2, log=True), "degree": Integer(1, 4)}
    search = SearchCV(SVC(kernel="poly"), space, optimizer=name, n_iter=6, cv=3, seed=0)
    search.fit(X, y)
    r = search.cv_results_
    # A grid of at most 6 points has 2 x 2 points; the others use the whole budget.
    assert len(r["params"]) == len(search.optimizer_.trials) == (4 if name == "grid" else 6)
    assert search.best_score_ == np.max(r["mean_test_score"])
    assert search.optimizer_.name == name
    assert r["param_degree"].dtype == np.int64


def test_an_optimizer_instance_is_used_but_not_changed():
    opt = RandomSearch(SPACE, seed=0)
    search = SearchCV(SVC(), SPACE, optimizer=opt, n_iter=3).fit(X, y)
    assert opt.trials == [] and len(search.optimizer_.trials) == 3
    again = SearchCV(SVC(), SPACE, optimizer=opt, n_iter=3).fit(X, y)
    assert again.cv_results_["params"] == search.cv_results_["params"]
    with pytest.raises(ValueError, match="another space"):
        SearchCV(SVC(), {"C": Real(1.0, 2.0)}, optimizer=opt).fit(X, y)


def test_a_finite_grid_smaller_than_n_iter_ends_the_search():
    space = {"C": Real(0.1, 10.0, log=True)}
    search = SearchCV(SVC(), space, GridSearch(Space(space), points_per_axis=3), n_iter=10)
    assert len(search.fit(X, y).cv_results_["params"]) == 3


class AskLog(RandomSearch):
    def _propose(self, n):
        self.asked = [*getattr(self, "asked", []), n]
        return super()._propose(n)


def test_batches_are_asked_together_and_parallel_fits_agree():
    serial = SearchCV(SVC(), SPACE, AskLog(SPACE, seed=1), n_iter=5, cv=3, batch_size=2)
    parallel = clone(serial).set_params(n_jobs=2)
    serial.fit(X, y)
    parallel.fit(X, y)
    assert serial.optimizer_.asked == [2, 2, 1]
    for key in ("params", "mean_test_score", "rank_test_score"):
        assert np.array_equal(serial.cv_results_[key], parallel.cv_results_[key])


def test_delegation_to_the_best_estimator(grid_pair):
    search, _ = grid_pair
    best = search.best_estimator_
    assert np.array_equal(search.predict(X), best.predict(X))
    assert search.score(X, y) == best.score(X, y)
    assert np.array_equal(search.decision_function(X), best.decision_function(X))
    assert list(search.classes_) == [0, 1, 2] and search.n_features_in_ == 4
    assert search.refit_time_ > 0 and not hasattr(search, "predict_proba")  # SVC(probability=False)

    no_refit = SearchCV(SVC(), SPACE, "random", n_iter=2, refit=False, seed=0).fit(X, y)
    assert not hasattr(no_refit, "best_estimator_") and not hasattr(no_refit, "predict")
    with pytest.raises(AttributeError, match="no attribute 'predict'") as err:
        no_refit.predict(X)
    assert "refit=False" in str(err.value.__cause__)
    with pytest.raises(AttributeError, match="refit=False"):
        no_refit.score(X, y)


def test_scoring_and_fit_params_reach_every_fold():
    w = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    cv = KFold(3, shuffle=True, random_state=1)
    space = Space({"C": Real(0.1, 10.0, log=True)})
    search = SearchCV(SVC(), space, "grid", n_iter=3, cv=cv, scoring="balanced_accuracy")
    search.fit(X, y, sample_weight=w)
    for params, mean in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        # sample_weight split with the folds and given to fit; the scorer is unweighted.
        scores = [
            balanced_accuracy_score(y[te], SVC(**params).fit(X[tr], y[tr], w[tr]).predict(X[te]))
            for tr, te in cv.split(X)
        ]
        assert mean == pytest.approx(np.mean(scores), abs=1e-15)
    assert search.score(X, y) == balanced_accuracy_score(y, search.predict(X))


def test_passes_scikit_learns_estimator_checks():
    search = SearchCV(
        Ridge(),
        {"alpha": Real(1e-2, 1e2, log=True)},
        "random",
        n_iter=2,
        cv=2,
        seed=0,
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(
            search,
            on_fail=None,
            # GridSearchCV has the same expected failure in scikit-learn's own test suite.
            expected_failed_checks={"check_supervised_y_2d": "DataConversionWarning not caught"},
        )
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == [] and len(results) > 40
