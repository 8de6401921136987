"""Figures of the multi-objective problems of a study: each optimizer's attained front on a
representative seed, and its empirical attainment surfaces over seeds (two objectives).

Hypervolume regret against evaluations is the study's convergence figure
(:func:`hpo.bench.plots.convergence_figure`), whose traces are hypervolume regret on these
problems. The true front is drawn where the problem (rebuilt from its spec) can sample one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from hpo.bench.plots import _panels, optimizer_colors
from hpo.bench.summaries import ProblemTraces, study_optimizers
from hpo.plot_moo import plot_attainment, plot_fronts

__all__ = ["attainment_figure", "fronts_figure", "median_run"]

logger = logging.getLogger("hpo")


def _two_objective(study: Mapping[str, ProblemTraces]) -> list[str]:
    return [
        p for p, pt in study.items() if pt.multi_objective and len(pt.reference_point or ()) == 2
    ]


def _problem(spec: str) -> Any:
    """The problem behind ``spec`` (for its true front), or None if it cannot be built."""
    from hpo.problems import get_problem

    try:
        return get_problem(spec)
    except (ValueError, TypeError, ImportError) as err:
        logger.info("no true front for %r: %s", spec, err)
        return None


def median_run(pt: ProblemTraces, optimizer: str) -> Any:
    """The record of ``optimizer``'s run whose final value (hypervolume regret) is the
    median over its seeds (the lower middle one for an even count)."""
    values = pt.traces[optimizer][1]
    order = np.argsort(values[:, -1], kind="stable")
    return pt.records[optimizer][order[(len(order) - 1) // 2]]


def fronts_figure(study: Mapping[str, ProblemTraces]) -> Figure | None:
    """One panel per two-objective problem: each optimizer's attained front on its median
    run (see :func:`median_run`); None without such problems."""
    problems = _two_objective(study)
    if not problems:
        return None
    opts = study_optimizers(study)
    colors = optimizer_colors(opts)
    fig, axes = _panels(len(problems))
    for ax, name in zip(axes, problems):
        pt = study[name]
        runs = {o: median_run(pt, o) for o in opts if o in pt.traces}
        plot_fronts(
            runs,
            problem=_problem(name),
            reference_point=pt.reference_point,
            ax=ax,
            colors=colors,
        )
        seeds = ", ".join(f"{o} {r.seed}" for o, r in runs.items())
        ax.set_title(f"{name}: median run (seed {seeds})", fontsize=8)
    return fig


def attainment_figure(
    study: Mapping[str, ProblemTraces], percentiles: tuple[float, ...] = (25.0, 50.0, 75.0)
) -> Figure | None:
    """One panel per two-objective problem: each optimizer's median (solid) and 25/75 %
    (dashed) attainment surfaces over its seeds; None without such problems."""
    problems = _two_objective(study)
    if not problems:
        return None
    opts = study_optimizers(study)
    colors = optimizer_colors(opts)
    fig, axes = _panels(len(problems))
    for ax, name in zip(axes, problems):
        pt = study[name]
        groups = {o: pt.records[o] for o in opts if o in pt.traces}
        plot_attainment(
            groups,
            percentiles=percentiles,
            problem=_problem(name),
            reference_point=pt.reference_point,
            ax=ax,
            colors=colors,
        )
        n = max(len(r) for r in groups.values())
        ax.set_title(f"{name}: {n} seeds, 25/50/75 % (grey: true front)", fontsize=8)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    handles = [Line2D([], [], color=colors[o], lw=1.4) for o in opts]
    fig.legend(handles, opts, loc="outside upper center", ncols=len(opts), frameon=False)
    return fig
