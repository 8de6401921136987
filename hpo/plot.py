"""Figures of one search: convergence, evaluations, importances, partial dependence, slices and
parallel coordinates; for several objectives, the Pareto front of a run, and (from
:mod:`hpo.plot_moo`) the attained fronts of several runs, their empirical attainment surfaces
and hypervolume against evaluations.

Every function takes what :func:`hpo.analysis.as_trials` accepts (an optimizer, a ``Result``
with ``space=``, a fitted ``SearchCV``, a journal ``RunRecord``, an ``hpo run --json`` file)
and returns a :class:`matplotlib.figure.Figure` built without pyplot, so it never touches the
user's backend; save it with ``fig.savefig(...)`` or :func:`hpo.bench.plots.save_figure`.
Axes are in the space's own terms: log axes for log-scaled parameters, the levels of
categoricals as ticks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec

from hpo._seed import SeedLike
from hpo.analysis.data import Run, as_trials
from hpo.analysis.importance import Sensitivity, importance, sensitivity
from hpo.analysis.partial_dependence import PartialDependenceModel
from hpo.plot_moo import plot_attainment, plot_fronts, plot_hypervolume
from hpo.trial import best_so_far

__all__ = [
    "plot_attainment",
    "plot_convergence",
    "plot_evaluations",
    "plot_fronts",
    "plot_hypervolume",
    "plot_importance",
    "plot_parallel_coordinates",
    "plot_pareto_front",
    "plot_partial_dependence",
    "plot_slice",
]

_FAILED = "#d62728"
_BEST = "#ff7f0e"


def _grid(
    nrows: int,
    ncols: int,
    width: float,
    height: float,
    *,
    left: float = 0.75,
    right: float = 0.15,
    bottom: float = 0.6,
    top: float = 0.4,
    gap_x: float = 0.6,
    gap_y: float = 0.65,
) -> tuple[Figure, GridSpec]:
    """``nrows`` by ``ncols`` panels of ``width`` by ``height`` inches, margins and gaps in
    inches. A fixed layout: matplotlib's constrained layout measured every tick label of
    every panel at each draw, most of the time spent rendering a panel matrix."""
    w = left + right + ncols * width + (ncols - 1) * gap_x
    h = bottom + top + nrows * height + (nrows - 1) * gap_y
    fig = Figure(figsize=(w, h))
    grid = {
        "left": left / w,
        "right": 1.0 - right / w,
        "bottom": bottom / h,
        "top": 1.0 - top / h,
        "wspace": gap_x / width,
        "hspace": gap_y / height,
    }
    return fig, fig.add_gridspec(nrows, ncols, **grid)


def _panels(n: int, width: float = 2.4, height: float = 1.9) -> tuple[Figure, list[Axes]]:
    ncols = min(n, 4)
    nrows = math.ceil(n / ncols)
    fig, grid = _grid(nrows, ncols, width, height)
    return fig, [fig.add_subplot(grid[i // ncols, i % ncols]) for i in range(n)]


def _coordinate(run: Run, name: str, values: Sequence[Any]) -> np.ndarray:
    """Where values sit on a panel's axis: themselves, or the level index of a choice."""
    p = run.space[name]
    if p.kind == "categorical":
        return np.array([p.index(v) for v in values], dtype=float)  # type: ignore[attr-defined]
    return np.asarray(values, dtype=float)


def _scale_axis(ax: Axes, run: Run, name: str, axis: str = "x") -> None:
    """A log axis for log-scaled parameters, the levels as ticks for categoricals."""
    p = run.space[name]
    setter = ax.set_xscale if axis == "x" else ax.set_yscale
    if getattr(p, "scale", "linear") == "log":
        setter("log")
    if p.kind == "categorical":
        ticks = range(p.n_values)
        labels = [str(c) for c in p.choices]  # type: ignore[attr-defined]
        if axis == "x":
            ax.set_xticks(ticks, labels, rotation=30 if len(labels) > 3 else 0)
            ax.set_xlim(-0.3, p.n_values - 0.7)  # room for the points on the end levels
        else:
            ax.set_yticks(ticks, labels)
            ax.set_ylim(-0.3, p.n_values - 0.7)
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(name)


def _values(run: Run) -> np.ndarray:
    return np.array([t.value for t in run.completed], dtype=float)


