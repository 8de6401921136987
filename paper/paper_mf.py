"""The paper's multi-fidelity section: tables, figures and sentences from its own journal.

The multi-fidelity study (``hpo/bench/studies/multifidelity.toml``, run with ``hpo bench`` or
``benchmarks/run_multifidelity.py``) has a journal of its own, committed as
``benchmarks/results/multifidelity/full/journal.jsonl.gz``; everything here is computed from
it with :mod:`hpo.bench.mfreport`, and every number of the section comes from the data.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from hpo.bench import read_journal
from hpo.bench.mfmetrics import cost_to_reach, final_loss, full_fidelity_trace, within_budget
from hpo.bench.mfreport import (
    mf_cost_figure,
    mf_final_table,
    mf_targets_table,
    mf_time_figure,
    mf_verdicts_table,
)
from hpo.bench.records import RunRecord
from hpo.bench.tables import Table

__all__ = ["MFResults", "async_values", "load_mf", "mf_figures", "mf_tables", "mf_values"]

#: Labels of the asynchronous GP-Hyperband's committed records (written by
#: ``benchmarks/results/multifidelity/async/measure.py``): 8 workers with twice the study's
#: budget, so that each run lasts past a fifth of the 1-worker time; and 1 worker.
ASYNC_PARALLEL = 'async-gp-hyperband:8:budget=60:start="schedule"'
ASYNC_SINGLE = 'async-gp-hyperband:1:start="schedule"'
#: The same with ``start="model"`` (a GP proposal starts at the budget its GP was fitted on).
ASYNC_START_PARALLEL = 'async-gp-hyperband:8:budget=60:start="model"'
ASYNC_START_SINGLE = 'async-gp-hyperband:1:start="model"'


class MFResults:
    """The multi-fidelity study: its header, records and optimizer order."""

    def __init__(self, header: dict[str, Any], records: list[RunRecord]) -> None:
        self.header = header
        self.records = records
        self.order = [o["label"] for o in header["study"]["optimizers"]]
        problems = header["study"]["problems"]
        self.budget = float(problems[0]["budget"])
        self.workers = sorted({r.workers or 1 for r in records})


def load_mf(journal: Path) -> MFResults | None:
    """The study in ``journal``, ``None`` when the file is absent."""
    if not journal.is_file():
        return None
    header, records = read_journal(journal)
    if header is None or not records:
        raise ValueError(f"{journal}: no finished run in this journal")
    return MFResults(header, records)


def mf_tables(mf: MFResults) -> dict[str, Table]:
    targets = mf_targets_table(mf.records, mf.budget)
    return {
        "mf_final": mf_final_table(mf.records, mf.order),
        "mf_targets": targets,
        "mf_verdicts": mf_verdicts_table(targets),
    }


def mf_figures(mf: MFResults) -> dict[str, Callable[[], Figure | None]]:
    return {
        "mf_regret_cost": lambda: mf_cost_figure(mf.records, mf.order),
        "mf_regret_time": lambda: mf_time_figure(mf.records, mf.order),
    }


def _g(x: float) -> str:
    return "never" if math.isinf(x) else f"{x:.3g}"


def _list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _seeds(mf: MFResults) -> str:
    """``"10 seeds"``, or the counts per problem when some optimizer has fewer runs there (a
    study that could not finish): ``"5 on p"``, or ``"1-2 on p"`` when optimizers differ."""
    per: dict[str, dict[str, set[int]]] = {}
    for r in mf.records:
        per.setdefault(r.problem, {}).setdefault(r.optimizer, set()).add(r.seed)
    ranges = {p: (min(map(len, d.values())), max(map(len, d.values()))) for p, d in per.items()}
    top = max((hi for _, hi in ranges.values()), default=0)
    fewer = [
        f"{lo if lo == hi else f'{lo}-{hi}'} on `{p}`" for p, (lo, hi) in ranges.items() if lo < top
    ]
    return f"{top} seeds" + (f" ({_list(fewer)}, by optimizer)" if fewer else "")


def _versus_peer(data: list[dict[str, Any]]) -> str:
    """GP-Hyperband's median final loss against Optuna TPE + HyperbandPruner's, per problem,
    with wins out of the paired seeds and the Wilcoxon p."""
    cells, at_or_below = [], 0
    for row in data:
        ours, theirs = row.get("gp-hyperband median"), row.get("optuna-hyperband median")
        if ours is None or theirs is None or math.isnan(ours) or math.isnan(theirs):
            continue
        at_or_below += ours <= theirs
        cells.append(
            f"`{row['problem']}` ({ours:.4g} vs {theirs:.4g}, lower on "
            f"{int(row['gp-hyperband wins vs optuna-hyperband'])} of {int(row['pairs'])} "
            f"seeds, p = {row['Wilcoxon p vs optuna-hyperband']:.3g})"
        )
    if not cells:
        return "no problem (not measured)"
    return f"{at_or_below} of {len(cells)} problems: " + "; ".join(cells)


def mf_values(mf: MFResults, tables: dict[str, Table]) -> dict[str, str]:
    """The values of the section's template placeholders (``mf_*``)."""
    data = tables["mf_targets"].data
    v: dict[str, str] = {
        "mf_budget": f"{mf.budget:g}",
        "mf_n_seeds": _seeds(mf),
        "mf_n_problems": f"{len(data)} problem{'s' * (len(data) != 1)}",
        "mf_problems": _list([f"`{row['problem']}`" for row in data]),
        "mf_workers": _list([str(k) for k in mf.workers]),
        "mf_k": str(mf.workers[-1]),
    }
    for opt, key in (("hyperband", "mf_hb"), ("asha", "mf_asha")):
        better = [
            row["problem"]
            for row in data
            if row.get(f"{opt} median", math.nan) < row["random median"]
        ]
        v[key] = (
            f"a lower median final loss than random search on {len(better)} of {len(data)} "
            f"problems" + (f" ({_list([f'`{p}`' for p in better])})" if better else "")
        )
    reach = [
        f"{_g(row['gp-hyperband cost to random / budget'])} on `{row['problem']}`"
        for row in data
        if "gp-hyperband cost to random / budget" in row
        and not math.isnan(row["gp-hyperband cost to random / budget"])
    ]
    v["mf_gp_reach"] = _list(reach) or "not measured"
    best: dict[str, tuple[float, str]] = {}
    for row in tables["mf_final"].data:
        if "@" not in row["optimizer"]:  # one worker
            current = best.get(row["problem"], (math.inf, ""))
            best[row["problem"]] = min(current, (row["median"], row["optimizer"]))
    v["mf_best"] = _list([f"`{opt}` on `{problem}`" for problem, (_, opt) in best.items()])
    v["mf_peer"] = _versus_peer(data)
    k = mf.workers[-1]
    for opt, key in (("asha", "mf_asha_par"), ("gp-hyperband", "mf_gp_par")):
        col = f"{opt} time@{k}w to 1w result"
        cells = [
            f"{_g(row[col])} on `{row['problem']}`"
            for row in data
            if col in row and not math.isnan(row[col])
        ]
        v[key] = _list(cells) or "not measured"
    return v


