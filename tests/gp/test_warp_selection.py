"""The output warping chosen by the warped-GP likelihood (hpo/gp/warp_selection.py)."""

import functools

import numpy as np
import pytest

from hpo import BayesianOptimization, Real, Space
from hpo.gp._standardize import Standardization
from hpo.gp.config import GPConfig
from hpo.gp.warp_selection import MIN_POINTS, log_jacobian, warp_by_likelihood
from hpo.gp.warping import fit_yeo_johnson, warp, yeo_johnson

MAKE = functools.partial(GPConfig().make_gp, 3, True)


def bowl(X):
    return 1.0 + np.sum((X - 0.4) ** 2 * np.array([1.0, 10.0, 100.0]), axis=1)


@pytest.mark.parametrize("method", ["yeo-johnson", "none"])
def test_warped_values_are_those_of_warp(rng, method):
    v = np.exp(3 * rng.normal(size=30))
    np.testing.assert_allclose(log_jacobian(v, method)[0], warp(v, method), rtol=0, atol=0)


def test_log_derivative_matches_central_differences_with_the_fitted_transform_held(rng):
    v = np.concatenate([np.exp(2 * rng.normal(size=25)), -rng.random(5)])
    std = Standardization.of(v)
    lam = fit_yeo_johnson(std(v))
    eps = 1e-6 * np.maximum(np.abs(v), 1.0)
    fd = (yeo_johnson(std(v + eps), lam) - yeo_johnson(std(v - eps), lam)) / (2 * eps)
    np.testing.assert_allclose(log_jacobian(v, "yeo-johnson")[1], np.log(fd), atol=1e-6)
    assert np.all(log_jacobian(v, "none")[1] == 0.0)


def test_a_quadratic_bowl_keeps_its_values_and_a_log_bowl_is_warped(rng):
    X = rng.random((40, 3))
    w, method = warp_by_likelihood(bowl(X), X, MAKE)
    assert method == "none" and np.array_equal(w, bowl(X))
    # exp of a bowl spans decades: Yeo-Johnson's log-like transform makes it a bowl again
    w, method = warp_by_likelihood(np.exp(bowl(X) / 10), X, MAKE)
    assert method == "yeo-johnson"
    np.testing.assert_array_equal(w, warp(np.exp(bowl(X) / 10), "yeo-johnson"))


def test_few_values_keep_the_first_candidate_and_bad_candidates_are_refused(rng):
    X = rng.random((MIN_POINTS - 1, 3))
    assert warp_by_likelihood(bowl(X), X, MAKE)[1] == "yeo-johnson"
    assert warp_by_likelihood(bowl(X), X, MAKE, candidates=("none",))[1] == "none"
    with pytest.raises(ValueError, match="candidates"):
        warp_by_likelihood(bowl(X), X, MAKE, candidates=())
    with pytest.raises(ValueError, match="method"):
        log_jacobian(bowl(X), "copula")


def test_bayes_models_the_values_under_the_chosen_warping():
    space = Space({f"x{i}": Real(0.0, 1.0) for i in range(3)})
    opt = BayesianOptimization(
        space, seed=0, n_initial=5, deterministic=True, output_warping="likelihood"
    )
    for _ in range(13):
        params = opt.ask()
        opt.tell(params, float(bowl(np.array([list(params.values())]))[0]))
    opt.ask()  # fitted on the 13 values
    values = np.array([t.value for t in opt.completed])
    expected = warp_by_likelihood(values, opt.gp.X_train, MAKE)[0]
    np.testing.assert_allclose(opt.gp.y_train, expected, rtol=0, atol=0)
    with pytest.raises(ValueError, match="output_warping"):
        BayesianOptimization(space, output_warping="likely")
