"""Ablation of how hpo's GP handles a conditional space (issue 13), on Jenatton's tree.

Four arms on the tree-structured function of Jenatton et al. (2017) (``f* = 0.1``), the same
seeds for each (paired), in one run so that the times compare:

* ``bayes-indicator``: ``BayesianOptimization(conditional="indicator")`` on the conditional
  space: inactive parameters imputed (the unit cube's fill value) plus one activity-indicator
  feature per conditional parameter;
* ``bayes-impute``: ``conditional="impute"``, the imputation without indicators;
* ``bayes-flat``: the default GP on ``jenatton:flat=True``, every parameter always present
  (the function ignores the unused ones; the GP cannot tell them apart);
* ``random``: random search on the conditional space.

Simple regret ``min_t f(x_t) - f*`` after 10 (the design), 15, 20, 30 and ``--evals``
evaluations, medians over the seeds (and the mean of the final one), and the number of
evaluations until the regret falls below 1e-3 per seed (``--evals + 1`` when it never does),
written to
``benchmarks/results/conditional/ablation.md``.

Example
-------
nice -n 10 python benchmarks/compare_conditional.py --seeds 10 --evals 50
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from hpo import BayesianOptimization, RandomSearch  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

ARMS = {
    "bayes-indicator": ("jenatton", BayesianOptimization, {"conditional": "indicator"}),
    "bayes-impute": ("jenatton", BayesianOptimization, {"conditional": "impute"}),
    "bayes-flat": ("jenatton:flat=True", BayesianOptimization, {}),
    "random": ("jenatton", RandomSearch, {}),
}
CHECKPOINTS = (10, 15, 20, 30)
SOLVED = 1e-3
OUT = Path(__file__).parent / "results" / "conditional" / "ablation.md"


def one_run(arm: str, seed: int, evals: int) -> tuple[np.ndarray, float]:
    """Regret after each evaluation, and the wall time of the run."""
    name, cls, options = ARMS[arm]
    problem = get_problem(name)
    opt = cls(problem.space, seed=seed, **options)
    start, values = time.perf_counter(), []
    for _ in range(evals):
        params = opt.ask()
        value = problem(params)
        opt.tell(params, value)
        values.append(value)
    return np.minimum.accumulate(values) - problem.optimum, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--evals", type=int, default=50)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    checkpoints = [c for c in CHECKPOINTS if c < args.evals] + [args.evals]
    rows = []
    for arm in ARMS:
        curves, times = [], []
        for seed in range(args.seeds):  # seeds inner: the arms share the machine's state
            regret, seconds = one_run(arm, seed, args.evals)
            curves.append(regret)
            times.append(seconds)
        R = np.array(curves)
        solved = [
            int(np.argmax(r < SOLVED)) + 1 if np.any(r < SOLVED) else args.evals + 1 for r in R
        ]
        med = [float(np.median(R[:, c - 1])) for c in checkpoints]
        rows.append((arm, med, float(np.mean(R[:, -1])), solved, times))
        print(arm, med, solved, f"{np.median(times):.1f}s", flush=True)
    header = " | ".join(f"regret@{c}" for c in checkpoints)
    lines = [
        "# GP on a conditional space: imputation with and without activity indicators",
        "",
        f"Jenatton et al. (2017) tree function, f* = 0.1; {args.seeds} seeds (0..{args.seeds - 1},"
        f" paired), {args.evals} evaluations; medians over the seeds. `solved` = evaluations"
        f" until the regret falls below {SOLVED:g} (median; {args.evals + 1} = never), with"
        " the number of seeds that get there.",
        "",
        f"Command: `nice -n 10 python benchmarks/compare_conditional.py --seeds {args.seeds}"
        f" --evals {args.evals}`",
        "",
        f"| arm | {header} | mean regret@{args.evals} | solved (median) | seeds solved |"
        " solved per seed | s/run (median) |",
        "|---" * (len(checkpoints) + 6) + "|",
    ]
    for arm, med, mean, solved, times in rows:
        cells = " | ".join(f"{m:.4g}" for m in med)
        n_solved = sum(s <= args.evals for s in solved)
        lines.append(
            f"| {arm} | {cells} | {mean:.4g} | {np.median(solved):g} | {n_solved}/{args.seeds} |"
            f" {' '.join(map(str, solved))} | {np.median(times):.1f} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
