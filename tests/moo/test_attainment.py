"""Hypervolume traces and empirical attainment surfaces (hpo/moo/attainment.py)."""

import numpy as np
import pytest

from hpo.moo import hypervolume
from hpo.moo.attainment import attainment_surface, hypervolume_trace, percentile_level


def test_hypervolume_trace_matches_the_hypervolume_of_every_prefix():
    rng = np.random.default_rng(0)
    F = rng.random((40, 2)) * 1.3  # some points beyond the reference point
    F[[3, 17]] = np.nan  # failed trials add nothing
    r = np.array([1.1, 1.1])
    trace = hypervolume_trace(F, r)
    expected = [hypervolume(F[: t + 1][np.isfinite(F[: t + 1]).all(1)], r) for t in range(40)]
    np.testing.assert_allclose(trace, expected, rtol=0, atol=1e-14)
    assert np.all(np.diff(trace) >= 0)


def test_hypervolume_trace_in_three_objectives():
    rng = np.random.default_rng(1)
    F = rng.random((25, 3))
    trace = hypervolume_trace(F, [1.0, 1.0, 1.0])
    assert trace[-1] == pytest.approx(hypervolume(F, [1.0, 1.0, 1.0]), abs=1e-14)


# Three runs drawn by hand (minimization):
#   A = {(1, 4), (3, 2)},  B = {(2, 3)},  C = {(2, 5), (4, 1)}
# y_i(x), the best f2 of run i among its points with f1 <= x, at x = 1, 2, 3, 4:
#   A: 4, 4, 2, 2;   B: inf, 3, 3, 3;   C: inf, 5, 5, 1
# Level 1 (some run): min = 4, 3, 2, 1   -> corners (1,4) (2,3) (3,2) (4,1)
# Level 2 (two runs): 2nd smallest = inf, 4, 3, 2 -> corners (2,4) (3,3) (4,2)
# Level 3 (every run): max = inf, 5, 5, 3 -> corners (2,5) (4,3)
RUNS = [[[1.0, 4.0], [3.0, 2.0]], [[2.0, 3.0]], [[2.0, 5.0], [4.0, 1.0]]]
SURFACES = {
    1: [[1, 4], [2, 3], [3, 2], [4, 1]],
    2: [[2, 4], [3, 3], [4, 2]],
    3: [[2, 5], [4, 3]],
}


@pytest.mark.parametrize("level", [1, 2, 3])
def test_attainment_surfaces_of_a_hand_computed_case(level):
    np.testing.assert_array_equal(attainment_surface(RUNS, level), SURFACES[level])


def test_every_surface_point_is_attained_by_exactly_the_level_and_no_better_point_is():
    rng = np.random.default_rng(2)
    runs = [rng.random((rng.integers(1, 15), 2)) for _ in range(7)]

    def attained_by(z):
        return sum(bool(np.any(np.all(np.asarray(A) <= z, axis=1))) for A in runs)

    for level in range(1, 8):
        surface = attainment_surface(runs, level)
        for z in surface:
            assert attained_by(z) >= level
            # Just below the corner in either objective, fewer runs attain it.
            assert attained_by(z - [1e-9, 0.0]) < level
            assert attained_by(z - [0.0, 1e-9]) < level


def test_failed_points_and_empty_runs_are_ignored():
    runs = [[[1.0, 1.0], [np.nan, np.nan]], np.empty((0, 2))]
    np.testing.assert_array_equal(attainment_surface(runs, 1), [[1.0, 1.0]])
    assert attainment_surface(runs, 2).shape == (0, 2)


def test_surfaces_equal_moocore_eaf():
    moocore = pytest.importorskip("moocore")
    rng = np.random.default_rng(3)
    runs = [rng.random((rng.integers(1, 20), 2)) for _ in range(10)]
    points = np.vstack(runs)
    sets = np.concatenate([np.full(len(A), i + 1) for i, A in enumerate(runs)])
    for pct in (0, 25, 50, 75, 100):
        theirs = moocore.eaf(points, sets, percentiles=[pct])[:, :2]
        theirs = theirs[np.argsort(theirs[:, 0])]
        ours = attainment_surface(runs, percentile_level(pct, len(runs)))
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-15)


def test_percentile_levels():
    assert [percentile_level(p, 10) for p in (0, 25, 30, 50, 75, 100)] == [1, 3, 3, 5, 8, 10]
    with pytest.raises(ValueError, match="percentile"):
        percentile_level(101, 10)
    with pytest.raises(ValueError, match="n_runs"):
        percentile_level(50, 0)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="level must lie in"):
        attainment_surface(RUNS, 4)
    with pytest.raises(TypeError, match="level must be an integer"):
        attainment_surface(RUNS, 1.5)
    with pytest.raises(ValueError, match=r"runs\[0\] must have shape"):
        attainment_surface([[[1.0, 2.0, 3.0]]], 1)
    with pytest.raises(ValueError, match="at least one run"):
        attainment_surface([], 1)
