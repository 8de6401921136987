"""Where each optimizer spent its trials on a conditional problem: a table from a study journal.

For every (problem, optimizer) of the journal: the runs, the median final loss, the median
over runs of the number of trials in each branch of the root parameter (``solver``, ``model``
or Jenatton's ``x1``), and the branches of the runs' final incumbents. Nothing is rerun.

    python benchmarks/conditional_branches.py benchmarks/results/conditional/study/journal.jsonl.gz
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

import numpy as np

from hpo.bench import read_journal

ROOTS = ("solver", "model", "x1")


def root_of(params: dict) -> str:
    for name in ROOTS:
        if name in params:
            return f"{name}={params[name]}"
    return "-"


def branch_table(journal: Path) -> str:
    _, records = read_journal(journal)
    groups = collections.defaultdict(list)
    for r in records:
        groups[(r.problem, r.optimizer)].append(r)
    lines = [
        "| problem | optimizer | runs | median final loss | median trials per branch "
        "| branch of the final incumbent |",
        "|---|---|---|---|---|---|",
    ]
    for (problem, optimizer), runs in groups.items():
        counts = [collections.Counter(root_of(t["params"]) for t in r.trials) for r in runs]
        branches = sorted(set().union(*counts))
        per_branch = ", ".join(f"{b}: {np.median([c[b] for c in counts]):g}" for b in branches)
        finals = [r.best_so_far()[-1] for r in runs]
        incumbents = collections.Counter(
            root_of(
                min((t for t in r.trials if t["value"] is not None), key=lambda t: t["value"])[
                    "params"
                ]
            )
            for r in runs
        )
        lines.append(
            f"| {problem} | {optimizer} | {len(runs)} | {np.median(finals):.4g} | {per_branch} "
            f"| {dict(sorted(incumbents.items()))} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("journal", type=Path)
    args = parser.parse_args(argv)
    print(branch_table(args.journal), end="")


if __name__ == "__main__":
    main()
