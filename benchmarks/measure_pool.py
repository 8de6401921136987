"""Wall time per trial: a process pool of 2 workers against the sequential run.

One BLAS thread in both; the pool starts from a fresh problem so that no checkpoint of the
sequential run is shared. Results: ``benchmarks/results/multifidelity/pool.md``.

    python benchmarks/measure_pool.py
"""

import os
import time

from threadpoolctl import threadpool_limits

from hpo import minimize
from hpo.problems import get_problem

PROBLEM, N_TRIALS = "lc_mlp_adam_digits_logloss", 20


def timed_run(**options):
    """A fresh problem, random search, ``N_TRIALS`` trials: (result, seconds)."""
    problem = get_problem(PROBLEM)
    start = time.perf_counter()
    result = minimize(problem, problem.space, "random", N_TRIALS, seed=0, **options)
    return result, time.perf_counter() - start


def summary(label, result, seconds):
    work = sum(t.eval_time for t in result.trials)
    return f"{label}: {seconds:.1f} s, {seconds / N_TRIALS:.2f} s/trial, evaluations {work:.1f} s"


if __name__ == "__main__":
    print("load before", os.getloadavg())
    with threadpool_limits(limits=1):
        seq, t_seq = timed_run()
    par, t_par = timed_run(n_workers=2)
    warm, t_warm = timed_run(n_workers=2)  # the forkserver is running now
    same = [t.value for t in seq.trials] == [t.value for t in par.trials]
    print(summary("sequential", seq, t_seq))
    print(summary("pool of 2", par, t_par), f"ratio {t_par / t_seq:.2f}, same values: {same}")
    print(summary("pool of 2 again", warm, t_warm), f"ratio {t_warm / t_seq:.2f}")
    print("load after", os.getloadavg())
