"""Parallel workers inside one ``minimize`` run: keep ``k`` workers busy, asynchronously.

The loop (:func:`run_parallel`) asks the optimizer for one configuration whenever a worker is
free, with the others still pending (Bayesian optimization fantasizes them, as its ``ask``
does for any pending trial), and tells each result as soon as it arrives, in whatever order
the workers finish. Three kinds of workers, behind one small interface (:class:`Workers`):

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
import multiprocessing
import multiprocessing.connection
import numbers
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cloudpickle

from hpo.exceptions import SearchExhausted
from hpo.minimize import evaluate
from hpo.optimizers import Optimizer

__all__ = ["Workers", "make_workers", "run_parallel"]

logger = logging.getLogger("hpo")

#: What a worker reports: ``(key, value or exception or None, error or None, seconds or None)``;
#: ``seconds`` is ``None`` when the worker could not measure it (it died).
Report = tuple[int, Any, "str | None", "float | None"]


class Workers(Protocol):
    """A pool that runs trials: submit one, wait for some to finish, give up on one."""

    def submit(self, key: int, params: dict[str, Any]) -> None: ...

    def wait(self, timeout: float | None) -> list[Report]:
        """Reports of trials that finished, after waiting at most ``timeout`` seconds."""

    def started(self, key: int) -> float | None:
        """``time.perf_counter()`` when trial ``key`` began running, ``None`` if not yet."""

    def cancel(self, key: int) -> None:
        """Stop (or abandon) the running trial ``key``; its result is never reported."""

    def close(self) -> None: ...


def _portable(value: Any, error: str | None) -> tuple[Any, str | None]:
    """An objective's outcome that survives pickling: an exception that does not round-trip
    is replaced by its description, in the words the optimizer would have used."""
    if not isinstance(value, BaseException):
        return value, error
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:
        return None, f"{type(value).__name__}: {value}"
    return value, error


def _evaluate_in_thread(objective: Callable[[dict[str, Any]], Any], params: dict[str, Any]):
    """:func:`hpo.minimize.evaluate`, also turning ``SystemExit`` and friends into a failed
    trial: in a thread they would end the thread without a report."""
    start = time.perf_counter()
    try:
        return evaluate(objective, params)
    except BaseException as err:
        return None, f"{type(err).__name__}: {err}", time.perf_counter() - start


# -- processes ------------------------------------------------------------------------------
def _process_worker(conn: multiprocessing.connection.Connection, payload: bytes) -> None:
    """Main loop of a worker process: receive ``(key, params)``, send back a :data:`Report`."""
    from hpo.bench.executors import limit_threads

    limit_threads()
    try:
        objective = cloudpickle.loads(payload)
    except Exception as err:  # answer every request with the reason rather than die
        objective, load_error = None, f"cannot load the objective in a worker: {err!r}"
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        key, params = message
        if objective is None:
            conn.send((key, None, load_error, 0.0))
            continue
        conn.send(("started", key))  # the timeout runs from here, not from a slow start-up
        value, error, elapsed = evaluate(objective, params)
        value, error = _portable(value, error)
        try:
            conn.send((key, value, error, elapsed))
        except Exception as err:  # an unpicklable result: pickling fails before any write
            conn.send((key, None, f"result cannot be sent back: {err!r}", elapsed))


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"worker process died ({signal.Signals(-exitcode).name})"
        except ValueError:
            pass
    return f"worker process died (exit code {exitcode})"


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where it exists (POSIX): a server process imports hpo once, then forks a
    fresh worker in milliseconds, also to replace one that died or timed out; ``spawn``
    elsewhere. Neither forks this process, whose threads (a Dask client, BLAS) make ``fork``
    unsafe."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["hpo.parallel", "hpo.bench.executors"])
        return ctx
    return multiprocessing.get_context("spawn")


@dataclass
class _Proc:
    process: Any
    conn: multiprocessing.connection.Connection
    key: int | None = None
    started: float | None = None


@dataclass
class ProcessWorkers:
    """Up to ``n_workers`` worker processes (see :func:`_context`), started on demand, each
    sent the cloudpickled objective once; a dead or killed one is replaced by a fresh one."""

    objective: Callable[[dict[str, Any]], Any]
    n_workers: int
    _procs: list[_Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        try:
            self._payload = cloudpickle.dumps(self.objective)
        except Exception as err:
            raise TypeError(f"objective: cannot be serialized for worker processes: {err}") from err
        self._ctx = _context()

    def _start(self) -> _Proc:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_process_worker, args=(child, self._payload), daemon=True, name="hpo-worker"
        )
        process.start()
        child.close()
        proc = _Proc(process, parent)
        self._procs.append(proc)
        return proc

    def _discard(self, proc: _Proc) -> None:
        if proc.process.is_alive():
            proc.process.kill()
        proc.process.join()
        proc.conn.close()
        self._procs.remove(proc)

    def submit(self, key: int, params: dict[str, Any]) -> None:
        idle = [p for p in self._procs if p.key is None]
        for proc in idle:  # a worker that died while idle is replaced
            if not proc.process.is_alive():
                self._discard(proc)
        proc = next((p for p in self._procs if p.key is None), None)
        if proc is None:
            proc = self._start()
        try:
            proc.conn.send((key, params))
        except OSError:  # the worker died between the check and the send
            self._discard(proc)
            proc = self._start()
            proc.conn.send((key, params))
        proc.key, proc.started = key, None

    def started(self, key: int) -> float | None:
        return next((p.started for p in self._procs if p.key == key), None)

    def wait(self, timeout: float | None) -> list[Report]:
        busy = [p for p in self._procs if p.key is not None]
        if not busy:
            return []
        handles = [p.conn for p in busy] + [p.process.sentinel for p in busy]
        multiprocessing.connection.wait(handles, timeout)
        reports: list[Report] = []
        for proc in busy:
            key = proc.key
            try:
                while proc.key is not None and proc.conn.poll():  # possibly sent before dying
                    message = proc.conn.recv()
                    if message[0] == "started":
                        proc.started = time.perf_counter()
                    else:
                        reports.append(message)
                        proc.key = None
            except (EOFError, OSError):
                pass
            if proc.key is not None and not proc.process.is_alive():
                proc.process.join()
                ran = time.perf_counter() - proc.started if proc.started is not None else 0.0
                reports.append((key, None, _death(proc.process.exitcode), ran))
                logger.warning("trial %s: %s; worker replaced", key, reports[-1][2])
                self._discard(proc)
        return reports

    def cancel(self, key: int) -> None:
        for proc in self._procs:
            if proc.key == key:
                self._discard(proc)
                return

    def close(self) -> None:
        for proc in list(self._procs):
            if proc.key is None and proc.process.is_alive():
                try:
                    proc.conn.send(None)
                except OSError:
                    pass
        deadline = time.monotonic() + 5.0
        for proc in list(self._procs):
            if proc.key is None:
                proc.process.join(max(0.0, deadline - time.monotonic()))
            self._discard(proc)


# -- threads --------------------------------------------------------------------------------
class ThreadWorkers:
    """One daemon thread per running trial; timed-out threads are abandoned, not killed."""

    def __init__(self, objective: Callable[[dict[str, Any]], Any]) -> None:
        from threadpoolctl import threadpool_limits

        self.objective = objective
        self._reports: queue.Queue[Report] = queue.Queue()
        self._abandoned: set[int] = set()
        self._started: dict[int, float] = {}
        self._limits = threadpool_limits(limits=1)  # undone by close()

    def _run(self, key: int, params: dict[str, Any]) -> None:
        self._reports.put((key, *_evaluate_in_thread(self.objective, params)))

    def submit(self, key: int, params: dict[str, Any]) -> None:
        self._started[key] = time.perf_counter()
        threading.Thread(target=self._run, args=(key, params), daemon=True).start()

    def wait(self, timeout: float | None) -> list[Report]:
        try:
            reports = [self._reports.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                reports.append(self._reports.get_nowait())
            except queue.Empty:
                break
        return [r for r in reports if r[0] not in self._abandoned]

    def started(self, key: int) -> float | None:
        return self._started.get(key)

    def cancel(self, key: int) -> None:
        self._abandoned.add(key)

    def close(self) -> None:
        self._limits.restore_original_limits()


# -- Dask -----------------------------------------------------------------------------------
def _dask_call(
    objective: Callable[[dict[str, Any]], Any], params: dict[str, Any], timeout: float | None
) -> tuple:
    """Run one trial on a Dask worker; past ``timeout`` seconds (counted from the start on the
    worker, not from the wait in the scheduler's queue), give up on it and free the worker's
    slot (the objective's thread is abandoned: a thread cannot be killed)."""
    from hpo.bench.executors import limit_threads

    limit_threads()
    if timeout is None:
        value, error, elapsed = evaluate(objective, params)
        return (*_portable(value, error), elapsed)
    box: list[tuple] = []
    thread = threading.Thread(
        target=lambda: box.append(_evaluate_in_thread(objective, params)), daemon=True
    )
    thread.start()
    thread.join(timeout)
    if not box:
        return None, f"timeout after {timeout:g} s", timeout
    value, error, elapsed = box[0]
    return (*_portable(value, error), elapsed)


class DaskWorkers:
    """Trials as tasks of a ``dask.distributed`` cluster (``client.submit(pure=False)``)."""

    def __init__(
        self, objective: Callable[[dict[str, Any]], Any], client: Any, timeout: float | None
    ) -> None:
        try:
            import distributed
        except ImportError:
            raise ImportError(
                'executor: a Dask client needs dask.distributed: pip install "hpo[dask]"'
            ) from None
        self._distributed = distributed
        self.objective, self.timeout = objective, timeout
        if isinstance(client, str):
            try:
                self.client = distributed.Client(client, timeout=10)
            except (OSError, TimeoutError) as err:
                raise OSError(f"executor: cannot reach the Dask scheduler at {client!r}") from err
            self._owned = True
        else:
            self.client, self._owned = client, False
        self._futures: dict[int, Any] = {}

    def default_n_workers(self) -> int:
        """Total threads of the cluster's workers (at least 1)."""
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def submit(self, key: int, params: dict[str, Any]) -> None:
        self._futures[key] = self.client.submit(
            _dask_call, self.objective, params, self.timeout, pure=False
        )

    def started(self, key: int) -> float | None:
        return None  # timeouts are enforced on the workers (see _dask_call)

    def wait(self, timeout: float | None) -> list[Report]:
        if not self._futures:
            return []
        try:
            self._distributed.wait(
                list(self._futures.values()), timeout=timeout, return_when="FIRST_COMPLETED"
            )
        except TimeoutError:
            return []
        except Exception:  # a future cancelled on the cluster's side: reported below
            pass
        reports: list[Report] = []
        for key, future in list(self._futures.items()):
            if future.status == "pending":
                continue
            del self._futures[key]
            try:
                value, error, elapsed = future.result()
            except Exception as err:  # KilledWorker, or the task could not run
                value, error, elapsed = None, f"lost on the Dask cluster: {err!r}", None
            reports.append((key, value, error, elapsed))
        return reports

    def cancel(self, key: int) -> None:
        future = self._futures.pop(key, None)
        if future is not None:
            future.cancel()

    def close(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
        if self._owned:
            self.client.close()


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
