"""The paper's multi-fidelity section: tables, figures and sentences from its own journal.

The multi-fidelity study (``hpo/bench/studies/multifidelity.toml``, run with ``hpo bench`` or
``benchmarks/run_multifidelity.py``) has a journal of its own, committed as
``benchmarks/results/multifidelity/full/journal.jsonl.gz``; everything here is computed from
it with :mod:`hpo.bench.mfreport`, and every number of the section comes from the data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from hpo.bench import read_journal
from hpo.bench.mfreport import (
    mf_cost_figure,
    mf_final_table,
    mf_targets_table,
    mf_time_figure,
    mf_verdicts_table,
)
from hpo.bench.records import RunRecord
from hpo.bench.tables import Table

__all__ = ["MFResults", "load_mf", "mf_figures", "mf_tables", "mf_values"]


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
