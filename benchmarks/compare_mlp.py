"""Quality and cost of hpo's optimizers on the MLP tasks (the targets of issue 5).

Quality: on ``mlp_adam_<dataset>_logloss`` for each dataset, each optimizer runs ``--trials``
evaluations with ``--seeds`` seeds from ``--first-seed`` (default 0; through
:func:`hpo.bench.runner.run_study`, with a resumable journal); the table gives, per dataset
and optimizer, the median over seeds of Bayesmark's normalized score after the last evaluation,
``(S_T - best_known) / (R_T - best_known)`` with the reference values of
``hpo/problems/data/mlp_reference.json`` (0 = best known, 1 = random search's median), the
median best loss, and the optimizer's share of the run's time,
``sum(ask + tell) / sum(ask + tell + evaluation)``.

Cost: the median time of one evaluation of each problem, from the reference pools
(wall time, and CPU time which a busy machine inflates less).

    nice -n 10 python benchmarks/compare_mlp.py quality --seeds 5 --trials 50
    # bayes beside a variant of its GPConfig, on seeds 20-29
    python benchmarks/compare_mlp.py quality --seeds 10 --first-seed 20 --optimizers bayes \
        --variant 'fast={"search_gtol": 0.01}' --datasets iris wine --journal /tmp/j.jsonl
    python benchmarks/compare_mlp.py cost
    # final losses of two settings paired by task and seed, over several journals
    python benchmarks/compare_mlp.py pair --base a.jsonl:bayes b.jsonl:today \
        --new a.jsonl:fast b.jsonl:bayes
    # the optimizer's share of time of journalled runs (seeds common to the sources)
    python benchmarks/compare_mlp.py share a.jsonl:bayes a.jsonl:fast
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from hpo.bench.runner import run_study
from hpo.bench.stats import normalized_score
from hpo.problems.mlp import PROBLEM_NAMES, reference

DATASETS = ("iris", "wine", "breast_cancer", "digits")
JOURNAL = Path(tempfile.gettempdir()) / "hpo_compare_mlp.jsonl"


def _entries(args: argparse.Namespace) -> list:
    """The optimizers of ``quality``: ``--optimizers`` and the bayes variants ``LABEL=JSON``
    of GPConfig fields, run as the optimizer label LABEL (``--relaxed-spread N`` sets
    ``search_spread`` in those with ``search_integers="relaxed"`` that give none)."""
    entries = list(args.optimizers)
    for text in args.variant:
        label, _, gp = text.partition("=")
        options = json.loads(gp)
        spread = getattr(args, "relaxed_spread", None)
        if spread is not None and options.get("search_integers") == "relaxed":
            options.setdefault("search_spread", spread)
        entries.append({"label": label, "name": "bayes", "options": {"gp": options}})
    return entries


def quality(args: argparse.Namespace) -> dict:
    problems = [f"mlp_adam_{d}_logloss" for d in args.datasets]
    entries = _entries(args)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    with threadpool_limits(1):
        records = run_study(
            entries,
            problems,
            seeds=seeds,
            n_trials=args.trials,
            journal=args.journal,
            n_jobs=1,
            progress=lambda done, total, rec: logging.info("run %d of %d", done, total),
        )
    summary: dict = {}
    labels = [e if isinstance(e, str) else e["label"] for e in entries]
    print(f"\n{args.trials} evaluations, seeds {seeds[0]}..{seeds[-1]}\n")
    print(
        "| problem | optimizer | median score | scores by seed | median best loss | "
        "optimizer share of time |"
    )
    print("|---|---|---|---|---|---|")
    for problem in problems:
        ref = reference(problem)
        for opt in labels:
            runs = [r for r in records if r.problem == problem and r.optimizer == opt]
            traces = np.array([r.best_so_far() for r in runs])
            scores = normalized_score(traces, ref["best_known"], np.array(ref["random_median"]))
            final = scores[:, args.trials - 1]
            opt_time = sum(r.optimizer_time().sum() for r in runs)
            total = sum(r.elapsed()[-1] for r in runs)
            summary.setdefault(problem, {})[opt] = {
                "scores": final.tolist(),
                "median_score": float(np.median(final)),
                "best_losses": traces[:, -1].tolist(),
                "optimizer_seconds": float(opt_time),
                "total_seconds": float(total),
            }
            print(
                f"| {problem} | {opt} | {np.median(final):.3f} | "
                f"{', '.join(f'{s:.2f}' for s in final)} | {np.median(traces[:, -1]):.4g} | "
                f"{opt_time / total:.1%} of {total:.0f} s |"
            )
    return summary


def _final_losses(sources: list[str]) -> dict[tuple[str, int], float]:
    """``{(problem, seed): best loss after the last trial}`` of the runs labelled ``LABEL`` in
    each ``JOURNAL:LABEL`` of ``sources``."""
    from hpo.bench.journal import read_journal

    out: dict[tuple[str, int], float] = {}
    for source in sources:
        path, _, label = source.rpartition(":")
        for r in read_journal(path)[1]:
            if r.optimizer == label:
                out[(r.problem, r.seed)] = float(r.best_so_far()[-1])
    return out


def pair(args: argparse.Namespace) -> dict:
    """Final best losses of two settings paired by task and seed, across journals (the MLP
    evaluations are deterministic: a seed's design points give the same losses in every run),
    with the one-sided Wilcoxon signed-rank test that the new setting's loss is larger."""
    from scipy.stats import wilcoxon

    base, new = _final_losses(args.base), _final_losses(args.new)
    print("| task | pairs | median best loss, base | new | lower/equal/higher | p (new worse) |")
    print("|---|---:|---:|---:|---:|---:|")
    out = {}
    for problem in sorted({p for p, _ in new}):
        keys = sorted(k for k in new if k[0] == problem and k in base)
        old_v = np.array([base[k] for k in keys])
        new_v = np.array([new[k] for k in keys])
        diff = new_v - old_v
        p = float(wilcoxon(diff, alternative="greater").pvalue) if np.any(diff) else 1.0
        counts = (int(np.sum(diff < 0)), int(np.sum(diff == 0)), int(np.sum(diff > 0)))
        out[problem] = {"seeds": [s for _, s in keys], "p": p, "counts": counts}
        print(
            f"| {problem} | {len(keys)} | {np.median(old_v):.4g} | {np.median(new_v):.4g} | "
            f"{'/'.join(map(str, counts))} | {p:.3f} |"
        )
    return out


def share(args: argparse.Namespace) -> dict:
    """The optimizer's share of the run's time, as ``quality`` prints it, of the runs
    labelled ``LABEL`` in each ``JOURNAL:LABEL`` (a journal whose study was stopped part
    way), over the seeds that every source has for a task (pairs, when two are given)."""
    from hpo.bench.journal import read_journal

    runs: dict[str, dict] = {}
    for source in args.sources:
        path, _, label = source.rpartition(":")
        runs[source] = {
            (r.problem, r.seed): r for r in read_journal(path)[1] if r.optimizer == label
        }
    common = set.intersection(*(set(v) for v in runs.values()))
    print("| task | setting | runs | optimizer s | run s | optimizer share |")
    print("|---|---|---:|---:|---:|---:|")
    out: dict = {}
    for problem in sorted({p for p, _ in common}):
        keys = sorted(k for k in common if k[0] == problem)
        for source, table in runs.items():
            opt_time = sum(table[k].optimizer_time().sum() for k in keys)
            total = sum(table[k].elapsed()[-1] for k in keys)
            out.setdefault(problem, {})[source] = {
                "seeds": [s for _, s in keys],
                "optimizer_seconds": float(opt_time),
                "total_seconds": float(total),
            }
            print(
                f"| {problem} | {source.rpartition(':')[2]} | {len(keys)} | {opt_time:.1f} | "
                f"{total:.0f} | {opt_time / total:.1%} |"
            )
    return out


def cost(args: argparse.Namespace) -> dict:
    print("| problem | median wall s | 90 % wall s | median CPU s | pool |")
    print("|---|---|---|---|---|")
    out = {}
    for name in PROBLEM_NAMES:
        ref = reference(name)
        out[name] = {k: ref.get(k) for k in ("eval_time_median", "eval_cpu_time_median")}
        cpu = ref.get("eval_cpu_time_median")
        print(
            f"| {name} | {ref['eval_time_median']:.2f} | {ref['eval_time_q90']:.2f} | "
            f"{'-' if cpu is None else f'{cpu:.2f}'} | {ref['n_pool']} |"
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quality", help="normalized scores of optimizers on the adam log-loss tasks")
    q.add_argument("--seeds", type=int, default=5)
    q.add_argument("--trials", type=int, default=50)
    q.add_argument("--optimizers", nargs="+", default=["random", "bayes"])
    q.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    q.add_argument("--first-seed", type=int, default=0, help="seeds first .. first + seeds - 1")
    q.add_argument(
        "--variant",
        action="append",
        default=[],
        help='also run bayes with GPConfig fields: LABEL=JSON, e.g. fast={"search_gtol": 0.01}',
    )
    q.add_argument("--journal", type=Path, default=JOURNAL)
    q.add_argument("--out", type=Path, help="write the summary as JSON here")
    q.add_argument(
        "--max-rounds",
        type=int,
        default=None,
        help="experiment: cap the rounds of bayes's mixed acquisition search "
        "(hpo.optimizers._bo_search._MAX_ROUNDS; changes proposals)",
    )
    q.add_argument(
        "--relaxed-spread",
        type=int,
        default=None,
        help="set GPConfig.search_spread to this in every --variant that has "
        'search_integers="relaxed" and no search_spread (how the committed relaxed16 journal, '
        "run with the module knob this replaced, is reproduced)",
    )
    sub.add_parser("cost", help="median evaluation time of each problem")
    pr = sub.add_parser("pair", help="two settings' final losses paired by task and seed")
    pr.add_argument("--base", nargs="+", required=True, help="JOURNAL:LABEL of the base runs")
    pr.add_argument("--new", nargs="+", required=True, help="JOURNAL:LABEL of the new runs")
    sh = sub.add_parser("share", help="the optimizer's share of the time of journalled runs")
    sh.add_argument("sources", nargs="+", help="JOURNAL:LABEL of each setting")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    if getattr(args, "max_rounds", None) is not None:  # runs are in this process (n_jobs=1)
        from hpo.optimizers import _bo_search

        _bo_search._MAX_ROUNDS = args.max_rounds
    summary = {"quality": quality, "cost": cost, "pair": pair, "share": share}[args.command](args)
    if getattr(args, "out", None):
        args.out.write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
