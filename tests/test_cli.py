"""The ``hpo`` command: list, run, bench, report; bad input gets one line and exit status 2."""

import contextlib
import functools
import json
import signal
import subprocess
import sys
import time

import pytest

from hpo import cli
from hpo.bench.journal import load_journal
from hpo.cli import main

STUDY = """
n_trials = 6
seeds = 2
problems = ["branin", "ackley:dim=2,shift=0"]

[[optimizers]]
name = "random"

[[optimizers]]
label = "grid3"
name = "grid"
options = { points_per_axis = 3 }
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err):
    lines = [line for line in err.splitlines() if line.startswith("hpo: ")]
    assert len(lines) == 1 and lines[0].startswith("hpo: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(STUDY)
    return path


def test_list_names_optimizers_peers_and_problems(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for name in ("grid", "random", "bayes", "ga", "branin", "hartmann6", "ackley"):
        assert f"  {name}" in out
    assert 'pip install -e ".[peers]"' in out
    assert "optuna-tpe" in out and "installed]" in out


def test_run_prints_the_best_and_writes_every_trial(capsys, tmp_path):
    path = tmp_path / "out" / "trials.json"
    argv = ["run", "--optimizer", "random", "--problem", "branin", "--n-trials", "12"]
    code, out, err = run(capsys, *argv, "--seed", "3", "--json", str(path))
    assert code == 0
    data = json.loads(path.read_text())
    values = [t["value"] for t in data["trials"]]
    assert len(values) == 12 and data["best_value"] == min(values)
    assert f"best value: {min(values):.10g}" in out
    assert "x0 = " in out and "x1 = " in out and "known optimum: 0.3978873577" in out
    assert data["seed"] == 3 and data["optimizer"] == "random"
    assert "12/12" in err  # the progress bar


def test_run_on_two_objectives_prints_the_front_and_writes_vectors(capsys, tmp_path):
    from hpo.moo import hypervolume, is_non_dominated

    path = tmp_path / "trials.json"
    argv = ["run", "--optimizer", "random", "--problem", "zdt1", "--n-trials", "30"]
    code, out, _ = run(capsys, *argv, "--seed", "1", "--json", str(path))
    assert code == 0
    data = json.loads(path.read_text())
    points = [t["value"] for t in data["trials"]]
    assert len(points) == 30 and all(len(p) == 2 for p in points)
    assert "best_value" not in data  # no single best with two objectives
    mask = is_non_dominated(points)
    hv = hypervolume([p for p, keep in zip(points, mask) if keep], data["reference_point"])
    assert f"Pareto front: {sum(mask)} of 30 completed trials; hypervolume {hv:.6g}" in out
    assert out.count("  trial ") == sum(mask)


def test_run_passes_options_and_reports_an_exhausted_grid(capsys):
    argv = ["run", "--optimizer", "grid", "--problem", "branin", "--n-trials", "20"]
    code, out, _ = run(capsys, *argv, "--option", "points_per_axis=2", "--option", "shuffle=False")
    assert code == 0
    assert "ran out of configurations after 4 trials" in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["run", "--optimizer", "nope", "--problem", "branin"], "unknown name 'nope'"),
        (["run", "--optimizer", "random", "--problem", "nope"], "unknown name 'nope'"),
        (["run", "--optimizer", "random", "--problem", "ackley:dim=0"], "dim must be"),
        (["run", "--optimizer", "random", "--problem", "branin", "--n-trials", "0"], "positive"),
        (["run", "--optimizer", "random", "--problem", "branin", "--n-trials", "x"], "positive"),
        (["run", "--optimizer", "random", "--problem", "branin", "--seed", "-1"], "non-negative"),
        (["run", "--optimizer", "random", "--problem", "branin", "--option", "x"], "key=value"),
        (["run", "--optimizer", "random", "--problem", "branin", "--option", "a=1"], "no option"),
        (["run", "--optimizer", "random", "--problem", "branin", "--seed", str(2**63)], "2**63"),
        (["run", "--optimizer", "ga", "--problem", "branin", "--option", "variation=5"], "ga"),
        (["run", "--optimizer", "random", "--problem", "branin", "--n-trials", "10**12"], "pos"),
        (
            ["run", "--optimizer", "random", "--problem", "branin", "--n-trials", str(10**12)],
            "at most",
        ),
        (["run", "--problem", "branin"], "required: --optimizer"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_run_arguments_get_one_line_and_status_2(capsys, argv, match):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert match in one_line_error(err)
    assert out == ""


def test_an_unwritable_json_path_is_refused_before_running(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["run", "--optimizer", "random", "--problem", "branin"]
    code, out, err = run(capsys, *argv, "--json", str(blocker / "trials.json"))
    assert code == 2 and "not writable" in one_line_error(err) and out == ""


def test_bench_runs_resumes_and_reports(capsys, tmp_path, study_file, monkeypatch):
    reports = []
    monkeypatch.setattr(cli, "_report", lambda records, *_: reports.append(len(records)) or 0)
    out_dir = tmp_path / "results"
    code, out, err = run(capsys, "bench", str(study_file), "--out", str(out_dir), "--jobs", "1")
    assert code == 0, err
    journal = out_dir / "journal.jsonl"
    records = load_journal(journal)
    assert len(records) == 2 * 2 * 2
    assert "8 runs in" in out and "8/8" in err
    before = journal.read_bytes()
    code, out, err = run(capsys, "bench", str(study_file), "--out", str(out_dir), "--jobs", "1")
    assert code == 0
    assert "resuming: 8 of 8 runs" in err
    assert journal.read_bytes() == before  # nothing redone
    assert reports == [8, 8]


@pytest.mark.slow  # writing the report's figures takes seconds
def test_report_writes_tables_and_figures_from_the_journal(capsys, tmp_path, study_file):
    pytest.importorskip("hpo.bench.report")
    out_dir = tmp_path / "results"
    argv = ["bench", str(study_file), "--out", str(out_dir), "--jobs", "1", "--n-trials", "4"]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "| branin |" in out and (out_dir / "report.md").exists()
    (out_dir / "report.md").unlink()
    code, out, _ = run(capsys, "report", str(out_dir))
    assert code == 0 and (out_dir / "report.md").exists() and "| branin |" in out
    assert "wrote " in out


def test_bench_overrides_seeds_and_budget(capsys, tmp_path, study_file, monkeypatch):
    monkeypatch.setattr(cli, "_report", lambda records, out, order: 0)
    out_dir = tmp_path / "results"
    argv = ["bench", str(study_file), "--out", str(out_dir), "--jobs", "1"]
    code, _, err = run(capsys, *argv, "--seeds", "1", "--n-trials", "3")
    assert code == 0, err
    records = load_journal(out_dir / "journal.jsonl")
    assert len(records) == 4 and {r.n_trials for r in records} == {3}
    # the journal now holds another study than the file's own: refused, nothing run
    code, _, err = run(capsys, "bench", str(study_file), "--out", str(out_dir), "--jobs", "1")
    assert code == 2 and "holds another study" in one_line_error(err)
    assert len(load_journal(out_dir / "journal.jsonl")) == 4


def test_bench_runs_on_a_dask_scheduler(capsys, tmp_path, study_file, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(cli, "_report", lambda records, out, order: 0)
    out_dir = tmp_path / "results"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        argv = ["bench", str(study_file), "--out", str(out_dir)]
        code, _, err = run(capsys, *argv, "--scheduler", cluster.scheduler_address)
    assert code == 0, err
    assert len(load_journal(out_dir / "journal.jsonl")) == 8


def test_an_unreachable_scheduler_is_one_line(capsys, tmp_path, study_file, monkeypatch):
    pytest.importorskip("distributed")
    from hpo.bench import executors

    quick = functools.partial(executors.DaskExecutor, timeout=0.5)
    monkeypatch.setattr(executors, "DaskExecutor", quick)
    argv = [
        "bench",
        str(study_file),
        "--out",
        str(tmp_path / "r"),
        "--scheduler",
        "tcp://127.0.0.1:9",
    ]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "cannot reach the Dask scheduler" in one_line_error(err)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("n_trials = [", "malformed TOML"),
        (STUDY.replace('name = "random"', 'name = "nope"'), "unknown name 'nope'"),
        (STUDY.replace('"branin"', '"nope"'), "unknown name 'nope'"),
        (STUDY.replace("n_trials = 6", 'n_trials = "6"'), "n_trials must be a positive integer"),
        (STUDY.replace("points_per_axis = 3", "colour = 3"), "no option 'colour'"),
        (STUDY + "\nextra = 1\n", "unknown key"),
        (STUDY.replace("n_trials = 6", "n_trials = 6.5"), "n_trials must be a positive integer"),
        (STUDY.replace("n_trials = 6", "n_trials = 1000000000000"), "n_trials must be at most"),
        (STUDY.replace("seeds = 2", "seeds = [9223372036854775808]"), "at most 2**63 - 1"),
        (STUDY.replace("seeds = 2", "seeds = 10000000000000000000"), "seeds must be at most"),
        (STUDY.replace("points_per_axis = 3", "points_per_axis = 3.5"), "grid3"),
        (STUDY.replace('name = "random"', 'name = "ga"\noptions = { variation = 5 }'), "ga"),
    ],
)
def test_bad_study_files_get_one_line_before_any_work(capsys, tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out_dir = tmp_path / "results"
    code, _, err = run(capsys, "bench", str(path), "--out", str(out_dir), "--jobs", "1")
    assert code == 2 and match in one_line_error(err)
    assert not out_dir.exists()


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--jobs", "0"], "positive integer"),
        (["--seeds", "two"], "positive integer"),
        (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:9"], "not both"),
    ],
)
def test_bad_bench_options_get_one_line(capsys, tmp_path, study_file, extra, match):
    out_dir = tmp_path / "results"
    code, _, err = run(capsys, "bench", str(study_file), "--out", str(out_dir), *extra)
    assert code == 2 and match in one_line_error(err)


def test_an_unknown_study_name_lists_the_known_ones(capsys, tmp_path):
    code, _, err = run(capsys, "bench", "no-such-study", "--out", str(tmp_path / "r"))
    assert code == 2 and "known: " in one_line_error(err) and "quick" in err


def test_an_unwritable_output_directory_is_refused(capsys, tmp_path, study_file):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "bench", str(study_file), "--out", str(blocker / "sub"))
    assert code == 2 and "not writable" in one_line_error(err)


def test_report_without_a_journal_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "report", str(tmp_path))
    assert code == 2 and "no study journal" in one_line_error(err)


def test_bench_finds_the_shipped_quick_study_by_name_and_checks_it_first(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "bench", "quick", "--out", str(blocker / "quick"))
    # the study was found and checked (all four optimizers exist): only the directory is wrong
    assert code == 2 and "not writable" in one_line_error(err)


def test_a_huge_budget_is_refused_at_once_instead_of_hanging(capsys, tmp_path):
    start = time.perf_counter()
    argv = ["bench", "quick", "--out", str(tmp_path / "q"), "--n-trials", "1000000000000"]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "n_trials must be at most" in one_line_error(err)
    code, _, err = run(capsys, *argv[:4], "--seeds", "1000000000000")
    assert code == 2 and "seeds must be at most" in one_line_error(err)
    assert time.perf_counter() - start < 10


# The hang is in the grid's construction (sizing the grid for a 1-D budget of 20,000 builds
# every candidate axis: minutes); nothing in the CLI or the runner loops over the budget.
# The grid is now sized arithmetically (hpo/optimizers/grid.py).
@pytest.mark.slow
def test_a_large_grid_run_starts_at_once(tmp_path):
    argv = ["run", "--optimizer", "grid", "--problem", "ackley:dim=1", "--n-trials", "20000"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpo.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = proc.communicate(timeout=18)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("hpo run --optimizer grid --n-trials 20000 did not finish in 18 s")
    assert proc.returncode == 0, err
    assert "best value" in out


def _cmdline(psutil, process):
    try:
        return process.cmdline()
    except psutil.Error:  # it exited meanwhile
        return []


SLOW_STUDY = """
n_trials = 300
seeds = 4
problems = ["hartmann6"]

