import logging

import numpy as np
import pytest

from hpo.bench.records import RunRecord
from hpo.bench.stats import REGRET_FLOOR, holm, wilcoxon_signed_rank
from hpo.bench.summaries import (
    budget_points,
    friedman_summary,
    median_scores,
    pairwise_tests,
    rank_summary,
    study_optimizers,
    study_traces,
    timing_summary,
    value_summary,
)


def rec(opt, problem, seed, values, optimum=0.0, n_trials=None, ask=1e-3, tell=1e-3, ev=0.01):
    trials = [
        dict(number=i, params={}, value=v, status="complete" if v is not None else "failed",
             error=None, ask_time=ask, tell_time=tell, eval_time=ev, info={})
        for i, v in enumerate(values)
    ]  # fmt: skip
    return RunRecord(opt, problem, seed, n_trials or len(values), optimum, trials, 1.0)


def test_study_traces_floors_pads_and_sorts_seeds():
    records = [
        rec("b", "p", 1, [3.0, 1.0, 0.0]),
        rec("a", "p", 0, [2.0, None], n_trials=3),  # stopped early, one failure
        rec("b", "p", 0, [None, 5.0, 4.0]),
        rec("a", "q", 0, [1.0, 0.5, 0.2], optimum=None),
    ]
    study = study_traces(records)
    assert list(study) == ["p", "q"] and study_optimizers(study) == ["b", "a"]
    seeds, values = study["p"].traces["b"]
    np.testing.assert_array_equal(seeds, [0, 1])
    np.testing.assert_array_equal(values, [[np.inf, 5.0, 4.0], [3.0, 1.0, REGRET_FLOOR]])
    np.testing.assert_array_equal(study["p"].traces["a"][1], [[2.0, 2.0, 2.0]])
    assert study["p"].budget == 3 and study["p"].has_optimum
    assert not study["q"].has_optimum  # best loss, not floored
    np.testing.assert_array_equal(study["q"].traces["a"][1], [[1.0, 0.5, 0.2]])
    assert [r.seed for r in study["p"].records["b"]] == [0, 1]


def test_study_traces_rejects_empty_and_inconsistent_optimum():
    with pytest.raises(ValueError, match="records"):
        study_traces([])
    with pytest.raises(ValueError, match="disagree on optimum"):
        study_traces([rec("a", "p", 0, [1.0], 0.0), rec("b", "p", 0, [1.0], 1.0)])


def test_study_traces_warns_about_values_below_the_optimum(caplog):
    with caplog.at_level(logging.WARNING, logger="hpo"):
        study = study_traces([rec("a", "p", 0, [1.0, -0.5], optimum=0.0)])
    assert "below the optimum" in caplog.text
    assert study["p"].traces["a"][1][0, -1] == REGRET_FLOOR


def test_budget_points():
    assert budget_points(100) == [25, 50, 100]
    assert budget_points(3) == [1, 2, 3]  # rounded, at least 1, no repeats
    assert budget_points(50, budgets=[10, 80]) == [10, 50]
    with pytest.raises(ValueError, match="fractions"):
        budget_points(10, fractions=[0.0])
    with pytest.raises(ValueError, match="budgets"):
        budget_points(10, budgets=[0])


def test_value_summary_medians_and_quartiles():
    records = [rec("a", "p", s, [10.0**-s, 10.0 ** -(s + 1)]) for s in range(5)]
    study = study_traces(records)
    out = value_summary(study, {"p": np.log10}, budgets=[2])
    assert out == [dict(problem="p", evaluations=2, optimizer="a", n_seeds=5, median=-3.0,
                        q25=-4.0, q75=-2.0, median_common=-3.0)]  # fmt: skip


