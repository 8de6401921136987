"""The study runner: independent, deterministic, paired runs; journaled; resumable after a kill."""

import importlib
import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from hpo import minimize
from hpo.bench.executors import ProcessExecutor
from hpo.bench.journal import JournalError, JournalWarning, load_journal
from hpo.bench.runner import RunFailed, execute_run, run_study
from hpo.bench.study import RunSpec, Study, StudyError
from hpo.problems import Problem, get_problem
from hpo.space import Real, Space

# Problems for tests, in a module that worker processes can import (tmp_path is put on
# sys.path, which spawned workers inherit): slow ones to kill a study in the middle of, and
# ones that fail in the ways a study must survive.
TOY_PROBLEMS = '''
import math
import os
import time

from hpo.problems import Problem
from hpo.space import Real, Space


class Sleepy(Problem):
    """A quadratic bowl that takes ``delay`` seconds per evaluation."""

    def __init__(self, name, centre, delay):
        self.name, self.centre, self.delay = name, centre, delay
        self.space = Space({"x": Real(-1.0, 1.0), "y": Real(-1.0, 1.0)})
        self.optimum = 0.0
        self.calls = 0

    def __call__(self, params):
        self.calls += 1
        time.sleep(self.delay)
        return (params["x"] - self.centre) ** 2 + params["y"] ** 2


class Flaky(Sleepy):
    """Raises on every third evaluation and returns NaN on every fifth."""

    def __init__(self):
        super().__init__("flaky", 0.1, 0.0)

    def __call__(self, params):
        value = super().__call__(params)
        if self.calls % 3 == 0:
            raise RuntimeError("simulated crash")
        return math.nan if self.calls % 5 == 0 else value


class Crashing(Sleepy):
    """Kills its own process (``os.abort()``), or raises what stops an interpreter."""

    def __init__(self, name, how):
        super().__init__(name, 0.0, 0.0)
        self.how = how

    def __call__(self, params):
        if self.how == "abort":
            os.abort()
        raise {"interrupt": KeyboardInterrupt, "exit": SystemExit}[self.how]("by the objective")


def slow_problems(delay):
    return [Sleepy("sleepy_a", 0.3, delay), Sleepy("sleepy_b", -0.2, delay)]
'''

KILLED_STUDY = """
import sys
from toy_problems import slow_problems
from hpo.bench.runner import run_study

if __name__ == "__main__":
    run_study(["random", "grid"], slow_problems(0.01), seeds=4, n_trials=30,
              journal=sys.argv[1], n_jobs=2)
"""


@pytest.fixture
def toy(tmp_path, monkeypatch):
    (tmp_path / "toy_problems.py").write_text(textwrap.dedent(TOY_PROBLEMS))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("toy_problems", None)
    yield importlib.import_module("toy_problems")
    sys.modules.pop("toy_problems", None)


def outcome(record):
    """Everything about a run but its timings."""
    trials = [
        {k: v for k, v in t.items() if k not in ("ask_time", "tell_time", "eval_time")}
        for t in record.trials
    ]
    return (record.key, record.n_trials, record.optimum, trials, record.meta)


def outcomes(records):
    return sorted((outcome(r) for r in records), key=lambda o: o[0])


def test_records_come_in_study_order_with_paired_seeds():
    records = run_study(["random", "ga"], ["branin", "hartmann3"], [3, 5], 8, n_jobs=1)
    assert [r.key for r in records] == [
        (o, p, s) for p in ("branin", "hartmann3") for s in (3, 5) for o in ("random", "ga")
    ]
    assert all(len(r.trials) == 8 and r.n_trials == 8 for r in records)
    assert {r.optimum for r in records if r.problem == "branin"} == {get_problem("branin").optimum}


