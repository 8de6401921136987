"""One BLAS thread for the GP's linear algebra.

The matrices of Bayesian optimization are small (a few hundred rows): a second BLAS thread
costs more in synchronization than it saves, and on a machine shared with other jobs a
spinning thread waits for a core, making a 200 x 200 solve a hundred times slower. Optuna's
GP sampler limits its threads for the same reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from threadpoolctl import ThreadpoolController

__all__ = ["single_blas_thread"]

_CONTROLLER: ThreadpoolController | None = None


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the ``with`` block (re-entrant)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    with _CONTROLLER.limit(limits=1, user_api="blas"):
        yield
