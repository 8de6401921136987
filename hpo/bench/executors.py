"""Where a study's runs execute: in this process, in a local process pool, or on Dask.

An executor has one job: ``map_unordered(fn, items)`` yields ``(item, outcome)`` pairs as
calls finish, in any order, where ``outcome`` is ``fn(item)`` or the exception it raised.
The study runner writes each result to the journal in the parent process as it arrives.

Workers run with BLAS and OpenMP pools limited to one thread (``threadpoolctl`` for
libraries already loaded, ``OMP_NUM_THREADS`` and friends for those loaded later), so that
``n`` workers use ``n`` cores instead of fighting over them; they exit when the study's
process dies, and a ``KeyboardInterrupt`` or ``SystemExit`` raised by a run is that run's
failure (:mod:`hpo.bench.workers`).

A run that kills its worker process (``os.abort()``, a segfault, an out-of-memory kill)
breaks a ``concurrent.futures`` pool and with it every queued call. :class:`ProcessExecutor`
then starts a new pool, resubmits the calls that had not started, and at the end retries
alone each call that was in progress (the culprit and any innocent neighbour): only a call
that kills its worker again when alone fails, with :class:`WorkerDied`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from hpo.bench.workers import (
    RunInterrupted,
    guarded_call,
    init_worker,
    limit_threads,
    tracked_call,
)

__all__ = [
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "RunInterrupted",
    "SerialExecutor",
    "WorkerDied",
    "limit_threads",
    "make_executor",
]

logger = logging.getLogger("hpo")

T = TypeVar("T")


class WorkerDied(RuntimeError):
    """A call killed its worker process twice: in the pool, then retried alone."""


class Executor(Protocol):
    """What the study runner needs from an executor."""

    def map_unordered(
        self, fn: Callable[[T], Any], items: Iterable[T]
    ) -> Iterator[tuple[T, Any]]: ...

    def close(self) -> None: ...


def _call(fn: Callable[[T], Any], item: T) -> Any:
    try:
        return fn(item)
    except Exception as err:
        return err


class SerialExecutor:
    """Run everything here, one call after another (no parallelism, no thread limits)."""

    def map_unordered(self, fn: Callable[[T], Any], items: Iterable[T]) -> Iterator[tuple[T, Any]]:
        for item in items:
            yield item, _call(fn, item)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A local pool of ``n_jobs`` worker processes (``concurrent.futures``).

    Workers are started with the ``spawn`` method (a fresh interpreter, safe with threads
    and on every platform), limited to one BLAS thread each, and exit when this process dies.
    Scripts that use it must guard their entry point with ``if __name__ == "__main__":``.

    A call that kills its worker does not take the others down: the pool is rebuilt and the
    calls not started resubmitted; the calls that were in progress are retried at the end,
    one at a time; one that kills its worker again yields a :class:`WorkerDied`. If the
    consumer stops early (or is interrupted), the workers are killed at once rather than
    left to finish their calls.

    Parameters
    ----------
    n_jobs : int, optional
        Number of workers; ``None`` for one per CPU core.
    """

    def __init__(self, n_jobs: int | None = None) -> None:
        if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs < 1):
            raise ValueError(f"n_jobs must be a positive integer or None, got {n_jobs!r}")
        self.n_jobs = n_jobs or os.cpu_count() or 1
        self._context = multiprocessing.get_context("spawn")
        self._pool: cf.ProcessPoolExecutor | None = None
        self._started: Any = None  # the pool's SimpleQueue of started call tokens
        self._started_calls: set[int] = set()  # the tokens read from it so far

    def _get_pool(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._started = self._context.SimpleQueue()
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self.n_jobs,
                mp_context=self._context,
                initializer=init_worker,
                initargs=(os.getpid(), self._started),
            )
        return self._pool

    def map_unordered(self, fn: Callable[[T], Any], items: Iterable[T]) -> Iterator[tuple[T, Any]]:
        items = list(items)
        todo, alone = list(range(len(items))), []
        finished = False
        try:
            while todo:  # each pass either finishes or sets aside at least one call
                broken = yield from self._pool_pass(fn, items, todo)
                if broken:
                    started = self._drain_started()  # of this pool's calls, the ones begun
                    suspects = [i for i in broken if i in started] or broken
                    todo = [i for i in broken if i not in suspects]
                    alone += suspects
                    logger.warning(
                        "a worker process died: restarting the pool; %d call(s) it may have "
                        "been running will be retried alone, %d resubmitted",
                        *(len(suspects), len(todo)),
                    )
                    self._discard_pool()
                else:
                    todo = []
            for i in alone:
                if (yield from self._pool_pass(fn, items, [i])):
                    self._discard_pool()
                    yield (
                        items[i],
                        WorkerDied(
                            "the call's worker process died, in the pool and again when retried "
                            "alone (os.abort, a crash, or out of memory?)"
                        ),
                    )
            finished = True
        finally:
            if not finished:  # the consumer stopped or was interrupted: stop the work now
                self._kill_workers()

    def _pool_pass(
        self, fn: Callable[[T], Any], items: list[T], todo: list[int]
    ) -> Generator[tuple[T, Any], None, list[int]]:
        """Submit ``todo`` to the pool and yield outcomes; return the indices whose calls the
        pool lost because a worker died."""
        pool = self._get_pool()
        futures = {pool.submit(tracked_call, fn, i, items[i]): i for i in todo}
        broken = []
        try:
            for future in cf.as_completed(futures):
                i = futures[future]
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    broken.append(i)
                    continue
                except Exception as err:  # the call raised
                    outcome = err
                self._drain_started()  # keep the pipe empty, or workers block writing to it
                yield items[i], outcome
        finally:
            for future in futures:
                future.cancel()
        return sorted(broken)

    def _drain_started(self) -> set[int]:
        """Read the tokens workers wrote when starting calls; all read so far, this pool."""
        while self._started is not None and not self._started.empty():
            self._started_calls.add(self._started.get())
        return self._started_calls

    def _discard_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._started = None, None
        self._started_calls = set()

    def _kill_workers(self) -> None:
        pool, self._pool, self._started = self._pool, None, None
        self._started_calls = set()
        if pool is None:
            return
        if hasattr(pool, "kill_workers"):  # Python 3.14
            pool.kill_workers()
            pool.shutdown(wait=True, cancel_futures=True)
            return
        # concurrent.futures has no public way to stop calls in progress before Python 3.14.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join(timeout=5)

    def close(self) -> None:
        self._discard_pool()


