"""Wall time per trial: a process pool of 2 workers against the sequential run.

Random search on the MLP learning-curve task at full fidelity (27 epochs, every trial a full
training), ``N_TRIALS`` trials, one BLAS thread everywhere. In one process, side by side: the
sequential run, then a pool of 2 started cold (the forkserver starts with it: its start-up is
counted), then a second pool (forkserver already running). Each run starts from a fresh
problem, so no checkpoint is shared. Results: ``benchmarks/results/multifidelity/pool.md``.

    python benchmarks/measure_pool.py [N_TRIALS]
"""

import os
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from hpo import minimize
from hpo.problems import get_problem

PROBLEM = "lc_mlp_adam_digits_logloss"


def timed_run(n_trials, **options):
    """A fresh problem, random search, ``n_trials`` trials: (result, wall seconds)."""
    problem = get_problem(PROBLEM)
    start = time.perf_counter()
    result = minimize(problem, problem.space, "random", n_trials, seed=0, **options)
    return result, time.perf_counter() - start


def summary(label, result, seconds, n_trials):
    work = np.array([t.eval_time for t in result.trials])
    return (
        f"{label}: {seconds:.1f} s, {seconds / n_trials:.3f} s/trial; trial durations "
        f"median {np.median(work):.2f} s, min {work.min():.2f}, max {work.max():.2f}, "
        f"sum {work.sum():.1f} s"
    )


def main(n_trials):
    print("load before", os.getloadavg(), "cpus", os.cpu_count())
    with threadpool_limits(limits=1):
        seq, t_seq = timed_run(n_trials)
    cpu = time.process_time()
    par, t_par = timed_run(n_trials, n_workers=2)  # cold: the forkserver starts here
    warm, t_warm = timed_run(n_trials, n_workers=2)
    same = [t.value for t in seq.trials] == [t.value for t in par.trials]
    print(summary("sequential", seq, t_seq, n_trials))
    print(summary("pool of 2, cold", par, t_par, n_trials), f"ratio {t_par / t_seq:.3f}")
    print(summary("pool of 2, warm", warm, t_warm, n_trials), f"ratio {t_warm / t_seq:.3f}")
    print(
        f"values identical to the sequential run: {same}; parent CPU in pools "
        f"{time.process_time() - cpu:.1f} s"
    )
    print("load after", os.getloadavg())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
