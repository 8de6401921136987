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

``G = F1 + F2`` recovers the variance of the loss and its interactions, but its main effects
are still those of trees: on the Ishigami function, whose ``x1`` effect ``7 sin^2 x1`` is
strong but cut coarsely where the trees split on ``x0`` and ``x2`` first, ``G`` put 0.34 of the
variance on it on a seed where the truth is 0.44 (within 0.05 of every index on 13 of 20
tuning seeds). So the main effects are taken from an additive model fitted for them
(:mod:`hpo.analysis.additive`: a step function per axis, backfitted, its bins chosen by
cross-validation) and ``G``'s own are removed exactly (purification, Lengerich et al. 2020,
*Purifying interaction effects with the functional ANOVA*, AISTATS): with ``G_i(x_i) =
E[G | x_i] - E[G]``, computed exactly from the leaves,

    F = A + G - sum_i G_i,

whose main effect on axis ``i`` is ``a_i`` and whose interactions are ``G``'s. ``A`` is fitted to
the loss less the interactions of the cross-fitted stage-1 forests (each fold's forest, its
own main effects taken out exactly, at the fold's trials): to a main effect the interactions
are noise, and on Ishigami they were most of it (the spread over seeds of ``x0``'s estimate fell
from 11 % to 6 %, nMAE 0.0170 -> 0.0088 on tuning seeds 100-119). ``G`` is grown
on the loss, not on ``y - A``: a forest grown on what is left of Sobol G after its main
effects (products of V shapes centred on the middle, a chessboard) finds no first split and
misses most of the interaction variance, inflating every fraction (``x0``: 0.753 for 0.716,
mean of tuning seeds 100-119). ``A`` is used only when the trials are spread uniformly
(:func:`hpo.analysis.additive.looks_uniform`): its step functions are conditional means under
the trials' own distribution, which on trials an optimizer gathered are not the main effects
under the uniform measure (on 50 BO trials of the MLP tasks they zeroed the learning rate).
The ``A`` and ``-G_i`` parts are slab trees (one axis each), so ``F`` is one
:class:`~hpo.analysis.forest.RandomForest` whose mean prediction
:func:`hpo.analysis.fanova.mean_fanova` decomposes exactly (slabs enter its variance through
one-dimensional integrals, :func:`hpo.analysis.fanova.mean_and_variance`). Measured in
``benchmarks/results/analysis/ablation.md`` (tuning seeds 100-119) and ``ablation_heldout.md``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hpo.analysis.additive import fit_additive_trees, looks_uniform, slab_tree
from hpo.analysis.fanova import _marginals
from hpo.analysis.forest import RandomForest, Tree

__all__ = ["ONE_SE", "STAGE_1", "STAGE_2", "fit_stacked_forest"]

# Chosen on tuning seeds 100-109 (benchmarks/results/analysis/ablation.md).
STAGE_1 = {"min_samples_leaf": 5, "max_features": 1.0, "bootstrap": True}
STAGE_2 = {"min_samples_leaf": 3, "max_features": 0.5, "bootstrap": False}
# Chosen on tuning seeds 100-119 (benchmarks/results/analysis/ablation.md).
ONE_SE = 0.5


def fit_stacked_forest(
    X: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    n_trees: int = 12,
    folds: int = 4,
    n_levels: np.ndarray | None = None,
    is_categorical: np.ndarray | None = None,
    main_effects: bool | None = None,
    one_se: float = ONE_SE,
    clean: bool = True,
) -> RandomForest:
    """Grow the two stages and return them as one forest whose mean prediction is their sum
    (with ``main_effects``: their interactions plus the additive model's main effects).

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
    main_effects : bool, optional
        Take the main effects from :func:`hpo.analysis.additive.fit_additive_trees` and
        purify the stages' own away (False: the two stages alone). Default: when the trials
        are spread uniformly over the cube (:func:`hpo.analysis.additive.looks_uniform`),
        as the additive model's conditional means need.
    one_se : float, default ONE_SE
        The rule by which the additive model gives an axis an effect (see
        :func:`~hpo.analysis.additive.fit_additive_trees`).
    clean : bool, default True
        Fit the additive model to the loss less the cross-fitted interactions (False: to the
        loss).

    Returns
    -------
    RandomForest
        Its mean prediction is the model: without ``main_effects``, ``2 n_trees`` trees
        (stage 1 then stage 2, leaf values doubled); with them, first a slab tree for each
        axis with an additive effect and one ``-G_i`` slab per axis, then the stages, every
        leaf value scaled so that the mean of all the trees is ``A + G - sum_i G_i``.
    """
    if not (isinstance(folds, (int, np.integer)) and folds >= 2):
        raise ValueError(f"folds must be an integer >= 2, got {folds!r}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float).ravel()
    if len(y) < 4:
        raise ValueError(f"X and y need at least 4 rows, got {len(y)}")
    folds = min(folds, len(y) // 2)
    axes = {"n_levels": n_levels, "is_categorical": is_categorical}
    slabs: list = []
    if main_effects is None:
        main_effects = looks_uniform(X, n_levels, is_categorical)
    first = RandomForest(n_trees, **STAGE_1).fit(X, y, rng=rng, **axes)
    fold = rng.permutation(len(y)) % folds
    residual = np.empty(len(y))
    interactions = np.zeros(len(y))
    for k in range(folds):
        out = fold == k
        held = RandomForest(n_trees, **STAGE_1).fit(X[~out], y[~out], rng=rng, **axes)
        pred = held.predict(X[out])
        residual[out] = y[out] - pred
        if main_effects and clean:  # the held-out forest's interactions at the fold's trials
            interactions[out] = pred - _main_part(held, X[out])
    second = RandomForest(n_trees, **STAGE_2).fit(X, residual, rng=rng, **axes)
    if main_effects:
        # A from the loss less the cross-fitted interactions: they are noise to a main effect
        slabs, _ = fit_additive_trees(X, y - interactions, rng=rng, one_se=one_se, **axes)
        slabs += _minus_main_effects(first.trees, second.trees, first.n_levels,
                                     first.is_categorical)  # fmt: skip
    n_all = 2 * n_trees + len(slabs)
    first.trees = [replace(t, value=n_all * t.value) for t in slabs] + [
        replace(t, value=n_all / n_trees * t.value) for t in first.trees + second.trees
    ]
    return first


def _minus_main_effects(
    stage1: list[Tree], stage2: list[Tree], n_levels: np.ndarray, is_cat: np.ndarray
) -> list[Tree]:
    """Slab trees of ``-(G_i - G_0)`` for the main effects ``G_i`` of ``G = F1 + F2`` (the
    mean of each stage's trees), exactly: added to ``G`` they leave its interactions only
    (purification, Lengerich et al. 2020, *Purifying interaction effects with the functional
    ANOVA*, AISTATS)."""
    trees = stage1 + stage2
    d = trees[0].lower.shape[1]
    T1, T2 = len(stage1), len(stage2)
    weight = [1.0 / T1] * T1 + [1.0 / T2] * T2
    g0 = sum(w * float(t.value @ np.prod(t.widths(), axis=1)) for w, t in zip(weight, trees))
    out = []
    for i in range(d):
        if is_cat[i]:
            edges = None
        else:
            edges = np.unique(np.concatenate([np.r_[t.lower[:, i], t.upper[:, i]] for t in trees]))
        marginal = sum(w * _marginals(t, i, edges) for w, t in zip(weight, trees))
        inner = np.empty(0) if edges is None else edges[1:-1]
        out.append(slab_tree(i, -(marginal - g0), inner, d, n_levels, is_cat))
    return out


def _main_part(forest: RandomForest, Z: np.ndarray) -> np.ndarray:
    """``sum_i (F_i(z_i) - F_0)``: the forest's exact main effects, at the points ``Z``."""
    trees = forest.trees
    cat = forest.is_categorical
    f0 = float(np.mean([t.value @ np.prod(t.widths(), axis=1) for t in trees]))
    out = np.zeros(len(Z))
    for i in range(Z.shape[1]):
        if cat is not None and cat[i]:
            k = trees[0].levels[i].shape[1]
            marginal = np.mean([_marginals(t, i, None) for t in trees], axis=0)
            cell = np.minimum((Z[:, i] * k).astype(int), k - 1)
        else:
            edges = np.unique(np.concatenate([np.r_[t.lower[:, i], t.upper[:, i]] for t in trees]))
            marginal = np.mean([_marginals(t, i, edges) for t in trees], axis=0)
            # cell c is (edges[c], edges[c + 1]], as the trees send x <= threshold left
            cell = np.clip(np.searchsorted(edges, Z[:, i], side="left") - 1, 0, len(edges) - 2)
        out += marginal[cell] - f0
    return out
