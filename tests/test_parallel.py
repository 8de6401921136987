"""Parallel workers inside one ``minimize`` run (hpo/parallel.py)."""

import math
import os
import signal
import sys
import threading
import time

import cloudpickle
import pytest

from hpo import Real, Space, TrialStatus, minimize

# Worker processes cannot import test modules: ship this module's functions by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

SPACE = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})


def sphere(p):
    return p["x"] ** 2 + p["y"] ** 2


def troubled(p):
    """Raises, returns NaN, or a number, depending on where ``p`` lies."""
    if p["x"] > 1.0:
        raise ValueError(f"x too large: {p['x']:.3f}")
    if p["y"] > 1.0:
        return math.nan
    return sphere(p)


def outcomes(result):
    return [(t.number, t.params, t.value, t.status, t.error) for t in result.trials]


@pytest.mark.parametrize("optimizer", ["random", "ga", "bayes"])
def test_one_thread_worker_equals_the_sequential_run(optimizer):
    n = 8 if optimizer == "bayes" else 20
    sequential = minimize(troubled, SPACE, optimizer, n, seed=3)
    threaded = minimize(troubled, SPACE, optimizer, n, seed=3, n_workers=1, executor="thread")
    assert outcomes(threaded) == outcomes(sequential)
    assert outcomes(minimize(troubled, SPACE, optimizer, n, seed=3, n_workers=1)) == outcomes(
        sequential
    )
    assert threaded.best_value == sequential.best_value


@pytest.mark.slow
def test_one_process_worker_equals_the_sequential_run_and_ships_a_lambda():
    offset = 0.25
    objective = lambda p: (p["x"] - offset) ** 2 if p["y"] < 1.0 else troubled({**p, "x": 2})  # noqa: E731
    sequential = minimize(objective, SPACE, "ga", 16, seed=5)
    pooled = minimize(objective, SPACE, "ga", 16, seed=5, n_workers=1, executor="process")
    assert outcomes(pooled) == outcomes(sequential)
    assert any(t.status is TrialStatus.FAILED for t in pooled.trials)  # the exception travelled
    assert all(t.eval_time is not None and t.eval_time >= 0 for t in pooled.trials)


@pytest.mark.slow
def test_process_pool_survives_crashes_and_timeouts():
    def objective(p):
        if p["x"] > 1.2:
            os.abort()  # a crash of the worker process
        if p["x"] < -1.5:
            time.sleep(30)  # past the timeout: its worker is killed and replaced
        return troubled(p)

    start = time.perf_counter()
    result = minimize(objective, SPACE, "random", 24, seed=1, n_workers=2, timeout=1.5)
    assert time.perf_counter() - start < 25  # nobody waited for a sleeping trial
    assert len(result.trials) == 24 and not [t for t in result.trials if t.status == "pending"]
    for t in result.trials:
        x, y = t.params["x"], t.params["y"]
        if x > 1.2:
            assert t.status is TrialStatus.FAILED and "SIGABRT" in t.error
        elif x < -1.5:
            assert t.error == "timeout after 1.5 s" and t.eval_time >= 1.5
        elif x > 1.0:
            assert t.error.startswith("ValueError: x too large")
        elif y > 1.0:
            assert t.status is TrialStatus.FAILED and "nan" in t.error
        else:
            assert t.value == sphere(t.params)
    kinds = {t.error.split()[0] if t.error else "ok" for t in result.trials}
    assert {"worker", "timeout", "ok"} <= kinds  # the seed draws every kind of trial


def test_workers_are_asynchronous():
    """A slow trial does not hold up the other worker: many results arrive before it."""
    first = threading.Event()

    def objective(p):
        if not first.is_set():
            first.set()
            time.sleep(1.0)
        return sphere(p)

    told = []
    result = minimize(
        objective,
        SPACE,
        "random",
        12,
        seed=0,
        n_workers=2,
        executor="thread",
        callbacks=[lambda trial, opt: told.append(trial.number)],
    )
    assert told[-1] == 0 and sorted(told) == list(range(12))
    assert all(t.ok for t in result.trials)


def test_bayes_with_pending_trials_proposes_distinct_configurations():
    result = minimize(sphere, SPACE, "bayes", 10, seed=0, n_workers=3, executor="thread")
    keys = {(t.params["x"], t.params["y"]) for t in result.trials}
    assert len(keys) == 10 and all(t.ok for t in result.trials)


