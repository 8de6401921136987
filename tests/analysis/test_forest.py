import numpy as np
import pytest

from hpo.analysis.forest import RandomForest


def test_tree_interpolates_distinct_points_without_bootstrap(rng):
    X = rng.random((60, 3))
    y = np.sin(6 * X[:, 0]) + X[:, 1]
    forest = RandomForest(1, min_samples_leaf=1, bootstrap=False).fit(X, y, rng=rng)
    np.testing.assert_allclose(forest.predict(X), y, atol=1e-12)


def test_leaves_tile_the_unit_cube(rng):
    X = rng.random((200, 3))
    forest = RandomForest(4).fit(X, X.sum(1), rng=rng, n_levels=np.array([0, 0, 0]))
    for tree in forest.trees:
        assert np.prod(tree.widths(), axis=1).sum() == pytest.approx(1.0, abs=1e-12)
        # every point of a fine sample lies in exactly one leaf
        Z = rng.random((500, 3))
        inside = np.ones((len(tree.value), len(Z)), bool)
        for j in range(3):
            inside &= (Z[:, j] > tree.lower[:, j, None]) & (Z[:, j] <= tree.upper[:, j, None])
        assert (inside.sum(0) == 1).all()


def test_categorical_splits_are_level_sets(rng):
    k = 4
    level = rng.integers(0, k, 300)
    X = np.column_stack([(level + 0.5) / k, rng.random(300)])
    effect = np.array([3.0, -1.0, 2.0, -2.0])
    y = effect[level]
    forest = RandomForest(1, min_samples_leaf=1, bootstrap=False).fit(
        X, y, rng=rng, n_levels=np.array([k, 0]), is_categorical=np.array([True, False])
    )
    tree = forest.trees[0]
    assert len(tree.value) == k  # one leaf per level, no split on the noise-free other axis
    assert (tree.levels[0].sum(0) == 1).all()  # each level in exactly one leaf
    np.testing.assert_allclose(forest.predict(X), y)


def test_integer_axis_splits_on_bin_edges(rng):
    k = 5  # five integers, unit bins of width 1/5 with centres at (i + 0.5) / 5
    X = ((rng.integers(0, k, 200) + 0.5) / k)[:, None]
    forest = RandomForest(2).fit(X, X[:, 0] ** 2, rng=rng, n_levels=np.array([k]))
    for tree in forest.trees:
        edges = np.concatenate([tree.lower[:, 0], tree.upper[:, 0]])
        np.testing.assert_allclose(edges * k, np.round(edges * k), atol=1e-12)


def test_same_seed_same_forest():
    X = np.random.default_rng(0).random((100, 4))
    y = X @ np.arange(4)
    a = RandomForest(3, max_features=0.5).fit(X, y, rng=np.random.default_rng(1))
    b = RandomForest(3, max_features=0.5).fit(X, y, rng=np.random.default_rng(1))
    for s, t in zip(a.trees, b.trees):
        np.testing.assert_array_equal(s.value, t.value)
        np.testing.assert_array_equal(s.upper, t.upper)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_trees": 0}, "n_trees"),
        ({"min_samples_leaf": 0}, "min_samples_leaf"),
        ({"max_features": 1.5}, "max_features"),
        ({"max_depth": 0}, "max_depth"),
        ({"splitter": "median"}, "splitter"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomForest(**kwargs)


def test_bad_data(rng):
    with pytest.raises(ValueError, match="same length"):
        RandomForest().fit(rng.random((5, 2)), np.ones(4), rng=rng)
    with pytest.raises(ValueError, match="finite"):
        RandomForest().fit(rng.random((5, 2)), [1, 2, np.nan, 4, 5], rng=rng)
    with pytest.raises(RuntimeError, match="fit"):
        RandomForest().predict(rng.random((2, 2)))


def _mixed_data(rng, n=200):
    X = rng.random((n, 3))
    X[:, 1] = (rng.integers(0, 5, n) + 0.5) / 5  # an integer axis with 5 values
    X[:, 2] = (rng.integers(0, 4, n) + 0.5) / 4  # a categorical axis with 4 levels
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2 + (X[:, 2] > 0.5) * X[:, 0]
    axes = {"n_levels": np.array([0, 5, 4]), "is_categorical": np.array([0, 0, 1], bool)}
    return X, y, axes


@pytest.mark.parametrize("splitter", ["best", "random"])
def test_splitters_tile_the_cube_and_respect_integer_bins(rng, splitter):
    X, y, axes = _mixed_data(rng)
    forest = RandomForest(3, bootstrap=False, min_samples_leaf=1, splitter=splitter)
    forest.fit(X, y, rng=rng, **axes)
    for tree in forest.trees:
        assert np.prod(tree.widths(), axis=1).sum() == pytest.approx(1.0, abs=1e-12)
        edges = np.r_[tree.lower[:, 1], tree.upper[:, 1]] * 5
        np.testing.assert_allclose(edges, np.round(edges), atol=1e-12)
    # distinct points are interpolated whatever the thresholds
    _, first = np.unique(X, axis=0, return_index=True)
    np.testing.assert_allclose(forest.predict(X[first]), y[first], atol=1e-12)


def test_random_splitter_is_seeded_and_differs_from_best(rng):
    X, y, axes = _mixed_data(rng)
    a, b, c = (RandomForest(2, splitter=s) for s in ("random", "random", "best"))
    for f in (a, b, c):
        f.fit(X, y, rng=np.random.default_rng(4), **axes)
    np.testing.assert_array_equal(a.trees[0].upper, b.trees[0].upper)
    assert not np.array_equal(np.sort(a.trees[0].upper[:, 0]), np.sort(c.trees[0].upper[:, 0]))
