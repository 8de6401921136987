"""ASHA: promotions exactly as Algorithm 2 of Li et al. 2020, on hand-made sequences."""

import pytest

from hpo import ASHA, Fidelity, Real, Space

SPACE = Space({"x": Real(0.0, 1.0)})
FID = Fidelity("epochs", 1, 9)  # rungs 1, 3, 9


def new_asha(eta=3):
    return ASHA(SPACE, fidelity=FID, eta=eta, seed=0)


def test_promotions_follow_algorithm_2_step_by_step():
    opt = new_asha()
    a, b, c = opt.ask(3)
    assert [p["epochs"] for p in (a, b, c)] == [1, 1, 1]
    opt.tell([a, b, c], [3.0, 1.0, 2.0])
    # rung 0 holds 3 results: floor(3/3) = 1 candidate, b, promoted to rung 1
    b3 = opt.ask()
    assert b3 == {**b, "epochs": 3} and opt.trials[-1].info["source"] == "promotion"
    # b is already promoted, rung 1 is empty (b3 pending): a new configuration
    d = opt.ask()
    assert d["epochs"] == 1 and d["x"] not in {a["x"], b["x"], c["x"]}
    opt.tell(d, 0.5)
    # rung 0: 4 results, top 1 = d (0.5), not promoted yet
    assert opt.ask() == {**d, "epochs": 3}
    opt.tell(b3, 0.9)
    # rung 1: 1 told (b3), floor(1/3) = 0; rung 0: top 1 = d, promoted: new configuration
    e = opt.ask()
    assert e["epochs"] == 1
    opt.tell({**d, "epochs": 3}, 0.4)
    opt.tell(e, 10.0)
    f = opt.ask()  # rung 1: 2 results, floor(2/3) = 0; rung 0: 5 results, top 1 = d: new
    assert f["epochs"] == 1
    opt.tell(f, 0.1)
    # rung 0: 6 results, top 2 = f (0.1), d (0.5): f not promoted yet
    assert opt.ask() == {**f, "epochs": 3}
    opt.tell({**f, "epochs": 3}, 0.2)
    # rung 1: 3 results, top 1 = f3 (0.2): promoted to the top rung, highest rung first
    assert opt.ask() == {**f, "epochs": 9}
    assert [len(r) for r in opt.rungs] == [6, 3, 0]
    assert opt.best.params == {**f, "epochs": 3}  # the top-rung trial is still pending


def test_no_promotion_is_decided_on_a_pending_result():
    opt = new_asha()
    batch = opt.ask(3)
    opt.tell(batch[:2], [0.0, 1.0])  # |rung 0| = 2 told: floor(2/3) = 0 candidates
    assert opt.ask()["epochs"] == 1
    opt.tell(batch[2], 2.0)  # |rung 0| = 3: the best (told first) is promoted
    assert opt.ask() == {**batch[0], "epochs": 3}


def test_failures_count_in_the_rung_but_are_never_promoted():
    opt = new_asha()
    batch = opt.ask(6)
    opt.tell(batch, [float("nan"), None, 4.0, float("inf"), 3.0, None])
    # floor(6/3) = 2 candidates: 3.0 then 4.0; the failures rank last
    assert opt.ask(2) == [{**batch[4], "epochs": 3}, {**batch[2], "epochs": 3}]
    assert opt.ask()["epochs"] == 1


def test_top_rung_is_never_promoted_and_the_search_goes_on():
    opt = new_asha()
    for _ in range(60):
        params = opt.ask()
        opt.tell(params, params["x"] + 1.0 / params["epochs"])
    budgets = [t.params["epochs"] for t in opt.trials]
    assert max(budgets) == 9 and set(budgets) == {1, 3, 9}
    assert opt.best.params["epochs"] == 9
    keys = [(t.params["x"], t.params["epochs"]) for t in opt.trials]
    assert len(set(keys)) == len(keys)
    # each rung promoted at most floor(|rung| / eta) configurations
    for k in range(2):
        assert len(opt.promoted[k]) <= len(opt.rungs[k]) // 3


def test_warm_starts_take_no_part_in_promotions():
    opt = new_asha()
    opt.tell([{"x": 0.5, "epochs": 1}] * 1 + [{"x": 0.6, "epochs": 1}], [0.0, 0.0])
    assert opt.ask(3) and all(len(r) == 0 for r in opt.rungs)


@pytest.mark.parametrize("eta", [1, 0.5, "2"])
def test_bad_eta_is_refused(eta):
    with pytest.raises(ValueError, match="eta must be"):
        new_asha(eta=eta)
