"""Targets of issue 10 for GP-Hyperband from the records of ``measure.py``.

    python benchmarks/results/multifidelity/gphb/analyze.py RECORDS.jsonl[.gz] ... [--journal J]

Per problem and variant: the median final loss over seeds, the median wall time of a run
and of its asks (the optimizer's own time), and for each variant with k > 1
workers the median over seeds of (simulated time to reach the 1-worker variant's final loss
on that seed) / (the 1-worker run's simulated time), as in ``hpo.bench.mfreport``. With
``--journal``, random search's median final loss from that study journal and, per variant,
the median cost to reach it as a fraction of the budget.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict

import numpy as np

from hpo.bench.journal import load_journal
from hpo.bench.mfreport import cost_to_reach, final_loss, full_fidelity_trace
from hpo.bench.records import RunRecord


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("records", nargs="+")
    parser.add_argument("--journal")
    parser.add_argument("--one", default="1:believer", help="the 1-worker variant")
    args = parser.parse_args()
    records = []
    for path in args.records:
        with (gzip.open if path.endswith(".gz") else open)(path, "rt", encoding="utf-8") as f:
            records += [RunRecord.from_dict(json.loads(line)) for line in f if line.strip()]
    runs: dict[str, dict[str, dict[int, RunRecord]]] = defaultdict(lambda: defaultdict(dict))
    for r in records:
        runs[r.problem][r.optimizer][r.seed] = r
    random: dict[str, float] = {}
    if args.journal:
        for r in load_journal(args.journal):
            if r.optimizer == "random":
                random.setdefault(r.problem, []).append(final_loss(r))
        random = {p: float(np.median(v)) for p, v in random.items()}
    for problem, by_variant in runs.items():
        one = by_variant.get(args.one, {})
        print(f"## {problem}")
        for variant, by_seed in by_variant.items():
            seeds = sorted(by_seed)
            finals = [final_loss(by_seed[s]) for s in seeds]
            wall = np.median([by_seed[s].wall_time for s in seeds])
            line = f"{variant:28s} n={len(seeds):2d} median final {np.median(finals):.4g}"
            asks = np.median([sum(t["ask_time"] or 0.0 for t in by_seed[s].trials) for s in seeds])
            line += f" | run {wall:.1f} s, asks {asks:.1f} s"
            if problem in random:
                budget = by_seed[seeds[0]].max_cost / by_seed[seeds[0]].fidelity["high"]
                reach = [cost_to_reach(by_seed[s], random[problem]) for s in seeds]
                line += f" | cost to random ({random[problem]:.4g}) / budget "
                line += f"{np.median(reach) / budget:.3f}"
            if by_seed[seeds[0]].workers > 1 and one:
                ratios = []
                for s in seeds:
                    if s in one:
                        t1 = full_fidelity_trace(one[s])[1][-1]
                        target = final_loss(one[s])
                        ratios.append(cost_to_reach(by_seed[s], target, axis="time") / t1)
                reached = int(np.isfinite(ratios).sum())
                line += f" | time to 1w result: median {np.median(ratios):.3f}"
                line += f", reached on {reached}/{len(ratios)}"
            print(line)


if __name__ == "__main__":
    main()
