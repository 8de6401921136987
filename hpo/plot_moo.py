"""Figures of multi-objective runs: attained fronts, empirical attainment surfaces, and
hypervolume against evaluations (re-exported by :mod:`hpo.plot`).

A *run* is anything holding the objective vectors of one search in evaluation order: an
array of shape ``(n_evaluations, n_objectives)`` (NaN rows for failed trials), an optimizer
or a ``Result`` (their ``trials``), a list of :class:`~hpo.Trial`, or a study's
:class:`~hpo.bench.records.RunRecord`. Functions that compare optimizers take a *group* per
optimizer: ``{label: [run, run, ...]}`` (one run per seed). Every function returns a
:class:`matplotlib.figure.Figure` built without pyplot, or draws into ``ax`` when given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hpo.moo import is_non_dominated
from hpo.moo.attainment import attainment_surface, hypervolume_trace, percentile_level

__all__ = ["objective_points", "plot_attainment", "plot_fronts", "plot_hypervolume"]


def objective_points(run: Any) -> np.ndarray:
    """The objective vectors of ``run`` in evaluation order, shape ``(n, n_objectives)``,
    a NaN row for a failed (or pending) trial.

    Raises
    ------
    TypeError
        If ``run`` is none of the kinds listed in the module docstring.
    """
    if hasattr(run, "objective_values"):  # a RunRecord
        return run.objective_values()
    if isinstance(run, np.ndarray):
        return np.atleast_2d(np.asarray(run, dtype=float))
    trials = getattr(run, "trials", run)
    if not isinstance(trials, Sequence):
        raise TypeError(
            f"run must be an array, trials, an optimizer, a Result or a RunRecord, got {run!r}"
        )
    rows = [getattr(t, "value", t) for t in trials]
    if not rows:
        return np.empty((0, 2))
    m = max((len(v) for v in rows if isinstance(v, (tuple, list, np.ndarray))), default=1)
    out = [
        np.full(m, np.nan) if v is None or np.ndim(v) == 0 else np.asarray(v, float) for v in rows
    ]
    return np.vstack(out)


def _color(name: str, i: int, colors: Mapping[str, str] | None) -> str:
    return colors[name] if colors and name in colors else f"C{i % 10}"


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=(4.6, 3.6), layout="constrained")
    return fig, fig.subplots()


def _staircase(points: np.ndarray, reference: Sequence[float] | None) -> tuple[np.ndarray, ...]:
    """Vertices of the boundary of the region a 2-D front dominates (minimization): from
    the reference point's height down to the front, along it, and out to the reference
    point's first coordinate (those two ends only where the front lies inside them)."""
    P = points[np.argsort(points[:, 0])]
    xs, ys = [], []
    if reference is not None and P[0, 1] < reference[1]:
        xs, ys = [P[0, 0]], [reference[1]]
    for i, (x, y) in enumerate(P):
        xs.append(x)
        ys.append(y)
        if i + 1 < len(P):
            xs.append(P[i + 1, 0])
            ys.append(y)
    if reference is not None and P[-1, 0] < reference[0]:
        xs.append(reference[0])
        ys.append(P[-1, 1])
    return np.array(xs), np.array(ys)


def _true_front(ax: Axes, problem: Any, reference: Sequence[float] | None) -> None:
    """The problem's true front (when it can sample one) and the reference point."""
    if problem is not None:
        try:
            true = np.asarray(problem.pareto_front(400))
        except (NotImplementedError, AttributeError):
            true = None
        if true is not None and true.ndim == 2 and true.shape[1] == 2:
            order = np.argsort(true[:, 0])
            ax.plot(*true[order].T, color="0.55", lw=2.5, alpha=0.5, label="true front", zorder=1)
    if reference is not None:
        ax.plot(*reference, "x", color="0.3", label="reference point")


def _reference(problem: Any, reference_point: Sequence[float] | None) -> tuple | None:
    r = (
        reference_point
        if reference_point is not None
        else getattr(problem, "reference_point", None)
    )
    return None if r is None else tuple(float(v) for v in r)


def _finish(
    ax: Axes, labels: Sequence[str], reference: tuple | None, title: str, inside: bool
) -> None:
    """Labels, and the view cut at the reference point (plus a margin) when some point drawn
    lies inside its box (the region that counts for the hypervolume)."""
    if reference is not None and inside:
        for (lo, _), ref, setter in zip(
            (ax.get_xlim(), ax.get_ylim()), reference, (ax.set_xlim, ax.set_ylim)
        ):
            setter(lo, ref + 0.05 * (ref - lo))
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title, fontsize=9)
    ax.legend(frameon=False, fontsize=7)


def _inside(points: np.ndarray, reference: tuple | None) -> bool:
    return reference is not None and bool(np.any(np.all(points < reference, axis=1)))


