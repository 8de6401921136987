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
