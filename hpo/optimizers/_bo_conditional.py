"""The acquisition search of a conditional space, branch by branch (issue 13).

Notation
--------
U : points of the unit cube of the space, shape ``(m, d)``.
branch : an assignment of every categorical parent (a categorical parameter that some
    ``when=`` condition names) to one of its values, kept once per distinct set of active
    parameters: a leaf of the space's tree. Jenatton et al. (2017)'s tree has four
    (``x1, x2`` or ``x1, x3``), the MLP solver task three (one per solver).

Why: the search of :func:`hpo.optimizers._bo_search.maximize_mixed` starts its gradient steps
from the best raw candidates and changes a categorical only by trying each of its values with
the reals of the current start. In a tree, the reals that matter differ between branches, so
a branch whose raw candidates look worse (a small branch that the GP already knows well, next
to a large one whose many unexplored parameters keep the variance high) is never searched with
its own reals optimized: on the MLP solver task the GP proposed lbfgs 87 times in 400, though
lbfgs held 31 of 40 final incumbents (``benchmarks/results/conditional/study/README.md``).

:func:`maximize_by_branch` maximizes the acquisition once per branch, the branch's parents
fixed (its own raw candidates, gradient steps and discrete steps on the other parameters),
and ranks the maxima of all branches together ("the acquisition maximized over the tree (each
branch searched)", issue 13). A flat space, or a tree with more than :data:`MAX_BRANCHES`
leaves, is searched as before (:func:`~hpo.optimizers._bo_search.maximize_acquisition`).

That alone did not move the proposals: on tuning seeds 100-102 of the solver task the GP still
sent as many trials to adam (expected improvement there is genuinely high, the variance of six
unexplored parameters). So a per-branch budget is added (:func:`branch_focus`): one
model-based proposal in :data:`FOCUS` maximizes the acquisition inside the incumbent's branch
only, the others over every branch. Expected improvement within the best branch exploits it as
the TPE's density on the parent does, while the other proposals still explore the whole tree
(Jenatton's tree, whose optimum lies in one leaf, is still solved on 10 of 10 seeds).

Measured (``benchmarks/results/conditional/branch.md``): on tuning seeds 100-105 of the solver
task this lowered the median final log-loss (0.0696 against 0.0708), but on the study's seeds
0-9 it did not (0.0763 against 0.0754): it sends lbfgs 26 trials instead of 11, and then
exploits one basin there (alpha near 2, a tiny ``tol``) while the best lbfgs networks stop
early (``tol`` near 0.005). So ``BayesianOptimization(conditional="branch")`` is an option,
not the default.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from hpo.gp.acquisition import Acquisition
from hpo.gp.regression import GaussianProcess
from hpo.optimizers._bo_search import FeatureMap, maximize_acquisition

__all__ = ["FOCUS", "MAX_BRANCHES", "BranchMap", "branch_focus", "branches", "maximize_by_branch"]

#: More leaves than this: the tree is searched as a whole (each branch search costs one
#: acquisition search).
MAX_BRANCHES = 16
#: One model-based proposal in FOCUS searches only the branch of the incumbent (the per-branch
#: budget of the module notes); the others search every branch.
FOCUS = 2


def _parents(fmap: FeatureMap) -> list[int]:
    """The columns of the categorical parents of ``fmap``'s space, in order."""
    params = list(fmap.space.values())
    return sorted(
        {q for _, rule in fmap._rules for q, _ in rule if params[q].kind == "categorical"}
    )


def _leaf_keys(fmap: FeatureMap, parents: list[int], U: np.ndarray) -> list[tuple]:
    """The leaf of each unit point (rows of ``U``): its activity pattern and the values of
    its active categorical parents."""
    U = fmap.space.snap(np.atleast_2d(U))
    A = fmap.active(U)
    return [tuple(a) + tuple(u[q] if a[q] else -1.0 for q in parents) for u, a in zip(U, A)]


def branches(fmap: FeatureMap) -> list[dict[int, float]]:
    """The leaves of the tree of ``fmap``'s space, as ``{column: unit coordinate}`` of its
    categorical parents; empty for a flat space or more than :data:`MAX_BRANCHES` leaves.

    Every combination of the parents' values is formed, and combinations that activate the
    same parameters with the same active parent values are kept once (the first)."""
    space = fmap.space
    params = list(space.values())
    parents = _parents(fmap)
    if not parents:
        return []
    grids = [(np.arange(params[q].n_values) + 0.5) / params[q].n_values for q in parents]
    if np.prod([len(g) for g in grids], dtype=float) > 64 * MAX_BRANCHES:
        return []
    combos = np.array(list(itertools.product(*grids)))
    U = np.repeat(space._inactive_unit[None, :], len(combos), axis=0)
    U[:, parents] = combos
    out: dict[tuple, dict[int, float]] = {}
    for u, key in zip(U, _leaf_keys(fmap, parents, U)):
        out.setdefault(key, {q: float(u[q]) for q in parents})
    return list(out.values()) if len(out) <= MAX_BRANCHES else []


