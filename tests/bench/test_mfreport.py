"""Metrics, tables and figures of multi-fidelity studies (hpo.bench.mfreport)."""

import math

import numpy as np
import pytest

from hpo.bench.mfreport import (
    base_label,
    best_at,
    cost_to_reach,
    full_fidelity_trace,
    is_multi_fidelity,
    mf_cost_table,
    mf_final_table,
    mf_targets_table,
    mf_verdicts_table,
    write_mf_report,
)
from hpo.bench.records import RunRecord
from hpo.bench.report import summary_table, write_report

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


def test_the_incumbent_counts_only_full_fidelity_results():
    cost, time, best = full_fidelity_trace(record())
    np.testing.assert_allclose(cost, np.array([1, 10, 19, 28]) / 9)
    np.testing.assert_allclose(time, cost)
    assert list(best) == [math.inf, 0.8, 0.8, 0.5]
    assert list(best_at(record(), [0.0, 1.5, 3.2])) == [math.inf, 0.8, 0.5]
    assert cost_to_reach(record(), 0.6) == pytest.approx(28 / 9)
    assert cost_to_reach(record(), 0.1) == math.inf


def test_labels_and_detection():
    assert base_label("asha@8w") == "asha" and base_label("asha") == "asha"
    assert is_multi_fidelity([record()])
    plain = record()
    plain.max_cost = plain.workers = None
    assert not is_multi_fidelity([plain])


def test_final_table_takes_medians_over_seeds_and_bolds_the_lowest():
    recs = [record("random", s, final=f) for s, f in enumerate([3.0, 1.0, 2.0])]
    recs += [record("asha", s, final=0.5 + s) for s in range(3)]
    table = mf_final_table(recs, order=["random", "asha"])
    assert table.header == ["optimizer", "task"]
    assert [row[0] for row in table.rows] == ["random", "asha"]
    assert table.rows[0][1].startswith("2 [") and table.rows[1][1].startswith("1.5 [")
    assert table.bold == {(1, 1)}


def test_targets_compare_to_random_and_to_one_worker():
    fast = [trial(0, 9, 0.9, 0, 9), trial(1, 9, 0.4, 0, 9)]  # two workers at once
    recs = [
        record("random", final=0.5),
        record("gp-hyperband", final=0.5),
        record("asha", final=0.5),
        record("asha@2w", workers=2, trials=fast, final=0.4),
    ]
    table = mf_targets_table(recs, budget=3.0)
    row = table.data[0]
    assert table.rows[0][1] == "0.5" and row["random median"] == 0.5
    assert row["gp-hyperband cost to random / budget"] == pytest.approx(28 / 9 / 3)
    # 2 workers reach the 1-worker result (0.5) at t = 1 (9 epochs), the 1-worker run ends at 28
    assert row["asha time@2w to 1w result"] == pytest.approx(9 / 28)


def test_the_report_of_a_multi_fidelity_study_writes_its_tables_and_figures(tmp_path):
    recs = [record("random", s, final=1.0) for s in range(2)]
    recs += [record("asha@2w", s, workers=2, optimum=0.0) for s in range(2)]
    recs += [record("asha", s, optimum=0.0) for s in range(2)]
    paths = write_report(recs, tmp_path, formats=("png",))
    names = {p.name for p in paths}
    assert {"mf_final.md", "mf_targets.csv", "mf_regret_cost.png", "report.md"} <= names
    assert "mf_regret_time.png" in names  # two worker counts
    assert "Final loss at full fidelity" in summary_table(recs)
    one = write_mf_report(recs[:2], tmp_path / "one", formats=())
    assert {p.name for p in one} >= {"mf_final.md", "report.md"}


def test_verdicts_and_the_paired_comparison_with_the_peer():
    recs = [record("random", s, final=1.0) for s in range(6)]
    recs += [record("hyperband", s, final=0.9) for s in range(6)]  # lower than random
    recs += [record("asha", s, final=1.1) for s in range(6)]  # higher
    recs += [record("gp-hyperband", s, final=0.1 * s) for s in range(6)]
    recs += [record("optuna-hyperband", s, final=0.1 * s + 0.05) for s in range(5)]
    table = mf_targets_table(recs, budget=3.0)
    row = table.data[0]
    assert row["optuna-hyperband median"] == pytest.approx(0.25)
    assert row["gp-hyperband wins vs optuna-hyperband"] == 5 and row["pairs"] == 5
    assert row["Wilcoxon p vs optuna-hyperband"] == pytest.approx(2 / 32)  # 5 of 5, exact
    verdicts = mf_verdicts_table(table)
    assert verdicts.rows[0][1].startswith("yes") and verdicts.rows[1][1].startswith("no")
    # random's median 1.0 is first reached at a cost of 10/9, 0.37 of 3 > 1/3: not met;
    # gp-hyperband's median 0.25 <= the peer's 0.25: met
    assert [d["met"] for d in verdicts.data] == [1, 0, 0, 1]
    assert [d["measured"] for d in verdicts.data] == [1, 1, 1, 1]


def test_the_cost_table_sums_measured_wall_times():
    recs = [record("random", s) for s in range(3)]
    recs[2].wall_time = 4.0
    table = mf_cost_table(recs)
    assert table.data[0]["median_s"] == 1.0 and table.data[0]["total_s"] == 6.0
