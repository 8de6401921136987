"""Measure hpo's multi-objective Bayesian optimization against random search and Optuna's GP
sampler, side by side, on small budgets (issue 11 item 3).

Every optimizer runs on ZDT1 and ZDT2 (6 variables each), DTLZ2 (2 objectives, 11
variables) and Branin-Currin for every seed (paired), ``--evals`` evaluations each, all in one
run. The
quality of a run is the hypervolume regret ``max_hypervolume - HV`` of every point it
evaluated (the problems' reference points and maximal hypervolumes, REFERENCE.md section 4).

* ``bayes-hybrid``: :class:`~hpo.BayesianOptimization` with ``n_objectives=2,
  mo_strategy="hybrid"`` (EHVI, every third model-based ask ParEGO's);
* ``bayes-ehvi``: the same with ``mo_strategy="ehvi"`` (log EHVI over scored candidates, one
  GP per objective);
* ``bayes-parego``: the same with ``mo_strategy="parego"`` (Knowles 2006);
* ``random``: hpo's :class:`~hpo.RandomSearch` with ``n_objectives=2``;
* ``optuna-gp``: Optuna's ``GPSampler(seed=seed)`` on a study with two ``"minimize"``
  directions (its multi-objective acquisition is log EHVI).

The summary ``benchmarks/results/moo/<tag>.md`` gives per problem the median regret of each
optimizer, with the two-sided Wilcoxon signed-rank p-value of each against the first optimizer
of ``--optimizers`` over the paired seeds, and the median seconds per run; every run is in
``<tag>.jsonl``.

The committed results come from::

    nice -n 10 python benchmarks/compare_moo_bo.py --seeds 0-4 --evals 60 --tag bo
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import wilcoxon  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from compare_moo import measure, parse_seeds, run_hpo  # noqa: E402

from hpo import BayesianOptimization, RandomSearch  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "moo"
PROBLEMS = {"zdt1": {"dim": 6}, "zdt2": {"dim": 6}, "dtlz2": {}, "branin_currin": {}}
OPTIMIZERS = ("bayes-hybrid", "bayes-ehvi", "bayes-parego", "random", "optuna-gp")


def run_optuna(problem, seed: int, evals: int) -> np.ndarray:
    """Every objective vector Optuna's GPSampler (two objectives) evaluated, in order."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        directions=["minimize", "minimize"], sampler=optuna.samplers.GPSampler(seed=seed)
    )
    values = []

    def objective(trial):
        params = {
            name: trial.suggest_float(name, p.low, p.high) for name, p in problem.space.items()
        }
        value = problem(params)
        values.append(value)
        return tuple(value)

    study.optimize(objective, n_trials=evals)
    return np.array(values, dtype=float)


def run(label: str, problem, seed: int, evals: int) -> np.ndarray:
    if label == "optuna-gp":
        return run_optuna(problem, seed, evals)
    if label == "random":
        return run_hpo(problem, RandomSearch, seed, evals, {})
    strategy = label.removeprefix("bayes-")
    return run_hpo(problem, BayesianOptimization, seed, evals, {"mo_strategy": strategy})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--evals", type=int, default=60)
    parser.add_argument("--tag", default="bo")
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    args = parser.parse_args(argv)
    seeds, labels = parse_seeds(args.seeds), args.optimizers.split(",")
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows, start = [], time.time()
    for name in args.problems.split(","):
        problem = get_problem(name, **PROBLEMS.get(name, {}))
        for seed in seeds:
            for label in labels:
                t0 = time.perf_counter()
                F = run(label, problem, seed, args.evals)
                row = {"problem": name, "optimizer": label, "seed": seed, "evals": len(F)}
                row.update(measure(problem, F, None), seconds=time.perf_counter() - t0)
                rows.append(row)
                print(json.dumps(row), flush=True)
    with open(RESULTS / f"{args.tag}.jsonl", "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    command = "python benchmarks/compare_moo_bo.py " + shlex.join(argv or sys.argv[1:])
    (RESULTS / f"{args.tag}.md").write_text(
        summary(rows, labels, args, seeds, command, time.time() - start)
    )


def summary(rows, labels, args, seeds, command: str, seconds: float) -> str:
    import optuna

    problems = args.problems.split(",")
    baseline = labels[0]

    def vals(name, label, key="regret"):
        return [r[key] for r in rows if r["problem"] == name and r["optimizer"] == label]

    head = ["| problem | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    regret, secs = list(head), list(head)
    for name in problems:
        cells, times = [], []
        for label in labels:
            v = vals(name, label)
            cell = f"{np.median(v):.4f}"
            if label != baseline:
                diff = np.subtract(v, vals(name, baseline))
                p = wilcoxon(diff).pvalue if np.any(diff != 0) else 1.0
                cell += f" (p={p:.2g})"
            cells.append(cell)
            times.append(f"{np.median(vals(name, label, 'seconds')):.1f}")
        regret.append(f"| {name} | " + " | ".join(cells) + " |")
        secs.append(f"| {name} | " + " | ".join(times) + " |")
    lines = [
        f"# Multi-objective BO against random search and Optuna's GPSampler ({args.evals} "
        "evaluations)",
        "",
        f"Command: `{command}` (one run, {len(seeds)} seeds {args.seeds}, {seconds:.0f} s on "
        f"the shared 2-core machine; optuna {optuna.__version__}). ZDT1 and ZDT2 with 6 "
        "variables.",
        "",
        "Median hypervolume regret `max_hypervolume - HV` of every evaluated point (lower is "
        f"better), with the two-sided Wilcoxon signed-rank p-value against `{baseline}` over "
        f"the paired seeds (the smallest it can give with {len(seeds)} seeds is "
        f"{2 / 2 ** len(seeds):.3g}):",
        "",
        *regret,
        "",
        "Median seconds per run (the whole run: proposals and evaluations):",
        "",
        *secs,
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
