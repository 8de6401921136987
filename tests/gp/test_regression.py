"""GP regression: scikit-learn's posterior, R&W's likelihood gradient, robustness."""

import warnings

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as sk

from hpo.exceptions import NumericalWarning
from hpo.gp.kernels import RBF, Constant, Matern, Polynomial
from hpo.gp.regression import GaussianProcess, cholesky_jitter

LS = np.array([0.3, 0.5, 0.9])


def f(X):
    return np.sin(6 * X[:, 0]) + X[:, 1] ** 2 - X[:, 2]


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
def test_posterior_equals_scikit_learn_with_a_fixed_kernel(rng, normalize, nu):
    X, Xs = rng.random((25, 3)), rng.random((40, 3))
    y = 3.0 + 10 * f(X)
    gp = GaussianProcess(
        Constant(1.7) * Matern(LS, nu=nu), noise=1e-3, fit_noise=False, standardize=normalize
    ).fit(X, y, optimize=False)
    ref = GaussianProcessRegressor(
        sk.ConstantKernel(1.7) * sk.Matern(LS, nu=nu),
        alpha=1e-3,
        optimizer=None,
        normalize_y=normalize,
    ).fit(X, y)
    mean, var = gp.predict(Xs, return_var=True)
    ref_mean, ref_std = ref.predict(Xs, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=0, atol=1e-8)
    np.testing.assert_allclose(var, ref_std**2, rtol=0, atol=1e-8)
    assert gp.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood_value_)


@pytest.mark.parametrize("prior", ["default", None])
@pytest.mark.parametrize("density", ["log_posterior", "log_marginal_likelihood"])
def test_log_density_gradients_match_finite_differences(rng, prior, density):
    X = rng.random((15, 3))
    gp = GaussianProcess(prior=prior).fit(X, f(X), optimize=False)
    evaluate = getattr(gp, density)
    eta = np.log([1.3, 0.4, 0.6, 1.1, 1e-3])
    _, grad = evaluate(eta, gradient=True)
    eps = 1e-6
    for i in range(len(eta)):
        up, down = eta.copy(), eta.copy()
        up[i] += eps
        down[i] -= eps
        numeric = (evaluate(up) - evaluate(down)) / (2 * eps)
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_log_posterior_adds_the_prior_density(rng):
    X = rng.random((15, 3))
    gp = GaussianProcess().fit(X, f(X), optimize=False)
    eta = np.log([1.3, 0.4, 0.6, 1.1, 1e-3])
    log_prior, _ = gp._prior().log_density(eta)
    assert gp.log_posterior(eta) == pytest.approx(gp.log_marginal_likelihood(eta) + log_prior)
    bare = GaussianProcess(prior=None).fit(X, f(X), optimize=False)
    assert bare.log_posterior(eta) == pytest.approx(bare.log_marginal_likelihood(eta))


def test_log_marginal_likelihood_at_other_hyperparameters_equals_scikit_learn(rng):
    X = rng.random((25, 3))
    y = 3.0 + 10 * f(X)
    gp = GaussianProcess(Constant(1.7) * Matern(LS, nu=2.5), noise=1e-3, fit_noise=False)
    gp.fit(X, y, optimize=False)
    ref = GaussianProcessRegressor(
        sk.ConstantKernel(1.7) * sk.Matern(LS, nu=2.5),
        alpha=1e-3,
        optimizer=None,
        normalize_y=True,
    ).fit(X, y)
    # both order theta as [log constant, log lengthscales]
    for eta in (np.log([1.7, *LS]), np.log([0.5, 0.2, 1.0, 2.0])):
        expected, expected_grad = ref.log_marginal_likelihood(eta, eval_gradient=True)
        value, grad = gp.log_marginal_likelihood(eta, gradient=True)
        assert value == pytest.approx(expected, rel=1e-9)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-7, atol=1e-9)
    assert gp.log_marginal_likelihood(gp.eta) == pytest.approx(gp.log_marginal_likelihood())


