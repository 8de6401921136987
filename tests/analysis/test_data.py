import json

import numpy as np
import pytest

from hpo import Categorical, Integer, Real, Space, minimize
from hpo.analysis import as_trials, load_runs
from hpo.analysis.data import infer_space
from hpo.optimizers import RandomSearch

SPACE = Space({"lr": Real(1e-4, 1e-1, log=True), "n": Integer(1, 4), "c": Categorical(["a", "b"])})


def objective(p):
    if p["n"] == 4 and p["c"] == "b":
        raise RuntimeError("diverged")
    return p["lr"] * p["n"]


@pytest.fixture(scope="module")
def result():
    return minimize(objective, SPACE, optimizer="random", n_trials=30, seed=0)


def test_optimizer_and_result_give_the_same_run(result):
    opt = RandomSearch(SPACE, seed=0)
    for t in result.trials:
        opt.tell(t.params, t.value if t.ok else float("nan"))
    a, b = as_trials(opt), as_trials(result, space=SPACE)
    assert a.space == b.space == SPACE
    Xa, ya = a.arrays()
    Xb, yb = b.arrays()
    np.testing.assert_array_equal(Xa, Xb)
    np.testing.assert_array_equal(ya, yb)
    assert len(a.failed) == result.n_failed > 0
    assert len(ya) == len(result.trials) - result.n_failed


def test_result_without_space_is_inferred(result):
    run = as_trials(result)
    assert isinstance(run.space["lr"], Real) and run.space["lr"].log
    assert isinstance(run.space["n"], Integer)
    assert isinstance(run.space["c"], Categorical)
    assert as_trials(result.trials).space == run.space


def test_run_json_and_record(tmp_path):
    from hpo.cli import main

    path = tmp_path / "run.json"
    assert main(["run", "--optimizer", "random", "--problem", "branin", "--n-trials", "12",
                 "--json", str(path)]) == 0  # fmt: skip
    run = as_trials(path)
    assert run.space.names == ("x0", "x1") and len(run.trials) == 12
    assert as_trials(json.loads(path.read_text())).space == run.space
    (only,) = load_runs(path)
    assert len(only.completed) == 12
    # the same run as a study journal holds it
    from dataclasses import fields

    from hpo.bench.records import RunRecord

    d = json.loads(path.read_text())
    record = RunRecord.from_dict({f.name: d[f.name] for f in fields(RunRecord) if f.name in d})
    from_record = as_trials(record)
    assert from_record.space == run.space and from_record.label == "random"


def test_infer_space_needs_trials():
    with pytest.raises(ValueError, match="space"):
        infer_space([])


def test_rejects_other_objects():
    with pytest.raises(TypeError, match="Optimizer"):
        as_trials(42)
