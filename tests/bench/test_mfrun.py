"""Cost-budgeted, simulated-workers runs of multi-fidelity studies (hpo.bench.mfrun)."""

import pytest

from hpo.bench.journal import normalize
from hpo.bench.mfrun import execute_mf_run
from hpo.bench.records import RunRecord
from hpo.bench.runner import run_study
from hpo.bench.study import RunSpec, Study, StudyError, check_study, load_study


def spec(optimizer, problem="augmented_branin", budget=3.0, workers=None, seed=0):
    return RunSpec(optimizer, optimizer, {}, problem, seed, 10_000, budget, workers)


@pytest.mark.parametrize("optimizer", ["random", "hyperband", "asha"])
def test_a_run_stops_once_its_cost_budget_is_spent(optimizer):
    record = execute_mf_run(spec(optimizer))
    costs = [t["cost"] for t in record.trials]
    fid = record.fidelity
    assert record.max_cost == 3.0 * fid["high"]
    # no trial starts after the budget is spent: without the last, the total is below it
    assert sum(costs) >= record.max_cost > sum(costs) - costs[-1]
    assert record.meta["total_cost"] == pytest.approx(sum(costs))
    for t in record.trials:  # the cost of a synthetic problem is the trial's budget
        assert t["cost"] == pytest.approx(t["params"][fid["name"]])
    budgets = {t["params"][fid["name"]] for t in record.trials}
    assert (budgets == {fid["high"]}) == (optimizer == "random")
    assert record.meta["final_loss"] >= record.optimum


def test_single_fidelity_optimizers_get_the_fidelity_and_ask_the_full_budget():
    record = execute_mf_run(spec("bayes", budget=4))
    assert len(record.trials) == 4
    assert all(t["params"]["fidelity"] == 1.0 for t in record.trials)
    assert record.meta["final_loss"] == min(t["value"] for t in record.trials)


def test_virtual_workers_overlap_evaluations_deterministically():
    one = execute_mf_run(spec("asha", budget=4, workers=1))
    four = execute_mf_run(spec("asha", budget=4, workers=4))
    again = execute_mf_run(spec("asha", budget=4, workers=4))
    assert [t["end"] for t in four.trials] == [t["end"] for t in again.trials]
    assert [t["value"] for t in four.trials] == [t["value"] for t in again.trials]
    assert four.workers == 4 and one.workers == 1
    # one worker runs back to back; four finish in well under the total cost
    assert one.meta["simulated_time"] == pytest.approx(one.meta["total_cost"])
    assert four.meta["simulated_time"] < 0.5 * four.meta["total_cost"]


def test_learning_curve_trials_are_charged_the_epochs_they_trained():
    record = execute_mf_run(spec("hyperband", "lc_mlp_adam_iris_logloss:max_epochs=9", 2))
    trained = [t["info"]["problem"]["epochs_trained"] for t in record.trials]
    assert [t["cost"] for t in record.trials] == trained
    resumed = [t for t in record.trials if t["info"]["problem"]["resumed_from"] > 0]
    assert resumed  # a promotion continues from its checkpoint and pays only the difference
    assert all(t["cost"] < t["params"]["epochs"] for t in resumed)
    assert "test_loss" in record.meta


def test_a_record_round_trips_through_the_journal_format():
    record = execute_mf_run(spec("hyperband", workers=2))
    again = RunRecord.from_dict(normalize(record.to_dict()))
    assert again.to_dict() == normalize(record.to_dict())
    assert again.fidelity == record.fidelity and again.workers == 2


def test_study_files_take_a_budget_and_workers(tmp_path):
    path = tmp_path / "mf.toml"
    path.write_text(
        "budget = 2\nworkers = [1, 3]\nseeds = 1\n"
        'problems = ["augmented_branin", { problem = "branin", budget = 4 }]\n'
        '[[optimizers]]\nname = "random"\n[[optimizers]]\nname = "hyperband"\n'
    )
    with pytest.raises(StudyError, match=r"hyperband.*branin"):  # branin has no fidelity
        check_study(load_study(path))
    path.write_text(path.read_text().replace('"branin", budget = 4', '"augmented_hartmann"'))
    study = check_study(load_study(path))
    labels = [o.label for o in study.optimizers]
    assert labels == ["random", "hyperband", "random@3w", "hyperband@3w"]
    runs = study.runs()
    assert {(r.budget, r.workers) for r in runs} == {(2.0, 1), (2.0, 3)}
    records = run_study(study, n_jobs=1)
    assert len(records) == 8 and {r.workers for r in records} == {1, 3}
    assert all(r.max_cost == 2.0 for r in records)  # both fidelities end at 1.0


def test_an_optimizer_may_give_its_own_worker_counts():
    opts = ["random", {"name": "asha", "workers": [1, 8]}, {"name": "hyperband", "workers": 4}]
    study = Study.build(opts, ["augmented_branin"], seeds=1, budget=2)
    labels = [(o.label, o.workers) for o in study.optimizers]
    assert labels == [("random", 1), ("asha", 1), ("asha@8w", 8), ("hyperband@4w", 4)]
    # the study's list is the default; an entry's own list replaces it
    study = Study.build(opts[:2], ["augmented_branin"], seeds=1, budget=2, workers=[1, 2])
    labels = [o.label for o in study.optimizers]
    assert labels == ["random", "asha", "random@2w", "asha@8w"]
    assert "worker_counts" not in study.to_dict()["optimizers"][0]
    with pytest.raises(StudyError, match=r"optimizers\[1\]\.workers"):
        Study.build(["random", {"name": "asha", "workers": [0]}], ["augmented_branin"], 1, budget=2)


def test_earlier_studies_keep_their_definition():
    study = Study.build(["random"], ["branin"], seeds=2, n_trials=5)
    d = study.to_dict()
    assert set(d["problems"][0]) == {"problem", "n_trials", "seeds"}
    assert set(d["optimizers"][0]) == {"label", "name", "options", "max_seeds"}
    assert study.runs()[0].budget is None and study.runs()[0].workers is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "n_trials is required"),
        ({"budget": 0}, "budget must be a positive number"),
        ({"budget": 2, "workers": [2, 2]}, "distinct worker counts"),
        ({"budget": 2, "workers": [0]}, "workers must be a positive integer"),
    ],
)
def test_bad_budgets_and_workers_are_refused(kwargs, match):
    with pytest.raises(StudyError, match=match):
        Study.build(["random"], ["augmented_branin"], seeds=1, **kwargs)


@pytest.mark.parametrize("name", ["multifidelity", "multifidelity_small"])
def test_the_shipped_multi_fidelity_studies_load(name):
    from hpo.bench.study import find_study

    study = load_study(find_study(name))
    assert study.budget == 30.0 and len(study.seeds) >= 10
    assert {"asha@8w", "gp-hyperband@8w"} <= {o.label for o in study.optimizers}
    names = {o.name for o in study.optimizers}
    assert {"random", "bayes", "hyperband", "asha", "gp-hyperband"} <= names