def test_thread_timeout_and_callback_stop():
    def objective(p):
        if p["x"] < -1.5:
            time.sleep(2.0)
        return sphere(p)

    result = minimize(
        objective, SPACE, "random", 30, seed=1, n_workers=2, executor="thread", timeout=0.3
    )
    slow = [t for t in result.trials if t.params["x"] < -1.5]
    assert slow and all(t.error == "timeout after 0.3 s" for t in slow)
    assert all(t.ok for t in result.trials if t.params["x"] >= -1.5)

    stop = minimize(
        sphere,
        SPACE,
        "random",
        30,
        seed=1,
        n_workers=3,
        executor="thread",
        callbacks=[lambda trial, opt: len(opt.completed) >= 5],
    )
    assert stop.stopped == "callback" and 5 <= len(stop.trials) < 30
    assert all(t.status is not TrialStatus.PENDING for t in stop.trials)  # in flight: finished


def test_grid_runs_out_and_a_thread_exiting_is_a_failed_trial():
    from hpo import Categorical

    def objective(p):
        if p["k"] == 2:
            raise SystemExit(3)
        return float(p["k"])

    space = Space({"k": Categorical([0, 1, 2, 3])})
    result = minimize(objective, space, "grid", 10, n_workers=2, executor="thread")
    assert result.stopped == "exhausted" and len(result.trials) == 4
    failed = [t for t in result.trials if not t.ok]
    assert [t.params["k"] for t in failed] == [2] and failed[0].error == "SystemExit: 3"


def test_raise_errors_reraises_the_objectives_exception():
    with pytest.raises(ValueError, match="x too large"):
        minimize(troubled, SPACE, "random", 30, seed=1, n_workers=2, executor="thread",
                 raise_errors=True)  # fmt: skip


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n_workers must be a positive integer"):
        minimize(sphere, SPACE, "random", 5, n_workers=0)
    with pytest.raises(ValueError, match="timeout must be positive"):
        minimize(sphere, SPACE, "random", 5, n_workers=2, executor="thread", timeout=-1.0)
    with pytest.raises(ValueError, match="executor must be"):
        minimize(sphere, SPACE, "random", 5, n_workers=2, executor="cluster-of-one")
    with pytest.raises(TypeError, match="executor must be"):
        minimize(sphere, SPACE, "random", 5, n_workers=2, executor=4)


@pytest.mark.slow
def test_dask_cluster_loses_no_trial_when_a_worker_is_killed(tmp_path):
    distributed = pytest.importorskip("distributed")
    marker = tmp_path / "killed"

    def objective(p):
        time.sleep(0.05)
        if p["x"] > 0 and not marker.exists():  # the first such trial kills its worker
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return sphere(p)

    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = minimize(objective, SPACE, "random", 8, seed=0, executor=client)

        def sleepy(p):
            if p["x"] < -1.0:
                time.sleep(2.0)
            return sphere(p)

        # a scheduler address also works; a task past its timeout is a failed trial
        timed = minimize(
            sleepy, SPACE, "random", 6, seed=2, executor=cluster.scheduler_address, timeout=0.5
        )
    assert marker.exists()  # a worker did die mid-trial
    assert len(result.trials) == 8
    for t in result.trials:  # the killed trial is rerun elsewhere, or recorded as failed
        assert t.value == sphere(t.params) if t.ok else "lost on the Dask cluster" in t.error
    assert sum(t.ok for t in result.trials) >= 7
    slow = [t for t in timed.trials if t.params["x"] < -1.0]
    assert slow and all(t.error == "timeout after 0.5 s" for t in slow)
    assert all(t.value == sphere(t.params) for t in timed.trials if t.params["x"] >= -1.0)


def test_a_timeout_alone_runs_one_worker_process():
    def objective(p):
        if p["x"] < -1.0:
            time.sleep(5.0)
        return sphere(p)

    result = minimize(objective, SPACE, "random", 6, seed=0, timeout=0.3)
    sequential = minimize(sphere, SPACE, "random", 6, seed=0)
    assert [t.params for t in result.trials] == [t.params for t in sequential.trials]
    for t in result.trials:
        assert t.error == "timeout after 0.3 s" if t.params["x"] < -1.0 else t.ok
    assert any(t.params["x"] < -1.0 for t in result.trials)
