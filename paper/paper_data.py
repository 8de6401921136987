"""The paper's data: the committed study journal and overhead measurement, arranged for tables.

Everything here reads committed files only (the journal, its header, ``overhead.json`` and the
MLP reference values shipped with hpo), so the paper regenerates on any machine. Statistics
come from :mod:`hpo.bench`; this module adds what the paper needs beyond a study report:

* the paired subset of a study (on each problem, the seeds every optimizer ran), so that an
  optimizer run on fewer seeds (``max_seeds``) enters the Friedman test on the same seeds as
  the others;
* tables of the problems, the environment, the overhead sweeps and the generalization of the
  MLP runs' final incumbents (``RunRecord.meta["test_loss"]``);
* :func:`compact`, a medians-only version of a median [IQR] table for the main text.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hpo.bench import read_journal
from hpo.bench.records import RunRecord
from hpo.bench.stats import quantiles
from hpo.bench.summaries import ProblemTraces, study_optimizers, study_traces
from hpo.bench.tables import Table

__all__ = [
    "Results",
    "compact",
    "environment_table",
    "generalization_summary",
    "generalization_table",
    "load_results",
    "overhead_table",
    "paired_records",
    "problems_table",
]

Study = dict[str, ProblemTraces]


@dataclass
class Results:
    """A study journal split the ways the paper reports it.

    Attributes
    ----------
    header : dict
        The journal header (study definition, hpo version, environment).
    records : list of RunRecord
    synthetic : dict
        :func:`~hpo.bench.summaries.study_traces` of the problems with a known f*, every run.
    paired : dict
        The same, restricted on each problem to the seeds every optimizer ran.
    complete : dict or None
        The optimizers that ran every seed of every synthetic problem, on all their seeds
        (None if that is every optimizer, since it would repeat ``synthetic``).
    mlp : dict or None
        The problems without a known optimum (MLP tasks), or None.
    references : dict
        ``{problem: {"best_known", "random_median"}}`` for MLP tasks with reference values.
    overhead : dict or None
        The content of ``overhead.json``.
    """

    header: dict[str, Any]
    records: list[RunRecord]
    synthetic: Study
    paired: Study
    complete: Study | None
    mlp: Study | None
    references: dict[str, dict[str, Any]]
    overhead: dict[str, Any] | None


def paired_records(records: Sequence[RunRecord]) -> list[RunRecord]:
    """The runs whose (problem, seed) every optimizer of that problem ran."""
    by_problem: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for r in records:
        by_problem[r.problem][r.optimizer].add(r.seed)
    common = {p: set.intersection(*by_opt.values()) for p, by_opt in by_problem.items()}
    return [r for r in records if r.seed in common[r.problem]]


def _complete_optimizers(records: Sequence[RunRecord]) -> list[str]:
    """Optimizers that ran, on every problem, every seed that any optimizer ran there."""
    seeds: dict[str, set[int]] = defaultdict(set)
    ran: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in records:
        seeds[r.problem].add(r.seed)
        ran[r.optimizer, r.problem].add(r.seed)
    opts = list(dict.fromkeys(r.optimizer for r in records))
    return [o for o in opts if all(ran[o, p] == s for p, s in seeds.items())]


def _references(problems: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Bayesmark reference values shipped with hpo (``hpo.problems.mlp.reference``): the
    best known loss, random search's median best loss, and their provenance."""
    from hpo.problems.mlp import reference

    out = {}
    for problem in problems:
        try:
            ref = reference(problem)
        except (ValueError, OSError):
            continue
        out[problem] = ref  # best_known, random_median (what hpo.bench reads), provenance
    return out


