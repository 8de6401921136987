from itertools import combinations

import numpy as np
import pytest

from hpo.analysis import sensitivity
from hpo.analysis.fanova import (
    closed_variance,
    forest_fanova,
    mean_fanova,
    mean_first_order,
    tree_anova,
)
from hpo.analysis.forest import RandomForest
from hpo.problems.sensitivity import Ishigami, SobolG


@pytest.fixture(scope="module")
def tree():
    rng = np.random.default_rng(3)
    X = rng.random((150, 3))
    X[:, 2] = (np.floor(X[:, 2] * 3) + 0.5) / 3  # a categorical axis with 3 levels
    y = np.sin(4 * X[:, 0]) * X[:, 1] + 2 * (X[:, 2] > 0.5) * X[:, 0] + 0.1 * rng.random(150)
    forest = RandomForest(1, min_samples_leaf=3).fit(
        X, y, rng=rng, n_levels=np.array([0, 0, 3]), is_categorical=np.array([0, 0, 1], bool)
    )
    return forest, forest.trees[0]


def _brute(forest, tree):
    """Values of the tree on the product of its cells, and the cells' widths per axis."""
    cells = []
    for j in range(3):
        if j in tree.levels:
            k = tree.levels[j].shape[1]
            cells.append(((np.arange(k) + 0.5) / k, np.full(k, 1 / k)))
        else:
            e = np.unique(np.r_[tree.lower[:, j], tree.upper[:, j]])
            cells.append(((e[1:] + e[:-1]) / 2, np.diff(e)))
    grid = np.stack(np.meshgrid(*[c[0] for c in cells], indexing="ij"), -1)
    f = tree.predict(grid.reshape(-1, 3), forest.is_categorical).reshape(grid.shape[:-1])
    w = [c[1] for c in cells]
    return f, w


def test_variance_fractions_of_all_subsets_sum_to_one(tree):
    _, t = tree
    a = tree_anova(t, pairs=range(3))
    closed = {(): 0.0}
    for r in (1, 2, 3):
        for u in combinations(range(3), r):
            closed[u] = closed_variance(t, u)
    # Moebius inversion: V_U = sum over W subset of U of (-1)^(|U|-|W|) C_W
    parts = {
        u: sum(
            (-1) ** (len(u) - len(w)) * closed[w]
            for r in range(len(u) + 1)
            for w in combinations(u, r)
        )
        for u in closed
        if u
    }
    assert sum(parts.values()) / a.variance == pytest.approx(1.0, abs=1e-9)
    assert closed[(0, 1, 2)] == pytest.approx(a.variance, rel=1e-12)
    for i, j in combinations(range(3), 2):
        assert a.pairs[i, j] == pytest.approx(parts[(i, j)] / a.variance, abs=1e-12)


def test_tree_anova_matches_brute_force_on_the_cell_grid(tree):
    forest, t = tree
    f, w = _brute(forest, t)
    W = w[0][:, None, None] * w[1][None, :, None] * w[2][None, None, :]
    mean = np.sum(W * f)
    var = np.sum(W * (f - mean) ** 2)
    a = tree_anova(t, pairs=range(3))
    assert a.variance == pytest.approx(var, rel=1e-10)
    for i in range(3):
        others = tuple(j for j in range(3) if j != i)
        marginal = np.sum(W * f, axis=others) / w[i]
        assert a.first[i] == pytest.approx(np.sum(w[i] * (marginal - mean) ** 2) / var, abs=1e-10)
        # total effect: E over the others of the variance along axis i
        cond_mean = np.sum(W * f, axis=i, keepdims=True) / np.sum(W, axis=i, keepdims=True)
        total = np.sum(W * (f - cond_mean) ** 2) / var
        assert a.total[i] == pytest.approx(total, abs=1e-10)


def test_forest_fanova_averages_trees():
    rng = np.random.default_rng(0)
    X = rng.random((200, 2))
    forest = RandomForest(5).fit(X, X[:, 0] + 0.1 * X[:, 1], rng=rng)
    a = forest_fanova(forest)
    assert a.per_tree_first.shape == (5, 2)
    np.testing.assert_allclose(a.first, a.per_tree_first.mean(0))
    assert (a.first <= a.total + 1e-12).all()
    # a constant forest has nothing to decompose
    constant = RandomForest(2).fit(X, np.ones(200), rng=rng)
    assert forest_fanova(constant).first.tolist() == [0.0, 0.0]


def test_forest_ranks_ishigami_and_finds_its_interaction(ishigami_run):
    s = sensitivity(ishigami_run, surrogate="forest", seed=0)
    first = np.array(list(s.first.values()))
    assert list(np.argsort(-first)) == [1, 0, 2]
    exact = np.array(Ishigami.first_order)
    # the normalized indices, the form Optuna reports
    np.testing.assert_allclose(list(s.normalized().values()), exact / exact.sum(), atol=0.05)
    assert next(iter(s.pairs)) == ("x0", "x2")  # the only interaction of Ishigami
    assert s.total["x2"] > 0.15


