"""Main effects fitted directly: one step function per axis, by backfitting.

A forest's main effect on an axis is what is left of that axis after its leaves are averaged
over the others. Where a tree splits on other axes first, the axis is cut coarsely or not at
all, and its effect is smeared into interactions: on the Ishigami function (500 random
trials) the two-stage forest of :mod:`hpo.analysis.stacked` alone puts 0.34 of the variance
on ``x1``'s main effect on a seed where the truth is 0.44 (seed 4), and on Sobol G it ranks the weak
``x3`` (0.0072) below an inert axis on one seed in ten (seed 7; parameters ``x0``, ``x1``, ...
as the problems name them).

This module estimates the main effects themselves, as an additive model
``A(x) = sum_j a_j(x_j)`` fitted by backfitting (Hastie & Tibshirani 1990, *Generalized
Additive Models*, section 4.3; Buja, Hastie & Tibshirani 1989, Annals of Statistics 17):
each ``a_j`` is a step function on ``k_j`` bins of equal count of the axis (a categorical
axis: one step per level), refitted to the partial residual ``y - sum_{l != j} a_l(x_l)``.
The number of bins of each axis is chosen by ``folds``-fold cross-validation among
:data:`BINS` on the first cycle (``k = 1``, no effect, is a choice): an axis without an effect
gets no steps, so it gains none of the spurious variance that a step function fitted to noise
has, about ``sigma^2 k / n``.

Each ``a_j`` is returned as a :class:`~hpo.analysis.forest.Tree` whose leaves are slabs
(the axis's bin by the whole cube on the other axes), so that it joins a forest and the exact
fANOVA of :mod:`hpo.analysis.fanova` holds for the sum.
"""

from __future__ import annotations

import numpy as np

from hpo.analysis.forest import Nodes, Tree

__all__ = ["BINS", "fit_additive_trees", "looks_uniform", "slab_tree"]

# Candidate bin counts of a numeric axis (1: no effect). Chosen on tuning seeds 100-119.
BINS = (1, 2, 3, 4, 6, 8, 12, 16, 24)


def looks_uniform(
    X: np.ndarray,
    n_levels: np.ndarray | None = None,
    is_categorical: np.ndarray | None = None,
    *,
    alpha: float = 1e-3,
) -> bool:
    """Whether no axis of the trials departs from uniform on the unit cube at level ``alpha``
    (Bonferroni over the axes): Kolmogorov-Smirnov on a real axis, chi-square on the value
    counts of an integer or categorical one.

    The step functions of :func:`fit_additive_trees` are conditional means under the trials'
    own distribution; they are the main effects under the uniform measure only when the
    trials are spread like it (random search). Trials that an optimizer concentrated (50 BO
    trials on the MLP tasks: every one fails this test) are left to the forest, whose
    decomposition integrates over the cube whatever the sampling.
    """
    from scipy import stats

    X = np.atleast_2d(np.asarray(X, dtype=float))
    d = X.shape[1]
    n_levels = np.zeros(d, int) if n_levels is None else np.asarray(n_levels, int)
    cat = np.zeros(d, bool) if is_categorical is None else np.asarray(is_categorical, bool)
    for j in range(d):
        if n_levels[j] > 0 or cat[j]:
            k = int(n_levels[j])
            counts = np.bincount(np.minimum((X[:, j] * k).astype(int), k - 1), minlength=k)
            p = stats.chisquare(counts).pvalue
        else:
            p = stats.kstest(X[:, j], "uniform").pvalue
        if not p > alpha / d:
            return False
    return True


def _edges(x: np.ndarray, k: int, n_levels: int) -> np.ndarray:
    """Inner edges of ``k`` bins of about equal count of the values ``x`` (unit interval):
    midpoints between neighbouring distinct values at the quantiles, on an integer axis
    moved to the nearest edge between its values' unit-cube cells."""
    if k <= 1:
        return np.empty(0)
    xs = np.sort(x)
    n = len(xs)
    cut = np.unique(np.clip(np.round(np.arange(1, k) * n / k).astype(int), 1, n - 1))
    edges = 0.5 * (xs[cut - 1] + xs[cut])
    if n_levels > 0:
        edges = np.round(edges * n_levels) / n_levels
    edges = np.unique(edges)
    return edges[(edges > 0.0) & (edges < 1.0)]


def _cells(x: np.ndarray, edges: np.ndarray, categorical: bool, n_levels: int) -> np.ndarray:
    """Cell index of each value: its bin (``x <= edge`` goes left, as in the trees) or level."""
    if categorical:
        return np.minimum((x * n_levels).astype(int), n_levels - 1)
    return np.searchsorted(edges, x, side="left")


def _step_fit(cell: np.ndarray, r: np.ndarray, m: int) -> np.ndarray:
    """Mean of ``r`` in each of ``m`` cells (the overall mean in an empty cell)."""
    count = np.bincount(cell, minlength=m)
    total = np.bincount(cell, r, minlength=m)
    return np.where(count > 0, total / np.maximum(count, 1), r.mean())


def _cv_errors(cell: np.ndarray, r: np.ndarray, m: int, fold: np.ndarray, folds: int) -> np.ndarray:
    """Squared error of each value predicted by the step function of the other folds."""
    err = np.empty(len(r))
    for f in range(folds):
        out = fold == f
        step = _step_fit(cell[~out], r[~out], m)
        err[out] = (r[out] - step[cell[out]]) ** 2
    return err


