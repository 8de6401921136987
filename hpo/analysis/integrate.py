"""Integrals of a regression tree over boxes of the unit cube, by walking down the tree.

What the exact variance of a forest's mean prediction needs (:mod:`hpo.analysis.fanova`):
the integral of one tree over every leaf of another.
"""

from __future__ import annotations

import numpy as np

from hpo.analysis.forest import Tree

__all__ = ["integrate"]


def integrate(
    tree: Tree,
    lower: np.ndarray,
    upper: np.ndarray,
    levels: dict[int, np.ndarray] | None = None,
    values: np.ndarray | None = None,
) -> np.ndarray:
    """Integral of a tree over each of ``Q`` boxes of the unit cube, shape ``(Q,)``.

    ``int_B f = sum_l v_l |B cap l|`` over the leaves ``l`` that meet the box ``B``, found by
    walking down the tree: a box goes left at a numeric split ``(j, s)`` if ``lower_j < s``
    and right if ``upper_j > s`` (both when it straddles the threshold), and at a categorical
    split to each side whose levels it shares. The work grows with the number of (box, leaf)
    pairs that meet, not with the product of their counts.

    Parameters
    ----------
    tree : Tree
        A tree grown by :class:`RandomForest` (with its ``nodes``).
    lower, upper : ndarray of shape (Q, d)
        The boxes on the numeric axes (``[0, 1]`` on categorical ones).
    levels : dict of int to ndarray of bool of shape (Q, k_j), optional
        The levels each box covers on each categorical axis of the tree.
    values : ndarray of shape (L,), optional
        Values of the tree's leaves to integrate instead of its own (a shifted tree).
    """
    if tree.nodes is None:
        raise ValueError("tree: integrate needs the tree's nodes (grow it with RandomForest)")
    nodes, levels = tree.nodes, levels or {}
    n_q = len(lower)
    out = np.zeros(n_q)
    q = np.arange(n_q)
    at = np.zeros(n_q, dtype=np.int64)
    while len(q):
        leaf = nodes.leaf[at]
        done = leaf >= 0
        if done.any():
            qq, ll = q[done], leaf[done]
            side = np.minimum(upper[qq], tree.upper[ll]) - np.maximum(lower[qq], tree.lower[ll])
            vol = (tree.value if values is None else values)[ll] * np.prod(side, axis=1)
            for j, mask in tree.levels.items():  # numeric sides of 1 there: [0, 1] both
                vol *= (levels[j][qq] & mask[ll]).sum(axis=1) / mask.shape[1]
            out += np.bincount(qq, vol, minlength=n_q)
            q, at = q[~done], at[~done]
        if not len(q):
            break
        axis = nodes.axis[at]
        rows = np.arange(len(q))
        go_left = lower[q, axis] < nodes.threshold[at]
        go_right = upper[q, axis] > nodes.threshold[at]
        for j, split in nodes.left_levels.items():
            on_j = rows[axis == j]
            if len(on_j):
                mine, left = levels[j][q[on_j]], split[at[on_j]]
                go_left[on_j] = (mine & left).any(axis=1)
                go_right[on_j] = (mine & ~left).any(axis=1)
        q = np.concatenate([q[go_left], q[go_right]])
        at = np.concatenate([nodes.children[at[go_left], 0], nodes.children[at[go_right], 1]])
    return out
