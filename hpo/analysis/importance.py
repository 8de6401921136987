"""Which hyperparameters mattered: variance-based importance from three estimators.

:func:`sensitivity` fits a surrogate to the completed trials in the unit cube (where uniform
is the space's own measure: log-uniform on log axes, equal shares for integer values and
categorical levels) and decomposes its variance:

``"forest"``  the exact functional ANOVA (:mod:`hpo.analysis.fanova`) of a random forest
              grown in two stages, its main effects replaced by a backfitted additive
              model's (:mod:`hpo.analysis.stacked`, :mod:`hpo.analysis.additive`);
              first-order, total and pairwise fractions of its mean prediction; no band
              (``stages=1``: one
              forest, fractions averaged over its trees, band = their 5-95 % spread).
``"gp"``      Sobol indices of hpo's GP posterior mean (:mod:`hpo.analysis.sobol`), band
              from posterior draws.
``"ped"``     PED-ANOVA (:mod:`hpo.analysis.ped_anova`): no model, first-order indices of
              "among the best 10 %", for thousands of trials.

:func:`importance` returns the first-order fractions alone (DESIGN 1b).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpo._seed import SeedLike, as_generator
from hpo.analysis.data import Run, as_trials

__all__ = ["SURROGATES", "Sensitivity", "importance", "sensitivity"]

SURROGATES = ("forest", "gp", "ped")
# The forest: two stages with the additive model's main effects (hpo.analysis.stacked)
# decomposed exactly as one function; with stages=1, one forest of interpolating trees on
# random halves of the axes, decomposed tree by tree as Hutter et al. 2014 do (an earlier
# default, kept for comparison). Chosen on tuning seeds 100-119
# (benchmarks/results/analysis/ablation.md), reported on seeds 0-9 and 200-219.
_FOREST_DEFAULTS = {"n_trees": 12, "stages": 2, "folds": 4}
_ONE_FOREST = {"min_samples_leaf": 1, "max_features": 0.5, "bootstrap": False}


@dataclass
class Sensitivity:
    """Variance decomposition of a search's loss.

    Attributes
    ----------
    first : dict of str to float
        First-order (main-effect) variance fraction of each parameter, not normalized.
    total : dict of str to float or None
        Total-effect fraction (main effect plus every interaction it takes part in).
    pairs : dict of (str, str) to float
        Pairwise interaction fractions among the parameters with the largest total effects,
        strongest first.
    first_band, total_band : dict of str to (float, float) or None
        5 % and 95 % limits (GP: over posterior draws; forest with ``stages=1``: over its
        trees); ``None`` for the two-stage forest, decomposed as one function.
    surrogate : str
    n_trials : int
        Completed trials the estimate rests on.
    """

    first: dict[str, float]
    total: dict[str, float] | None
    pairs: dict[tuple[str, str], float]
    first_band: dict[str, tuple[float, float]] | None
    total_band: dict[str, tuple[float, float]] | None
    surrogate: str
    n_trials: int

    def normalized(self) -> dict[str, float]:
        """First-order fractions (negatives clipped) scaled to sum to 1, as Optuna reports."""
        clipped = {k: max(v, 0.0) for k, v in self.first.items()}
        s = sum(clipped.values())
        return {k: (v / s if s > 0 else 0.0) for k, v in clipped.items()}

    def table(self) -> str:
        """A plain-text table, parameters by decreasing first-order fraction."""
        lines = [f"{'parameter':<24} {'first':>7} {'band':>17} {'total':>7}"]
        for name in sorted(self.first, key=lambda k: -self.first[k]):
            band = self.first_band[name] if self.first_band else None
            band_s = f"[{band[0]:6.3f}, {band[1]:6.3f}]" if band else ""
            total = f"{self.total[name]:7.3f}" if self.total else ""
            lines.append(f"{name:<24} {self.first[name]:7.3f} {band_s:>17} {total}")
        for (a, b), v in self.pairs.items():
            lines.append(f"{a + ' x ' + b:<24} {v:7.3f}")
        return "\n".join(lines)


def _dicts(names: tuple[str, ...], *arrays: np.ndarray | None) -> list[Any]:
    return [None if a is None else {n: float(v) for n, v in zip(names, a)} for a in arrays]


def _bands(names: tuple[str, ...], band: np.ndarray | None) -> dict | None:
    if band is None:
        return None
    return {n: (float(lo), float(hi)) for n, lo, hi in zip(names, band[0], band[1])}


def _pairs(names: tuple[str, ...], pair: np.ndarray, axes: list[int]) -> dict:
    found = {(names[i], names[j]): float(pair[i, j]) for i in axes for j in axes if i < j}
    return dict(sorted(found.items(), key=lambda kv: -kv[1]))


def sensitivity(
    obj: Any,
    *,
    surrogate: str = "forest",
    seed: SeedLike = 0,
    space: Any = None,
    n_pairs: int = 4,
    options: Mapping[str, Any] | None = None,
    first_only: bool = False,
) -> Sensitivity:
    """First-order, total and pairwise variance fractions of the loss of a search.

    Parameters
    ----------
    obj : Optimizer, Result, SearchCV, RunRecord, run dict or path, or list of Trial
        The search (see :func:`hpo.analysis.as_trials`).
    surrogate : {"forest", "gp", "ped"}, default "forest"
    seed : int, Generator or None, default 0
        Source of every random choice (bootstrap, Sobol' scrambling, posterior draws): the
        same seed gives the same numbers.
    space : Space, optional
        For objects without one (a ``Result``); inferred from the trials otherwise.
    n_pairs : int, default 4
        Interactions are computed among the ``n_pairs`` parameters of largest total effect.
    options : dict, optional
        Forest: ``n_trees`` per stage (12), ``stages`` (2: :mod:`hpo.analysis.stacked`;
        1: one forest decomposed tree by tree, as Hutter et al. 2014), ``folds`` (4).
        GP: ``n_base`` (1024), ``n_draws`` (64), ``max_fit`` (256). PED: ``quantile`` (0.1),
        ``n_bins`` (50).
    first_only : bool, default False
        Skip what :func:`importance` does not need (totals, pairs and bands).

    Returns
    -------
    Sensitivity

    Examples
    --------
    >>> from hpo import minimize
    >>> from hpo.problems import get_problem
    >>> p = get_problem("ishigami")
    >>> result = minimize(p, p.space, optimizer="random", n_trials=200, seed=0)
    >>> s = sensitivity(result, space=p.space, seed=0)
    >>> max(s.first, key=s.first.get)
    'x1'
    """
    if surrogate not in SURROGATES:
        raise ValueError(f"surrogate must be one of {SURROGATES}, got {surrogate!r}")
    if not (isinstance(n_pairs, (int, np.integer)) and n_pairs >= 0):
        raise ValueError(f"n_pairs must be a non-negative integer, got {n_pairs!r}")
    options = dict(options or {})
    rng = as_generator(seed)
    run = as_trials(obj, space=space)
    X, y = run.arrays()
    if len(y) < 4:
        raise ValueError(f"trials: importance needs at least 4 completed trials, got {len(y)}")
    estimate = {"ped": _ped, "forest": _forest, "gp": _gp}[surrogate]
    return estimate(run, X, y, rng, options, n_pairs, first_only)


def _ped(
    run: Run,
    X: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    options: dict[str, Any],
    n_pairs: int,
    first_only: bool,
) -> Sensitivity:
    from hpo.analysis.ped_anova import ped_anova

    _check_options(set(options) - {"quantile", "n_bins"}, "ped")
    first = ped_anova(X, y, *run.axes(), **options)
    return Sensitivity(_dicts(run.space.names, first)[0], None, {}, None, None, "ped", len(y))


def _forest(
    run: Run,
    X: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    options: dict[str, Any],
    n_pairs: int,
    first_only: bool,
) -> Sensitivity:
    from hpo.analysis.fanova import forest_fanova, mean_fanova, mean_first_order
    from hpo.analysis.forest import RandomForest
    from hpo.analysis.stacked import fit_stacked_forest

    _check_options(set(options) - set(_FOREST_DEFAULTS), "forest")
    names = run.space.names
    n_levels, is_cat = run.axes()
    opts = {**_FOREST_DEFAULTS, **options}
    if opts["stages"] not in (1, 2):
        raise ValueError(f"options: stages must be 1 or 2, got {opts['stages']!r}")
    axes = {"n_levels": n_levels, "is_categorical": is_cat}
    if opts["stages"] == 1:
        forest = RandomForest(opts["n_trees"], **_ONE_FOREST).fit(X, y, rng=rng, **axes)
        a = forest_fanova(forest, total=not first_only)
        first, total = a.first, a.total
    else:
        forest = fit_stacked_forest(
            X, y, rng=rng, n_trees=opts["n_trees"], folds=opts["folds"], **axes
        )
        if first_only:
            first = mean_first_order(forest)[0]
        else:
            m = mean_fanova(forest, total=True)
            first, total = m.first, m.total
    if first_only:
        return Sensitivity(_dicts(names, first)[0], None, {}, None, None, "forest", len(y))
    top = list(np.argsort(-total, kind="stable")[: min(n_pairs, len(names))])
    pairs = {}
    if len(top) > 1:
        if opts["stages"] == 1:
            pair = forest_fanova(forest, total=False, pairs=top).pairs
        else:
            pair = mean_fanova(forest, total=False, pairs=top, known=(first, m.variance)).pairs
        pairs = _pairs(names, pair, top)
    first_d, total_d = _dicts(names, first, total)
    if opts["stages"] == 1:  # bands: the spread of the trees' own fractions
        bands = [np.quantile(b, [0.05, 0.95], axis=0) for b in (a.per_tree_first, a.per_tree_total)]
    else:
        bands = [None, None]
    return Sensitivity(
        first_d,
        total_d,
        pairs,
        _bands(names, bands[0]),
        _bands(names, bands[1]),
        "forest",
        len(y),
    )


def _gp(
    run: Run,
    X: np.ndarray,
    y: np.ndarray,
    rng: np.random.Generator,
    options: dict[str, Any],
    n_pairs: int,
    first_only: bool,
) -> Sensitivity:
    from hpo.analysis.sobol import fit_gp, gp_sobol

    _check_options(set(options) - {"n_base", "n_draws", "max_fit"}, "gp")
    names = run.space.names
    gp = fit_gp(X, y, rng, max_fit=options.pop("max_fit", 256))
    if first_only:
        options["n_draws"] = 0
        n_pairs = 0
    s = gp_sobol(gp, len(names), rng, snap=run.space.snap, n_pairs=n_pairs, **options)
    top = sorted(np.argsort(-s.total, kind="stable")[: min(n_pairs, len(names))])
    first, total = _dicts(names, s.first, s.total)
    return Sensitivity(
        first,
        total,
        _pairs(names, s.pairs, top) if len(top) > 1 else {},
        _bands(names, s.first_band),
        _bands(names, s.total_band),
        "gp",
        len(y),
    )


def _check_options(unknown: set[str], surrogate: str) -> None:
    if unknown:
        raise ValueError(f"options: {sorted(unknown)} do not apply to surrogate={surrogate!r}")


def importance(
    obj: Any,
    *,
    surrogate: str = "forest",
    seed: SeedLike = 0,
    space: Any = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """First-order variance fraction of each parameter (DESIGN 1b).

    A Sobol main-effect estimate per parameter, not normalized to sum to 1 (what is left is
    interactions); negative Monte Carlo estimates are clipped to 0. Parameters as in
    :func:`sensitivity`; only the first-order fractions are computed.

    Returns
    -------
    dict of str to float
        In the order of the space's parameters.

    Examples
    --------
    >>> from hpo import minimize
    >>> from hpo.problems import get_problem
    >>> p = get_problem("ishigami")
    >>> result = minimize(p, p.space, optimizer="random", n_trials=200, seed=0)
    >>> imp = importance(result, space=p.space)
    >>> sorted(imp, key=imp.get, reverse=True)[:2]
    ['x1', 'x0']
    """
    s = sensitivity(
        obj,
        surrogate=surrogate,
        seed=seed,
        space=space,
        n_pairs=0,
        options=options,
        first_only=True,
    )
    return {k: max(v, 0.0) for k, v in s.first.items()}
