import numpy as np
import pytest
from scipy.linalg import LinAlgError, cho_solve, cholesky, solve_triangular

from hpo.gp._linalg import cho_solve_lower, cholesky_lower, solve_lower


@pytest.fixture
def spd():
    A = np.random.default_rng(0).random((12, 12))
    return A @ A.T + 12 * np.eye(12)


def test_the_lapack_calls_equal_scipy_bit_for_bit(spd):
    b = np.random.default_rng(1).random((12, 3))
    L = cholesky_lower(spd)
    assert np.array_equal(L, cholesky(spd, lower=True, check_finite=False))
    assert np.array_equal(cho_solve_lower(L, b[:, 0]), cho_solve((L, True), b[:, 0]))
    for factor in (L, np.ascontiguousarray(L)):  # Fortran- and C-ordered factors
        assert np.array_equal(solve_lower(factor, b), solve_triangular(factor, b, lower=True))
        assert np.array_equal(
            solve_lower(factor, b, transpose=True), solve_triangular(factor.T, b, lower=False)
        )


def test_a_matrix_that_is_not_positive_definite_raises(spd):
    with pytest.raises(LinAlgError):
        cholesky_lower(-spd)
