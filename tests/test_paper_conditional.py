"""paper/paper_conditional.py: the section's tables and sentences follow the journal."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from hpo.bench.journal import Journal
from hpo.bench.records import RunRecord

PAPER = Path(__file__).resolve().parents[1] / "paper"


def _module():
    if str(PAPER) not in sys.path:
        sys.path.insert(0, str(PAPER))
    spec = importlib.util.spec_from_file_location(
        "paper_conditional", PAPER / "paper_conditional.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pc = _module()
OPTIMIZERS = ["random", "bayes", "optuna-tpe"]


def study(problems, seeds):
    return {
        "optimizers": [
            {"label": o, "name": o, "options": {}, "max_seeds": None} for o in OPTIMIZERS
        ],
        "problems": [{"problem": p, "n_trials": 4, "seeds": list(range(seeds))} for p in problems],
    }


def record(optimizer, problem, seed, values, optimum):
    trials = [
        {"number": i, "params": {"x1": 0}, "value": v, "status": "complete", "error": None}
        | {"ask_time": 0.0, "tell_time": 0.0, "eval_time": 0.0, "info": {}}
        for i, v in enumerate(values)
    ]
    return RunRecord(optimizer, problem, seed, len(values), optimum, trials, 0.0)


@pytest.fixture
def journal(tmp_path):
    path = tmp_path / "journal.jsonl"
    problems = ["jenatton", "cond_mlp_solver_breast_cancer_logloss", "jenatton:flat=True"]
    with Journal(path, study(problems, 3)) as j:
        for s in range(3):
            # jenatton: bayes solves at evaluation 2, random never, the TPE at 4 on seed 0
            j.append(record("random", "jenatton", s, [0.5, 0.4, 0.3, 0.3], 0.1))
            j.append(record("bayes", "jenatton", s, [0.5, 0.1, 0.1, 0.1], 0.1))
            tpe = [0.5, 0.3, 0.2, 0.1 if s == 0 else 0.2]
            j.append(record("optuna-tpe", "jenatton", s, tpe, 0.1))
            j.append(record("bayes", "jenatton:flat=True", s, [0.5, 0.4, 0.3, 0.1], 0.1))
            j.append(record("random", "jenatton:flat=True", s, [0.5, 0.4, 0.3, 0.3], 0.1))
            j.append(record("optuna-tpe", "jenatton:flat=True", s, [0.5, 0.4, 0.3, 0.3], 0.1))
        # the real task was cut by the deadline: bayes and random have seed 1, the TPE not
        for s in range(2):
            j.append(record("random", "cond_mlp_solver_breast_cancer_logloss", s, [0.2] * 4, None))
            j.append(record("bayes", "cond_mlp_solver_breast_cancer_logloss", s, [0.3] * 4, None))
        j.append(record("optuna-tpe", "cond_mlp_solver_breast_cancer_logloss", 0, [0.1] * 4, None))
    return path


def test_tables_and_sentences_follow_the_journal(journal, monkeypatch):
    monkeypatch.setattr(pc, "check_leaf_claims", lambda res, path: None)  # tested below
    res = pc.load_conditional(journal)
    built = pc.cond_tables(res)
    targets = {r["problem"]: r for r in built["cond_targets"].data}
    assert targets["jenatton"]["bayes median"] == pytest.approx(0.1)
    assert targets["jenatton"]["wins vs random"] == 3
    assert (
        targets["jenatton"]["ties vs optuna-tpe"],
        targets["jenatton"]["wins vs optuna-tpe"],
    ) == (1, 2)
    # the real task compares on seed 0 only, the one every optimizer finished
    real = targets["cond_mlp_solver_breast_cancer_logloss"]
    assert (
        real["seeds"] == 1 and real["losses vs random"] == 1 and real["losses vs optuna-tpe"] == 1
    )
    v = pc.cond_values(res, built)
    assert v["cond_vs_random"].startswith("lower than that of `random` on 1 of 2 problems")
    assert v["cond_vs_tpe"].startswith("at or below `optuna-tpe` on 1 of 2 problems")
    assert "optuna-tpe 1 of 3 seeds" in v["cond_coverage"]
    assert (
        "solves 3 of 3 seeds" in v["cond_ablation"]
        and "3 of 3 on the flattened" in v["cond_ablation"]
    )
    ablation = {(r["optimizer"], r["space"]): r for r in built["cond_ablation"].data}
    assert ablation[("bayes", "conditional")]["median evaluations to solve"] == 2
    assert ablation[("bayes", "flattened")]["median evaluations to solve"] == 4
    assert np.isinf(ablation[("optuna-tpe", "flattened")]["median evaluations to solve"])


def test_an_absent_journal_gives_none(tmp_path):
    assert pc.load_conditional(tmp_path / "missing.jsonl.gz") is None


def write_runs(path, rows, problem="cond_mlp_solver_breast_cancer_logloss"):
    import json

    path.write_text(
        "".join(
            json.dumps(
                {"problem": problem, "arm": a, "seed": s}
                | {"final": f, "incumbent_branch": "lbfgs", "trials_per_branch": {"lbfgs": s % 7}}
            )
            + "\n"
            for a, s, f in rows
        )
    )
    return path


def test_the_reading_of_the_solver_task_is_checked_on_the_data(journal, tmp_path):
    from paper_text import ClaimFailed

    res = pc.load_conditional(journal)
    # the journal's bayes runs of the solver task: 0.3 on seeds 0 and 1 (random 0.2)
    rows = [("random", s, 0.2) for s in (0, 1, 100, 101)]
    rows += [("indicator", s, 0.4) for s in (0, 1, 100, 101)]
    rows += [("leaf-no-random", s, 0.3) for s in (0, 1, 100, 101)]
    rows += [("leaf", 0, 0.3), ("leaf", 1, 0.3), ("leaf", 100, 0.25), ("leaf", 101, 0.25)]
    # no lbfgs trial in the fixture: the tol claim is the one left to fail
    with pytest.raises(ClaimFailed, match="stop early"):
        pc.check_leaf_claims(res, write_runs(tmp_path / "good.jsonl", rows))
    bad = {
        "were not better on the tuning": [
            ("leaf-no-random", 100, 0.5),
            ("leaf-no-random", 101, 0.5),
        ],
        "did beat random": [("leaf-no-random", 0, 0.1), ("leaf-no-random", 1, 0.1)],
        "did not lose": [("indicator", 0, 0.1), ("indicator", 1, 0.1)],
        "are not the study's bayes runs": [("leaf", 1, 0.2)],
        "better than both on the tuning seeds": [("leaf", 100, 0.1), ("leaf", 101, 0.1)],
    }
    for message, changed in bad.items():
        keys = {(a, s) for a, s, _ in changed}
        edited = changed + [r for r in rows if (r[0], r[1]) not in keys]
        with pytest.raises(ClaimFailed, match=message):
            pc.check_leaf_claims(res, write_runs(tmp_path / "bad.jsonl", edited))


def test_the_leaf_sentence_reads_tuning_and_study_seeds(tmp_path):
    rows = [("random", s, 0.2) for s in (0, 1, 100, 101, 102)]
    rows += [("indicator", s, 0.4) for s in (0, 1, 100, 101, 102)]
    rows += [("leaf", 0, 0.3), ("leaf", 1, 0.5), ("leaf", 100, 0.1), ("leaf", 101, 0.1)]
    text = pc.leaf_sentence(write_runs(tmp_path / "leaf.jsonl", rows))
    # seed 102 has no leaf run: the tuning group is 100-101
    assert "2 tuning seeds (100-101)" in text and "is 0.1 with `leaf`" in text
    assert "lower on 2 and 2 of 2 seeds" in text
    assert "2 study seeds (0-1)" in text and "is 0.4 with `leaf`, against 0.4" in text
    assert "lower on 1 and 0 of 2 seeds" in text
    assert pc.leaf_sentence(tmp_path / "absent.jsonl") == "not measured"


def test_the_search_sentence_reads_tuning_and_study_seeds(tmp_path):
    import json

    path = tmp_path / "branch.jsonl"
    rows = [("indicator", s, 0.07) for s in (0, 1, 100, 101, 102)]
    rows += [("branch", 0, 0.06), ("branch", 1, 0.08), ("branch", 100, 0.05)]
    rows += [("branch", 101, 0.05), ("branch", 102, 0.09), ("branch", 102, 0.01)]  # dup: first
    path.write_text(
        "".join(
            json.dumps(
                {"problem": "cond_mlp_solver_breast_cancer_logloss", "arm": a, "seed": s}
                | {"final": f, "incumbent_branch": "lbfgs", "trials_per_branch": {"lbfgs": s % 7}}
            )
            + "\n"
            for a, s, f in rows
        )
    )
    text = pc.search_sentence(path)
    assert "3 tuning seeds (100-102)" in text and "lower on 2 of 3 seeds" in text
    assert "2 study seeds (0-1)" in text and "lower on 1 of 2 seeds" in text
    assert "is 0.05 with it against 0.07 without" in text
    # tuning seeds 100-102 spend 2, 3, 4 trials in lbfgs in both arms
    assert "a median of 3 trials in `lbfgs`" in text
    assert pc.search_sentence(tmp_path / "absent.jsonl") == "not measured"


def test_the_tuning_verdict_names_what_leaf_beats(tmp_path):
    base = [("indicator", s, 0.3) for s in (100, 101)] + [("random", s, 0.5) for s in (100, 101)]
    for leaf, verdict in (
        (0.4, "ends below random search but not below the whole-tree GP alone"),
        (0.1, "ends below random search and the whole-tree GP alone"),
        (0.6, "does not end below random search or the whole-tree GP alone"),
    ):
        rows = [*base, ("leaf", 100, leaf), ("leaf", 101, leaf)]
        assert pc.tuning_verdict(write_runs(tmp_path / "t.jsonl", rows)) == verdict
    assert pc.tuning_verdict(tmp_path / "absent.jsonl") == "was not run"
