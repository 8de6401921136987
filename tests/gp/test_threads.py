"""The single-BLAS-thread guard: limits inside, restores outside, nests for free."""

from threadpoolctl import threadpool_info

from hpo.gp import _threads
from hpo.gp._threads import single_blas_thread


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_the_guard_limits_blas_and_restores_it_after_nesting():
    before = blas_threads()
    with single_blas_thread():
        assert all(n == 1 for n in blas_threads())
        with single_blas_thread():
            assert _threads._STATE.depth == 2
            assert all(n == 1 for n in blas_threads())
        assert _threads._STATE.depth == 1
        assert all(n == 1 for n in blas_threads())  # the inner exit kept the limit
    assert _threads._STATE.depth == 0
    assert blas_threads() == before


def test_the_guard_unwinds_on_an_exception():
    before = blas_threads()
    try:
        with single_blas_thread():
            with single_blas_thread():
                raise KeyError("boom")
    except KeyError:
        pass
    assert _threads._STATE.depth == 0
    assert blas_threads() == before
