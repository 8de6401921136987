"""Augmented Branin and Augmented Hartmann: f* at s = 1, the fidelity, cost and errors."""

import math

import numpy as np
import pytest

from hpo import Fidelity
from hpo.problems import get_problem, list_problems
from hpo.problems.dixon_szego import Branin, Hartmann6
from hpo.problems.multifidelity import FIDELITY, FUNCTIONS, AugmentedBranin

KEYS = [cls.key for cls in FUNCTIONS]
# REFERENCE.md section 4: minimum 0.397887 (Branin) and -3.32237 (Hartmann-6) at s = 1
PUBLISHED = {"augmented_branin": 0.397887, "augmented_hartmann": -3.32237}


@pytest.mark.parametrize("key", KEYS)
def test_the_optimum_at_full_fidelity_is_the_published_one(key):
    p = get_problem(key)
    assert key in list_problems() and type(p) in FUNCTIONS and p.name == key
    assert p.fidelity == FIDELITY == Fidelity("fidelity", 1 / 27, 1.0)
    values = p.evaluate(p.minimizers, s=1.0)
    np.testing.assert_allclose(values, p.optimum, rtol=1e-10)
    assert abs(p.optimum - PUBLISHED[key]) < 5e-6
    for x in p.minimizers:
        params = dict(zip(p.space.names, x.tolist()))
        assert math.isclose(p({**params, "fidelity": 1.0}), p.optimum, rel_tol=1e-10)
        assert p(params) == p({**params, "fidelity": 1.0})  # no fidelity: the target


@pytest.mark.parametrize("key", KEYS)
def test_no_point_of_a_random_sample_beats_the_optimum_at_full_fidelity(key, rng):
    p = get_problem(key)
    X = rng.uniform(p.bounds[:, 0], p.bounds[:, 1], size=(20_000, p.dim))
    assert p.evaluate(X).min() > p.optimum


@pytest.mark.parametrize(
    ("key", "target"), [("augmented_branin", Branin), ("augmented_hartmann", Hartmann6)]
)
def test_full_fidelity_is_the_target_and_lower_fidelities_differ(key, target, rng):
    p, q = get_problem(key), target()
    X = rng.uniform(p.bounds[:, 0], p.bounds[:, 1], size=(50, p.dim))
    np.testing.assert_allclose(p.evaluate(X), q.evaluate(X), rtol=1e-12)
    low = p.evaluate(X, s=FIDELITY.low)
    assert np.mean(np.abs(low - q.evaluate(X))) > 1e-3
    per_point = p.evaluate(X, s=np.linspace(FIDELITY.low, 1.0, len(X)))
    one_by_one = [
        p.evaluate(X[i : i + 1], s=s)[0]
        for i, s in enumerate(np.linspace(FIDELITY.low, 1.0, len(X)))
    ]
    np.testing.assert_allclose(per_point, one_by_one, rtol=1e-12)


def test_augmented_branin_follows_its_formula_at_a_low_fidelity():
    x1, x2, s = 2.0, 3.0, 0.25
    b = 5.1 / (4 * math.pi**2) - 0.1 * (1 - s)
    expected = (
        (x2 - b * x1**2 + 5 / math.pi * x1 - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1)
        + 10
    )
    assert math.isclose(
        AugmentedBranin()({"x0": x1, "x1": x2, "fidelity": s}), expected, rel_tol=1e-14
    )


def test_augmented_hartmann_scales_the_first_alpha():
    p, q = get_problem("augmented_hartmann"), Hartmann6()
    x = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]])
    inner = np.sum(Hartmann6.A[0] * (x[0] - Hartmann6.P[0]) ** 2)
    s = 0.5  # alpha_1 = 1 - 0.1 (1 - s): the value rises by 0.1 (1 - s) exp(-inner_1)
    expected = q.evaluate(x)[0] + 0.1 * (1 - s) * math.exp(-inner)
    assert math.isclose(p.evaluate(x, s=s)[0], expected, rel_tol=1e-12)


def test_cost_is_the_fidelity():
    p = get_problem("augmented_hartmann")
    assert p.cost({"fidelity": 1 / 9}) == 1 / 9
    assert p.cost({}) == 1.0


@pytest.mark.parametrize("bad", [0.0, 1.5, "1", None])
def test_a_fidelity_outside_its_range_is_refused(bad):
    p = get_problem("augmented_branin")
    with pytest.raises(ValueError, match="'fidelity' must be a number in"):
        p({"x0": 0.0, "x1": 0.0, "fidelity": bad})
    with pytest.raises(ValueError, match="'x0'"):
        p({"x0": 99.0, "x1": 0.0, "fidelity": 1.0})
