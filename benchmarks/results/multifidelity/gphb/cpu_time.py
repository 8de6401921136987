"""CPU time of GP-Hyperband runs, default model step against the cheaper one, side by side.

    nice -n 5 python benchmarks/results/multifidelity/gphb/cpu_time.py PROBLEM SEED [SEED ...]

One simulated worker, 30 full-training equivalents; per run the final full-fidelity loss of
the incumbent (``opt.best``) and the process CPU time of the whole run (evaluations included)
and of the optimizer's asks alone (wall time summed over ``Trial.ask_time``), so that the
load of a shared machine weighs less than on wall time.
"""

from __future__ import annotations

import sys
import time

from hpo import GPHyperband, simulate
from hpo.problems import get_problem

VARIANTS = {
    "default": {},
    "fast": {"refit": "new-data", "gp": {"fit_restarts": "adaptive", "search_starts": 5}},
}


def main() -> None:
    problem = get_problem(sys.argv[1])
    for seed in map(int, sys.argv[2:]):
        for name, options in VARIANTS.items():
            opt = GPHyperband(problem.space, fidelity=problem.fidelity, seed=seed, **options)
            start = time.process_time()
            simulate.run(problem, opt, max_cost=30 * problem.fidelity.high, seed=seed)
            cpu = time.process_time() - start
            asks = sum(t.ask_time or 0.0 for t in opt.trials)
            print(
                f"{sys.argv[1]} {seed} {name}: final {opt.best.value:.6g} cpu {cpu:.1f} s "
                f"asks {asks:.1f} s trials {len(opt.trials)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