def plot_convergence(
    runs: Any, *, against: str = "trials", labels: Sequence[str] | None = None
) -> Figure:
    """Best loss so far of one or several runs, against trials or against time.

    Parameters
    ----------
    runs : a search, or a list of them
        Anything :func:`hpo.analysis.as_trials` accepts.
    against : {"trials", "time"}, default "trials"
        The horizontal axis: the trial number, or the seconds spent so far (ask + objective +
        tell, summed over the trials).
    labels : list of str, optional
        Legend entries (default: each run's label, else "run i").
    """
    if against not in ("trials", "time"):
        raise ValueError(f"against must be 'trials' or 'time', got {against!r}")
    many = isinstance(runs, (list, tuple)) and runs and not hasattr(runs[0], "number")
    items = [as_trials(r) for r in (runs if many else [runs])]
    if labels is not None and len(labels) != len(items):
        raise ValueError(f"labels: expected {len(items)}, got {len(labels)}")
    fig = Figure(figsize=(5.0, 3.4), layout="constrained")
    ax = fig.subplots()
    for i, run in enumerate(items):
        ok = {id(t) for t in run.completed}
        vals = [t.value if id(t) in ok else None for t in run.trials]
        trace = best_so_far(vals)
        if against == "trials":
            x = np.arange(1, len(trace) + 1)
        else:
            x = np.cumsum([t.ask_time + t.tell_time + (t.eval_time or 0.0) for t in run.trials])
        label = labels[i] if labels else (run.label or f"run {i}")
        ax.step(x, np.where(np.isfinite(trace), trace, np.nan), where="post", label=label)
    ax.set_xlabel("trials" if against == "trials" else "time (s)")
    ax.set_ylabel("best loss so far")
    if len(items) > 1 or labels:
        ax.legend(frameon=False)
    return fig


def plot_evaluations(obj: Any, *, space: Any = None) -> Figure:
    """The loss of every trial against each parameter; failed trials marked with a red cross
    on a strip above the highest loss, the best trial with a star."""
    run = as_trials(obj, space=space)
    names = run.space.names
    fig, axes = _panels(len(names))
    done, failed = run.completed, run.failed
    y = _values(run)
    top = (np.max(y) + 0.08 * (np.ptp(y) or 1.0)) if len(y) else 1.0
    best = int(np.argmin(y)) if len(y) else None
    for ax, name in zip(axes, names):
        x = _coordinate(run, name, [t.params[name] for t in done])
        ax.scatter(x, y, s=10, c=[t.number for t in done], cmap="viridis", alpha=0.8)
        if failed:
            xf = _coordinate(run, name, [t.params[name] for t in failed])
            ax.scatter(xf, np.full(len(xf), top), marker="x", color=_FAILED, s=18, label="failed")
        if best is not None:
            ax.scatter(x[best], y[best], marker="*", s=120, color=_BEST, zorder=3, label="best")
        _scale_axis(ax, run, name)
    axes[0].set_ylabel("loss")
    axes[0].legend(frameon=False, fontsize="small")
    fig.suptitle(f"{len(done)} complete, {len(failed)} failed (colour: trial number)")
    return fig


def plot_importance(
    obj: Any, *, surrogate: str = "forest", seed: SeedLike = 0, space: Any = None
) -> Figure:
    """First-order (filled, with its 5-95 % band) and total (outlined) variance fractions.

    ``obj`` is a search or a :class:`~hpo.analysis.Sensitivity` already computed."""
    s = (
        obj
        if isinstance(obj, Sensitivity)
        else sensitivity(obj, surrogate=surrogate, seed=seed, space=space)
    )
    names = sorted(s.first, key=lambda k: s.first[k])
    fig = Figure(figsize=(5.0, 0.6 + 0.32 * len(names)), layout="constrained")
    ax = fig.subplots()
    pos = np.arange(len(names))
    first = np.array([max(s.first[n], 0.0) for n in names])
    if s.total:
        ax.barh(pos, [s.total[n] for n in names], fill=False, edgecolor="#555555", label="total")
    err = None
    if s.first_band:
        band = np.array([s.first_band[n] for n in names])
        err = np.abs(np.vstack([first - band[:, 0], band[:, 1] - first]))
    ax.barh(pos, first, xerr=err, color="#1f77b4", label="first order", capsize=2)
    ax.set_yticks(pos, names)
    ax.set_xlabel(f"fraction of variance ({s.surrogate}, {s.n_trials} trials)")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _top_parameters(run: Run, max_params: int, seed: SeedLike) -> list[str]:
    names = list(run.space.names)
    if len(names) <= max_params:
        return names
    imp = importance(run, seed=seed)
    return sorted(sorted(names, key=lambda n: -imp[n])[:max_params], key=names.index)


