"""Executors: in-process, a local process pool and Dask give the same records."""

import math
import operator
import os

import pytest

from hpo.bench.executors import (
    DaskExecutor,
    ProcessExecutor,
    RunInterrupted,
    SerialExecutor,
    limit_threads,
    make_executor,
)
from hpo.bench.runner import run_study

OPTIMIZERS = ["random", "ga", {"label": "grid3", "name": "grid", "options": {"points_per_axis": 3}}]
PROBLEMS = ["branin", "ackley:dim=3,shift=1"]


def outcomes(records):
    """Records without their timings, in a canonical order."""
    drop = ("ask_time", "tell_time", "eval_time")
    return sorted(
        (r.key, r.meta, [{k: v for k, v in t.items() if k not in drop} for t in r.trials])
        for r in records
    )


def test_serial_executor_returns_results_and_exceptions():
    results = dict(SerialExecutor().map_unordered(math.factorial, [3, -1, 4]))
    assert results[3] == 6 and results[4] == 24
    assert isinstance(results[-1], ValueError)


@pytest.fixture(scope="module")
def pool():
    """One pool for the module: starting workers is the slow part."""
    executor = ProcessExecutor(n_jobs=2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def pooled(pool):
    return run_study(OPTIMIZERS, PROBLEMS, 2, 8, executor=pool)


def test_the_process_pool_limits_workers_to_one_blas_thread(pool):
    results = dict(pool.map_unordered(operator.neg, range(6)))
    assert results == {i: -i for i in range(6)}
    errors = dict(pool.map_unordered(math.factorial, [-1]))
    assert isinstance(errors[-1], ValueError)
    # Only builtins and library functions here: a worker cannot import this test module.
    ((_, omp),) = pool.map_unordered(os.getenv, ["OMP_NUM_THREADS"])
    assert omp == "1"
    # the worker loaded hpo, hence numpy and its BLAS, before the initializer limited them
    probe = "__import__('threadpoolctl').threadpool_info()"
    ((_, pools),) = pool.map_unordered(eval, [probe])
    assert any(p["user_api"] == "blas" for p in pools)
    assert {p["num_threads"] for p in pools} == {1}


def test_an_interrupt_or_exit_inside_a_worker_fails_only_that_call(pool):
    calls = ["exec('raise KeyboardInterrupt')", "exec('raise SystemExit(3)')", "1 + 1"]
    results = dict(pool.map_unordered(eval, calls))
    assert results[calls[2]] == 2
    assert isinstance(results[calls[0]], RunInterrupted)
    assert "KeyboardInterrupt" in str(results[calls[0]])
    assert isinstance(results[calls[1]], RunInterrupted) and "SystemExit: 3" in str(
        results[calls[1]]
    )


def test_many_calls_do_not_fill_the_pipe_of_started_calls(pool):
    # Workers report each call they start (to find the culprit if one dies); unread, the
    # reports filled the pipe after about 4,000 calls and blocked every worker.
    results = dict(pool.map_unordered(abs, range(-6000, 0)))
    assert len(results) == 6000 and results[-6000] == 6000


def test_limit_threads_sets_the_variables_for_libraries_loaded_later(monkeypatch):
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(name, "8")
    from threadpoolctl import threadpool_limits

    with threadpool_limits():  # restores this process's pools afterwards
        limit_threads()
        assert os.environ["OMP_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "1"


def test_make_executor_maps_arguments_to_executors():
    serial, owned = make_executor(None, 1)
    assert isinstance(serial, SerialExecutor) and owned
    pool, owned = make_executor(None, 3)
    assert isinstance(pool, ProcessExecutor) and pool.n_jobs == 3 and owned
    assert isinstance(make_executor("serial")[0], SerialExecutor)
    mine = SerialExecutor()
    assert make_executor(mine) == (mine, False)
    with pytest.raises(ValueError, match="either n_jobs or an executor"):
        make_executor(mine, 2)
    with pytest.raises(TypeError, match="executor must be"):
        make_executor(42)
    with pytest.raises(ValueError, match="n_jobs must be a positive integer"):
        ProcessExecutor(0)


def test_the_process_pool_gives_the_serial_records(pooled):
    serial = run_study(OPTIMIZERS, PROBLEMS, 2, 8, n_jobs=1)
    assert [r.key for r in pooled] == [
        r.key for r in serial
    ]  # study order, whatever finished first
    assert outcomes(pooled) == outcomes(serial)


def test_dask_gives_the_records_of_the_process_pool(tmp_path, pooled):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            by_client = run_study(
                OPTIMIZERS, PROBLEMS, 2, 8, executor=client, journal=tmp_path / "dask.jsonl"
            )
            assert client.status == "running"  # a client given is left open
        by_address = run_study(OPTIMIZERS, PROBLEMS, 2, 8, executor=cluster.scheduler_address)
    assert outcomes(by_client) == outcomes(pooled)
    assert outcomes(by_address) == outcomes(pooled)


def test_an_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    with pytest.raises(OSError, match="cannot reach the Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=0.5)
