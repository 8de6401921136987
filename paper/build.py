"""Build the paper from the committed results: every table, every figure and ``paper.md``.

    python paper/build.py                # tables, figures and paper/paper.md
    python paper/build.py --no-figures   # tables and text only (seconds)
    python paper/build.py --check        # rebuild tables and text in a temporary directory
                                         # and compare them with paper/ (exit 1 if they differ)

Inputs (committed; nothing is rerun): the study journal
``benchmarks/results/paper/journal.jsonl.gz`` (its header holds the study definition and the
environment), the overhead measurement ``benchmarks/results/paper/overhead.json``
(``benchmarks/overhead.py``) and the MLP reference values shipped with hpo
(``hpo/problems/data/mlp_reference.json``).

The multi-fidelity section comes from the journal of its own study,
``benchmarks/results/multifidelity/full/journal.jsonl.gz`` (see :mod:`paper_mf`), and so
does the multi-objective one, ``benchmarks/results/moo/study/journal.jsonl.gz`` (see
:mod:`paper_moo`), and the conditional-spaces section,
``benchmarks/results/conditional/study/journal.jsonl.gz`` (see :mod:`paper_conditional`).
The landscapes section reads the journals of ``benchmarks/compare_landscapes.py`` in
``benchmarks/results/landscapes/`` (see :mod:`paper_landscapes`).

Outputs under ``paper/``: ``tables/NAME.{md,tex,csv}``, ``figures/NAME.{png,pdf}`` and
``paper.md``, rendered from ``paper.template.md`` (see :mod:`paper_render` for its
placeholders). Statistics, tables and figures come from :mod:`hpo.bench`; the values and
generated sentences of the text from :mod:`paper_text`, which also checks every qualitative
claim the template makes: the build fails if one stops holding on the data.
"""

from __future__ import annotations

import argparse
import dataclasses
import filecmp
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from matplotlib.figure import Figure  # noqa: E402
from paper_conditional import (  # noqa: E402
    cond_figures,
    cond_tables,
    cond_values,
    load_conditional,
)
from paper_data import (  # noqa: E402
    Results,
    compact,
    environment_table,
    generalization_table,
    load_results,
    overhead_table,
    problems_table,
)
from paper_figures import overhead_figure  # noqa: E402
from paper_importance import importance_figure, importance_table  # noqa: E402
from paper_landscapes import lands_tables, lands_values, load_landscapes  # noqa: E402
from paper_mf import async_values, load_mf, mf_figures, mf_tables, mf_values  # noqa: E402
from paper_moo import load_moo, moo_figures, moo_tables, moo_values  # noqa: E402
from paper_render import render  # noqa: E402
from paper_text import ClaimFailed, paper_values  # noqa: E402

from hpo.bench import plots, tables  # noqa: E402
from hpo.bench.stats import average_ranks, nemenyi_cd  # noqa: E402
from hpo.bench.summaries import median_scores, study_optimizers  # noqa: E402
from hpo.bench.tables import Table  # noqa: E402

REPO = HERE.parent
JOURNAL = REPO / "benchmarks" / "results" / "paper" / "journal.jsonl.gz"
OVERHEAD = REPO / "benchmarks" / "results" / "paper" / "overhead.json"
MF_JOURNAL = REPO / "benchmarks" / "results" / "multifidelity" / "full" / "journal.jsonl.gz"
MF_ASYNC = REPO / "benchmarks" / "results" / "multifidelity" / "async"  # its measure.py's records
COND_JOURNAL = REPO / "benchmarks" / "results" / "conditional" / "study" / "journal.jsonl.gz"
MOO_JOURNAL = REPO / "benchmarks" / "results" / "moo" / "study" / "journal.jsonl.gz"
TEMPLATE = HERE / "paper.template.md"
TABLE_FORMATS = {"md": tables.to_markdown, "tex": tables.to_latex, "csv": tables.to_csv}
FIGURE_FORMATS = ("png", "pdf")

__all__ = ["build", "build_tables", "check", "figure_builders"]


def _renamed(table: Table | None, name: str, title: str | None = None) -> Table | None:
    if table is None:
        return None
    return dataclasses.replace(table, name=name, title=title or table.title)


def _rows_where(table: Table, column: int, keep: Callable[[str], bool], name: str) -> Table:
    """The rows of ``table`` whose cell in ``column`` passes ``keep`` (bold kept)."""
    index = [i for i, row in enumerate(table.rows) if keep(row[column])]
    new = {old: k for k, old in enumerate(index)}
    bold = {(new[i], j) for i, j in table.bold if i in new}
    rows = [table.rows[i] for i in index]
    return dataclasses.replace(table, name=name, rows=rows, bold=bold)


