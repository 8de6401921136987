"""What ``hpo analyze TRIALS.json --out DIR`` writes: the figures of one run and an
importance table from the three estimators; for a run with several objectives, the Pareto
front (its figure with two objectives, its table) and the importance table of each objective."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hpo.analysis.data import Run, load_runs
from hpo.analysis.importance import SURROGATES, Sensitivity, sensitivity

__all__ = ["front_table", "importance_table", "write_analysis"]


def importance_table(results: dict[str, Sensitivity]) -> str:
    """A Markdown table: one row per parameter, first-order (and total) fractions per
    surrogate, with the 5-95 % band where there is one; rows by decreasing GP (else first)
    first-order fraction."""
    first = next(iter(results.values()))
    key = results.get("gp", first).first
    names = sorted(first.first, key=lambda n: -key[n])
    header = ["parameter"]
    for s, r in results.items():
        header.append(f"{s} first")
        if r.total is not None:
            header.append(f"{s} total")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for n in names:
        row = [n]
        for r in results.values():
            cell = f"{r.first[n]:.3f}"
            if r.first_band:
                lo, hi = r.first_band[n]
                cell += f" [{lo:.3f}, {hi:.3f}]"
            row.append(cell)
            if r.total is not None:
                row.append(f"{r.total[n]:.3f}")
        lines.append("| " + " | ".join(row) + " |")
    notes = [
        "",
        "first: first-order variance fraction (main effect), not normalized; total: main "
        "effect plus interactions. forest: exact fANOVA of a random forest grown in two "
        "stages (hpo.analysis.stacked); gp: Sobol indices of the GP posterior mean (band: "
        "posterior draws); "
        "ped: PED-ANOVA, of the indicator of the best 10 % of trials.",
    ]
    for s, r in results.items():
        if r.pairs:
            top = ", ".join(f"{a} x {b}: {v:.3f}" for (a, b), v in list(r.pairs.items())[:3])
            notes.append(f"strongest interactions ({s}): {top}")
    return "\n".join(lines + notes) + "\n"


def front_table(run: Run) -> str:
    """A Markdown table of the non-dominated completed trials of a run with several
    objectives, by increasing first objective."""
    from hpo.moo import is_non_dominated

    done = [t for t in run.trials if t.ok and isinstance(t.value, (tuple, list))]
    points = np.array([t.value for t in done], dtype=float).reshape(len(done), -1)
    front = [done[i] for i in np.flatnonzero(is_non_dominated(points))] if done else []
    front.sort(key=lambda t: t.value[0])
    names = list(run.space.names)
    m = run.n_objectives
    header = ["trial", *(f"f{k + 1}" for k in range(m)), *names]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for t in front:
        params = [_fmt(t.params.get(n, "")) for n in names]
        values = [f"{v:.6g}" for v in t.value]
        lines.append("| " + " | ".join([str(t.number), *values, *params]) + " |")
    title = f"Pareto front: {len(front)} of {len(done)} completed trials ({len(run.failed)} failed)"
    return "\n".join([title, "", *lines]) + "\n"


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def write_analysis(
    source: str | Path | Any, out: str | Path, *, run: int = 0, seed: int = 0
) -> list[Path]:
    """Write the importance table and every figure of one run.

    Parameters
    ----------
    source : path or search
        An ``hpo run --json`` file, a study journal (``journal.jsonl[.gz]`` or its directory)
        or anything :func:`hpo.analysis.as_trials` accepts.
    out : path
        Output directory (created if needed).
    run : int, default 0
        Which run of a journal to explain (the convergence figure shows them all).
    seed : int, default 0

    Returns
    -------
    list of Path
        The files written: ``importance.md`` and ``*.png``; for a run with several
        objectives ``front.md``, ``importance.md`` (one table per objective) and, with two
        objectives, ``pareto_front.png``.
    """
    from hpo import plot
    from hpo.analysis.data import as_trials
    from hpo.bench.plots import save_figure

    runs = load_runs(source) if isinstance(source, (str, Path)) else [as_trials(source)]
    if not 0 <= run < len(runs):
        raise ValueError(f"run must lie in [0, {len(runs) - 1}], got {run!r}")
    chosen: Run = runs[run]
    if chosen.n_objectives > 1:
        return _write_multiobjective(chosen, Path(out), seed)
    if len(chosen.completed) < 4:
        raise ValueError(f"run {run}: importance needs at least 4 completed trials")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = {s: sensitivity(chosen, surrogate=s, seed=seed) for s in SURROGATES}
    table = out / "importance.md"
    table.write_text(importance_table(results))
    paths = [table]
    figures = {
        "convergence": plot.plot_convergence(runs),
        "convergence_time": plot.plot_convergence(runs, against="time"),
        "evaluations": plot.plot_evaluations(chosen),
        "importance": plot.plot_importance(results["gp"]),
        "partial_dependence": plot.plot_partial_dependence(chosen, seed=seed),
        "slice": plot.plot_slice(chosen, seed=seed),
        "parallel_coordinates": plot.plot_parallel_coordinates(chosen),
    }
    for stem, fig in figures.items():
        paths += save_figure(fig, out / stem, formats=("png",))
    return paths


def _write_multiobjective(run: Run, out: Path, seed: int) -> list[Path]:
    """``hpo analyze`` of a run with several objectives: the front and, per objective, the
    importance table (the single-loss figures do not apply)."""
    from hpo import plot
    from hpo.analysis.data import as_trials
    from hpo.bench.plots import save_figure

    m = run.n_objectives
    out.mkdir(parents=True, exist_ok=True)
    front = out / "front.md"
    front.write_text(front_table(run))
    paths = [front]
    sections = []
    for k in range(m):
        one = as_trials(run, objective=k)
        if len(one.completed) < 4:
            raise ValueError(f"objective {k}: importance needs at least 4 completed trials")
        results = {s: sensitivity(one, surrogate=s, seed=seed) for s in SURROGATES}
        sections.append(f"## Objective f{k + 1}\n\n" + importance_table(results))
    table = out / "importance.md"
    table.write_text("\n".join(sections))
    paths.append(table)
    if m == 2:
        problem = None
        if run.problem:
            from hpo.problems import get_problem

            problem = get_problem(run.problem)
        fig = plot.plot_pareto_front(run.trials, problem=problem)
        paths += save_figure(fig, out / "pareto_front", formats=("png",))
    return paths
