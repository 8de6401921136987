"""Exact functional ANOVA of regression trees (Hutter, Hoos & Leyton-Brown 2014, ICML,
"An efficient approach for assessing hyperparameter importance").

A tree is constant on each leaf, and its leaves are disjoint boxes that tile the unit cube, so
every quantity of the ANOVA decomposition under the uniform measure is a finite sum over
pairs of leaves. With, per leaf ``l``, value ``v_l``, widths ``w_lj`` on axis ``j`` and volume
``vol_l = prod_j w_lj``:

* mean ``f_0 = sum_l v_l vol_l`` and variance ``V = sum_l v_l^2 vol_l - f_0^2``;
* the variance of the marginal on a set of axes ``U`` (the "closed" index of Sobol 1993),
  ``C_U = Var(E[f | x_U]) = sum_{l,l'} g_l g_l' prod_{j in U} R_j(l, l') - f_0^2``, with
  ``g_l = v_l vol_l`` and ``R_j(l, l') = |l_j cap l'_j| / (w_lj w_l'j)``: integrating the
  other axes out of ``f`` leaves ``sum_l v_l vol_l / prod_{j in U} w_lj`` on ``x_U``, and
  the integral of the product of two such indicators is the overlap of the boxes on ``U``;
* the ANOVA components by Moebius inversion (Hutter et al. 2014, eq. 2; Sobol 2001):
  main effect ``V_i = C_i``, pair ``V_ij = C_ij - C_i - C_j``, total effect
  ``T_i = V - C_{-i}`` (Homma & Saltelli 1996).

Hutter et al. decompose each tree and average the fractions ``V_U / V`` over the forest
(:func:`forest_fanova`). Each tree of a forest grown to small leaves is a jagged, strongly
interacting fit, so its own variance ``V`` holds interaction variance that the forest's
average does not have, and the per-tree first-order fractions are biased low (measured on the
Ishigami and Sobol G functions, benchmarks/results/analysis). :func:`mean_fanova` decomposes
instead the forest's *mean prediction* ``F = (1/T) sum_t f_t``, exactly: its marginal on axis
``i`` is the average of the trees' marginals (integration is linear), and its variance
``Var F = (1/T^2) sum_{t,t'} sum_{l in t, l' in t'} v_l v_l' |l cap l'| - f_0^2`` needs the
overlaps of the leaves of every pair of trees, found by walking each leaf of one tree down
the other (:func:`hpo.analysis.integrate.integrate`, about 1.5 s for 24 trees of 1,000 trials
in 10 dimensions). :func:`hpo.analysis.importance` decomposes so the two-stage forest of
:mod:`hpo.analysis.stacked`, whose trees only make sense together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from hpo.analysis.forest import RandomForest, Tree
from hpo.analysis.integrate import integrate

__all__ = [
    "ForestANOVA",
    "MeanANOVA",
    "TreeANOVA",
    "closed_variance",
    "forest_fanova",
    "mean_and_variance",
    "mean_fanova",
    "mean_first_order",
    "slab_axis",
    "tree_anova",
]


def _overlap_ratios(tree: Tree) -> list[np.ndarray]:
    """``R_j(l, l') = |l_j cap l'_j| / (w_lj w_l'j)`` for every axis, each ``(L, L)``."""
    widths = tree.widths()
    ratios = []
    for j in range(widths.shape[1]):
        if j in tree.levels:
            mask = tree.levels[j].astype(float)
            overlap = mask @ mask.T / mask.shape[1]
        else:
            lo, hi = tree.lower[:, j], tree.upper[:, j]
            overlap = np.minimum(hi[:, None], hi[None, :]) - np.maximum(lo[:, None], lo[None, :])
            overlap = np.maximum(overlap, 0.0)
        ratios.append(overlap / np.outer(widths[:, j], widths[:, j]))
    return ratios


def _moments(tree: Tree) -> tuple[np.ndarray, float, float]:
    """``g = v vol``, the mean ``f_0`` and the variance ``V`` of a tree."""
    vol = np.prod(tree.widths(), axis=1)
    g = tree.value * vol
    mean = float(g.sum())
    return g, mean, float(np.sum(tree.value**2 * vol) - mean**2)


def closed_variance(tree: Tree, axes: tuple[int, ...]) -> float:
    """``C_U = Var(E[f | x_U])`` of a tree for the axes ``U`` (see the module docstring)."""
    g, mean, _ = _moments(tree)
    ratios = _overlap_ratios(tree)
    prod = np.ones((len(g), len(g)))
    for j in axes:
        prod = prod * ratios[j]
    return float(g @ prod @ g - mean**2)


@dataclass
class TreeANOVA:
    """Variance fractions of one tree: ``first[i]``, ``total[i]``, ``pairs[i, j]`` (upper
    triangle, ``i < j``) and the variance ``V`` they are fractions of."""

    first: np.ndarray
    total: np.ndarray
    pairs: np.ndarray
    variance: float


def _main_effects(tree: Tree, g: np.ndarray, mean: float) -> np.ndarray:
    """``C_i`` for every axis in ``O(L log L)``: the marginal ``E[f | x_i]`` is constant on the
    cells between the tree's split points on axis ``i`` (on each level of a categorical), where
    it equals the sum of ``g_l / w_li`` over the leaves covering the cell."""
    widths = tree.widths()
    out = np.empty(widths.shape[1])
    for i in range(widths.shape[1]):
        c = g / widths[:, i]
        if i in tree.levels:
            mask = tree.levels[i]
            marginal = c @ mask
            cell = np.full(mask.shape[1], 1.0 / mask.shape[1])
        else:
            edges = np.unique(np.concatenate([tree.lower[:, i], tree.upper[:, i]]))
            diff = np.zeros(len(edges))
            np.add.at(diff, np.searchsorted(edges, tree.lower[:, i]), c)
            np.add.at(diff, np.searchsorted(edges, tree.upper[:, i]), -c)
            marginal, cell = np.cumsum(diff)[:-1], np.diff(edges)
        out[i] = np.sum(cell * (marginal - mean) ** 2)
    return out


def tree_anova(
    tree: Tree, *, total: bool = True, pairs: Sequence[int] | None = None
) -> TreeANOVA | None:
    """First-order, total and pairwise variance fractions of one tree (``None`` if constant).

    Parameters
    ----------
    tree : Tree
    total : bool, default True
        Compute the total effects (``O(d L^2)``); zeros otherwise.
    pairs : sequence of int, optional
        Axes whose pairwise interactions to compute (``O(L^2)`` each pair); none by default.
    """
    g, mean, var = _moments(tree)
    d = tree.lower.shape[1]
    if var <= 1e-14 * max(mean**2, 1e-300):
        return None
    closed1 = _main_effects(tree, g, mean)
    pair = np.zeros((d, d))
    closed_rest = np.full(d, var)
    if total or pairs:
        R = _overlap_ratios(tree)
        G = np.outer(g, g)
        m2 = mean**2
    for i, j in combinations(sorted(pairs or ()), 2):
        pair[i, j] = np.sum(G * R[i] * R[j]) - m2 - closed1[i] - closed1[j]
    if total:  # C_{-i}: products of all ratios but one, from prefix and suffix products
        prefix = [np.ones_like(G)]
        for r in R[:-1]:
            prefix.append(prefix[-1] * r)
        suffix = np.ones_like(G)
        for i in range(d - 1, -1, -1):
            closed_rest[i] = np.sum(G * prefix[i] * suffix) - m2
            suffix = suffix * R[i]
    return TreeANOVA(closed1 / var, (var - closed_rest) / var, pair / var, var)


def _marginals(tree: Tree, i: int, edges: np.ndarray | None) -> np.ndarray:
    """``E[f | x_i]`` of a tree on the cells between ``edges`` (numeric axis) or on the
    levels of a categorical axis."""
    g = tree.value * np.prod(tree.widths(), axis=1)
    if i in tree.levels:
        mask = tree.levels[i]
        return (g / mask.mean(axis=1)) @ mask
    assert edges is not None
    c = g / (tree.upper[:, i] - tree.lower[:, i])
    diff = np.zeros(len(edges))
    np.add.at(diff, np.searchsorted(edges, tree.lower[:, i]), c)
    np.add.at(diff, np.searchsorted(edges, tree.upper[:, i]), -c)
    return np.cumsum(diff)[:-1]


def slab_axis(tree: Tree) -> int:
    """The one axis a tree varies on when all its leaves span the whole cube on every other
    axis (a "slab" tree, e.g. :func:`hpo.analysis.additive.slab_tree`; 0 for a constant
    tree), else -1."""
    full = (tree.lower <= 0.0) & (tree.upper >= 1.0)
    for j, mask in tree.levels.items():
        full[:, j] = mask.all(axis=1)
    cut = np.flatnonzero(~full.all(axis=0))
    if len(cut) > 1:
        return -1
    return int(cut[0]) if len(cut) else 0


def _edges(trees: Sequence[Tree], i: int) -> np.ndarray | None:
    """The union of the trees' leaf bounds on numeric axis ``i`` (None on a categorical)."""
    if i in trees[0].levels:
        return None
    return np.unique(np.concatenate([np.r_[t.lower[:, i], t.upper[:, i]] for t in trees]))


def _cell_widths(trees: Sequence[Tree], i: int, edges: np.ndarray | None) -> np.ndarray:
    if edges is None:
        k = trees[0].levels[i].shape[1]
        return np.full(k, 1.0 / k)
    return np.diff(edges)


def mean_and_variance(forest: RandomForest, *, slabs: bool = True) -> tuple[float, float]:
    """Mean ``f_0`` and variance ``V`` of the forest's mean prediction ``F``, exactly.

    ``E[F^2] = (1/T^2) sum_{t,t'} sum_{l in t} v_l int_l f_t'``: each tree's own term is
    ``sum_l v_l^2 vol_l``; a pair's cross term integrates one tree over the leaves of the
    other (:func:`hpo.analysis.integrate.integrate`), once per pair.

    Trees that vary on one axis only (:func:`slab_axis`; ``slabs=True``) are summed per axis
    into ``S_i(x_i)`` and enter through one-dimensional integrals, with ``O`` the sum of the
    other trees (all centred on ``f_0``): ``E[S_i O] = int S_i E[O | x_i] dx_i``, ``E[S_i S_j]
    = E[S_i] E[S_j]`` for ``i != j`` (independent axes) and ``E[S_i^2] = int S_i^2`` (the same
    value as walking their leaves, without the cost of the many leaves such trees can have).
    """
    trees = forest.trees
    if not trees:
        raise ValueError("forest must be fitted (call fit first)")
    T = len(trees)
    vols = [np.prod(t.widths(), axis=1) for t in trees]
    f0 = float(np.mean([t.value @ v for t, v in zip(trees, vols)]))
    axis = [slab_axis(t) if slabs else -1 for t in trees]
    other = [t for t, a in zip(trees, axis) if a < 0]
    shifted = [t.value - f0 for t, a in zip(trees, axis) if a < 0]  # no cancellation later
    o_vols = [v for v, a in zip(vols, axis) if a < 0]
    second = sum(float(c**2 @ v) for c, v in zip(shifted, o_vols))
    for u in range(1, len(other)):  # the leaves of trees 0..u-1 integrated over tree u
        lower = np.concatenate([t.lower for t in other[:u]])
        upper = np.concatenate([t.upper for t in other[:u]])
        levels = {j: np.concatenate([t.levels[j] for t in other[:u]]) for j in other[u].levels}
        inner = integrate(other[u], lower, upper, levels, values=shifted[u])
        second += 2.0 * float(np.concatenate(shifted[:u]) @ inner)
    if len(other) < T:
        means = []
        for i in sorted({a for a in axis if a >= 0}):
            mine = [t for t, a in zip(trees, axis) if a == i]
            every = mine + other
            edges = _edges(every, i)
            cell = _cell_widths(every, i, edges)
            s_i = sum(_marginals(t, i, edges) for t in mine) - len(mine) * f0
            o_i = sum(_marginals(t, i, edges) for t in other) - len(other) * f0
            second += float(np.sum(cell * s_i * (s_i + 2.0 * o_i)))
            means.append(float(cell @ s_i))
        m = np.array(means)
        second += float(m.sum() ** 2 - m @ m)
    return f0, second / T**2


def mean_first_order(forest: RandomForest) -> tuple[np.ndarray, float]:
    """First-order fractions ``V_i / V`` of the forest's mean prediction, and ``V``.

    Exact (see the module docstring): the marginal of the mean on axis ``i`` is the mean of
    the trees' marginals on the union of their split points; ``V`` comes from
    :func:`mean_and_variance`. Zeros (and ``V = 0``) for a constant forest.
    """
    trees = forest.trees
    if not trees:
        raise ValueError("forest must be fitted (call fit first)")
    d = trees[0].lower.shape[1]
    f0, var = mean_and_variance(forest)
    if var <= 1e-14 * max(f0**2, 1e-300):
        return np.zeros(d), 0.0
    first = np.empty(d)
    for i in range(d):
        edges = _edges(trees, i)
        cell = _cell_widths(trees, i, edges)
        marginal = np.mean([_marginals(t, i, edges) for t in trees], axis=0)
        first[i] = np.sum(cell * (marginal - f0) ** 2)
    return first / var, var


@dataclass
class ForestANOVA:
    """fANOVA of a forest (Hutter et al. 2014): the fractions of each tree's variance
    (``per_tree_first``, ``per_tree_total``, shape ``(n_trees, d)``) and their mean over the
    trees (``first``, ``total``, ``pairs``)."""

    first: np.ndarray
    total: np.ndarray
    pairs: np.ndarray
    per_tree_first: np.ndarray
    per_tree_total: np.ndarray


def forest_fanova(
    forest: RandomForest, *, total: bool = True, pairs: Sequence[int] | None = None
) -> ForestANOVA:
    """Decompose every tree of a fitted forest and average the variance fractions.

    Parameters
    ----------
    forest : RandomForest
        A fitted forest.
    total : bool, default True
        Also compute the total effects.
    pairs : sequence of int, optional
        Axes whose pairwise interactions to compute.

    Returns
    -------
    ForestANOVA
        Zeros when every tree is constant.
    """
    if not forest.trees:
        raise ValueError("forest must be fitted (call fit first)")
    parts = [a for a in (tree_anova(t, total=total, pairs=pairs) for t in forest.trees) if a]
    d = forest.trees[0].lower.shape[1]
    if not parts:
        zero = np.zeros((1, d))
        return ForestANOVA(zero[0], zero[0], np.zeros((d, d)), zero, zero)
    first = np.array([p.first for p in parts])
    tot = np.array([p.total for p in parts])
    pair = np.mean([p.pairs for p in parts], axis=0)
    return ForestANOVA(first.mean(0), tot.mean(0), pair, first, tot)


def _ratios(rows: Tree, every: Tree) -> list[np.ndarray]:
    """``R_j(l, l') = |l_j cap l'_j| / (w_lj w_l'j)`` between the leaves of ``rows`` and of
    ``every`` (all the forest's leaves), one ``(L_rows, L_every)`` matrix per axis."""
    w_r, w_e = rows.widths(), every.widths()
    out = []
    for j in range(w_r.shape[1]):
        if j in rows.levels:
            a, b = rows.levels[j].astype(float), every.levels[j].astype(float)
            overlap = a @ b.T / a.shape[1]
        else:
            high = np.minimum(rows.upper[:, j, None], every.upper[None, :, j])
            overlap = np.maximum(
                high - np.maximum(rows.lower[:, j, None], every.lower[None, :, j]), 0
            )
        out.append(overlap / np.outer(w_r[:, j], w_e[:, j]))
    return out


@dataclass
class MeanANOVA:
    """Exact fANOVA of a forest's mean prediction ``F``: first-order ``first[i]``, total
    ``total[i]`` and pairwise ``pairs[i, j]`` (``i < j``) fractions of ``variance = Var F``."""

    first: np.ndarray
    total: np.ndarray
    pairs: np.ndarray
    variance: float


def mean_fanova(
    forest: RandomForest,
    *,
    total: bool = True,
    pairs: Sequence[int] | None = None,
    known: tuple[np.ndarray, float] | None = None,
) -> MeanANOVA:
    """First-order, total and pairwise variance fractions of the forest's mean prediction.

    The first-order fractions and ``V`` come from :func:`mean_first_order`. With the leaves
    of all ``T`` trees pooled and centred, ``g_l = (v_l - f_0) vol_l``, the closed index of a
    set of axes ``U`` is ``C_U = (1/T^2) sum_{l,l'} g_l g_l' prod_{j in U} R_j(l, l')`` (the
    module docstring's formula over pairs of trees); totals ``T_i = V - C_{-i}`` use prefix
    and suffix products over the axes, pairs ``V_ij = C_ij - C_i - C_j`` (Sobol 2001). Dense
    in the leaves, ``O(d L_t N)`` for each tree's ``L_t`` leaves against all ``N``: meant for
    :func:`hpo.analysis.sensitivity`; :func:`hpo.analysis.importance` needs the first-order
    fractions only. ``known``: the result of :func:`mean_first_order` when already at hand.
    """
    first, var = known if known is not None else mean_first_order(forest)
    d = len(first)
    pair = np.zeros((d, d))
    if var <= 0.0:
        return MeanANOVA(first, np.zeros(d), pair, 0.0)
    trees = forest.trees
    T = len(trees)
    f0 = float(np.mean([t.value @ np.prod(t.widths(), axis=1) for t in trees]))
    every = Tree(
        value=np.concatenate([t.value for t in trees]) - f0,
        lower=np.concatenate([t.lower for t in trees]),
        upper=np.concatenate([t.upper for t in trees]),
        levels={j: np.concatenate([t.levels[j] for t in trees]) for j in trees[0].levels},
    )
    g_all = every.value * np.prod(every.widths(), axis=1)
    closed_rest = np.zeros(d)
    closed_pair = np.zeros((d, d))
    axes = sorted(pairs or ())
    step = max(1, 200_000 // len(g_all))  # rows of leaves at a time
    for start in range(0, len(g_all), step):
        sl = slice(start, start + step)
        rows = Tree(every.value[sl], every.lower[sl], every.upper[sl],
                    {j: m[sl] for j, m in every.levels.items()})  # fmt: skip
        R = _ratios(rows, every)
        G = np.outer(g_all[sl], g_all)
        for i, j in combinations(axes, 2):
            closed_pair[i, j] += np.sum(G * R[i] * R[j])
        if total:
            prefix = [np.ones_like(G)]
            for r in R[:-1]:
                prefix.append(prefix[-1] * r)
            suffix = np.ones_like(G)
            for i in range(d - 1, -1, -1):
                closed_rest[i] += np.sum(G * prefix[i] * suffix)
                suffix = suffix * R[i]
    closed_rest, closed_pair = closed_rest / T**2, closed_pair / T**2
    closed1 = first * var
    for i, j in combinations(axes, 2):
        pair[i, j] = (closed_pair[i, j] - closed1[i] - closed1[j]) / var
    tot = (var - closed_rest) / var if total else np.zeros(d)
    return MeanANOVA(first, tot, pair, var)
