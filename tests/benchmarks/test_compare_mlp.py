"""benchmarks/compare_mlp.py: the pairing of two settings' final losses across journals."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import wilcoxon

from hpo.bench.runner import run_study

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "compare_mlp.py"
_spec = importlib.util.spec_from_file_location("compare_mlp", SCRIPT)
cm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cm)


def test_final_losses_reads_the_best_value_of_each_labelled_run(tmp_path: Path):
    journal = tmp_path / "j.jsonl"
    grid = {"label": "other", "name": "random", "options": {}}
    records = run_study(["random", grid], ["branin"], [0, 1], 6, journal=journal, n_jobs=1)
    losses = cm._final_losses([f"{journal}:random"])
    assert set(losses) == {("branin", 0), ("branin", 1)}
    for r in records:
        if r.optimizer == "random":
            values = [t["value"] for t in r.trials]
            assert losses[("branin", r.seed)] == pytest.approx(min(values))


def test_pair_counts_and_tests_the_paired_seeds_only(monkeypatch, capsys):
    old = [0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70]
    new = [0.12, 0.20, 0.35, 0.38, 0.58, 0.66, 0.90]
    tables = {
        "base": {("p", 800 + i): v for i, v in enumerate(old)},
        "new": {("p", 800 + i): v for i, v in enumerate(new)} | {("p", 999): 5.0},  # unpaired
    }
    monkeypatch.setattr(cm, "_final_losses", lambda sources: tables[sources[0]])
    out = cm.pair(argparse.Namespace(base=["base"], new=["new"]))
    row = out["p"]
    assert row["seeds"] == list(range(800, 807))
    assert row["counts"] == (1, 1, 5)
    diff = np.array(new) - np.array(old)
    assert row["p"] == pytest.approx(wilcoxon(diff, alternative="greater").pvalue)
    assert row["p"] < 0.05
    assert "| p | 7 | 0.4 | 0.38 | 1/1/5 |" in capsys.readouterr().out


def test_relaxed_spread_sets_the_field_of_relaxed_variants_only():
    args = argparse.Namespace(
        optimizers=["bayes"],
        variant=[
            'r={"search_integers": "relaxed"}',
            'r8={"search_integers": "relaxed", "search_spread": 8}',
            'g={"search_gtol": 0.01}',
        ],
        relaxed_spread=16,
    )
    entries = cm._entries(args)
    assert entries[0] == "bayes"
    gps = {e["label"]: e["options"]["gp"] for e in entries[1:]}
    assert gps["r"] == {"search_integers": "relaxed", "search_spread": 16}
    assert gps["r8"]["search_spread"] == 8 and "search_spread" not in gps["g"]
    args.relaxed_spread = None
    assert "search_spread" not in cm._entries(args)[1]["options"]["gp"]


def test_share_is_the_optimizer_time_over_the_run_time_of_common_seeds(tmp_path: Path):
    journal = tmp_path / "j.jsonl"
    grid = {"label": "other", "name": "random", "options": {}}
    records = run_study(["random", grid], ["branin"], [0, 1], 5, journal=journal, n_jobs=1)
    out = cm.share(argparse.Namespace(sources=[f"{journal}:random", f"{journal}:other"]))
    row = out["branin"][f"{journal}:random"]
    runs = [r for r in records if r.optimizer == "random"]
    assert row["seeds"] == [0, 1]
    assert row["optimizer_seconds"] == pytest.approx(sum(r.optimizer_time().sum() for r in runs))
    assert row["total_seconds"] == pytest.approx(sum(r.elapsed()[-1] for r in runs))
