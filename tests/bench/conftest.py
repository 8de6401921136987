"""Fixtures of the multi-fidelity report tests: hand-made records of simulated runs."""

from types import SimpleNamespace

import pytest

from hpo.bench.records import RunRecord

FID = {"name": "epochs", "low": 1, "high": 9}


def trial(number, epochs, value, start, end):
    return {
        "number": number,
        "params": {"x": 0.5, "epochs": epochs},
        "value": value,
        "status": "complete" if value is not None else "failed",
        "ask_time": 0.0,
        "tell_time": 0.0,
        "eval_time": 0.0,
        "info": {},
        "cost": float(end - start),
        "start": float(start),
        "end": float(end),
    }


def record(label="hyperband", seed=0, workers=1, trials=None, final=0.5, optimum=None):
    trials = trials or [
        trial(0, 1, 0.1, 0, 1),  # a low loss at a low budget: never the incumbent
        trial(1, 9, 0.8, 1, 10),
        trial(2, 9, None, 10, 19),  # failed
        trial(3, 9, 0.5, 19, 28),
    ]
    return RunRecord(
        optimizer=label,
        problem="task",
        seed=seed,
        n_trials=len(trials),
        optimum=optimum,
        trials=trials,
        wall_time=1.0,
        meta={"final_loss": final},
        fidelity=dict(FID),
        max_cost=27.0,
        workers=workers,
    )


@pytest.fixture
def mf():
    """``mf.trial(number, epochs, value, start, end)`` and ``mf.record(label, seed, ...)``:
    a trial dict and a RunRecord of a run with fidelity epochs 1..9 and 27 epochs of budget."""
    return SimpleNamespace(trial=trial, record=record)
