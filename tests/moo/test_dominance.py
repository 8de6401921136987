import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hpo.moo import crowding_distance, dominates, is_non_dominated, non_dominated_sort


def brute_force_mask(F):
    n = len(F)
    return np.array([not any(dominates(F[j], F[i]) for j in range(n)) for i in range(n)])


def test_dominates_needs_one_strict_improvement():
    assert dominates([1, 2], [1, 3])
    assert not dominates([1, 2], [1, 2])
    assert not dominates([1, 3], [2, 2])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda m: arrays(
            float, st.tuples(st.integers(1, 25), st.just(m)), elements=st.integers(0, 4)
        )
    )
)
def test_non_dominated_mask_equals_brute_force(F):
    # integer coordinates make ties and duplicates frequent
    assert np.array_equal(is_non_dominated(F), brute_force_mask(F))


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 20), st.just(3)), elements=st.integers(0, 3)))
def test_sorting_peels_fronts(F):
    fronts = non_dominated_sort(F)
    seen = np.concatenate(fronts)
    assert sorted(seen.tolist()) == list(range(len(F)))  # every point in exactly one front
    remaining = np.arange(len(F))
    for front in fronts:  # front k is the first front of what fronts 1..k-1 leave
        mask = brute_force_mask(F[remaining])
        assert sorted(remaining[mask].tolist()) == front.tolist()
        remaining = np.setdiff1d(remaining, front)


def test_sorting_of_a_hand_made_set():
    F = np.array([[1, 5], [2, 2], [5, 1], [3, 3], [4, 4], [6, 6]], dtype=float)
    assert [f.tolist() for f in non_dominated_sort(F)] == [[0, 1, 2], [3], [4], [5]]


def test_crowding_distance_by_hand():
    F = np.array([[0.0, 4.0], [1.0, 2.0], [3.0, 1.0], [4.0, 0.0]])
    d = crowding_distance(F)
    # interior points: (f1[i+1] - f1[i-1]) / 4 + (f2[i-1] - f2[i+1]) / 4
    assert np.isinf(d[0]) and np.isinf(d[3])
    assert d[1] == pytest.approx(3 / 4 + 3 / 4)
    assert d[2] == pytest.approx(3 / 4 + 2 / 4)


def test_bad_points_are_refused():
    with pytest.raises(ValueError, match="shape"):
        non_dominated_sort(np.zeros(3))
    with pytest.raises(ValueError, match="finite"):
        is_non_dominated([[0.0, np.nan]])