def test_a_run_is_minimize_with_the_study_seed():
    (record,) = run_study(
        [{"name": "random", "options": {"design": "sobol"}}], ["branin"], [7], 6, n_jobs=1
    )
    problem = get_problem("branin")
    result = minimize(problem, problem.space, "random", 6, seed=7, options={"design": "sobol"})
    assert [t["params"] for t in record.trials] == [t.params for t in result.trials]
    assert [t["value"] for t in record.trials] == [t.value for t in result.trials]
    assert record.meta == {"name": "random", "options": {"design": "sobol"}, "stopped": "budget"}


def test_runs_are_deterministic_and_timed_apart():
    a = run_study(["random", "ga"], ["branin"], 2, 10, n_jobs=1)
    b = run_study(["random", "ga"], ["branin"], 2, 10, n_jobs=1)
    assert outcomes(a) == outcomes(b)
    assert outcome(a[0]) != outcome(a[2])  # another seed, another run
    for trial in a[0].trials:
        assert trial["ask_time"] > 0 and trial["tell_time"] > 0 and trial["eval_time"] > 0
    assert a[0].wall_time >= sum(t["eval_time"] for t in a[0].trials)


def test_failed_evaluations_are_recorded_and_the_run_goes_on(toy):
    (record,) = run_study(["random"], [toy.Flaky()], [0], 15, n_jobs=1)
    statuses = [t["status"] for t in record.trials]
    assert len(statuses) == 15
    failed = [t for t in record.trials if t["status"] == "failed"]
    assert len(failed) == 7  # calls 3, 5, 6, 9, 10, 12, 15
    assert all(t["value"] is None and t["error"] for t in failed)
    assert any("simulated crash" in t["error"] for t in failed)
    assert any("nan" in t["error"] for t in failed)
    assert all(math.isfinite(t["value"]) for t in record.trials if t["status"] == "complete")


def test_an_exhausted_optimizer_ends_its_run_keeping_the_budget():
    grid = {"label": "grid3", "name": "grid", "options": {"points_per_axis": 3}}
    (record,) = run_study([grid], ["branin"], [0], 20, n_jobs=1)
    assert len(record.trials) == 9 and record.n_trials == 20
    assert record.meta["stopped"] == "exhausted"
    assert len(record.best_so_far()) == 20


def test_a_study_object_and_the_loose_form_agree():
    study = Study.build(["random"], ["branin"], 2, 5)
    assert outcomes(run_study(study, n_jobs=1)) == outcomes(
        run_study(["random"], ["branin"], 2, 5, n_jobs=1)
    )
    with pytest.raises(ValueError, match="already given"):
        run_study(study, ["branin"])
    with pytest.raises(ValueError, match="required"):
        run_study(["random"], ["branin"])


def test_bad_definitions_fail_before_the_journal_is_touched(tmp_path):
    path = tmp_path / "j.jsonl"
    with pytest.raises(StudyError, match="unknown name 'nope'"):
        run_study(["random", "nope"], ["branin"], 1, 5, journal=path, n_jobs=1)
    assert not path.exists()


def test_progress_is_reported_per_finished_run(tmp_path):
    calls = []
    path = tmp_path / "j.jsonl"
    run_study(
        ["random"],
        ["branin"],
        2,
        4,
        journal=path,
        n_jobs=1,
        progress=lambda d, n, r: calls.append((d, n, r and r.key)),
    )
    assert calls == [(0, 2, None), (1, 2, ("random", "branin", 0)), (2, 2, ("random", "branin", 1))]
    calls.clear()
    run_study(
        ["random"],
        ["branin"],
        2,
        4,
        journal=path,
        n_jobs=1,
        progress=lambda d, n, r: calls.append((d, n, r)),
    )
    assert calls == [(2, 2, None)]