def test_medians_compare_optimizers_on_the_seeds_they_share():
    # "few" ran seeds 0, 1 only (max_seeds) and is worse than "all" on both; over all its 4
    # seeds "all" has the higher median, and picking the best on that would crown "few".
    records = [rec("all", "p", s, [v]) for s, v in enumerate([2.0, 3.0, 8.0, 9.0])]
    records += [rec("few", "p", s, [v]) for s, v in enumerate([4.0, 5.0])]
    study = study_traces(records)
    out = {r["optimizer"]: r for r in value_summary(study, {"p": lambda v: v}, budgets=[1])}
    assert out["all"]["median"] == 5.5 and out["few"]["median"] == 4.5
    assert out["all"]["median_common"] == 2.5 and out["few"]["median_common"] == 4.5
    scores, _ = median_scores(study, ["all", "few"])
    np.testing.assert_array_equal(scores, [[2.5, 4.5]])


def test_pairs_follow_one_optimizer_order_on_every_problem():
    # On "q" the journal has "b" first: the pair must still be (a, b), or the summary splits it.
    records = [rec(o, "p", s, [float(s + (o == "b"))]) for s in range(6) for o in "ab"]
    records += [rec(o, "q", s, [float(s + (o == "b"))]) for s in range(6) for o in "ba"]
    assert {(r["a"], r["b"]) for r in pairwise_tests(study_traces(records))} == {("a", "b")}
    in_study_order = pairwise_tests(study_traces(records, order=["b", "a"]))
    assert {(r["a"], r["b"]) for r in in_study_order} == {("b", "a")}
    assert [r["losses"] for r in in_study_order] == [6, 6]


def _three_optimizers():
    # on p1 and p2, "a" beats "b" beats "c" on every seed; "c" misses p3
    records = []
    for p, shift in (("p1", 0.0), ("p2", 1.0)):
        for s in range(8):
            for opt, v in (("a", 1.0), ("b", 2.0), ("c", 3.0)):
                records.append(rec(opt, p, s, [9.0, v + shift + 0.1 * s]))
    records += [rec(o, "p3", 0, [1.0, 1.0]) for o in ("a", "b")]
    return study_traces(records)


def test_median_scores_and_ranks_use_problems_every_optimizer_ran():
    study = _three_optimizers()
    scores, problems = median_scores(study, ["a", "b", "c"])
    assert problems == ["p1", "p2"]
    np.testing.assert_allclose(scores, [[1.35, 2.35, 3.35], [2.35, 3.35, 4.35]])
    ranks = rank_summary(study, fractions=(0.5, 1.0))
    final = {r["optimizer"]: r["mean_rank"] for r in ranks if r["fraction"] == 1.0}
    assert final == {"a": 1.0, "b": 2.0, "c": 3.0}
    early = {r["optimizer"]: r["mean_rank"] for r in ranks if r["fraction"] == 0.5}
    assert early == {"a": 2.0, "b": 2.0, "c": 2.0}  # all at 9.0 after one trial: ties
    assert median_scores(study, ["c", "d"]) is None


def test_friedman_summary_reports_cd_and_nan_tests_for_two_optimizers():
    study = _three_optimizers()
    (row,) = friedman_summary(study, fractions=(1.0,))
    assert row["n_problems"] == 2 and row["n_optimizers"] == 3
    assert row["friedman_chi2"] == pytest.approx(4.0)  # 12*2/(3*4) * (1+4+9 - 12) = 4
    assert row["cd"] == pytest.approx(2.344 * np.sqrt(3 * 4 / 12))
    two = study_traces([rec(o, "p", 0, [1.0]) for o in ("a", "b")])
    (row,) = friedman_summary(two, fractions=(1.0,))
    assert np.isnan(row["friedman_chi2"]) and row["cd"] == pytest.approx(1.960 * np.sqrt(1.0))
    assert friedman_summary(study_traces([rec("a", "p", 0, [1.0])])) == []


def test_pairwise_tests_pair_by_seed_and_correct_with_holm():
    study = _three_optimizers()
    tests = [t for t in pairwise_tests(study) if t["problem"] == "p1"]
    assert [(t["a"], t["b"]) for t in tests] == [("a", "b"), ("a", "c"), ("b", "c")]
    for t in tests:
        assert (t["wins"], t["ties"], t["losses"], t["n_seeds"]) == (8, 0, 0, 8)
        assert t["p"] == pytest.approx(2 / 2**8)  # exact: all eight differences negative
        assert t["better"] == t["a"]
    np.testing.assert_allclose([t["p_holm"] for t in tests], holm([2 / 256] * 3))
    p3 = [t for t in pairwise_tests(study) if t["problem"] == "p3"]
    assert p3[0]["ties"] == 1 and p3[0]["p"] == 1.0 and p3[0]["better"] == ""


