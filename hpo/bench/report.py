"""The report of a study: every table (Markdown, LaTeX, CSV) and figure (PNG, PDF) in one
directory, with ``report.md`` tying them together.

Everything is computed from the :class:`~hpo.bench.records.RunRecord` list alone, so a
committed journal regenerates the report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from hpo.bench import moplots, motables, plots, tables
from hpo.bench.mfreport import is_multi_fidelity, mf_final_table, write_mf_report
from hpo.bench.records import RunRecord
from hpo.bench.stats import REGRET_FLOOR, average_ranks, nemenyi_cd
from hpo.bench.summaries import median_scores, study_optimizers, study_traces

__all__ = ["summary_table", "write_report"]

logger = logging.getLogger("hpo")

_RENDERERS = {"md": tables.to_markdown, "tex": tables.to_latex, "csv": tables.to_csv}
# Tables that can run to hundreds of rows: report.md links them instead of showing them.
_LINKED = {"pairwise"}


def summary_table(records: list[RunRecord], order: Sequence[str] | None = None) -> str:
    """Markdown table of final results per problem and optimizer.

    Median [25 %, 75 %] over seeds of log10 simple regret (problems with a known optimum) or
    of the best loss (real tasks), the best median of each row in bold, and the mean rank of
    each optimizer as a last row when there are several.

    Parameters
    ----------
    records : list of RunRecord
        Any subset of a study: one optimizer, one seed, failed trials, unknown optima.
    order : sequence of str, optional
        The study's optimizer labels in its order (columns and pairs follow it); default,
        the order in which they first appear in ``records``.
    """
    if is_multi_fidelity(records):  # losses at low budgets are not comparable: see mfreport
        return tables.to_markdown(mf_final_table(records, order))
    return tables.to_markdown(tables.summary(study_traces(records, order)))


def write_report(
    records: list[RunRecord],
    out_dir: str | Path,
    *,
    references: Mapping[str, Mapping[str, Any]] | None = None,
    budgets: Sequence[int] | None = None,
    alpha: float = 0.05,
    formats: Sequence[str] = ("png", "pdf"),
    order: Sequence[str] | None = None,
) -> list[Path]:
    """Write every table and figure of a study into ``out_dir``.

    Parameters
    ----------
    records : list of RunRecord
        The runs of the study (any subset).
    out_dir : str or Path
        Created if missing.
    references : mapping, optional
        ``{problem: {"best_known": float, "random_median": ndarray of shape (n_trials,)}}``
        for real tasks: adds Bayesmark's normalized score (table and figure) and the best
        known loss to their convergence panels.
    budgets : sequence of int, optional
        Evaluation counts at which the value tables report; default 25 %, 50 % and 100 % of
        each problem's budget.
    alpha : float
        Significance level of the pairwise tests and of the Nemenyi critical difference.
    formats : sequence of str
        Figure formats (matplotlib's names: ``"png"``, ``"pdf"``, ``"svg"``...); empty for
        tables only.
    order : sequence of str, optional
        The study's optimizer labels in its order: every table, figure and pairwise
        comparison lists optimizers in it. Default: the order they first appear in
        ``records``.

    Returns
    -------
    list of Path
        The files written, ``report.md`` last. Tables and figures the study cannot support
        (ranks of a single optimizer, an ECDF without known optima) are skipped with a log
        message. A multi-fidelity study (records with a cost budget or virtual workers) gets
        :func:`hpo.bench.mfreport.write_mf_report` instead.
    """
    if is_multi_fidelity(records):  # a cost budget: curves against cost and simulated time
        return write_mf_report(records, out_dir, formats=formats, order=order)
    study = study_traces(records, order)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    built = {
        "summary": tables.summary(study),
        "regret": tables.regret_table(study, budgets),
        "loss": tables.loss_table(study, budgets),
        "score": tables.score_table(study, references, budgets),
        "ranks": tables.ranks_table(study),
        "friedman": tables.friedman_table(study, alpha=alpha),
        "pairwise_summary": tables.pairwise_summary_table(study, alpha),
        "pairwise": tables.pairwise_table(study, alpha),
        "timing": tables.timing_table(study),
        # Several objectives: the study's first optimizer against the others, paired by seed.
        "moo_baseline": _moo_baseline(study),
    }
    for name, table in built.items():
        if table is None:
            logger.info("report: no %s table for this study", name)
            continue
        for ext, render in _RENDERERS.items():
            path = out / f"{name}.{ext}"
            path.write_text(render(table), encoding="utf-8")
            written.append(path)

    figures: dict[str, Callable[[], Figure | None]] = {
        "convergence": lambda: plots.convergence_figure(study, "evaluations", references),
        "convergence_time": lambda: plots.convergence_figure(study, "time", references),
        "score": lambda: plots.score_figure(study, references),
        "rank_vs_budget": lambda: plots.rank_figure(study),
        "final_boxplots": lambda: plots.boxplot_figure(study),
        "critical_difference": lambda: _cd_figure(study, alpha),
        "ecdf": lambda: plots.ecdf_figure(study),
        "pareto_fronts": lambda: moplots.fronts_figure(study),  # two-objective problems
        "attainment": lambda: moplots.attainment_figure(study),
    }
    drawn = []
    for name, draw in figures.items() if formats else ():
        fig = draw()
        if fig is None:
            logger.info("report: no %s figure for this study", name)
            continue
        written += plots.save_figure(fig, out / name, formats)
        drawn.append(name)

    index = out / "report.md"
    index.write_text(_index(records, built, drawn, formats, study), encoding="utf-8")
    written.append(index)
    return written


def _moo_baseline(study: Mapping[str, Any]) -> tables.Table | None:
    opts = study_optimizers(study)
    return motables.baseline_table(study, opts[0], opts[1:], "moo_baseline")


def _cd_figure(study: Mapping[str, Any], alpha: float) -> Figure | None:
    opts = study_optimizers(study)
    mat = median_scores(study, opts, fraction=1.0)
    if len(opts) < 2 or mat is None:
        return None
    scores, problems = mat
    _, mean = average_ranks(scores)
    cd = nemenyi_cd(len(opts), len(problems), alpha)
    title = (
        f"Average ranks at the final budget over {_n(len(problems), 'problem')}; "
        f"Nemenyi CD at alpha = {alpha}"
    )
    return plots.cd_diagram(opts, mean, cd, title)


def _index(
    records: list[RunRecord],
    built: Mapping[str, tables.Table | None],
    figures: Sequence[str],
    formats: Sequence[str],
    study: Mapping[str, Any],
) -> str:
    """``report.md``: what the study holds, then every table and figure."""
    opts = study_optimizers(study)
    problems = list(dict.fromkeys(r.problem for r in records))
    seeds = sorted({r.seed for r in records})
    lines = [
        "# Study report",
        "",
        f"{_n(len(records), 'run')}: {_n(len(opts), 'optimizer')} ({', '.join(opts)}) x "
        f"{_n(len(problems), 'problem')} x {_n(len(seeds), 'seed')} ({_span(seeds)}).",
        "",
        "| optimizer | runs | trials | failed trials |",
        "|---|---|---|---|",
    ]
    for opt in opts:
        runs = [r for r in records if r.optimizer == opt]
        n = sum(len(r.trials) for r in runs)
        failed = sum(t["value"] is None for r in runs for t in r.trials)
        lines.append(f"| {opt} | {len(runs)} | {n} | {failed} |")
    lines += ["", f"Simple regret below {REGRET_FLOOR:.0e} is reported as {REGRET_FLOOR:.0e}.", ""]
    multi = [p for p, pt in study.items() if pt.multi_objective]
    if multi:
        lines += [
            f"Several objectives ({', '.join(multi)}): the regret is the hypervolume regret, "
            "the maximal hypervolume minus the hypervolume of every point evaluated so far "
            "(w.r.t. the problem's reference point).",
            "",
        ]
    for name, table in built.items():
        if table is not None and name in _LINKED:
            lines += [f"### {table.title}", "", f"See `{name}.md` ({len(table.rows)} rows).", ""]
        elif table is not None:
            lines += [tables.to_markdown(table), f"Files: `{name}.csv`, `{name}.tex`.", ""]
    ext = "png" if "png" in formats else (formats or ("",))[0]
    lines += [f"![{name}]({name}.{ext})\n" for name in figures]
    return "\n".join(lines)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _span(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 2:
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(map(str, seeds))
