"""Kernels: values against scikit-learn, every gradient against finite differences."""

import numpy as np
import pytest
from sklearn.gaussian_process import kernels as sk

from hpo.gp.kernels import RBF, Constant, Matern, Polynomial, RationalQuadratic, White

LS = np.array([0.3, 0.7, 1.4])

# (hpo kernel, the same kernel in scikit-learn)
PAIRS = [
    (RBF(LS), sk.RBF(LS)),
    (RBF(0.5), sk.RBF(0.5)),
    (Matern(LS, nu=0.5), sk.Matern(LS, nu=0.5)),
    (Matern(LS, nu=1.5), sk.Matern(LS, nu=1.5)),
    (Matern(LS, nu=2.5), sk.Matern(LS, nu=2.5)),
    (RationalQuadratic(0.4, alpha=2.0), sk.RationalQuadratic(0.4, alpha=2.0)),
    (
        Constant(2.0) * Matern(LS) + White(0.1),
        sk.ConstantKernel(2.0) * sk.Matern(LS, nu=2.5) + sk.WhiteKernel(0.1),
    ),
    (RBF(LS) * RationalQuadratic(LS, alpha=0.7) + 0.5, None),
    # scikit-learn's polynomial kernel does not centre its inputs: c = 0 here
    (
        Polynomial(1.3, offset=0.4, center=0.0),
        sk.ConstantKernel(1.3) * sk.Exponentiation(sk.DotProduct(sigma_0=0.4**0.5), 2),
    ),
    (
        Polynomial(0.7, offset=2.0, degree=3, center=0.0),
        sk.ConstantKernel(0.7) * sk.Exponentiation(sk.DotProduct(sigma_0=2.0**0.5), 3),
    ),
    (
        Constant(2.0) * Matern(LS) + Polynomial(0.3, offset=0.5, center=0.0),
        sk.ConstantKernel(2.0) * sk.Matern(LS, nu=2.5)
        + sk.ConstantKernel(0.3) * sk.Exponentiation(sk.DotProduct(sigma_0=0.5**0.5), 2),
    ),
    (Polynomial(1.5, offset=0.2, center=np.array([0.5, 0.2, 0.7])), None),
]
KERNELS = [k for k, _ in PAIRS]
STATIONARY = [
    RBF(LS),
    Matern(LS, nu=0.5),
    Matern(LS, nu=1.5),
    Matern(LS, nu=2.5),
    RationalQuadratic(LS, alpha=3.0),
    Constant(1.7) * Matern(LS) * RBF(LS),
]
#: kernels with a gradient w.r.t. x that are not stationary
WITH_GRADIENT_X = [
    Polynomial(0.8, offset=0.3),
    Polynomial(1.2, offset=1.5, degree=3, center=np.array([0.1, 0.5, 0.9])),
    Constant(1.7) * Matern(LS) + Polynomial(0.5, offset=0.7),
]


@pytest.fixture
def data(rng):
    return rng.random((7, 3)), rng.random((5, 3))


@pytest.mark.parametrize("mine, theirs", [p for p in PAIRS if p[1] is not None])
def test_values_equal_scikit_learn(mine, theirs, data):
    X, Y = data
    np.testing.assert_allclose(mine(X, Y), theirs(X, Y), rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine(X), theirs(X), rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.diag(X), theirs.diag(X), rtol=0, atol=1e-10)


def test_log_hyperparameters_match_scikit_learn_up_to_order(data):
    X, _ = data
    mine, theirs = RationalQuadratic(LS[:1], alpha=2.0), sk.RationalQuadratic(LS[0], alpha=2.0)
    _, dK = mine.gradient(X)
    _, dK_sk = theirs(X, eval_gradient=True)  # scikit-learn orders them alpha, length_scale
    np.testing.assert_allclose(dK[:, :, ::-1], dK_sk, atol=1e-10)
    np.testing.assert_allclose(mine.theta[::-1], theirs.theta, atol=1e-12)


@pytest.mark.parametrize("kernel", KERNELS, ids=repr)
def test_gradient_wrt_log_hyperparameters_matches_finite_differences(kernel, data):
    X, _ = data
    kernel = kernel.clone()
    theta = kernel.theta.copy()
    _, dK = kernel.gradient(X)
    eps = 1e-6
    for i in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[i] += eps
        down[i] -= eps
        kernel.theta = up
        K_up = kernel(X)
        kernel.theta = down
        K_down = kernel(X)
        np.testing.assert_allclose(dK[:, :, i], (K_up - K_down) / (2 * eps), atol=1e-7)
    kernel.theta = theta


