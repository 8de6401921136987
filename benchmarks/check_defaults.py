"""Held-out quality check of ``bayes`` settings on the paper study's problems.

Runs ``bayes`` under several settings side by side (one study, hpo's own runner and journal,
so failed trials, seeds and problem specs are handled exactly as in ``hpo bench``) on the
problems of ``benchmarks/studies/paper.toml`` (the same specs, the ``shift=0`` twins
included), on seeds of your choosing, and summarizes per problem: the median final regret
(the best loss on tasks without a known optimum, the MLP tasks) per setting, a paired
one-sided Wilcoxon signed-rank test that a setting is worse than a base setting, and
lower/equal/higher counts.

The settings (:data:`SETTINGS`) pin every option whose default changes tonight, so that the
records keep their meaning once ``trust_region=True`` becomes the default:

* ``old``: the GP settings before 2026-12-01 (the paper study's ``bayes``), no trust region;
* ``gp-new``: main's GP defaults of 2026-12-01 (issue 16), no trust region;
* ``gp-new+tr``: the same with ``trust_region=True`` (TuRBO's rules alone);
* ``centre+tr``: ``gp-new+tr`` with the fit of ``benchmarks/results/bo/fit-2026-12-01b.md``:
  ``GPConfig(fit_restarts="prior-centre", fit_warm="bfgs")``;
* ``centre+tr+lm``: ``centre+tr`` with the trust region's quadratic model step,
  ``trust_region={"local_model": "always", "local_model_min_r2": 0.9}`` (issue 17).

``gp-new`` and ``gp-new+tr`` pin the fit fields of main's GP on 2026-12-01
(:data:`GP_NEW`), so they keep their meaning if those defaults change.

Usage (one BLAS thread; resumable: rerun the same command to finish a killed run)::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=$PWD \\
        python benchmarks/check_defaults.py run synthetic 700-719 OUT/synthetic.jsonl
    python benchmarks/check_defaults.py run mlp 700-709 OUT/mlp.jsonl
    # only some settings (here the fit candidate against today's default), seeds 820-839
    python benchmarks/check_defaults.py run synthetic 820-839 OUT/s.jsonl \
        --settings gp-new+tr centre+tr
    python benchmarks/check_defaults.py table OUT/synthetic.jsonl OUT/mlp.jsonl.gz

``table`` prints, for each new setting against ``old`` and for ``gp-new+tr`` against
``gp-new``, one Markdown table (journals may be gzipped).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import wilcoxon

from hpo.bench.journal import load_journal
from hpo.bench.records import RunRecord
from hpo.bench.runner import run_study
from hpo.bench.study import Study, load_study
from hpo.gp.config import DEFAULTS_BEFORE_2026_12_01
from hpo.problems import get_problem

PAPER_STUDY = Path(__file__).resolve().parent / "studies" / "paper.toml"
N_TRIALS = 50

#: The fit fields of main's GP defaults on 2026-12-01 (issue 16), pinned by ``gp-new*``.
GP_NEW: dict[str, Any] = {"fit_restarts": "safeguarded", "fit_warm": "lbfgsb"}
#: label -> options of ``bayes``.
SETTINGS: dict[str, dict[str, Any]] = {
    "old": {"gp": dict(DEFAULTS_BEFORE_2026_12_01), "trust_region": False},
    "gp-new": {"gp": dict(GP_NEW), "trust_region": False},
    "gp-new+tr": {"gp": dict(GP_NEW), "trust_region": True},
    "centre+tr": {"gp": {"fit_restarts": "prior-centre", "fit_warm": "bfgs"}, "trust_region": True},
    # issue 17: the trust region's quadratic model step (benchmarks/results/landscapes/localq-*)
    "centre+tr+lm": {
        "gp": {"fit_restarts": "prior-centre", "fit_warm": "bfgs"},
        "trust_region": {"local_model": "always", "local_model_min_r2": 0.9},
    },
}
#: ``--ablation``: each of issue 16's two GP changes alone on top of ``old``.
ABLATION: dict[str, dict[str, Any]] = {
    "old+independent": {
        "gp": {**DEFAULTS_BEFORE_2026_12_01, "search_batch": "independent"},
        "trust_region": False,
    },
    "old+safeguarded": {
        "gp": {**DEFAULTS_BEFORE_2026_12_01, "fit_restarts": "safeguarded"},
        "trust_region": False,
    },
}
#: (new, base) pairs the table reports (those whose settings are in the journals).
COMPARISONS = (
    ("gp-new", "old"),
    ("gp-new+tr", "old"),
    ("gp-new+tr", "gp-new"),
    ("centre+tr", "gp-new+tr"),
    ("centre+tr", "old"),
    ("centre+tr+lm", "centre+tr"),
    ("old+independent", "old"),
    ("old+safeguarded", "old"),
)


def paper_problems(part: str, study_file: Path = PAPER_STUDY) -> list[str]:
    """The problem specs of the paper study: ``"synthetic"`` (known optimum) or ``"mlp"``."""
    if part not in ("synthetic", "mlp"):
        raise ValueError(f"part must be 'synthetic' or 'mlp', got {part!r}")
    specs = [p.spec for p in load_study(study_file).problems]
    known = {s: get_problem(s).optimum is not None for s in specs}
    return [s for s in specs if known[s] == (part == "synthetic")]


def build_study(
    problems: Sequence[str],
    seeds: Iterable[int],
    ablation: bool = False,
    only: Sequence[str] | None = None,
) -> Study:
    """``bayes`` under every setting of :data:`SETTINGS` (and :data:`ABLATION` if asked), or
    under the settings labelled ``only``, on ``problems``, 50 evaluations."""
    settings = {**SETTINGS, **ABLATION} if ablation else SETTINGS
    if only is not None:
        unknown = sorted(set(only) - set(settings))
        if unknown:
            raise ValueError(f"only: {unknown[0]!r} is not a setting, choose from {list(settings)}")
        settings = {k: v for k, v in settings.items() if k in only}
    optimizers = [{"label": k, "name": "bayes", "options": v} for k, v in settings.items()]
    return Study.build(optimizers, list(problems), list(seeds), N_TRIALS)


def final_score(record: RunRecord) -> float:
    """Final simple regret, or the final best loss when the optimum is unknown."""
    trace = record.regret() if record.optimum is not None else record.best_so_far()
    return float(trace[-1])


def compare(scores: dict[tuple[str, str, int], float], new: str, base: str) -> list[dict[str, Any]]:
    """Per problem, ``new`` against ``base`` on the seeds both ran.

    Parameters
    ----------
    scores : dict
        ``(setting, problem, seed) -> final score`` (lower is better).
    new, base : str
        Setting labels.

    Returns
    -------
    list of dict
        One row per problem (in first-seen order): ``problem``, ``n`` (paired seeds),
        ``median_new``, ``median_base``, ``lower``/``equal``/``higher`` (seeds where ``new``
        is below, equal to, above ``base``) and ``p``: scipy's one-sided Wilcoxon
        signed-rank test on ``new - base`` with ``alternative="greater"`` (small p: ``new``
        is worse). Zero differences are dropped before ranking (``zero_method="wilcox"``);
        ``p`` is 1.0 when every difference is zero (nothing says ``new`` is worse).
    """
    problems = list(dict.fromkeys(p for (_, p, _) in scores))
    rows = []
    for problem in problems:
        seeds = sorted(
            s for (v, p, s) in scores if v == new and p == problem and (base, p, s) in scores
        )
        if not seeds:
            continue
        x = np.array([scores[(new, problem, s)] for s in seeds])
        y = np.array([scores[(base, problem, s)] for s in seeds])
        diff = x - y
        if np.any(diff != 0):
            p = float(wilcoxon(diff, alternative="greater", zero_method="wilcox").pvalue)
        else:
            p = 1.0
        rows.append(
            {
                "problem": problem,
                "n": len(seeds),
                "median_new": float(np.median(x)),
                "median_base": float(np.median(y)),
                "lower": int(np.sum(diff < 0)),
                "equal": int(np.sum(diff == 0)),
                "higher": int(np.sum(diff > 0)),
                "p": p,
            }
        )
    return rows


def markdown(rows: list[dict[str, Any]], new: str, base: str, alpha: float = 0.05) -> str:
    """The rows of :func:`compare` as a Markdown table; p below ``alpha`` in bold."""
    out = [
        f"| problem | seeds | median `{base}` | median `{new}` | lower/equal/higher | "
        f"p (`{new}` worse) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        p = f"**{r['p']:.3g}**" if r["p"] < alpha else f"{r['p']:.3g}"
        out.append(
            f"| {r['problem']} | {r['n']} | {r['median_base']:.4g} | {r['median_new']:.4g} | "
            f"{r['lower']}/{r['equal']}/{r['higher']} | {p} |"
        )
    return "\n".join(out)


def overview(scores: dict[tuple[str, str, int], float], alpha: float = 0.05) -> str:
    """One Markdown table: per problem, the median of every setting of :data:`SETTINGS`, then
    ``p`` and lower/equal/higher of each comparison of :data:`COMPARISONS` among them."""
    labels = [v for v in SETTINGS if any(k[0] == v for k in scores)]
    pairs = [(n, b) for n, b in COMPARISONS if n in labels and b in labels]
    results = [{r["problem"]: r for r in compare(scores, n, b)} for n, b in pairs]
    head = [f"median `{v}`" for v in labels] + [f"`{n}` vs `{b}`: p, l/e/h" for n, b in pairs]
    out = ["| problem | seeds | " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) + 1)]
    for problem in dict.fromkeys(p for (_, p, _) in scores):
        rows = [res.get(problem) for res in results]
        if any(r is None for r in rows):
            continue
        medians = {}
        for r, (n, b) in zip(rows, pairs):
            medians[n], medians[b] = r["median_new"], r["median_base"]
        cells = [f"{medians[v]:.4g}" for v in labels]
        for r in rows:
            p = f"**{r['p']:.3g}**" if r["p"] < alpha else f"{r['p']:.3g}"
            cells.append(f"{p}, {r['lower']}/{r['equal']}/{r['higher']}")
        out.append(f"| {problem} | {rows[0]['n']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def load_scores(paths: Iterable[str]) -> dict[tuple[str, str, int], float]:
    """``(setting, problem, seed) -> final score`` from journals (plain or gzipped)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a journal still being written may end mid-line
        return {r.key: final_score(r) for path in paths for r in load_journal(path)}


