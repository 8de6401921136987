"""Parallel workers inside one ``minimize`` run: keep ``k`` workers busy, asynchronously.

The loop (:func:`run_parallel`) asks the optimizer for one configuration whenever a worker is
free, with the others still pending (Bayesian optimization fantasizes them, as its ``ask``
does for any pending trial), and tells each result as soon as it arrives, in whatever order
the workers finish. Three kinds of workers (:mod:`hpo.workers`), behind one small interface:

- ``"process"`` (the default): ``k`` worker processes (``forkserver``, else ``spawn``). The
  objective is serialized once per worker with :mod:`cloudpickle`, as loky and Dask do, so
  lambdas and closures work. Each worker limits its BLAS/OpenMP pools to one thread
  (:func:`hpo.bench.executors.limit_threads`). A trial past its timeout has its worker killed
  and replaced; a worker that dies (``os.abort``, a segfault, the OOM killer) fails only the
  trial it was running, and is replaced. Scripts must guard their entry point with
  ``if __name__ == "__main__":``.
- ``"thread"``: one thread per running trial, in this process (for objectives that release
  the GIL or wait on I/O). BLAS pools are limited to one thread for the duration of the run.
  A thread cannot be killed: a timed-out trial is recorded as failed and its thread abandoned
  (it runs to its end in the background, its result ignored).
- a ``distributed.Client`` or a scheduler address: tasks submitted with ``pure=False``.
  The timeout is enforced on the worker, from the moment the task starts there; the timed-out
  objective's thread is abandoned and runs to its end in the background. When a worker dies
  mid-trial, the scheduler reruns the task elsewhere (up to
  ``distributed.scheduler.allowed-failures`` times), then gives up with ``KilledWorker``,
  recorded as that trial's failure; finished trials are already told and are never lost.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from hpo.exceptions import SearchExhausted
from hpo.optimizers import Optimizer
from hpo.workers import DaskWorkers, ProcessWorkers, ThreadWorkers, Workers

__all__ = ["make_workers", "run_parallel"]

logger = logging.getLogger("hpo")


def make_workers(
    objective: Callable[[dict[str, Any]], Any],
    executor: Any,
    n_workers: int | None,
    timeout: float | None = None,
) -> tuple[Workers, int]:
    """Build the workers of ``executor`` and settle the number of trials run at once.

    ``n_workers=None`` means one per CPU core for processes and threads, and the cluster's
    total threads for Dask.
    """
    if executor is None or executor == "process":
        n = n_workers or os.cpu_count() or 1
        return ProcessWorkers(objective, n), n
    if executor == "thread":
        return ThreadWorkers(objective), n_workers or os.cpu_count() or 1
    if (isinstance(executor, str) and ":" in executor) or type(executor).__module__.startswith(
        "distributed"
    ):
        workers = DaskWorkers(objective, executor, timeout)
        return workers, n_workers or workers.default_n_workers()
    message = (
        "executor must be None, 'process', 'thread', a distributed.Client or a Dask scheduler "
        f"address ('host:port', 'tcp://host:port'), got {executor!r}"
    )
    raise ValueError(message) if isinstance(executor, str) else TypeError(message)


def check_timeout(timeout: Any) -> float | None:
    """``timeout`` as seconds, or ``None``; a ``ValueError`` unless positive and finite."""
    if timeout is None:
        return None
    if not isinstance(timeout, numbers.Real) or isinstance(timeout, bool):
        raise TypeError(f"timeout must be a number of seconds or None, got {timeout!r}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"timeout must be positive and finite, got {timeout!r}")
    return float(timeout)


def _until_first_deadline(
    workers: Workers, running: dict[int, Any], timeout: float | None
) -> float | None:
    """Seconds until the first running trial times out (``None``: wait for any event)."""
    if timeout is None:
        return None
    starts = [s for s in map(workers.started, running) if s is not None]
    return None if not starts else max(0.0, min(starts) + timeout - time.perf_counter())


def run_parallel(
    objective: Callable[[dict[str, Any]], Any],
    opt: Optimizer,
    n_trials: int,
    *,
    n_workers: int | None = None,
    executor: Any = None,
    timeout: float | None = None,
    callbacks: Sequence[Callable[..., Any]] = (),
    raise_errors: bool = False,
) -> str:
    """Evaluate up to ``n_trials`` configurations of ``opt``, ``n_workers`` at a time.

    Every result is told to ``opt`` as it arrives (trials record ``eval_time``, the seconds
    measured by the worker, or since submission for a timeout or a lost worker). A trial past
    ``timeout`` seconds fails with ``"timeout after X s"``. A callback returning ``True``, or
    the optimizer running out, stops new trials; those in flight are still finished and told.

    Returns
    -------
    str
        Why the run ended: ``"budget"``, ``"exhausted"`` or ``"callback"``.
    """
    timeout = check_timeout(timeout)
    workers, n_workers = make_workers(objective, executor, n_workers, timeout)
    running: dict[int, dict[str, Any]] = {}
    asked, stopped, accepting = 0, "budget", True
    try:
        while True:
            while accepting and len(running) < n_workers and asked < n_trials:
                try:
                    params = opt.ask()
                except SearchExhausted:
                    stopped, accepting = "exhausted", False
                    break
                running[asked] = params
                workers.submit(asked, params)
                asked += 1
            if not running:
                return stopped
            reports = workers.wait(_until_first_deadline(workers, running, timeout))
            now = time.perf_counter()
            reported = {r[0] for r in reports}
            for key in running:
                start = workers.started(key) if timeout is not None else None
                if key not in reported and start is not None and now - start >= timeout:
                    workers.cancel(key)
                    reports.append((key, None, f"timeout after {timeout:g} s", now - start))
            for key, value, error, elapsed in sorted(reports, key=lambda r: r[0]):
                params = running.pop(key)
                trial = opt.tell(params, value, error=error)
                if elapsed is None:  # a lost worker: the time since the trial began
                    elapsed = now - (workers.started(key) or now)
                trial.eval_time = elapsed
                logger.debug("trial %d: %s -> %s", trial.number, params, trial.value or trial.error)
                if raise_errors and isinstance(value, BaseException):
                    raise value
                if any([bool(cb(trial, opt)) for cb in callbacks]) and accepting:
                    stopped, accepting = "callback", False
    finally:
        workers.close()
