import math
import time

import pytest

from hpo import Categorical, GridSearch, Integer, Real, SearchExhausted, Space, minimize
from hpo.optimizers.grid import resolution_for_budget


@pytest.fixture
def space():
    return Space({"x": Real(0.0, 1.0), "n": Integer(1, 3), "c": Categorical(["a", "b"])})


def test_visits_the_full_factorial_once_then_is_exhausted(space):
    opt = GridSearch(space, seed=0, points_per_axis=4)
    assert opt.grid_size == 4 * 3 * 2
    seen = []
    for _ in range(opt.grid_size):
        p = opt.ask()
        seen.append(p)
        opt.tell(p, p["x"])
    assert sorted(map(repr, seen)) == sorted(map(repr, space.grid(4)))
    with pytest.raises(SearchExhausted):
        opt.ask()


def test_seed_shuffles_the_order(space):
    a = [GridSearch(space, seed=1, points_per_axis=3).ask() for _ in range(1)]
    orders = {
        tuple(map(repr, GridSearch(space, seed=s, points_per_axis=3).ask(18))) for s in range(5)
    }
    assert len(orders) == 5 and a
    unshuffled = GridSearch(space, seed=0, points_per_axis=3, shuffle=False).ask(18)
    assert unshuffled == space.grid(3)


def test_budget_picks_the_largest_grid_that_fits(space):
    assert resolution_for_budget(space, 6) == 1  # sizes 2, 8, 18, 24, 30 for k = 1..5
    assert resolution_for_budget(space, 12) == 2
    assert resolution_for_budget(space, 17) == 2
    assert resolution_for_budget(space, 18) == 3
    assert GridSearch(space, budget=29).grid_size == 24
    with pytest.raises(ValueError, match="budget must be a positive integer"):
        resolution_for_budget(space, 0)


def test_stops_growing_when_no_axis_can():
    finite = Space({"n": Integer(1, 3), "c": Categorical(["a", "b"])})
    assert resolution_for_budget(finite, 1000) == 3


def test_batch_at_the_end_returns_what_is_left(space):
    opt = GridSearch(space, seed=0, points_per_axis=1)  # one value per numeric axis
    assert opt.grid_size == 1 * 1 * 2
    assert len(opt.ask(5)) == 2
    with pytest.raises(SearchExhausted):
        opt.ask(1)


def test_warm_started_points_are_skipped(space):
    opt = GridSearch(space, seed=0, points_per_axis=2)
    told = space.grid(2)[:3]
    opt.tell(told, [1.0, 2.0, 3.0])
    rest = opt.ask(opt.grid_size - 3)
    assert not {repr(p) for p in rest} & {repr(p) for p in told}
    with pytest.raises(SearchExhausted):
        opt.ask()


def test_minimize_stops_cleanly_when_exhausted(space):
    result = minimize(lambda p: p["x"], space, "grid", 100, seed=0)
    assert result.stopped == "exhausted"
    assert len(result.trials) == GridSearch(space, budget=100).grid_size


def test_refuses_a_huge_grid():
    big = Space({f"x{i}": Real(0.0, 1.0) for i in range(12)})
    with pytest.raises(ValueError, match="use fewer points or random search"):
        GridSearch(big, points_per_axis=5)


def _stepwise_resolution(space, budget):
    """The definition, one k at a time, with axes built (quadratic in the budget)."""
    k = 1
    while True:
        size = math.prod(len(axis) for axis in space.grid_axes(k))
        bigger = math.prod(len(axis) for axis in space.grid_axes(k + 1))
        if bigger > budget or bigger == size:
            return k
        k += 1


@pytest.mark.parametrize(
    "params",
    [
        {"x": Real(0.0, 1.0)},
        {"x": Real(0.0, 1.0), "y": Real(1e-3, 1.0, log=True), "c": Categorical(["a", "b"])},
        {"n": Integer(1, 30), "c": Categorical([1, 2, 3])},
        {"n": Integer(-3, 4), "m": Integer(0, 60)},
        {"n": Integer(1, 2000, log=True)},
        {"n": Integer(3, 900, log=True), "x": Real(0.0, 1.0)},
        {"n": Integer(1, 50, log=True), "m": Integer(0, 90), "c": Categorical(list("abc"))},
        {"c": Categorical(list("abc"))},
    ],
)
def test_arithmetic_resolution_equals_the_stepwise_definition(params):
    space = Space(params)
    for budget in (1, 2, 3, 7, 10, 64, 100, 257, 1000, 4000):
        assert resolution_for_budget(space, budget) == _stepwise_resolution(space, budget)


def test_grid_lengths_are_computed_without_building_the_axes():
    for p in (
        Real(0.0, 1.0),
        Integer(-7, 40),
        Integer(1, 5000, log=True),
        Categorical(list("abcd")),
    ):
        for k in (1, 2, 3, 10, 47, 48, 100, 6000):
            assert p.grid_len(k) == len(p.grid(k))


def test_sizing_is_fast_for_huge_budgets():
    """Issue 14: 1-D budgets 1,000 / 4,000 / 16,000 took 0.6 / 6.3 / 49 s to size."""
    space = Space({"x": Real(0.0, 1.0)})
    start = time.perf_counter()
    assert resolution_for_budget(space, 16_000) == 16_000
    assert resolution_for_budget(space, 10**18) == 10**7  # the largest grid GridSearch takes
    assert resolution_for_budget(Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}), 10**6) == 1000
    assert time.perf_counter() - start < 1.0
