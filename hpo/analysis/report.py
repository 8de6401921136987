"""What ``hpo analyze TRIALS.json --out DIR`` writes: the figures of one run and an
importance table from the three estimators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hpo.analysis.data import Run, load_runs
from hpo.analysis.importance import SURROGATES, Sensitivity, sensitivity

__all__ = ["importance_table", "write_analysis"]


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
        "effect plus interactions. forest: exact fANOVA of a random forest (band: spread "
        "over trees); gp: Sobol indices of the GP posterior mean (band: posterior draws); "
        "ped: PED-ANOVA, of the indicator of the best 10 % of trials.",
    ]
    for s, r in results.items():
        if r.pairs:
            top = ", ".join(f"{a} x {b}: {v:.3f}" for (a, b), v in list(r.pairs.items())[:3])
            notes.append(f"strongest interactions ({s}): {top}")
    return "\n".join(lines + notes) + "\n"


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
        The files written: ``importance.md`` and ``*.png``.
    """
    from hpo import plot
    from hpo.analysis.data import as_trials
    from hpo.bench.plots import save_figure

    runs = load_runs(source) if isinstance(source, (str, Path)) else [as_trials(source)]
    if not 0 <= run < len(runs):
        raise ValueError(f"run must lie in [0, {len(runs) - 1}], got {run!r}")
    chosen: Run = runs[run]
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
