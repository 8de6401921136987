import csv
import io

import numpy as np
import pytest

from hpo.bench.records import RunRecord
from hpo.bench.summaries import study_traces
from hpo.bench.tables import (
    Table,
    friedman_table,
    latex_escape,
    loss_table,
    pairwise_summary_table,
    pairwise_table,
    ranks_table,
    regret_table,
    score_table,
    summary,
    timing_table,
    to_csv,
    to_latex,
    to_markdown,
)


def rec(opt, problem, seed, values, optimum):
    trials = [
        dict(number=i, params={}, value=v, status="complete" if v is not None else "failed",
             error=None, ask_time=1e-3, tell_time=1e-3, eval_time=1e-2, info={})
        for i, v in enumerate(values)
    ]  # fmt: skip
    return RunRecord(opt, problem, seed, len(values), optimum, trials, 1.0)


@pytest.fixture(scope="module")
def study():
    """Two optimizers on a problem with f* = 1 and a real task; "slow" misses the real task
    on seed 2 and fails its first trial everywhere."""
    records = []
    for s in range(3):
        for opt, rate in (("fast", 10.0), ("slow", 2.0)):
            values = [1.0 + rate ** -(t + s) for t in range(8)]
            if opt == "slow":
                values[0] = None
            records.append(rec(opt, "sphere_2d", s, values, 1.0))
            if not (opt == "slow" and s == 2):
                records.append(rec(opt, "mlp", s, [0.5 / (t + 1 + s) for t in range(8)], None))
    return study_traces(records)


def markdown_rows(text):
    return [line for line in text.splitlines() if line.startswith("|")][2:]


def test_regret_table_rows_cells_and_csv_round_trip(study):
    table = regret_table(study)
    assert table.header == ["problem", "evaluations", "seeds", "fast", "slow"]
    rows = markdown_rows(to_markdown(table))
    assert len(rows) == 3  # 25 %, 50 %, 100 % of 8 trials: 2, 4, 8
    assert [r.split(" | ")[1] for r in rows] == ["2", "4", "8"]
    # final regret of "fast": 10^-(7 + s) for s = 0, 1, 2 -> median -8, quartiles -8.5, -7.5
    assert "**-8.00 [-8.50, -7.50]**" in rows[-1]
    assert "floor" not in to_markdown(table) and "1e-12" in to_markdown(table)

    parsed = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert len(parsed) == len(table.data) == 6
    for got, want in zip(parsed, table.data):
        assert list(got) == list(want)
        assert got["problem"] == want["problem"] and int(got["evaluations"]) == want["evaluations"]
        for key in ("median", "q25", "q75"):
            assert float(got[key]) == want[key]  # full precision


def test_inf_regret_before_the_first_success(study):
    table = regret_table(study, budgets=[1])
    (row,) = table.rows
    assert row[-1] == "inf [inf, inf]"  # "slow" failed its first trial on every seed
    assert (0, 3) in table.bold and (0, 4) not in table.bold


def test_loss_and_score_tables_cover_real_tasks_only(study):
    table = loss_table(study)
    assert {r["problem"] for r in table.data} == {"mlp"}
    assert {r["n_seeds"] for r in table.data if r["optimizer"] == "slow"} == {2}
    assert markdown_rows(to_markdown(table))[0].split(" | ")[2] == "2/3"  # seeds per optimizer
    assert score_table(study, None) is None
    refs = {"mlp": {"best_known": 0.0, "random_median": np.full(8, 0.5)}, "other": {}}
    score = score_table(study, refs, budgets=[1])
    # S_1 / R_1 = 0.5 / (1 + s) / 0.5 -> median over seeds 0, 1, 2 of "fast" = 1/2
    fast = next(r for r in score.data if r["optimizer"] == "fast")
    assert fast["median"] == pytest.approx(0.5)


def test_summary_has_every_problem_and_a_mean_rank_row(study):
    table = summary(study)
    rows = markdown_rows(to_markdown(table))
    assert [r.split(" | ")[0].strip("| ") for r in rows] == ["sphere_2d", "mlp", "mean rank"]
    assert rows[0].split(" | ")[1] == "log10 regret" and rows[1].split(" | ")[1] == "best loss"
    # on the seeds both ran, the real task is a tie (seed 2 of "slow" is missing): both bold
    assert rows[1].endswith("| **0.05556 [0.05278, 0.05903]** | **0.05903 [0.05729, 0.06076]** |")
    assert rows[2].endswith("| **1.25** | 1.75 |")
    one = summary(study_traces([rec("a", "p", 0, [3.0, 2.0], None)]))
    assert len(one.rows) == 1 and one.rows[0][-1] == "2 [2, 2]"


def test_rank_friedman_and_pairwise_tables(study):
    ranks = ranks_table(study)
    assert [r[0] for r in ranks.rows] == ["fast", "slow"]
    assert ranks.data[0]["n_problems"] == 2
    friedman = friedman_table(study)
    assert [r[0] for r in friedman.rows] == ["25%", "50%", "100%"]
    assert friedman.rows[-1][3] == "n/a"  # the Friedman test needs 3 optimizers
    assert friedman.data[-1]["cd"] == pytest.approx(1.960 * np.sqrt(2 * 3 / 12))
    pairwise = pairwise_table(study)
    assert [r[:5] for r in pairwise.rows] == [
        ["sphere_2d", "fast", "slow", "3", "3/0/0"],
        ["mlp", "fast", "slow", "2", "0/2/0"],
    ]
    # 3 seeds cannot reach p < 0.05: exact p = 2/8
    assert pairwise.data[0]["p"] == pytest.approx(0.25) and pairwise.rows[0][-1] == "-"
    overall = pairwise_summary_table(study)
    assert overall.rows == [["fast", "slow", "2", "0/2/0", "3/2/0"]]


def test_tables_absent_when_the_study_cannot_support_them(study):
    only_real = study_traces([rec("a", "p", 0, [1.0], None), rec("b", "p", 0, [2.0], None)])
    assert regret_table(only_real) is None
    only_synthetic = study_traces([rec("a", "p", 0, [1.0], 0.0)])
    assert loss_table(only_synthetic) is None
    for build in (ranks_table, friedman_table, pairwise_table, pairwise_summary_table):
        assert build(only_synthetic) is None
    assert timing_table(only_synthetic).rows[0][:3] == ["all problems", "a", "1"]


def test_timing_table(study):
    table = timing_table(study)
    assert table.rows[0][:4] == ["all problems", "fast", "48", "2 [2, 2]"]
    assert table.rows[0][-1] == f"{2 / 12:.1%}"  # 2 ms of optimizer per 12 ms


def test_markdown_and_latex_escape_special_characters():
    table = Table("t", "A & B", ["a|b", "x_1"], [["50%", "#1 ~ ^ \\"]], [{"k": 1.5}], ["n_1"])
    md = to_markdown(table)
    assert "| a\\|b | x_1 |" in md and md.rstrip().endswith("- n_1")
    tex = to_latex(table)
    assert "a|b & x\\_1 \\\\" in tex
    assert "50\\% & \\#1 \\textasciitilde{} \\textasciicircum{} \\textbackslash{} \\\\" in tex
    assert "\\caption{A \\& B. n\\_1}" in tex and "\\label{tab:t}" in tex
    assert tex.count("\\begin{tabular}{ll}") == 1
    assert latex_escape("{x}$") == "\\{x\\}\\$"
    assert to_csv(table) == "k\n1.5\n"
    assert to_csv(Table("e", "", [], [], [])) == ""
