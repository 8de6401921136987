"""One BLAS thread for the GP's linear algebra.

The matrices of Bayesian optimization are small (a few hundred rows): a second BLAS thread
costs more in synchronization than it saves, and on a machine shared with other jobs a
spinning thread waits for a core, making a 200 x 200 solve a hundred times slower. Optuna's
GP sampler limits its threads for the same reason.

The public compute methods of :class:`hpo.gp.GaussianProcess` each enter the guard, and
they call one another (``predict`` calls ``posterior``, the acquisition search calls
``posterior`` hundreds of times inside an ``ask`` that already holds it), so a nested
entry costs nothing: only the outermost one in a thread talks to threadpoolctl (about
25 microseconds).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

__all__ = ["single_blas_thread"]

_CONTROLLER: ThreadpoolController | None = None
_STATE = threading.local()  # .depth: how many guards this thread is inside


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the ``with`` block (re-entrant, and free when nested
    in the same thread)."""
    global _CONTROLLER
    depth = getattr(_STATE, "depth", 0)
    _STATE.depth = depth + 1
    try:
        if depth:  # an enclosing block of this thread already holds the limit
            yield
            return
        if _CONTROLLER is None:
            _CONTROLLER = ThreadpoolController()
        with _CONTROLLER.limit(limits=1, user_api="blas"):
            yield
    finally:
        _STATE.depth = depth
