"""Optuna's pruners behind hpo's multi-fidelity contract (hpo/peers_multifidelity.py): the
checks of tests/optimizers/test_contract_multifidelity.py that apply to a peer, and how the
Optuna trials are cut into rungs."""

import importlib.util
import math
import subprocess
import sys
from collections import defaultdict

import numpy as np
import pytest

from hpo import Fidelity, Real, Space, TrialStatus, minimize
from hpo.optimizers import make_optimizer, optimizer_names

optuna = pytest.importorskip("optuna")

from hpo.peers_multifidelity import PEERS, STUDY_NAME  # noqa: E402

FID = Fidelity("epochs", 1, 9)
LADDER = FID.ladder(3)  # [1, 3, 9]: Optuna steps 1, 3, 9
NAMES = ["optuna-hyperband", "optuna-sh"]
SYNE_TUNE = ["synetune-asha", "synetune-bohb"]
SMALL = Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)})


def make(name, space, seed=0, fidelity=FID, **options):
    return make_optimizer(name, space, seed=seed, options={"fidelity": fidelity, **options})


def without_budget(params, fidelity=FID):
    return {k: v for k, v in params.items() if k != fidelity.name}


def key(params):
    return repr(sorted(without_budget(params).items()))


def objective(params):
    """Deterministic on the mixed space of conftest.py; lower at higher budgets."""
    return (
        (math.log10(params["learning_rate_init"]) + 3) ** 2
        + params["dropout"]
        + params["layers"] / 4
        + (0.5 if params["activation"] == "relu" else 0.0)
        + 1.0 / params["epochs"]
    )


def run(opt, n, fun=objective):
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, fun(params))
    return [t.params for t in opt.trials]


def test_registered_for_make_optimizer_and_listed_with_the_multi_fidelity_names():
    assert sorted(PEERS) == NAMES + SYNE_TUNE and all(cls.name == n for n, cls in PEERS.items())
    assert set(PEERS) <= set(optimizer_names(multi_fidelity=True))
    assert not set(PEERS) & set(optimizer_names())  # they need a fidelity


@pytest.mark.parametrize("name", NAMES)
def test_asked_configurations_carry_a_budget_on_the_ladder(name, mixed_space):
    opt = make(name, mixed_space)
    for _ in range(30):
        params = opt.ask()
        assert type(params["epochs"]) is int and params["epochs"] in LADDER
        assert mixed_space.validate(without_budget(params)) == without_budget(params)
        trial = opt.tell(params, objective(params))
        assert trial.status is TrialStatus.COMPLETE
    assert all(t.info["budget"] == t.params["epochs"] for t in opt.trials)
    assert all({"bracket", "rung", "peer_trial"} <= set(t.info) for t in opt.trials)
    assert opt.best.params["epochs"] == max(t.params["epochs"] for t in opt.completed)


@pytest.mark.parametrize("name", NAMES)
def test_requires_a_fidelity_outside_the_space_and_an_integer_eta(name, mixed_space):
    with pytest.raises(TypeError, match="fidelity"):
        make_optimizer(name, mixed_space, seed=0)
    with pytest.raises(ValueError, match="'layers' is a parameter of the space"):
        make(name, mixed_space, fidelity=Fidelity("layers", 1, 9))
    with pytest.raises(ValueError, match="eta must be an integer"):
        make(name, mixed_space, eta=2.5)
    opt = make(name, mixed_space)
    with pytest.raises(ValueError, match="'epochs'"):
        opt.tell({**opt.ask(), "epochs": 2.5}, 1.0)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_trajectory_different_seeds_differ(name, mixed_space):
    a = run(make(name, mixed_space, seed=5), 25)
    b = run(make(name, mixed_space, seed=5), 25)
    c = run(make(name, mixed_space, seed=6), 25)
    assert a == b and a != c


def test_the_study_has_a_fixed_name_so_hyperband_brackets_are_reproducible():
    opt = make("optuna-hyperband", SMALL)
    assert opt._study.study_name == STUDY_NAME
    run(opt, 40, lambda p: p["x"] + 1.0 / p["epochs"])
    brackets = {t.info["bracket"] for t in opt.trials}
    assert len(brackets) > 1  # trials are spread over Hyperband's brackets
    for t in opt.trials:  # a trial of bracket s starts at rung s, never below
        assert t.info["rung"] >= t.info["bracket"]
        if t.info["source"] == "new":
            assert t.info["rung"] == t.info["bracket"]


