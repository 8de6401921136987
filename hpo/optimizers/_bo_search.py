"""What Bayesian optimization needs from a mixed space: GP features and an acquisition search.

Notation
--------
U : points of the unit cube of the space, shape ``(m, d)`` (one column per parameter).
F : GP features of those points, shape ``(m, p)``.

Features (the input transformation of Garrido-Merchan & Hernandez-Lobato 2020, "Dealing with
categorical and integer-valued variables in Bayesian optimization with Gaussian processes",
Neurocomputing 380): the kernel sees every point as the configuration it stands for.

* Real: its unit coordinate.
* Integer: the unit coordinate of its value (``space.snap``: the centre of its bin on a
  linear scale, inside it on a log scale), so the GP is constant over each integer and never
  models values between integers.
* Categorical with ``k`` choices: ``k`` one-hot columns scaled by ``1/sqrt(2)``, so two
  different choices lie at squared distance 1 and no order is assumed between them.

Conditional spaces (``conditional="indicator"``, the default, or ``"impute"``): an inactive
parameter's features are those of its fixed imputed coordinate (the space's fill value,
``snap(0.5)``), whatever its unit column holds, so two points that decode to the same
configuration have the same features; with ``"indicator"`` one more column per conditional
parameter holds its activity (1 active, 0 inactive), so the kernel tells "inactive" from "set
to the imputed value" and configurations on different branches lie apart. Activity is computed
from the decoded parents (categoricals and integers) and is never optimized freely; it is
piecewise constant, so the gradient steps on the reals see it as a constant and the discrete
steps, which try every value of a parent, recompute it. An inactive real has zero gradient and
keeps the coordinate of its raw candidate, so that switching its parent brings it in with a
quasi-random value rather than the fill. This is the "imputation plus activity indicator"
baseline of conditional BO (see Jenatton et al. 2017, "Bayesian optimization with
tree-structured dependencies", ICML, on why imputation alone can mislead the kernel);
``benchmarks/results/conditional/ablation.md`` compares the two choices.

Acquisition search (all of it lives here; :mod:`hpo.gp.acquisition` only supplies the maths,
``a``, ``da/dmu`` and ``da/dvar``, and :mod:`hpo.optimizers.design` the Sobol points):
scrambled-Sobol raw candidates, then from the best of them reals by gradient (a batched
L-BFGS-B, :func:`local_search`; when asked, in units of the kernel's lengthscales), integers
and categoricals by exact discrete search: each discrete parameter in turn is set to its best
value among all of its values (up to :data:`MAX_ENUMERATED`; larger integer ranges try that
many values spread over the range, evenly on the parameter's own scale (geometrically on a
log scale), plus the neighbours of the current one), alternating with the gradient steps on
the reals until nothing changes. This is a coordinate search: it finds a local maximum, and can
stop one integer away from the global one when the acquisition has a narrow peak in the reals
that moves with the integer (tests/optimizers/test_bo_search.py keeps to peaks that overlap).

Entry points: :func:`maximize_acquisition` (a GP and an acquisition of :mod:`hpo.gp`, over a
:class:`FeatureMap` of a space) and :func:`maximize_mixed` (any function of the GP features).
"""

from __future__ import annotations

import numpy as np

from hpo.gp._lbfgsb import minimize_lbfgsb, minimize_lbfgsb_batch
from hpo.gp.acquisition import Acquisition, acquisition_and_gradient
from hpo.gp.regression import GaussianProcess
from hpo.optimizers.design import sobol
from hpo.space import Space

__all__ = [
    "MAX_ENUMERATED",
    "FeatureMap",
    "local_search",
    "maximize_acquisition",
    "maximize_mixed",
]

MAX_ENUMERATED = 64
_MAX_ROUNDS = 100  # alternations of real and discrete steps; each round that goes on improves
_NEIGHBOURS = (-2, -1, 1, 2)
SEARCH_GTOL = 1e-6  # L-BFGS-B's projected-gradient tolerance of the acquisition search
SEARCH_FTOL = 2.220446049250313e-09  # and its relative-reduction tolerance (scipy's default)
SEARCH_BATCH = ("stacked", "independent")  # how local_search runs its starts
SEARCH_INTEGERS = ("discrete", "relaxed")  # how maximize_mixed searches large integers


CONDITIONAL = ("indicator", "impute")