def test_a_journal_resumes_without_redoing_finished_runs(tmp_path, toy):
    full = run_study(
        ["random", "grid"], toy.slow_problems(0.0), 3, 6, journal=tmp_path / "full.jsonl", n_jobs=1
    )
    lines = (tmp_path / "full.jsonl").read_bytes().splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    partial.write_bytes(b"".join(lines[:5]) + lines[5][:30])  # 4 runs, then a cut-off line
    counted = toy.slow_problems(0.0)
    with pytest.warns(JournalWarning, match="truncated"):
        resumed = run_study(["random", "grid"], counted, 3, 6, journal=partial, n_jobs=1)
    # only the 8 missing runs were done (serial runs use these very instances)
    assert sum(p.calls for p in counted) == sum(len(r.trials) for r in resumed[4:])
    assert outcomes(resumed) == outcomes(full)
    assert outcomes(load_journal(partial)) == outcomes(full)


def test_a_journal_of_another_study_is_refused(tmp_path):
    path = tmp_path / "j.jsonl"
    run_study(["random"], ["branin"], 2, 4, journal=path, n_jobs=1)
    with pytest.raises(JournalError, match="another study"):
        run_study(["random"], ["branin"], 3, 4, journal=path, n_jobs=1)


class Broken(Problem):
    """Evaluates fine but breaks the harness afterwards (its optimum cannot be read)."""

    name = "broken"
    space = Space({"x": Real(0.0, 1.0)})

    def __call__(self, params):
        return params["x"]

    @property
    def optimum(self):
        raise RuntimeError("no optimum today")


def test_a_run_that_raises_fails_the_study_after_the_others_are_journaled(tmp_path):
    path = tmp_path / "j.jsonl"
    with pytest.raises(RunFailed, match=r"1 of 2 runs failed.*no optimum today.*rerun"):
        run_study(["random"], ["branin", Broken()], 1, 3, journal=path, n_jobs=1)
    assert [r.problem for r in load_journal(path)] == ["branin"]


def test_a_study_whose_runs_all_fail_says_none_is_journaled(tmp_path):
    path = tmp_path / "j.jsonl"
    with pytest.raises(RunFailed, match=r"2 of 2 runs failed.*no run finished, so none is journ"):
        run_study(["random"], [Broken()], 2, 3, journal=path, n_jobs=1)
    assert load_journal(path) == []
    with pytest.raises(RunFailed, match=r"1 finished run not kept \(no journal\)"):
        run_study(["random"], ["branin", Broken()], 1, 3, n_jobs=1)


@pytest.mark.slow
def test_a_run_that_kills_or_interrupts_its_worker_fails_alone(tmp_path, toy, caplog):
    path = tmp_path / "j.jsonl"
    problems = [
        {"problem": toy.Crashing("abort", "abort"), "seeds": [0]},
        {"problem": toy.Crashing("interrupt", "interrupt"), "seeds": [0]},
        {"problem": toy.Crashing("exit", "exit"), "seeds": [0]},
        toy.Sleepy("sleepy", 0.3, 0.02),
    ]
    message = r"^3 of 7 runs failed, .*; 4 finished runs in the journal; rerun to retry"
    pool = ProcessExecutor(1)  # one worker: starting each costs seconds
    try:
        with pytest.raises(RunFailed, match=message):
            run_study(["random"], problems, 4, 5, journal=path, executor=pool)
    finally:
        pool.close()
    assert sorted(r.key for r in load_journal(path)) == [("random", "sleepy", s) for s in range(4)]
    failed = {r.args[0][1]: r.args[1] for r in caplog.records if r.msg == "run %s failed: %r"}
    assert sorted(failed) == ["abort", "exit", "interrupt"]
    assert type(failed["abort"]).__name__ == "WorkerDied"
    assert "KeyboardInterrupt: by the objective" in str(failed["interrupt"])
    assert "SystemExit: by the objective" in str(failed["exit"])


def test_execute_run_takes_callbacks():
    seen = []
    run = RunSpec("random", "random", {}, "branin", 0, 4)
    record = execute_run(run, callbacks=[lambda trial, opt: seen.append(trial.number)])
    assert seen == [0, 1, 2, 3] and record.key == ("random", "branin", 0)


