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

__all__ = [
    "BfgsResult",
    "LbfgsbResult",
    "minimize_bfgs_box",
    "minimize_lbfgsb",
    "minimize_lbfgsb_batch",
]

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


class _Run:
    """The state of one L-BFGS-B run of :func:`minimize_lbfgsb_batch`."""

    def __init__(self, x0: np.ndarray, m: int) -> None:
        n = len(x0)
        self.x = np.array(x0, dtype=np.float64)
        self.last_x = self.x.copy()
        self.f: float = 0.0
        self.g = np.zeros(n)
        self.wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m, np.float64)
        self.iwa = np.zeros(3 * n, dtype=np.int32)
        self.task = np.zeros(2, dtype=np.int32)
        self.ln_task = np.zeros(2, dtype=np.int32)
        self.lsave = np.zeros(4, dtype=np.int32)
        self.isave = np.zeros(44, dtype=np.int32)
        self.dsave = np.zeros(29, dtype=np.float64)
        self.nfev = 1
        self.nit = 0
        self.done = False
        self.index = 0


def minimize_lbfgsb_batch(
    fun: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    X0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    maxiter: int = 15000,
    gtol: float = 1e-5,
    ftol: float = 2.220446049250313e-09,
    maxcor: int = 10,
    maxls: int = 20,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Independent L-BFGS-B runs from the rows of ``X0``, their evaluations batched.

    L-BFGS-B's routine communicates in reverse (it returns whenever it needs ``f`` and
    ``g``), so the runs advance side by side and every round evaluates all the points they
    ask for in one call of ``fun``, as Optuna's GP sampler does with greenlets. Each run is
    exactly the run :func:`minimize_lbfgsb` makes from its row (own curvature pairs, line
    search and stopping tests).

    Parameters
    ----------
    fun : callable
        ``fun(X, rows) -> (f, G)`` on points of shape ``(m, n)``, asked by the runs
        ``rows`` (indices into ``X0``'s rows): values ``(m,)``, gradients ``(m, n)``.
    X0 : ndarray of shape (k, n)
    lower, upper : ndarray of shape (n,)
        Finite bounds, the same for every run.
    maxiter, gtol, ftol, maxcor, maxls
        As :func:`minimize_lbfgsb`, per run.

    Returns
    -------
    X : ndarray of shape (k, n)
        The final points.
    f : ndarray of shape (k,)
        Their values.
    n_calls : int
        Calls of ``fun``.
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    if not (np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))):
        raise ValueError("lower and upper must be finite")
    X0 = np.clip(np.atleast_2d(np.asarray(X0, dtype=float)), lower, upper)
    k, n = X0.shape
    factr = ftol / _EPS
    nbd = np.full(n, 2, dtype=np.int32)
    runs = [_Run(x0, maxcor) for x0 in X0]
    for i, run in enumerate(runs):
        run.index = i
    F, G = fun(X0.copy(), np.arange(k))
    for j, run in enumerate(runs):
        run.f, run.g = float(F[j]), np.array(G[j], dtype=np.float64)
    n_calls = 1
    active = runs
    setulb = _lbfgsb.setulb
    while active:
        asking = []
        for run in active:
            # the run's arrays, bound once: setulb is called about a dozen times per
            # evaluation of the batch (one or two per run), in this Python loop
            x, g, task = run.x, run.g, run.task
            wa, iwa, lsave, isave, dsave, ln_task = (
                run.wa, run.iwa, run.lsave, run.isave, run.dsave, run.ln_task
            )  # fmt: skip
            while True:  # advance this run until it asks for a new point or stops
                # g is a float64 copy made when it was evaluated (setulb only reads it,
                # tests/gp/test_lbfgsb.py checks), not a new copy per call
                setulb(
                    maxcor, x, lower, upper, nbd, run.f, g, factr, gtol, wa, iwa, task,
                    lsave, isave, dsave, maxls, ln_task,
                )  # fmt: skip
                t = task[0]
                if t == _FG:
                    if (x == run.last_x).all():
                        continue  # the memo: f and g at this point are at hand
                    asking.append(run)
                    break
                if t == _NEW_X:
                    run.nit += 1
                    if run.nit >= maxiter:
                        task[0], task[1] = 5, 504
                    continue
                run.done = True
                break
        if asking:
            X = np.array([run.x for run in asking])
            F, G = fun(X.copy(), np.array([run.index for run in asking]))
            n_calls += 1
            for j, run in enumerate(asking):
                run.last_x = run.x.copy()
                run.f, run.g = float(F[j]), np.array(G[j], dtype=np.float64)  # a copy
                run.nfev += 1
        active = [run for run in active if not run.done]
    return np.array([run.x for run in runs]), np.array([run.f for run in runs]), n_calls


class BfgsResult(NamedTuple):
    """What :func:`minimize_bfgs_box` returns: :class:`LbfgsbResult`'s fields plus the
    final inverse-Hessian approximation, to warm-start the next run."""

    x: np.ndarray
    fun: float
    nfev: int
    nit: int
    success: bool
    hess_inv: np.ndarray | None