def slab_tree(
    j: int, values: np.ndarray, edges: np.ndarray, d: int, n_levels: np.ndarray, cat: np.ndarray
) -> Tree:
    """A tree with one leaf per cell of axis ``j`` (the cell by the whole cube on the other
    axes): numeric, the ``len(edges) + 1`` intervals between ``edges``, split in halves
    (depth ``log2`` of the cells); categorical, one leaf per level, split off one by one."""
    m = len(values)
    lower, upper = np.zeros((m, d)), np.ones((m, d))
    levels = {int(a): np.ones((m, n_levels[a]), bool) for a in np.flatnonzero(cat)}
    if cat[j]:
        levels[j] = np.eye(m, dtype=bool)
    else:
        bounds = np.r_[0.0, edges, 1.0]
        lower[:, j], upper[:, j] = bounds[:-1], bounds[1:]
    n_nodes = 2 * m - 1
    nodes = Nodes(
        axis=np.full(n_nodes, -1),
        threshold=np.zeros(n_nodes),
        children=np.full((n_nodes, 2), -1),
        leaf=np.full(n_nodes, -1),
        left_levels={int(a): np.zeros((n_nodes, n_levels[a]), bool) for a in levels},
    )
    # node k covers cells [a, b); children numbered in the order they are made
    stack, made = [(0, 0, m)], 1
    while stack:
        k, a, b = stack.pop()
        if b - a == 1:
            nodes.leaf[k] = a
            continue
        mid = a + 1 if cat[j] else (a + b) // 2
        nodes.axis[k] = j
        if cat[j]:
            nodes.left_levels[j][k, a] = True  # level a left, the rest right
        else:
            nodes.threshold[k] = edges[mid - 1]
        nodes.children[k] = (made, made + 1)
        stack += [(made, a, mid), (made + 1, mid, b)]
        made += 2
    return Tree(value=np.asarray(values, float), lower=lower, upper=upper, levels=levels,
                nodes=nodes)  # fmt: skip


def fit_additive_trees(
    X: np.ndarray,
    y: np.ndarray,
    *,
    rng: np.random.Generator,
    cycles: int = 3,
    folds: int = 5,
    one_se: float = 1.0,
    n_levels: np.ndarray | None = None,
    is_categorical: np.ndarray | None = None,
) -> tuple[list[Tree], np.ndarray]:
    """Backfit one step function per axis to ``y``; return them as trees, and ``A(X)``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Points of the unit cube.
    y : ndarray of shape (n,)
    rng : numpy.random.Generator
        Source of the cross-validation folds.
    cycles : int, default 3
        Backfitting cycles over the axes (the bin counts are chosen on the first).
    folds : int, default 5
        Folds of the cross-validation of the bin counts (at least 2; fewer when there are
        fewer than ``2 folds`` rows).
    one_se : float, default 1.0
        An axis gets an effect only when its best step function's cross-validated squared
        error is below that of no effect by more than ``one_se`` standard errors of the
        difference (the one-standard-error rule of Breiman et al. 1984, *CART*, section 3.4.3,
        applied to the choice between an effect and none; 0: the smaller error wins).
    n_levels, is_categorical : ndarray, optional
        As for :meth:`hpo.analysis.forest.RandomForest.fit`.

    Returns
    -------
    trees : list of Tree
        One tree per axis with an effect (``k_j > 1``), values centred on the sample.
    fitted : ndarray of shape (n,)
        ``A(X)``, the sum of the trees at the trials (without ``y``'s mean).
    """
    if not (isinstance(cycles, (int, np.integer)) and cycles >= 1):
        raise ValueError(f"cycles must be an integer >= 1, got {cycles!r}")
    if not (isinstance(folds, (int, np.integer)) and folds >= 2):
        raise ValueError(f"folds must be an integer >= 2, got {folds!r}")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    y = np.asarray(y, dtype=float).ravel()
    n, d = X.shape
    if len(y) != n or n < 4:
        raise ValueError(f"X and y need the same length >= 4, got {n} and {len(y)}")
    folds = min(folds, n // 2)  # two rows a fold at least
    n_levels = np.zeros(d, int) if n_levels is None else np.asarray(n_levels, int)
    cat = np.zeros(d, bool) if is_categorical is None else np.asarray(is_categorical, bool)
    fold = rng.permutation(n) % folds
    centred = y - y.mean()
    part = np.zeros((d, n))  # a_j(x_j) at the trials
    edges: list[np.ndarray] = [np.empty(0)] * d
    cells: list[np.ndarray | None] = [None] * d
    steps: list[np.ndarray | None] = [None] * d
    n_cells = [1] * d
    for cycle in range(cycles):
        for j in range(d):
            r = centred - part.sum(axis=0) + part[j]
            if cycle == 0:  # choose the cells of axis j by cross-validation
                if cat[j]:
                    options = [(np.empty(0), 1), (np.empty(0), int(n_levels[j]))]
                else:
                    options = [(e, len(e) + 1) for e in
                               (_edges(X[:, j], k, n_levels[j]) for k in BINS)]  # fmt: skip
                fits = []
                for e, m in options:
                    c = _cells(X[:, j], e, bool(cat[j] and m > 1), int(n_levels[j]))
                    fits.append((e, m, c, _cv_errors(c, r, m, fold, folds)))
                e, m, c, err = min(fits[1:], key=lambda f: f[3].sum())  # ties: fewer cells
                gain = fits[0][3] - err  # per trial, against no effect
                if gain.sum() <= one_se * np.sqrt(n) * gain.std():
                    continue  # no effect unless the best beats none by one_se standard errors
                edges[j], cells[j], n_cells[j] = e, c, m
            c = cells[j]
            if c is None:
                continue
            step = _step_fit(c, r, n_cells[j])
            step -= step[c].mean()  # centred on the sample
            steps[j] = step
            part[j] = step[c]
    trees = [
        slab_tree(j, steps[j], edges[j], d, n_levels, cat) for j in range(d) if steps[j] is not None
    ]
    return trees, part.sum(axis=0)
