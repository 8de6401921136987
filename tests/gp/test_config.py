"""GPConfig: the quadratic option (a polynomial part added to the default kernel)."""

import numpy as np
import pytest

from hpo import BayesianOptimization, Real, Space
from hpo.gp.config import GPConfig
from hpo.gp.kernels import Constant, Matern, Polynomial, Product, Sum
from hpo.gp.priors import NOISE_PRIOR, POLYNOMIAL_VARIANCE_PRIOR, quadratic_prior
from hpo.optimizers.bayes import _lengthscales


@pytest.mark.parametrize("deterministic", [True, False])
def test_quadratic_builds_the_default_kernel_plus_a_polynomial_with_one_prior_each(
    deterministic,
):
    gp = GPConfig(quadratic=True).make_gp(4, deterministic)
    k = gp.kernel
    assert isinstance(k, Sum) and isinstance(k.k1, Product) and isinstance(k.k2, Polynomial)
    assert isinstance(k.k1.k1, Constant) and isinstance(k.k1.k2, Matern)
    assert len(k.k1.k2.lengthscale) == 4 and k.k2.degree == 2
    # one prior per hyperparameter: c, 4 lengthscales, v, s, and the noise when fitted
    assert len(gp.prior.priors) == len(gp.eta) == 1 + 4 + 2 + (not deterministic)
    assert gp.prior.priors[5] == POLYNOMIAL_VARIANCE_PRIOR
    assert (gp.prior.priors[-1] == NOISE_PRIOR) is (not deterministic)


def test_the_default_is_unchanged():
    assert GPConfig().quadratic is False
    assert GPConfig().make_gp(3, True).kernel is None  # the GP's own default kernel


def test_quadratic_refuses_a_kernel_and_non_booleans():
    with pytest.raises(ValueError, match="quadratic"):
        GPConfig(quadratic=True, kernel=Matern(1.0))
    with pytest.raises(TypeError, match="quadratic"):
        GPConfig(quadratic=1)  # type: ignore[arg-type]


def test_quadratic_prior_keeps_a_given_lengthscale_prior():
    from hpo.gp.priors import LogNormal

    ls = LogNormal(1.0, 0.5)
    prior = quadratic_prior(3, fit_noise=False, lengthscale=ls)
    assert prior.priors[1:4] == (ls, ls, ls) and len(prior.priors) == 6


def test_quadratic_fits_a_rotated_bowl_better_than_the_stationary_kernel(rng):
    # a rotated, ill-conditioned quadratic: the polynomial part takes most of the variance
    # and predicts far better than the default kernel from the same 40 points
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A = Q @ np.diag([1.0, 30.0, 1000.0]) @ Q.T
    x0 = np.array([0.6, 0.4, 0.55])

    def bowl(X):
        D = X - x0
        return np.einsum("ij,jk,ik->i", D, A, D)

    X, Xs = rng.random((40, 3)), rng.random((200, 3))
    errors = {}
    for quadratic in (False, True):
        gp = GPConfig(quadratic=quadratic).make_gp(3, True)
        gp.fit(X, bowl(X), rng=np.random.default_rng(0), n_restarts=3)
        errors[quadratic] = np.sqrt(np.mean((gp.predict(Xs) - bowl(Xs)) ** 2))
    assert errors[True] < 0.1 * errors[False]


def test_bayes_runs_with_the_quadratic_kernel_and_the_trust_region_sees_its_lengthscales():
    space = Space({f"x{i}": Real(-1.0, 1.0) for i in range(3)})
    opt = BayesianOptimization(
        space, seed=0, n_initial=6, gp={"quadratic": True}, trust_region=True
    )
    for _ in range(12):
        params = opt.ask()
        opt.tell(params, sum((v - 0.3) ** 2 for v in params.values()))
    assert isinstance(opt.gp.kernel.k2, Polynomial)
    # the trust region's box follows the Matern lengthscales (not a cube), as by default
    np.testing.assert_array_equal(_lengthscales(opt.gp), opt.gp.kernel.k1.k2.lengthscale)
    assert opt.trials[-1].info["trust_region"] is not None


def test_search_spread_is_validated_and_off_by_default():
    assert GPConfig().search_spread == 0
    assert GPConfig(search_integers="relaxed", search_spread=16).search_spread == 16
    for bad in (-1, 1, 2.0, True, "16"):
        with pytest.raises(ValueError, match="search_spread"):
            GPConfig(search_spread=bad)  # type: ignore[arg-type]