def per_seed(
    records: Iterable[RunRecord], problem: str, checkpoints: Sequence[int] = (10, 20, 30, 40, 50)
) -> str:
    """Where runs stall: each seed's score after each checkpoint (evaluations), per setting,
    then the medians over seeds, as Markdown."""
    traces: dict[str, dict[int, np.ndarray]] = {}
    for r in records:
        if r.problem == problem:
            trace = r.regret() if r.optimum is not None else r.best_so_far()
            traces.setdefault(r.optimizer, {})[r.seed] = trace
    settings = list(traces)
    seeds = sorted(set.intersection(*(set(t) for t in traces.values()))) if traces else []
    head = " | ".join(f"`{v}` at {', '.join(map(str, checkpoints))}" for v in settings)
    out = [f"| seed | {head} |", "|---|" + "---|" * len(settings)]

    def cells(values: Sequence[np.ndarray]) -> str:
        return " | ".join(" / ".join(f"{x:.3g}" for x in v) for v in values)

    idx = [c - 1 for c in checkpoints]
    for seed in seeds:
        out.append(f"| {seed} | {cells([traces[v][seed][idx] for v in settings])} |")
    medians = [np.median([traces[v][s][idx] for s in seeds], axis=0) for v in settings]
    out.append(f"| median | {cells(medians)} |")
    return "\n".join(out)


