"""Figures of a study: convergence, ranks, final regret, critical differences and ECDF.

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot (so it never
touches the user's backend; PNG is rendered by Agg) and :func:`save_figure` writes it as PNG
and PDF. Figures read the arrays of :func:`hpo.bench.summaries.study_traces`; each optimizer keeps
its colour (:func:`optimizer_colors`) in every figure.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from scipy import stats as sps

from hpo.bench.stats import (
    ECDF_TARGETS,
    REGRET_FLOOR,
    cd_groups,
    ecdf_solved,
    normalized_score,
    quantiles,
)
from hpo.bench.summaries import ProblemTraces, study_optimizers

__all__ = [
    "OPTIMIZER_COLORS",
    "boxplot_figure",
    "cd_diagram",
    "convergence_figure",
    "ecdf_figure",
    "optimizer_colors",
    "rank_figure",
    "save_figure",
    "score_figure",
]

#: Fixed colours of the optimizers a study usually holds (matplotlib's tab10 hues).
OPTIMIZER_COLORS = {
    "grid": "#7f7f7f",
    "random": "#333333",
    "bayes": "#1f77b4",
    "ga": "#d62728",
    "skopt-gp": "#2ca02c",
    "optuna-gp": "#9467bd",
    "optuna-tpe": "#ff7f0e",
    "pymoo-ga": "#e377c2",
}
# For other labels: hues far from the fixed ones (from tab10 and tab20b).
_FALLBACK = ["#17becf", "#bcbd22", "#8c564b", "#393b79", "#637939", "#8c6d31", "#7b4173", "#e7ba52"]
_LINESTYLES = {"grid": "-.", "random": "--"}  # the baselines


def optimizer_colors(labels: Iterable[str]) -> dict[str, str]:
    """A colour for every label: fixed for known optimizers, else from a fallback palette.

    An unknown label takes the palette slot given by a CRC32 hash of its name (stable across
    runs and machines) and, if another unknown label of ``labels`` already took it, the next
    free slot (labels handled in sorted order), so the mapping is deterministic.
    """
    labels = list(dict.fromkeys(labels))
    out = {lab: OPTIMIZER_COLORS[lab] for lab in labels if lab in OPTIMIZER_COLORS}
    taken: set[int] = set()
    for lab in sorted(set(labels) - set(out)):
        slot = zlib.crc32(lab.encode()) % len(_FALLBACK)
        for step in range(len(_FALLBACK)):  # if every slot is taken, colours repeat
            if (slot + step) % len(_FALLBACK) not in taken:
                slot = (slot + step) % len(_FALLBACK)
                break
        taken.add(slot)
        out[lab] = _FALLBACK[slot]
    return {lab: out[lab] for lab in labels}


def _style(label: str, colors: Mapping[str, str]) -> dict[str, Any]:
    return dict(color=colors[label], linestyle=_LINESTYLES.get(label, "-"), linewidth=1.6)


def save_figure(
    fig: Figure, stem: str | Path, formats: Sequence[str] = ("png", "pdf")
) -> list[Path]:
    """Write ``fig`` as ``stem.png``, ``stem.pdf`` (or the given formats); return the paths."""
    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        fig.savefig(path, dpi=150, metadata=_METADATA.get(fmt))
        paths.append(path)
    return paths


# Fixed metadata so that the same study gives byte-stable files where the format allows.
_METADATA = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
}


def _panels(n: int, width: float = 3.6, height: float = 2.8) -> tuple[Figure, list[Axes]]:
    ncols = min(n, 4 if n > 6 else 3)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(width * ncols, height * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, list(axes[:n])


def _legend(fig: Figure, labels: Sequence[str], colors: Mapping[str, str]) -> None:
    handles = [Line2D([], [], **_style(lab, colors)) for lab in labels]
    fig.legend(
        handles,
        labels,
        loc="outside upper center",
        ncols=min(len(labels), max(2, int(fig.get_figwidth() / 1.3))),
        frameon=False,
        fontsize=9,
    )


def _short_log_axis(axis: Any) -> None:
    """On a log axis spanning less than about two decades, label 1-2-5 ticks in plain
    numbers instead of letting minor labels collide; never label minor ticks."""
    lo, hi = sorted(axis.get_view_interval())
    if lo > 0 and np.log10(hi / lo) < 2:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    axis.set_minor_formatter(NullFormatter())


def _finite(v: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(v), v, np.nan)


def _band(ax: Axes, x: np.ndarray, values: np.ndarray, style: dict[str, Any]) -> None:
    """Median line and 25-75 % band over the rows of ``values``."""
    med, q25, q75 = (_finite(q) for q in quantiles(values))
    ax.plot(x, med, **style)
    ax.fill_between(x, q25, q75, color=style["color"], alpha=0.18, linewidth=0)


def _at_times(pt: ProblemTraces, opt: str, grid: np.ndarray) -> np.ndarray:
    """Best-so-far value of each run of ``opt`` at wall-clock times ``grid``."""
    rows = []
    for run, values in zip(pt.records[opt], pt.traces[opt][1]):
        elapsed = run.elapsed()
        idx = np.searchsorted(elapsed, grid, side="right") - 1
        rows.append(np.where(idx >= 0, values[np.clip(idx, 0, None)], np.inf))
    return np.vstack(rows)


def convergence_figure(
    study: Mapping[str, ProblemTraces],
    x: str = "evaluations",
    references: Mapping[str, Mapping[str, Any]] | None = None,
) -> Figure:
    """Best-so-far simple regret (log scale) or best loss, one panel per problem.

    Median over seeds with the 25-75 % band, against evaluations or against cumulative
    wall-clock time (ask + evaluation + tell, log scale) when ``x="time"``. Problems with a
    known f* show regret (its axis is the distance to f*, named in the panel); real tasks show
    the best loss, with the best known loss as a dotted line when ``references`` give it.
    """
    if x not in ("evaluations", "time"):
        raise ValueError(f"x must be 'evaluations' or 'time', got {x!r}")
    opts = study_optimizers(study)
    colors = optimizer_colors(opts)
    fig, axes = _panels(len(study))
    for ax, (problem, pt) in zip(axes, study.items()):
        if x == "time":
            ends = [r.elapsed() for runs in pt.records.values() for r in runs]
            pos = np.concatenate([e[e > 0] for e in ends] + [np.array([])])
            if pos.size == 0:
                ax.text(0.5, 0.5, "no timings recorded", ha="center", transform=ax.transAxes)
                ax.set_title(problem, fontsize=9)
                continue
            grid = np.geomspace(pos.min(), pos.max(), 200)
        for opt in opts:
            if opt in pt.traces:
                values = pt.traces[opt][1]
                if x == "time":
                    _band(ax, grid, _at_times(pt, opt, grid), _style(opt, colors))
                else:
                    _band(ax, np.arange(1, values.shape[1] + 1), values, _style(opt, colors))
        if pt.has_optimum:
            ax.set_yscale("log")
            ax.text(
                0.98,
                0.97,
                f"max HV = {pt.optimum:.6g}" if pt.multi_objective else f"f* = {pt.optimum:.6g}",
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=8,
                color="0.3",
            )
            ylabel = "HV regret" if pt.multi_objective else "simple regret f − f*"
        else:
            ylabel = "−hypervolume" if pt.multi_objective else "best loss"
            ref = (references or {}).get(problem)
            if ref is not None:
                ax.axhline(ref["best_known"], color="0.3", linestyle=":", linewidth=1)
                ax.text(
                    0.98,
                    0.97,
                    f"best known = {ref['best_known']:.4g}",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=8,
                    color="0.3",
                )
            ax.ticklabel_format(axis="y", useOffset=False)
        if x == "time":
            ax.set_xscale("log")
        ax.set_title(problem, fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.set_xlabel("evaluations" if x == "evaluations" else "wall-clock time (s)", fontsize=9)
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                _short_log_axis(axis)
    _legend(fig, opts, colors)
    return fig


def score_figure(
    study: Mapping[str, ProblemTraces], references: Mapping[str, Mapping[str, Any]] | None
) -> Figure | None:
    """Bayesmark's normalized score against evaluations for the problems with references
    (0: best known loss, 1: random search's median); None when there is none."""
    refs = {p: r for p, r in (references or {}).items() if p in study and not study[p].has_optimum}
    if not refs:
        return None
    opts = [o for o in study_optimizers(study) if any(o in study[p].traces for p in refs)]
    colors = optimizer_colors(opts)
    fig, axes = _panels(len(refs))
    for ax, (problem, ref) in zip(axes, refs.items()):
        for opt, (_, values) in study[problem].traces.items():
            s = normalized_score(values, ref["best_known"], ref["random_median"])
            _band(ax, np.arange(1, s.shape[1] + 1), s, _style(opt, colors))
        for level in (0.0, 1.0):
            ax.axhline(level, color="0.5", linestyle=":", linewidth=1)
        ax.set_title(problem, fontsize=9)
        ax.set_xlabel("evaluations", fontsize=9)
        ax.set_ylabel("normalized score (0 best, 1 random)", fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.tick_params(labelsize=8)
    _legend(fig, opts, colors)
    return fig


def _complete(study: Mapping[str, ProblemTraces], opts: Sequence[str]) -> list[str]:
    return [p for p, pt in study.items() if all(o in pt.traces for o in opts)]


def rank_figure(study: Mapping[str, ProblemTraces]) -> Figure | None:
    """Average rank (of the per-problem medians) against budget; None with fewer than two
    optimizers or no problem that all of them ran.

    The x axis is evaluations when every problem has one budget, else the fraction of each
    problem's budget.
    """
    opts = study_optimizers(study)
    problems = _complete(study, opts)
    if len(opts) < 2 or not problems:
        return None
    budgets = {study[p].budget for p in problems}
    if len(budgets) == 1:
        x = np.arange(1, budgets.pop() + 1)
        index = {p: x - 1 for p in problems}
        xlabel = "evaluations"
    else:
        x = np.linspace(0.02, 1.0, 50)
        index = {p: np.maximum(np.round(x * study[p].budget).astype(int), 1) - 1 for p in problems}
        xlabel = "fraction of the budget"
    # medians[i, j, t]: median over seeds of problem i, optimizer j, at x[t]
    medians = np.array(
        [[quantiles(study[p].traces[o][1])[0][index[p]] for o in opts] for p in problems]
    )
    mean_ranks = sps.rankdata(medians, axis=1).mean(axis=0)  # (k, n_x)
    colors = optimizer_colors(opts)
    fig = Figure(figsize=(6.0, 3.8), layout="constrained")
    ax = fig.subplots()
    for j, opt in enumerate(opts):
        ax.plot(x, mean_ranks[j], label=opt, **_style(opt, colors))
    ax.set_ylim(len(opts) + 0.3, 0.7)  # rank 1 (best) on top
    ax.set_xlabel(xlabel)
    ax.set_ylabel("average rank (1 = best)")
    ax.set_title(f"Average rank over {_count(len(problems), 'problem')}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def boxplot_figure(study: Mapping[str, ProblemTraces]) -> Figure:
    """Final log10 regret (or best loss) per optimizer, a box per optimizer and a dot per seed,
    one panel per problem."""
    opts = study_optimizers(study)
    colors = optimizer_colors(opts)
    fig, axes = _panels(len(study), width=max(3.0, 0.55 * len(opts) + 1.2), height=3.0)
    for ax, (problem, pt) in zip(axes, study.items()):
        names = [o for o in opts if o in pt.traces]
        data = [pt.traces[o][1][:, -1] for o in names]
        if pt.has_optimum:
            data = [np.log10(d) for d in data]
        data = [_finite(d)[~np.isnan(_finite(d))] for d in data]
        box = ax.boxplot(
            data,
            tick_labels=names,
            patch_artist=True,
            widths=0.6,
            showfliers=False,
            medianprops=dict(color="black"),
        )
        for patch, name in zip(box["boxes"], names):
            patch.set(facecolor=colors[name], alpha=0.35, edgecolor=colors[name])
        for k, (d, name) in enumerate(zip(data, names)):
            jitter = np.linspace(-0.15, 0.15, d.size) if d.size > 1 else np.zeros(d.size)
            ax.scatter(k + 1 + jitter, d, s=9, color=colors[name], zorder=3, linewidths=0)
        ax.set_title(problem, fontsize=9)
        ax.set_ylabel("log10 final regret" if pt.has_optimum else "final best loss", fontsize=9)
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.tick_params(axis="x", labelrotation=40, labelsize=8)
        ax.tick_params(axis="y", labelsize=8)
        for lab in ax.get_xticklabels():
            lab.set_horizontalalignment("right")
        ax.grid(True, axis="y", alpha=0.3)
    floored = [pt.traces[o][1][:, -1] <= REGRET_FLOOR for pt in study.values() if pt.has_optimum
               for o in pt.traces]  # fmt: skip
    if any(np.any(f) for f in floored):
        fig.suptitle(
            f"Final results (regret below {REGRET_FLOOR:.0e} shown as "
            f"{np.log10(REGRET_FLOOR):.0f})",
            fontsize=10,
        )
    return fig


def cd_diagram(
    names: Sequence[str], mean_ranks: np.ndarray, cd: float, title: str | None = None
) -> Figure:
    """Critical-difference diagram (Demsar 2006, JMLR 7, Fig. 1 style).

    Parameters
    ----------
    names : sequence of str
        Methods.
    mean_ranks : ndarray of shape (n_methods,)
        Their average ranks (1 = best).
    cd : float
        Nemenyi critical difference; methods joined by a bar are not significantly different.
    """
    ranks = np.asarray(mean_ranks, dtype=float)
    k = len(names)
    if ranks.shape != (k,) or k < 2:
        raise ValueError(f"mean_ranks must hold one rank per name (at least 2), got {ranks.shape}")
    order = np.argsort(ranks, kind="stable")
    r = ranks[order]
    pos_of = {int(idx): pos for pos, idx in enumerate(order)}
    cliques = [(pos_of[g[0]], pos_of[g[-1]]) for g in cd_groups(ranks, cd)]
    # Geometry in inches: the axes span the figure's height with 1 data unit = 1 inch in y,
    # the axis line at y = 0; labels sit in side margins sized from their length.
    half = math.ceil(k / 2)
    labels = [f"{names[i]} ({ranks[i]:.2f})" for i in order]
    char = 0.072  # inches per character at 9 pt
    margin_l = 0.3 + char * max(len(t) for t in labels[:half])
    margin_r = 0.3 + char * max((len(t) for t in labels[half:]), default=0)
    title = title or "Average ranks (1 = best); bars join methods within CD"
    axis_w = max(3.5, 0.75 * (k - 1), 0.068 * len(title) - margin_l - margin_r)
    width = margin_l + axis_w + margin_r
    clique_y = [-0.22 - 0.14 * c for c in range(len(cliques))]
    depth0 = 0.45 + 0.14 * len(cliques)
    step = 0.24
    below, above = depth0 + step * (half - 1) + 0.25, 1.15
    fig = Figure(figsize=(width, below + above))
    ax = fig.add_axes((margin_l / width, 0.0, axis_w / width, 1.0))
    lo, hi = 1, max(k, math.ceil(r.max()))
    pad = 0.15 * (hi - lo) / axis_w  # 0.15 inch in rank units
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(-below, above)
    ax.axis("off")
    ax.plot([lo, hi], [0, 0], color="black", linewidth=1)
    for t in range(lo, hi + 1):
        ax.plot([t, t], [0, 0.07], color="black", linewidth=1)
        ax.text(t, 0.1, str(t), ha="center", va="bottom", fontsize=9)
    # the CD bar above the axis, from rank 1
    ax.plot([lo, lo + cd], [0.5, 0.5], color="black", linewidth=1.5)
    for end in (lo, lo + cd):
        ax.plot([end, end], [0.45, 0.55], color="black", linewidth=1)
    ax.text(lo + cd / 2, 0.57, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=9)
    colors = optimizer_colors(names)
    for pos, (idx, label) in enumerate(zip(order, labels)):
        left = pos < half
        y = -depth0 - step * (pos if left else k - 1 - pos)
        edge = lo - pad if left else hi + pad
        color = colors[names[idx]]
        ax.plot([r[pos], r[pos], edge], [0, y, y], color=color, linewidth=1.2, clip_on=False)
        ax.text(edge + (-0.3 if left else 0.3) * pad, y, label, ha="right" if left else "left",
                va="center", fontsize=9, color=color)  # fmt: skip
    for (i, j), y in zip(cliques, clique_y):
        ax.plot([r[i] - 0.4 * pad, r[j] + 0.4 * pad], [y, y], color="black", linewidth=3.5,
                solid_capstyle="butt")  # fmt: skip
    fig.text(0.5, 1.0 - 0.12 / (below + above), title, ha="center", va="top", fontsize=10)
    return fig


def ecdf_figure(
    study: Mapping[str, ProblemTraces], targets: np.ndarray = ECDF_TARGETS
) -> Figure | None:
    """COCO-style ECDF: fraction of (problem, seed, target) triples solved against evaluations.

    Uses the problems with a known f* that every optimizer ran (runs padded to the longest
    budget with their final value); None if there is none.
    """
    opts = study_optimizers(study)
    problems = [p for p in _complete(study, opts) if study[p].has_optimum]
    if not problems:
        return None
    n = max(study[p].budget for p in problems)
    colors = optimizer_colors(opts)
    fig = Figure(figsize=(6.0, 3.8), layout="constrained")
    ax = fig.subplots()
    for opt in opts:
        runs = [
            np.pad(study[p].traces[opt][1], ((0, 0), (0, n - study[p].budget)), mode="edge")
            for p in problems
        ]
        frac = ecdf_solved(np.vstack(runs), targets)
        ax.plot(np.arange(1, n + 1), frac, drawstyle="steps-post", label=opt, **_style(opt, colors))
    t = np.asarray(targets)
    ax.set_xscale("log")
    _short_log_axis(ax.xaxis)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("fraction of (problem, seed, target) solved")
    ax.set_title(
        f"ECDF over {_count(len(problems), 'problem')}, {t.size} regret targets "
        f"{_sci(t.max())} .. {_sci(t.min())}",
        fontsize=10,
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _sci(v: float) -> str:
    """``1e2`` for powers of ten, else ``%.1e``."""
    e = np.log10(v)
    return f"1e{e:.0f}" if np.isclose(e, round(e)) else f"{v:.1e}"
