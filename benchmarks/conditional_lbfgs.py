"""Where each optimizer searched inside the lbfgs branch of the MLP solver task (issue 13).

From study journals, per optimizer: the median over runs of the number of lbfgs trials, of the
median ``alpha`` and ``tol`` of those trials, and of the best lbfgs loss. Nothing is rerun.

    python benchmarks/conditional_lbfgs.py benchmarks/results/conditional/study/journal.jsonl.gz \
        benchmarks/results/conditional/branch_journal.jsonl.gz

``--by-tol``: instead, the lbfgs trials of every optimizer of the journals pooled, by
quarter-decade of ``tol``: how many, and the lowest, median and 90th-percentile loss.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from hpo.bench import read_journal

PROBLEM = "cond_mlp_solver_breast_cancer_logloss"


def lbfgs_rows(journal: Path) -> list[str]:
    """One Markdown row per optimizer of ``journal`` on the solver task."""
    _, records = read_journal(journal)
    rows = []
    for label in dict.fromkeys(r.optimizer for r in records if r.problem == PROBLEM):
        stats = []
        for r in records:
            if r.problem != PROBLEM or r.optimizer != label:
                continue
            lb = [
                t for t in r.trials if t["params"]["solver"] == "lbfgs" and t["value"] is not None
            ]
            if lb:
                alpha = np.median([t["params"]["alpha"] for t in lb])
                tol = np.median([t["params"]["tol"] for t in lb])
                stats.append((len(lb), alpha, tol, min(t["value"] for t in lb)))
        if stats:
            s = np.median(np.array(stats), axis=0)
            rows.append(
                f"| {journal.parent.name}/{journal.name} | {label} | {len(stats)} | {s[0]:g} |"
                f" {s[1]:.3g} | {s[2]:.2g} | {s[3]:.4g} |"
            )
    return rows


def tol_rows(journals: list[Path]) -> list[str]:
    """The lbfgs trials of every optimizer in ``journals``, by quarter-decade of ``tol``."""
    tol, loss = [], []
    for journal in journals:
        _, records = read_journal(journal)
        for r in records:
            if r.problem != PROBLEM:
                continue
            for t in r.trials:
                if t["params"]["solver"] == "lbfgs" and t["value"] is not None:
                    tol.append(np.log10(t["params"]["tol"]))
                    loss.append(t["value"])
    tol_a, loss_a = np.array(tol), np.array(loss)
    rows = []
    for lo in np.arange(-5.0, -1.0, 0.25):
        m = (tol_a >= lo) & (tol_a < lo + 0.25)
        if m.any():
            v = loss_a[m]
            rows.append(
                f"| {10**lo:.2g} to {10 ** (lo + 0.25):.2g} | {int(m.sum())} | {v.min():.4f} |"
                f" {np.median(v):.4f} | {np.quantile(v, 0.9):.4f} |"
            )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("journals", type=Path, nargs="+")
    parser.add_argument("--by-tol", action="store_true", help="pooled trials by tol")
    args = parser.parse_args(argv)
    if args.by_tol:
        print("| tol | lbfgs trials | lowest loss | median loss | 90th percentile |")
        print("|---|---|---|---|---|")
        print("\n".join(tol_rows(args.journals)))
        return
    print(
        "| journal | optimizer | runs with lbfgs trials | lbfgs trials | median alpha |"
        " median tol | best lbfgs loss |"
    )
    print("|---|---|---|---|---|---|---|")
    for journal in args.journals:
        print("\n".join(lbfgs_rows(journal)))


if __name__ == "__main__":
    main()
