"""Output warpings: increasing, finite, and Yeo-Johnson as published."""

import numpy as np
import pytest
from scipy import stats

from hpo.gp.warping import WARPINGS, fit_yeo_johnson, warp, yeo_johnson


@pytest.mark.parametrize("lam", [-1.5, 0.0, 0.5, 1.0, 2.0, 2.7])
def test_yeo_johnson_equals_scipy(lam, rng):
    y = rng.normal(size=50) * 3
    np.testing.assert_allclose(yeo_johnson(y, lam), stats.yeojohnson(y, lam), rtol=1e-10)


def test_fitted_lambda_maximizes_scipys_likelihood(rng):
    y = stats.zscore(rng.lognormal(size=80))
    lam = fit_yeo_johnson(y)
    grid = np.linspace(-2, 2, 401)
    best = grid[np.argmax([stats.yeojohnson_llf(g, y) for g in grid])]
    assert abs(lam - best) < 0.02
    assert lam < 1.0  # a heavy upper tail is compressed


@pytest.mark.parametrize("method", WARPINGS)
def test_warpings_keep_the_order_and_stay_finite(method, rng):
    y = np.concatenate([rng.lognormal(sigma=4.0, size=40), [1e-8, 1e8, 1e8]])
    w = warp(y, method)
    assert np.all(np.isfinite(w))
    order = np.argsort(y, kind="stable")
    assert np.all(np.diff(w[order]) >= -1e-12)


def test_unknown_warping_is_refused():
    with pytest.raises(ValueError, match="output warping"):
        warp(np.ones(3), "log")


# -- issue 14: scale-free standardization before Yeo-Johnson --------------------------------
@pytest.mark.parametrize("c", [1e-20, 1e-15, 1e20])
def test_yeo_johnson_warping_is_invariant_to_rescaling(rng, c):
    y = rng.lognormal(size=20)
    np.testing.assert_allclose(warp(c * y - 2 * c), warp(y), rtol=1e-7, atol=1e-7)


def test_yeo_johnson_warping_of_huge_values_is_finite():
    """np.std overflows beyond about 1e154: the warped values were NaN."""
    y = np.array([1.0, 2.0, 3.0, 2e154, 1e155, 3e155])
    out = warp(y)
    # non-decreasing: 1, 2 and 3 are equal relative to 3e155 in double precision
    assert np.all(np.isfinite(out)) and np.all(np.diff(out) >= 0)
    assert out[3] < out[4] < out[5]
