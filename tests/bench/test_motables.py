"""The baseline table of multi-objective problems (hpo/bench/motables.py)."""

import numpy as np

from hpo.bench.motables import baseline_records, baseline_table
from hpo.bench.records import RunRecord
from hpo.bench.stats import wilcoxon_signed_rank
from hpo.bench.summaries import study_traces


def mo_rec(opt, seed, point, problem="mo"):
    trial = dict(number=0, params={}, value=list(point), status="complete", error=None,
                 ask_time=0.0, tell_time=0.0, eval_time=0.0, info={})  # fmt: skip
    return RunRecord(opt, problem, seed, 1, None, [trial], 1.0, {}, None, None, None,
                     [1.0, 1.0], 1.0)  # fmt: skip


def test_medians_wins_and_wilcoxon_against_the_baseline():
    # Regret of one point (x, x) in the unit box with maximal hypervolume 1: 1 - (1 - x)^2.
    a = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    b = [0.2, 0.1, 0.5, 0.6, 0.7, 0.9]
    records = [mo_rec("a", s, (x, x)) for s, x in enumerate(a)]
    records += [mo_rec("b", s, (x, x)) for s, x in enumerate(b)]
    records += [mo_rec("c", s, (x, x)) for s, x in enumerate(a)]  # ties a everywhere
    study = study_traces(records)
    rows = baseline_records(study, "a", ["b", "c"])
    reg = lambda xs: 1 - (1 - np.array(xs)) ** 2  # noqa: E731
    assert rows[0]["baseline_median"] == np.median(reg(a))
    assert rows[0]["other_median"] == np.median(reg(b))
    assert (rows[0]["wins"], rows[0]["ties"], rows[0]["losses"]) == (5, 0, 1)
    assert rows[0]["p"] == wilcoxon_signed_rank(reg(a), reg(b)).pvalue
    assert (rows[1]["ties"], rows[1]["p"]) == (6, 1.0)
    table = baseline_table(study, "a", ["b", "c"])
    assert table.header[:4] == ["problem", "seeds", "a", "b"]
    assert table.rows[0][4] == "5/0/1" and (0, 2) in table.bold and (0, 6) in table.bold


def test_no_table_without_multi_objective_problems():
    single = RunRecord("a", "p", 0, 1, 0.0, [], 1.0)
    assert baseline_table(study_traces([single]), "a", ["b"]) is None