@pytest.mark.parametrize("kernel", KERNELS, ids=repr)
def test_contracted_gradient_equals_the_full_one(kernel, data, rng):
    X, _ = data
    W = rng.normal(size=(7, 7))
    W = W + W.T
    _, dK = kernel.gradient(X)
    np.testing.assert_allclose(
        kernel.contract_gradient(X, W), np.einsum("ab,abp->p", W, dK), rtol=1e-10, atol=1e-10
    )


@pytest.mark.parametrize("kernel", STATIONARY + WITH_GRADIENT_X, ids=repr)
def test_gradient_wrt_x_matches_finite_differences(kernel, data):
    X, Y = data
    g = kernel.gradient_x(Y, X)
    eps = 1e-6
    for j in range(3):
        up, down = Y.copy(), Y.copy()
        up[:, j] += eps
        down[:, j] -= eps
        np.testing.assert_allclose(
            g[:, :, j], (kernel(up, X) - kernel(down, X)) / (2 * eps), atol=1e-7
        )


def test_theta_round_trips_and_bounds_have_one_row_per_hyperparameter():
    k = Constant(2.0) * Matern(LS) + White(0.1)
    assert k.n_params == 1 + 3 + 1 == len(k.names) == k.bounds.shape[0]
    k.theta = np.log([3.0, 0.1, 0.2, 0.3, 0.05])
    np.testing.assert_allclose(k.k1.k2.lengthscale, [0.1, 0.2, 0.3])
    assert k.k1.k1.value == pytest.approx(3.0) and k.k2.value == pytest.approx(0.05)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="lengthscale"):
        RBF([1.0, -1.0])
    with pytest.raises(ValueError, match="nu"):
        Matern(1.0, nu=2.0)


def test_polynomial_centres_its_inputs_as_scikit_learn_on_centred_data(data):
    X, Y = data
    mine = Polynomial(1.3, offset=0.4)  # c = 0.5, the middle of the unit cube
    theirs = sk.ConstantKernel(1.3) * sk.Exponentiation(sk.DotProduct(sigma_0=0.4**0.5), 2)
    np.testing.assert_allclose(mine(X, Y), theirs(X - 0.5, Y - 0.5), rtol=0, atol=1e-12)
    np.testing.assert_allclose(mine.diag(X), theirs.diag(X - 0.5), rtol=0, atol=1e-12)


def test_quadratic_polynomial_samples_are_quadratics(rng):
    # A degree-2 kernel has rank 1 + d + d (d + 1) / 2 (the monomials): 10 for d = 3.
    X = rng.random((40, 3))
    eig = np.linalg.eigvalsh(Polynomial(1.0, offset=0.5)(X))
    assert np.sum(eig > 1e-9 * eig.max()) == 10


def test_polynomial_theta_round_trips_and_refuses_bad_arguments():
    k = Polynomial()
    assert k.n_params == 2 == len(k.names) == k.bounds.shape[0]
    k.theta = np.log([3.0, 0.25])
    assert k.variance == pytest.approx(3.0) and k.offset == pytest.approx(0.25)
    with pytest.raises(ValueError, match="degree"):
        Polynomial(degree=0)
    with pytest.raises(ValueError, match="degree"):
        Polynomial(degree=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="offset"):
        Polynomial(offset=-1.0)
    with pytest.raises(ValueError, match="center"):
        Polynomial(center=np.full((2, 2), 0.5))


@pytest.mark.parametrize(
    "kernel",
    [
        Polynomial(0.7, 0.3),
        Polynomial(1.3, 2.0, degree=3, center=0.2),
        Constant(1.5) * Matern([0.4, 0.9, 0.6]) + Polynomial(0.5, 0.8),
        Matern([0.4, 0.9, 0.6]) * Polynomial(0.5, 0.8),
        Polynomial(0.5, 0.8) * Polynomial(1.2, 0.1, degree=1),
    ],
    ids=repr,
)
def test_diagonal_gradient_wrt_x_matches_finite_differences(kernel, data):
    _, Y = data
    g = kernel.diag_gradient_x(Y)
    eps = 1e-6
    for j in range(3):
        up, down = Y.copy(), Y.copy()
        up[:, j] += eps
        down[:, j] -= eps
        fd = (kernel.diag(up) - kernel.diag(down)) / (2 * eps)
        np.testing.assert_allclose(g[:, j], fd, rtol=1e-6, atol=1e-8)
        assert np.max(np.abs(fd)) > 1e-3  # the term the posterior's variance gradient needs


@pytest.mark.parametrize("kernel", [*STATIONARY, Constant(2.0) * Matern(0.5)], ids=repr)
def test_a_constant_diagonal_has_no_x_gradient(kernel, data):
    assert kernel.diag_gradient_x(data[1]) is None