@pytest.mark.slow
def test_a_study_killed_with_sigkill_resumes_to_the_uninterrupted_result(tmp_path, toy):
    script = tmp_path / "killed_study.py"
    script.write_text(KILLED_STUDY)
    killed = tmp_path / "killed.jsonl"
    n_runs = 2 * 2 * 4
    proc = subprocess.Popen(
        [sys.executable, str(script), str(killed)], cwd=tmp_path, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if killed.exists() and killed.read_bytes().count(b"\n") >= 3:  # header + 2 runs
                break
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)  # the study and its worker processes
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    survivors = load_journal(killed)
    assert 2 <= len(survivors) < n_runs, "the study must be killed in the middle"
    # A kill can also land in the middle of a write: simulate that on top.
    killed.write_bytes(killed.read_bytes() + b'{"optimizer": "grid", "problem": "sle')

    with pytest.warns(JournalWarning, match="truncated"):
        resumed = run_study(
            ["random", "grid"], toy.slow_problems(0.0), 4, 30, journal=killed, n_jobs=1
        )
    whole = run_study(
        ["random", "grid"],
        toy.slow_problems(0.0),
        4,
        30,
        journal=tmp_path / "whole.jsonl",
        n_jobs=1,
    )
    assert len(resumed) == n_runs
    assert outcomes(resumed) == outcomes(whole)
    journaled = load_journal(killed)
    assert len(journaled) == n_runs and len({r.key for r in journaled}) == n_runs
    assert outcomes(journaled) == outcomes(load_journal(tmp_path / "whole.jsonl"))
    # the runs that finished before the kill were kept, not redone
    assert [outcome(r) for r in journaled[: len(survivors)]] == [outcome(r) for r in survivors]


def test_real_tasks_record_each_evaluation_and_the_incumbents_test_loss():
    from hpo.bench.runner import run_study

    (record,) = run_study(["random"], ["mlp_adam_iris_logloss"], [0], 3, n_jobs=1)
    infos = [t["info"]["problem"] for t in record.trials]
    assert [i["loss"] for i in infos] == [t["value"] for t in record.trials]
    assert all("n_convergence_warnings" in i for i in infos)
    assert 0 < record.meta["test_loss"] < 5


# -- several objectives ---------------------------------------------------------------------


def test_a_multi_objective_study_builds_each_optimizer_for_its_objectives(tmp_path):
    journal = tmp_path / "journal.jsonl"
    study = Study.build(["random", "ga"], ["zdt1:dim=3", "branin"], seeds=2, n_trials=6)
    first = run_study(study, journal=journal, n_jobs=1, only=["ga"])
    assert {r.optimizer for r in first} == {"ga"} and len(first) == 4
    records = run_study(study, journal=journal, n_jobs=1)  # resumes with random's runs
    assert len(records) == 8
    zdt = [r for r in records if r.problem == "zdt1:dim=3"]
    problem = get_problem("zdt1:dim=3")
    for r in zdt:
        assert r.reference_point == [1.1, 1.1]
        assert r.max_hypervolume == pytest.approx(problem.max_hypervolume)
        assert all(len(t["value"]) == 2 for t in r.trials)
        assert r.meta["options"] == {}  # n_objectives comes from the problem, not the file
    assert all(r.reference_point is None for r in records if r.problem == "branin")
    direct = minimize(problem, problem.space, "ga", 6, seed=1, options={"n_objectives": 2})
    ga1 = next(r for r in zdt if r.optimizer == "ga" and r.seed == 1)
    assert [t["value"] for t in ga1.trials] == [list(t.value) for t in direct.trials]


def test_only_names_labels_of_the_study():
    with pytest.raises(ValueError, match="only: the study has no optimizer labelled 'bayes'"):
        run_study(["random"], ["branin"], seeds=1, n_trials=2, n_jobs=1, only=["bayes"])


def test_a_single_objective_optimizer_is_refused_on_a_multi_objective_problem():
    pytest.importorskip("pymoo")
    with pytest.raises(StudyError, match="pymoo-ga"):
        run_study(["pymoo-ga"], ["zdt1:dim=3"], seeds=1, n_trials=2, n_jobs=1)