def _line(ax: Axes, run: Run, name: str, x: np.ndarray, mean: np.ndarray, std: np.ndarray):
    if run.space[name].kind == "categorical":
        ax.errorbar(x, mean, yerr=2 * std, fmt="o", capsize=3)
    else:
        ax.plot(x, mean, color="#1f77b4")
        ax.fill_between(x, mean - 2 * std, mean + 2 * std, color="#1f77b4", alpha=0.2, lw=0)


def plot_partial_dependence(
    obj: Any,
    params: Sequence[str] | None = None,
    *,
    max_params: int = 4,
    seed: SeedLike = 0,
    space: Any = None,
    n_samples: int = 32,
) -> Figure:
    """The GP's partial dependence: 1-D on the diagonal (mean +/- 2 sd), 2-D below it
    (mean as filled contours, trials as dots), as ``skopt.plots.plot_objective``.

    Parameters
    ----------
    obj : a search
    params : list of str, optional
        The parameters to show (default: all, or the ``max_params`` most important by the
        forest's fANOVA when there are more).
    max_params : int, default 4
    seed : int, Generator or None, default 0
    space : Space, optional
    n_samples : int, default 32
        Points the other parameters are averaged over; the same points for every grid value,
        so their number moves a curve's level, hardly its shape (32: the figure in < 1 s).
    """
    model = PartialDependenceModel(obj, seed=seed, space=space, n_samples=n_samples)
    run = model.run
    names = list(params) if params is not None else _top_parameters(run, max_params, seed)
    k = len(names)
    # the lower triangle only: the panels above the diagonal are never drawn
    fig, grid = _grid(k, k, 2.0, 1.6, left=0.8, right=0.55, gap_x=0.25, gap_y=0.25)
    done = run.completed
    column: dict[int, Axes] = {}
    row: dict[int, Axes] = {}
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if j > i:
                continue
            # a column shares its parameter's axis, a row of 2-D panels its own
            ax = fig.add_subplot(
                grid[i, j],
                sharex=column.get(j),
                sharey=row.get(i) if i != j else None,
            )
            column.setdefault(j, ax)
            if i != j:
                row.setdefault(i, ax)
            if i == j:
                pd = model.one(a, n_points=30)
                x = _coordinate(run, a, pd.values[0])
                _line(ax, run, a, x, pd.mean, pd.std)
                _scale_axis(ax, run, a)
                ax.yaxis.tick_right()  # the loss's scale, apart from the parameters' axes
            else:
                pd = model.two(b, a, n_points=10)  # b along x, a along y
                xb = _coordinate(run, b, pd.values[0])
                ya = _coordinate(run, a, pd.values[1])
                ax.contourf(xb, ya, pd.mean.T, levels=12, cmap="viridis")  # dark is low
                ax.scatter(
                    _coordinate(run, b, [t.params[b] for t in done]),
                    _coordinate(run, a, [t.params[a] for t in done]),
                    s=3,
                    color="k",
                    alpha=0.4,
                )
                _scale_axis(ax, run, b)
                _scale_axis(ax, run, a, axis="y")
            # parameter names and values on the outer panels only, as skopt's plot_objective
            if j:
                ax.set_ylabel("")
                if i != j:
                    ax.tick_params(labelleft=False)
            if i < k - 1:
                ax.set_xlabel("")
                ax.tick_params(labelbottom=False)
    fig.suptitle("partial dependence (diagonal: mean +/- 2 sd; below: mean, dark is low)")
    return fig


def plot_slice(obj: Any, *, seed: SeedLike = 0, space: Any = None, n_points: int = 60) -> Figure:
    """Slices of the GP through the best trial: the posterior mean +/- 2 sd along each
    parameter with the others held at the best configuration, over the trials (coloured by
    trial number)."""
    model = PartialDependenceModel(obj, seed=seed, space=space, n_samples=1)
    run = model.run
    X, y = run.arrays()
    best = X[int(np.argmin(y))]
    fig, axes = _panels(run.space.dim)
    done = run.completed
    model.base = best[None, :]  # "average" over one point: the best configuration
    for ax, name in zip(axes, run.space.names):
        pd = model.one(name, n_points=n_points)
        x = _coordinate(run, name, pd.values[0])
        _line(ax, run, name, x, pd.mean, pd.std)
        xs = _coordinate(run, name, [t.params[name] for t in done])
        ax.scatter(xs, y, s=8, c=[t.number for t in done], cmap="viridis", alpha=0.7)
        ax.axvline(_coordinate(run, name, [run.space.from_unit(best)[name]])[0], color=_BEST)
        _scale_axis(ax, run, name)
    axes[0].set_ylabel("loss")
    return fig


