"""Measure hpo's multi-fidelity optimizers against random search at full fidelity.

Every optimizer runs on one problem with a fidelity (default ``augmented_hartmann``,
``s`` from 1/27 to 1) for every seed, in one sequential loop that charges each evaluation
``budget / fidelity.high`` (a full-fidelity equivalent), until a total of ``--budget``
equivalents: random search (and BO, if asked) evaluate ``--budget`` configurations at full
fidelity; Hyperband, ASHA and the GP-guided Hyperband spend the same total on cheaper
evaluations. An ask that would exceed the total ends the run (it is not evaluated).

Reported per optimizer: the median over seeds (and the 25/75 % quantiles) of the final loss
at full fidelity of its recommendation (``opt.best``, the best trial at the highest budget
evaluated, re-evaluated at ``s = 1`` if that budget was lower), the median cost at which
each run first had a trial evaluated at full fidelity with a loss at or below random search's
median final loss (``inf`` if never), and on how many seeds the final loss is below random
search's on the same seed (and equal to it).

New configurations of random search, Hyperband and ASHA are all drawn with
``space.from_unit(rng.random(dim))`` from the same seed, so their first draws coincide: the
comparison is paired (common random numbers), and ties with random search on a seed mean
that the multi-fidelity search kept the same best configuration.

The peers of :mod:`hpo.peers_multifidelity`, run when their library is installed:
``optuna-hyperband`` and ``optuna-sh`` (Optuna's TPE with its ``HyperbandPruner`` and
``SuccessiveHalvingPruner``), ``synetune-asha`` and ``synetune-bohb`` (Syne Tune's ASHA and
BOHB; syne-tune is not in the peers extra: ``pip install --target DIR syne-tune`` and put
DIR at the end of ``PYTHONPATH``). They draw with seeds of their own, so they are not paired
with the others. A configuration they continue to the next rung is charged that rung's whole
budget, as a promotion of Hyperband or ASHA is: these synthetic problems keep no checkpoints.

    nice -n 10 python benchmarks/compare_multifidelity.py --seeds 0-4 --tag quick
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

from hpo.optimizers import make_optimizer  # noqa: E402
from hpo.peers import available  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "multifidelity"
PEERS = ("optuna-hyperband", "optuna-sh", "synetune-asha", "synetune-bohb")
OPTIMIZERS = ("random", "hyperband", "asha", "gp-hyperband", *(n for n in PEERS if available(n)))


def parse_seeds(text: str) -> list[int]:
    """``"0-4"`` or ``"0,3,7"`` -> a list of seeds."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def full_loss(problem, params: dict) -> float:
    """The loss of ``params`` at full fidelity."""
    return problem({**params, problem.fidelity.name: problem.fidelity.high})


def run_once(problem, name: str, seed: int, budget: float, eta: int) -> dict:
    """One run: the trace of (cost spent, full-fidelity loss of the recommendation)."""
    fid = problem.fidelity
    options = {"fidelity": fid}
    if name not in ("random", "bayes", "grid", "ga"):
        options["eta"] = eta
    opt = make_optimizer(name, problem.space, seed=seed, options=options)
    spent, trace, start = 0.0, [], time.perf_counter()
    while True:
        params = opt.ask()
        cost = params[fid.name] / fid.high
        if spent + cost > budget + 1e-9:
            break
        opt.tell(params, problem(params))
        spent += cost
        best = opt.best
        if (
            best is not None
            and best.number == len(opt.trials) - 1
            and best.params[fid.name] == fid.high
        ):
            trace.append((spent, best.value))  # a new incumbent evaluated at full fidelity
    return {
        "optimizer": name,
        "seed": seed,
        "final": full_loss(problem, opt.best.params),
        "best_budget": opt.best.params[fid.name],
        "cost": spent,
        "n_trials": len(opt.completed),
        "trace": trace,
        "seconds": time.perf_counter() - start,
    }


def cost_to_reach(trace: list, target: float) -> float:
    """The cost at which the recommendation's loss first was ``<= target``."""
    return next((cost for cost, loss in trace if loss <= target), float("inf"))


def summarize(problem, runs: list[dict], optimizers: list[str], command: str) -> str:
    by = {name: [r for r in runs if r["optimizer"] == name] for name in optimizers}
    reference = float(np.median([r["final"] for r in by["random"]])) if "random" in by else None
    lines = [
        f"# Multi-fidelity comparison on {problem.name}",
        "",
        f"Command: `{command}`",
        "",
        f"f* = {problem.optimum}; losses at full fidelity (s = 1); cost in full-fidelity "
        "equivalents.",
        "",
        "| optimizer | median final loss | 25 % | 75 % | median regret | median cost to reach "
        "random's median | seeds below / equal to random | median trials | median seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, rs in by.items():
        finals = np.array([r["final"] for r in rs])
        reach = [cost_to_reach(r["trace"], reference) for r in rs] if reference else [np.nan]
        random = {r["seed"]: r["final"] for r in by.get("random", [])}
        below = sum(r["final"] < random[r["seed"]] for r in rs if r["seed"] in random)
        equal = sum(r["final"] == random[r["seed"]] for r in rs if r["seed"] in random)
        lines.append(
            f"| {name} | {np.median(finals):.5f} | {np.quantile(finals, 0.25):.5f} | "
            f"{np.quantile(finals, 0.75):.5f} | {np.median(finals) - problem.optimum:.5f} | "
            f"{np.median(reach):.2f} | {below} / {equal} | "
            f"{np.median([r['n_trials'] for r in rs]):.0f} | "
            f"{np.median([r['seconds'] for r in rs]):.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="augmented_hartmann")
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--budget", type=float, default=30.0, help="full-fidelity equivalents")
    parser.add_argument("--eta", type=int, default=3)
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    parser.add_argument("--tag", default="quick")
    args = parser.parse_args(argv)
    problem = get_problem(args.problem)
    optimizers = args.optimizers.split(",")
    runs = [
        run_once(problem, name, seed, args.budget, args.eta)
        for seed in parse_seeds(args.seeds)
        for name in optimizers
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    with open(RESULTS / f"{args.tag}.jsonl", "w") as f:
        for run in runs:
            f.write(json.dumps(run) + "\n")
    command = "python benchmarks/compare_multifidelity.py " + shlex.join(argv or sys.argv[1:])
    summary = summarize(problem, runs, optimizers, command)
    (RESULTS / f"{args.tag}.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