@pytest.mark.parametrize("name", NAMES)
def test_ask_n_gives_distinct_configurations_and_continuations_come_first(name, mixed_space):
    opt = make(name, mixed_space, seed=1)
    batch = opt.ask(6)
    assert len({repr(sorted(p.items())) for p in batch}) == 6
    opt.tell(batch, [objective(p) for p in batch])
    waiting = list(opt._waiting)
    assert waiting  # with the best of 6, something continues
    nxt = opt.ask(len(waiting) + 2)
    assert [p["epochs"] for p in nxt[: len(waiting)]] == [LADDER[r] for _, r in waiting]
    assert all(t.info["source"] == "promotion" for t in opt.pending[: len(waiting)])
    assert len({repr(sorted(p.items())) for p in nxt + batch}) == len(nxt) + len(batch)


@pytest.mark.parametrize("name", NAMES)
def test_failed_trials_end_the_optuna_trial_and_never_come_back(name, mixed_space):
    opt = make(name, mixed_space, seed=4)
    failed = set()
    for i in range(27):
        params = opt.ask()
        assert key(params) not in failed
        if i % 3 == 0:
            opt.tell(params, float("nan") if i % 2 else RuntimeError("diverged"))
            failed.add(key(params))
        else:
            opt.tell(params, objective(params))
    assert sum(t.status is TrialStatus.FAILED for t in opt.trials) == 9
    states = [t.state for t in opt._study.trials]
    assert states.count(optuna.trial.TrialState.FAIL) == 9


def test_a_hand_checked_sequence_where_successive_halving_prunes():
    # Optuna's SuccessiveHalvingPruner (eta = 3) at rung 0 promotes a trial when its value
    # is among the best len(competing) // 3 (the best so far while fewer than 3 competed).
    opt = make("optuna-sh", SMALL, seed=0)
    values = [5.0, 4.0, 6.0, 3.0, 7.0, 8.0]
    promoted_expected = [True, True, False, True, False, False]
    # competing at rung 0 when each is told: [5] best -> go; [5,4] best -> go; [5,4,6] top
    # 3 // 3 = 1 is 4 -> prune; [.., 3] top 4 // 3 = 1 is 3 -> go; 7, 8: prune.
    for value, expected in zip(values, promoted_expected):
        params = opt.ask()
        assert params["epochs"] == 1 and opt.trials[-1].info["source"] == "new"
        opt.tell(params, value)
        number = opt.trials[-1].info["peer_trial"]
        state = opt._study.trials[number].state
        if expected:
            assert state is optuna.trial.TrialState.RUNNING
            assert opt._waiting[-1] == (number, 1)
            opt._waiting.pop()  # hand the continuation back later
        else:
            assert state is optuna.trial.TrialState.PRUNED
    # the first trial goes on: its continuation is asked at rung 1 with the same params
    first = opt.trials[0]
    opt._waiting.insert(0, (first.info["peer_trial"], 1))
    again = opt.ask()
    assert without_budget(again) == without_budget(first.params) and again["epochs"] == 3


def test_a_configuration_reaching_the_top_rung_completes_with_its_loss():
    opt = make("optuna-sh", SMALL, seed=0)
    params = opt.ask()
    for budget in LADDER:  # alone, it is always the best: promoted up to the top
        assert params["epochs"] == budget
        opt.tell(params, 10.0 / budget)
        if budget < FID.high:
            params = opt.ask()
    frozen = opt._study.trials[0]
    assert frozen.state is optuna.trial.TrialState.COMPLETE and frozen.value == 10.0 / 9
    assert frozen.intermediate_values == {1: 10.0, 3: 10.0 / 3, 9: 10.0 / 9}
    assert opt.best.params == {**without_budget(params), "epochs": 9}


@pytest.mark.parametrize("name", NAMES)
def test_without_pruning_every_configuration_runs_through_every_rung(name):
    opt = make(name, SMALL, seed=3, prune=False)
    run(opt, 30, lambda p: p["x"] + p["y"] ** 2 + 1.0 / p["epochs"])
    budgets = defaultdict(list)
    for t in opt.trials:
        budgets[key(t.params)].append(t.params["epochs"])
    finished = [b for b in budgets.values() if len(b) == len(LADDER)]
    assert len(finished) == 10  # 30 trials = 10 configurations x 3 rungs
    assert all(b == LADDER for b in budgets.values())
    complete = optuna.trial.TrialState.COMPLETE
    assert [t.state for t in opt._study.trials] == [complete] * 10


