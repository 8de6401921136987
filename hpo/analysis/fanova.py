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

Hutter et al. decompose each tree and average the fractions ``V_U / V`` over the forest;
:func:`forest_fanova` does the same and also reports their spread over the trees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from hpo.analysis.forest import RandomForest, Tree

__all__ = ["ForestANOVA", "TreeANOVA", "closed_variance", "forest_fanova", "tree_anova"]


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
