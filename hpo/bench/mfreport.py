"""Metrics, tables and figures of multi-fidelity studies (records with a cost budget).

A multi-fidelity run's trials are evaluated at different budgets, so a loss at 1 epoch and a
loss at 27 are not comparable: every curve here follows the *incumbent at full fidelity*,
the lowest loss among the trials evaluated at ``fidelity.high`` so far, against

- the total cost spent, in full-training equivalents (cost / ``fidelity.high``), and
- the simulated wall time (virtual time, in the same unit) per count of virtual workers.

A run's final result is its ``meta["final_loss"]``: the loss at full fidelity of its
recommendation (see :mod:`hpo.bench.mfrun`). Regret is that loss minus the known optimum;
for real tasks (no optimum) the loss itself is shown.

Labels of runs with ``k > 1`` workers end in ``"@<k>w"`` (:mod:`hpo.bench.study`);
:func:`base_label` strips it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from hpo.bench import plots, tables
from hpo.bench.records import RunRecord
from hpo.bench.stats import REGRET_FLOOR, wilcoxon_signed_rank

__all__ = [
    "base_label",
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

_WORKERS = re.compile(r"^(.*)@(\d+)w$")


def is_multi_fidelity(records: Sequence[RunRecord]) -> bool:
    """Whether the records come from a study with a cost budget or virtual workers."""
    return any(r.max_cost is not None or r.workers is not None for r in records)


def base_label(label: str) -> str:
    """``"asha@8w"`` -> ``"asha"``; other labels unchanged."""
    match = _WORKERS.match(label)
    return match.group(1) if match else label


def _unit(record: RunRecord) -> float:
    return 1.0 if record.fidelity is None else float(record.fidelity["high"])


def full_fidelity_trace(record: RunRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(cost, time, best)`` after each simulated trial, in the order the trials ended.

    Returns
    -------
    cost : ndarray of shape (n,)
        Total cost spent when each trial ended, in full-training equivalents.
    time : ndarray of shape (n,)
        Its simulated end time, in the same unit.
    best : ndarray of shape (n,)
        The lowest loss among the complete trials at full fidelity ended so far (``inf``
        before the first).
    """
    unit = _unit(record)
    name = None if record.fidelity is None else record.fidelity["name"]
    ran = [t for t in record.trials if t.get("end") is not None]
    ran.sort(key=lambda t: (t["end"], t["number"]))
    cost = np.cumsum([t.get("cost", 0.0) for t in ran]) / unit
    end = np.array([t["end"] for t in ran], dtype=float) / unit
    values = [
        t["value"]
        if t["status"] == "complete" and (name is None or t["params"].get(name) == unit)
        else np.inf
        for t in ran
    ]
    best = np.minimum.accumulate(np.array(values, dtype=float)) if ran else np.array([])
    return cost.astype(float), end, best


def best_at(record: RunRecord, x: np.ndarray, axis: str = "cost") -> np.ndarray:
    """The full-fidelity incumbent's loss at each point of ``x`` (cost or simulated time,
    in full-training equivalents); ``inf`` before the first full-fidelity result."""
    cost, end, best = full_fidelity_trace(record)
    xs = cost if axis == "cost" else end
    idx = np.searchsorted(xs, np.asarray(x, dtype=float), side="right")
    return np.concatenate([[np.inf], best])[idx]


def final_loss(record: RunRecord) -> float:
    """The loss at full fidelity of the run's recommendation, NaN if it has none."""
    value = record.meta.get("final_loss")
    return float("nan") if value is None else float(value)


def cost_to_reach(record: RunRecord, target: float, axis: str = "cost") -> float:
    """The cost (or simulated time) at which the full-fidelity incumbent first reached a loss
    ``<= target``, in full-training equivalents; ``inf`` if never."""
    cost, end, best = full_fidelity_trace(record)
    hit = np.flatnonzero(best <= target)
    if not len(hit):
        return float("inf")
    return float((cost if axis == "cost" else end)[hit[0]])


def _groups(records: Sequence[RunRecord]) -> dict[str, dict[str, list[RunRecord]]]:
    """``{problem: {label: [records by seed]}}`` in the order of first appearance."""
    out: dict[str, dict[str, list[RunRecord]]] = {}
    for r in sorted(records, key=lambda r: r.seed):
        out.setdefault(r.problem, {}).setdefault(r.optimizer, []).append(r)
    return out


def _ordered(labels: Sequence[str], order: Sequence[str] | None) -> list[str]:
    if not order:
        return list(labels)
    return [o for o in order if o in labels] + [o for o in labels if o not in order]


