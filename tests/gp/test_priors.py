"""Priors on GP log-hyperparameters: densities against scipy.stats, gradients, defaults."""

import math

import numpy as np
import pytest
from scipy import stats

from hpo.gp.priors import (
    LENGTHSCALE_PRIOR,
    NOISE_PRIOR,
    SIGNAL_PRIOR,
    HyperPrior,
    LogNormal,
    default_prior,
    dimension_scaled_lengthscale_prior,
    lengthscale_prior,
)

PRIORS = [LogNormal(0.0, 1.0), LogNormal(0.7, 0.3), LogNormal(math.log(1e-3), 2.5)]
THETA = np.linspace(-9.0, 4.0, 27)


def central_difference(f, theta, h=1e-6):
    """``df/dtheta_i`` by ``(f(theta + h e_i) - f(theta - h e_i)) / 2h``."""
    theta = np.asarray(theta, dtype=float)
    grad = np.empty_like(theta)
    for i in range(len(theta)):
        e = np.zeros_like(theta)
        e[i] = h
        grad[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return grad


@pytest.mark.parametrize("prior", PRIORS, ids=repr)
def test_log_density_is_the_normal_logpdf_of_theta_up_to_a_constant(prior):
    value, _ = prior.log_density(THETA)
    reference = stats.norm(loc=prior.mu, scale=prior.sigma).logpdf(THETA)
    offset = value - reference
    np.testing.assert_allclose(offset, offset[0], rtol=0, atol=1e-10)
    # the constant the module drops is exactly the normalizer, so the mode is at 0
    np.testing.assert_allclose(offset[0], math.log(prior.sigma) + 0.5 * math.log(2 * math.pi))


@pytest.mark.parametrize("prior", PRIORS, ids=repr)
def test_theta_density_is_the_lognormal_of_h_times_its_jacobian(prior):
    # p_theta(theta) = p_h(exp(theta)) * exp(theta): a log-normal on h, in log space
    h = np.exp(THETA)
    lognormal = stats.lognorm(s=prior.sigma, scale=math.exp(prior.mu))
    reference = lognormal.logpdf(h) + THETA
    value, _ = prior.log_density(THETA)
    offset = value - reference
    np.testing.assert_allclose(offset, offset[0], rtol=0, atol=1e-9)
    assert lognormal.median() == pytest.approx(math.exp(prior.mu))


@pytest.mark.parametrize("prior", PRIORS, ids=repr)
def test_log_density_gradient_matches_central_differences(prior):
    _, grad = prior.log_density(THETA)
    # elementwise, so one difference per point: (f(theta + h) - f(theta - h)) / 2h
    h = 1e-6
    numeric = (prior.log_density(THETA + h)[0] - prior.log_density(THETA - h)[0]) / (2 * h)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
    # the maximum of the density sits at mu
    value, grad_at_mu = prior.log_density(np.array([prior.mu]))
    assert value[0] == 0.0 and grad_at_mu[0] == 0.0


def test_log_density_keeps_the_shape_of_its_input():
    prior = LogNormal(0.0, 1.0)
    value, grad = prior.log_density(np.zeros((3, 2)))
    assert value.shape == grad.shape == (3, 2)
    value, grad = prior.log_density(0.5)
    assert np.ndim(value) == 0 and float(value) == pytest.approx(-0.125)
    assert float(grad) == pytest.approx(-0.5)


def test_samples_follow_the_prior_and_repeat_with_the_same_rng():
    prior = LogNormal(-1.0, 0.5)
    draws = prior.sample(np.random.default_rng(0), 20_000)
    assert draws.shape == (20_000,)
    # 20 000 draws: the mean is within 4 standard errors (0.5 / sqrt(20 000) = 0.0035)
    assert abs(draws.mean() + 1.0) < 0.015
    assert abs(draws.std() - 0.5) < 0.015
    assert stats.kstest(draws, stats.norm(-1.0, 0.5).cdf).pvalue > 1e-3
    again = prior.sample(np.random.default_rng(0), 20_000)
    np.testing.assert_array_equal(draws, again)
    assert not np.array_equal(draws, prior.sample(np.random.default_rng(1), 20_000))


# -- HyperPrior ---------------------------------------------------------------------------

MIXED = HyperPrior((LogNormal(0.0, 1.0), None, LogNormal(0.5, 2.0), None))


def test_hyperprior_sums_its_entries_and_flat_ones_add_nothing():
    theta = np.array([0.3, -7.0, 1.1, 12.0])
    value, grad = MIXED.log_density(theta)
    a, ga = LogNormal(0.0, 1.0).log_density(theta[0])
    b, gb = LogNormal(0.5, 2.0).log_density(theta[2])
    assert isinstance(value, float)
    assert value == pytest.approx(float(a) + float(b))
    np.testing.assert_allclose(grad, [ga, 0.0, gb, 0.0])
    # moving a flat entry changes nothing
    moved = theta.copy()
    moved[[1, 3]] = [100.0, -100.0]
    assert MIXED.log_density(moved)[0] == value


def test_hyperprior_gradient_matches_central_differences():
    theta = np.array([0.3, -7.0, 1.1, 12.0])
    _, grad = MIXED.log_density(theta)
    numeric = central_difference(lambda t: MIXED.log_density(t)[0], theta)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_hyperprior_of_flat_priors_is_zero():
    value, grad = HyperPrior((None, None)).log_density(np.array([3.0, -4.0]))
    assert value == 0.0
    np.testing.assert_array_equal(grad, [0.0, 0.0])


def test_hyperprior_sample_and_mode_keep_flat_entries():
    theta = np.array([9.0, -7.0, 9.0, 12.0])
    draw = MIXED.sample(np.random.default_rng(0), theta)
    assert draw[1] == -7.0 and draw[3] == 12.0
    assert draw[0] != 9.0 and draw[2] != 9.0
    np.testing.assert_array_equal(draw, MIXED.sample(np.random.default_rng(0), theta))
    np.testing.assert_array_equal(MIXED.mode(theta), [0.0, -7.0, 0.5, 12.0])
    # neither returns a view of its input nor changes it
    assert theta.tolist() == [9.0, -7.0, 9.0, 12.0]


def test_hyperprior_sample_draws_each_entry_from_its_own_prior():
    prior = HyperPrior((LogNormal(-3.0, 0.1), LogNormal(4.0, 0.1)))
    rng = np.random.default_rng(3)
    draws = np.array([prior.sample(rng, np.zeros(2)) for _ in range(500)])
    np.testing.assert_allclose(draws.mean(axis=0), [-3.0, 4.0], atol=0.03)
    np.testing.assert_allclose(draws.std(axis=0), [0.1, 0.1], rtol=0.15)


# -- the defaults the module documents ----------------------------------------------------


def test_default_prior_follows_the_hyperparameter_order():
    prior = default_prior(n_lengthscales=3, dim=3)
    assert prior.priors == (SIGNAL_PRIOR, *[LENGTHSCALE_PRIOR] * 3, NOISE_PRIOR)
    without_noise = default_prior(n_lengthscales=2, dim=5, fit_noise=False)
    assert without_noise.priors == (SIGNAL_PRIOR, LENGTHSCALE_PRIOR, LENGTHSCALE_PRIOR)


def test_documented_default_constants():
    assert SIGNAL_PRIOR == LogNormal(0.0, 1.0)
    assert NOISE_PRIOR.mu == pytest.approx(math.log(1e-3)) and NOISE_PRIOR.sigma == 2.5
    assert LENGTHSCALE_PRIOR == LogNormal(0.0, 1.5)
    # "a median of 1 ... with 95 % of the mass between 0.05 and 19"
    h = stats.lognorm(s=LENGTHSCALE_PRIOR.sigma, scale=math.exp(LENGTHSCALE_PRIOR.mu))
    assert h.median() == pytest.approx(1.0)
    low, high = h.ppf([0.025, 0.975])
    assert round(low, 2) == 0.05 and round(high) == 19
    # "dim unused"
    assert lengthscale_prior(1) == lengthscale_prior(40) == LENGTHSCALE_PRIOR


@pytest.mark.parametrize("dim", [1, 2, 6, 50])
def test_dimension_scaled_prior_of_hvarfner_et_al(dim):
    prior = dimension_scaled_lengthscale_prior(dim)
    assert prior.mu == pytest.approx(math.sqrt(2) + math.log(dim) / 2)
    assert prior.sigma == pytest.approx(math.sqrt(3))
    # "median about 4.1 sqrt(d)"
    assert math.exp(prior.mu) / math.sqrt(dim) == pytest.approx(4.1, abs=0.02)


def test_dimension_scaled_prior_treats_dimension_zero_as_one():
    assert dimension_scaled_lengthscale_prior(0) == dimension_scaled_lengthscale_prior(1)


def test_priors_are_immutable_values():
    prior = LogNormal(0.0, 1.0)
    with pytest.raises(AttributeError):
        prior.mu = 1.0  # type: ignore[misc]
    assert prior == LogNormal(0.0, 1.0) and hash(prior) == hash(LogNormal(0.0, 1.0))


@pytest.mark.parametrize(("mu", "sigma"), [(0.0, 0.0), (0.0, -1.0), (np.nan, 1.0), (0.0, np.inf)])
def test_lognormal_refuses_a_degenerate_or_invalid_scale(mu, sigma):
    with pytest.raises(ValueError, match="sigma > 0"):
        LogNormal(mu, sigma)


def test_tight_lengthscale_prior_has_the_default_median_and_less_mass_at_short_scales():
    from hpo.gp.priors import LENGTHSCALE_PRIOR, tight_lengthscale_prior

    tight = tight_lengthscale_prior(5)
    assert tight == tight_lengthscale_prior(50)  # dim unused
    assert tight.mu == LENGTHSCALE_PRIOR.mu and tight.sigma < LENGTHSCALE_PRIOR.sigma
    rng = np.random.default_rng(0)
    h = np.exp(tight.sample(rng, 20_000))
    assert np.mean(h < 0.05) < 1e-3 < np.mean(np.exp(LENGTHSCALE_PRIOR.sample(rng, 20_000)) < 0.05)
