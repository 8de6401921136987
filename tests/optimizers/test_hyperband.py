"""Hyperband: the brackets of Li et al. 2018 (Table 1), the endless loop, and parallel asks."""

from collections import Counter

import pytest

from hpo import Fidelity, Hyperband, Real, Space
from hpo.optimizers.hyperband import bracket_plan

SPACE = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})

# Li et al. 2018, JMLR 18(185), Table 1: R = 81, eta = 3; (n_i, r_i) per bracket s.
TABLE_1 = {
    4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    3: [(34, 3), (11, 9), (3, 27), (1, 81)],
    2: [(15, 9), (5, 27), (1, 81)],
    1: [(8, 27), (2, 81)],
    0: [(5, 81)],
}


def loss(params):
    return (params["x"] - 0.3) ** 2 + params["y"] + 1.0 / params["epochs"]


def test_the_plan_for_r_81_and_eta_3_is_table_1_of_li_et_al():
    opt = Hyperband(SPACE, fidelity=Fidelity("epochs", 1, 81), eta=3, seed=0)
    assert opt.s_max == 4
    plan = {len(b.budgets) - 1: list(zip(b.sizes, b.budgets)) for b in opt.plan()}
    assert plan == TABLE_1
    assert [bracket_plan(s, 4, 3) for s in range(4, -1, -1)] == [81, 34, 15, 8, 5]
    assert bracket_plan(2, 4, 3.0) == 15  # 5/3 * 9 in floating point is 15.000000000000002


def test_a_sequential_run_evaluates_the_table_in_bracket_order():
    opt = Hyperband(SPACE, fidelity=Fidelity("epochs", 1, 81), eta=3, seed=0)
    n_trials = sum(n for rows in TABLE_1.values() for n, _ in rows)  # one loop: 206
    for _ in range(n_trials):
        params = opt.ask()
        opt.tell(params, loss(params))
    assert len(opt.brackets) == 5 and all(b.done for b in opt.brackets)
    for bracket in opt.brackets:
        s = len(bracket.budgets) - 1
        got = Counter(
            (t.params["epochs"]) for t in opt.trials if t.info["bracket"] == bracket.index
        )
        assert got == {r: n for n, r in TABLE_1[s]}
        assert all(t.info["s"] == s for t in opt.trials if t.info["bracket"] == bracket.index)
    # and the loop starts again at s = s_max: Hyperband does not run out
    params = opt.ask()
    assert params["epochs"] == 1 and opt.trials[-1].info == {
        "bracket": 5,
        "s": 4,
        "rung": 0,
        "budget": 1,
        "source": "random",
    }


def test_asked_while_every_bracket_waits_it_starts_the_next_one():
    opt = Hyperband(SPACE, fidelity=Fidelity("epochs", 1, 9), eta=3, seed=1)
    first = opt.ask(9)  # bracket s = 2 has 9 configurations at budget 1
    more = opt.ask(6)  # it waits for them: s = 1 (5 at budget 3), then s = 0 (3 at 9)
    assert [p["epochs"] for p in more] == [3, 3, 3, 3, 3, 9]
    assert [t.info["bracket"] for t in opt.trials[9:]] == [1] * 5 + [2]
    opt.tell(first, [loss(p) for p in first])
    # the oldest bracket's promotions come first, then bracket 2 continues
    assert [p["epochs"] for p in opt.ask(5)] == [3, 3, 3, 9, 9]


def test_float_budgets_and_eta_two():
    opt = Hyperband(SPACE, fidelity=Fidelity("fraction", 0.125, 1.0), eta=2, seed=0)
    assert [(b.sizes, b.budgets) for b in opt.plan()] == [
        ([8, 4, 2, 1], [0.125, 0.25, 0.5, 1.0]),
        ([6, 3, 1], [0.25, 0.5, 1.0]),  # ceil(4/3 * 4) = 6
        ([4, 2], [0.5, 1.0]),  # ceil(4/2 * 2) = 4
        ([4], [1.0]),
    ]
    for _ in range(30):
        params = opt.ask()
        assert type(params["fraction"]) is float
        opt.tell(params, loss({**params, "epochs": params["fraction"]}))
    assert opt.best.params["fraction"] == 1.0


@pytest.mark.parametrize("eta", [1.0, 0, "3"])
def test_bad_eta_is_refused(eta):
    with pytest.raises(ValueError, match="eta must be"):
        Hyperband(SPACE, fidelity=Fidelity("epochs", 1, 9), eta=eta)
