"""CPU seconds of a cold process pool's start-up: the forkserver and each of 2 workers.

Load-independent (CPU time from ``/proc``, Linux), unlike the wall-time ratio of
``measure_pool.py``: a fresh interpreter per variant, 2 workers, a first 1-epoch trial on the
MLP learning-curve task each; ``0`` without preloading the objective's modules in the
forkserver (as before), ``1`` with it. Results: ``benchmarks/results/multifidelity/pool.md``.

    for v in 0 1 0 1; do python benchmarks/measure_pool_startup.py $v; done
"""

import multiprocessing.forkserver
import os
import sys
import time

import hpo.workers
from hpo import RandomSearch
from hpo.problems import get_problem


def cpu_seconds(pid):
    """User + system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(preload):
    if not preload:
        hpo.workers._objective_modules = lambda objective: []
    problem = get_problem("lc_mlp_adam_digits_logloss")
    workers = hpo.workers.ProcessWorkers(problem, 2)
    opt = RandomSearch(problem.space, seed=0)
    start = time.perf_counter()
    for key in range(2):
        workers.submit(key, {**opt.ask(), "epochs": 1})
    reports = []
    while len(reports) < 2:
        reports += workers.wait(None)
    wall = time.perf_counter() - start
    each = [cpu_seconds(p.process.pid) for p in workers._procs]
    server = cpu_seconds(multiprocessing.forkserver._forkserver._forkserver_pid)
    trials = [round(r[3], 3) for r in reports]
    print(
        f"preload={preload}: forkserver {server:.2f} CPU s, workers {each} CPU s (their "
        f"1-epoch trials {trials} s), wall to both results {wall:.2f} s, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    workers.close()


if __name__ == "__main__":
    main(sys.argv[1] == "1")
