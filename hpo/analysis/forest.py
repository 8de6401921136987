"""A random forest regressor on numpy whose trees expose the boxes of their leaves.

The forest exists for :mod:`hpo.analysis.fanova`: functional ANOVA needs every leaf of
every tree as a region of the unit cube (an interval per numeric axis, a set of levels per
categorical axis), which scikit-learn's trees only give indirectly. Trees are grown as in
Breiman (2001), *Random Forests*, Machine Learning 45: bootstrap samples, a random subset of
``max_features`` axes per split, splits minimizing the summed squared error; a categorical
axis is split into two sets of levels by ordering its levels by their mean response (optimal
for squared error, Breiman et al. 1984, *CART*, section 9.4).

Notation: ``n`` samples, ``d`` axes, ``L`` leaves of a tree. ``n_levels[j]`` is 0 for a real
axis, the number of values of an integer axis (split only on the edges between its unit-cube
bins) and the number of choices of a categorical axis (``is_categorical[j]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Nodes", "RandomForest", "Tree"]


@dataclass
class Nodes:
    """The nodes of a tree, root first (``N`` nodes).

    Attributes
    ----------
    axis : ndarray of int of shape (N,)
        Split axis of each internal node, -1 at a leaf.
    threshold : ndarray of shape (N,)
        A numeric split sends ``x <= threshold`` to the left child.
    children : ndarray of int of shape (N, 2)
        Left and right child of each internal node.
    leaf : ndarray of int of shape (N,)
        Index of the leaf (in :class:`Tree`'s arrays) of each leaf node, -1 elsewhere.
    left_levels : dict of int to ndarray of bool of shape (N, k_j)
        For a split on categorical axis ``j``, the levels sent left.
    """

    axis: np.ndarray
    threshold: np.ndarray
    children: np.ndarray
    leaf: np.ndarray
    left_levels: dict[int, np.ndarray]


@dataclass
class Tree:
    """The leaves of one regression tree, as boxes of the unit cube.

    Attributes
    ----------
    value : ndarray of shape (L,)
        Prediction of each leaf (the mean response of its samples).
    lower, upper : ndarray of shape (L, d)
        Interval of each leaf on each numeric axis (``[0, 1]`` on categorical axes).
    levels : dict of int to ndarray of shape (L, k_j)
        For each categorical axis ``j``, which of its ``k_j`` levels each leaf covers.
    nodes : Nodes or None
        The splits that lead to the leaves (for integrals over boxes,
        :func:`hpo.analysis.integrate.integrate`).
    """

    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    levels: dict[int, np.ndarray]
    nodes: Nodes | None = None

    def widths(self) -> np.ndarray:
        """Measure of each leaf on each axis (uniform measure), shape ``(L, d)``."""
        w = self.upper - self.lower
        for j, mask in self.levels.items():
            w[:, j] = mask.mean(axis=1)
        return w

    def predict(self, X: np.ndarray, is_categorical: np.ndarray) -> np.ndarray:
        """Value of the tree at unit points ``X`` of shape ``(m, d)``; shape ``(m,)``.

        A point on a boundary belongs to the leaf on its upper side, as in fitting (a split
        sends ``x <= t`` left; thresholds never coincide with data)."""
        inside = np.ones((len(self.value), len(X)), dtype=bool)
        for j in range(X.shape[1]):
            if is_categorical[j]:
                mask = self.levels[j]
                level = np.minimum((X[:, j] * mask.shape[1]).astype(int), mask.shape[1] - 1)
                inside &= mask[:, level]
            else:
                x = X[:, j]
                low = self.lower[:, j, None]
                inside &= ((x > low) | (low <= 0.0)) & (x <= self.upper[:, j, None])
        return self.value @ inside.astype(float)


class RandomForest:
    """Random forest regressor on the unit cube.

    Parameters
    ----------
    n_trees : int, default 32
    min_samples_leaf : int, default 2
        Fewest (bootstrap) samples in a leaf.
    max_features : float, default 1.0
        Fraction of the axes tried at each split (at least one).
    max_depth : int, default 32
    bootstrap : bool, default True

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 2))
    >>> forest = RandomForest(n_trees=8).fit(X, X[:, 0] > 0.5, rng=rng)
    >>> bool(forest.predict(np.array([[0.9, 0.1]]))[0] > 0.9)
    True
    """

    def __init__(
        self,
        n_trees: int = 32,
        *,
        min_samples_leaf: int = 2,
        max_features: float = 1.0,
        max_depth: int = 32,
        bootstrap: bool = True,
        splitter: str = "best",
    ) -> None:
        if not (isinstance(n_trees, (int, np.integer)) and n_trees >= 1):
            raise ValueError(f"n_trees must be a positive integer, got {n_trees!r}")
        if not (isinstance(min_samples_leaf, (int, np.integer)) and min_samples_leaf >= 1):
            raise ValueError(
                f"min_samples_leaf must be a positive integer, got {min_samples_leaf!r}"
            )
        if not 0.0 < max_features <= 1.0:
            raise ValueError(f"max_features must lie in (0, 1], got {max_features!r}")
        if not (isinstance(max_depth, (int, np.integer)) and max_depth >= 1):
            raise ValueError(f"max_depth must be a positive integer, got {max_depth!r}")
        if splitter not in ("best", "random"):
            raise ValueError(f"splitter must be 'best' or 'random', got {splitter!r}")
        self.n_trees = int(n_trees)
        self.min_samples_leaf = int(min_samples_leaf)
        self.max_features = float(max_features)
        self.max_depth = int(max_depth)
        self.bootstrap = bootstrap
        self.splitter = splitter
        self.trees: list[Tree] = []
        self.n_levels: np.ndarray | None = None
        self.is_categorical: np.ndarray | None = None

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        rng: np.random.Generator,
        n_levels: np.ndarray | None = None,
        is_categorical: np.ndarray | None = None,
    ) -> RandomForest:
        """Grow the trees.

        Parameters
        ----------
        X : ndarray of shape (n, d)
            Points of the unit cube.
        y : ndarray of shape (n,)
        rng : numpy.random.Generator
            Source of the bootstrap samples and the axes tried at each split.
        n_levels : ndarray of int of shape (d,), optional
            0 for real axes, the number of values of integer and categorical axes.
        is_categorical : ndarray of bool of shape (d,), optional

        Returns
        -------
        self
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = np.asarray(y, dtype=float).ravel()
        if len(X) != len(y) or len(y) < 2:
            raise ValueError(f"X and y need the same length >= 2, got {len(X)} and {len(y)}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite (leave failed trials out)")
        d = X.shape[1]
        self.n_levels = np.zeros(d, int) if n_levels is None else np.asarray(n_levels, int)
        self.is_categorical = (
            np.zeros(d, bool) if is_categorical is None else np.asarray(is_categorical, bool)
        )
        codes = X.copy()  # categorical axes as level indices
        for j in np.flatnonzero(self.is_categorical):
            k = self.n_levels[j]
            codes[:, j] = np.minimum(np.floor(X[:, j] * k), k - 1)
        n = len(y)
        self.trees = []
        for _ in range(self.n_trees):
            rows = rng.integers(0, n, n) if self.bootstrap else np.arange(n)
            self.trees.append(self._grow(codes[rows], y[rows], rng))
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Mean prediction of the trees at unit points ``X`` of shape ``(m, d)``."""
        if not self.trees:
            raise RuntimeError("predict needs a fitted forest; call fit first")
        X = np.atleast_2d(np.asarray(X, dtype=float))
        return np.mean([t.predict(X, self.is_categorical) for t in self.trees], axis=0)

    # -- growing one tree, a level at a time ---------------------------------------------
    def _grow(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Tree:
        """Grow one tree breadth first: all nodes of a depth are split together, with one
        sort of the samples by (node, coordinate) per level instead of one per node."""
        n, d = X.shape
        cat = self.is_categorical
        n_try = max(1, round(self.max_features * d))
        leaf = self.min_samples_leaf
        leaves: list[tuple[float, np.ndarray, np.ndarray, dict[int, np.ndarray]]] = []
        node = np.zeros(n, dtype=np.int64)  # node of each live sample at this depth
        lo, hi = np.zeros((1, d)), np.ones((1, d))
        lev = {int(j): np.ones((1, self.n_levels[j]), bool) for j in np.flatnonzero(cat)}
        rows = np.arange(n)
        ids = np.zeros(1, dtype=np.int64)  # node number (root first) of each node of a depth
        n_ids = 1
        leaf_ids: list[int] = []  # node number of each leaf, in the order of `leaves`
        split_ids, split_axis, split_thr, split_levels = [], [], [], []
        for depth in range(self.max_depth + 1):
            n_nodes = len(lo)
            count = np.bincount(node, minlength=n_nodes)
            total = np.bincount(node, y[rows], minlength=n_nodes)
            total2 = np.bincount(node, y[rows] ** 2, minlength=n_nodes)
            mean = total / np.maximum(count, 1)
            pure = total2 / np.maximum(count, 1) - mean**2 <= 1e-12 * (1.0 + mean**2)
            can_split = (count >= 2 * leaf) & ~pure & (depth < self.max_depth)
            split = self._best_splits(X[rows], y[rows], node, n_nodes, count, can_split, rng, n_try)
            axis, threshold, left_levels = split
            for k in np.flatnonzero(axis < 0):  # these nodes become leaves
                leaves.append((mean[k], lo[k], hi[k], {j: m[k] for j, m in lev.items()}))
                leaf_ids.append(int(ids[k]))
            splitting = np.flatnonzero(axis >= 0)
            if len(splitting) == 0:
                break
            split_ids.append(ids[splitting])
            split_axis.append(axis[splitting])
            split_thr.append(threshold[splitting])
            split_levels.append({j: m[splitting] for j, m in left_levels.items()})
            ids = n_ids + np.arange(2 * len(splitting))
            n_ids += 2 * len(splitting)
            # children 2c (left) and 2c + 1 (right) of the c-th splitting node
            child = np.full(n_nodes, -1)
            child[splitting] = 2 * np.arange(len(splitting))
            keep = child[node] >= 0
            rows, node_old = rows[keep], node[keep]
            xs = X[rows, axis[node_old]]
            go_left = xs <= threshold[node_old]
            for j, m in left_levels.items():  # categorical splits: by level sets
                on_j = axis[node_old] == j
                level = X[rows[on_j], j].astype(int)
                go_left[on_j] = m[node_old[on_j], level]
            node = child[node_old] + (~go_left)
            new_lo = np.repeat(lo[splitting], 2, axis=0)
            new_hi = np.repeat(hi[splitting], 2, axis=0)
            new_lev = {j: np.repeat(m[splitting], 2, axis=0) for j, m in lev.items()}
            for c, k in enumerate(splitting):
                j = int(axis[k])
                if cat[j]:
                    new_lev[j][2 * c] &= left_levels[j][k]
                    new_lev[j][2 * c + 1] &= ~left_levels[j][k]
                else:
                    new_hi[2 * c, j] = new_lo[2 * c + 1, j] = threshold[k]
            lo, hi, lev = new_lo, new_hi, new_lev
        nodes = Nodes(
            axis=np.full(n_ids, -1),
            threshold=np.zeros(n_ids),
            children=np.full((n_ids, 2), -1),
            leaf=np.full(n_ids, -1),
            left_levels={int(j): np.zeros((n_ids, self.n_levels[j]), bool) for j in lev},
        )
        nodes.leaf[leaf_ids] = np.arange(len(leaf_ids))
        first_child = 1
        for at, ax, thr, levels in zip(split_ids, split_axis, split_thr, split_levels):
            nodes.axis[at], nodes.threshold[at] = ax, thr
            nodes.children[at] = first_child + np.arange(2 * len(at)).reshape(-1, 2)
            first_child += 2 * len(at)
            for j, m in levels.items():
                on_j = ax == j
                nodes.left_levels[j][at[on_j]] = m[on_j]
        return Tree(
            value=np.array([v for v, *_ in leaves]),
            lower=np.array([a for _, a, _, _ in leaves]).reshape(-1, d),
            upper=np.array([b for _, _, b, _ in leaves]).reshape(-1, d),
            levels={int(j): np.array([m[j] for *_, m in leaves]) for j in np.flatnonzero(cat)},
            nodes=nodes,
        )

    def _best_splits(
        self,
        X: np.ndarray,
        y: np.ndarray,
        node: np.ndarray,
        n_nodes: int,
        count: np.ndarray,
        can_split: np.ndarray,
        rng: np.random.Generator,
        n_try: int,
    ) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """Best split of every node at once.

        Returns ``axis`` (-1: no split), ``threshold`` (numeric axes) of shape
        ``(n_nodes,)`` and, per categorical axis, the levels sent left by each node."""
        m, d = X.shape
        axis = np.full(n_nodes, -1)
        threshold = np.zeros(n_nodes)
        left_levels: dict[int, np.ndarray] = {}
        if not can_split.any():
            return axis, threshold, left_levels
        Z = X.copy()
        level_rank: dict[int, np.ndarray] = {}
        for j in np.flatnonzero(self.is_categorical):
            # CART for categories: order the levels of each node by their mean response
            k = self.n_levels[j]
            code = X[:, j].astype(int)
            cell = node * k + code
            cnt = np.bincount(cell, minlength=n_nodes * k).reshape(n_nodes, k)
            s = np.bincount(cell, y, minlength=n_nodes * k).reshape(n_nodes, k)
            lmean = np.where(cnt > 0, s / np.maximum(cnt, 1), -np.inf)  # absent: left
            rank = np.argsort(np.argsort(lmean, axis=1, kind="stable"), axis=1, kind="stable")
            level_rank[int(j)] = rank
            Z[:, j] = rank[node, code] / k
        # sort the samples by (node, coordinate) on every axis at once
        order = np.argsort(node[:, None] * 4.0 + Z, axis=0)
        zs = np.take_along_axis(Z, order, axis=0)
        ys = y[order]
        ns = node[order[:, 0]]  # node along the sorted order (the same on every axis)
        start = np.concatenate([[0], np.cumsum(count)])[:-1]
        cs = np.cumsum(ys, axis=0)
        tried = np.ones((n_nodes, d), bool)
        if n_try < d:  # a random subset of the axes for every node
            keys = rng.random((n_nodes, d))
            tried = keys <= np.sort(keys, axis=1)[:, n_try - 1 : n_try]
        if self.splitter == "random":
            return self._random_splits(zs, cs, ns, start, count, can_split, tried, level_rank, rng)
        before = np.where(start[ns] > 0, cs[start[ns] - 1, :].T, 0.0).T  # sums before node
        left_sum = (cs - before)[:-1]
        n_left = (np.arange(m) - start[ns] + 1)[:-1, None]
        n_node = count[ns][:-1, None]
        tot = np.bincount(node, y, minlength=n_nodes)[ns][:-1, None]
        # SSE after a split = const - (S_l^2 / n_l + S_r^2 / n_r): maximize the bracket
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = left_sum**2 / n_left + (tot - left_sum) ** 2 / (n_node - n_left)
        leaf = self.min_samples_leaf
        valid = (zs[1:] > zs[:-1]) & (ns[1:] == ns[:-1])[:, None]
        valid &= (n_left >= leaf) & (n_node - n_left >= leaf) & can_split[ns][:-1, None]
        valid &= tried[ns[:-1]]
        gain = np.where(valid, gain, -np.inf)
        best_axis = np.argmax(gain, axis=1)
        best_gain = gain[np.arange(m - 1), best_axis]
        # the best position of each node: a per-node argmax of best_gain
        pos_order = np.lexsort((-best_gain, ns[:-1]))
        first = np.unique(ns[:-1][pos_order], return_index=True)
        nodes_seen, idx = first
        pos = pos_order[idx]
        ok = np.isfinite(best_gain[pos])
        nodes_seen, pos = nodes_seen[ok], pos[ok]
        j_best = best_axis[pos]
        axis[nodes_seen] = j_best
        a, b = zs[pos, j_best], zs[pos + 1, j_best]
        thr = 0.5 * (a + b)
        for c, (k, j) in enumerate(zip(nodes_seen, j_best)):
            n_lev = self.n_levels[j]
            if self.is_categorical[j]:
                if j not in left_levels:
                    left_levels[int(j)] = np.zeros((n_nodes, n_lev), bool)
                left_levels[int(j)][k] = level_rank[int(j)][k] / n_lev <= a[c]
            elif n_lev:  # an integer axis: split on the edge between the two bins
                edge = min(max(round(thr[c] * n_lev), 1), n_lev - 1) / n_lev
                if a[c] < edge < b[c]:
                    thr[c] = edge
        threshold[nodes_seen] = thr
        return axis, threshold, left_levels

    def _random_splits(
        self,
        zs: np.ndarray,
        cs: np.ndarray,
        ns: np.ndarray,
        start: np.ndarray,
        count: np.ndarray,
        can_split: np.ndarray,
        tried: np.ndarray,
        level_rank: dict[int, np.ndarray],
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray, dict[int, np.ndarray]]:
        """Extremely randomized splits (Geurts, Ernst & Wehenkel 2006, *Extremely randomized
        trees*, Machine Learning 63, Algorithm 2): on each tried axis one threshold drawn
        uniformly between the node's smallest and largest coordinate (on an integer or
        categorical axis, one of the edges between the node's bins, uniformly), and the best
        of these by squared error. ``zs`` and ``cs``: coordinates sorted by (node, value) per
        axis and the running sums of the responses in that order, shape ``(m, d)``; ``ns``
        the node at each position of that order."""
        n_nodes, d = len(count), zs.shape[1]
        axis = np.full(n_nodes, -1)
        threshold = np.zeros(n_nodes)
        left_levels: dict[int, np.ndarray] = {}
        live = np.flatnonzero(can_split)
        first, last = start[live], start[live] + count[live] - 1
        zmin, zmax = zs[first], zs[last]
        u = rng.random((len(live), d))
        t = zmin + u * (zmax - zmin)
        for j in np.flatnonzero(self.n_levels > 0):
            k = self.n_levels[j]
            # bins: centres (i + 1/2) / k on integer axes, ranks r / k on categorical ones
            half = 0.5 if self.is_categorical[j] else 0.0
            low, high = np.floor(zmin[:, j] * k + half), np.floor(zmax[:, j] * k + half)
            t[:, j] = (low + 1.0 - half + np.floor(u[:, j] * (high - low))) / k
        before = np.where(first[:, None] > 0, cs[np.maximum(first - 1, 0)], 0.0)
        total = cs[last] - before
        n_node = count[live][:, None]
        # the last sample of each node at or below its threshold, from the (node, value) order
        pos = np.empty((len(live), d), dtype=np.int64)
        for j in range(d):
            key = ns * 4.0 + zs[:, j]
            pos[:, j] = np.searchsorted(key, live * 4.0 + t[:, j], side="right") - 1
        pos = np.clip(pos, first[:, None], last[:, None])
        n_left = pos - first[:, None] + 1
        left_sum = np.take_along_axis(cs, pos, axis=0) - before
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = left_sum**2 / n_left + (total - left_sum) ** 2 / (n_node - n_left)
        leaf = self.min_samples_leaf
        valid = (n_left >= leaf) & (n_node - n_left >= leaf) & tried[live] & (zmax > zmin)
        gain = np.where(valid, gain, -np.inf)
        best = np.argmax(gain, axis=1)
        ok = np.isfinite(gain[np.arange(len(live)), best])
        nodes, best = live[ok], best[ok]
        axis[nodes] = best
        threshold[nodes] = t[ok, best]
        for j in np.flatnonzero(self.is_categorical):
            on_j = best == j
            if on_j.any():
                mask = np.zeros((n_nodes, self.n_levels[j]), bool)
                rank = level_rank[int(j)][nodes[on_j]] / self.n_levels[j]
                mask[nodes[on_j]] = rank <= threshold[nodes[on_j], None]
                left_levels[int(j)] = mask
        return axis, threshold, left_levels
