import numpy as np
import pytest

from hpo import hypervolume
from hpo.moo import igd_plus


def test_hand_computed_volumes():
    assert hypervolume([[1.0, 2.0], [2.0, 1.0]], [3.0, 3.0]) == pytest.approx(3.0)
    # dominated points, duplicates and points beyond the reference change nothing
    assert hypervolume([[1, 2], [2, 1], [2, 2], [1, 2], [4, 0]], [3, 3]) == pytest.approx(3.0)
    assert hypervolume([[0, 0, 0]], [1, 2, 3]) == pytest.approx(6.0)
    # two boxes in 3-D: 2*2*1 + 1*1*2 overlapping in 1*1*1
    assert hypervolume([[0, 0, 1], [1, 1, 0]], [2, 2, 2]) == pytest.approx(4 + 2 - 1)
    assert hypervolume(np.zeros((0, 2)), [1, 1]) == 0.0


def monte_carlo(F, r, n, rng):
    lo = F.min(axis=0)
    U = lo + rng.random((n, F.shape[1])) * (r - lo)
    covered = np.zeros(n, dtype=bool)
    for p in F:
        covered |= np.all(U >= p, axis=1)
    return covered.mean() * np.prod(r - lo)


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_exact_against_monte_carlo(m):
    rng = np.random.default_rng(m)
    F = rng.random((30, m))
    r = np.full(m, 1.1)
    exact = hypervolume(F, r)
    estimate = monte_carlo(F, r, 150_000, rng)
    assert exact == pytest.approx(estimate, rel=0.02)


@pytest.mark.parametrize("m", [2, 3, 4])
def test_against_pymoo(m):
    hv_module = pytest.importorskip("pymoo.indicators.hv")
    rng = np.random.default_rng(10 + m)
    for n in (1, 7, 60):
        F = rng.random((n, m))
        r = np.full(m, 1.2)
        assert hypervolume(F, r) == pytest.approx(hv_module.HV(ref_point=r)(F), rel=1e-12)


def test_sphere_front_in_three_objectives():
    # points on the unit sphere's positive orthant: HV -> 1.1^3 - pi/6 as the front fills
    rng = np.random.default_rng(0)
    F = np.abs(rng.normal(size=(5000, 3)))
    F /= np.linalg.norm(F, axis=1, keepdims=True)
    hv = hypervolume(F, [1.1, 1.1, 1.1])
    assert 1.331 - np.pi / 6 - 0.02 < hv < 1.331 - np.pi / 6


def test_mismatched_reference_is_refused():
    with pytest.raises(ValueError, match="objectives"):
        hypervolume([[1.0, 2.0]], [3.0, 3.0, 3.0])


def test_igd_plus_by_hand():
    Z = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert igd_plus(Z, Z) == 0.0
    # a point better than the front in every objective costs nothing (Pareto compliance)
    assert igd_plus([[-1.0, -1.0]], Z) == 0.0
    # d+((0,1),(1,1)) = 1 and d+((1,0),(1,1)) = 1
    assert igd_plus([[1.0, 1.0]], Z) == pytest.approx(1.0)
