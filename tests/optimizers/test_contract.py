"""The ask/tell contract, checked for every optimizer in the registry (new ones included)."""

import math

import numpy as np
import pytest

from hpo import SearchExhausted, TrialStatus, minimize
from hpo.optimizers import OPTIMIZERS, make_optimizer
from hpo.peers import PEERS, available

N_TRIALS = 12
NAMES = sorted(OPTIMIZERS)
# Peer adapters (optional extra) honour the same contract, except saving (Optuna) and the
# guarantee of not revisiting a finite space; they run where their library is installed.
PEER_NAMES = [
    pytest.param(name, marks=[pytest.mark.peers, pytest.mark.slow])
    if available(name)
    else pytest.param(name, marks=pytest.mark.skip(reason=f"{name}: pip install -e '.[peers]'"))
    for name in sorted(PEERS)
]
WITH_PEERS = NAMES + PEER_NAMES
# Grid search sized by the budget alone would cover only the 9 categorical combinations here.
OPTIONS = {"grid": {"points_per_axis": 3}}


def objective(params):
    """Deterministic, defined on the mixed space of conftest.py."""
    return (
        (math.log10(params["learning_rate_init"]) + 3) ** 2
        + (params["momentum"] - 0.9) ** 2
        + params["dropout"]
        + math.log(params["max_iter"]) / 10
        + params["layers"] / 4
        + len(params["hidden_layer_sizes"])
        + (0.5 if params["activation"] == "relu" else 0.0)
    )


def trajectory(name, space, seed, n=N_TRIALS):
    result = minimize(objective, space, name, n, seed=seed, options=OPTIONS.get(name))
    return [t.params for t in result.trials]


@pytest.mark.parametrize("name", WITH_PEERS)
def test_proposals_lie_in_the_space_with_python_types(name, mixed_space):
    opt = make_optimizer(name, mixed_space, seed=0, budget=N_TRIALS, options=OPTIONS.get(name))
    for _ in range(N_TRIALS):
        params = opt.ask()
        assert mixed_space.validate(params) == params
        assert type(params["dropout"]) is float and type(params["layers"]) is int
        assert type(params["hidden_layer_sizes"]) is tuple
        assert not any(isinstance(v, np.generic) for v in params.values())
        opt.tell(params, objective(params))


@pytest.mark.parametrize("name", WITH_PEERS)
def test_batches_are_distinct_and_account_for_pending(name, mixed_space):
    opt = make_optimizer(name, mixed_space, seed=1, budget=N_TRIALS, options=OPTIONS.get(name))
    first = opt.ask(3)
    second = opt.ask(4)
    assert len(first) == 3 and len(second) == 4
    keys = {repr(sorted(p.items())) for p in first + second}
    assert len(keys) == 7
    assert len(opt.pending) == 7
    opt.tell(first + second, [objective(p) for p in first + second])
    assert not opt.pending
    assert [t.number for t in opt.trials] == list(range(7))
    after = opt.ask(2)
    told = {repr(sorted(p.items())) for p in first + second}
    assert not told & {repr(sorted(p.items())) for p in after}


@pytest.mark.parametrize("name", WITH_PEERS)
def test_same_seed_same_trajectory_different_seeds_differ(name, mixed_space):
    a = trajectory(name, mixed_space, seed=7)
    b = trajectory(name, mixed_space, seed=7)
    c = trajectory(name, mixed_space, seed=8)
    assert a == b
    assert a != c


@pytest.mark.parametrize("name", WITH_PEERS)
def test_failures_become_recorded_trials_and_the_search_goes_on(name, mixed_space):
    calls = []

    def flaky(params):
        calls.append(params)
        kind = len(calls) % 4
        if kind == 1:
            return float("nan")
        if kind == 2:
            raise RuntimeError("diverged")
        if kind == 3:
            return float("inf")
        return objective(params)

    result = minimize(flaky, mixed_space, name, N_TRIALS, seed=3, options=OPTIONS.get(name))
    assert len(result.trials) == N_TRIALS == len(calls)
    failed = [t for t in result.trials if t.status is TrialStatus.FAILED]
    assert len(failed) == 9 and result.n_failed == 9
    assert all(t.value is None for t in failed)
    reasons = {t.error for t in failed}
    assert "objective returned nan" in reasons
    assert "objective returned inf" in reasons
    assert "RuntimeError: diverged" in reasons
    assert result.best_value == min(t.value for t in result.trials if t.ok)
    assert np.isfinite(result.trace[-1]) and np.all(np.diff(result.trace[3:]) <= 0)


