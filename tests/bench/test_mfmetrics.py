"""The incumbent at full fidelity against cost and time (hpo.bench.mfmetrics)."""

import math

import numpy as np
import pytest

from hpo.bench.mfmetrics import (
    base_label,
    best_at,
    cost_to_reach,
    full_fidelity_trace,
    is_multi_fidelity,
)


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
