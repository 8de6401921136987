import numpy as np
import pytest

from hpo import hypervolume
from hpo.moo.acquisition import (
    chebyshev_weights,
    expected_hypervolume_improvement,
    log_ehvi_and_gradient,
    parego_scalarize,
)

FRONT = np.array([[0.2, 0.9], [0.5, 0.5], [0.8, 0.1], [0.6, 0.7]])  # the last is dominated
REF = np.array([1.0, 1.0])


def monte_carlo_ehvi(mu, sigma, front, ref, n, rng):
    base = hypervolume(front, ref)
    Y = mu + sigma * rng.standard_normal((n, 2))
    return np.mean([hypervolume(np.vstack([front, y]), ref) - base for y in Y])


@pytest.mark.parametrize(
    ("mu", "sigma"),
    [([0.4, 0.4], [0.1, 0.2]), ([0.9, 0.9], [0.3, 0.3]), ([0.1, 1.2], [0.2, 0.2])],
)
def test_closed_form_matches_monte_carlo(mu, sigma):
    rng = np.random.default_rng(0)
    mu, sigma = np.array(mu), np.array(sigma)
    exact = expected_hypervolume_improvement(mu[None], sigma[None], FRONT, REF)[0]
    estimate = monte_carlo_ehvi(mu, sigma, FRONT, REF, 8_000, rng)
    assert exact == pytest.approx(estimate, rel=0.05, abs=3e-4)


def monte_carlo_boxed_ehvi(mu, sigma, front, ref, lower, n, rng):
    # the improvement inside the box [lower, ref]: a sample below the box counts at its corner
    base = hypervolume(front, ref)
    Y = np.maximum(mu + sigma * rng.standard_normal((n, 2)), lower)
    return np.mean([hypervolume(np.vstack([front, y]), ref) - base for y in Y])


@pytest.mark.parametrize(
    ("mu", "sigma"), [([0.4, 0.4], [0.1, 0.2]), ([0.1, 0.3], [0.3, 0.3]), ([-0.2, 1.2], [0.2, 0.4])]
)
def test_lower_corner_matches_monte_carlo_and_bounds_the_gain(mu, sigma):
    rng = np.random.default_rng(1)
    mu, sigma, lower = np.array(mu), np.array(sigma), np.array([0.1, 0.0])
    exact = expected_hypervolume_improvement(mu[None], sigma[None], FRONT, REF, lower=lower)[0]
    estimate = monte_carlo_boxed_ehvi(mu, sigma, FRONT, REF, lower, 8_000, rng)
    assert exact == pytest.approx(estimate, rel=0.05, abs=3e-4)
    assert exact <= expected_hypervolume_improvement(mu[None], sigma[None], FRONT, REF)[0]


@pytest.mark.parametrize("lower", [None, np.array([-0.1, 0.05])])
def test_gradient_matches_finite_differences(lower):
    rng = np.random.default_rng(2)
    mu = rng.normal(0.5, 0.6, size=(40, 2))
    mu[:4] += 4.0  # far beyond the front: EHVI underflows, its log does not
    sigma = rng.uniform(0.02, 0.5, size=(40, 2))
    value, dmu, dsigma = log_ehvi_and_gradient(mu, sigma, FRONT, REF, lower=lower)

    def log_ehvi(m, s):
        return expected_hypervolume_improvement(m, s, FRONT, REF, log=True, lower=lower)

    np.testing.assert_allclose(value, log_ehvi(mu, sigma), rtol=1e-12)
    h = 1e-6
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        fd_mu = (log_ehvi(mu + e, sigma) - log_ehvi(mu - e, sigma)) / (2 * h)
        fd_sigma = (log_ehvi(mu, sigma + e) - log_ehvi(mu, sigma - e)) / (2 * h)
        np.testing.assert_allclose(dmu[:, j], fd_mu, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(dsigma[:, j], fd_sigma, rtol=1e-5, atol=1e-6)


def test_log_form_agrees_and_stays_finite_far_away():
    mu = np.array([[0.4, 0.4], [3.0, 3.0], [40.0, 40.0]])
    sigma = np.full((3, 2), 0.1)
    plain = expected_hypervolume_improvement(mu, sigma, FRONT, REF)
    logged = expected_hypervolume_improvement(mu, sigma, FRONT, REF, log=True)
    assert np.log(plain[0]) == pytest.approx(logged[0], rel=1e-10)
    assert plain[2] == 0.0 and np.isfinite(logged[2])  # underflows, yet still ranked
    assert logged[1] > logged[2]


def test_empty_front_is_the_expected_dominated_box():
    # with no front the improvement is (r1 - Y1)+ (r2 - Y2)+, a product of two EIs
    from scipy.stats import norm

    mu, sigma = np.array([[0.3, 0.6]]), np.array([[0.2, 0.1]])
    psi = [
        (REF[j] - mu[0, j]) * norm.cdf((REF[j] - mu[0, j]) / sigma[0, j])
        + sigma[0, j] * norm.pdf((REF[j] - mu[0, j]) / sigma[0, j])
        for j in range(2)
    ]
    value = expected_hypervolume_improvement(mu, sigma, np.zeros((0, 2)), REF)[0]
    assert value == pytest.approx(psi[0] * psi[1], rel=1e-12)


def test_chebyshev_weights_are_uniform_on_the_lattice():
    rng = np.random.default_rng(1)
    draws = [tuple(chebyshev_weights(2, rng)) for _ in range(11_000)]
    lattice = {(i / 10, (10 - i) / 10) for i in range(11)}
    counts = {w: draws.count(w) for w in lattice}
    assert set(draws) <= lattice
    assert min(counts.values()) > 800 and max(counts.values()) < 1200
    three = {tuple(chebyshev_weights(3, rng)) for _ in range(3000)}
    assert len(three) == 15 and all(abs(sum(w) - 1) < 1e-12 for w in three)  # C(6, 2)


def test_parego_scalarization_by_hand():
    Y = np.array([[0.0, 10.0], [1.0, 0.0], [0.5, 5.0]])
    w = np.array([0.5, 0.5])
    # normalized: (0, 1), (1, 0), (0.5, 0.5); max + 0.05 sum of the weighted parts
    expected = [0.5 + 0.05 * 0.5, 0.5 + 0.05 * 0.5, 0.25 + 0.05 * 0.5]
    assert parego_scalarize(Y, w) == pytest.approx(expected)
    # a weight on one objective ranks by that objective (ties broken by the rho term)
    assert np.argsort(parego_scalarize(Y, np.array([1.0, 0.0]))).tolist() == [0, 2, 1]
