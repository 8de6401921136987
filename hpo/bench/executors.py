"""Where a study's runs execute: in this process, in a local process pool, or on Dask.

An executor has one job: ``map_unordered(fn, items)`` yields ``(item, outcome)`` pairs as
calls finish, in any order, where ``outcome`` is ``fn(item)`` or the exception it raised.
The study runner writes each result to the journal in the parent process as it arrives.

Workers run with BLAS and OpenMP pools limited to one thread (``threadpoolctl`` for
libraries already loaded, ``OMP_NUM_THREADS`` and friends for those loaded later), so that
``n`` workers use ``n`` cores instead of fighting over them.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

__all__ = [
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "limit_threads",
    "make_executor",
]

logger = logging.getLogger("hpo")

T = TypeVar("T")

_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


class Executor(Protocol):
    """What the study runner needs from an executor."""

    def map_unordered(
        self, fn: Callable[[T], Any], items: Iterable[T]
    ) -> Iterator[tuple[T, Any]]: ...

    def close(self) -> None: ...


def limit_threads() -> None:
    """Limit BLAS/OpenMP thread pools of this process to one thread, for good.

    Meant for worker processes: sets the environment variables that libraries loaded later
    read (PyTorch reads ``OMP_NUM_THREADS``), and limits the pools already loaded with
    ``threadpoolctl`` when it is installed (it comes with scikit-learn).
    """
    for name in _THREAD_VARIABLES:
        os.environ[name] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn always brings it
        return
    threadpool_limits(limits=1)


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
    and on every platform) and limited to one BLAS thread each. Scripts that use it must guard
    their entry point with ``if __name__ == "__main__":``.

    Parameters
    ----------
    n_jobs : int, optional
        Number of workers; ``None`` for one per CPU core.
    """

    def __init__(self, n_jobs: int | None = None) -> None:
        if n_jobs is not None and (not isinstance(n_jobs, int) or n_jobs < 1):
            raise ValueError(f"n_jobs must be a positive integer or None, got {n_jobs!r}")
        self.n_jobs = n_jobs or os.cpu_count() or 1
        self._pool: cf.ProcessPoolExecutor | None = None

    def map_unordered(self, fn: Callable[[T], Any], items: Iterable[T]) -> Iterator[tuple[T, Any]]:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self.n_jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=limit_threads,
            )
        futures = {self._pool.submit(fn, item): item for item in items}
        try:
            for future in cf.as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as err:  # the call raised, or a worker died
                    outcome = err
                yield futures[future], outcome
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _limited_call(fn: Callable[[T], Any], item: T) -> Any:
    limit_threads()
    return fn(item)


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
