"""Acquisitions: EI against Monte Carlo, log-EI in the far tail, gradients."""

import numpy as np
import pytest
from scipy.stats import norm

from hpo.gp.acquisition import (
    LCB,
    PI,
    ExpectedImprovement,
    LogExpectedImprovement,
    acquisition_and_gradient,
    log_h,
    make_acquisition,
)
from hpo.gp.kernels import Constant, Matern
from hpo.gp.regression import GaussianProcess

ACQUISITIONS = [ExpectedImprovement(0.3), LogExpectedImprovement(0.3), PI(0.3), LCB(2.0)]


def test_expected_improvement_equals_monte_carlo(rng):
    mu, var, best = np.array([0.0, 0.5, -1.0]), np.array([1.0, 0.25, 2.0]), 0.2
    samples = rng.normal(mu, np.sqrt(var), size=(400_000, 3))
    mc = np.maximum(best - samples, 0.0).mean(axis=0)
    se = np.maximum(best - samples, 0.0).std(axis=0) / np.sqrt(len(samples))
    ei = ExpectedImprovement(best)(mu, var)[0]
    assert np.all(np.abs(ei - mc) < 4 * se)
    pi = PI(best)(mu, var)[0]
    np.testing.assert_allclose(np.exp(pi), (samples < best).mean(axis=0), atol=4e-3)


def test_log_ei_equals_log_of_ei_where_representable():
    z = np.linspace(-30, 8, 400)
    direct = np.log(norm.pdf(z) + z * norm.cdf(z))
    np.testing.assert_allclose(log_h(z)[0], direct, rtol=1e-9)
    mu, var = -z * 0.5, np.full_like(z, 0.25)  # best = 0, s = 0.5
    ei = ExpectedImprovement(0.0)(mu, var)[0]
    np.testing.assert_allclose(LogExpectedImprovement(0.0)(mu, var)[0], np.log(ei), rtol=1e-9)


def test_log_h_is_finite_with_a_useful_gradient_far_in_the_tail():
    z = np.array([-40.0, -1e3 + 1e-6, -1e3 - 1e-6, -1e5, -1e9])
    value, grad = log_h(z)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    # Asymptotically log h = -z^2/2 - log sqrt(2 pi) - 2 log|z| - 3/z^2 + O(z^-4)
    asym = -0.5 * z**2 - 0.5 * np.log(2 * np.pi) - 2 * np.log(-z) - 3 / z**2
    np.testing.assert_allclose(value[:1], asym[:1], rtol=1e-8)
    np.testing.assert_allclose(grad, -z - 2 / z + 6 / z**3, rtol=1e-7)
    assert np.diff(value[1:3])[0] < 0  # continuous and decreasing across the branch switch
    # the gradient points towards improvement: a finite-difference check at z = -40
    eps = 1e-5
    fd = (log_h(np.array([-40 + eps]))[0] - log_h(np.array([-40 - eps]))[0]) / (2 * eps)
    assert grad[0] == pytest.approx(fd[0], rel=1e-6)


@pytest.mark.parametrize("z", [3.0, 0.0, -0.999, -1.001, -5.0, -37.0, -900.0])
def test_log_h_derivative_matches_finite_differences(z):
    eps = 1e-6 * max(1.0, abs(z))
    fd = (log_h(np.array([z + eps]))[0] - log_h(np.array([z - eps]))[0]) / (2 * eps)
    assert log_h(np.array([z]))[1][0] == pytest.approx(fd[0], rel=1e-6)


@pytest.mark.parametrize("acq", ACQUISITIONS, ids=lambda a: a.name)
def test_gradients_wrt_mean_and_variance(acq, rng):
    mu, var = rng.normal(size=8), rng.uniform(0.05, 2.0, 8)
    _, dmu, dvar = acq(mu, var)
    eps = 1e-6
    np.testing.assert_allclose(
        dmu, (acq(mu + eps, var)[0] - acq(mu - eps, var)[0]) / (2 * eps), rtol=1e-5, atol=1e-8
    )
    np.testing.assert_allclose(
        dvar, (acq(mu, var + eps)[0] - acq(mu, var - eps)[0]) / (2 * eps), rtol=1e-5, atol=1e-8
    )


@pytest.fixture
def gp(rng):
    X = rng.random((15, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1]
    return GaussianProcess(Constant(1.0) * Matern([0.3, 0.5]), noise=1e-5).fit(X, y, optimize=False)


@pytest.mark.parametrize("name", ["logei", "ei", "pi", "lcb"])
def test_gradient_wrt_x_matches_finite_differences(name, gp, rng):
    acq = make_acquisition(name, float(gp.standardize_y(gp.y_train).min()))
    X = rng.random((6, 2))
    _, grad = acquisition_and_gradient(gp, acq, X)
    eps = 1e-6
    for j in range(2):
        up, down = X.copy(), X.copy()
        up[:, j] += eps
        down[:, j] -= eps
        fd = (
            acquisition_and_gradient(gp, acq, up, False)[0]
            - acquisition_and_gradient(gp, acq, down, False)[0]
        ) / (2 * eps)
        np.testing.assert_allclose(grad[:, j], fd, rtol=1e-4, atol=1e-6)


def test_unknown_acquisition_is_refused():
    with pytest.raises(ValueError, match="acquisition"):
        make_acquisition("ucb", 0.0)
    with pytest.raises(ValueError, match="beta"):
        LCB(-1.0)
