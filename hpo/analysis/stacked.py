"""A forest in two stages, for main effects that a single forest blurs or invents.

One random forest grown on a few hundred trials resolves the strong parameters and fits the
rest as noise: its trees spend their splits on the axes that decide most of the loss, so a
weak main effect is smeared over wide leaves (biased toward zero), and the splits it makes in
small nodes on inert axes carry the noise of everything else (a spurious main effect). On the
Ishigami and Sobol G functions (500 random trials, tuning seeds 100-109,
``benchmarks/ablate_forest.py``, results in ``benchmarks/results/analysis/ablation.md``), no
design of one forest tried ranked the weak parameters of Sobol G above the inert ones on more
than 7 of 10 seeds.

Two stages, in the manner of boosting (Friedman 2001, *Greedy function approximation: a
gradient boosting machine*, Annals of Statistics 29) with cross-fitted residuals:

1. ``F1``: a smooth forest of the strong effects, bagged (Breiman 2001) trees on all the axes
   with leaves of at least 5 trials, grown on every trial;
2. ``r_i = y_i - F1^{(-k(i))}(x_i)``: the residual of each trial under a forest of stage 1
   grown without its fold (``folds`` folds), so that it holds what ``F1`` misses away from its
   own data, not the noise ``F1`` fitted;
3. ``F2``: a forest grown on the residuals, whose trees try half of the axes at each split
   and keep leaves of at least 3 trials: the weak effects, against a residual variance about
   a tenth of the loss's (measured on Sobol G), so with a tenth of the noise.

The model is ``F = F1 + F2``. Both stages have ``n_trees`` trees, so ``F`` is twice the mean
of the ``2 n_trees`` trees (the leaf values are doubled to make the mean equal ``F``): an
ordinary :class:`~hpo.analysis.forest.RandomForest` whose mean prediction
:func:`hpo.analysis.fanova.mean_fanova` decomposes exactly.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hpo.analysis.forest import RandomForest

__all__ = ["STAGE_1", "STAGE_2", "fit_stacked_forest"]

# Chosen on tuning seeds 100-109 (benchmarks/results/analysis/ablation.md).
STAGE_1 = {"min_samples_leaf": 5, "max_features": 1.0, "bootstrap": True}
STAGE_2 = {"min_samples_leaf": 3, "max_features": 0.5, "bootstrap": False}


def fit_stacked_forest(
    X: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    n_trees: int = 12,
    folds: int = 4,
    n_levels: np.ndarray | None = None,
    is_categorical: np.ndarray | None = None,
) -> RandomForest:
    """Grow the two stages and return them as one forest whose mean prediction is their sum.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Points of the unit cube.
    y : ndarray of shape (n,)
    rng : numpy.random.Generator
        Source of the folds, the bootstrap samples and the axes tried.
    n_trees : int, default 12
        Trees per stage.
    folds : int, default 4
        Folds of the cross-fitted residuals (at least 2; fewer when there are fewer than
        ``2 folds`` rows, so that each fold holds two).
    n_levels, is_categorical : ndarray, optional
        As for :meth:`RandomForest.fit`.

    Returns
    -------
    RandomForest
        ``2 n_trees`` trees: stage 1 then stage 2, leaf values doubled.
    """
    if not (isinstance(folds, (int, np.integer)) and folds >= 2):
        raise ValueError(f"folds must be an integer >= 2, got {folds!r}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float).ravel()
    if len(y) < 4:
        raise ValueError(f"X and y need at least 4 rows, got {len(y)}")
    folds = min(folds, len(y) // 2)
    axes = {"n_levels": n_levels, "is_categorical": is_categorical}
    first = RandomForest(n_trees, **STAGE_1).fit(X, y, rng=rng, **axes)
    fold = rng.permutation(len(y)) % folds
    residual = np.empty(len(y))
    for k in range(folds):
        out = fold == k
        held = RandomForest(n_trees, **STAGE_1).fit(X[~out], y[~out], rng=rng, **axes)
        residual[out] = y[out] - held.predict(X[out])
    second = RandomForest(n_trees, **STAGE_2).fit(X, residual, rng=rng, **axes)
    first.trees = [replace(t, value=2.0 * t.value) for t in first.trees + second.trees]
    return first