def branch_focus(opt: Any, position: int = 0) -> np.ndarray | None:
    """The unit point of the incumbent of ``opt`` (a BayesianOptimization) when its next
    model-based proposal is one of every :data:`FOCUS` that search the incumbent's branch
    only, else None.

    ``position``: the proposal's place in the current batch (earlier members count).
    """
    n_model = sum(t.info.get("source") == "model" for t in opt.trials) + position
    if n_model % FOCUS != FOCUS - 1 or opt.best is None:
        return None
    return opt.space.to_unit(opt.best.params)


class BranchMap:
    """A :class:`~hpo.optimizers._bo_search.FeatureMap` restricted to one branch: the
    branch's parent columns are held at their values whatever ``U`` holds, and are not
    searched (the other discrete columns are).

    Parameters
    ----------
    fmap : FeatureMap
    fixed : dict of int to float
        Column -> unit coordinate, as :func:`branches` gives them.
    """

    def __init__(self, fmap: FeatureMap, fixed: dict[int, float]) -> None:
        self.fmap = fmap
        self.space = fmap.space
        self.n_features = fmap.n_features
        self.real = fmap.real
        self.real_features = fmap.real_features
        self.discrete = np.array([j for j in fmap.discrete if j not in fixed], dtype=int)
        self._rules = fmap._rules
        self._columns = np.array(sorted(fixed), dtype=int)
        self._values = np.array([fixed[j] for j in sorted(fixed)])

    def fix(self, U: np.ndarray) -> np.ndarray:
        """A copy of ``U`` (shape ``(m, d)``) with the branch's parents set."""
        U = np.array(np.atleast_2d(U), dtype=float, copy=True)
        U[:, self._columns] = self._values
        return U

    def active(self, U: np.ndarray) -> np.ndarray:
        return self.fmap.active(self.fix(U))

    def __call__(self, U: np.ndarray) -> np.ndarray:
        return self.fmap(self.fix(U))

    def values(self, j: int, current: np.ndarray) -> np.ndarray:
        return self.fmap.values(j, current)


def maximize_by_branch(
    gp: GaussianProcess,
    acquisition: Acquisition,
    fmap: FeatureMap,
    rng: np.random.Generator,
    *,
    focus: np.ndarray | None = None,
    **options,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximize ``acquisition`` over each branch of ``fmap``'s tree; rank all the maxima.

    Parameters and returns as :func:`~hpo.optimizers._bo_search.maximize_acquisition`
    (``options`` go to each branch's search); the local maximizers of all branches come
    first, best first (``n_restarts`` per branch), then the raw candidates of all branches.
    Without branches (:func:`branches` empty) this is ``maximize_acquisition`` itself.
    ``focus``, a unit point of shape ``(d,)``: search only the branch that holds it.
    """
    tree = branches(fmap)
    if not tree:
        return maximize_acquisition(gp, acquisition, fmap, rng, **options)
    if focus is not None:
        parents = _parents(fmap)
        keys = _leaf_keys(fmap, parents, np.array([_as_point(fmap, b) for b in tree]))
        mine = _leaf_keys(fmap, parents, focus)[0]
        tree = [b for b, k in zip(tree, keys) if k == mine] or tree
    parts = []
    for fixed in tree:
        view = BranchMap(fmap, fixed)
        X, v, raw, raw_v = maximize_acquisition(gp, acquisition, view, rng, **options)  # type: ignore[arg-type]
        parts.append((view.fix(X), v, view.fix(raw), raw_v))
    X, v, raw, raw_v = (np.concatenate(p) for p in zip(*parts))
    best, order = np.argsort(-v, kind="stable"), np.argsort(-raw_v, kind="stable")
    return X[best], v[best], raw[order], raw_v[order]


def _as_point(fmap: FeatureMap, fixed: dict[int, float]) -> np.ndarray:
    u = fmap.space._inactive_unit.copy()
    u[list(fixed)] = list(fixed.values())
    return u