def _limited_call(fn: Callable[[T], Any], item: T) -> Any:
    limit_threads()
    return guarded_call(fn, item)


class DaskExecutor:
    """Runs on a ``dask.distributed`` cluster (``pip install "hpo[dask]"``).

    Parameters
    ----------
    client : distributed.Client or str
        A client (used as it is and left open), or a scheduler address such as
        ``"tcp://10.0.0.5:8786"`` (a client is opened and closed by :meth:`close`).
    timeout : float, default 10
        Seconds to wait for the scheduler at an address.

    Notes
    -----
    Each task limits its worker process to one BLAS thread for good (``limit_threads``);
    with an in-process cluster (``LocalCluster(processes=False)``) that process is this one.
    """

    def __init__(self, client: Any, timeout: float = 10.0) -> None:
        try:
            import distributed
        except ImportError:
            raise ImportError(
                'the Dask executor needs dask.distributed: pip install -e ".[dask]"'
            ) from None
        self._distributed = distributed
        if isinstance(client, str):
            try:
                self.client = distributed.Client(client, timeout=timeout)
            except (OSError, TimeoutError) as err:
                raise OSError(f"cannot reach the Dask scheduler at {client!r}: {err}") from None
            self._owned = True
        elif isinstance(client, distributed.Client):
            self.client, self._owned = client, False
        else:
            raise TypeError(f"client must be a distributed.Client or an address, got {client!r}")

    def map_unordered(self, fn: Callable[[T], Any], items: Iterable[T]) -> Iterator[tuple[T, Any]]:
        items = list(items)
        futures = [self.client.submit(_limited_call, fn, item, pure=False) for item in items]
        index = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in self._distributed.as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as err:
                    outcome = err
                yield items[index[future.key]], outcome
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        if self._owned:
            self.client.close()


def make_executor(executor: Any = None, n_jobs: int | None = None) -> tuple[Executor, bool]:
    """Turn ``run_study``'s ``executor``/``n_jobs`` into an executor.

    ``executor=None`` gives a :class:`ProcessExecutor` of ``n_jobs`` workers, or a
    :class:`SerialExecutor` when ``n_jobs == 1``; ``"serial"`` the latter; a
    ``distributed.Client`` or a scheduler address (``"tcp://..."``) a :class:`DaskExecutor`;
    an object with ``map_unordered`` and ``close`` is used as it is.

    Returns
    -------
    executor, owned : Executor, bool
        ``owned`` tells whether the caller must close it.
    """
    if executor is None:
        if n_jobs == 1:
            return SerialExecutor(), True
        return ProcessExecutor(n_jobs), True
    if n_jobs is not None:
        raise ValueError("n_jobs: give either n_jobs or an executor, not both")
    if executor == "serial":
        return SerialExecutor(), True
    if isinstance(executor, str):
        return DaskExecutor(executor), True
    if hasattr(executor, "map_unordered") and hasattr(executor, "close"):
        return executor, False
    if type(executor).__module__.startswith("distributed"):
        return DaskExecutor(executor), True
    raise TypeError(
        "executor must be None, 'serial', a scheduler address, a distributed.Client or an "
        f"object with map_unordered and close, got {executor!r}"
    )