[[optimizers]]
name = "bayes"
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_study_leaves_no_worker_behind(tmp_path, signum):
    psutil = pytest.importorskip("psutil")
    study = tmp_path / "slow.toml"
    study.write_text(SLOW_STUDY)
    out_dir = tmp_path / "results"
    argv = ["bench", str(study), "--out", str(out_dir), "--jobs", "2"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpo.cli", *argv], stderr=subprocess.PIPE, text=True
    )
    children = []
    try:
        study_process, deadline = psutil.Process(proc.pid), time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            children = study_process.children(recursive=True)
            workers = [c for c in children if "--multiprocessing-fork" in _cmdline(psutil, c)]
            if len(workers) == 2:
                break
            time.sleep(0.05)
        assert len(workers) == 2, "the study's two workers never started"
        time.sleep(0.5)  # let them start their runs
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=10)
        # the workers, and the resource tracker they keep alive, exit within seconds
        _, alive = psutil.wait_procs(children, timeout=5)
        assert alive == [], f"still alive after the study was killed: {alive}"
    finally:  # whatever happened, leave nothing running
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        proc.kill()
        proc.wait()
    if signum == signal.SIGTERM:  # a clean message and an intact journal to resume from
        assert proc.returncode == 128 + signal.SIGTERM
        assert err.strip().endswith("hpo: terminated; rerun the same command to resume")
        assert "Traceback" not in err
        load_journal(out_dir / "journal.jsonl")