def test_evaluating_the_log_densities_leaves_the_model_unchanged(rng):
    X, Xs = rng.random((20, 3)), rng.random((5, 3))
    gp = GaussianProcess().fit(X, f(X), rng=rng)
    eta, L, alpha, mean = gp.eta.copy(), gp.L.copy(), gp.alpha.copy(), gp.predict(Xs)
    other = eta + 0.7
    gp.log_marginal_likelihood(other, gradient=True)
    gp.log_posterior(other)
    np.testing.assert_array_equal(gp.eta, eta)
    np.testing.assert_array_equal(gp.L, L)
    np.testing.assert_array_equal(gp.alpha, alpha)
    np.testing.assert_array_equal(gp.predict(Xs), mean)
    with pytest.raises(ValueError, match="eta must have 5 entries"):
        gp.log_marginal_likelihood(eta[:2])
    with pytest.raises(RuntimeError, match="fit first"):
        GaussianProcess().log_marginal_likelihood()


def test_public_compute_methods_hold_one_blas_thread(rng, monkeypatch):
    from hpo.gp import _threads, regression

    depths = []

    def recording(function):
        def wrapper(*args, **kwargs):
            depths.append(getattr(_threads._STATE, "depth", 0))
            return function(*args, **kwargs)

        return wrapper

    for name in ("cho_solve_lower", "solve_lower", "log_marginal_likelihood"):
        monkeypatch.setattr(regression, name, recording(getattr(regression, name)))
    X = rng.random((10, 2))
    gp = GaussianProcess().fit(X, f(np.hstack([X, X[:, :1]])), optimize=False)
    calls = [
        lambda: gp.predict(X[:3], return_var=True),
        lambda: gp.posterior(X[:3], gradient=True),
        lambda: gp.log_marginal_likelihood(),
        lambda: gp.log_marginal_likelihood(gp.eta, gradient=True),
        lambda: gp.log_posterior(gp.eta),
        lambda: gp.add_observations(X[:1] + 0.01, [0.0]),
        lambda: gp.set_targets(gp.y_train),
    ]
    for call in calls:
        depths.clear()
        call()
        assert depths and min(depths) >= 1


def test_map_fit_improves_the_posterior_and_predicts_well(rng):
    X, Xs = rng.random((40, 3)), rng.random((200, 3))
    gp = GaussianProcess()
    gp.fit(X, f(X), optimize=False)
    before = gp.log_posterior()
    gp.fit(X, f(X), rng=rng, n_restarts=2)
    after = gp.log_posterior()
    assert after > before
    rmse = np.sqrt(np.mean((gp.predict(Xs) - f(Xs)) ** 2))
    assert rmse < 0.1 * np.std(f(Xs))
    assert set(gp.hyperparameters) == {
        "k1.constant",
        "k2.lengthscale_0",
        "k2.lengthscale_1",
        "k2.lengthscale_2",
        "noise",
    }


@pytest.mark.parametrize("quadratic", [False, True])
def test_posterior_gradients_match_finite_differences(rng, quadratic):
    X = rng.random((20, 3))
    kernel = Constant(2.0) * RBF(LS)  # with a Polynomial, k(x, x) depends on x
    kernel = kernel + Polynomial(0.5, 0.3) if quadratic else kernel
    gp = GaussianProcess(kernel, noise=1e-4).fit(X, f(X), optimize=False)
    Xs = rng.random((6, 3))
    _, _, dmean, dvar = gp.posterior(Xs, gradient=True)
    eps = 1e-6
    for j in range(3):
        up, down = Xs.copy(), Xs.copy()
        up[:, j] += eps
        down[:, j] -= eps
        (mu_u, v_u), (mu_d, v_d) = gp.posterior(up), gp.posterior(down)
        np.testing.assert_allclose(dmean[:, j], (mu_u - mu_d) / (2 * eps), atol=1e-6)
        np.testing.assert_allclose(dvar[:, j], (v_u - v_d) / (2 * eps), atol=1e-6)


