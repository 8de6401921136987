"""paper/paper_landscapes.py: fractions reached, ranks and winners follow the journals."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

PAPER = Path(__file__).resolve().parents[1] / "paper"


def _module():
    if str(PAPER) not in sys.path:
        sys.path.insert(0, str(PAPER))
    spec = importlib.util.spec_from_file_location("paper_landscapes", PAPER / "paper_landscapes.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["paper_landscapes"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


pl = _module()


def write(path: Path, rows: list[tuple[str, str, int, float]]) -> None:
    lines = [
        json.dumps({"optimizer": o, "problem": f"{c}:dim=5,instance={k}", "seed": k, "regret": [r]})
        for o, c, k, r in rows
    ]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def lands(tmp_path: Path):
    # ga reaches 1e-1 on class a (targets 1e2 .. 1e-1: 16 of 51), random 1e1 (6 of 51); on b
    # both stay above 1e2 (none); bayes, from the second journal, ran only instance 1 of a.
    write(
        tmp_path / "d5-20d.jsonl",
        [
            ("ga", "bbob_a", 1, 0.1),
            ("ga", "bbob_a", 2, 0.1),
            ("random", "bbob_a", 1, 10.0),
            ("random", "bbob_a", 2, 10.0),
            ("ga", "bbob_b", 1, 1e3),
            ("random", "bbob_b", 1, 1e4),
        ],
    )
    write(
        tmp_path / "d5-20d-models.jsonl",
        [("bayes", "bbob_a", 1, 1e-3), ("ga", "bbob_a", 1, 1e9)],  # ga here is ignored
    )
    return pl.load_landscapes(tmp_path)


def test_fraction_reached_counts_coco_targets(lands):
    runs = lands[20]
    assert list(lands) == [20] and runs.dim == 5
    assert runs.reached("ga", "bbob_a") == pytest.approx(16 / 51)
    assert runs.reached("random", "bbob_a") == pytest.approx(6 / 51)
    assert runs.reached("ga", "bbob_b") == 0.0
    assert runs.reached("ga") == pytest.approx(np.mean([16, 16, 0]) / 51)
    assert runs.final[("ga", "bbob_a")][1] == 0.1  # the first journal holding ga wins


def test_ranks_use_only_pairs_every_optimizer_ran_and_winners_are_lowest_medians(lands):
    runs = lands[20]
    assert runs.common_pairs() == [("bbob_a", 1)]
    assert runs.mean_ranks() == {"bayes": 1.0, "ga": 2.0, "random": 3.0}
    tables = pl.lands_tables(lands)
    assert set(tables) == {"landscapes_20d", "landscapes_winners"}
    assert tables["landscapes_winners"].rows[0] == ["a", "bayes (-3.00)"]
    values = pl.lands_values(lands)
    assert values["lands_20_ga_random"].startswith("0.209 against 0.078 (2.7 times)")
    assert values["lands_20_runs"] == "`bayes` 1, `ga` 3 and `random` 3"


def test_trust_region_ablation_compares_bayes_with_and_without(tmp_path: Path):
    cls = "bbob_ellipsoid_rotated"
    write(
        tmp_path / "d5-20d-models.jsonl",
        [("bayes", cls, 1, 1e4), ("bayes", cls, 2, 1e3), ("bayes", "bbob_x", 1, 1.0)],
    )
    write(
        tmp_path / "tr-d5-20d.jsonl",
        [("bayes-tr", cls, 1, 1e2), ("bayes-tr", cls, 2, 1e1), ("bayes-tr", "bbob_x", 1, 10.0)],
    )
    write(
        tmp_path / "tr-tune-20.jsonl",
        [
            ("bayes", cls, 101, 1e5),
            ("bayes-tr", cls, 101, 1e3),
            ("bayes", "bbob_x", 101, 1.0),
            ("bayes-tr", "bbob_x", 101, 1.0),
        ],
    )
    write(tmp_path / "tr-turbo-all-d5-20d.jsonl", [("bayes-turbo", cls, 1, 1e2)])
    lands = pl.load_landscapes(tmp_path)
    table = pl.lands_tables(lands)["landscapes_trust_region"]
    assert table.header[-1] == "bayes-turbo (not chosen)"
    assert [row[-1] for row in table.rows] == ["2.00", "-", ""]  # bbob_x not run, then ranks
    assert table.header[1:3] == ["bayes (tuning)", "bayes-tr (tuning)"]
    # rotated ellipsoid: median log10 3.5 before, 1.5 after: two decades
    assert table.rows[0][:6] == ["ellipsoid_rotated", "5.00", "3.00", "3.50", "1.50", "-2.00"]
    values = pl.lands_values(lands)
    assert values["lands_tr_met"] == "1 of 4"  # the other target classes were not run: nan
    assert values["lands_tr_worse"] == "x"
    assert values["lands_tr_instances"] == "1-2" and values["lands_tr_tune"] == "101"
