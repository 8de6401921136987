"""Thin LAPACK calls for the GP's small dense linear algebra (float64 only).

``scipy.linalg.cholesky``, ``cho_solve`` and ``solve_triangular`` wrap the same LAPACK
routines (``potrf``, ``potrs``, ``trtrs``) in input checks and array-API conversions that
cost more than the factorization itself at the sizes of Bayesian optimization (n <= a few
hundred; about a third of a 50-evaluation run's linear-algebra time in
``benchmarks/results/bo/profile.md``). These call the routines directly, with the arguments
scipy passes (``check_finite=False``), so the results are bit-identical to scipy's.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, lapack

__all__ = ["cho_solve_lower", "cholesky_lower", "solve_lower"]


def cholesky_lower(A: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of the symmetric positive-definite ``A`` (``potrf``, upper
    triangle zeroed), as ``scipy.linalg.cholesky(A, lower=True, check_finite=False)``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``A`` is not (numerically) positive definite.
    """
    L, info = lapack.dpotrf(A, lower=1, clean=1, overwrite_a=0)
    if info != 0:
        raise LinAlgError(f"potrf failed with info={info}: not positive definite")
    return L


def cho_solve_lower(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(L L^T)^{-1} b`` from the lower factor ``L`` (``potrs``), as
    ``scipy.linalg.cho_solve((L, True), b, check_finite=False)``."""
    x, info = lapack.dpotrs(L, b, lower=1)
    if info != 0:
        raise ValueError(f"potrs failed with info={info}")
    return x


def solve_lower(L: np.ndarray, B: np.ndarray, transpose: bool = False) -> np.ndarray:
    """``L^{-1} B`` (or ``L^{-T} B`` with ``transpose``) for lower-triangular ``L``
    (``trtrs``), taking the same path as ``scipy.linalg.solve_triangular`` (a C-ordered
    ``L`` is passed as its transpose, Fortran-ordered)."""
    if L.flags.f_contiguous:
        x, info = lapack.dtrtrs(L, B, lower=1, trans=int(transpose))
    else:
        x, info = lapack.dtrtrs(L.T, B, lower=0, trans=int(not transpose))
    if info != 0:
        raise LinAlgError(f"trtrs failed with info={info}: singular triangular factor")
    return x