def test_rank_k_update_equals_a_fresh_factorization(rng):
    X, Xn = rng.random((30, 3)), rng.random((4, 3))
    gp = GaussianProcess(Constant(1.0) * Matern(LS), noise=1e-4).fit(X, f(X), optimize=False)
    gp.add_observations(Xn, f(Xn))
    fresh = GaussianProcess(Constant(1.0) * Matern(LS), noise=1e-4)
    fresh.fit(np.vstack([X, Xn]), np.concatenate([f(X), f(Xn)]), optimize=False)
    fresh.set_targets(fresh.y_train)  # same standardization path
    np.testing.assert_allclose(gp.L, fresh.L, atol=1e-10)
    Xs = rng.random((5, 3))
    gp.set_targets(gp.y_train)
    np.testing.assert_allclose(gp.predict(Xs), fresh.predict(Xs), atol=1e-8)


@pytest.mark.parametrize(
    "case",
    ["duplicates", "constant", "huge_range", "single", "heavy_tail", "two_equal"],
)
def test_robust_on_awkward_data(rng, case):
    X = rng.random((20, 2))
    y = np.sin(5 * X[:, 0])
    if case == "duplicates":
        X = np.vstack([X, X[:5], X[:5]])
        y = np.concatenate([y, y[:5], y[:5] + 1e-3])
    elif case == "constant":
        y = np.full(20, 3.7)
    elif case == "huge_range":
        y = np.logspace(-8, 8, 20)
    elif case == "single":
        X, y = X[:1], y[:1]
    elif case == "heavy_tail":
        y = rng.standard_cauchy(20) ** 3
    elif case == "two_equal":
        X, y = np.vstack([X[:1], X[:1]]), np.array([1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        gp = GaussianProcess().fit(X, y, rng=rng, n_restarts=2)
    mean, var = gp.predict(rng.random((10, 2)), return_var=True)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(var)) and np.all(var >= 0)
    assert np.all(np.isfinite(gp.eta))


def test_escalating_jitter_factors_a_singular_matrix():
    v = np.array([1.0, 2.0, 3.0])
    K = np.outer(v, v)  # rank one
    L, jitter = cholesky_jitter(K)
    assert jitter > 0
    np.testing.assert_allclose(L @ L.T, K + jitter * np.eye(3), atol=1e-12)


def test_failed_fit_keeps_the_last_hyperparameters_and_warns(rng, monkeypatch):
    X = rng.random((10, 2))
    gp = GaussianProcess().fit(X, f(np.hstack([X, X[:, :1]])), rng=rng)
    eta = gp.eta.copy()

    def broken(*args, **kwargs):
        from hpo.gp.regression import _FitFailure

        raise _FitFailure("injected")

    monkeypatch.setattr(gp, "_log_density", broken)
    with pytest.warns(NumericalWarning, match="fit failed"):
        gp.fit(X, np.cos(X[:, 0]), rng=rng)
    np.testing.assert_allclose(gp.eta, eta, rtol=1e-12)
    assert np.all(np.isfinite(gp.predict(X)))


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="finite"):
        GaussianProcess().fit(np.zeros((2, 1)), [1.0, np.nan])
    with pytest.raises(ValueError, match="differ in length"):
        GaussianProcess().fit(np.zeros((2, 1)), [1.0])
    with pytest.raises(ValueError, match="noise"):
        GaussianProcess(noise=0.0)


# -- issue 14: fit without data, scale-free standardization ----------------------------------
def test_fit_without_data_raises():
    with pytest.raises(ValueError, match="at least one observation"):
        GaussianProcess().fit(np.empty((0, 2)), np.empty(0))


