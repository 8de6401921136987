import numpy as np
import pytest

from hpo.analysis.fanova import mean_fanova, mean_first_order, slab_axis
from hpo.analysis.forest import RandomForest
from hpo.analysis.stacked import STAGE_1, STAGE_2, fit_stacked_forest


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.random((300, 4))
    # a strong, a weak and an inert axis, plus an interaction
    y = 4 * np.sin(3 * X[:, 0]) + 0.3 * np.abs(4 * X[:, 1] - 2) + X[:, 0] * X[:, 3]
    return X, y


def test_two_stages_in_one_forest(data):
    X, y = data
    forest = fit_stacked_forest(X, y, rng=np.random.default_rng(1), n_trees=3, main_effects=False)
    assert len(forest.trees) == 6
    # the mean of the six trees is stage 1 plus stage 2: twice the mean of the two halves
    again = fit_stacked_forest(X, y, rng=np.random.default_rng(1), n_trees=3, main_effects=False)
    for a, b in zip(forest.trees, again.trees):
        np.testing.assert_array_equal(a.value, b.value)
    Z = np.random.default_rng(2).random((50, 4))
    halves = [RandomForest(3), RandomForest(3)]
    halves[0].trees, halves[1].trees = forest.trees[:3], forest.trees[3:]
    halves[0].is_categorical = halves[1].is_categorical = forest.is_categorical
    np.testing.assert_allclose(
        forest.predict(Z), 0.5 * (halves[0].predict(Z) + halves[1].predict(Z)), atol=1e-12
    )
    assert STAGE_1["bootstrap"] and not STAGE_2["bootstrap"]


def test_stage_two_finds_the_weak_axis_and_not_the_inert_one(data):
    X, y = data
    first, _ = mean_first_order(fit_stacked_forest(X, y, rng=np.random.default_rng(3)))
    assert first[0] > first[1] > 10 * first[2]


def test_main_effects_are_the_additive_models_and_the_rest_is_exact(data):
    X, y = data
    forest = fit_stacked_forest(X[:, :3], y, rng=np.random.default_rng(4), n_trees=3)
    n_all = len(forest.trees)
    n_additive = n_all - 6 - 3  # the additive effects, then -G_i on every axis, then stages
    assert n_additive >= 1
    again = fit_stacked_forest(X[:, :3], y, rng=np.random.default_rng(4), n_trees=3)
    for a, b in zip(forest.trees, again.trees):
        np.testing.assert_array_equal(a.value, b.value)
    # the main effect of axis i is the additive step function a_i, exactly
    m = mean_fanova(forest, total=True, pairs=[0, 1, 2])
    for t in forest.trees[:n_additive]:
        i = slab_axis(t)
        widths = t.upper[:, i] - t.lower[:, i]
        values = t.value / n_all  # leaf values are scaled so that the mean is the model
        var = widths @ (values - widths @ values) ** 2
        assert m.first[i] * m.variance == pytest.approx(var, rel=1e-9)
    # fractions of the whole: first order + pairs + the triple interaction sum to 1
    triple = m.total[0] - m.first[0] - m.pairs[0, 1] - m.pairs[0, 2]
    assert m.first.sum() + m.pairs.sum() + triple == pytest.approx(1.0, abs=1e-9)
    Z = np.random.default_rng(5).random((100_000, 3))
    assert m.variance == pytest.approx(forest.predict(Z).var(), rel=0.02)


def test_bad_input(data):
    X, y = data
    with pytest.raises(ValueError, match="folds"):
        fit_stacked_forest(X, y, rng=np.random.default_rng(0), folds=1)
    with pytest.raises(ValueError, match="at least 4"):
        fit_stacked_forest(X[:3], y[:3], rng=np.random.default_rng(0))
    small = fit_stacked_forest(X[:5], y[:5], rng=np.random.default_rng(0), n_trees=2)
    assert np.isfinite(small.predict(X[:5])).all()


def test_concentrated_trials_get_the_forest_alone(data):
    X, y = data
    near = X.copy()
    near[:, 0] = 0.4 + 0.2 * X[:, 0]  # gathered as an optimizer gathers them
    auto = fit_stacked_forest(near, y, rng=np.random.default_rng(7), n_trees=3)
    alone = fit_stacked_forest(near, y, rng=np.random.default_rng(7), n_trees=3, main_effects=False)
    assert len(auto.trees) == len(alone.trees) == 6
    for a, b in zip(auto.trees, alone.trees):
        np.testing.assert_array_equal(a.value, b.value)
