"""The workers behind parallel runs (hpo/workers.py), driven directly."""

import os
import sys
import threading
import time

import cloudpickle
import pytest

from hpo.workers import ProcessWorkers, ThreadWorkers

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def collect(workers, n, timeout=30.0):
    """Wait until ``n`` reports arrived; return them by key."""
    reports, deadline = {}, time.monotonic() + timeout
    while len(reports) < n and time.monotonic() < deadline:
        for key, *rest in workers.wait(1.0):
            reports[key] = rest
    return reports


def test_process_workers_report_results_exceptions_and_deaths():
    def objective(p):
        if p["kind"] == "crash":
            os._exit(7)
        if p["kind"] == "raise":
            raise KeyError("k")
        return p["x"] * 2

    workers = ProcessWorkers(objective, 2)
    try:
        workers.submit(0, {"kind": "ok", "x": 1.5})
        workers.submit(1, {"kind": "crash", "x": 0.0})
        reports = collect(workers, 2)
        workers.submit(2, {"kind": "raise", "x": 0.0})  # a fresh worker replaces the dead one
        reports.update(collect(workers, 1))
    finally:
        workers.close()
    assert reports[0][0] == 3.0 and reports[0][1] is None and reports[0][2] >= 0
    assert reports[1][0] is None and reports[1][1] == "worker process died (exit code 7)"
    assert isinstance(reports[2][0], KeyError)  # the exception itself, for raise_errors
    assert not any(p.process.is_alive() for p in workers._procs)


def test_process_workers_cancel_kills_and_timeouts_count_from_the_start():
    workers = ProcessWorkers(lambda p: time.sleep(p["s"]) or p["s"], 1)
    try:
        workers.submit(0, {"s": 30.0})
        while workers.started(0) is None:  # set when the worker reports it began
            workers.wait(1.0)
        process = workers._procs[0].process
        workers.cancel(0)
        assert not process.is_alive() and workers._procs == []
        workers.submit(1, {"s": 0.0})
        assert collect(workers, 1)[1][0] == 0.0
    finally:
        workers.close()


def test_process_workers_refuse_an_objective_they_cannot_ship():
    lock = threading.Lock()  # cannot be pickled, even by cloudpickle
    with pytest.raises(TypeError, match="objective: cannot be serialized"):
        ProcessWorkers(lambda p: lock.locked(), 2)


def test_thread_workers_drop_the_report_of_a_cancelled_trial():
    release = threading.Event()

    def objective(p):
        if p["wait"]:
            release.wait(5.0)
        return 1.0

    workers = ThreadWorkers(objective)
    try:
        workers.submit(0, {"wait": True})
        workers.submit(1, {"wait": False})
        assert collect(workers, 1) == {1: [1.0, None, pytest.approx(0.0, abs=1.0)]}
        workers.cancel(0)
        release.set()
        assert workers.wait(0.5) == []  # trial 0 finished, but was given up on
    finally:
        workers.close()


def test_the_forkserver_preloads_the_modules_that_define_the_objective():
    import functools

    from hpo.problems import get_problem
    from hpo.workers import _objective_modules

    problem = get_problem("branin")
    assert _objective_modules(problem) == [type(problem).__module__]
    assert os.path.join.__module__ in _objective_modules(functools.partial(os.path.join, "a"))
    assert _objective_modules(lambda p: 0.0) in ([], [__name__])  # never "__main__"
    assert "__main__" not in _objective_modules(type("Local", (), {"__module__": "__main__"})())
