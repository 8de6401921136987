"""One GP per leaf of a conditional space's tree (issue 13; ``conditional="leaf"``).

Notation as :mod:`hpo.optimizers._bo_conditional`: a leaf fixes every categorical parent,
so the set of active parameters is constant inside it.

Why: the whole-tree GP (imputation plus activity indicators, ``conditional="indicator"``) has
one lengthscale per feature, shared by all branches. A parameter common to the branches can
mean different things in each: on the MLP solver task ``tol`` is a tolerance on the
validation score for adam and sgd, and the gradient tolerance of L-BFGS-B for lbfgs, where the
best networks stop early. Pooling every optimizer's lbfgs trials of the study as it was before
this module, the median loss is lowest at ``tol`` from 0.0056 to 0.01 (0.0742) and 0.087 below
1e-4, while a quarter of the whole-tree GP's lbfgs trials had ``tol`` below 2.5e-5
(``benchmarks/results/conditional/leaf.md``). Separate models per leaf, as the tree-structured
decomposition of Jenatton et al. (2017, "Bayesian optimization with tree-structured
dependencies", ICML) without its shared part, give each branch its own lengthscales, and each
leaf's GP sees only its active parameters (3 features for lbfgs rather than 22).

How: :func:`maximize_by_leaf` fits, for each leaf with at least :data:`MIN_LEAF` training rows
(fantasies and failed points included, read from the whole-tree GP's training set), a GP of
the same :class:`~hpo.gp.GPConfig` on that leaf's rows and active features, and maximizes its
acquisition over the leaf (the leaf's parents fixed). Its values are centred on the leaf's own
mean and divided by the spread of the whole training set, so that every leaf's amplitude prior
is on the tree's scale: with a spread of its own, a leaf whose few values lie close together
gets a tiny signal variance (that arm, ``leaf-own-spread-no-random`` in ``leaf.md``, spent 42
or 43 of 50 trials in one leaf on 4 of 6 tuning seeds, the others keeping their design
points only). Leaves with fewer
rows are searched with the whole-tree GP (as ``conditional="branch"`` does). Every leaf's
acquisition has the same incumbent (the lowest value of the whole training set), and the
maxima are converted to the units of the values before they are ranked together: expected
improvement scales with the spread ``r`` (``log EI + log r``), a confidence bound is affine in
the values.

Per-leaf GPs alone were chosen on tuning seeds 100-105 of the solver task (median 0.0681
against 0.0708 for the whole-tree GP) but lost to random search on the study's seeds 0-5
(0.0749 against 0.0700): inside lbfgs they settled in a basin of large ``alpha`` rather than
the narrow, rugged band of ``tol``. So :func:`interleaved` makes one model-based proposal in
:data:`RANDOM_EVERY` a uniformly random configuration (:func:`random_proposal`), as SMAC
interleaves random configurations with its model's (Hutter, Hoos and Leyton-Brown 2011, LION
5); the rate was set, not tuned. With it, on the study's seeds 0-9, bayes ends below random
search on all three trees; on ten tuning seeds of the solver task it ends below random search
but above the whole-tree GP alone (``leaf.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hpo.gp._standardize import Standardization
from hpo.gp.acquisition import Acquisition, make_acquisition
from hpo.gp.config import GPConfig
from hpo.gp.regression import GaussianProcess
from hpo.optimizers._bo_conditional import BranchMap, _as_point, branches
from hpo.optimizers._bo_search import FeatureMap, maximize_acquisition
from hpo.optimizers.base import config_key

__all__ = [
    "MIN_LEAF",
    "RANDOM_EVERY",
    "LeafMap",
    "interleaved",
    "maximize_by_leaf",
    "random_proposal",
    "supports_leaves",
]

#: One model-based proposal in RANDOM_EVERY is a uniformly random configuration instead.
RANDOM_EVERY = 2
#: Training rows a leaf needs for a GP of its own; with fewer, the whole-tree GP models it.
MIN_LEAF = 4


def supports_leaves(fmap: FeatureMap) -> bool:
    """Whether ``fmap``'s space has a tree of leaves (:func:`branches`) whose every parent
    is categorical, so that a leaf fixes its set of active parameters."""
    params = list(fmap.space.values())
    every = {q for _, rule in fmap._rules for q, _ in rule}
    return bool(every) and all(params[q].kind == "categorical" for q in every)


def interleaved(opt: Any, position: int = 0) -> bool:
    """Whether the next model-based proposal of ``opt`` (a BayesianOptimization on a space
    with leaves) is one of every :data:`RANDOM_EVERY` drawn at random instead.

    ``position``: the proposal's place in the current batch (earlier members count).
    """
    if not (supports_leaves(opt.fmap) and branches(opt.fmap)):
        return False
    n = sum(t.info.get("source") in ("model", "random") for t in opt.trials) + position
    return n % RANDOM_EVERY == RANDOM_EVERY - 1


def random_proposal(opt: Any, seen: set[tuple]) -> tuple[Any, dict[str, Any]]:
    """A new configuration of ``opt``'s space drawn uniformly on its unit cube (so each
    parent's values equally likely, then its children), not in ``seen`` (config keys);
    ``(None, {})`` when 100 draws found none."""
    for _ in range(100):
        params = opt.space.from_unit(opt.rng.random(opt.space.dim))
        if opt.is_new(params) and config_key(params) not in seen:
            return params, {"source": "random"}
    return None, {}


class LeafMap(BranchMap):
    """A :class:`~hpo.optimizers._bo_conditional.BranchMap` whose features are only those
    of the leaf's active, unfixed parameters (no parents, no indicators).

    Parameters
    ----------
    fmap : FeatureMap
    fixed : dict of int to float
        The leaf's parents, column -> unit coordinate, as :func:`branches` gives them.
    """

    def __init__(self, fmap: FeatureMap, fixed: dict[int, float]) -> None:
        super().__init__(fmap, fixed)
        point = _as_point(fmap, fixed)
        active = fmap.active(point)[0]
        keep = {j for j in range(fmap.space.dim) if active[j] and j not in fixed}
        columns: list[int] = []
        position: dict[int, int] = {}
        for j, start, width in fmap._slices:
            if j in keep and width:
                position[j] = len(columns)
                columns.extend(range(start, start + width))
        self.columns = np.array(columns, dtype=int)
        self.n_features = len(columns)
        self.real = np.array([j for j in fmap.real if j in position], dtype=int)
        self.real_features = np.array([position[j] for j in self.real], dtype=int)
        self.discrete = np.array([j for j in self.discrete if j in position], dtype=int)
        # the features that tell the leaves apart: parents' one-hots and the indicators
        n_ind = len(fmap._indicators)
        sign = [c for j, s, w in fmap._slices if j in fixed for c in range(s, s + w)]
        sign += list(range(fmap.n_features - n_ind, fmap.n_features))
        self._sign = np.array(sign, dtype=int)
        self._signature = fmap(point)[0, self._sign]

    def members(self, F: np.ndarray) -> np.ndarray:
        """Which rows of whole-tree features ``F`` (shape ``(n, fmap.n_features)``) lie in
        this leaf, a boolean array of shape ``(n,)``."""
        return np.all(np.abs(F[:, self._sign] - self._signature) < 1e-9, axis=1)

    def __call__(self, U: np.ndarray) -> np.ndarray:
        return self.fmap(self.fix(U))[:, self.columns]


def _common_units(name: str, values: np.ndarray, std: float, center: float) -> np.ndarray:
    """Acquisition values of a GP whose standardized outputs are ``(y - center) / std``,
    in the units of ``y``."""
    if name == "logei":  # EI scales with the spread: log(r EI) = log EI + log r
        return values + np.log(std)
    if name == "ei":
        return values * std
    if name == "lcb":  # beta s - mu, back to original units
        return values * std - center
    return values  # pi: a probability, unit-free


def maximize_by_leaf(
    gp: GaussianProcess,
    acquisition: Acquisition,
    fmap: FeatureMap,
    rng: np.random.Generator,
    *,
    config: GPConfig,
    deterministic: bool,
    acquisition_name: str,
    **options: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximize the acquisition of one GP per leaf of ``fmap``'s tree; rank all maxima.

    Parameters
    ----------
    gp : GaussianProcess
        The whole-tree GP (fantasies included); its training rows are split by leaf.
    acquisition : Acquisition
        ``gp``'s acquisition (for leaves with fewer than :data:`MIN_LEAF` rows).
    fmap : FeatureMap
    rng : numpy.random.Generator
    config : GPConfig
        The per-leaf GPs are ``config.make_gp`` ones.
    deterministic : bool
        As :class:`~hpo.optimizers.bayes.BayesianOptimization`'s.
    acquisition_name : str
        The acquisition's name (``make_acquisition``), to build each leaf's.
    **options
        As :func:`~hpo.optimizers._bo_search.maximize_acquisition`'s (``lengthscales``, of
        ``gp``, are replaced by each leaf GP's own).

    Returns
    -------
    As :func:`~hpo.optimizers._bo_search.maximize_acquisition`, the values in the units of
    the GP's values (comparable across leaves). A space without such a tree
    (:func:`supports_leaves`, :func:`branches`), or a search confined to a trust region's
    ``box`` (of the whole tree's unit cube), is searched by ``maximize_acquisition``.
    """
    tree = branches(fmap) if supports_leaves(fmap) else []
    if not tree or options.get("box") is not None:  # a trust region: the tree in its box
        return maximize_acquisition(gp, acquisition, fmap, rng, **options)
    lengthscales = options.pop("lengthscales", None)
    best = float(np.min(gp.y_train))
    parts = []
    for fixed in tree:
        view = LeafMap(fmap, fixed)
        rows = view.members(gp.X_train)
        if rows.sum() >= MIN_LEAF and view.n_features:
            # centred on the leaf's own mean, scaled by the spread of the whole training set:
            # a leaf whose few values happen to lie close together keeps a signal variance
            # on the tree's scale (its amplitude prior), so it is not written off for good
            y = gp.y_train[rows]
            center, std = float(np.mean(y)), Standardization.of(gp.y_train).std
            model = config.make_gp(view.n_features, deterministic)
            model.standardize = False
            model.fit(
                gp.X_train[rows][:, view.columns],
                (y - center) / std,
                rng=rng,
                n_restarts=2,
                gtol=config.fit_gtol,
            )
            acq = make_acquisition(acquisition_name, (best - center) / std)
            scale = _lengthscales(model) if lengthscales is not None else None
            found = maximize_acquisition(model, acq, view, rng, lengthscales=scale, **options)  # type: ignore[arg-type]
        else:
            branch = BranchMap(fmap, fixed)
            std, center = gp._standardization.std, float(gp._standardization.inverse(0.0))
            found = maximize_acquisition(
                gp,
                acquisition,
                branch,  # type: ignore[arg-type]
                rng,
                lengthscales=lengthscales,
                **options,
            )
        X, v, raw, raw_v = found
        v, raw_v = (_common_units(acquisition_name, a, std, center) for a in (v, raw_v))
        parts.append((view.fix(X), v, view.fix(raw), raw_v))
    X, v, raw, raw_v = (np.concatenate(p) for p in zip(*parts))
    order_x, order_raw = np.argsort(-v, kind="stable"), np.argsort(-raw_v, kind="stable")
    return X[order_x], v[order_x], raw[order_raw], raw_v[order_raw]


def _lengthscales(gp: GaussianProcess) -> np.ndarray | None:
    ls = getattr(getattr(gp.kernel, "k2", None), "lengthscale", None)
    return None if ls is None else np.asarray(ls, dtype=float)
