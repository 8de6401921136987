"""The paper's multi-objective section: tables, figures and sentences from its own journal.

The multi-objective study (``hpo/bench/studies/multiobjective.toml``, run with
``benchmarks/run_moo_study.py`` or ``hpo bench``) has a journal of its own, committed as
``benchmarks/results/moo/study/journal.jsonl.gz``; everything here is computed from it with
:mod:`hpo.bench` (hypervolume regret traces, :mod:`hpo.bench.motables`,
:mod:`hpo.bench.moplots`), and every number of the section comes from the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from hpo.bench import plots, read_journal, tables
from hpo.bench.moplots import attainment_figure, fronts_figure
from hpo.bench.motables import baseline_records, baseline_table
from hpo.bench.records import RunRecord
from hpo.bench.summaries import ProblemTraces, study_traces
from hpo.bench.tables import Table

__all__ = ["MOOResults", "load_moo", "moo_figures", "moo_tables", "moo_values"]

#: The optimizer the targets are about, and those it is compared with.
BASELINE = "bayes"
OTHERS = ("optuna-gp", "random", "ga")


class MOOResults:
    """The multi-objective study: its header, records, optimizer order and traces."""

    def __init__(self, header: dict[str, Any], records: list[RunRecord]) -> None:
        self.header = header
        self.records = records
        self.order = [o["label"] for o in header["study"]["optimizers"]]
        self.study: dict[str, ProblemTraces] = study_traces(records, self.order)
        self.budget = int(header["study"]["problems"][0]["n_trials"])
        self.planned = {p["problem"]: len(p["seeds"]) for p in header["study"]["problems"]}


def load_moo(journal: Path) -> MOOResults | None:
    """The study in ``journal`` (or, if absent, the same path without ``.gz``); ``None``
    when neither file exists."""
    if not journal.is_file() and journal.suffix == ".gz":
        journal = journal.with_suffix("")
    if not journal.is_file():
        return None
    header, records = read_journal(journal)
    if header is None or not records:
        raise ValueError(f"{journal}: no finished run in this journal")
    return MOOResults(header, records)


def moo_tables(moo: MOOResults) -> dict[str, Table]:
    final = tables.summary(moo.study)
    final.name, final.title = "moo_final", "Multi-objective problems: final results"
    out = {"moo_final": final}
    pairs = baseline_table(moo.study, BASELINE, list(OTHERS), "moo_pairs")
    if pairs is not None:
        out["moo_pairs"] = pairs
    return out


def moo_figures(moo: MOOResults) -> dict[str, Callable[[], Figure | None]]:
    return {
        "moo_regret": lambda: plots.convergence_figure(moo.study),
        "moo_attainment": lambda: attainment_figure(moo.study),
        "moo_fronts": lambda: fronts_figure(moo.study),
    }


def _list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items) or "none"
    return ", ".join(items[:-1]) + " and " + items[-1]


def _against(rows: list[dict[str, Any]], other: str) -> tuple[list[str], list[str]]:
    """Problems where the baseline's median is below ``other``'s, and every problem's cell
    ``problem (a vs b, p = ...)``."""
    mine = [r for r in rows if r["other"] == other]
    below = [f"`{r['problem']}`" for r in mine if r["baseline_median"] < r["other_median"]]
    cells = [
        f"`{r['problem']}` ({r['baseline_median']:.3g} against {r['other_median']:.3g}, "
        f"p = {r['p']:.2g})"
        for r in mine
    ]
    return below, cells


def moo_values(moo: MOOResults, tables_: dict[str, Table]) -> dict[str, str]:
    """The values of the section's template placeholders (``moo_*``)."""
    rows = baseline_records(moo.study, BASELINE, list(OTHERS))
    seeds = sorted({r.seed for r in moo.records})
    n_problems = len(moo.study)
    planned_runs = sum(moo.planned.values())
    missing = []
    for o in moo.order:
        done = sum(r.optimizer == o for r in moo.records)
        if done < planned_runs:
            missing.append(f"`{o}` {done} of {planned_runs}")
    v = {
        "moo_budget": str(moo.budget),
        "moo_n_seeds": str(len(seeds)),
        "moo_problems": _list([f"`{p}`" for p in moo.study]),
        "moo_optimizers": _list([f"`{o}`" for o in moo.order]),
        "moo_missing": (
            "Every planned run finished."
            if not missing
            else f"Not every planned run finished; runs done: {_list(missing)}."
        ),
    }
    for other, key in (("optuna-gp", "moo_vs_optuna"), ("random", "moo_vs_random")):
        below, cells = _against(rows, other)
        n = len([r for r in rows if r["other"] == other])
        v[key] = f"on {len(below)} of {n} problems" + (f" ({_list(below)})" if below else "")
        v[key + "_cells"] = _list(cells)
    v["moo_n_problems"] = str(n_problems)
    return v
