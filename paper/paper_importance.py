"""What mattered on the MLP tasks: hyperparameter importance of the committed runs.

For every MLP task of the journal and every run of the optimizers in :data:`OPTIMIZERS`,
the first-order variance fraction of each hyperparameter (:func:`hpo.analysis.importance`,
seeded with 0, so the build is deterministic) under the GP surrogate and, for comparison,
the random forest; then per (task, optimizer, surrogate, parameter) the median and quartiles
over seeds. Nothing is rerun: the importances are fitted to the journal's trials. The
optional committed rows of ``benchmarks/importance_agreement.py`` (200 random trials against
50 BO trials, run apart from the study) add the issue's agreement check to the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from paper_data import Results

from hpo.analysis import as_trials, importance
from hpo.bench.plots import optimizer_colors
from hpo.bench.stats import quantiles
from hpo.bench.tables import Table

__all__ = [
    "OPTIMIZERS",
    "SURROGATES",
    "agreement_values",
    "importance_figure",
    "importance_records",
    "importance_summary",
    "importance_table",
    "importance_values",
]

OPTIMIZERS = ("random", "bayes")
SURROGATES = ("gp", "forest")
AGREEMENT = (
    Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "analysis" / "agreement.jsonl"
)
_CACHE: dict[int, tuple[Results, list[dict[str, Any]]]] = {}


def importance_records(res: Results) -> list[dict[str, Any]]:
    """One record per (task, optimizer, seed, surrogate, parameter) with its first-order
    fraction, in journal order; computed once per ``res`` (about a tenth of a second a run)."""
    key = id(res)
    if key in _CACHE and _CACHE[key][0] is res:
        return _CACHE[key][1]
    out = []
    for r in res.records:
        if r.optimum is not None or r.optimizer not in OPTIMIZERS:
            continue
        run = as_trials(r)
        for s in SURROGATES:
            imp = importance(run, surrogate=s, seed=0)
            for name, value in imp.items():
                out.append(
                    dict(
                        problem=r.problem,
                        optimizer=r.optimizer,
                        seed=r.seed,
                        surrogate=s,
                        parameter=name,
                        first_order=value,
                        n_trials=len(run.completed),
                    )
                )
    _CACHE[key] = (res, out)  # keeps res alive, so its id is not reused
    return out


def importance_summary(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Median and quartiles over seeds per (problem, parameter, optimizer, surrogate)."""
    groups: dict[tuple[str, str, str, str], list[float]] = {}
    for r in records:
        k = (r["problem"], r["parameter"], r["optimizer"], r["surrogate"])
        groups.setdefault(k, []).append(r["first_order"])
    out = []
    for (problem, param, opt, s), values in groups.items():
        med, lo, hi = (float(q) for q in quantiles(np.array(values)))
        out.append(
            dict(
                problem=problem,
                parameter=param,
                optimizer=opt,
                surrogate=s,
                n_seeds=len(values),
                median=med,
                q25=lo,
                q75=hi,
            )
        )
    return out


def _columns() -> list[tuple[str, str]]:
    return [(o, s) for s in SURROGATES for o in OPTIMIZERS]


def importance_table(res: Results) -> Table | None:
    """First-order importance per MLP task and hyperparameter: median [IQR] over seeds of
    each optimizer's runs, GP surrogate then forest; parameters by decreasing GP median of
    random search; bold: the two largest medians of each column and task, unless 0.000."""
    records = importance_records(res)
    if not records:
        return None
    data = importance_summary(records)
    cell = {(d["problem"], d["parameter"], d["optimizer"], d["surrogate"]): d for d in data}
    header = ["problem", "parameter", *(f"{o} ({s})" for o, s in _columns())]
    rows: list[list[str]] = []
    bold: set[tuple[int, int]] = set()
    for problem in dict.fromkeys(d["problem"] for d in data):
        params = list(dict.fromkeys(d["parameter"] for d in data if d["problem"] == problem))
        lead = OPTIMIZERS[0], SURROGATES[0]
        params.sort(key=lambda p: -cell[(problem, p, *lead)]["median"])
        start = len(rows)
        for p in params:
            cells = []
            for o, s in _columns():
                c = cell[problem, p, o, s]
                cells.append(f"{c['median']:.3f} [{c['q25']:.3f}, {c['q75']:.3f}]")
            rows.append([problem, p, *cells])
        for j, (o, s) in enumerate(_columns(), start=2):
            top = sorted(params, key=lambda p: -cell[problem, p, o, s]["median"])[:2]
            # a median that prints as 0.000 is no evidence of a rank: left plain
            top = [p for p in top if cell[problem, p, o, s]["median"] >= 5e-4]
            bold |= {(start + params.index(p), j) for p in top}
    n_seeds = sorted({d["n_seeds"] for d in data})
    n_trials = sorted({r["n_trials"] for r in records})
    notes = [
        "First-order variance fraction of the cross-validated log-loss "
        "(hpo.analysis.importance, seed 0) fitted to each run's "
        f"{'/'.join(map(str, n_trials))} completed trials; median [25 %, 75 % quantiles] over "
        f"{'/'.join(map(str, n_seeds))} seeds. Not normalized: what the column leaves to 1 is "
        "interactions (and, for the forest, noise it fits). Bold: the two largest medians of "
        "a column on a task (a median of 0.000 is not marked)."
    ]
    title = "Hyperparameter importance on the MLP tasks"
    return Table("mlp_importance", title, header, rows, data, notes, bold)


