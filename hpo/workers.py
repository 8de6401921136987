"""The workers that :func:`hpo.parallel.run_parallel` keeps busy: processes, threads, Dask.

Each kind implements :class:`Workers`: ``submit`` a trial, ``wait`` for reports of finished
ones, say when a trial ``started`` running (timeouts count from there), ``cancel`` one,
``close``. What each does on a timeout or a crash is described in :mod:`hpo.parallel`.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import cloudpickle

from hpo.minimize import evaluate

__all__ = ["DaskWorkers", "ProcessWorkers", "Report", "ThreadWorkers", "Workers"]

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


#: Modules every worker needs, imported once by the forkserver before it forks any worker.
_PRELOAD = ("hpo.workers", "hpo.bench.executors")


def _objective_modules(objective: Any) -> list[str]:
    """The importable modules that define ``objective`` (its class, or the function itself),
    so that the forkserver can import them once instead of every worker after its fork;
    ``__main__`` and built-ins are left out (a script is re-run by each worker anyway)."""
    names = {type(objective).__module__, getattr(objective, "__module__", None)}
    func = getattr(objective, "func", None)  # functools.partial
    if func is not None:
        names.add(getattr(func, "__module__", None))
    return sorted(
        n
        for n in names
        if isinstance(n, str) and n in sys.modules and n not in ("__main__", "builtins")
    )


def _context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """``forkserver`` where it exists (POSIX): a server process imports hpo (and ``preload``,
    the objective's modules, say a problem's module and scikit-learn) once, then forks a fresh
    worker in milliseconds with all of it imported, also to replace one that died or timed
    out; ``spawn`` elsewhere. Neither forks this process, whose threads (a Dask client, BLAS)
    make ``fork`` unsafe. The preload list only matters until the forkserver has started: it
    lives for the session."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([*_PRELOAD, *preload])
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
        self._ctx = _context(_objective_modules(self.objective))

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