def test_the_console_script_fails_without_a_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "hpo.cli", "run", "--optimizer", "nope", "--problem", "branin"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("hpo: error: ") and "Traceback" not in proc.stderr


MF_STUDY = """
budget = 2
workers = [1, 2]
seeds = 2
problems = ["augmented_branin"]

[[optimizers]]
name = "random"

[[optimizers]]
name = "hyperband"
"""


def test_run_with_a_cost_budget_and_virtual_workers(capsys, tmp_path):
    path = tmp_path / "run.json"
    argv = ["run", "--optimizer", "hyperband", "--problem", "augmented_hartmann"]
    code, out, err = run(capsys, *argv, "--budget", "3", "--workers", "4", "--json", str(path))
    assert code == 0, err
    data = json.loads(path.read_text())
    assert data["workers"] == 4 and data["max_cost"] == 3.0
    assert sum(t["cost"] for t in data["trials"]) == pytest.approx(data["meta"]["total_cost"])
    assert f"final loss at full fidelity: {data['meta']['final_loss']:.10g}" in out
    assert "with 4 workers" in out and "known optimum: -3.322368011" in out
    code, out, err = run(
        capsys, "run", "--optimizer", "random", "--problem", "augmented_branin", "--budget", "2"
    )
    assert code == 0 and "2 trials, total cost 2 full-training equivalents" in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--optimizer", "hyperband", "--problem", "branin", "--budget", "2"], "fidelity"),
        (["--optimizer", "random", "--problem", "branin", "--budget", "-1"], "positive number"),
        (["--optimizer", "random", "--problem", "branin", "--workers", "0"], "positive integer"),
    ],
)
def test_bad_multi_fidelity_run_arguments_get_one_line(capsys, argv, match):
    code, _, err = run(capsys, "run", *argv)
    assert code == 2 and match in one_line_error(err)


def test_bench_runs_a_multi_fidelity_study_and_reports_it(capsys, tmp_path):
    study = tmp_path / "mf.toml"
    study.write_text(MF_STUDY)
    out_dir = tmp_path / "results"
    argv = ["bench", str(study), "--out", str(out_dir), "--jobs", "1"]
    code, out, err = run(capsys, *argv, "--budget", "1")
    assert code == 0, err
    records = load_journal(out_dir / "journal.jsonl")
    assert len(records) == 2 * 2 * 2 and {r.max_cost for r in records} == {1.0}
    assert {r.optimizer for r in records} == {"random", "hyperband", "random@2w", "hyperband@2w"}
    assert "Final loss at full fidelity" in out
    assert (out_dir / "mf_final.md").exists() and (out_dir / "mf_regret_time.png").exists()
