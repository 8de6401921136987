import math

import numpy as np
import pytest

from hpo import hypervolume
from hpo.problems import get_problem


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zdt1", 1.21 - 1 / 3),  # REFERENCE.md section 4
        ("zdt2", 1.21 - 2 / 3),
        ("zdt3", 1.331763),
        ("dtlz2", 1.21 - math.pi / 4),
        ("dtlz2:n_objectives=3", 1.331 - math.pi / 6),
    ],
)
def test_sampled_true_front_reaches_the_maximal_hypervolume(name, expected):
    p = get_problem(name)
    assert p.max_hypervolume == pytest.approx(expected, abs=1e-6)
    front = p.pareto_front(200_001 if p.n_objectives == 2 else 90_000)
    hv = hypervolume(front, p.reference_point)
    assert hv <= p.max_hypervolume + 1e-6
    assert hv == pytest.approx(p.max_hypervolume, abs=5e-3 if p.n_objectives == 3 else 1e-5)


@pytest.mark.parametrize("name", ["zdt1", "zdt2", "zdt3", "dtlz2", "dtlz2:n_objectives=3"])
def test_optimal_inputs_land_on_the_front(name):
    p = get_problem(name)
    rng = np.random.default_rng(0)
    X = np.full((50, p.dim), 0.0 if name.startswith("zdt") else 0.5)
    X[:, : 1 if name.startswith("zdt") else p.n_objectives - 1] = rng.random(
        (50, 1 if name.startswith("zdt") else p.n_objectives - 1)
    )
    F = p.evaluate(X)
    if name.startswith("dtlz2"):
        assert np.allclose(np.sum(F**2, axis=1), 1.0)
    else:
        # f2 = h(f1, 1) on the front
        assert np.allclose(F[:, 1], p._h(F[:, 0], np.ones(50)))
    # and random inputs never beat the front's hypervolume
    Y = p.evaluate(rng.random((2000, p.dim)))
    assert hypervolume(Y, p.reference_point) < p.max_hypervolume


def test_branin_currin_matches_its_definition_and_stays_below_the_maximum():
    p = get_problem("branin_currin")
    assert p.reference_point == (18.0, 6.0) and p.max_hypervolume == 59.4054
    # Branin's minimizer (-pi, 12.275) is x = ((5 - pi) / 15, 12.275 / 15) in the unit square
    x = {"x0": (5 - math.pi) / 15, "x1": 12.275 / 15}
    assert p(x)[0] == pytest.approx(5 / (4 * math.pi), abs=1e-9)
    # Currin at (0, 1): (1 - exp(-1/2)) * 60 / 20
    assert p({"x0": 0.0, "x1": 1.0})[1] == pytest.approx((1 - math.exp(-0.5)) * 3.0)
    u, v = np.meshgrid(np.linspace(0, 1, 401), np.linspace(0, 1, 401))
    F = p.evaluate(np.column_stack([u.ravel(), v.ravel()]))
    assert 58.0 < hypervolume(F, p.reference_point) < p.max_hypervolume


def test_call_returns_one_float_per_objective():
    p = get_problem("dtlz2:n_objectives=3")
    value = p({f"x{i}": 0.5 for i in range(p.dim)})
    assert isinstance(value, list) and len(value) == 3 and all(type(v) is float for v in value)
