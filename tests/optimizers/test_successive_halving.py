"""Successive halving: the schedule of one run, promotions, failures, waiting and repeats."""

from collections import Counter

import pytest

from hpo import Fidelity, Real, SearchExhausted, Space, SuccessiveHalving
from hpo.optimizers.successive_halving import Bracket, rung_sizes

SPACE = Space({"x": Real(0.0, 1.0)})
FID = Fidelity("epochs", 1, 27)


def loss(params):
    return abs(params["x"] - 0.3) + 1.0 / params["epochs"]


def run_to_the_end(opt, fun=loss):
    while True:
        try:
            params = opt.ask()
        except SearchExhausted:
            return
        opt.tell(params, fun(params))


def test_rung_sizes_follow_floor_n_eta_to_the_minus_i():
    assert rung_sizes(81, 5, 3) == [81, 27, 9, 3, 1]
    assert rung_sizes(34, 4, 3) == [34, 11, 3, 1]
    assert rung_sizes(10, 4, 2) == [10, 5, 2, 1]
    assert rung_sizes(5, 4, 3) == [5, 1, 1, 1]  # at least one configuration per rung
    assert rung_sizes(16, 3, 2.0**0.5 * 2.0**0.5) == [16, 8, 4]


def test_one_run_evaluates_27_9_3_1_and_keeps_the_best_third():
    opt = SuccessiveHalving(SPACE, fidelity=FID, seed=0)
    run_to_the_end(opt)
    assert Counter(t.params["epochs"] for t in opt.trials) == {1: 27, 3: 9, 9: 3, 27: 1}
    for low, high in ((1, 3), (3, 9), (9, 27)):
        at_low = sorted((t for t in opt.trials if t.params["epochs"] == low), key=lambda t: t.value)
        kept = [t.params["x"] for t in at_low[: len(at_low) // 3]]
        assert sorted(kept) == sorted(
            t.params["x"] for t in opt.trials if t.params["epochs"] == high
        )
    assert opt.best.params["epochs"] == 27
    assert [t.info["source"] for t in opt.trials].count("promotion") == 13


def test_n_configs_and_eta_set_the_first_rung():
    opt = SuccessiveHalving(SPACE, fidelity=FID, eta=3, n_configs=12, seed=0)
    run_to_the_end(opt)
    assert Counter(t.params["epochs"] for t in opt.trials) == {1: 12, 3: 4, 9: 1, 27: 1}


def test_failed_configurations_rank_last_and_never_continue():
    opt = SuccessiveHalving(SPACE, fidelity=Fidelity("epochs", 1, 9), seed=1)
    batch = opt.ask(9)
    values = [float("nan")] * 8 + [5.0]
    opt.tell(batch, values)
    promoted = opt.ask(3)  # 3 planned at rung 1, but only one configuration did not fail
    assert len(promoted) == 1 and promoted[0]["x"] == batch[8]["x"]
    opt.tell(promoted, [1.0])
    last = opt.ask()
    assert last == {**promoted[0], "epochs": 9}
    opt.tell(last, float("inf"))
    with pytest.raises(SearchExhausted):
        opt.ask()
    assert opt.best.params["epochs"] == 3  # the full-budget trial failed


def test_a_run_whose_first_rung_all_fails_ends():
    opt = SuccessiveHalving(SPACE, fidelity=Fidelity("epochs", 1, 9), seed=1)
    batch = opt.ask(9)
    opt.tell(batch, [None] * 9)
    assert opt.brackets[0].done and opt.best is None
    with pytest.raises(SearchExhausted):
        opt.ask()


def test_promotions_wait_for_the_whole_rung_and_ask_says_so():
    opt = SuccessiveHalving(SPACE, fidelity=Fidelity("epochs", 1, 9), seed=2)
    batch = opt.ask(9)
    opt.tell(batch[:8], [loss(p) for p in batch[:8]])
    with pytest.raises(SearchExhausted):  # one result still pending: nothing to decide
        opt.ask()
    opt.tell(batch[8], 0.0)  # the last one is the best
    promoted = opt.ask(5)
    assert len(promoted) == 3 and batch[8]["x"] in {p["x"] for p in promoted}


def test_repeat_starts_another_run_while_waiting_and_after_the_end():
    opt = SuccessiveHalving(SPACE, fidelity=Fidelity("epochs", 1, 9), repeat=True, seed=2)
    first = opt.ask(9)
    second = opt.ask(2)  # the first run waits: a second run starts
    assert [t.info["bracket"] for t in opt.trials] == [0] * 9 + [1] * 2
    opt.tell(first + second, [loss(p) for p in first + second])
    assert [p["epochs"] for p in opt.ask(4)] == [3, 3, 3, 1]  # run 0's promotions first
    assert len(opt.brackets) == 2


def test_a_finite_space_closes_the_first_rung_with_what_it_has():
    from hpo import Categorical

    space = Space({"c": Categorical(["a", "b", "c", "d"])})
    opt = SuccessiveHalving(space, fidelity=Fidelity("epochs", 1, 9), seed=0)
    run_to_the_end(opt, fun=lambda p: "abcd".index(p["c"]) + 1.0 / p["epochs"])
    assert Counter(t.params["epochs"] for t in opt.trials) == {1: 4, 3: 3, 9: 1}
    assert opt.best.params == {"c": "a", "epochs": 9}


def test_bracket_refuses_inconsistent_plans():
    with pytest.raises(ValueError, match="equal length"):
        Bracket(0, [3, 1], [1, 3, 9])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"eta": 1}, "eta must be a number > 1"),
        ({"eta": "3"}, "eta"),
        ({"n_configs": 0}, "n_configs must be a positive integer"),
        ({"fidelity": None}, "fidelity must be a hpo.Fidelity"),
        ({"fidelity": Fidelity("x", 1, 9)}, "'x' is a parameter of the space"),
    ],
)
def test_bad_arguments_are_refused_with_the_rule(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        SuccessiveHalving(SPACE, **{"fidelity": FID, **kwargs})
