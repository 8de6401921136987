import numpy as np
import pytest

from hpo.analysis.forest import RandomForest
from hpo.analysis.integrate import integrate


def _mixed_data(rng, n=200):
    X = rng.random((n, 3))
    X[:, 1] = (rng.integers(0, 5, n) + 0.5) / 5
    X[:, 2] = (rng.integers(0, 4, n) + 0.5) / 4
    y = np.sin(6 * X[:, 0]) + X[:, 1] ** 2 + (X[:, 2] > 0.5) * X[:, 0]
    axes = {"n_levels": np.array([0, 5, 4]), "is_categorical": np.array([0, 0, 1], bool)}
    return X, y, axes


def test_integrate_matches_the_pairwise_overlaps(rng):
    X, y, axes = _mixed_data(rng)
    forest = RandomForest(2, min_samples_leaf=1).fit(X, y, rng=rng, **axes)
    a, b = forest.trees
    # a's own leaves: value times volume; the whole cube: the mean
    own = integrate(a, a.lower, a.upper, {2: a.levels[2]})
    np.testing.assert_allclose(own, a.value * np.prod(a.widths(), axis=1), atol=1e-15)
    cube = integrate(a, np.zeros((1, 3)), np.ones((1, 3)), {2: np.ones((1, 4), bool)})
    assert cube[0] == pytest.approx(a.value @ np.prod(a.widths(), axis=1), rel=1e-12)
    # b's leaves over a, against the dense overlap of every pair of leaves
    dense = np.ones((len(b.value), len(a.value)))
    for j in range(2):
        dense *= np.clip(
            np.minimum(b.upper[:, j, None], a.upper[None, :, j])
            - np.maximum(b.lower[:, j, None], a.lower[None, :, j]),
            0.0,
            None,
        )
    dense *= b.levels[2].astype(float) @ a.levels[2].T.astype(float) / 4
    np.testing.assert_allclose(integrate(a, b.lower, b.upper, {2: b.levels[2]}), dense @ a.value)


def test_integrate_needs_the_nodes(rng):
    from dataclasses import replace

    X, y, axes = _mixed_data(rng)
    tree = RandomForest(1).fit(X, y, rng=rng, **axes).trees[0]
    with pytest.raises(ValueError, match="nodes"):
        integrate(replace(tree, nodes=None), tree.lower, tree.upper, tree.levels)