class FeatureMap:
    """The map from the unit cube of ``space`` to GP features (see the module notes).

    Parameters
    ----------
    space : Space
    conditional : {"indicator", "impute"}, default "indicator"
        In a conditional space: impute inactive parameters and add one activity-indicator
        feature per conditional parameter, or impute only. Ignored for flat spaces.
    """

    #: Activity structure (class defaults: flat, and maps pickled before conditions existed).
    conditional: str = "impute"
    _rules: tuple = ()
    _indicators: np.ndarray = np.zeros(0, dtype=int)

    def __init__(self, space: Space, conditional: str = "indicator") -> None:
        if conditional not in CONDITIONAL:
            raise ValueError(f"conditional must be one of {CONDITIONAL}, got {conditional!r}")
        self.space = space
        self.conditional = conditional
        self.real = np.flatnonzero(space.is_real)
        self.discrete = np.flatnonzero(~space.is_real)
        self._slices: list[tuple[int, int, int]] = []  # (column, first feature, width)
        width = 0
        for j, p in enumerate(space.values()):
            w = p.n_values if p.kind == "categorical" else 1
            w = 0 if w == 1 and p.kind == "categorical" else w  # one choice: no information
            self._slices.append((j, width, w))
            width += w
        if space.conditions is not None:
            self._rules = self._activity_rules(space)
            if conditional == "indicator":
                cond = space.conditions.when
                self._indicators = np.array([j for j, n in enumerate(space.names) if n in cond])
                width += len(self._indicators)
        self.n_features = width
        self.real_features = np.array([self._slices[j][1] for j in self.real], dtype=int)

    @staticmethod
    def _activity_rules(space: Space) -> tuple:
        """``(child column, ((parent column, allowed decoded values), ...))`` in a
        topological order: the child is active when every parent is active and decodes to
        one of its allowed values (choice indices for categoricals, integers otherwise)."""
        cond = space.conditions
        column = {n: j for j, n in enumerate(space.names)}
        rules = []
        for name in cond.order:
            if name not in cond.when:
                continue
            parents = []
            for parent, values in cond.when[name].items():
                q = space[parent]
                allowed = [q.index(v) for v in values] if q.kind == "categorical" else values
                parents.append((column[parent], np.array(allowed, dtype=np.int64)))
            rules.append((column[name], tuple(parents)))
        return tuple(rules)

    def active(self, U: np.ndarray) -> np.ndarray:
        """Activity of each parameter at unit points ``U``, a boolean array of ``U``'s shape
        (all True in a flat space)."""
        U = np.atleast_2d(U)
        A = np.ones(U.shape, dtype=bool)
        params = list(self.space.values())
        for j, parents in self._rules:  # parents before children: their activity is final
            for q, allowed in parents:
                A[:, j] &= A[:, q] & np.isin(params[q].decode(U[:, q]), allowed)
        return A

    def _plan(self) -> tuple:
        """Column groups for :meth:`__call__` (built once; maps pickled before it existed
        build it on first use): the integer and categorical parameters with their
        columns, and the columns and first features of the non-categorical ones."""
        plan = self.__dict__.get("_plan_cache")
        if plan is None:
            params = list(self.space.values())
            integers = [(j, params[j]) for j in self.discrete if params[j].kind == "integer"]
            choices = [
                (j, start, w, params[j])
                for j, start, w in self._slices
                if params[j].kind == "categorical" and w
            ]
            plain = [(j, start) for j, start, _ in self._slices if params[j].kind != "categorical"]
            cols = np.array([j for j, _ in plain], dtype=int)
            starts = np.array([start for _, start in plain], dtype=int)
            categorical = [(j, params[j]) for j in self.discrete if params[j].kind == "categorical"]
            plan = (integers, categorical, choices, cols, starts)
            self.__dict__["_plan_cache"] = plan
        return plan

    def _snap(self, U: np.ndarray) -> np.ndarray:
        """``space.snap`` (the same operations on the same columns), by column groups."""
        integers, categorical, _, _, _ = self._plan()
        U = np.array(U, dtype=float, copy=True)
        if len(self.real):
            U[:, self.real] = np.clip(U[:, self.real], 0.0, 1.0)
        for j, p in integers:
            U[:, j] = p.encode(p.decode(U[:, j]))
        for j, p in categorical:
            U[:, j] = (p.decode(U[:, j]) + 0.5) / p.n_values
        return U

    def __call__(self, U: np.ndarray) -> np.ndarray:
        if len(self.real) == self.space.dim and not self._rules:  # reals only: F = clip(U)
            return np.clip(np.atleast_2d(np.asarray(U, dtype=float)), 0.0, 1.0)
        U = self._snap(np.atleast_2d(U))
        A = None
        if self._rules:
            A = self.active(U)
            U = np.where(A, U, self.space._inactive_unit)  # the imputed coordinate
        F = np.zeros((len(U), self.n_features))
        if A is not None and len(self._indicators):
            F[:, -len(self._indicators) :] = A[:, self._indicators]
        _, _, choices, cols, starts = self._plan()
        F[:, starts] = U[:, cols]
        for j, start, _, p in choices:
            idx = p.decode(U[:, j])
            F[np.arange(len(U)), start + idx] = np.sqrt(0.5)
        return F

    def values(self, j: int, current: np.ndarray) -> np.ndarray:
        """Unit coordinates to try for discrete column ``j``: all values, or a spread and
        the neighbours of each ``current`` coordinate. Shape ``(n_values,)``."""
        p = self.space[self.space.names[j]]
        if p.kind == "categorical":
            return (np.arange(p.n_values) + 0.5) / p.n_values
        if p.n_values <= MAX_ENUMERATED:
            return p.encode(np.arange(p.low, p.high + 1))
        # evenly spread on the parameter's own scale: a linear spread would leave one value
        # below 1,600 on Integer(1, 100000, log=True), where the log scale puts half the axis
        even = np.geomspace if p.scale == "log" else np.linspace
        spread = np.unique(np.round(even(p.low, p.high, MAX_ENUMERATED)))
        cur = p.decode(current)
        near = np.clip(np.concatenate([cur + k for k in _NEIGHBOURS]), p.low, p.high)
        return p.encode(np.unique(np.concatenate([spread, near])))