def build_tables(res: Results) -> dict[str, Table]:
    """Every table of the paper, by file name."""
    budget = res.header["study"]["problems"][0]["n_trials"]
    regret_final = tables.regret_table(res.synthetic, fractions=(1.0,))
    assert regret_final is not None  # synthetic problems have a known optimum
    timing = tables.timing_table(res.synthetic)
    built: dict[str, Table | None] = {
        "problems": problems_table(res.synthetic, res.records),
        "environment": environment_table(res.header, res.overhead),
        "regret_final": compact(
            regret_final,
            "regret_final",
            f"Median log10 simple regret after {budget} evaluations",
        ),
        "regret": tables.regret_table(res.synthetic),
        "ranks": tables.ranks_table(res.paired),
        "friedman": tables.friedman_table(res.paired),
        "pairwise_summary": tables.pairwise_summary_table(res.synthetic),
        "pairwise": tables.pairwise_table(res.synthetic),
        "timing": timing,
        "timing_all": _rows_where(timing, 0, lambda p: p == "all problems", "timing_all"),
    }
    if res.complete is not None:
        built["ranks_complete"] = _renamed(tables.ranks_table(res.complete), "ranks_complete")
        built["friedman_complete"] = _renamed(
            tables.friedman_table(res.complete), "friedman_complete"
        )
    if res.overhead is not None:
        built["overhead_n"] = overhead_table(res.overhead, "n")
        built["overhead_d"] = overhead_table(res.overhead, "d")
    if res.mlp is not None:
        built["mlp_loss"] = _renamed(tables.loss_table(res.mlp), "mlp_loss")
        built["mlp_score"] = _renamed(tables.score_table(res.mlp, res.references), "mlp_score")
        built["generalization"] = generalization_table(res.mlp)
        mlp_timing = tables.timing_table(res.mlp)
        built["mlp_timing"] = _rows_where(
            mlp_timing, 0, lambda p: p != "all problems", "mlp_timing"
        )
        built["mlp_importance"] = importance_table(res)  # the importance section (issue 12)
    return {name: t for name, t in built.items() if t is not None}


def _cd_figure(study: dict, title: str) -> Figure:
    opts = study_optimizers(study)
    scores, problems = median_scores(study, opts, fraction=1.0)
    _, mean = average_ranks(scores)
    return plots.cd_diagram(opts, mean, nemenyi_cd(len(opts), len(problems)), title)


def figure_builders(
    res: Results, mf_journal: Path | None = MF_JOURNAL
) -> dict[str, Callable[[], Figure | None]]:
    """Every figure of the paper, by file name, as functions that draw it (so that the names
    are known without drawing); the multi-fidelity ones when ``mf_journal`` exists."""
    n = len(res.paired)
    figs: dict[str, Callable[[], Figure | None]] = {
        "convergence": lambda: plots.convergence_figure(res.synthetic),
        "ecdf": lambda: plots.ecdf_figure(res.synthetic),
        "critical_difference": lambda: _cd_figure(
            res.paired, f"Average ranks over {n} problems, paired seeds; Nemenyi CD, alpha 0.05"
        ),
        "rank_vs_budget": lambda: plots.rank_figure(res.paired),
        "convergence_time": lambda: plots.convergence_figure(res.synthetic, "time"),
        "final_boxplots": lambda: plots.boxplot_figure(res.synthetic),
    }
    if res.complete is not None:
        k = len(study_optimizers(res.complete))
        figs["critical_difference_complete"] = lambda: _cd_figure(
            res.complete, f"Average ranks of the {k} optimizers run on every seed"
        )
    if res.overhead is not None:
        figs["overhead"] = lambda: overhead_figure(res.overhead)
    if res.mlp is not None:
        figs["convergence_mlp"] = lambda: plots.convergence_figure(
            res.mlp, references=res.references
        )
        if res.references:
            figs["score"] = lambda: plots.score_figure(res.mlp, res.references)
        figs["mlp_importance"] = lambda: importance_figure(res)  # the importance section
    mf = load_mf(mf_journal) if mf_journal is not None else None
    if mf is not None:
        figs.update(mf_figures(mf))
    cond = load_conditional(COND_JOURNAL)  # the conditional-spaces section (issue 13)
    if cond is not None:
        figs.update(cond_figures(cond))
    moo = load_moo(MOO_JOURNAL)  # the multi-objective section (issue 11)
    if moo is not None:
        figs.update(moo_figures(moo))
    return figs


