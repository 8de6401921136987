"""The scale-free standardization of GP outputs (issue 14)."""

import numpy as np
import pytest

from hpo.gp._standardize import Standardization


@pytest.mark.parametrize("c", [1e-300, 1e-20, 1e-15, 1.0, 1e20, 1e300])
def test_positive_rescaling_and_shift_standardize_alike(c, rng):
    y = rng.normal(size=30) * 5 + 2
    ref = Standardization.of(y)(y)
    for b in (0.0, -3.0 * c, 7.0 * c):
        z = c * y + b
        np.testing.assert_allclose(Standardization.of(z)(z), ref, rtol=0, atol=1e-9)


def test_tiny_spread_is_not_taken_for_a_constant():
    """The old rule ``std > 1e-12 * max(1, |mean|)`` held an absolute floor for |mean| < 1."""
    y = 1e-15 * np.array([0.4, 3.0, 50.0, 300.0])
    ys = Standardization.of(y)(y)
    assert np.std(ys) == pytest.approx(1.0)


def test_huge_values_do_not_overflow():
    y = np.array([1.0, -5.0, 2e154, 1.7e308, -1.7e308])  # np.std(y) is inf
    s = Standardization.of(y)
    ys = s(y)
    assert np.all(np.isfinite(ys)) and np.std(ys) == pytest.approx(1.0)
    np.testing.assert_allclose(s.inverse(ys)[2:], y[2:], rtol=1e-12)


@pytest.mark.parametrize("y", [[3.0, 3.0, 3.0], [0.0, 0.0], [-2e-30], [1.0, 1.0 + 1e-14]])
def test_constant_outputs_map_to_zero_with_a_unit_spread(y):
    s = Standardization.of(np.array(y))
    assert s.spread == 1.0
    np.testing.assert_allclose(s(np.array(y)), 0.0, atol=1e-13)


def test_empty_and_inverse_are_the_identity_and_inverse(rng):
    assert Standardization.of(np.array([])) == Standardization()
    y = rng.normal(size=10)
    s = Standardization.of(y)
    np.testing.assert_allclose(s.inverse(s(y)), y, rtol=1e-14, atol=1e-15)


def test_ordinary_values_standardize_bit_for_bit_as_the_plain_formula(rng):
    """Scaling by a power of two is exact: committed runs reproduce."""
    for _ in range(200):
        a = 10 ** rng.uniform(-100, 100)
        y = rng.normal(size=20) * a + rng.normal() * a * 10 ** rng.uniform(-5, 5)
        s = Standardization.of(y)
        np.testing.assert_array_equal(s(y), (y - np.mean(y)) / np.std(y))
        m = rng.normal(size=5)
        np.testing.assert_array_equal(s.inverse(m), m * np.std(y) + np.mean(y))
