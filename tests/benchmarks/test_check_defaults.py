"""benchmarks/check_defaults.py: the per-problem comparison and the study it runs."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import wilcoxon

from hpo.bench.records import RunRecord
from hpo.gp.config import DEFAULTS_BEFORE_2026_12_01

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "check_defaults.py"
_spec = importlib.util.spec_from_file_location("check_defaults", SCRIPT)
cd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cd)


def _scores(values: dict[str, dict[str, list[float]]]) -> dict[tuple[str, str, int], float]:
    return {
        (setting, problem, 700 + i): v
        for setting, by_problem in values.items()
        for problem, vs in by_problem.items()
        for i, v in enumerate(vs)
    }


def test_compare_flags_a_worse_setting_and_counts_seeds():
    rng = np.random.default_rng(0)
    base = rng.uniform(1.0, 2.0, 10)
    scores = _scores({"old": {"a": list(base)}, "new": {"a": list(base + 0.5)}})
    (row,) = cd.compare(scores, "new", "old")
    assert (row["n"], row["lower"], row["equal"], row["higher"]) == (10, 0, 0, 10)
    assert row["p"] < 0.05
    assert row["median_new"] == pytest.approx(np.median(base) + 0.5)
    assert row["median_base"] == pytest.approx(np.median(base))
    # the other direction is no evidence of being worse
    (back,) = cd.compare(scores, "old", "new")
    assert back["p"] > 0.5 and back["lower"] == 10


def test_compare_drops_zero_differences_and_unpaired_seeds():
    old = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    new = [1.0, 2.0, 3.5, 3.0, 6.0, 7.5, 7.0, 9.0]
    scores = _scores({"old": {"a": old}, "new": {"a": [*new, 100.0]}})  # seed 708 unpaired
    (row,) = cd.compare(scores, "new", "old")
    assert row["n"] == 8
    assert (row["lower"], row["equal"], row["higher"]) == (1, 3, 4)
    diff = np.array(new) - np.array(old)
    expected = wilcoxon(diff[diff != 0], alternative="greater").pvalue
    assert row["p"] == pytest.approx(expected)


def test_compare_all_equal_is_p_one_and_problems_keep_their_order():
    scores = _scores(
        {"old": {"z": [1.0, 2.0], "b": [3.0, 4.0]}, "new": {"z": [1.0, 2.0], "b": [3.0, 4.0]}}
    )
    rows = cd.compare(scores, "new", "old")
    assert [r["problem"] for r in rows] == ["z", "b"]
    assert all(r["p"] == 1.0 and r["equal"] == 2 for r in rows)


def test_markdown_bolds_only_significant_rows():
    rows = [
        {"problem": "a", "n": 5, "median_new": 2.0, "median_base": 1.0, "lower": 0,
         "equal": 0, "higher": 5, "p": 0.03125},
        {"problem": "b", "n": 5, "median_new": 1.0, "median_base": 1.0, "lower": 2,
         "equal": 1, "higher": 2, "p": 0.5},
    ]  # fmt: skip
    lines = cd.markdown(rows, "new", "old").splitlines()
    assert len(lines) == 4
    assert "**0.0312**" in lines[2] and "0/0/5" in lines[2]
    assert "**" not in lines[3]


def _record(values, optimum):
    trials = [{"value": v} for v in values]
    return RunRecord("old", "p", 700, len(values), optimum, trials, 0.0)


def test_final_score_is_regret_or_best_loss_and_skips_failed_trials():
    assert cd.final_score(_record([3.0, None, 1.5, 2.0], 1.0)) == pytest.approx(0.5)
    assert cd.final_score(_record([3.0, None, 1.5, 2.0], None)) == pytest.approx(1.5)
    assert math.isinf(cd.final_score(_record([None, None], None)))


def test_study_runs_the_paper_problems_under_the_three_settings():
    synthetic, mlp = cd.paper_problems("synthetic"), cd.paper_problems("mlp")
    assert len(synthetic) == 16 and "powell:shift=0" in synthetic
    assert mlp == ["mlp_adam_iris_logloss", "mlp_adam_wine_logloss"]
    study = cd.build_study(synthetic[:2], [700, 701])
    labels = ["old", "gp-new", "gp-new+tr", "centre+tr", "centre+tr+lm"]
    assert [o.label for o in study.optimizers] == labels
    assert {o.name for o in study.optimizers} == {"bayes"}
    options = {o.label: o.options for o in study.optimizers}
    assert options["old"]["gp"] == DEFAULTS_BEFORE_2026_12_01
    assert [o["trust_region"] for o in options.values()][:4] == [False, False, True, True]
    assert options["centre+tr+lm"]["trust_region"]["local_model"] == "always"
    assert study.n_trials == 50 and len(study.runs()) == 2 * 2 * 5
    with pytest.raises(ValueError, match="part"):
        cd.paper_problems("mlps")


def test_per_seed_lists_checkpoints_of_paired_seeds_and_their_medians():
    def rec(setting, seed, values):
        trials = [{"value": v} for v in values]
        return RunRecord(setting, "p", seed, len(values), 0.0, trials, 0.0)

    records = [
        rec("old", 1, [4.0, 3.0, 2.0, 1.0]),
        rec("new", 1, [4.0, 4.0, 4.0, 0.5]),
        rec("old", 2, [8.0, 6.0, None, 2.0]),
        rec("new", 2, [9.0, 9.0, 9.0, 9.0]),
        rec("new", 3, [1.0, 1.0, 1.0, 1.0]),  # unpaired: left out
    ]
    lines = cd.per_seed(records, "p", checkpoints=(2, 4)).splitlines()
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| 1", "| 2", "| median"]
    assert "3 / 1 | 4 / 0.5" in lines[2]
    assert "6 / 2 | 9 / 9" in lines[3]
    assert "4.5 / 1.5 | 6.5 / 4.75" in lines[4]


def test_ablation_adds_each_gp_change_alone():
    study = cd.build_study(["branin"], [700], ablation=True)
    options = {o.label: o.options["gp"] for o in study.optimizers if "gp" in o.options}
    old = {"fit_warm": "lbfgsb"}  # the warm fit before 2026-12-01, pinned since its flip
    assert options["old+independent"] == {
        **old,
        "fit_restarts": "always",
        "search_batch": "independent",
    }
    assert options["old+safeguarded"] == {
        **old,
        "fit_restarts": "safeguarded",
        "search_batch": "stacked",
    }


def test_overview_puts_every_setting_and_comparison_on_one_row():
    scores = _scores(
        {
            "old": {"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]},
            "gp-new": {"a": [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]},
            "gp-new+tr": {"a": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0]},
        }
    )
    header, _, row = cd.overview(scores).splitlines()
    assert header.count("median") == 3 and header.count(" vs ") == 3
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:5] == ["a", "6", "3.5", "4.5", "1.75"]
    assert cells[5] == "**0.0156**, 0/0/6"  # gp-new worse than old on all 6 seeds
    assert cells[6].endswith("6/0/0") and cells[7].endswith("6/0/0")


def test_settings_pin_the_fit_they_ran_and_a_subset_can_run_alone():
    from hpo.gp.config import GPConfig

    # gp-new and gp-new+tr ran issue 16's fit: pinned, they keep that meaning
    for label in ("gp-new", "gp-new+tr"):
        config = GPConfig(**cd.SETTINGS[label]["gp"])
        assert (config.fit_restarts, config.fit_warm) == ("safeguarded", "lbfgsb")
    assert cd.SETTINGS["centre+tr"]["gp"] == {"fit_restarts": "prior-centre", "fit_warm": "bfgs"}
    study = cd.build_study(["branin"], [820, 821], only=["gp-new+tr", "centre+tr"])
    assert [o.label for o in study.optimizers] == ["gp-new+tr", "centre+tr"]
    assert len(study.runs()) == 2 * 2
    with pytest.raises(ValueError, match="only"):
        cd.build_study(["branin"], [820], only=["today"])
