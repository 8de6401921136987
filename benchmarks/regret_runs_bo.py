"""Final regret of 50-evaluation ``bayes`` runs over problems and seeds, in one process.

For quality checks of settings (regret only: the cells run one after the other, so their
times are not a side-by-side measurement; use ``time_runs_bo.py`` for times). The ``hpo``
on the path is the one measured: give each package copy its own run. Appends JSON lines in
the format of ``time_runs_bo.py`` (``--summarize`` there reads them).

Usage::

    PYTHONPATH=/tmp/copy python benchmarks/regret_runs_bo.py LABEL 40-49 \\
        "branin;hartmann6;levy:dim=6" out.jsonl ['{"search_batch": "independent"}']

The optional last argument is a JSON object of ``GPConfig`` fields.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import hpo
from hpo.optimizers import make_optimizer
from hpo.problems import get_problem


def main() -> None:
    label, seeds, problems, out = sys.argv[1], sys.argv[2], sys.argv[3].split(";"), sys.argv[4]
    lo, hi = map(int, seeds.split("-"))
    gp = json.loads(sys.argv[5]) if len(sys.argv) > 5 else None
    warnings.simplefilter("ignore")
    with threadpool_limits(limits=1), open(out, "a") as fh:
        for seed in range(lo, hi + 1):
            for name in problems:
                problem = get_problem(name)
                options = {"gp": gp} if gp else None
                opt = make_optimizer("bayes", problem.space, seed=seed, budget=50, options=options)
                best, spent = np.inf, 0.0
                for _ in range(50):
                    t0 = time.perf_counter()
                    p = opt.ask()
                    spent += time.perf_counter() - t0
                    v = problem(p)
                    best = min(best, v)
                    t0 = time.perf_counter()
                    opt.tell(p, v)
                    spent += time.perf_counter() - t0
                row = {
                    "time": spent,
                    "best": float(best),
                    "regret": float(best - problem.optimum),
                    "hpo": hpo.__file__,
                    "variant": label,
                    "problem": name,
                    "seed": seed,
                }
                fh.write(json.dumps(row) + "\n")
                fh.flush()


if __name__ == "__main__":
    main()