def mf_final_table(records: Sequence[RunRecord], order: Sequence[str] | None = None):
    """Median [25 %, 75 %] over seeds of the final loss at full fidelity, per optimizer label
    (rows) and problem (columns); the lowest median of each problem in bold."""
    groups = _groups(records)
    labels = _ordered(list(dict.fromkeys(r.optimizer for r in records)), order)
    problems = list(groups)
    rows = [[label] for label in labels]
    data, bold = [], set()
    for j, problem in enumerate(problems):
        medians = []
        for i, label in enumerate(labels):
            finals = np.array([final_loss(r) for r in groups[problem].get(label, [])])
            finals = finals[np.isfinite(finals)]
            if not len(finals):
                rows[i].append("-")
                medians.append(np.inf)
                continue
            q25, med, q75 = (float(q) for q in np.quantile(finals, [0.25, 0.5, 0.75]))
            rows[i].append(f"{med:.4g} [{q25:.4g}, {q75:.4g}]")
            medians.append(med)
            data.append(
                {"problem": problem, "optimizer": label, "n_runs": len(finals), "median": med}
                | {"q25": q25, "q75": q75}
            )
        if np.isfinite(min(medians)):
            bold.add((int(np.argmin(medians)), 1 + j))
    return tables.Table(
        name="mf_final",
        title="Final loss at full fidelity: median [25 %, 75 %] over seeds",
        header=["optimizer", *problems],
        rows=rows,
        data=data,
        notes=[
            "The loss at full fidelity of each run's recommendation (opt.best); "
            "label@kw: k simulated workers."
        ],
        bold=bold,
    )


#: The issue's thresholds: GP-Hyperband reaches random search's final loss with at most this
#: fraction of the budget; k workers reach the 1-worker result in at most this fraction of the
#: 1-worker run's simulated time.
COST_TARGET = 1 / 3
TIME_TARGET = 1 / 5
#: The peer GP-Hyperband is compared with, seed by seed.
PEER = "optuna-hyperband"


def _median(runs: Sequence[RunRecord]) -> float:
    finals = [final_loss(r) for r in runs]
    return float(np.nanmedian(finals)) if finals and not np.all(np.isnan(finals)) else np.nan


def _time_ratio(by_label: dict[str, list[RunRecord]], opt: str, k: int) -> float:
    """Median over seeds of: simulated time for ``opt@kw`` to reach the 1-worker run's final
    loss (same seed), over the 1-worker run's simulated time; NaN without pairs."""
    parallel = {r.seed: r for r in by_label.get(f"{opt}@{k}w", [])}
    ratios = []
    for one in by_label.get(opt, []):
        if one.seed in parallel and np.isfinite(final_loss(one)):
            total = full_fidelity_trace(one)[1]
            t1 = float(total[-1]) if len(total) else np.nan
            ratios.append(cost_to_reach(parallel[one.seed], final_loss(one), axis="time") / t1)
    return float(np.median(ratios)) if ratios else np.nan


def _versus_peer(by_label: dict[str, list[RunRecord]]) -> dict[str, float]:
    """GP-Hyperband against :data:`PEER` on the seeds both ran: wins (lower final loss),
    pairs, and the two-sided paired Wilcoxon signed-rank p-value."""
    peer = {r.seed: final_loss(r) for r in by_label.get(PEER, [])}
    pairs = [
        (final_loss(r), peer[r.seed])
        for r in by_label.get("gp-hyperband", [])
        if r.seed in peer and np.isfinite(final_loss(r)) and np.isfinite(peer[r.seed])
    ]
    if not pairs:
        return {}
    ours, theirs = (np.array(x) for x in zip(*pairs))
    return {
        f"gp-hyperband wins vs {PEER}": float(np.sum(ours < theirs)),
        "pairs": float(len(pairs)),
        f"Wilcoxon p vs {PEER}": wilcoxon_signed_rank(ours, theirs).pvalue,
    }


def mf_targets_table(records: Sequence[RunRecord], budget: float | None = None):
    """The issue's targets per problem, from the records alone.

    Columns: the median final loss of ``random`` (its budget spent at full fidelity) and of
    ``hyperband``, ``asha``, ``gp-hyperband`` and :data:`PEER`; the median cost (in
    full-training equivalents) at which ``gp-hyperband`` first reached random search's median
    final loss, as a fraction of the budget; for ``asha`` and ``gp-hyperband`` with the
    largest worker count ``k``, the median over seeds of the simulated time to reach the same
    optimizer's 1-worker final result (on that seed), as a fraction of the 1-worker run's
    simulated time; and GP-Hyperband against :data:`PEER` seed by seed (wins, pairs, two-sided
    paired Wilcoxon p). Missing runs give ``-``.
    """
    groups = _groups(records)
    ks = sorted({r.workers for r in records if r.workers and r.workers > 1})
    rows, data, cells = [], [], []
    for problem, by_label in groups.items():
        cell: dict[str, float] = {}
        rand_med = _median(by_label.get("random", []))
        cell["random median"] = rand_med
        for opt in ("hyperband", "asha", "gp-hyperband", PEER):
            if opt in by_label:
                cell[f"{opt} median"] = _median(by_label[opt])
        runs = by_label.get("gp-hyperband", [])
        if runs and np.isfinite(rand_med):
            spent = budget or float(np.median([r.max_cost / _unit(r) for r in runs]))
            reach = np.median([cost_to_reach(r, rand_med) for r in runs])
            cell["gp-hyperband cost to random / budget"] = float(reach / spent)
        for opt in ("asha", "gp-hyperband"):
            if ks and opt in by_label and f"{opt}@{ks[-1]}w" in by_label:
                cell[f"{opt} time@{ks[-1]}w to 1w result"] = _time_ratio(by_label, opt, ks[-1])
        cell.update(_versus_peer(by_label))
        cells.append((problem, cell))
    columns = list(dict.fromkeys(k for _, cell in cells for k in cell))
    for problem, cell in cells:
        rows.append([problem] + [_fmt(cell.get(k, float("nan"))) for k in columns])
        data.append({"problem": problem} | {k: cell.get(k, float("nan")) for k in columns})
    return tables.Table(
        name="mf_targets",
        title="Multi-fidelity targets (medians over seeds)",
        header=["problem", *columns],
        rows=rows,
        data=data,
        notes=[
            "Cost and time in full-training equivalents; a ratio is inf when the level was "
            "never reached on half the seeds or more. Wilcoxon: two-sided, paired by seed."
        ],
    )


