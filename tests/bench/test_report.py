import csv

import numpy as np
import pytest

from hpo.bench.records import RunRecord
from hpo.bench.report import summary_table, write_report


def rec(opt, problem, seed, values, optimum):
    trials = [
        dict(number=i, params={"x": i}, value=v, status="complete" if v is not None else "failed",
             error=None if v is not None else "ValueError: boom", ask_time=1e-3, tell_time=5e-4,
             eval_time=None if v is None else 2e-3, info={})
        for i, v in enumerate(values)
    ]  # fmt: skip
    return RunRecord(opt, problem, seed, len(values), optimum, trials, 0.1)


def study(optimizers=("random", "bayes", "ga"), seeds=(0, 1, 2)):
    """Synthetic problem with f* = -1 and a real task; every run fails its third trial."""
    records = []
    for k, opt in enumerate(optimizers):
        for s in seeds:
            regret = [2.0 ** (-(k + 1) * t - s) for t in range(10)]
            values = [-1.0 + r for r in regret]
            values[2] = None
            records.append(rec(opt, "camel", s, values, -1.0))
            records.append(rec(opt, "mlp:data=wine", s, [1 / (t + k + 2) for t in range(10)], None))
    return records


REFS = {"mlp:data=wine": {"best_known": 0.05, "random_median": np.full(10, 0.5)}}


@pytest.mark.slow
def test_write_report_writes_every_table_and_figure(tmp_path):
    out = tmp_path / "nested" / "report"
    paths = write_report(study(), out, references=REFS)
    assert paths[-1] == out / "report.md"
    names = {p.name for p in paths}
    for table in ("summary", "regret", "loss", "score", "ranks", "friedman", "pairwise",
                  "pairwise_summary", "timing"):  # fmt: skip
        assert {f"{table}.md", f"{table}.tex", f"{table}.csv"} <= names
    for figure in ("convergence", "convergence_time", "score", "rank_vs_budget",
                   "final_boxplots", "critical_difference", "ecdf"):  # fmt: skip
        assert {f"{figure}.png", f"{figure}.pdf"} <= names
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted(names)

    index = (out / "report.md").read_text()
    assert "6 runs" not in index and "18 runs: 3 optimizers" in index
    assert "| random | 6 | 60 | 3 |" in index  # 3 failed trials: one per synthetic run
    assert "![convergence](convergence.png)" in index and "### Final results" in index
    with open(out / "regret.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["optimizer"] for r in rows} == {"random", "bayes", "ga"}


def test_write_report_with_one_optimizer_one_seed_and_no_known_optimum(tmp_path):
    records = [rec("bayes", "mlp", 0, [0.5, None, 0.3], None)]
    paths = write_report(records, tmp_path, formats=("png",))
    names = {p.name for p in paths}
    assert {
        "summary.md",
        "loss.csv",
        "timing.tex",
        "convergence.png",
        "final_boxplots.png",
    } <= names
    for absent in ("regret.md", "ranks.md", "pairwise.md", "friedman.md", "score.md",
                   "critical_difference.png", "ecdf.png", "rank_vs_budget.png"):  # fmt: skip
        assert absent not in names
    assert not any(p.suffix == ".pdf" for p in paths)
    assert (
        "1 run: 1 optimizer (bayes) x 1 problem x 1 seed (0)."
        in (tmp_path / "report.md").read_text()
    )


def test_write_report_on_a_single_seed_tables_only(tmp_path):
    paths = write_report(study(seeds=(4,)), tmp_path, formats=())
    assert not any(p.suffix in (".png", ".pdf") for p in paths)
    pairwise = (tmp_path / "pairwise.md").read_text()
    assert "| camel | random | bayes | 1 | 0/0/1 | 0 | 1.000 | 1.000 | - |" in pairwise
    index = (tmp_path / "report.md").read_text()
    assert "See `pairwise.md` (6 rows)." in index and "![" not in index


def test_summary_table_is_markdown_with_a_row_per_problem():
    text = summary_table(study())
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| problem | metric | seeds | random | bayes | ga |"
    assert [r.split(" | ")[0] for r in rows[1:]] == ["| camel", "| mlp:data=wine", "| mean rank"]
    # ga: final regret 2^(-27 - s), median at s = 1: log10 = -28 log10(2) = -8.43
    assert "**-8.43 [-8.58, -8.28]**" in rows[1]
    assert "1e-12" in text
    one = summary_table([rec("bayes", "mlp", 0, [None, None], None)])
    assert "inf [inf, inf]" in one and "mean rank" not in one


def test_write_report_rejects_an_empty_study(tmp_path):
    with pytest.raises(ValueError, match="records"):
        write_report([], tmp_path)