def _seeds(text: str) -> list[int]:
    lo, _, hi = text.partition("-")
    return list(range(int(lo), int(hi or lo) + 1))


def _progress(n_done: int, n_total: int, record: RunRecord | None) -> None:
    stamp = time.strftime("%H:%M:%S")
    if record is None:
        print(f"{stamp} start: {n_done}/{n_total} runs already in the journal", flush=True)
        return
    print(
        f"{stamp} {n_done}/{n_total} {record.optimizer} {record.problem} seed {record.seed}: "
        f"{final_score(record):.4g} in {record.wall_time:.1f} s",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run (or resume) one part into a journal")
    run.add_argument("part", choices=("synthetic", "mlp"))
    run.add_argument("seeds", type=_seeds, help="LO-HI, inclusive")
    run.add_argument("journal")
    run.add_argument("--problems", help="';'-separated subset of the part's specs")
    run.add_argument("--ablation", action="store_true", help="also run the ABLATION settings")
    run.add_argument("--settings", nargs="+", help="only these settings (labels)")
    table = sub.add_parser("table", help="the Markdown tables of journals")
    table.add_argument("journals", nargs="+")
    table.add_argument("--detail", metavar="PROBLEM", help="per-seed scores on PROBLEM instead")
    table.add_argument("--overview", action="store_true", help="one table of SETTINGS instead")
    args = parser.parse_args(argv)
    if args.command == "run":
        from threadpoolctl import threadpool_limits

        problems = paper_problems(args.part)
        if args.problems:
            wanted = args.problems.split(";")
            unknown = sorted(set(wanted) - set(problems))
            if unknown:
                sys.exit(f"--problems: {unknown[0]!r} is not a {args.part} problem of the study")
            problems = [p for p in problems if p in wanted]
        warnings.simplefilter("ignore")
        with threadpool_limits(limits=1):
            run_study(
                build_study(problems, args.seeds, args.ablation, args.settings),
                journal=args.journal,
                n_jobs=1,
                progress=_progress,
            )
        return
    if args.detail:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            records = [r for path in args.journals for r in load_journal(path)]
        print(per_seed(records, args.detail))
        return
    scores = load_scores(args.journals)
    if args.overview:
        print(overview(scores))
        return
    labels = {v for (v, _, _) in scores}
    for new, base in COMPARISONS:
        if new not in labels or base not in labels:
            continue
        print(f"\n### `{new}` against `{base}`\n")
        print(markdown(compare(scores, new, base), new, base))


if __name__ == "__main__":
    main()