def plot_fronts(
    runs: Any,
    *,
    problem: Any = None,
    reference_point: Sequence[float] | None = None,
    labels: Sequence[str] = ("f1", "f2"),
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """The attained front of one or several two-objective runs, with the true front.

    Each run's non-dominated evaluated points are drawn as markers joined by the staircase
    that bounds the region they dominate; dominated evaluations as small grey dots.

    Parameters
    ----------
    runs : run, or mapping of label to run
        One run, or ``{label: run}`` (say one optimizer each, or one generation each).
    problem : Problem, optional
        Draws its true front (``pareto_front()``, when it has one) and reference point.
    reference_point : pair of float, optional
        Default: ``problem.reference_point``. The axes stop just beyond it.
    labels : pair of str
        Axis labels.
    ax : matplotlib Axes, optional
        Draw here instead of in a new figure.
    colors : mapping of str to colour, optional
        A colour per label (default: matplotlib's cycle in order).

    Returns
    -------
    matplotlib.figure.Figure
    """
    named = dict(runs) if isinstance(runs, Mapping) else {"evaluations": runs}
    reference = _reference(problem, reference_point)
    fig, ax = _axes(ax)
    _true_front(ax, problem, reference)
    inside = False
    for i, (name, run) in enumerate(named.items()):
        F = objective_points(run)
        F = F[np.all(np.isfinite(F), axis=1)]
        if F.size and F.shape[1] != 2:
            raise ValueError(f"plot_fronts: needs two objectives, run {name!r} has {F.shape[1]}")
        if not len(F):
            continue
        front = F[is_non_dominated(F)]
        inside |= _inside(front, reference)
        color = _color(name, i, colors)
        if len(named) == 1:
            ax.scatter(*F.T, s=8, color="0.75", rasterized=True)
        ax.plot(*_staircase(front, reference), color=color, lw=1.0)
        ax.scatter(*front.T, s=14, color=color, zorder=3, label=f"{name} ({len(front)})")
    _finish(ax, labels, reference, "attained fronts (non-dominated points)", inside)
    return fig


def plot_attainment(
    groups: Mapping[str, Sequence[Any]],
    *,
    percentiles: Sequence[float] = (25.0, 50.0, 75.0),
    problem: Any = None,
    reference_point: Sequence[float] | None = None,
    labels: Sequence[str] = ("f1", "f2"),
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Empirical attainment surfaces of groups of two-objective runs (Fonseca & Fleming
    1996; Lopez-Ibanez, Paquete & Stutzle 2010).

    For each group (an optimizer's runs over seeds), the 50 % surface (points attained by
    at least half of the runs) as a solid staircase and the other ``percentiles`` dashed:
    the 25 % surface is attained by a quarter of the runs (the better ones), the 75 % by
    three quarters (see :func:`hpo.moo.attainment.percentile_level`).

    Parameters
    ----------
    groups : mapping of str to sequence of runs
        ``{label: [run per seed]}``.
    percentiles : sequence of float
        Surfaces to draw, in ``[0, 100]``.
    problem, reference_point, labels, ax, colors
        As in :func:`plot_fronts`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    reference = _reference(problem, reference_point)
    fig, ax = _axes(ax)
    _true_front(ax, problem, reference)
    inside = False
    for i, (name, runs) in enumerate(groups.items()):
        points = [objective_points(r) for r in runs]
        if not points:
            continue
        color = _color(name, i, colors)
        for pct in sorted(percentiles, key=lambda p: abs(p - 50.0)):
            surface = attainment_surface(points, percentile_level(pct, len(points)))
            if not len(surface):
                continue
            inside |= _inside(surface, reference)
            median = abs(pct - 50.0) < 1e-9
            ax.plot(
                *_staircase(surface, reference),
                color=color,
                lw=1.4 if median else 0.8,
                linestyle="-" if median else "--",
                label=name if median else None,
            )
    pcts = ", ".join(f"{p:g}" for p in sorted(percentiles))
    _finish(ax, labels, reference, f"attainment surfaces ({pcts} %; solid: median)", inside)
    return fig


def plot_hypervolume(
    groups: Mapping[str, Sequence[Any]],
    *,
    reference_point: Sequence[float],
    max_hypervolume: float | None = None,
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
) -> Figure:
    """Hypervolume of every point evaluated so far against evaluations: median and 25-75 %
    band over each group's runs; hypervolume regret ``max_hypervolume - HV`` on a log axis
    when the maximum is given.

    Parameters
    ----------
    groups : mapping of str to sequence of runs
        ``{label: [run per seed]}``.
    reference_point : sequence of float
    max_hypervolume : float, optional
    ax, colors
        As in :func:`plot_fronts`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax)
    for i, (name, runs) in enumerate(groups.items()):
        traces = [hypervolume_trace(objective_points(r), reference_point) for r in runs]
        if not traces:
            continue
        n = max(len(t) for t in traces)
        T = np.vstack([np.pad(t, (0, n - len(t)), mode="edge") for t in traces if len(t)])
        if max_hypervolume is not None:  # regret, floored for the log axis
            T = np.maximum(max_hypervolume - T, 1e-12)
        q25, med, q75 = np.quantile(T, [0.25, 0.5, 0.75], axis=0)
        x = np.arange(1, n + 1)
        color = _color(name, i, colors)
        ax.plot(x, med, color=color, lw=1.4, label=name)
        ax.fill_between(x, q25, q75, color=color, alpha=0.18, linewidth=0)
    if max_hypervolume is not None:
        ax.set_yscale("log")
    ax.set_xlabel("evaluations")
    ax.set_ylabel("hypervolume regret" if max_hypervolume is not None else "hypervolume")
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False, fontsize=7)
    return fig