@pytest.mark.parametrize("c", [1e-20, 1e-15, 1e-3, 1e15, 1e20])
def test_the_model_is_invariant_to_rescaling_and_shifting_the_outputs(rng, c):
    """Before the fix a spread below 1e-12 was taken for a constant (1e-15 * y, 1e-20 * y)."""
    X, Xs = rng.random((15, 3)), rng.random((20, 3))
    y = 10 * f(X)
    ref = GaussianProcess().fit(X, y, rng=np.random.default_rng(0), n_restarts=2)
    gp = GaussianProcess().fit(X, c * y + 3 * c, rng=np.random.default_rng(0), n_restarts=2)
    np.testing.assert_allclose(gp.eta, ref.eta, atol=1e-6)
    mean, var = gp.predict(Xs, return_var=True)
    ref_mean, ref_var = ref.predict(Xs, return_var=True)
    np.testing.assert_allclose((mean - 3 * c) / c, ref_mean, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(var / c**2, ref_var, rtol=1e-5, atol=1e-8)


def test_huge_outputs_give_finite_predictions(rng):
    """np.std overflows beyond about 1e154 (its squares do): predictions were NaN."""
    X = rng.random((12, 2))
    y = np.sin(5 * X[:, 0]) * 1e300
    y[0] = 1.7e308
    gp = GaussianProcess().fit(X, y, rng=np.random.default_rng(0), n_restarts=1)
    mean = gp.predict(rng.random((5, 2)))
    assert np.all(np.isfinite(mean))
    assert np.all(np.isfinite(gp.standardize_y(gp.y_train)))
    gp.add_observations(X[:2] + 0.01, gp.predict(X[:2] + 0.01))  # a believer fantasy


def test_skip_restarts_skips_only_when_the_warm_start_stays_put() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((20, 3))
    y = np.sin(5 * X[:, 0]) + X[:, 1]
    gp = GaussianProcess().fit(X, y, rng=np.random.default_rng(1), n_restarts=2)
    assert gp.n_fit_starts == 3  # no previous fit to compare with: every start runs
    # the same data again: the warm start stays put, the restarts are skipped ...
    r1, r2 = np.random.default_rng(2), np.random.default_rng(2)
    eta = gp.eta.copy()
    gp.fit(X, y, rng=r1, n_restarts=2, skip_restarts=True)
    assert gp.n_fit_starts == 1
    assert np.allclose(gp.eta, eta, atol=0.05)
    # ... but still drawn, so the random stream is the one of a fit that ran them
    GaussianProcess().fit(X, y, rng=r2, n_restarts=2)
    assert r1.random() == r2.random()
    # data the warm start explains far worse: the restarts run
    gp.fit(X, np.sign(np.sin(40 * X[:, 2])), rng=r1, n_restarts=2, skip_restarts=True)
    assert gp.n_fit_starts == 3


def test_the_fits_log_prior_equals_the_priors_own_density_bit_for_bit():
    from hpo.gp.priors import default_prior
    from hpo.gp.regression import _fast_log_density

    rng = np.random.default_rng(0)
    for fit_noise in (False, True):
        prior = default_prior(5, 5, fit_noise)
        fast = _fast_log_density(prior)
        for scale in (0.1, 1.0, 30.0):
            for _ in range(50):
                theta = rng.normal(size=len(prior.priors)) * scale
                value, grad = prior.log_density(theta)
                fast_value, fast_grad = fast(theta)
                assert fast_value == value
                assert np.array_equal(fast_grad, grad)


def test_the_inverse_from_the_factor_is_the_symmetric_inverse(rng):
    from hpo.gp.regression import _inverse_from_cholesky, cholesky_jitter

    A = rng.random((15, 15))
    K = A @ A.T + 0.1 * np.eye(15)
    L, _ = cholesky_jitter(K, start=2)
    inv = _inverse_from_cholesky(L)
    assert np.array_equal(inv, inv.T)
    np.testing.assert_allclose(inv @ (L @ L.T), np.eye(15), atol=1e-8)


# -- warm_fit="bfgs": a warm fit that carries its inverse Hessian to the next one --------


def test_warm_bfgs_fits_reach_lbfgsb_posterior_with_fewer_evaluations():
    rng = np.random.default_rng(3)
    X = rng.random((60, 4))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.1 * np.cos(9 * X[:, 2])
    models = {
        w: GaussianProcess(noise=1e-6, fit_noise=False, warm_fit=w).fit(
            X[:40], y[:40], rng=np.random.default_rng(0), n_restarts=2
        )
        for w in ("lbfgsb", "bfgs")
    }
    evals = {w: [] for w in models}
    for n in range(41, 49):  # one more point per fit, warm-started, no restarts
        for w, gp in models.items():
            gp.fit(X[:n], y[:n], rng=np.random.default_rng(n))
            evals[w].append(gp.n_fit_evals)
        value = {w: gp.log_posterior() for w, gp in models.items()}
        # the same MAP to the fit's tolerance (gtol 1e-4 on the gradient)
        assert abs(value["bfgs"] - value["lbfgsb"]) < 1e-3
        # as close to stationary as L-BFGS-B's end (read without the fit's 1e-8 jitter)
        projected = {}
        for w, gp in models.items():
            _, grad = gp.log_posterior(gradient=True)
            eta, bounds = gp.eta, gp.eta_bounds
            projected[w] = np.max(np.abs(np.clip(eta + grad, *bounds.T) - eta))
        assert projected["bfgs"] <= 2 * projected["lbfgsb"] + 1e-4
    assert models["bfgs"]._hess_inv is not None
    assert sum(evals["bfgs"][1:]) < sum(evals["lbfgsb"][1:])


def test_warm_fit_is_checked_and_pickles_of_older_models_default_to_lbfgsb():
    import pickle

    with pytest.raises(ValueError, match="warm_fit"):
        GaussianProcess(warm_fit="newton")
    gp = GaussianProcess().fit(np.random.default_rng(0).random((6, 2)), np.arange(6.0))
    state = gp.__dict__.copy()
    del state["warm_fit"], state["_hess_inv"]
    old = GaussianProcess.__new__(GaussianProcess)
    old.__setstate__(state)
    assert old.warm_fit == "lbfgsb" and old._hess_inv is None
    assert pickle.loads(pickle.dumps(gp)).warm_fit == "lbfgsb"


def test_gp_config_fit_warm_and_search_gtol_are_checked_and_reach_the_model():
    from hpo.gp.config import GPConfig

    with pytest.raises(ValueError, match="fit_warm"):
        GPConfig(fit_warm="newton")
    with pytest.raises(ValueError, match="search_gtol"):
        GPConfig(search_gtol=0.0)
    assert GPConfig(fit_warm="lbfgsb").make_gp(3, True).warm_fit == "lbfgsb"
    assert GPConfig().make_gp(3, True).warm_fit == "bfgs"  # the default since 2026-12-01b


def test_bfgs_always_runs_the_warm_start_of_fits_with_restarts_by_bfgs():
    rng = np.random.default_rng(5)
    X = rng.random((30, 3))
    y = np.sin(5 * X[:, 0]) + X[:, 1]
    models = {w: GaussianProcess(warm_fit=w) for w in ("lbfgsb", "bfgs", "bfgs-always")}
    for gp in models.values():
        gp.fit(X[:20], y[:20], rng=np.random.default_rng(0), n_restarts=2)
    assert all(gp._hess_inv is None for gp in models.values())  # no warm fit yet
    for n in (21, 22, 23):
        for gp in models.values():
            gp.fit(X[:n], y[:n], rng=np.random.default_rng(n), n_restarts=2)
        values = {w: gp.log_posterior() for w, gp in models.items()}
        # "bfgs" keeps L-BFGS-B where there are restarts: the same fit as "lbfgsb"
        assert values["bfgs"] == values["lbfgsb"]
        assert values["bfgs-always"] >= values["lbfgsb"] - 1e-3
    assert models["bfgs"]._hess_inv is None
    assert models["bfgs-always"]._hess_inv is not None or models["bfgs-always"].n_fit_starts > 1


@pytest.mark.parametrize("normalize", [True, False])
def test_posterior_with_a_quadratic_part_equals_scikit_learn(rng, normalize):
    # GPConfig(quadratic=True)'s kernel, fixed; scikit-learn's on the centred inputs
    X, Xs = rng.random((30, 3)), rng.random((40, 3))
    y = 3.0 + 10 * f(X) + 5 * ((X - 0.3) ** 2).sum(axis=1)
    kernel = Constant(1.7) * Matern(LS) + Polynomial(0.8, offset=0.3)
    gp = GaussianProcess(kernel, noise=1e-4, fit_noise=False, standardize=normalize).fit(
        X, y, optimize=False
    )
    ref = GaussianProcessRegressor(
        sk.ConstantKernel(1.7) * sk.Matern(LS, nu=2.5)
        + sk.ConstantKernel(0.8) * sk.Exponentiation(sk.DotProduct(sigma_0=0.3**0.5), 2),
        alpha=1e-4,
        optimizer=None,
        normalize_y=normalize,
    ).fit(X - 0.5, y)
    mean, var = gp.predict(Xs, return_var=True)
    ref_mean, ref_std = ref.predict(Xs - 0.5, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=0, atol=1e-7)
    np.testing.assert_allclose(var, ref_std**2, rtol=0, atol=1e-7)


def test_restart_fit_is_checked_and_old_pickles_keep_the_restarts():
    from hpo.gp.config import GPConfig

    with pytest.raises(ValueError, match="restart_fit"):
        GaussianProcess(restart_fit="centre")
    with pytest.raises(ValueError, match="fit_restarts"):
        GPConfig(fit_restarts="centre")
    assert GPConfig(fit_restarts="always").make_gp(3, True).restart_fit == "restarts"
    assert GPConfig().make_gp(3, False).restart_fit == "prior-centre"  # the default
    gp = GaussianProcess().fit(np.random.default_rng(0).random((6, 2)), np.arange(6.0))
    state = gp.__dict__.copy()
    del state["restart_fit"]
    old = GaussianProcess.__new__(GaussianProcess)
    old.__setstate__(state)
    assert old.restart_fit == "restarts"


def test_prior_centre_fit_is_one_run_from_the_prior_mean_whatever_the_warm_start():
    rng = np.random.default_rng(3)
    X = rng.random((24, 3))
    y = f(X)
    gp = GaussianProcess(restart_fit="prior-centre")
    gp.fit(X[:12], -5 * y[:12] ** 2, rng=np.random.default_rng(0), n_restarts=2)  # other data
    warm = gp.eta.copy()
    draws = np.random.default_rng(1)
    state = draws.bit_generator.state
    gp.fit(X, y, rng=draws, n_restarts=2)
    assert gp.n_fit_starts == 1
    assert draws.bit_generator.state == state  # no restart drawn
    # the same run as a fresh model started at the prior's centre (the mu of each entry)
    ref = GaussianProcess()
    ref.fit(X, y, optimize=False)
    mu = np.array([p.mu for p in ref._prior().priors])
    ref.eta = mu
    ref.fit(X, y, n_restarts=0)
    np.testing.assert_array_equal(gp.eta, ref.eta)
    assert not np.allclose(gp.eta, warm)
    # not a worse optimum than the warm start and the restarts find, by more than a little
    full = GaussianProcess().fit(X, y, rng=np.random.default_rng(1), n_restarts=2)
    assert gp.log_posterior() >= full.log_posterior() - 1.0
    # fits without restarts still run from the warm start
    gp.fit(X[:23], y[:23], n_restarts=0)
    again = GaussianProcess()
    again.fit(X, y, optimize=False)
    again.eta = ref.eta
    again.fit(X[:23], y[:23], n_restarts=0)
    np.testing.assert_array_equal(gp.eta, again.eta)


def test_prior_centre_in_bayes_fits_once_per_step_while_the_fit_would_restart():
    from hpo import BayesianOptimization, Real, Space
    from hpo.gp.config import GPConfig

    space = Space({"x": Real(-1.0, 2.0), "y": Real(0.0, 1.0)})
    opt = BayesianOptimization(space, seed=0, gp=GPConfig(fit_restarts="prior-centre"))
    for _ in range(9):
        params = opt.ask()
        opt.tell(params, (params["x"] - 0.3) ** 2 + params["y"])
    assert opt.gp.n_fit_starts == 1 and opt.gp.restart_fit == "prior-centre"
