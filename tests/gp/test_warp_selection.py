"""The output warping chosen by the warped-GP likelihood (hpo/gp/warp_selection.py)."""

import functools

import numpy as np
import pytest

from hpo import BayesianOptimization, Real, Space
from hpo.gp._standardize import Standardization
from hpo.gp.config import GPConfig
from hpo.gp.warp_selection import (
    DECIDE_EVERY,
    MIN_POINTS,
    log_jacobian,
    warp_by_likelihood,
    warp_every,
)
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


def test_warp_every_decides_at_multiples_and_keeps_the_choice_in_between(rng):
    X = rng.random((30, 3))
    values = np.exp(bowl(X) / 10)
    fits = []

    def counting_make():
        fits.append(1)
        return MAKE()

    last, decided_on = None, []
    for n in range(MIN_POINTS - 2, 30):
        before = len(fits)
        w, last = warp_every(values[:n], X[:n], counting_make, last)
        np.testing.assert_array_equal(w, log_jacobian(values[:n], last[0])[0])
        if len(fits) > before:
            decided_on.append(n)
            assert last == (warp_by_likelihood(values[:n], X[:n], MAKE)[1], n)
    # the first decision with enough values, then each new multiple of DECIDE_EVERY
    assert DECIDE_EVERY == 4 and decided_on == [10, 12, 16, 20, 24, 28]
    assert len(fits) == 2 * len(decided_on)  # one fit per candidate, at decisions only


def test_warp_every_with_every_one_is_warp_by_likelihood_and_rejects_bad_every(rng):
    X = rng.random((14, 3))
    values = bowl(X) + np.exp(5 * X[:, 0])
    last = None
    for n in range(MIN_POINTS, 14):
        w, last = warp_every(values[:n], X[:n], MAKE, last, every=1)
        expected = warp_by_likelihood(values[:n], X[:n], MAKE)
        assert last == (expected[1], n)
        np.testing.assert_array_equal(w, expected[0])
    for bad in (0, 2.0, True):
        with pytest.raises(ValueError, match="every"):
            warp_every(values, X, MAKE, None, every=bad)


def test_bayes_with_likelihood_every_models_the_decided_warping_and_resumes(tmp_path):
    space = Space({f"x{i}": Real(0.0, 1.0) for i in range(3)})

    def run(opt, steps):
        for _ in range(steps):
            params = opt.ask()
            opt.tell(params, float(np.exp(bowl(np.array([list(params.values())]))[0] / 10)))
        return opt

    opt = run(
        BayesianOptimization(
            space, seed=0, n_initial=5, deterministic=True, output_warping="likelihood-every"
        ),
        14,
    )
    opt.predict({"x0": 0.5, "x1": 0.5, "x2": 0.5})  # the fit ahead of the next ask
    opt.ask()  # adopts it: fitted on 14 values, the warping decided on 12
    values = np.array([t.value for t in opt.completed])
    method, n = opt._warping
    assert n == 12 and method == warp_by_likelihood(values[:12], opt.gp.X_train[:12], MAKE)[1]
    np.testing.assert_array_equal(opt.gp.y_train, log_jacobian(values, method)[0])
    opt.save(tmp_path / "opt.pkl")  # a saved run resumes with its decision
    loaded = BayesianOptimization.load(tmp_path / "opt.pkl")
    assert loaded._warping == opt._warping
    del loaded.__dict__["_warping"]  # as saved before the option existed
    loaded.save(tmp_path / "old.pkl")
    assert BayesianOptimization.load(tmp_path / "old.pkl")._warping is None