def maximize_acquisition(
    gp: GaussianProcess,
    acquisition: Acquisition,
    fmap: FeatureMap,
    rng: np.random.Generator,
    **options,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximize ``acquisition`` of the posterior of ``gp`` over the space of ``fmap``.

    Parameters
    ----------
    gp : GaussianProcess
        Fitted on GP features of the space (``fmap(U)``).
    acquisition : Acquisition
        From :func:`hpo.gp.acquisition.make_acquisition`, its incumbent in the GP's
        standardized units.
    fmap : FeatureMap
    rng : numpy.random.Generator
    **options
        ``n_raw``, ``n_restarts``, ``extra``, ``lengthscales``, ``ftol``, ``batch``,
        ``box``, ``gtol``, ``integers``, ``spread`` of :func:`maximize_mixed`.

    Returns
    -------
    As :func:`maximize_mixed`.

    Examples
    --------
    >>> from hpo import Integer, Real, Space
    >>> from hpo.gp.acquisition import make_acquisition
    >>> space = Space({"x": Real(0.0, 1.0), "k": Integer(1, 1000, log=True)})
    >>> fmap, rng = FeatureMap(space), np.random.default_rng(0)
    >>> U = rng.random((8, 2))
    >>> gp = GaussianProcess().fit(fmap(U), np.sin(5 * U[:, 0]), rng=rng)
    >>> acq = make_acquisition("logei", float(np.min(gp.standardize_y(gp.y_train))))
    >>> best, values, _, _ = maximize_acquisition(gp, acq, fmap, rng)
    >>> space.from_unit(best[0])["k"] in range(1, 1001)
    True
    """

    def fun(F: np.ndarray, gradient: bool):
        return acquisition_and_gradient(gp, acquisition, F, gradient)

    return maximize_mixed(fun, fmap, rng, **options)


def maximize_mixed(
    fun,
    fmap: FeatureMap,
    rng: np.random.Generator,
    *,
    n_raw: int = 1024,
    n_restarts: int = 10,
    extra: np.ndarray | None = None,
    lengthscales: np.ndarray | None = None,
    ftol: float = SEARCH_FTOL,
    batch: str = "stacked",
    box: tuple[np.ndarray, np.ndarray] | None = None,
    gtol: float = SEARCH_GTOL,
    integers: str = "discrete",
    spread: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximize an acquisition over the unit cube of a mixed space.

    Parameters
    ----------
    fun : callable
        ``fun(F, gradient)`` on GP features of shape ``(m, n_features)`` returns
        ``(a, da/dF)`` of shapes ``(m,)`` and ``(m, n_features)`` (``None`` without
        ``gradient``), as :func:`hpo.gp.acquisition.acquisition_and_gradient` does.
    fmap : FeatureMap
    rng : numpy.random.Generator
    n_raw, n_restarts : int
        Quasi-random candidates, and how many of the best start a local search.
    extra : ndarray of shape (k, d), optional
        More candidates (unit cube), such as perturbations of the incumbents.
    lengthscales : ndarray of shape (n_features,), optional
        The kernel's lengthscales over the GP features; the gradient steps on the reals
        search in units of them (the preconditioning of :func:`local_search`).
    ftol : float, default :data:`SEARCH_FTOL`
        Relative-reduction tolerance of the gradient steps (:func:`local_search`).
    batch : {"stacked", "independent"}, default "stacked"
        With ``"independent"``, ``fun`` is also given ``rows=``, the indices of the
        starts that the rows of ``X`` belong to (a round evaluates only the runs that
        have not stopped).
        How :func:`local_search` runs the gradient steps of all starts.
    box : (lower, upper), optional
        Search only this box of the unit cube (arrays of shape ``(d,)``; a trust region,
        :mod:`hpo.optimizers._trust_region`): the raw candidates are drawn in it, the extra
        ones clipped to it, and the gradient steps bounded by it. Give discrete columns
        ``[0, 1]``.
    gtol : float, default :data:`SEARCH_GTOL`
        Projected-gradient tolerance of the gradient steps (:func:`local_search`).
    integers : {"discrete", "relaxed"}, default "discrete"
        With ``"relaxed"`` (flat spaces), an integer with more than
        :data:`MAX_ENUMERATED` values joins the gradient steps as a continuous coordinate
        (its feature is the unsnapped unit coordinate there: the GP's posterior between
        two integers), is snapped after each of them, and its discrete steps try only
        the neighbours of its value (:data:`_NEIGHBOURS`) instead of a spread over its
        range.
    spread : int, default 0
        With ``integers="relaxed"``, the discrete steps of a relaxed integer also try
        this many values spread over its range (as :meth:`FeatureMap.values` spreads
        :data:`MAX_ENUMERATED`: evenly on the parameter's own scale), so that a start can
        still jump across the range as the discrete search's can; 0 (or 1) tries the
        neighbours only. Ignored with ``integers="discrete"``.

    Returns
    -------
    U, values : ndarrays of shape (n_restarts, d) and (n_restarts,)
        Local maximizers (snapped to configurations), best first.
    raw, raw_values : ndarrays
        The raw candidates and their values, as fallbacks.
    """
    if batch not in SEARCH_BATCH:
        raise ValueError(f"batch must be one of {SEARCH_BATCH}, got {batch!r}")
    if integers not in SEARCH_INTEGERS:
        raise ValueError(f"integers must be one of {SEARCH_INTEGERS}, got {integers!r}")
    if isinstance(spread, bool) or not isinstance(spread, (int, np.integer)) or spread < 0:
        raise ValueError(f"spread must be a non-negative integer, got {spread!r}")
    space, d = fmap.space, fmap.space.dim
    relaxed = _relaxed_integers(fmap) if integers == "relaxed" else np.zeros(0, dtype=int)
    if len(relaxed):  # large integers join the gradient steps
        return _maximize_relaxed(
            fun, fmap, rng, relaxed, n_raw=n_raw, n_restarts=n_restarts, extra=extra,
            lengthscales=lengthscales, ftol=ftol, batch=batch, box=box, gtol=gtol,
            spread=int(spread),
        )  # fmt: skip
    scale = None
    if lengthscales is not None:
        scale = np.broadcast_to(np.asarray(lengthscales, float), (fmap.n_features,))
        scale = scale[fmap.real_features]

    def on_unit(U: np.ndarray, gradient: bool = False):
        a, dF = fun(fmap(U), gradient)
        if not gradient:
            return a, None
        if len(fmap.real) == d and not fmap._rules:  # reals only: features are U
            return a, dF
        dU = np.zeros((len(U), d))
        dU[:, fmap.real] = dF[:, fmap.real_features]
        if fmap._rules:  # an inactive real's feature is its fixed imputed value
            dU *= fmap.active(U)
        return a, dU

    def on_reals(fixed: np.ndarray):
        """``fun`` of the real columns with the discrete ones held at those of ``fixed``
        (snapped), as :func:`_real_step` asks for it, or None for the general path. The
        features of the discrete columns are built once: snapping a snapped coordinate
        gives it back, so they are what ``fmap`` would rebuild at every step."""
        if fmap._rules or not len(fmap.discrete):
            return None
        return _on_feature_columns(fun, fmap(fixed), fmap.real_features)

    lower, upper = (np.zeros(d), np.ones(d)) if box is None else box
    raw, raw_values, order = _scored_raw(on_unit, space, rng, n_raw, extra, lower, upper)
    U = raw[order[:n_restarts]].copy()
    values = raw_values[order[:n_restarts]]
    for _ in range(_MAX_ROUNDS):  # until nothing changes
        if len(fmap.real):
            real_box = None if box is None else (lower[fmap.real], upper[fmap.real])
            U, values = _real_step(
                on_unit, U, fmap.real, scale, ftol, batch, on_reals(U), real_box, gtol
            )
        if not len(fmap.discrete):
            break
        U, values, changed = _discrete_step(on_unit, fmap, U, values)
        if not changed:
            break
    best = np.argsort(-values, kind="stable")
    return space.snap(U[best]), values[best], raw[order], raw_values[order]


def _on_feature_columns(fun, F_fixed: np.ndarray, columns: np.ndarray):
    """``fun`` of the feature ``columns`` only, every other feature held at ``F_fixed``'s
    (built once); the gradient is restricted to those columns. ``rows`` picks the rows of
    ``F_fixed`` that a batched L-BFGS-B round still runs."""

    def column_fun(Z: np.ndarray, gradient: bool, rows: np.ndarray | None = None):
        F = F_fixed.copy() if rows is None else F_fixed[rows]
        F[:, columns] = np.clip(Z, 0.0, 1.0)
        a, dF = fun(F, gradient)
        return a, None if dF is None else dF[:, columns]

    return column_fun


def _scored_raw(on_unit, space, rng, n_raw, extra, lower, upper):
    """The raw candidates of the acquisition search: ``n_raw`` scrambled Sobol points in the
    box ``[lower, upper]`` plus ``extra`` (clipped into it), snapped to the space; their
    acquisition values and the order that sorts them best first."""
    raw = lower + (upper - lower) * sobol(n_raw, len(lower), rng)
    if extra is not None and len(extra):
        raw = np.vstack([raw, np.clip(extra, lower, upper)])
    raw = space.snap(raw)
    raw_values, _ = on_unit(raw)
    return raw, raw_values, np.argsort(-raw_values)


def _relaxed_integers(fmap: FeatureMap) -> np.ndarray:
    """The integer columns that ``integers="relaxed"`` searches by gradient: those with
    more than :data:`MAX_ENUMERATED` values, in a flat space (none in a conditional one)."""
    if fmap._rules:
        return np.zeros(0, dtype=int)
    params = list(fmap.space.values())
    return np.array(
        [
            j
            for j in fmap.discrete
            if params[j].kind == "integer" and params[j].n_values > MAX_ENUMERATED
        ],
        dtype=int,
    )


def _maximize_relaxed(
    fun,
    fmap: FeatureMap,
    rng: np.random.Generator,
    relaxed: np.ndarray,
    *,
    n_raw: int,
    n_restarts: int,
    extra: np.ndarray | None,
    lengthscales: np.ndarray | None,
    ftol: float,
    batch: str,
    box: tuple[np.ndarray, np.ndarray] | None,
    gtol: float,
    spread: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`maximize_mixed` with ``integers="relaxed"`` (same raw candidates and starts):
    the gradient steps run over the reals and the ``relaxed`` integer columns, whose
    features are their unsnapped unit coordinates during the step; each step's end is
    snapped and re-scored, and the discrete steps try the neighbours of the relaxed
    integers' values (and ``spread`` values over their ranges) and every value of the
    other discrete columns."""
    space, d = fmap.space, fmap.space.dim
    grad_cols = np.union1d(fmap.real, relaxed)  # unit columns the gradient steps move
    slices = fmap._slices
    grad_features = np.array([slices[j][1] for j in grad_cols], dtype=int)
    scale = None
    if lengthscales is not None:
        scale = np.broadcast_to(np.asarray(lengthscales, float), (fmap.n_features,))
        scale = scale[grad_features]

    def on_unit(U: np.ndarray, gradient: bool = False):
        a, dF = fun(fmap(U), gradient)
        if not gradient:
            return a, None
        dU = np.zeros((len(U), d))
        dU[:, fmap.real] = dF[:, fmap.real_features]
        return a, dU

    def on_grad_cols(fixed: np.ndarray):
        """``fun`` of the gradient columns, the other discrete ones held at ``fixed``'s
        (their features built once); the relaxed integers' features are their values."""
        return _on_feature_columns(fun, fmap(fixed), grad_features)

    lower, upper = (np.zeros(d), np.ones(d)) if box is None else box
    raw, raw_values, order = _scored_raw(on_unit, space, rng, n_raw, extra, lower, upper)
    U = raw[order[:n_restarts]].copy()
    values = raw_values[order[:n_restarts]]
    for _ in range(_MAX_ROUNDS):  # until nothing changes
        step_box = None if box is None else (lower[grad_cols], upper[grad_cols])
        moved, _ = _real_step(
            on_unit, U, grad_cols, scale, ftol, batch, on_grad_cols(U), step_box, gtol
        )
        moved = space.snap(moved)  # the relaxed integers back on their values
        moved_values, _ = on_unit(moved)
        better = moved_values > values
        U[better], values[better] = moved[better], moved_values[better]
        U, values, changed = _discrete_step(
            on_unit, fmap, U, values, near_only=tuple(relaxed.tolist()), spread=spread
        )
        if not changed:
            break
    best = np.argsort(-values, kind="stable")
    return space.snap(U[best]), values[best], raw[order], raw_values[order]


def _real_step(
    on_unit,
    U: np.ndarray,
    real: np.ndarray,
    scale: np.ndarray | None,
    ftol: float = SEARCH_FTOL,
    batch: str = "stacked",
    real_fun=None,
    box: tuple[np.ndarray, np.ndarray] | None = None,
    gtol: float = SEARCH_GTOL,
) -> tuple[np.ndarray, np.ndarray]:
    """L-BFGS-B over the real columns (in units of ``scale``), the discrete ones fixed
    (``real_fun``: the objective of the reals at those discrete values, if at hand)."""
    fixed = U.copy()

    def fun(Z: np.ndarray, gradient: bool, rows: np.ndarray | None = None):
        full = fixed.copy() if rows is None else fixed[rows]
        full[:, real] = Z
        a, dU = on_unit(full, gradient)
        return a, None if dU is None else dU[:, real]

    if real_fun is not None:
        fun = real_fun
    Z, values = local_search(
        fun, U[:, real], scale=scale, ftol=ftol, batch=batch, box=box, gtol=gtol
    )
    out = fixed.copy()
    out[:, real] = Z
    return out, values


def _discrete_step(
    on_unit,
    fmap: FeatureMap,
    U: np.ndarray,
    values: np.ndarray,
    near_only: tuple[int, ...] = (),
    spread: int = 0,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Set each discrete column in turn to its best value, for every start at once (for
    the integer columns ``near_only``, the best among the neighbours of the values and
    ``spread`` values over the range)."""
    changed = False
    for j in fmap.discrete:
        if j in near_only:
            grid = _near(fmap, j, U[:, j], spread)
        else:
            grid = fmap.values(j, U[:, j])
        trial = np.repeat(U, len(grid), axis=0)
        trial[:, j] = np.tile(grid, len(U))
        a, _ = on_unit(trial)
        a = a.reshape(len(U), len(grid))
        pick = np.argmax(a, axis=1)
        better = a[np.arange(len(U)), pick] > values + 1e-12
        if np.any(better):
            changed = True
            U[better, j] = grid[pick[better]]
            values[better] = a[better, pick[better]]
    return U, values, changed


def _near(fmap: FeatureMap, j: int, current: np.ndarray, spread: int = 0) -> np.ndarray:
    """Unit coordinates of the values of integer column ``j`` at offsets
    :data:`_NEIGHBOURS` from the ``current`` ones, those values themselves, and (``spread``
    of at least 2) ``spread`` values spread over its range as :meth:`FeatureMap.values`
    spreads its own."""
    p = fmap.space[fmap.space.names[j]]
    cur = p.decode(current)
    near = np.clip(np.concatenate([cur] + [cur + k for k in _NEIGHBOURS]), p.low, p.high)
    if spread >= 2:  # as FeatureMap.values, with fewer values
        even = np.geomspace if p.scale == "log" else np.linspace
        near = np.concatenate([near, np.round(even(p.low, p.high, spread))])
    return p.encode(np.unique(near))


def local_search(
    fun,
    starts: np.ndarray,
    maxiter: int = 200,
    scale: np.ndarray | None = None,
    ftol: float = SEARCH_FTOL,
    batch: str = "stacked",
    box: tuple[np.ndarray, np.ndarray] | None = None,
    gtol: float = SEARCH_GTOL,
) -> tuple[np.ndarray, np.ndarray]:
    """Batched L-BFGS-B in ``[0, 1]^d`` (or ``box``) from each row of ``starts``.

    ``batch="stacked"``: the starts are independent, so one L-BFGS-B run on
    ``-sum_k a(x_k)`` (dimension ``k * d``, block-diagonal gradient) optimizes them all,
    with one vectorized call of ``fun`` per step instead of one per start; its curvature
    memory, line search and stopping tests are shared, so every start takes as many steps
    as the slowest needs. ``batch="independent"``: one L-BFGS-B run per start, advanced
    side by side with their evaluations batched into one call of ``fun`` per round
    (:func:`hpo.gp._lbfgsb.minimize_lbfgsb_batch`, Optuna's GP sampler's design); each
    start stops on its own tests (``ftol`` relative to its own value).

    Parameters
    ----------
    fun : callable
        ``fun(X, gradient)`` with ``X`` of shape ``(m, d)`` returns ``(a, da)``: values of
        shape ``(m,)`` and, when ``gradient``, gradients of shape ``(m, d)``.
    starts : ndarray of shape (k, d)
    maxiter : int, default 200
    scale : ndarray of shape (d,), optional
        Search ``z = x / scale`` instead of ``x``; pass the kernel's lengthscales (see the
        note in the code).
    ftol : float, default :data:`SEARCH_FTOL`
        L-BFGS-B's relative-reduction tolerance (of the sum over the starts when stacked).
    batch : {"stacked", "independent"}, default "stacked"
        With ``"independent"``, ``fun`` is also given ``rows=``, the indices of the
        starts that the rows of ``X`` belong to (a round evaluates only the runs that
        have not stopped).
    box : (lower, upper), optional
        Bounds of shape ``(d,)`` inside ``[0, 1]^d``, containing the starts.
    gtol : float, default :data:`SEARCH_GTOL`
        L-BFGS-B's projected-gradient tolerance (in the units of ``z``). Optuna's GP
        sampler stops its search at 1e-2 (``pgtol=sqrt(1e-4)``); ours was 1e-6 from the
        start.

    Returns
    -------
    X : ndarray of shape (k, d)
        The local maximizers.
    values : ndarray of shape (k,)
    """
    k, dim = starts.shape
    # Preconditioning, as in Optuna's GP sampler: a stationary kernel sees x / l, so in
    # z = x / l the acquisition varies about equally fast along every axis, and L-BFGS-B,
    # whose curvature memory is shared by all k starts, needs far fewer iterations when
    # the lengthscales l differ. x = z * s, da/dz = da/dx * s, z in [0, 1/s].
    s = np.ones(dim) if scale is None else np.broadcast_to(np.asarray(scale, float), (dim,))
    lower, upper = (np.zeros(dim), np.ones(dim)) if box is None else box

    if batch == "independent":

        def each(Z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            a, da = fun(Z * s, True, rows=rows)
            return -a, -(da * s)

        Z, _, _ = minimize_lbfgsb_batch(
            each, starts / s, lower / s, upper / s, maxiter=maxiter, gtol=gtol, ftol=ftol
        )
        X = np.clip(Z * s, lower, upper)
        values, _ = fun(X, False)
        start_values, _ = fun(starts, False)
        worse = values < start_values
        X[worse], values[worse] = starts[worse], start_values[worse]
        return X, values

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        a, da = fun(flat.reshape(k, dim) * s, True)
        return -float(np.sum(a)), -(da * s).ravel()

    res = minimize_lbfgsb(  # scipy's L-BFGS-B, bit for bit, leaner
        objective,
        (starts / s).ravel(),
        np.tile(lower / s, k),
        np.tile(upper / s, k),
        maxiter=maxiter,
        gtol=gtol,
        ftol=ftol,
    )
    X = np.clip(res.x.reshape(k, dim) * s, lower, upper)
    values, _ = fun(X, False)
    # A start that L-BFGS-B made worse (a non-monotone batch step) keeps its start.
    start_values, _ = fun(starts, False)
    worse = values < start_values
    X[worse], values[worse] = starts[worse], start_values[worse]
    return X, values
