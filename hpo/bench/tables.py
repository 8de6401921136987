"""Tables of a study, each rendered as Markdown, LaTeX and CSV.

A :class:`Table` holds display cells (for Markdown and LaTeX, laid out to read well: one row
per problem and budget, one column per optimizer) and the long-form records of
:mod:`hpo.bench.summaries` (for CSV, at full precision, easy to load elsewhere).

Every builder takes the output of :func:`hpo.bench.summaries.study_traces` and returns ``None``
when the study holds nothing it could report (for instance no problem with a known optimum).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hpo.bench.stats import REGRET_FLOOR, average_ranks, normalized_score
from hpo.bench.summaries import (
    DEFAULT_FRACTIONS,
    ProblemTraces,
    Study,
    friedman_summary,
    median_scores,
    pairwise_tests,
    rank_summary,
    timing_summary,
    value_summary,
)

__all__ = [
    "Table",
    "friedman_table",
    "latex_escape",
    "loss_table",
    "pairwise_summary_table",
    "pairwise_table",
    "ranks_table",
    "regret_table",
    "score_table",
    "summary",
    "timing_table",
    "to_csv",
    "to_latex",
    "to_markdown",
]

NA = "n/a"
_FLOOR_NOTE = (
    f"Simple regret below {REGRET_FLOOR:.0e} is reported as {REGRET_FLOOR:.0e} "
    f"(log10 = {np.log10(REGRET_FLOOR):.0f}), and such regrets tie."
)


_HV_NOTE = (
    "Several objectives: HV regret is the problem's maximal hypervolume minus the "
    "hypervolume of every point evaluated, with respect to its reference point (-HV: minus "
    "that hypervolume, where the maximum is unknown)."
)


def _metric(pt: ProblemTraces) -> str:
    """What a problem's values are: log10 (HV) regret, or the best loss (-HV)."""
    if pt.multi_objective:
        return "log10 HV regret" if pt.has_optimum else "-HV"
    return "log10 regret" if pt.has_optimum else "best loss"


@dataclass
class Table:
    """A titled table: display cells for Markdown/LaTeX and long-form records for CSV.

    Attributes
    ----------
    name : str
        File stem (``regret`` gives regret.md, regret.tex, regret.csv).
    title : str
    header : list of str
    rows : list of list of str
        Display cells, each row as long as ``header``.
    data : list of dict
        CSV records; all have the keys of the first.
    notes : list of str
        Printed under the Markdown table and in the LaTeX caption (not in the CSV).
    bold : set of (int, int)
        ``(row, column)`` of cells to emphasize (the best of a row).
    """

    name: str
    title: str
    header: list[str]
    rows: list[list[str]]
    data: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    bold: set[tuple[int, int]] = field(default_factory=set)


