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
