"""Parallel speed-up at a fixed level: simulated time to reach random search's median.

    python benchmarks/results/multifidelity/gphb/fixed_level.py

Random search's median final loss and ASHA's runs from the committed journal
``../small/journal.jsonl.gz``; GP-Hyperband's from ``pending*.jsonl.gz`` here. Per problem
and k-worker label, the median over seeds of (simulated time the run needs to reach that
level) / (the 1-worker run's simulated time).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict

import numpy as np

from hpo.bench.journal import load_journal
from hpo.bench.mfreport import cost_to_reach, final_loss, full_fidelity_trace
from hpo.bench.records import RunRecord

HERE = "benchmarks/results/multifidelity/gphb/"
PAIRS = (("asha", "asha@8w"), ("1:believer", "8:believer"), ("1:believer", "8:ignore"))


def main() -> None:
    journal = load_journal("benchmarks/results/multifidelity/small/journal.jsonl.gz")
    problems = {r.problem for r in journal}
    level = {
        p: np.median([final_loss(r) for r in journal if r.problem == p and r.optimizer == "random"])
        for p in problems
    }
    records = []
    for name in ("pending.jsonl.gz", "pending_iris.jsonl.gz", "pending_iris_ignore.jsonl.gz"):
        with gzip.open(HERE + name, "rt", encoding="utf-8") as f:
            records += [RunRecord.from_dict(json.loads(line)) for line in f if line.strip()]
    records += [r for r in journal if r.optimizer in ("asha", "asha@8w")]
    runs = defaultdict(dict)
    for r in records:
        runs[(r.problem, r.optimizer)][r.seed] = r
    for problem in sorted(problems):
        for one_label, k_label in PAIRS:
            one, k = runs.get((problem, one_label)), runs.get((problem, k_label))
            if not one or not k:
                continue
            total = {s: full_fidelity_trace(one[s])[1][-1] for s in k}
            ratio = [cost_to_reach(k[s], level[problem], axis="time") / total[s] for s in k]
            alone = [cost_to_reach(one[s], level[problem], axis="time") / total[s] for s in k]
            print(
                f"{problem} {k_label}: {np.median(ratio):.3f} "
                f"(the 1-worker run itself: {np.median(alone):.3f})"
            )


if __name__ == "__main__":
    main()