def to_markdown(table: Table, title: bool = True) -> str:
    """GitHub-flavoured Markdown: an optional ``###`` title, the table, then the notes."""

    def cell(i: int, j: int, text: str) -> str:
        text = text.replace("|", "\\|")
        return f"**{text}**" if (i, j) in table.bold else text

    lines = [f"### {table.title}", ""] if title else []
    lines.append("| " + " | ".join(h.replace("|", "\\|") for h in table.header) + " |")
    lines.append("|" + "|".join("---" for _ in table.header) + "|")
    for i, row in enumerate(table.rows):
        lines.append("| " + " | ".join(cell(i, j, c) for j, c in enumerate(row)) + " |")
    if table.notes:
        lines += ["", *(f"- {n}" for n in table.notes)]
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"}
_LATEX_SPECIAL |= {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def to_latex(table: Table) -> str:
    """A ``table`` environment around a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``),
    the title and notes as its caption."""

    def cell(i: int, j: int, text: str) -> str:
        text = latex_escape(text)
        return f"\\textbf{{{text}}}" if (i, j) in table.bold else text

    caption = " ".join([table.title.rstrip(".") + ".", *table.notes])
    lines = [
        "\\begin{table}[ht]",
        "\\centering",
        f"\\caption{{{latex_escape(caption)}}}",
        f"\\label{{tab:{table.name}}}",
        "\\begin{tabular}{" + "l" * len(table.header) + "}",
        "\\toprule",
        " & ".join(latex_escape(h) for h in table.header) + " \\\\",
        "\\midrule",
        *(
            " & ".join(cell(i, j, c) for j, c in enumerate(r)) + " \\\\"
            for i, r in enumerate(table.rows)
        ),
        "\\bottomrule",
        "\\end{tabular}",
        "\\end{table}",
    ]
    return "\n".join(lines) + "\n"


def to_csv(table: Table) -> str:
    """The long-form records as CSV with a header line; floats at full precision."""
    buf = io.StringIO()
    if table.data:
        writer = csv.DictWriter(buf, fieldnames=list(table.data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in table.data)
    return buf.getvalue()


def _fmt(v: float | None, kind: str = "num") -> str:
    if v is None or np.isnan(v):
        return NA
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    if kind == "p":
        return f"{v:.1e}" if v < 1e-3 else f"{v:.3f}"
    if kind == "time":
        return f"{v:.3g}"
    return f"{v:.2f}" if kind == "fixed" else f"{v:.4g}"


def _iqr(rec: Mapping[str, Any] | None, kind: str) -> str:
    """``median [q25, q75]`` of a record (``n/a`` for a missing one)."""
    if rec is None or np.isnan(rec["median"]):
        return NA
    med, lo, hi = (_fmt(rec[k], kind) for k in ("median", "q25", "q75"))
    return f"{med} [{lo}, {hi}]"


def _bold_min(row_index: int, values: Sequence[float], offset: int) -> set[tuple[int, int]]:
    v = np.asarray(values, dtype=float)
    if np.all(np.isnan(v)):
        return set()
    return {(row_index, offset + j) for j in np.flatnonzero(v == np.nanmin(v))}


def _wide(
    name: str,
    title: str,
    data: list[dict[str, Any]],
    kind: str | Mapping[str, str],
    notes: list[str],
    keys: tuple[str, str],
) -> Table | None:
    """One row per value of ``keys`` (problem, evaluations), one column per optimizer; ``kind``
    formats the numbers, or maps the second key's value to a format."""
    if not data:
        return None
    opts = list(dict.fromkeys(r["optimizer"] for r in data))
    cells: dict[tuple, dict[str, dict[str, Any]]] = {}
    for r in data:
        cells.setdefault(tuple(r[k] for k in keys), {})[r["optimizer"]] = r
    header = [*keys, "seeds", *opts]
    rows, bold = [], set()
    for key, by_opt in cells.items():
        seeds = "/".join(str(s) for s in sorted({r["n_seeds"] for r in by_opt.values()}))
        fmt = kind if isinstance(kind, str) else kind[key[1]]
        rows.append([*(str(k) for k in key), seeds, *(_iqr(by_opt.get(o), fmt) for o in opts)])
        # bold on the seeds every optimizer ran: medians over unequal seed sets do not compare
        meds = [
            by_opt[o].get("median_common", by_opt[o]["median"]) if o in by_opt else np.nan
            for o in opts
        ]
        bold |= _bold_min(len(rows) - 1, meds, len(keys) + 1)
    return Table(name, title, header, rows, data, notes, bold)


_CELLS = (
    "Cells: median [25 %, 75 % quantiles] over seeds; bold: lowest median over the seeds "
    "every optimizer of the row ran"
)


def regret_table(
    study: Study,
    budgets: Sequence[int] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> Table | None:
    """log10 simple regret at budget points, problems with a known f*."""
    transforms = {p: np.log10 for p, pt in study.items() if pt.has_optimum}
    data = value_summary(study, transforms, budgets, fractions)
    notes = [_FLOOR_NOTE, f"{_CELLS}; inf: no successful trial yet."]
    if any(study[p].multi_objective for p in transforms):
        notes.append(_HV_NOTE)
    title = "log10 simple regret (median [IQR] over seeds)"
    return _wide("regret", title, data, "fixed", notes, ("problem", "evaluations"))


def loss_table(
    study: Study,
    budgets: Sequence[int] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> Table | None:
    """Best loss at budget points, problems without a known f* (real tasks)."""
    transforms = {p: (lambda v: v) for p, pt in study.items() if not pt.has_optimum}
    data = value_summary(study, transforms, budgets, fractions)
    title = "Best loss on tasks without a known optimum (median [IQR] over seeds)"
    return _wide("loss", title, data, "num", [f"{_CELLS}."], ("problem", "evaluations"))


def score_table(
    study: Study,
    references: Mapping[str, Mapping[str, Any]] | None,
    budgets: Sequence[int] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> Table | None:
    """Bayesmark's normalized score at budget points, real tasks with reference values."""
    refs = {p: r for p, r in (references or {}).items() if p in study and not study[p].has_optimum}
    transforms = {
        p: (lambda v, r=r: normalized_score(v, r["best_known"], r["random_median"]))
        for p, r in refs.items()
    }
    data = value_summary(study, transforms, budgets, fractions)
    notes = [
        "Score (S_t - opt) / (R_t - opt) (Bayesmark): S_t the best loss after t evaluations, "
        "opt the best known loss, R_t the median best loss of random search; 0 is the best "
        "known, 1 is random search.",
        f"{_CELLS}.",
    ]
    title = "Normalized score (median [IQR] over seeds)"
    return _wide("score", title, data, "fixed", notes, ("problem", "evaluations"))


def summary(study: Study) -> Table:
    """Final results per problem and optimizer, with each optimizer's mean rank last."""
    transforms = {p: (np.log10 if pt.has_optimum else (lambda v: v)) for p, pt in study.items()}
    data = value_summary(study, transforms, fractions=(1.0,))
    for r in data:
        r["metric"] = _metric(study[r["problem"]])
        del r["evaluations"]
    notes = [f"Final budget. {_CELLS}.", _FLOOR_NOTE]
    if any(pt.multi_objective for pt in study.values()):
        notes.append(_HV_NOTE)
    kind = {"log10 regret": "fixed", "best loss": "num", "log10 HV regret": "fixed", "-HV": "num"}
    table = _wide("summary", "Final results", data, kind, notes, ("problem", "metric"))
    assert table is not None  # study_traces never returns an empty study
    opts = table.header[3:]
    mat = median_scores(study, opts)
    if mat is not None and len(opts) > 1:
        _, mean = average_ranks(mat[0])
        table.rows.append(
            [
                "mean rank",
                "",
                f"{len(mat[1])} problem{'s' * (len(mat[1]) != 1)}",
                *(_fmt(r, "fixed") for r in mean),
            ]
        )
        table.bold |= _bold_min(len(table.rows) - 1, mean, 3)
        table.notes.append(
            "Mean rank: rank of the medians within each problem (1 = best, ties averaged), "
            "averaged over the problems every optimizer ran."
        )
    return table


def ranks_table(study: Study, fractions: Sequence[float] = DEFAULT_FRACTIONS) -> Table | None:
    """Average rank of each optimizer across problems at fractions of the budget."""
    data = rank_summary(study, fractions)
    if not data:
        return None
    fr = sorted({r["fraction"] for r in data})
    opts = list(dict.fromkeys(r["optimizer"] for r in data))
    rank = {(r["optimizer"], r["fraction"]): r["mean_rank"] for r in data}
    opts.sort(key=lambda o: rank[o, fr[-1]])
    header = ["optimizer", *(f"rank at {f:.0%} of budget" for f in fr)]
    rows = [[o, *(_fmt(rank[o, f], "fixed") for f in fr)] for o in opts]
    bold = set()
    for c, f in enumerate(fr):
        col = [rank[o, f] for o in opts]
        bold |= {(i, 1 + c) for i in np.flatnonzero(np.array(col) == min(col))}
    notes = [
        f"Ranks of the per-problem medians (1 = best, ties averaged) over the "
        f"{data[0]['n_problems']} problems every optimizer ran. {_FLOOR_NOTE}"
    ]
    return Table("ranks", "Average rank across problems", header, rows, data, notes, bold)


def friedman_table(
    study: Study, fractions: Sequence[float] = DEFAULT_FRACTIONS, alpha: float = 0.05
) -> Table | None:
    """Friedman test (and Iman-Davenport F) with the Nemenyi CD at fractions of the budget."""
    data = friedman_summary(study, fractions, alpha)
    if not data:
        return None
    header = [
        "budget",
        "problems",
        "optimizers",
        "Friedman chi2",
        "p",
        "Iman-Davenport F",
        "p (F)",
        f"CD (alpha = {alpha})",
    ]
    rows = [
        [
            f"{r['fraction']:.0%}",
            str(r["n_problems"]),
            str(r["n_optimizers"]),
            _fmt(r["friedman_chi2"]),
            _fmt(r["p"], "p"),
            _fmt(r["iman_davenport_f"]),
            _fmt(r["p_f"], "p"),
            _fmt(r["cd"], "fixed"),
        ]
        for r in data
    ]
    notes = [
        "Friedman chi2 with the tie correction, p from chi2(k-1); Iman-Davenport F with p from "
        "F(k-1, (k-1)(N-1)) (Demsar 2006, JMLR 7); both need 3 optimizers and 2 problems.",
        "Nemenyi CD = q_alpha sqrt(k(k+1)/(6N)): average ranks further apart than CD differ "
        "significantly.",
    ]
    title = "Friedman test and Nemenyi critical difference"
    return Table("friedman", title, header, rows, data, notes)


def pairwise_table(study: Study, alpha: float = 0.05) -> Table | None:
    """Per problem and pair of optimizers: W/T/L over seeds, Wilcoxon p and Holm's p."""
    data = pairwise_tests(study, alpha)
    if not data:
        return None
    header = [
        "problem",
        "A",
        "B",
        "seeds",
        "W/T/L (A vs B)",
        "Wilcoxon W",
        "p",
        "p (Holm)",
        "better",
    ]
    rows = [
        [
            r["problem"],
            r["a"],
            r["b"],
            str(r["n_seeds"]),
            f"{r['wins']}/{r['ties']}/{r['losses']}",
            _fmt(r["statistic"]),
            _fmt(r["p"], "p"),
            _fmt(r["p_holm"], "p"),
            r["better"] or "-",
        ]
        for r in data
    ]
    notes = [
        "Final values paired by seed (floored regret, or best loss); A wins a seed with the "
        "lower value. Two-sided Wilcoxon signed-rank test with exact p; Holm's correction over "
        f"the pairs of each problem; 'better' names the winner at alpha = {alpha}.",
    ]
    return Table("pairwise", "Pairwise Wilcoxon signed-rank tests", header, rows, data, notes)


def pairwise_summary_table(study: Study, alpha: float = 0.05) -> Table | None:
    """Per pair of optimizers over all problems: significant wins and losses, seed W/T/L."""
    tests = pairwise_tests(study, alpha)
    if not tests:
        return None
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for r in tests:
        s = pairs.setdefault(
            (r["a"], r["b"]),
            dict(
                a=r["a"],
                b=r["b"],
                problems=0,
                a_better=0,
                no_difference=0,
                b_better=0,
                wins=0,
                ties=0,
                losses=0,
            ),
        )
        s["problems"] += 1
        s[
            "a_better" if r["better"] == r["a"] else "b_better" if r["better"] else "no_difference"
        ] += 1
        for k in ("wins", "ties", "losses"):
            s[k] += r[k]
    header = ["A", "B", "problems", "A better / no sig. diff. / B better", "seed W/T/L (A vs B)"]
    rows = [
        [
            s["a"],
            s["b"],
            str(s["problems"]),
            f"{s['a_better']}/{s['no_difference']}/{s['b_better']}",
            f"{s['wins']}/{s['ties']}/{s['losses']}",
        ]
        for s in pairs.values()
    ]
    notes = [
        f"Problems where the Holm-corrected Wilcoxon test of the pairwise table finds A or B "
        f"better at alpha = {alpha}; seed W/T/L sums the paired final values over problems."
    ]
    title = "Pairwise comparisons over all problems"
    return Table("pairwise_summary", title, header, rows, list(pairs.values()), notes)


def timing_table(study: Study) -> Table:
    """The optimizer's own time per trial (median ask + tell), per problem and overall."""
    data = timing_summary(study)
    header = [
        "problem",
        "optimizer",
        "trials",
        "ask+tell per trial, ms (median [IQR])",
        "objective per trial, ms (median)",
        "optimizer share of time",
    ]
    rows = []
    for r in data:
        total = r["total_optimizer_s"] + r["total_eval_s"]
        share = f"{r['total_optimizer_s'] / total:.1%}" if total > 0 else NA
        rows.append(
            [
                r["problem"],
                r["optimizer"],
                str(r["n_trials"]),
                _iqr({k: r[k + "_ms"] for k in ("median", "q25", "q75")}, "time"),
                _fmt(r["median_eval_ms"], "time"),
                share,
            ]
        )
    notes = [
        "Wall time inside ask and tell (time.perf_counter), apart from the objective; a "
        "batch's time is shared equally among its trials."
    ]
    return Table("timing", "Optimizer time per trial", header, rows, data, notes)