def test_forest_ranks_the_two_main_parameters_of_sobol_g(sobol_g_run):
    s = sensitivity(sobol_g_run, surrogate="forest", seed=0, n_pairs=0)
    first = np.array(list(s.first.values()))
    assert list(np.argsort(-first)[:2]) == [0, 1]
    exact = np.array(SobolG.first_order)
    np.testing.assert_allclose(list(s.normalized().values()), exact / exact.sum(), atol=0.1)


def test_mean_first_order_is_exact_on_the_joint_grid():
    """The forest's mean prediction decomposed on the product of every tree's cells."""
    rng = np.random.default_rng(5)
    X = rng.random((120, 3))
    X[:, 2] = (np.floor(X[:, 2] * 3) + 0.5) / 3
    y = np.sin(5 * X[:, 0]) + X[:, 1] * (X[:, 2] > 0.5) + 0.1 * rng.random(120)
    is_cat = np.array([0, 0, 1], bool)
    forest = RandomForest(3, min_samples_leaf=2, max_features=0.7).fit(
        X, y, rng=rng, n_levels=np.array([0, 0, 3]), is_categorical=is_cat
    )
    first, var = mean_first_order(forest)
    cells = []
    for j in range(2):
        e = np.unique(np.concatenate([np.r_[t.lower[:, j], t.upper[:, j]] for t in forest.trees]))
        cells.append(((e[1:] + e[:-1]) / 2, np.diff(e)))
    cells.append(((np.arange(3) + 0.5) / 3, np.full(3, 1 / 3)))
    grid = np.stack(np.meshgrid(*[c[0] for c in cells], indexing="ij"), -1)
    f = forest.predict(grid.reshape(-1, 3)).reshape(grid.shape[:-1])
    W = np.einsum("i,j,k->ijk", *[c[1] for c in cells])
    f0 = np.sum(W * f)
    assert var == pytest.approx(np.sum(W * (f - f0) ** 2), rel=1e-10)
    for i in range(3):
        rest = tuple(a for a in range(3) if a != i)
        w_i = W.sum(axis=rest)
        marginal = np.sum(W * f, axis=rest) / w_i
        assert first[i] == pytest.approx(np.sum(w_i * (marginal - f0) ** 2) / var, abs=1e-10)
    # one tree: the same as the per-tree decomposition
    single = RandomForest(1, min_samples_leaf=2).fit(X, y, rng=rng)
    np.testing.assert_allclose(mean_first_order(single)[0], tree_anova(single.trees[0]).first)


def test_mean_fanova_totals_and_pairs_on_the_joint_grid():
    """Totals and pairs of the forest's mean, against its values on the joint grid; with
    three axes, first-order, pair and triple fractions sum to 1."""
    rng = np.random.default_rng(6)
    X = rng.random((150, 3))
    X[:, 2] = (np.floor(X[:, 2] * 3) + 0.5) / 3
    y = np.sin(5 * X[:, 0]) * X[:, 1] + X[:, 1] * (X[:, 2] > 0.5) + 0.1 * rng.random(150)
    is_cat = np.array([0, 0, 1], bool)
    forest = RandomForest(3, min_samples_leaf=2, max_features=0.7).fit(
        X, y, rng=rng, n_levels=np.array([0, 0, 3]), is_categorical=is_cat
    )
    m = mean_fanova(forest, pairs=range(3))
    cells = []
    for j in range(2):
        e = np.unique(np.concatenate([np.r_[t.lower[:, j], t.upper[:, j]] for t in forest.trees]))
        cells.append(((e[1:] + e[:-1]) / 2, np.diff(e)))
    cells.append(((np.arange(3) + 0.5) / 3, np.full(3, 1 / 3)))
    grid = np.stack(np.meshgrid(*[c[0] for c in cells], indexing="ij"), -1)
    f = forest.predict(grid.reshape(-1, 3)).reshape(grid.shape[:-1])
    W = np.einsum("i,j,k->ijk", *[c[1] for c in cells])
    f0 = np.sum(W * f)
    var = np.sum(W * (f - f0) ** 2)
    assert m.variance == pytest.approx(var, rel=1e-10)

    def closed(keep):
        rest = tuple(a for a in range(3) if a not in keep)
        w = W.sum(axis=rest)
        return np.sum(w * (np.sum(W * f, axis=rest) / w - f0) ** 2)

    for i in range(3):
        others = tuple(a for a in range(3) if a != i)
        assert m.total[i] == pytest.approx((var - closed(others)) / var, abs=1e-10)
    for i, j in combinations(range(3), 2):
        expect = (closed((i, j)) - closed((i,)) - closed((j,))) / var
        assert m.pairs[i, j] == pytest.approx(expect, abs=1e-10)
    triple = m.total[0] - m.first[0] - m.pairs[0, 1] - m.pairs[0, 2]
    assert m.first.sum() + m.pairs.sum() + triple == pytest.approx(1.0, abs=1e-9)