@pytest.mark.parametrize("name", NAMES)
def test_raise_errors_reraises_after_recording(name, mixed_space):
    def broken(params):
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        minimize(broken, mixed_space, name, 3, seed=0, raise_errors=True)


@pytest.mark.parametrize("name", WITH_PEERS)
def test_outside_the_space_is_refused_and_changes_nothing(name, mixed_space):
    opt = make_optimizer(name, mixed_space, seed=0, budget=N_TRIALS, options=OPTIONS.get(name))
    params = opt.ask()
    before = (len(opt.trials), len(opt.pending))
    with pytest.raises(ValueError, match="parameter 'layers'"):
        opt.tell({**params, "layers": 99}, 1.0)
    with pytest.raises(ValueError, match="parameter 'dropout'"):
        opt.tell([params, {**params, "dropout": -1.0}], [1.0, 2.0])
    assert (len(opt.trials), len(opt.pending)) == before


@pytest.mark.parametrize("name", WITH_PEERS)
def test_warm_start_with_unasked_configurations(name, mixed_space, rng):
    opt = make_optimizer(name, mixed_space, seed=0, budget=N_TRIALS, options=OPTIONS.get(name))
    earlier = mixed_space.sample(rng, 5)
    opt.tell(earlier, [objective(p) for p in earlier])
    assert len(opt.trials) == 5 and opt.best.value == min(objective(p) for p in earlier)
    for _ in range(5):
        params = opt.ask()
        assert params not in earlier
        opt.tell(params, objective(params))
    assert len(opt.completed) == 10


@pytest.mark.parametrize("name", NAMES)
def test_save_load_resume_equals_an_uninterrupted_run(name, mixed_space, tmp_path):
    uninterrupted = trajectory(name, mixed_space, seed=11, n=N_TRIALS)

    opt = make_optimizer(name, mixed_space, seed=11, budget=N_TRIALS, options=OPTIONS.get(name))
    for _ in range(N_TRIALS // 2):
        p = opt.ask()
        opt.tell(p, objective(p))
    path = tmp_path / "state.pkl"
    opt.save(path)
    del opt
    resumed = type(
        make_optimizer(name, mixed_space, seed=0, budget=N_TRIALS, options=OPTIONS.get(name))
    ).load(path)
    for _ in range(N_TRIALS - N_TRIALS // 2):
        p = resumed.ask()
        resumed.tell(p, objective(p))
    assert [t.params for t in resumed.trials] == uninterrupted


@pytest.mark.parametrize("name", WITH_PEERS)
def test_ask_and_tell_time_is_recorded(name, mixed_space):
    result = minimize(objective, mixed_space, name, 4, seed=0)
    assert all(t.ask_time > 0 and t.tell_time > 0 for t in result.trials)
    assert all(t.eval_time is not None and t.eval_time >= 0 for t in result.trials)


@pytest.mark.parametrize("name", NAMES)
def test_finite_spaces_end_cleanly(name):
    from hpo import Categorical, Integer, Space

    space = Space({"a": Categorical(["x", "y"]), "b": Integer(0, 2)})
    result = minimize(lambda p: p["b"], space, name, 20, seed=0)
    seen = [tuple(t.params.values()) for t in result.trials]
    if result.stopped == "exhausted":
        assert sorted(seen) == sorted({(a, b) for a in "xy" for b in range(3)})
    else:  # an optimizer may revisit a finite space only after seeing all of it
        assert len(set(seen[:6])) == 6
    if name in ("grid", "random"):
        assert result.stopped == "exhausted" and len(seen) == 6
    with pytest.raises(SearchExhausted):
        opt = make_optimizer("grid", space, seed=0)
        for _ in range(7):
            opt.ask()
