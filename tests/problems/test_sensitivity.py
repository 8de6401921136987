import math

import numpy as np
import pytest

from hpo.problems import get_problem, list_problems
from hpo.problems.sensitivity import Ishigami, SobolG


def test_registered():
    assert {"ishigami", "sobol_g"} <= set(list_problems())
    assert get_problem("ishigami").space.dim == 3
    assert get_problem("sobol_g").space.dim == 8


def test_sobol_g_analytic_indices_match_the_reference():
    first, total = SobolG.analytic()
    np.testing.assert_allclose(first[:4], [0.7162, 0.1790, 0.0237, 0.0072], atol=1e-4)
    assert (first[4:] < 1e-4).all()
    assert (total >= first).all()


def test_ishigami_variance_and_indices_by_monte_carlo():
    # Pick-freeze with 200,000 points: the reference values to about 0.01
    rng = np.random.default_rng(0)
    p = Ishigami()
    A = rng.uniform(-math.pi, math.pi, (200_000, 3))
    B = rng.uniform(-math.pi, math.pi, (200_000, 3))
    fa, fb = p.evaluate(A), p.evaluate(B)
    var = np.var(np.r_[fa, fb])
    assert var == pytest.approx(13.8446, rel=0.02)
    for i in range(3):
        ABi = A.copy()
        ABi[:, i] = B[:, i]
        fab = p.evaluate(ABi)
        assert np.mean(fb * (fab - fa)) / var == pytest.approx(Ishigami.first_order[i], abs=0.015)
        assert np.mean((fa - fab) ** 2) / (2 * var) == pytest.approx(
            Ishigami.total_order[i], abs=0.015
        )


@pytest.mark.parametrize("name", ["ishigami", "sobol_g"])
def test_optimum_is_reached_and_not_beaten(name):
    p = get_problem(name)
    x_star = {"ishigami": [-math.pi / 2, 0.0, math.pi], "sobol_g": [0.5] + [0.3] * 7}[name]
    assert p(dict(zip(p.space.names, x_star))) == pytest.approx(p.optimum, abs=1e-12)
    U = np.random.default_rng(1).random((20000, p.space.dim))
    X = np.array([[c[k] for k in p.space.names] for c in p.space.from_unit_batch(U)])
    assert p.evaluate(X).min() >= p.optimum - 1e-12
