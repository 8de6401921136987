"""The quadratic model step inside the trust region (hpo/optimizers/_local_model.py) and its
hook (TrustRegion(local_model=...), hpo/optimizers/_trust_region.py)."""

from __future__ import annotations

import numpy as np
import pytest

from hpo import BayesianOptimization, Integer, Real, Space
from hpo.optimizers._local_model import (
    QuadraticModel,
    fit_quadratic,
    minimize_in_box,
    model_step,
)
from hpo.optimizers._trust_region import TrustRegion, local_model_step


def _quadratic(d: int, rng: np.random.Generator):
    A = rng.normal(size=(d, d))
    H = A @ A.T + d * np.eye(d)  # positive definite
    g = rng.normal(size=d)
    c = float(rng.normal())
    return c, g, H, lambda Z: c + Z @ g + 0.5 * np.einsum("ij,jk,ik->i", Z, H, Z)


@pytest.mark.parametrize("d", [1, 2, 5])
def test_regression_recovers_an_exact_quadratic(d):
    rng = np.random.default_rng(d)
    c, g, H, f = _quadratic(d, rng)
    Z = rng.uniform(-1, 1, ((d + 1) * (d + 2) // 2 + 3, d))
    model = fit_quadratic(Z, f(Z))
    assert model.kind == "regression"
    assert model.c == pytest.approx(c, abs=1e-8)
    np.testing.assert_allclose(model.g, g, atol=1e-8)
    np.testing.assert_allclose(model.H, H, atol=1e-8)


def test_minimum_frobenius_interpolates_and_recovers_a_linear_function():
    rng = np.random.default_rng(3)
    d = 5
    Z = rng.uniform(-1, 1, (2 * d + 1, d))  # NEWUOA's 2d + 1 points, fewer than p = 21
    _, _, _, f = _quadratic(d, rng)
    model = fit_quadratic(Z, f(Z))
    assert model.kind == "min-frobenius"
    np.testing.assert_allclose(model(Z), f(Z), atol=1e-8)  # it interpolates
    np.testing.assert_allclose(model.H, model.H.T)
    # a linear function has a zero-norm Hessian interpolant: found exactly
    g = rng.normal(size=d)
    linear = fit_quadratic(Z, 2.0 + Z @ g)
    np.testing.assert_allclose(linear.H, 0.0, atol=1e-8)
    np.testing.assert_allclose(linear.g, g, atol=1e-8)


def test_a_convex_quadratic_is_solved_in_one_step():
    rng = np.random.default_rng(4)
    d = 5
    c, g, H, f = _quadratic(d, rng)
    g = 0.1 * g  # the minimizer -H^-1 g lies well inside [-1, 1]^d
    f = lambda Z: c + Z @ g + 0.5 * np.einsum("ij,jk,ik->i", Z, H, Z)  # noqa: E731
    Z = rng.uniform(-1, 1, (30, d))
    z = minimize_in_box(fit_quadratic(Z, f(Z)), -np.ones(d), np.ones(d))
    np.testing.assert_allclose(z, np.linalg.solve(H, -g), atol=1e-8)


def test_the_box_bounds_the_step_and_an_indefinite_model_is_minimized_on_the_boundary():
    # Q = -z1^2 + z2^2 + z2: minimizers on the box [-1, 1] x [-0.25, 0.25]: z1 = +-1, z2 = -0.25
    model = QuadraticModel(0.0, np.array([0.0, 1.0]), np.diag([-2.0, 2.0]), "regression")
    z = minimize_in_box(model, np.array([-1.0, -0.25]), np.array([1.0, 0.25]))
    assert abs(z[0]) == pytest.approx(1.0)
    assert z[1] == pytest.approx(-0.25)
    # a convex model whose Newton point lies outside: the constrained minimizer
    model = QuadraticModel(0.0, np.array([-4.0, 0.0]), np.eye(2), "regression")
    np.testing.assert_allclose(minimize_in_box(model, -np.ones(2), np.ones(2)), [1.0, 0.0])


def test_a_failed_geometry_gives_no_model_and_no_step():
    rng = np.random.default_rng(5)
    d = 3
    line = np.outer(rng.uniform(-1, 1, 25), np.ones(d))  # collinear points
    assert fit_quadratic(line, line[:, 0] ** 2) is None
    assert fit_quadratic(rng.uniform(-1, 1, (d + 1, d)), np.ones(d + 1)) is None  # too few
    center = np.full(d, 0.5)
    U = np.clip(center + 0.1 * line, 0, 1)
    lower, upper = center - 0.2, center + 0.2
    assert model_step(U, np.sum((U - 0.3) ** 2, axis=1), center, lower, upper, 25) is None
    # constant values: no decrease predicted
    U = rng.random((30, d))
    assert model_step(U, np.ones(30), U[0], lower * 0, upper * 0 + 1, 30) is None


def test_the_step_reaches_a_quadratic_minimizer_in_the_box():
    rng = np.random.default_rng(6)
    d = 4
    target = np.array([0.55, 0.45, 0.6, 0.5])
    U = np.clip(0.5 + 0.15 * rng.uniform(-1, 1, (20, d)), 0, 1)
    values = np.sum((U - target) ** 2 * np.arange(1, d + 1), axis=1)
    center = U[np.argmin(values)]
    step = model_step(U, values, center, center - 0.3, center + 0.3, 20)
    np.testing.assert_allclose(step, target, atol=1e-8)


def test_bad_settings_name_the_field():
    with pytest.raises(ValueError, match="local_model must be one of"):
        TrustRegion(local_model="newton")
    with pytest.raises(ValueError, match="local_model_points"):
        TrustRegion(local_model_points=2)
    with pytest.raises(ValueError, match="local_model_points"):
        TrustRegion(local_model_points=True)
    with pytest.raises(ValueError, match="local_model_min_r2"):
        TrustRegion(local_model_min_r2=1.0)


def test_the_r2_test_rejects_rugged_values_and_keeps_a_quadratic():
    rng = np.random.default_rng(8)
    d = 3
    U = np.clip(0.5 + 0.2 * rng.uniform(-1, 1, (40, d)), 0, 1)
    quadratic = np.sum((U - 0.45) ** 2, axis=1)
    rugged = quadratic + 0.05 * np.cos(60 * U).sum(axis=1)
    n = (d + 1) * (d + 2) // 2 + d
    for values, expected in ((quadratic, True), (rugged, False)):
        center = U[np.argmin(values)]
        box = center - 0.3, center + 0.3
        step = model_step(U, values, center, *box, n, min_r2=0.9)
        assert (step is not None) == expected
    # too few points for the test: no step
    center = U[np.argmin(quadratic)]
    assert (
        model_step(
            U[: n - 1], quadratic[: n - 1], center, center - 0.3, center + 0.3, n, min_r2=0.9
        )
        is None
    )


def test_the_schedules():
    rng = np.random.default_rng(7)
    d = 2
    U = rng.random((12, d))
    values = np.sum((U - 0.4) ** 2, axis=1)
    center = U[np.argmin(values)]
    box = (np.clip(center - 0.4, 0, 1), np.clip(center + 0.4, 0, 1))

    def step(mode, k, length):
        return local_model_step(TrustRegion(local_model=mode), k, length, U, values, center, box)

    assert step("off", 0, 0.8) is None
    assert step("always", 1, 0.8) is not None
    assert step("alternate", 0, 0.8) is not None and step("alternate", 1, 0.8) is None
    assert step("shrunk", 0, 0.8) is None and step("shrunk", 0, 0.4) is not None
    np.testing.assert_allclose(step("always", 0, 0.8), 0.4, atol=1e-8)


def test_bayes_proposes_the_model_step_on_reals_only():
    def run(space, objective):
        opt = BayesianOptimization(
            space, seed=0, n_initial=6, trust_region={"local_model": "always"}
        )
        for _ in range(14):
            x = opt.ask()
            opt.tell(x, objective(x))
        return [t.info.get("source") for t in opt.trials]

    reals = Space({"a": Real(-2.0, 2.0), "b": Real(-2.0, 2.0)})
    sources = run(reals, lambda x: (x["a"] - 0.3) ** 2 + 2 * (x["b"] + 0.2) ** 2)
    assert sources[:6] == ["design"] * 6 and "local-model" in sources[6:]
    mixed = Space({"a": Real(-2.0, 2.0), "k": Integer(-3, 3)})
    assert "local-model" not in run(mixed, lambda x: (x["a"] - 0.3) ** 2 + x["k"] ** 2)