def importance_figure(res: Results) -> Figure | None:
    """One panel per MLP task: each run's GP first-order fraction per hyperparameter (a dot
    per seed, random and bayes side by side), parameters by decreasing median."""
    records = [r for r in importance_records(res) if r["surrogate"] == SURROGATES[0]]
    if not records:
        return None
    problems = list(dict.fromkeys(r["problem"] for r in records))
    colors = optimizer_colors(list(OPTIMIZERS))
    fig = Figure(figsize=(4.2 * len(problems), 3.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(problems), sharex=True))
    for ax, problem in zip(axes, problems):
        sel = [r for r in records if r["problem"] == problem]
        params = list(dict.fromkeys(r["parameter"] for r in sel))
        med = {p: np.median([r["first_order"] for r in sel if r["parameter"] == p]) for p in params}
        params.sort(key=lambda p: med[p])  # largest on top
        for k, opt in enumerate(OPTIMIZERS):
            offset = 0.18 * (k - (len(OPTIMIZERS) - 1) / 2)
            for i, p in enumerate(params):
                v = [r["first_order"] for r in sel if r["parameter"] == p and r["optimizer"] == opt]
                ax.scatter(v, np.full(len(v), i + offset), s=14, color=colors[opt],
                           alpha=0.75, label=opt if i == 0 else None)  # fmt: skip
                ax.plot([np.median(v)] * 2, [i + offset - 0.15, i + offset + 0.15],
                        color=colors[opt], linewidth=2)  # fmt: skip
        ax.set_yticks(range(len(params)), params, fontsize=8)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("first-order fraction (GP)")
        ax.set_title(problem, fontsize=10)
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].legend(fontsize=8, frameon=False, loc="lower right")
    return fig


def _top(values: Mapping[str, float], k: int = 2) -> list[str]:
    return sorted(values, key=lambda p: -values[p])[:k]


def _run_importance(
    records: Sequence[Mapping[str, Any]], problem: str, optimizer: str, seed: int
) -> dict[str, float]:
    """The GP first-order fractions of one run."""
    return {
        r["parameter"]: r["first_order"]
        for r in records
        if r["problem"] == problem and r["optimizer"] == optimizer and r["seed"] == seed
        and r["surrogate"] == SURROGATES[0]
    }  # fmt: skip


def importance_values(res: Results, table: Table | None) -> dict[str, str]:
    """The generated sentences of the importance section (GP surrogate throughout)."""
    if table is None:
        return {}
    records = importance_records(res)
    medians: dict[tuple[str, str], dict[str, float]] = {}
    for d in table.data:
        if d["surrogate"] == SURROGATES[0]:
            medians.setdefault((d["problem"], d["optimizer"]), {})[d["parameter"]] = d["median"]
    parts, paired, small = [], [], []
    for problem in dict.fromkeys(d["problem"] for d in table.data):
        lead = _top(medians[problem, OPTIMIZERS[0]], 1)[0]
        runs = sorted({(r["optimizer"], r["seed"]) for r in records if r["problem"] == problem})
        wins = sum(_top(_run_importance(records, problem, *run), 1)[0] == lead for run in runs)
        nexts = []
        for opt in OPTIMIZERS:
            m = medians[problem, opt]
            second = max((p for p in m if p != lead), key=lambda p: m[p])
            nexts.append(f"`{second}`'s under `{opt}` ({m[second]:.2f})")
            if opt == OPTIMIZERS[0]:
                small.append(m[second] < 0.1 * m[lead])
        parts.append(
            f"on `{problem}`, `{lead}` ranks first on {wins} of the {len(runs)} runs of "
            f"{' and '.join(f'`{o}`' for o in OPTIMIZERS)} (median "
            f"{medians[problem, OPTIMIZERS[0]][lead]:.2f} under `{OPTIMIZERS[0]}`), and the "
            f"next largest median is {' and '.join(nexts)}"
        )
        seeds = sorted({r["seed"] for r in records if r["problem"] == problem})
        same = sum(
            len({frozenset(_top(_run_importance(records, problem, o, seed))) for o in OPTIMIZERS})
            == 1
            for seed in seeds
        )
        paired.append(f"{same} of {len(seeds)} seeds on `{problem}`")
    second_place = (
        f"Under `{OPTIMIZERS[0]}` the second-largest median is under a tenth of the largest on "
        "every task, so which hyperparameter comes second, and with it the top two, is "
        "decided among small effects that the noise of 50 trials can reorder."
        if all(small)
        else ""
    )
    return {
        "importance_leaders": "; ".join(parts),
        "importance_same_seed": " and ".join(paired),
        "importance_second_place": second_place,
    }


def agreement_values(path: Path | None = None) -> dict[str, str]:
    """The issue's check from ``benchmarks/importance_agreement.py``'s committed rows: on how
    many seeds 200 random trials and 50 BO trials give the same top two (GP surrogate)."""
    path = AGREEMENT if path is None else path
    if not path.is_file():
        return {"importance_agreement": "has not been run"}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    parts = []
    for problem in sorted({r["task"] for r in rows}):
        sel = [r["top2"]["gp"] for r in rows if r["task"] == problem]
        same = sum(set(t["random200"]) == set(t["bayes50"]) for t in sel)
        first = sum(t["random200"][0] == t["bayes50"][0] for t in sel)
        base = sum(set(t["random200"]) == set(t["random50"]) for t in sel)
        parts.append(
            f"{same} of {len(sel)} seeds on `{problem}` (the same first place on {first} of "
            f"{len(sel)}; the top two of the first 50 trials of the same random run agree with "
            f"those of all 200 on {base} of {len(sel)})"
        )
    return {"importance_agreement": "agree on " + "; ".join(parts)}