def test_pairwise_tests_use_only_common_seeds():
    records = [rec("a", "p", s, [1.0 + s]) for s in range(4)]
    records += [rec("b", "p", s, [0.5 + s]) for s in (2, 3, 4)]
    (t,) = pairwise_tests(study_traces(records))
    assert t["n_seeds"] == 2 and (t["wins"], t["losses"]) == (0, 2)
    assert t["p"] == wilcoxon_signed_rank(np.array([3.0, 4.0]), np.array([2.5, 3.5])).pvalue


def test_timing_summary_is_median_ask_plus_tell():
    records = [rec("a", "p", 0, [1.0, 2.0], ask=0.002, tell=0.001, ev=None)]
    records += [rec("a", "q", 0, [1.0, 2.0], ask=0.004, tell=0.001, ev=0.5)]
    out = {(r["problem"], r["optimizer"]): r for r in timing_summary(study_traces(records))}
    assert list(out) == [("all problems", "a"), ("p", "a"), ("q", "a")]
    assert out["p", "a"]["median_ms"] == pytest.approx(3.0)
    assert out["all problems", "a"]["median_ms"] == pytest.approx(4.0)  # of 3, 3, 5, 5
    assert out["all problems", "a"]["n_trials"] == 4
    assert out["q", "a"]["total_eval_s"] == pytest.approx(1.0)
    assert out["p", "a"]["total_eval_s"] == 0.0


# -- several objectives ---------------------------------------------------------------------


def mo_rec(opt, seed, values, max_hv=0.5):
    r = rec(opt, "mo", seed, values, optimum=None)
    r.reference_point, r.max_hypervolume = [1.0, 1.0], max_hv
    return r


def test_multi_objective_traces_are_floored_hypervolume_regret():
    records = [
        mo_rec("a", 0, [[0.5, 0.5], [0.0, 0.0]]),  # the second point reaches the whole box
        mo_rec("b", 0, [[2.0, 2.0], [0.5, 0.5]]),
        mo_rec("a", 1, [[0.5, 0.5], None]),
        mo_rec("b", 1, [[0.5, 0.5], [0.4, 0.6]]),
    ]
    pt = study_traces(records)["mo"]
    assert pt.multi_objective and pt.has_optimum and pt.optimum == 0.5
    np.testing.assert_allclose(pt.traces["a"][1], [[0.25, REGRET_FLOOR], [0.25, 0.25]])
    np.testing.assert_allclose(pt.traces["b"][1], [[0.5, 0.25], [0.25, 0.25 - 0.1 * 0.4]])
    tests = pairwise_tests(study_traces(records))
    assert tests[0]["wins"] == 1 and tests[0]["losses"] == 1  # a vs b, seed by seed


def test_multi_objective_traces_without_maximum_are_minus_the_hypervolume(caplog):
    pt = study_traces([mo_rec("a", 0, [[0.5, 0.5], [0.25, 0.75]], max_hv=None)])["mo"]
    assert pt.multi_objective and not pt.has_optimum
    np.testing.assert_allclose(pt.traces["a"][1], [[-0.25, -0.3125]])
    with caplog.at_level(logging.WARNING, logger="hpo"):
        study_traces([mo_rec("a", 0, [[0.0, 0.0]], max_hv=0.5)])
    assert "exceeded the maximal hypervolume" in caplog.text


def test_multi_objective_records_must_agree_on_the_reference_point():
    other = mo_rec("b", 0, [[0.5, 0.5]])
    other.reference_point = [2.0, 2.0]
    with pytest.raises(ValueError, match="disagree on the reference point"):
        study_traces([mo_rec("a", 0, [[0.5, 0.5]]), other])