def _verdict(value: float, ok: bool) -> str:
    return "-" if value != value else f"{'yes' if ok else 'no'} ({_fmt(value)})"


def mf_verdicts_table(targets: tables.Table):
    """Each target of the issue per problem, met or not, from :func:`mf_targets_table`.

    Rows: Hyperband's and ASHA's median below random search's; GP-Hyperband reaching random
    search's median within :data:`COST_TARGET` of the budget; GP-Hyperband's median at or
    below :data:`PEER`'s; ASHA's and GP-Hyperband's ``k``-worker time ratio at most
    :data:`TIME_TARGET`. The last column counts the problems where the target is met.
    """
    problems = [row["problem"] for row in targets.data]
    time_cols = sorted({k for row in targets.data for k in row if "time@" in k})
    checks: list[tuple[str, str, Any]] = [
        ("hyperband median < random median", "hyperband median", lambda v, r: v < r),
        ("asha median < random median", "asha median", lambda v, r: v < r),
        (
            f"gp-hyperband reaches random's median within {COST_TARGET:.3g} of the budget",
            "gp-hyperband cost to random / budget",
            lambda v, r: v <= COST_TARGET,
        ),
        (f"gp-hyperband median <= {PEER} median", "gp-hyperband median", None),
    ]
    checks += [
        (f"{c.split(' to ')[0]} reaches 1w result in <= {TIME_TARGET:.3g} of 1w time", c, None)
        for c in time_cols
    ]
    rows, data = [], []
    for text, column, test in checks:
        row, met, n = [text], 0, 0
        for cell in targets.data:
            value = cell.get(column, np.nan)
            if column == "gp-hyperband median":
                ok = value <= cell.get(f"{PEER} median", np.nan)
            elif test is None:
                ok = value <= TIME_TARGET
            else:
                ok = bool(test(value, cell["random median"]))
            row.append(_verdict(value, ok))
            if value == value:
                n, met = n + 1, met + int(ok)
        row.append(f"{met} of {n}")
        rows.append(row)
        data.append({"target": text, "met": met, "measured": n})
    return tables.Table(
        name="mf_verdicts",
        title="The targets, met or not, per problem (value in brackets)",
        header=["target", *problems, "met on"],
        rows=rows,
        data=data,
        notes=["Values as in the targets table; '-': not measured."],
    )


def mf_cost_table(records: Sequence[RunRecord], order: Sequence[str] | None = None):
    """Measured wall time of the runs (the optimizer's own time and the trainings, as the
    study ran them, on a shared machine): median seconds per run and total minutes, per
    optimizer label and problem."""
    groups = _groups(records)
    labels = _ordered(list(dict.fromkeys(r.optimizer for r in records)), order)
    rows, data = [], []
    for label in labels:
        row = [label]
        for problem, by_label in groups.items():
            times = [r.wall_time for r in by_label.get(label, [])]
            if not times:
                row.append("-")
                continue
            med, total = float(np.median(times)), float(np.sum(times))
            row.append(f"{med:.3g} s x {len(times)} ({total / 60:.3g} min)")
            data.append({"problem": problem, "optimizer": label, "median_s": med, "total_s": total})
        rows.append(row)
    total = sum(r.wall_time for r in records) / 3600
    return tables.Table(
        name="mf_cost",
        title="Measured wall time per run: median x runs (total)",
        header=["optimizer", *groups],
        rows=rows,
        data=data,
        notes=[f"Sum over all runs: {total:.2f} h of run wall time (runs in parallel jobs)."],
    )


def _fmt(v: float) -> str:
    return "-" if v != v else f"{v:.4g}"


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