def _read_records(directory: Path) -> list[RunRecord]:
    records = []
    for path in sorted(directory.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        records += [RunRecord.from_dict(d) for d in rows if "optimizer" in d]
    return records


def async_values(mf: MFResults, directory: Path) -> dict[str, str]:
    """The asynchronous GP-Hyperband's sentences (``mf_async_*``), from its records in
    ``directory`` set against the study's own ``gp-hyperband`` and ``random`` runs.

    ``mf_async_par``: per problem, the median over seeds of the simulated time at which the
    8-worker run's full-fidelity incumbent first reaches the 1-worker ``gp-hyperband`` run's
    final loss (same seed), over that run's time: equal wall time, as Li et al. (2020) compare
    parallel methods. ``mf_async_reach``: with one worker, the median cost at which it first
    reaches random search's median final loss, over the study's budget (as
    ``gp-hyperband``'s ratio in the targets table). ``mf_async_start_par`` and
    ``mf_async_start_reach``: the same for ``start="model"``. "not measured" without
    records.
    """
    records = _read_records(directory) if directory.is_dir() else []
    one = {
        (r.problem, r.seed): r
        for r in mf.records
        if r.optimizer == "gp-hyperband" and (r.workers or 1) == 1
    }
    random_finals: dict[str, list[float]] = {}
    for r in mf.records:
        if r.optimizer == "random":
            random_finals.setdefault(r.problem, []).append(final_loss(r))
    random_median = {p: float(np.nanmedian(x)) for p, x in random_finals.items()}
    values: dict[str, str] = {}
    for key, par_label, one_label in (
        ("mf_async", ASYNC_PARALLEL, ASYNC_SINGLE),
        ("mf_async_start", ASYNC_START_PARALLEL, ASYNC_START_SINGLE),
    ):
        parallel: dict[str, list[float]] = {}
        reach: dict[str, list[float]] = {}
        for r in records:
            base = one.get((r.problem, r.seed))
            if base is None:
                continue
            if r.optimizer == par_label:
                t1 = float(full_fidelity_trace(base)[1][-1])
                ratio = cost_to_reach(r, final_loss(base), axis="time") / t1
                parallel.setdefault(r.problem, []).append(ratio)
            elif r.optimizer == one_label:
                cut = within_budget(r, mf.budget)
                level = random_median[r.problem]
                reach.setdefault(r.problem, []).append(cost_to_reach(cut, level) / mf.budget)
        par = [
            f"{_g(float(np.median(x)))} on `{p}` ({sum(v <= 0.2 for v in x)} of {len(x)} "
            "seeds within 0.2)"
            for p, x in parallel.items()
        ]
        one_worker = [f"{_g(float(np.median(x)))} on `{p}`" for p, x in reach.items()]
        values[f"{key}_par"] = _list(par) or "not measured"
        values[f"{key}_reach"] = _list(one_worker) or "not measured"
    return values