def plot_parallel_coordinates(obj: Any, *, space: Any = None) -> Figure:
    """One line per complete trial across the parameters' axes (each in its own scale, from
    its lower to its upper bound), coloured by loss; the best trial drawn on top."""
    run = as_trials(obj, space=space)
    X, y = run.arrays()
    names = run.space.names
    d = len(names)
    fig = Figure(figsize=(1.4 * d + 2.0, 3.6), layout="constrained")
    ax = fig.subplots()
    order = np.argsort(-y)  # worst first, best drawn last
    lo, hi = (np.min(y), np.max(y)) if len(y) else (0.0, 1.0)
    norm = (y - lo) / ((hi - lo) or 1.0)
    colors = colormaps["viridis"](norm)  # dark purple is low, yellow high
    pos = np.arange(d)
    for r in order:
        ax.plot(pos, X[r], color=colors[r], alpha=0.5, lw=0.8)
    if len(y):
        ax.plot(pos, X[order[-1]], color=_BEST, lw=2.0)
    for j, name in enumerate(names):
        ax.axvline(j, color="#888888", lw=0.6)
        p = run.space[name]
        ends = p.decode(np.array([0.0, 1.0]))
        for u, v in ((0.0, ends[0]), (1.0, ends[1])):
            ax.text(
                j,
                u,
                f"{p.to_python(v)!s:.8}",
                ha="center",
                va="top" if u == 0 else "bottom",
                fontsize="x-small",
            )
    ax.set_xticks(pos, names, rotation=30 if d > 5 else 0)
    ax.set_yticks([])
    ax.set_ylim(-0.08, 1.08)
    ax.set_title(
        f"{len(y)} complete trials (colour: loss, dark is low; the best in orange)",
        fontsize="small",
    )
    return fig


def plot_pareto_front(
    obj: Any, *, problem: Any = None, labels: Sequence[str] = ("f1", "f2")
) -> Figure:
    """The objective vectors of a two-objective run, its Pareto front highlighted.

    Parameters
    ----------
    obj : Optimizer, Result or list of Trial
        A run with two objectives (``n_objectives=2``): completed trials' values are pairs.
    problem : Problem, optional
        A problem with a known front (``pareto_front()``) and ``reference_point``: the true
        front is drawn as a line and the reference point as a cross.
    labels : pair of str
        Axis labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from hpo.moo import is_non_dominated
    from hpo.trial import TrialStatus

    trials = list(getattr(obj, "trials", obj))
    done = [t for t in trials if t.status is TrialStatus.COMPLETE]
    points = np.array([t.value for t in done], dtype=float).reshape(len(done), -1)
    if len(done) and points.shape[1] != 2:
        raise ValueError(f"plot_pareto_front: needs two objectives, got {points.shape[1]}")
    fig = Figure(figsize=(4.6, 3.6), layout="constrained")
    ax = fig.subplots()
    if problem is not None and getattr(problem, "reference_point", None) is not None:
        try:
            true = np.asarray(problem.pareto_front(400))
        except NotImplementedError:
            true = None
        if true is not None:
            order = np.argsort(true[:, 0])
            ax.plot(*true[order].T, color="0.6", lw=1.0, label="true front")
        ax.plot(*problem.reference_point, "x", color="0.3", label="reference point")
    if len(done):
        front = points[is_non_dominated(points)]
        front = front[np.argsort(front[:, 0])]
        ax.scatter(*points.T, s=10, color="0.75", label="evaluations", rasterized=True)
        ax.step(*front.T, where="post", color="C0", lw=1.0)
        ax.scatter(*front.T, s=18, color="C0", zorder=3, label=f"front ({len(front)})")
    n_failed = len(trials) - len(done) - sum(t.status is TrialStatus.PENDING for t in trials)
    ax.set_title(f"{len(done)} completed, {n_failed} failed", fontsize=9)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.legend(frameon=False, fontsize=8)
    return fig
