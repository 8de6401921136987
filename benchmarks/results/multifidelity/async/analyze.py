"""Time ratios of 8-worker runs against the 1-worker GP-Hyperband, under two protocols.

    python benchmarks/results/multifidelity/async/analyze.py RUNS.jsonl[.gz] ... \\
        [--baseline gp-hyperband:1] \\
        [--journal benchmarks/results/multifidelity/full/journal.jsonl.gz]

For each problem and each k-worker variant (labels as written by ``measure.py``), per seed:
the simulated time at which the variant's full-fidelity incumbent first reaches the 1-worker
run's final loss (same seed), over the 1-worker run's simulated time (the ratio of
``hpo.bench.mftables.mf_targets_table``); median over seeds, ``inf`` when fewer than half
the seeds reach it.

- *equal cost*: the variant's run cut at the study's 30 full-training equivalents
  (:func:`hpo.bench.mfmetrics.within_budget`), as the study's ``@8w`` rows are run;
- *equal wall time*: the run as made (a larger cost budget), so the k workers may keep
  working until a fifth of the 1-worker time, the protocol of Li et al. 2020 (parallel
  methods compared at equal wall-clock time), and the issue's wording.

The baseline is the variant ``--baseline`` of the same files, or with ``--journal`` the
committed study's ``gp-hyperband`` rows. With ``--journal`` the last column is the cost
target's ratio: the median over seeds of the cost at which the run's full-fidelity incumbent
first reaches the journal's ``random`` median final loss, over the 30-FTE budget (cut at
30 FTE), as ``hpo.bench.mftables.mf_targets_table`` computes it for ``gp-hyperband``.
"""

from __future__ import annotations

import argparse
import gzip
import json

import numpy as np

from hpo.bench.journal import load_journal
from hpo.bench.mfmetrics import cost_to_reach, final_loss, full_fidelity_trace, within_budget
from hpo.bench.records import RunRecord


def read(path: str) -> list[RunRecord]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [RunRecord.from_dict(d) for d in rows if "optimizer" in d]  # no journal header


def ratio(one: RunRecord, par: RunRecord) -> float:
    t1 = float(full_fidelity_trace(one)[1][-1])
    return cost_to_reach(par, final_loss(one), axis="time") / t1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--baseline", default="gp-hyperband:1")
    parser.add_argument("--journal", default=None)
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--labels", nargs="+", default=None, help="only these variants")
    args = parser.parse_args()
    records = [r for path in args.runs for r in read(path)]
    if args.labels:
        records = [r for r in records if r.optimizer in args.labels]
    if args.journal:
        base = [r for r in load_journal(args.journal) if r.optimizer == "gp-hyperband"]
    else:
        base = [r for r in records if r.optimizer == args.baseline]
    baseline = {(r.problem, r.seed): r for r in base}
    random: dict[str, float] = {}
    if args.journal:
        for problem in {r.problem for r in base}:
            finals = [
                final_loss(r)
                for r in load_journal(args.journal)
                if r.problem == problem and r.optimizer == "random"
            ]
            random[problem] = float(np.nanmedian(finals))
    problems = list(dict.fromkeys(r.problem for r in records))
    print(
        "| problem | variant | seeds | median final (run) | median final at 30 FTE | "
        "1w median final | time ratio, equal cost | reached | time ratio, equal wall time "
        "| reached | cost to random's median / budget |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for problem in problems:
        labels = dict.fromkeys(r.optimizer for r in records if r.problem == problem)
        for label in labels:
            runs = [
                r
                for r in records
                if r.problem == problem and r.optimizer == label and (problem, r.seed) in baseline
            ]
            if not runs or (not args.journal and label == args.baseline):
                continue
            ones = [baseline[(problem, r.seed)] for r in runs]
            cut = [within_budget(r, args.budget) for r in runs]
            eq_cost = [ratio(o, c) for o, c in zip(ones, cut)]
            eq_time = [ratio(o, r) for o, r in zip(ones, runs)]
            level = random.get(problem, np.nan)
            reach = np.median([cost_to_reach(c, level) for c in cut]) / args.budget
            print(
                f"| {problem} | {label} | {len(runs)} | "
                f"{np.nanmedian([final_loss(r) for r in runs]):.4g} | "
                f"{np.nanmedian([final_loss(c) for c in cut]):.4g} | "
                f"{np.median([final_loss(o) for o in ones]):.4g} | "
                f"{np.median(eq_cost):.3g} | {sum(x <= 0.2 for x in eq_cost)}/{len(runs)} | "
                f"{np.median(eq_time):.3g} | {sum(x <= 0.2 for x in eq_time)}/{len(runs)} | "
                f"{reach:.3g} |"
            )


if __name__ == "__main__":
    main()
