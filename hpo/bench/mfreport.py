"""Figures and the report of multi-fidelity studies (records with a cost budget).

Curves follow the incumbent at full fidelity (:mod:`hpo.bench.mfmetrics`) against total cost
and against simulated wall time; regret is the loss minus the known optimum, and for real
tasks (no optimum) the loss itself is shown. The tables are in :mod:`hpo.bench.mftables`;
this module also re-exports the metrics and tables under their names.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from hpo.bench import plots, tables
from hpo.bench.mfmetrics import (
    _groups,
    _ordered,
    _unit,
    base_label,
    best_at,
    cost_to_reach,
    final_loss,
    full_fidelity_trace,
    is_multi_fidelity,
)
from hpo.bench.mftables import mf_cost_table, mf_final_table, mf_targets_table, mf_verdicts_table
from hpo.bench.records import RunRecord
from hpo.bench.stats import REGRET_FLOOR

__all__ = [
    "base_label",
    "best_at",
    "cost_to_reach",
    "final_loss",
    "full_fidelity_trace",
    "is_multi_fidelity",
    "mf_cost_figure",
    "mf_cost_table",
    "mf_final_table",
    "mf_targets_table",
    "mf_time_figure",
    "mf_verdicts_table",
    "write_mf_report",
]


def _y(records: Sequence[RunRecord], best: np.ndarray) -> np.ndarray:
    optimum = records[0].optimum
    if optimum is None:
        return best
    return np.maximum(best - optimum, REGRET_FLOOR)


def _curve_panel(ax, runs: Sequence[RunRecord], grid: np.ndarray, axis: str, style) -> None:
    vals = np.array([_y(runs, best_at(r, grid, axis)) for r in runs])
    vals = np.where(np.isfinite(vals), vals, np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns before any result
        ok = np.isfinite(vals).sum(axis=0) >= max(1, len(runs) // 2 + 1)
        med = np.where(ok, np.nanmedian(np.where(np.isfinite(vals), vals, np.inf), axis=0), np.nan)
        lo = np.where(ok, np.nanquantile(vals, 0.25, axis=0), np.nan)
        hi = np.where(ok, np.nanquantile(vals, 0.75, axis=0), np.nan)
    ax.plot(grid, med, **style)
    ax.fill_between(grid, lo, hi, color=style.get("color"), alpha=0.15, linewidth=0)


def mf_cost_figure(records: Sequence[RunRecord], order: Sequence[str] | None = None) -> Figure:
    """Per problem: the full-fidelity incumbent's regret (loss for real tasks) against total
    cost, median and quartiles over seeds, for the 1-worker runs of each optimizer."""
    groups = _groups([r for r in records if (r.workers or 1) == 1])
    labels = _ordered(
        list(dict.fromkeys(r.optimizer for r in records if "@" not in r.optimizer)), order
    )
    colors = plots.optimizer_colors(labels)
    fig, axes = plots._panels(len(groups))
    for ax, (problem, by_label) in zip(axes, groups.items()):
        top = max(r.max_cost / _unit(r) for runs in by_label.values() for r in runs if r.max_cost)
        grid = np.linspace(0, top, 200)
        for label in labels:
            if label in by_label:
                style = {"color": colors[label], "label": label}
                _curve_panel(ax, by_label[label], grid, "cost", style)
        known = next(iter(by_label.values()))[0].optimum is not None
        ax.set_yscale("log" if known else "linear")
        ax.set_title(problem, fontsize=9)
        ax.set_xlabel("total cost (full-training equivalents)")
        ax.set_ylabel("regret at full fidelity" if known else "loss at full fidelity")
    plots._legend(fig, labels, colors)
    return fig


def mf_time_figure(
    records: Sequence[RunRecord], order: Sequence[str] | None = None
) -> Figure | None:
    """Per problem: the incumbent's regret (loss) against simulated wall time, one colour per
    optimizer and one line style per worker count; ``None`` with a single worker count."""
    ks = sorted({r.workers or 1 for r in records})
    if len(ks) < 2:
        return None
    groups = _groups(records)
    bases = _ordered(list(dict.fromkeys(base_label(r.optimizer) for r in records)), order)
    colors = plots.optimizer_colors(bases)
    styles = ["-", "--", ":", "-."]
    fig, axes = plots._panels(len(groups))
    for ax, (problem, by_label) in zip(axes, groups.items()):
        top = max(full_fidelity_trace(r)[1][-1] for runs in by_label.values() for r in runs)
        grid = np.geomspace(top / 1000, top, 200)
        for base in bases:
            for j, k in enumerate(ks):
                label = base if k == 1 else f"{base}@{k}w"
                if label in by_label:
                    style = {"color": colors[base], "linestyle": styles[j % len(styles)]}
                    _curve_panel(ax, by_label[label], grid, "time", style)
        known = next(iter(by_label.values()))[0].optimum is not None
        ax.set_xscale("log")
        ax.set_yscale("log" if known else "linear")
        ax.set_title(problem, fontsize=9)
        ax.set_xlabel("simulated wall time (full-training equivalents)")
        ax.set_ylabel("regret at full fidelity" if known else "loss at full fidelity")
        handles = [
            Line2D([], [], color="0.3", linestyle=styles[j % len(styles)], label=f"{k} worker(s)")
            for j, k in enumerate(ks)
        ]
        ax.legend(handles=handles, fontsize=7, loc="upper right")
    plots._legend(fig, bases, colors)
    return fig


def write_mf_report(
    records: Sequence[RunRecord],
    out_dir: str | Path,
    *,
    formats: Sequence[str] = ("png", "pdf"),
    order: Sequence[str] | None = None,
) -> list[Path]:
    """Write the multi-fidelity tables (``mf_final``, ``mf_targets``, ``mf_verdicts``,
    ``mf_cost``) and figures
    (``mf_regret_cost``, ``mf_regret_time``) and ``report.md`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    targets = mf_targets_table(records)
    built = [
        mf_final_table(records, order),
        targets,
        mf_verdicts_table(targets),
        mf_cost_table(records, order),
    ]
    renderers = {"md": tables.to_markdown, "tex": tables.to_latex, "csv": tables.to_csv}
    for table in built:
        for ext, render in renderers.items():
            path = out / f"{table.name}.{ext}"
            path.write_text(render(table), encoding="utf-8")
            written.append(path)
    drawn = []
    for name, draw in (("mf_regret_cost", mf_cost_figure), ("mf_regret_time", mf_time_figure)):
        fig = draw(records, order) if formats else None
        if fig is not None:
            written += plots.save_figure(fig, out / name, formats)
            drawn.append(name)
    seeds = sorted({r.seed for r in records})
    lines = [
        "# Multi-fidelity study report",
        "",
        f"{len(records)} runs on {len({r.problem for r in records})} problems, "
        f"{len(seeds)} seeds; curves follow the incumbent at full fidelity.",
        "",
    ]
    lines += [tables.to_markdown(t) + "\n" for t in built]
    ext = "png" if "png" in formats else (list(formats) or [""])[0]
    lines += [f"![{name}]({name}.{ext})\n" for name in drawn]
    index = out / "report.md"
    index.write_text("\n".join(lines), encoding="utf-8")
    written.append(index)
    return written
