"""Tables of multi-fidelity studies (hpo.bench.mftables)."""

import pytest

from hpo.bench.mftables import (
    mf_cost_table,
    mf_final_table,
    mf_targets_table,
    mf_verdicts_table,
)


def test_final_table_takes_medians_over_seeds_and_bolds_the_lowest(mf):
    recs = [mf.record("random", s, final=f) for s, f in enumerate([3.0, 1.0, 2.0])]
    recs += [mf.record("asha", s, final=0.5 + s) for s in range(3)]
    table = mf_final_table(recs, order=["random", "asha"])
    assert table.header == ["optimizer", "task"]
    assert [row[0] for row in table.rows] == ["random", "asha"]
    assert table.rows[0][1].startswith("2 [") and table.rows[1][1].startswith("1.5 [")
    assert table.bold == {(1, 1)}


def test_targets_compare_to_random_and_to_one_worker(mf):
    fast = [mf.trial(0, 9, 0.9, 0, 9), mf.trial(1, 9, 0.4, 0, 9)]  # two workers at once
    recs = [
        mf.record("random", final=0.5),
        mf.record("gp-hyperband", final=0.5),
        mf.record("asha", final=0.5),
        mf.record("asha@2w", workers=2, trials=fast, final=0.4),
    ]
    table = mf_targets_table(recs, budget=3.0)
    row = table.data[0]
    assert table.rows[0][1] == "0.5" and row["random median"] == 0.5
    assert row["gp-hyperband cost to random / budget"] == pytest.approx(28 / 9 / 3)
    # 2 workers reach the 1-worker result (0.5) at t = 1 (9 epochs), the 1-worker run ends at 28
    assert row["asha time@2w to 1w result"] == pytest.approx(9 / 28)


def test_verdicts_and_the_paired_comparison_with_the_peer(mf):
    recs = [mf.record("random", s, final=1.0) for s in range(6)]
    recs += [mf.record("hyperband", s, final=0.9) for s in range(6)]  # lower than random
    recs += [mf.record("asha", s, final=1.1) for s in range(6)]  # higher
    recs += [mf.record("gp-hyperband", s, final=0.1 * s) for s in range(6)]
    recs += [mf.record("optuna-hyperband", s, final=0.1 * s + 0.05) for s in range(5)]
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


def test_the_cost_table_sums_measured_wall_times(mf):
    recs = [mf.record("random", s) for s in range(3)]
    recs[2].wall_time = 4.0
    table = mf_cost_table(recs)
    assert table.data[0]["median_s"] == 1.0 and table.data[0]["total_s"] == 6.0


def test_a_parallel_form_is_timed_against_the_optimizer_it_stands_for(mf):
    fast = [mf.trial(0, 9, 0.9, 0, 9), mf.trial(1, 9, 0.4, 0, 9)]  # two workers at once
    slow = [mf.trial(0, 9, 0.9, 0, 9), mf.trial(1, 9, 0.6, 9, 18)]  # never reaches 0.5
    recs = [
        mf.record("random", final=0.5),
        mf.record("gp-hyperband", final=0.5),
        mf.record("gp-hyperband@2w", workers=2, trials=slow, final=0.6),
        mf.record("async-gp-hyperband@2w", workers=2, trials=fast, final=0.4),
    ]
    table = mf_targets_table(recs, budget=3.0)
    row = table.data[0]
    assert row["gp-hyperband time@2w to 1w result"] == float("inf")
    assert row["async-gp-hyperband time@2w to gp-hyperband 1w result"] == pytest.approx(9 / 28)
    verdicts = mf_verdicts_table(table)
    texts = [d["target"] for d in verdicts.data]
    assert "gp-hyperband time@2w reaches 1w result in <= 0.2 of 1w time" in texts
    mine = "async-gp-hyperband time@2w reaches gp-hyperband's 1w result in <= 0.2 of 1w time"
    assert mine in texts
    assert verdicts.data[texts.index(mine)]["met"] == 0  # 9 / 28 > 0.2
