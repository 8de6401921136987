"""What runs inside a study's worker processes, and nowhere else.

A worker limits its BLAS/OpenMP pools to one thread (``n`` workers use ``n`` cores), exits
when its parent process dies (a study killed with SIGKILL leaves no orphan behind), and turns
a ``KeyboardInterrupt`` or ``SystemExit`` raised by a run into that run's failure: stopping
the study is the parent's decision, not an objective's.

Everything here must be importable by a spawned interpreter: top-level functions only.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["RunInterrupted", "die_with_parent", "guarded_call", "init_worker", "limit_threads"]

T = TypeVar("T")

_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

#: Where a pool worker reports the token of each call it starts (see :func:`tracked_call`).
_started: Any = None


class RunInterrupted(RuntimeError):
    """A run raised ``KeyboardInterrupt`` or ``SystemExit`` inside a worker process: a failure
    of that run, not a request to stop the study."""


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


def die_with_parent(parent_pid: int) -> None:
    """Make this process exit as soon as process ``parent_pid`` (its parent) dies.

    On Linux the kernel sends SIGKILL on the parent's death (``prctl(PR_SET_PDEATHSIG)``);
    elsewhere a daemon thread waits on the parent and calls ``os._exit``. A parent that died
    before this call is caught by comparing ``os.getppid()`` afterwards.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            armed = False
    if os.getppid() != parent_pid:  # orphaned already
        os._exit(1)
    if not armed:  # pragma: no cover - exercised on macOS and Windows
        threading.Thread(
            target=_watch_parent, args=(parent_pid,), name="hpo-parent-watch", daemon=True
        ).start()


def _watch_parent(parent_pid: int) -> None:  # pragma: no cover - see die_with_parent
    parent = multiprocessing.parent_process()
    if parent is not None:  # a multiprocessing child: its parent's sentinel says when
        parent.join()
    else:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
    os._exit(1)


def init_worker(parent_pid: int, started: Any = None) -> None:
    """Initializer of a pool worker: one BLAS thread, die with the parent, ignore Ctrl-C (the
    parent stops its workers), and report the calls it starts on ``started`` (a
    ``multiprocessing.SimpleQueue``) if given."""
    global _started
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit_threads()
    die_with_parent(parent_pid)
    _started = started


def guarded_call(fn: Callable[[T], Any], item: T) -> Any:
    """``fn(item)``, with ``KeyboardInterrupt``/``SystemExit`` raised as :class:`RunInterrupted`."""
    try:
        return fn(item)
    except (KeyboardInterrupt, SystemExit) as err:
        detail = f": {err}" if str(err) else ""
        raise RunInterrupted(
            f"the run raised {type(err).__name__}{detail} inside its worker process"
        ) from None


def tracked_call(fn: Callable[[T], Any], token: Any, item: T) -> Any:
    """:func:`guarded_call`, after telling the parent that the call ``token`` started (so
    that, if this worker dies, the parent knows which calls were in progress)."""
    if _started is not None:
        _started.put(token)  # written to the pipe at once: it survives an abort just after
    return guarded_call(fn, item)