def minimize_bfgs_box(
    fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
    x0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    hess_inv: np.ndarray | None = None,
    maxiter: int = 200,
    gtol: float = 1e-5,
    ftol: float = 2.220446049250313e-09,
    maxls: int = 20,
) -> BfgsResult:
    """Minimize ``fun`` in the box ``[lower, upper]`` by a projected dense BFGS that can
    start from the inverse-Hessian approximation of an earlier run.

    For a sequence of nearby problems, such as the GP's hyperparameter fit after one more
    point: L-BFGS-B restarts its curvature memory from nothing at every fit, and spends
    most of its evaluations of a warm-started fit rebuilding it; carrying the dense
    inverse Hessian ``H`` (a few dozen variables at most) over from the last fit lets the
    first step be a quasi-Newton one. The method is BFGS (Nocedal & Wright 2006,
    *Numerical Optimization*, Algorithm 6.1 and the update eq. 6.17) on the free variables
    (those not held at a bound by the gradient, as a projected quasi-Newton method), with
    a backtracking Armijo line search on the projected path (N&W Algorithm 3.1,
    ``c1 = 1e-4``), and L-BFGS-B's stopping tests: the largest entry of the projected
    gradient at most ``gtol``, or a relative reduction of ``f`` at most ``ftol``.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> (f, g)``; a non-finite ``f`` (a point where the objective cannot be
        evaluated) makes the line search step back.
    x0 : ndarray of shape (n,)
        Start (clipped into the box).
    lower, upper : ndarray of shape (n,)
        Finite bounds.
    hess_inv : ndarray of shape (n, n), optional
        Initial inverse-Hessian approximation (symmetric positive definite); without it
        the first step is a scaled steepest descent and ``H`` is built from the first
        curvature pair (N&W eq. 6.20).
    maxiter, gtol, ftol, maxls
        Iterations, projected-gradient and relative-reduction tolerances, and backtracking
        steps per line search.

    Returns
    -------
    BfgsResult
        ``hess_inv`` is the final approximation (``None`` if no curvature pair was taken).
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    x = np.clip(np.asarray(x0, dtype=float).ravel(), lower, upper)
    n = len(x)
    H = None if hess_inv is None else np.array(hess_inv, dtype=float)
    if H is not None and H.shape != (n, n):
        raise ValueError(f"hess_inv must have shape ({n}, {n}), got {H.shape}")
    f, g = fun(x.copy())
    f, g = float(f), np.asarray(g, dtype=float)
    if not (np.isfinite(f) and np.all(np.isfinite(g))):
        return BfgsResult(x, f, 1, 0, False, H)
    nfev, nit, success = 1, 0, False
    while nit < maxiter:
        # the projected gradient, as L-BFGS-B's stopping test reads it
        if np.max(np.abs(np.clip(x - g, lower, upper) - x)) <= gtol:
            success = True
            break
        held = ((x <= lower) & (g > 0)) | ((x >= upper) & (g < 0))
        free = ~held
        p = np.zeros(n)
        if H is not None and free.all():
            p = -(H @ g)
        elif H is not None and free.any():
            # the quasi-Newton step of the free variables with the held ones fixed: the
            # inverse of the free block of the Hessian B = H^-1 (its Schur complement in H)
            Hff, Hfh, Hhh = H[np.ix_(free, free)], H[np.ix_(free, held)], H[np.ix_(held, held)]
            try:
                reduced = Hff - Hfh @ np.linalg.solve(Hhh, Hfh.T)
            except np.linalg.LinAlgError:
                reduced = Hff
            p[free] = -reduced @ g[free]
        if H is None or g @ p >= 0:  # no curvature yet, or not a descent direction
            H = None
            p[free] = -g[free] / max(np.linalg.norm(g[free]), 1.0)
        step, accepted = 1.0, False
        for _ in range(maxls):
            x_new = np.clip(x + step * p, lower, upper)
            f_new, g_new = fun(x_new.copy())
            nfev += 1
            f_new = float(f_new)
            if np.isfinite(f_new) and f_new <= f + 1e-4 * (g @ (x_new - x)):
                g_new = np.asarray(g_new, dtype=float)
                accepted = bool(np.all(np.isfinite(g_new)))
                if accepted:
                    break
            step *= 0.5
        if not accepted:
            break
        nit += 1
        s, yv = x_new - x, g_new - g
        sy = float(s @ yv)
        if sy > 1e-10 * np.linalg.norm(s) * np.linalg.norm(yv):
            if H is None:  # N&W eq. 6.20: the first H scaled to the curvature seen
                H = (sy / float(yv @ yv)) * np.eye(n)
            rho = 1.0 / sy
            Hy = H @ yv
            # N&W eq. 6.17, expanded: H - rho (s Hy^T + Hy s^T) + (rho^2 y^T H y + rho) s s^T
            H = (
                H
                - rho * (np.outer(s, Hy) + np.outer(Hy, s))
                + (rho * rho * float(yv @ Hy) + rho) * np.outer(s, s)
            )
        reduction = f - f_new
        x, f, g = x_new, f_new, g_new
        if reduction <= ftol * max(abs(f), abs(f + reduction), 1.0):
            success = True
            break
    return BfgsResult(x, f, nfev, nit, success, H)