def load_results(journal: Path, overhead: Path | None) -> Results:
    """Read the journal (``.gz`` or plain) and the overhead file (if it exists)."""
    header, records = read_journal(journal)
    if header is None or not records:
        raise ValueError(f"{journal}: no finished run in this journal")
    synthetic = [r for r in records if r.optimum is not None]
    mlp = [r for r in records if r.optimum is None]
    if not synthetic:
        raise ValueError(f"{journal}: no problem with a known optimum")
    complete = _complete_optimizers(synthetic)
    all_opts = list(dict.fromkeys(r.optimizer for r in synthetic))
    subset = [r for r in synthetic if r.optimizer in complete]
    # Optimizers in the study's order everywhere (not the journal's finishing order, which
    # differs from problem to problem and would compare a pair A-B here and B-A there).
    order = [o["label"] for o in header["study"]["optimizers"]]
    return Results(
        header=header,
        records=records,
        synthetic=study_traces(synthetic, order),
        paired=study_traces(paired_records(synthetic), order),
        complete=study_traces(subset, order) if len(complete) < len(all_opts) and subset else None,
        mlp=study_traces(mlp, order) if mlp else None,
        references=_references(sorted({r.problem for r in mlp})),
        overhead=(
            json.loads(overhead.read_text(encoding="utf-8"))
            if overhead is not None and overhead.is_file()
            else None
        ),
    )


# -- tables ---------------------------------------------------------------------------------
def compact(table: Table, name: str, title: str) -> Table:
    """A median [q25, q75] table with the quantiles dropped from every cell."""
    rows = [[re.sub(r" \[.*\]$", "", c) for c in row] for row in table.rows]
    notes = [n.replace("median [25 %, 75 % quantiles]", "median") for n in table.notes]
    return Table(name, title, list(table.header), rows, table.data, notes, set(table.bold))


def _domain(problem: Any) -> str:
    lo, hi = problem.bounds[:, 0], problem.bounds[:, 1]
    if problem.shift is not None:
        return f"reference box moved by seed {problem.shift}"
    if np.all(lo == lo[0]) and np.all(hi == hi[0]):
        return f"[{lo[0]:g}, {hi[0]:g}]^{problem.dim}"
    return " x ".join(f"[{a:g}, {b:g}]" for a, b in zip(lo, hi))


def problems_table(study: Study, records: Sequence[RunRecord]) -> Table:
    """The synthetic problems: dimension, domain, f*, seeds, budget and the grid's size."""
    from hpo.problems import get_problem

    grid_evals: dict[str, set[int]] = defaultdict(set)
    for r in records:
        if r.optimizer == "grid":
            grid_evals[r.problem].add(len(r.trials))
    header = ["problem", "d", "domain", "f*", "seeds", "budget", "grid points (per axis)"]
    rows, data = [], []
    for name, pt in study.items():
        problem = get_problem(name)
        seeds = sorted({len(s) for s, _ in pt.traces.values()})
        evals = sorted(grid_evals.get(name, ()))
        per_axis = [round(e ** (1.0 / problem.dim)) for e in evals]
        grid = ", ".join(f"{e} ({k})" for e, k in zip(evals, per_axis)) or "-"
        rows.append(
            [
                name,
                str(problem.dim),
                _domain(problem),
                f"{problem.optimum:.10g}",
                "/".join(map(str, seeds)),
                str(pt.budget),
                grid,
            ]
        )
        data.append(
            dict(
                problem=name,
                dim=problem.dim,
                shift=problem.shift,
                optimum=problem.optimum,
                seeds=max(seeds),
                budget=pt.budget,
                grid_evaluations=evals[0] if evals else None,
                grid_points_per_axis=per_axis[0] if per_axis else None,
            )
        )
    notes = [
        "seeds: runs per optimizer (several values where an optimizer ran fewer seeds).",
        "grid points: evaluations of grid search (the largest full grid within the budget) "
        "and points per axis.",
    ]
    return Table("problems", "Synthetic problems", header, rows, data, notes)


def environment_table(header: Mapping[str, Any], overhead: Mapping[str, Any] | None) -> Table:
    """Hardware and software of the study (journal header) and of the overhead measurement."""
    sources = [("study", header["environment"])]
    if overhead is not None:
        sources.append(("overhead", overhead["environment"]))
    keys = ["python", "platform", "cpu", "cpu_count"]
    libs = list(dict.fromkeys(k for _, env in sources for k in env["libraries"]))
    header_row = ["", *(s for s, _ in sources)]
    rows = [[k, *(str(env.get(k)) for _, env in sources)] for k in keys]
    rows += [[k, *(str(env["libraries"].get(k) or "-") for _, env in sources)] for k in libs]
    data = [dict(item=r[0], **{s: v for (s, _), v in zip(sources, r[1:])}) for r in rows]
    notes = ["From the journal header (study) and overhead.json (overhead); '-': not installed."]
    return Table("environment", "Hardware and software", header_row, rows, data, notes)


