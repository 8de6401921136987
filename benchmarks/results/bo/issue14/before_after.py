"""Best value and final regret of BayesianOptimization (defaults), 30 evaluations, as JSON lines.

Run once per code version, with that version first on the path:
``PYTHONPATH=<checkout> python before_after.py LABEL --cases branin;hartmann6 --seeds 0-4``.
``log-int-branin``: Branin with x0 read from a wide log-scale integer, ``x0 = 3 log10(n) - 5``
for ``n`` in ``Integer(1, 100000, log=True)`` (regret against Branin's f*, which the integers
reach only to about 1e-6).
"""

import argparse
import json
import math
import warnings

import numpy as np

from hpo import BayesianOptimization, Integer, Real, Space
from hpo.problems import get_problem


def log_int_branin():
    space = Space({"n": Integer(1, 100000, log=True), "x1": Real(0.0, 15.0)})
    branin = get_problem("branin")

    def f(p):
        return branin({"x0": 3.0 * math.log10(p["n"]) - 5.0, "x1": p["x1"]})

    return space, f, branin.optimum


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("label")
    parser.add_argument("--cases", type=lambda s: s.split(";"), required=True)
    parser.add_argument("--seeds", required=True, help="a range such as 0-4")
    parser.add_argument("--evals", type=int, default=30)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    first, last = (int(s) for s in args.seeds.split("-"))
    for spec in args.cases:
        for seed in range(first, last + 1):
            if spec == "log-int-branin":
                space, f, optimum = log_int_branin()
            else:
                problem = get_problem(spec)
                space, f, optimum = problem.space, problem, problem.optimum
            opt = BayesianOptimization(space, seed=seed)
            best = np.inf
            for _ in range(args.evals):
                params = opt.ask()
                value = f(params)
                opt.tell(params, value)
                best = min(best, value)
            regret = None if optimum is None else best - optimum
            row = {"label": args.label, "problem": spec, "seed": seed, "regret": regret}
            print(json.dumps({**row, "best": best}), flush=True)


if __name__ == "__main__":
    main()
