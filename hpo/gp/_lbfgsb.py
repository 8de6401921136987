"""A lean driver of scipy's L-BFGS-B routine, for the GP's many small optimizations.

Bayesian optimization runs thousands of short L-BFGS-B iterations per run (the MAP fit of
the hyperparameters, the acquisition search), on problems of a few to a few dozen
variables, where ``scipy.optimize.minimize`` spends more time in its Python wrappers
(``ScalarFunction``'s copies and checks, ``MemoizeJac``, an ``OptimizeResult`` per
iteration) than in the quasi-Newton step itself: about a sixth of a 50-evaluation run in
``benchmarks/results/bo/profile-2026-12-01.md``. :func:`minimize_lbfgsb` calls the same
compiled routine (``scipy.optimize._lbfgsb.setulb``, Byrd, Lu, Nocedal & Zhu 1995) with
the arguments scipy's driver (``_minimize_lbfgsb``) passes and replays its loop, including
its memo of the last point, so the iterates, values and evaluation counts are bit-identical
to ``minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=..., options=...)``
(``tests/gp/test_lbfgsb.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.optimize import _lbfgsb

__all__ = ["LbfgsbResult", "minimize_lbfgsb"]

_EPS = np.finfo(float).eps
_FG, _NEW_X, _CONVERGENCE = 3, 1, 4  # setulb's task codes (scipy >= 1.15)


class LbfgsbResult(NamedTuple):
    """What the GP's callers read of scipy's ``OptimizeResult``."""

    x: np.ndarray
    fun: float
    nfev: int
    nit: int
    success: bool


def minimize_lbfgsb(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    maxiter: int = 15000,
    gtol: float = 1e-5,
    ftol: float = 2.220446049250313e-09,
    maxcor: int = 10,
    maxls: int = 20,
    maxfun: int = 15000,
) -> LbfgsbResult:
    """Minimize ``fun`` (returning the value and its gradient) in the box ``[lower, upper]``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (f, g)``; ``x`` is a fresh copy it may keep or change.
    x0 : ndarray of shape (n,)
        Start (clipped into the box).
    lower, upper : ndarray of shape (n,)
        Finite bounds.
    maxiter, gtol, ftol, maxcor, maxls, maxfun
        As the options of scipy's L-BFGS-B.

    Returns
    -------
    LbfgsbResult
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))):
        raise ValueError("lower and upper must be finite")
    if np.any(lower > upper):
        raise ValueError("every lower bound must be at most its upper bound")
    x = np.array(np.clip(np.asarray(x0, dtype=float).ravel(), lower, upper), dtype=np.float64)
    n, m = len(x), maxcor
    factr = ftol / _EPS
    nbd = np.full(n, 2, dtype=np.int32)  # bounded on both sides
    low_bnd, upper_bnd = lower.copy(), upper.copy()
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m, np.float64)
    iwa = np.zeros(3 * n, dtype=np.int32)
    task = np.zeros(2, dtype=np.int32)
    ln_task = np.zeros(2, dtype=np.int32)
    lsave = np.zeros(4, dtype=np.int32)
    isave = np.zeros(44, dtype=np.int32)
    dsave = np.zeros(29, dtype=np.float64)

    # scipy evaluates at the start when it builds its ScalarFunction, and then again only
    # where L-BFGS-B asks at a point other than the last one evaluated
    last_x = x.copy()
    f, g = _evaluate(fun, last_x)
    nfev, n_iterations = 1, 0
    while True:
        g = g.astype(np.float64)
        _lbfgsb.setulb(
            m, x, low_bnd, upper_bnd, nbd, f, g, factr, gtol, wa, iwa, task, lsave, isave,
            dsave, maxls, ln_task,
        )  # fmt: skip
        if task[0] == _FG:
            if not np.array_equal(x, last_x):
                last_x = x.copy()
                f, g = _evaluate(fun, last_x)
                nfev += 1
        elif task[0] == _NEW_X:
            n_iterations += 1
            if n_iterations >= maxiter:
                task[0], task[1] = 5, 504
            elif nfev > maxfun:
                task[0], task[1] = 5, 502
        else:
            break
    return LbfgsbResult(x, f, nfev, n_iterations, bool(task[0] == _CONVERGENCE))


def _evaluate(fun, x: np.ndarray) -> tuple[float, np.ndarray]:
    """``fun`` at a copy of ``x``, as scipy's wrappers return it: a true scalar and a 1-d
    gradient."""
    fx, gx = fun(np.copy(x))
    if not np.isscalar(fx):
        fx = np.asarray(fx).item()
    return fx, np.atleast_1d(gx)