def _ms(seconds: float) -> str:
    return f"{1e3 * seconds:.3g}"


def overhead_table(overhead: Mapping[str, Any], sweep: str) -> Table:
    """Median ask + tell per step (ms) against ``n`` (``sweep="n"``) or ``d`` (``"d"``)."""
    cells = overhead[sweep]
    xs = sorted({int(x) for by in cells.values() for x in by})
    fixed = (
        f"d = {overhead['settings']['d_fixed']}"
        if sweep == "n"
        else f"n = {overhead['settings']['n_fixed']}"
    )
    header = ["optimizer", *(f"{sweep} = {x}" for x in xs), "log-log slope"]
    rows, data = [], []
    for name, by in cells.items():
        s = overhead["slopes"][sweep].get(name)
        cells_ms = [_ms(by[str(x)]["median"]) if str(x) in by else "-" for x in xs]
        rows.append([name, *cells_ms, f"{s:.2f}" if s is not None else "-"])
        for x in xs:
            if str(x) in by:
                c = by[str(x)]
                data.append(
                    dict(
                        optimizer=name,
                        **{sweep: x},
                        ask_median_s=c["ask_median"],
                        tell_median_s=c["tell_median"],
                        median_s=c["median"],
                        mean_s=c["mean"],
                        slope=s,
                    )
                )
    what = "observations" if sweep == "n" else "dimension"
    notes = [
        f"Median over {overhead['settings']['repeats']} timed steps (after "
        f"{overhead['settings']['warmup']} untimed ones) of the optimizer's ask + tell, in ms, "
        f"on {overhead['settings']['objective']} at {fixed}; '-': not measured.",
        f"Slope: least-squares fit of log time against log {sweep}.",
    ]
    title = f"Optimizer overhead against the {what}"
    return Table(f"overhead_{sweep}", title, header, rows, data, notes)


def generalization_summary(study: Study) -> list[dict[str, Any]]:
    """Per MLP problem and optimizer: quantiles over seeds of the final CV loss and of the
    final incumbent's held-out test loss (``meta["test_loss"]``)."""
    out = []
    for problem, pt in study.items():
        for opt, runs in pt.records.items():
            cv = pt.traces[opt][1][:, -1]
            test = np.array([r.meta.get("test_loss", np.nan) for r in runs], dtype=float)
            (cv_med,) = quantiles(cv, (0.5,))
            t_med, t_lo, t_hi = quantiles(test)
            out.append(
                dict(
                    problem=problem,
                    optimizer=opt,
                    n_seeds=len(runs),
                    cv_median=float(cv_med),
                    test_median=float(t_med),
                    test_q25=float(t_lo),
                    test_q75=float(t_hi),
                    gap_median=float(np.nanmedian(test - cv)),
                )
            )
    return out


def generalization_table(study: Study) -> Table:
    """Final CV loss against the held-out loss of the final incumbent, per MLP task."""
    data = generalization_summary(study)
    opts = study_optimizers(study)
    header = ["problem", "optimizer", "seeds", "CV loss", "test loss", "test - CV"]
    rows, bold = [], set()
    for problem in study:
        recs = [r for o in opts for r in data if r["problem"] == problem and r["optimizer"] == o]
        best = min(r["test_median"] for r in recs)
        for r in recs:
            if r["test_median"] == best:
                bold.add((len(rows), 4))
            rows.append(
                [
                    problem,
                    r["optimizer"],
                    str(r["n_seeds"]),
                    f"{r['cv_median']:.4g}",
                    f"{r['test_median']:.4g} [{r['test_q25']:.4g}, {r['test_q75']:.4g}]",
                    f"{r['gap_median']:+.3g}",
                ]
            )
    notes = [
        "CV loss: median over seeds of the best 5-fold cross-validation loss at the final "
        "budget. Test loss: median [IQR] of the held-out (20 %) loss of each run's final "
        "incumbent, refitted on the 80 %; test - CV: median over seeds of the difference. "
        "Bold: lowest median test loss."
    ]
    title = "Generalization of the final incumbents on the MLP tasks"
    return Table("generalization", title, header, rows, data, notes, bold)
