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
    # bayes ran one of class a's two instances: only methods that ran both compete
    assert tables["landscapes_winners"].rows[0] == ["a", "ga (-1.00)"]
    assert tables["landscapes_winners"].notes[0].endswith("at 20 x d not bayes (1 runs).")
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


def test_default_bayes_is_ranked_among_the_peers_only(tmp_path: Path):
    # bayes-default beats every peer on both pairs of class a; the older bayes rows (which the
    # peers' ranking leaves out) beat it. On the rotated ellipsoid (a target class) the
    # medians go from 1e4 (bayes) to 1e3 (bayes-notr) to 1e1 (bayes-default): 3 decades.
    cls = "bbob_ellipsoid_rotated"
    write(
        tmp_path / "d5-20d.jsonl",
        [("ga", "bbob_a", k, 10.0) for k in (1, 2)]
        + [("random", "bbob_a", k, 100.0) for k in (1, 2)]
        + [("ga", cls, 1, 1e5), ("random", cls, 1, 1e6)],
    )
    write(
        tmp_path / "d5-20d-models.jsonl",
        [("bayes", "bbob_a", k, 1e-3) for k in (1, 2)] + [("bayes", cls, 1, 1e4)],
    )
    write(
        tmp_path / "d5-20d-today.jsonl",
        [("bayes-default", "bbob_a", k, 1.0) for k in (1, 2)]
        + [("bayes-notr", "bbob_a", k, 5.0) for k in (1, 2)]
        + [("bayes-default", cls, 1, 10.0), ("bayes-notr", cls, 1, 1e3)],
    )
    runs = pl.load_landscapes(tmp_path)[20]
    assert runs.optimizers[:3] == ["bayes-default", "bayes-notr", "bayes"]
    assert runs.mean_ranks(["bayes-default", "ga", "random"]) == {
        "bayes-default": 1.0,
        "ga": 2.0,
        "random": 3.0,
    }
    # all five: bayes first on class a's two pairs, third on the rotated ellipsoid
    assert runs.mean_ranks()["bayes"] == pytest.approx(5 / 3)
    values = pl.lands_values({20: runs})
    assert values["lands_20_default_place"] == "the best"
    assert values["lands_20_default_pairs"] == "3"
    assert values["lands_20_default_ranks"].startswith("`bayes-default` 1.00, `ga` 2.00")
    assert values["lands_20_default_targets"].startswith("ellipsoid rotated 4.00 to 3.00 to 1.00")
    assert values["lands_20_default_met"] == "1 of 4"  # the other target classes: nan
    assert values["lands_20_instances_bayes_default"] == "1-2"


def test_holdout_sentence_names_the_variant_and_the_problems_worse(tmp_path: Path):
    rows = []
    for s in range(8):
        rows.append({"variant": "base", "problem": "p1", "seed": s, "regret": 1.0})
        rows.append({"variant": "tr-turbo", "problem": "p1", "seed": s, "regret": 0.1})
        rows.append({"variant": "base", "problem": "p2", "seed": s, "regret": 0.1})
        rows.append({"variant": "tr-turbo", "problem": "p2", "seed": s, "regret": 1.0 + s})
    path = tmp_path / "h.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    text = pl.holdout_sentence(path, "tr-turbo")
    assert text.startswith("a lower median regret on 1 of 2 problems (seeds 0-7)")
    assert text.endswith("but worse at p < 0.05 on p2 (p = 0.004)")
    kept = [r for r in rows if r["problem"] == "p1"]
    path.write_text("\n".join(json.dumps(r) for r in kept) + "\n")
    assert pl.holdout_sentence(path, "tr-turbo").endswith("worse at p < 0.05 on none")


@pytest.mark.parametrize(
    ("journal", "before"), [("d5-20d.jsonl", True), ("d5-20d-ga.jsonl", False)]
)
def test_committed_ga_rows_rerun(journal: str, before: bool):
    """The GA rows of the paper's journals re-run: those made before 2026-12-01 with the
    default of then (``DEFAULT_BEFORE_2026_12_01``), the later ones with today's default."""
    from dataclasses import asdict

    from hpo.bench.runner import execute_run
    from hpo.bench.study import RunSpec
    from hpo.optimizers.genetic import DEFAULT_BEFORE_2026_12_01

    options = {"variation": asdict(DEFAULT_BEFORE_2026_12_01)} if before else {}
    rows = [json.loads(line) for line in (pl.RESULTS / journal).read_text().splitlines()]
    picked = [
        r
        for r in rows
        if r["optimizer"] == "ga"
        and r["problem"].split(":")[0] in ("bbob_sharp_ridge", "bbob_discus")
        and r["seed"] in (1, 2)
    ]
    assert len(picked) == 4
    for r in picked:
        record = execute_run(RunSpec("ga", "ga", options, r["problem"], r["seed"], r["n_trials"]))
        values = np.array([t["value"] for t in record.trials], dtype=float)
        best = np.minimum.accumulate(values) - record.optimum
        dim = int(r["problem"].split("dim=")[1].split(",")[0])
        now = [float(f"{x:.6g}") for x in best[dim - 1 :: dim]]
        assert now == r["regret"], r["problem"]


def test_quadratic_values_count_decades_wins_and_cpu_from_the_journals(tmp_path: Path):
    classes = pl.TARGET_CLASSES
    base = [("bayes", c, k, 1e4) for c in classes for k in (1, 2)]
    runs = pl._read([_journal(tmp_path / "base.jsonl", base)], 20)
    # tr-quad-lik: two decades below bayes on the first class, half a decade on the others;
    # below the trust region alone on 3 of the 8 pairs; 3 times its CPU time
    quad = []
    for i, c in enumerate(classes):
        for k in (1, 2):
            quad.append(("tr-quad-lik", c, k, 1e2 if i == 0 else 10**3.5, 3.0))
            quad.append(("bayes-tr", c, k, 1e5 if (i, k) in {(0, 1), (0, 2), (1, 1)} else 1.0, 1.0))
    lines = [
        json.dumps(
            {"optimizer": o, "problem": f"{c}:dim=5,instance={k}", "seed": k, "regret": [r]}
            | {"cpu_time": t}
        )
        for o, c, k, r, t in quad
    ]
    (tmp_path / pl.QUADRATIC).write_text("\n".join(lines) + "\n")
    values = pl._quadratic_values(runs, tmp_path)
    assert values["lands_quad_met"] == "1 of 4"
    assert values["lands_quad_targets"].startswith("ellipsoid rotated 4.00 to 2.00")
    assert values["lands_quad_wins"] == "3 of 8"
    assert values["lands_quad_cpu"] == "3.0"
    assert values["lands_quad_holdout"] == "not run"
    assert values["lands_quad_rotated"] == "2.00 against 5.00"  # medians, log10
    # the same journal read as the re-run after the gradient fix: its own keys, no holdout
    (tmp_path / pl.QUADRATIC_FIX).write_text("\n".join(lines) + "\n")
    fixed = pl._quadratic_values(
        runs, tmp_path, journal=pl.QUADRATIC_FIX, prefix="lands_quadfix", holdout=None
    )
    assert fixed["lands_quadfix_wins"] == "3 of 8"
    assert "lands_quadfix_holdout" not in fixed
    (tmp_path / pl.QUADRATIC).unlink()
    assert pl._quadratic_values(runs, tmp_path)["lands_quad_met"] == "not run"


def _journal(path: Path, rows) -> Path:
    write(path, rows)
    return path
