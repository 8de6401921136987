"""Where GP-Hyperband's model proposals go, from a study journal (section 1 of README.md).

    python benchmarks/results/multifidelity/gphb/diagnose.py \\
        benchmarks/results/multifidelity/small/journal.jsonl.gz gp-hyperband gp-hyperband@8w
    python benchmarks/results/multifidelity/gphb/diagnose.py \\
        benchmarks/results/multifidelity/gphb/pending.jsonl.gz 8:believer 8:ignore

A study journal or the records of ``measure.py``. Per synthetic problem and label: new
configurations by source, model proposals by the budget the GP was fitted on, and, grouping
the model proposals of a run by (model budget, number of observations), i.e. by the data
the GP saw, the mean group size and the distances between two proposals of a group in the
unit cube.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter, defaultdict
from itertools import combinations

import numpy as np

from hpo.bench.journal import load_journal
from hpo.bench.records import RunRecord
from hpo.problems import get_problem


def main() -> None:
    path, labels = sys.argv[1], sys.argv[2:]
    try:
        records = load_journal(path)
    except ValueError:  # records of measure.py, one per line
        with gzip.open(path, "rt", encoding="utf-8") as f:
            records = [RunRecord.from_dict(json.loads(line)) for line in f if line.strip()]
    for name in ("augmented_hartmann", "augmented_branin"):
        problem = get_problem(name)
        fid = problem.fidelity.name
        for label in labels:
            runs = [r for r in records if r.problem == name and r.optimizer == label]
            sources, budgets, sizes, dists = Counter(), Counter(), [], []
            for run in runs:
                groups = defaultdict(list)
                for t in run.trials:
                    info = t.get("info", {})
                    sources[info.get("source")] += 1
                    if info.get("source") == "model":
                        budgets[round(info["model_budget"], 4)] += 1
                        params = {k: v for k, v in t["params"].items() if k != fid}
                        key = (info["model_budget"], info["n_observations"])
                        groups[key].append(problem.space.to_unit(params))
                for points in groups.values():
                    sizes.append(len(points))
                    dists += [np.linalg.norm(a - b) for a, b in combinations(points, 2)]
            dists = np.array(dists)
            print(f"{name} {label}: sources {dict(sources)}; model budgets {dict(budgets)}")
            print(
                f"  proposals per data state {np.mean(sizes):.2f}; pairwise distance median "
                f"{np.median(dists):.2g}, below 0.05: {np.mean(dists < 0.05):.2f}"
            )


if __name__ == "__main__":
    main()
