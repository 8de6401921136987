"""Space-filling designs in the unit cube, drawn point by point."""

import warnings

import numpy as np
import pytest
from scipy import stats

from hpo.optimizers.design import DESIGNS, UnitDesign


def strata(points, k):
    """Per axis, the sorted indices of the ``k`` equal slices the points fall in."""
    return [sorted(np.floor(points[:, j] * k).astype(int).tolist()) for j in range(points.shape[1])]


def test_the_three_designs():
    assert DESIGNS == ("uniform", "sobol", "lhs")


@pytest.mark.parametrize("kind", DESIGNS)
@pytest.mark.parametrize("n", [0, 1, 5, 33])
def test_draws_have_the_right_shape_and_lie_in_the_half_open_cube(kind, n):
    points = UnitDesign(kind, 3, np.random.default_rng(0), block=8).draw(n)
    assert points.shape == (n, 3)
    assert np.all(points >= 0.0) and np.all(points < 1.0)


@pytest.mark.parametrize("block", [1, 7, 32])
def test_every_latin_hypercube_block_has_one_point_per_stratum_on_every_axis(block):
    design = UnitDesign("lhs", 4, np.random.default_rng(block), block=block)
    points = design.draw(3 * block)
    for b in range(3):
        assert strata(points[b * block : (b + 1) * block], block) == [list(range(block))] * 4


def test_latin_hypercube_blocks_survive_uneven_draws():
    """Points are handed out from a buffer: drawing 20 as 3 + 9 + 8 is drawing 20 at once."""
    whole = UnitDesign("lhs", 3, np.random.default_rng(4), block=10).draw(20)
    design = UnitDesign("lhs", 3, np.random.default_rng(4), block=10)
    pieces = np.vstack([design.draw(3), design.draw(9), design.draw(8)])
    np.testing.assert_array_equal(pieces, whole)
    assert strata(pieces[:10], 10) == [list(range(10))] * 3
    assert strata(pieces[10:], 10) == [list(range(10))] * 3


def test_a_latin_hypercube_is_not_a_fixed_permutation():
    points = UnitDesign("lhs", 2, np.random.default_rng(0), block=50).draw(50)
    # both axes stratified, but not paired slice to slice (a diagonal)
    assert abs(stats.spearmanr(points[:, 0], points[:, 1]).statistic) < 0.5
    # and not at the slice centres: jittered inside each slice
    assert np.ptp(points[:, 0] * 50 % 1) > 0.5


@pytest.mark.parametrize("m", [3, 5, 7])
def test_sobol_is_balanced_at_powers_of_two(m):
    """The first 2^m points of a (scrambled) Sobol sequence put one point in each of the 2^m
    equal slices of every axis."""
    points = UnitDesign("sobol", 5, np.random.default_rng(m)).draw(2**m)
    assert strata(points, 2**m) == [list(range(2**m))] * 5


def test_sobol_continues_its_sequence_across_draws():
    whole = UnitDesign("sobol", 2, np.random.default_rng(9)).draw(16)
    design = UnitDesign("sobol", 2, np.random.default_rng(9))
    pieces = np.vstack([design.draw(5), design.draw(11)])
    np.testing.assert_array_equal(pieces, whole)
    assert strata(pieces, 16) == [list(range(16))] * 2


def test_sobol_is_scrambled():
    points = UnitDesign("sobol", 2, np.random.default_rng(0)).draw(4)
    # the unscrambled sequence starts at the origin, then (1/2, 1/2)
    assert not np.any(np.all(points == 0.0, axis=1))
    assert not np.any(np.all(points == 0.5, axis=1))


def test_sobol_draws_of_any_size_raise_no_warning():
    design = UnitDesign("sobol", 3, np.random.default_rng(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        design.draw(5)
        design.draw(7)


@pytest.mark.parametrize("kind", DESIGNS)
def test_same_seed_same_points_other_seed_other_points(kind):
    def draw(seed):
        design = UnitDesign(kind, 3, np.random.default_rng(seed), block=16)
        return np.vstack([design.draw(10), design.draw(10)])

    np.testing.assert_array_equal(draw(5), draw(5))
    assert not np.array_equal(draw(5), draw(6))


@pytest.mark.parametrize("kind", DESIGNS)
def test_two_designs_from_one_generator_differ(kind):
    rng = np.random.default_rng(0)
    a = UnitDesign(kind, 2, rng, block=8).draw(8)
    b = UnitDesign(kind, 2, rng, block=8).draw(8)
    assert not np.array_equal(a, b)


def test_uniform_points_are_uniform_and_independent():
    points = UnitDesign("uniform", 2, np.random.default_rng(0)).draw(4000)
    for j in range(2):
        assert stats.kstest(points[:, j], "uniform").pvalue > 1e-3
    assert abs(stats.pearsonr(points[:, 0], points[:, 1]).statistic) < 0.06
    # no stratification: some tenth of an axis is off its share of 400 by more than a few
    counts = np.histogram(points[:, 0], bins=10, range=(0, 1))[0]
    assert counts.sum() == 4000 and np.any(counts != 400)


@pytest.mark.parametrize("kind", ["grid", "Sobol", "", None])
def test_an_unknown_kind_is_refused_by_name(kind):
    with pytest.raises(ValueError, match=r"design must be one of \('uniform', 'sobol', 'lhs'\)"):
        UnitDesign(kind, 2, np.random.default_rng(0))


@pytest.mark.parametrize("block", [0, -3])
def test_a_block_below_one_is_refused_by_name(block):
    with pytest.raises(ValueError, match=rf"block must be a positive integer, got {block}"):
        UnitDesign("lhs", 2, np.random.default_rng(0), block=block)


def test_sobol_helper_is_the_first_points_of_a_new_sobol_design():
    """The acquisition search's raw candidates come from the same Sobol code as the designs."""
    from hpo.optimizers.design import sobol

    a, b = np.random.default_rng(4), np.random.default_rng(4)
    np.testing.assert_array_equal(sobol(8, 3, a), UnitDesign("sobol", 3, b).draw(8))
    assert a.random() == b.random()  # the same draws from the generator
    points = sobol(16, 2, np.random.default_rng(0))
    assert points.shape == (16, 2) and np.all((points >= 0) & (points < 1))
    # balanced: one point in each of the 16 slices of either axis
    for axis in range(2):
        assert sorted(np.floor(points[:, axis] * 16).astype(int)) == list(range(16))
