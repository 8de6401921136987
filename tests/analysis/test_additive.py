import numpy as np
import pytest

from hpo.analysis.additive import fit_additive_trees, looks_uniform, slab_tree
from hpo.analysis.fanova import mean_and_variance, mean_first_order, slab_axis
from hpo.analysis.forest import RandomForest
from hpo.analysis.integrate import integrate


def test_slab_tree_is_its_step_function():
    edges = np.array([0.1, 0.35, 0.5, 0.9])
    values = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    n_levels, cat = np.array([0, 0, 3]), np.array([False, False, True])
    tree = slab_tree(1, values, edges, 3, n_levels, cat)
    x = np.random.default_rng(0).random((400, 3))
    np.testing.assert_array_equal(tree.predict(x, cat), values[np.searchsorted(edges, x[:, 1])])
    assert slab_axis(tree) == 1
    # integral over a box: the step function's integral over the box's side on axis 1
    lo, hi = np.array([[0.2, 0.3, 0.0]]), np.array([[0.7, 0.95, 1.0]])
    box_levels = {2: np.array([[True, False, True]])}
    grid = np.linspace(0.3, 0.95, 650_001)
    side = np.mean(values[np.searchsorted(edges, grid)]) * 0.65
    got = integrate(tree, lo, hi, box_levels)[0]
    assert got == pytest.approx(side * 0.5 * 2 / 3, abs=1e-4)
    levels = slab_tree(2, np.array([1.0, 2.0, 4.0]), np.empty(0), 3, n_levels, cat)
    codes = np.array([[0.5, 0.5, 0.1], [0.5, 0.5, 0.5], [0.5, 0.5, 0.9]])
    np.testing.assert_array_equal(levels.predict(codes, cat), [1.0, 2.0, 4.0])
    assert slab_axis(levels) == 2


def test_backfitting_finds_the_effects_and_not_the_inert_axis():
    rng = np.random.default_rng(1)
    X = rng.random((400, 3))
    y = np.sin(2 * np.pi * X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.standard_normal(400)
    trees, fitted = fit_additive_trees(X, y, rng=np.random.default_rng(2))
    assert sorted(slab_axis(t) for t in trees) == [0, 1]
    assert np.corrcoef(fitted, y)[0, 1] > 0.95
    again, _ = fit_additive_trees(X, y, rng=np.random.default_rng(2))
    for a, b in zip(trees, again):
        np.testing.assert_array_equal(a.value, b.value)
    # the variance of each step function: its fraction of a forest made of the steps alone
    forest = RandomForest(len(trees))
    forest.trees = [type(t)(len(trees) * t.value, t.lower, t.upper, t.levels, t.nodes)
                    for t in trees]  # fmt: skip
    forest.is_categorical = np.zeros(3, bool)
    first, var = mean_first_order(forest)
    assert first.sum() == pytest.approx(1.0, abs=1e-12)  # additive: no interactions
    assert var * first[0] == pytest.approx(0.5, abs=0.05)  # Var sin(2 pi x) = 1/2
    assert var * first[1] == pytest.approx(0.25 / 12, abs=0.01)


def test_slab_shortcut_is_the_walk_over_leaves():
    rng = np.random.default_rng(3)
    X = rng.random((200, 3))
    y = X[:, 0] + X[:, 1] * X[:, 2]
    slabs, _ = fit_additive_trees(X, y, rng=rng, one_se=0.0)
    forest = RandomForest(4, min_samples_leaf=5).fit(X, y, rng=rng)
    forest.trees = slabs + forest.trees
    fast, slow = mean_and_variance(forest), mean_and_variance(forest, slabs=False)
    assert fast[0] == slow[0]
    assert fast[1] == pytest.approx(slow[1], rel=1e-12)
    Z = rng.random((200_000, 3))
    assert fast[1] == pytest.approx(forest.predict(Z).var(), rel=0.02)


def test_bad_input():
    X = np.random.default_rng(0).random((20, 2))
    with pytest.raises(ValueError, match="cycles"):
        fit_additive_trees(X, X[:, 0], rng=np.random.default_rng(0), cycles=0)
    with pytest.raises(ValueError, match="folds"):
        fit_additive_trees(X, X[:, 0], rng=np.random.default_rng(0), folds=1)
    with pytest.raises(ValueError, match=">= 4"):
        fit_additive_trees(X[:3], X[:3, 0], rng=np.random.default_rng(0))


def test_looks_uniform_tells_random_from_concentrated_trials():
    rng = np.random.default_rng(6)
    X = rng.random((200, 3))
    X[:, 2] = (rng.integers(0, 4, 200) + 0.5) / 4  # an integer axis of 4 values
    n_levels = np.array([0, 0, 4])
    assert looks_uniform(X, n_levels)
    near = X.copy()
    near[:, 0] = 0.3 + 0.1 * rng.random(200)  # an optimizer's trials, gathered near 0.35
    assert not looks_uniform(near, n_levels)
    lopsided = X.copy()
    lopsided[:150, 2] = 0.125  # most trials on one value
    assert not looks_uniform(lopsided, n_levels)
