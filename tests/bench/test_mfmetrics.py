"""The incumbent at full fidelity against cost and time (hpo.bench.mfmetrics)."""

import math

import numpy as np
import pytest

from hpo.bench.mfmetrics import (
    base_label,
    best_at,
    cost_to_reach,
    final_loss,
    full_fidelity_trace,
    is_multi_fidelity,
    within_budget,
)
from hpo.bench.mfrun import execute_mf_run
from hpo.bench.study import RunSpec


def test_the_incumbent_counts_only_full_fidelity_results(mf):
    cost, time, best = full_fidelity_trace(mf.record())
    np.testing.assert_allclose(cost, np.array([1, 10, 19, 28]) / 9)
    np.testing.assert_allclose(time, cost)
    assert list(best) == [math.inf, 0.8, 0.8, 0.5]
    assert list(best_at(mf.record(), [0.0, 1.5, 3.2])) == [math.inf, 0.8, 0.5]
    assert cost_to_reach(mf.record(), 0.6) == pytest.approx(28 / 9)
    assert cost_to_reach(mf.record(), 0.1) == math.inf


def test_labels_and_detection(mf):
    assert base_label("asha@8w") == "asha" and base_label("asha") == "asha"
    assert is_multi_fidelity([mf.record()])
    plain = mf.record()
    plain.max_cost = plain.workers = None
    assert not is_multi_fidelity([plain])


@pytest.mark.parametrize("workers", [1, 4])
def test_a_longer_run_cut_at_a_budget_is_the_shorter_run(workers):
    def run(budget):
        spec = RunSpec("asha", "asha", {}, "augmented_branin", 3, 10_000, budget, workers)
        return execute_mf_run(spec)

    short, long = run(6.0), run(12.0)
    cut = within_budget(long, 6.0)
    fields = ("number", "params", "value", "status", "cost", "start", "end")
    assert len(long.trials) > len(cut.trials) == len(short.trials)
    assert [[t[f] for f in fields] for t in cut.trials] == [
        [t[f] for f in fields] for t in short.trials
    ]
    assert final_loss(cut) == final_loss(short) and cut.max_cost == short.max_cost
    for a, b in zip(full_fidelity_trace(cut), full_fidelity_trace(short)):
        np.testing.assert_array_equal(a, b)
