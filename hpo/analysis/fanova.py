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

Hutter et al. decompose each tree and average the fractions ``V_U / V`` over the forest.
Each tree of a forest grown to small leaves is a jagged, strongly interacting fit, so its own
variance ``V`` holds interaction variance that the forest's average does not have, and the
per-tree first-order fractions are biased low (measured on the Ishigami and Sobol G
functions, benchmarks/results/analysis). :func:`mean_first_order` gives instead the
first-order fractions of the forest's *mean prediction* ``F = (1/T) sum_t f_t``, exactly:
its marginal on axis ``i`` is the average of the trees' marginals (integration is linear), and
its variance ``Var F = (1/T^2) sum_{t,t'} sum_{l in t, l' in t'} v_l v_l' |l cap l'| - f_0^2``
needs the overlaps of the leaves of every pair of trees (the joint partition). That partition
is large (about 80 cells per leaf for 1,000 trials in 10 dimensions, 25 s for 16 trees), so
:func:`forest_fanova`, which :func:`hpo.analysis.importance` calls, keeps the per-tree
fractions of Hutter et al.; the exact mean is for small forests and for checking them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from hpo.analysis.forest import RandomForest, Tree

__all__ = [
    "ForestANOVA",
    "TreeANOVA",
    "closed_variance",
    "forest_fanova",
    "mean_first_order",
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


def _box_overlap(a: Tree, b: Tree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(l, l')`` of leaves of ``a`` and ``b`` that intersect, and the volume of each
    intersection: one dense pass on the axis cut most often, then only the pairs left."""
    d = a.lower.shape[1]

    def overlap(j: int, ia: np.ndarray | slice, ib: np.ndarray | slice) -> np.ndarray:
        if j in a.levels:
            ma, mb = a.levels[j][ia].astype(float), b.levels[j][ib].astype(float)
            k = ma.shape[-1]
            if isinstance(ia, slice):
                return ma @ mb.T / k
            return np.einsum("pk,pk->p", ma, mb) / k
        lo_a, hi_a, lo_b, hi_b = a.lower[ia, j], a.upper[ia, j], b.lower[ib, j], b.upper[ib, j]
        if isinstance(ia, slice):
            lo_a, hi_a = lo_a[:, None], hi_a[:, None]
        return np.maximum(np.minimum(hi_a, hi_b) - np.maximum(lo_a, lo_b), 0.0)

    cuts = [len(np.unique(a.lower[:, j])) for j in range(d)]
    first = int(np.argmax(cuts))
    dense = overlap(first, slice(None), slice(None))
    ia, ib = np.nonzero(dense > 0.0)
    vol = dense[ia, ib]
    for j in range(d):
        if j == first:
            continue
        vol = vol * overlap(j, ia, ib)
        keep = vol > 0.0
        ia, ib, vol = ia[keep], ib[keep], vol[keep]
    return ia, ib, vol


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


def mean_first_order(forest: RandomForest) -> tuple[np.ndarray, float]:
    """First-order fractions ``V_i / V`` of the forest's mean prediction, and ``V``.

    Exact (see the module docstring): the marginal of the mean on axis ``i`` is the mean of
    the trees' marginals on the union of their split points; ``V`` sums the products of the
    leaf values of every pair of trees over the volumes of their intersections. Zeros (and
    ``V = 0``) for a constant forest.
    """
    trees = forest.trees
    if not trees:
        raise ValueError("forest must be fitted (call fit first)")
    T, d = len(trees), trees[0].lower.shape[1]
    means = [_moments(t)[1] for t in trees]
    f0 = float(np.mean(means))
    second = 0.0  # E[F^2] = (1/T^2) sum_{t,t'} E[f_t f_t']
    for s, a in enumerate(trees):
        for u in range(s, T):
            b = trees[u]
            ia, ib, vol = _box_overlap(a, b)
            term = float(np.sum(a.value[ia] * b.value[ib] * vol))
            second += term if u == s else 2.0 * term
    var = second / T**2 - f0**2
    if var <= 1e-14 * max(f0**2, 1e-300):
        return np.zeros(d), 0.0
    first = np.empty(d)
    for i in range(d):
        if i in trees[0].levels:
            k = trees[0].levels[i].shape[1]
            edges, cell = None, np.full(k, 1.0 / k)
        else:
            edges = np.unique(np.concatenate([np.r_[t.lower[:, i], t.upper[:, i]] for t in trees]))
            cell = np.diff(edges)
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
