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


@pytest.fixture(scope="module")
def two_objective_run():
    from hpo.problems import get_problem

    p = get_problem("zdt1:dim=4")
    opt = RandomSearch(p.space, n_objectives=2, seed=0)
    for params in opt.ask(12):
        opt.tell(params, p(params))
    opt.tell(opt.ask(), [float("nan"), 1.0])  # a failed trial
    return opt


def test_several_objectives_need_a_choice(two_objective_run):
    with pytest.raises(ValueError, match=r"2 objectives.*objective=k.*plot_pareto_front"):
        as_trials(two_objective_run)
    with pytest.raises(ValueError, match="objective must be an integer in"):
        as_trials(two_objective_run, objective=2)


def test_one_objective_of_several(two_objective_run):
    trials = two_objective_run.trials
    for k in (0, 1):
        run = as_trials(two_objective_run, objective=k)
        assert run.n_objectives == 1
        assert [t.value for t in run.completed] == [t.value[k] for t in trials if t.ok]
        assert len(run.failed) == 1
        X, y = run.arrays()
        assert X.shape == (12, 4) and y.shape == (12,)
    # the optimizer's own trials keep their vectors
    assert all(isinstance(t.value, tuple) for t in trials if t.ok)