def _clear(directory: Path, suffixes: tuple[str, ...]) -> None:
    """Remove the build's previous outputs, so that a dropped table leaves no stale file."""
    for path in directory.glob("*"):
        if path.is_file() and path.suffix.lstrip(".") in suffixes:
            path.unlink()


def build(
    out: Path = HERE,
    journal: Path = JOURNAL,
    overhead: Path = OVERHEAD,
    figures: bool = True,
    mf_journal: Path | None = MF_JOURNAL,
) -> list[Path]:
    """Write the tables, the figures (unless ``figures`` is False) and ``paper.md`` to ``out``.

    Returns
    -------
    list of Path
        The files written, ``paper.md`` last.

    Raises
    ------
    paper_text.ClaimFailed
        If a claim of the template does not hold on the data.
    paper_render.RenderError
        If a placeholder of the template does not resolve.
    """
    res = load_results(journal, overhead)
    built = build_tables(res)
    drawers = figure_builders(res, mf_journal)
    values = paper_values(res, built)  # checks the claims before anything is written
    mf = load_mf(mf_journal) if mf_journal is not None else None
    if mf is not None:  # the multi-fidelity section, from its own study's journal
        built.update(mf_tables(mf))
        values.update(mf_values(mf, built))
        values.update(async_values(mf, MF_ASYNC))
    cond = load_conditional(COND_JOURNAL)  # the conditional-spaces section, its own journal
    if cond is not None:
        cond_built = cond_tables(cond)
        built.update(cond_built)
        values.update(cond_values(cond, cond_built))
    moo = load_moo(MOO_JOURNAL)  # the multi-objective section, from its own journal
    if moo is not None:
        built.update(moo_tables(moo))
        values.update(moo_values(moo, built))
    lands = load_landscapes()  # the landscapes section, from compare_landscapes' journals
    built.update(lands_tables(lands))
    values.update(lands_values(lands))
    fig_paths = {name: f"figures/{name}.png" for name in drawers}
    text = render(TEMPLATE.read_text(encoding="utf-8"), values, built, fig_paths)

    written: list[Path] = []
    table_dir = out / "tables"
    table_dir.mkdir(parents=True, exist_ok=True)
    _clear(table_dir, tuple(TABLE_FORMATS))
    for name, table in built.items():
        for ext, fmt in TABLE_FORMATS.items():
            path = table_dir / f"{name}.{ext}"
            path.write_text(fmt(table), encoding="utf-8")
            written.append(path)
    if figures:
        fig_dir = out / "figures"
        fig_dir.mkdir(parents=True, exist_ok=True)
        _clear(fig_dir, FIGURE_FORMATS)
        for name, draw in drawers.items():
            fig = draw()
            if fig is None:
                raise RuntimeError(f"figure {name!r} has nothing to show on this study")
            written += plots.save_figure(fig, fig_dir / name, FIGURE_FORMATS)
    paper = out / "paper.md"
    paper.write_text(text, encoding="utf-8")
    written.append(paper)
    return written


def check(reference: Path = HERE, **kwargs) -> list[str]:
    """Rebuild tables and text in a temporary directory; the files of ``reference`` that
    differ from the rebuild, are missing, or are stale (empty when all agree)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        build(fresh, figures=False, **kwargs)
        new = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
        old = {p.relative_to(reference) for p in (reference / "tables").glob("*") if p.is_file()}
        old.add(Path("paper.md"))
        problems = [
            f"{rel}: differs" if (reference / rel).is_file() else f"{rel}: missing"
            for rel in sorted(new)
            if not (reference / rel).is_file()
            or not filecmp.cmp(fresh / rel, reference / rel, shallow=False)
        ]
        problems += [f"{rel}: stale (no longer built)" for rel in sorted(old - new)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journal", type=Path, default=JOURNAL, help="the study journal")
    parser.add_argument("--overhead", type=Path, default=OVERHEAD, help="overhead.json")
    parser.add_argument("--out", type=Path, default=HERE, help="output directory (paper/)")
    parser.add_argument("--no-figures", action="store_true", help="tables and text only")
    parser.add_argument(
        "--check", action="store_true", help="compare a rebuild of tables and text with --out"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(args.out, journal=args.journal, overhead=args.overhead)
            for p in problems:
                print(p)
            print("paper is up to date" if not problems else f"{len(problems)} files differ")
            return 1 if problems else 0
        written = build(args.out, args.journal, args.overhead, figures=not args.no_figures)
    except ClaimFailed as err:
        print(f"build.py: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