@pytest.mark.parametrize("name", NAMES)
def test_warm_starts_enter_the_study(name, mixed_space, rng):
    opt = make(name, mixed_space)
    earlier = [{**p, "epochs": b} for p, b in zip(mixed_space.sample(rng, 4), [9, 3, 9, 2])]
    opt.tell(earlier, [objective(p) for p in earlier[:3]] + [float("nan")])
    state = optuna.trial.TrialState
    assert [t.state for t in opt._study.trials] == [
        state.COMPLETE,
        state.PRUNED,
        state.COMPLETE,
        state.FAIL,
    ]
    run(opt, 10)
    keys = [repr(sorted(t.params.items())) for t in opt.trials]
    assert len(set(keys)) == len(keys) == 14


@pytest.mark.parametrize("name", NAMES)
def test_minimize_drives_them(name, mixed_space):
    result = minimize(objective, mixed_space, name, 20, seed=0, options={"fidelity": FID})
    assert len(result.trials) == 20
    assert result.best_params["epochs"] == max(t.params["epochs"] for t in result.trials)


def test_hpo_imports_and_lists_optimizers_without_optuna():
    code = (
        "import sys; sys.modules['optuna'] = None\n"
        "import hpo, hpo.peers_multifidelity\n"
        "from hpo.optimizers import optimizer_names, make_optimizer\n"
        "assert 'optuna-sh' in optimizer_names(multi_fidelity=True)\n"
        "try:\n"
        "    make_optimizer('optuna-sh', {'x': hpo.Real(0.0, 1.0)},\n"
        "                   options={'fidelity': hpo.Fidelity('e', 1, 9)})\n"
        "except ImportError as err:\n"
        "    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "needs optuna" in out.stdout


# -- Syne Tune (not in the peers extra: run when syne-tune is installed) ------------------

needs_syne_tune = pytest.mark.skipif(
    importlib.util.find_spec("syne_tune") is None, reason="syne-tune is not installed"
)


@needs_syne_tune
@pytest.mark.parametrize("name", SYNE_TUNE)
def test_syne_tune_peers_follow_the_contract_and_leave_numpy_global_state(name, mixed_space):
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (what this test checks)
    a = make(name, mixed_space, seed=5)
    run(a, 25)
    assert all(t.params["epochs"] in LADDER for t in a.trials)
    assert {t.info["source"] for t in a.trials} == {"new", "promotion"}
    b = run(make(name, mixed_space, seed=5), 25)
    c = run(make(name, mixed_space, seed=6), 25)
    assert [t.params for t in a.trials] == b and b != c
    after = np.random.get_state()[1]  # noqa: NPY002
    assert (after == before).all()  # Syne Tune's global draws undone


@needs_syne_tune
def test_syne_tune_asha_stops_the_worse_two_thirds_at_a_rung():
    # Syne Tune's Bracket.on_result: a result is stopped when its rank among the results
    # recorded at the rung (itself included) is above 1 / eta.
    opt = make("synetune-asha", SMALL, seed=0)
    outcome = []
    for value in [5.0, 4.0, 6.0, 3.0]:
        params = opt.ask()
        assert params["epochs"] == 1
        opt.tell(params, value)
        continued = bool(opt._waiting)
        outcome.append(continued)
        opt._waiting.clear()
    # ranks (searchsorted / n): 5 -> 0; 4 of [5, 4] -> 0; 6 of [5, 4, 6] -> 2/3; 3 -> 0
    assert outcome == [True, True, False, True]


@needs_syne_tune
@pytest.mark.parametrize("name", SYNE_TUNE)
def test_syne_tune_failed_trials_are_reported_as_errors(name, mixed_space):
    opt = make(name, mixed_space, seed=4)
    failed = set()
    for i in range(18):
        params = opt.ask()
        assert key(params) not in failed
        if i % 3 == 0:
            opt.tell(params, float("nan"))
            failed.add(key(params))
        else:
            opt.tell(params, objective(params))
    assert sum(t.status is TrialStatus.FAILED for t in opt.trials) == 6
