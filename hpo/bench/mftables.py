"""Tables of multi-fidelity studies: final losses, the issue's targets and verdicts, costs.

Computed from the records alone with :mod:`hpo.bench.mfmetrics`; rendered by
:mod:`hpo.bench.tables`, written by :func:`hpo.bench.mfreport.write_mf_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hpo.bench import tables
from hpo.bench.mfmetrics import (
    _groups,
    _ordered,
    _unit,
    cost_to_reach,
    final_loss,
    full_fidelity_trace,
)
from hpo.bench.records import RunRecord
from hpo.bench.stats import wilcoxon_signed_rank

__all__ = [
    "COST_TARGET",
    "PEER",
    "TIME_TARGET",
    "mf_cost_table",
    "mf_final_table",
    "mf_targets_table",
    "mf_verdicts_table",
]


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
#: Parallel forms of an optimizer: an ``"<other>@<k>w"`` run is timed against the 1-worker
#: result of the optimizer it stands for (the asynchronous GP-Hyperband is the 8-worker form
#: of the synchronous one, whose 1-worker runs it does not change).
PARALLEL_FORMS = {"gp-hyperband": ("async-gp-hyperband",)}


def _median(runs: Sequence[RunRecord]) -> float:
    finals = [final_loss(r) for r in runs]
    return float(np.nanmedian(finals)) if finals and not np.all(np.isnan(finals)) else np.nan


def _time_ratio(
    by_label: dict[str, list[RunRecord]], opt: str, k: int, form: str | None = None
) -> float:
    """Median over seeds of: simulated time for ``opt@kw`` (or ``form@kw``, a parallel form
    of ``opt``) to reach ``opt``'s 1-worker final loss (same seed), over the 1-worker run's
    simulated time; NaN without pairs."""
    parallel = {r.seed: r for r in by_label.get(f"{form or opt}@{k}w", [])}
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
            for form in PARALLEL_FORMS.get(opt, ()):
                if ks and opt in by_label and f"{form}@{ks[-1]}w" in by_label:
                    column = f"{form} time@{ks[-1]}w to {opt} 1w result"
                    cell[column] = _time_ratio(by_label, opt, ks[-1], form)
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
    for c in time_cols:
        text = f"{c.split(' to ')[0]} reaches {_of(c)}1w result in <= {TIME_TARGET:.3g} of 1w time"
        checks.append((text, c, None))
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


def _of(column: str) -> str:
    """``"x time@8w to y 1w result"`` -> ``"y's "``; ``""`` for an optimizer's own result."""
    whose = column.split(" to ", 1)[1].removesuffix("1w result").strip()
    return f"{whose}'s " if whose else ""


def _fmt(v: float) -> str:
    return "-" if v != v else f"{v:.4g}"
