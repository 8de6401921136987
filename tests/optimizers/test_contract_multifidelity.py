"""The multi-fidelity contract (DESIGN.md 1b), for every multi-fidelity optimizer and for the
single-fidelity ones given a fidelity (which then always ask for the full budget)."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hpo import Fidelity, Real, SearchExhausted, Space, TrialStatus, minimize
from hpo.optimizers import MULTI_FIDELITY_OPTIMIZERS, OPTIMIZERS, Optimizer, make_optimizer

FID = Fidelity("epochs", 1, 9)
MULTI = sorted(MULTI_FIDELITY_OPTIMIZERS)
SINGLE = sorted(OPTIMIZERS)
ALL = MULTI + SINGLE
# One run of successive halving here is 9 + 3 + 1 trials: repeat it for longer runs.
OPTIONS = {"grid": {"points_per_axis": 3}, "successive-halving": {"repeat": True}}
N_TRIALS = 14
# Asynchronous ones: no bracket ever waits, so there is no schedule to finish.
ASYNC = ("asha", "async-gp-hyperband")


def make(name, space, seed=0, fidelity=FID, **extra):
    options = {"fidelity": fidelity, **OPTIONS.get(name, {}), **extra}
    return make_optimizer(name, space, seed=seed, budget=N_TRIALS, options=options)


def without_budget(params, fidelity=FID):
    return {k: v for k, v in params.items() if k != fidelity.name}


def objective(params):
    """Deterministic on the mixed space of conftest.py; lower at higher budgets."""
    return (
        (math.log10(params["learning_rate_init"]) + 3) ** 2
        + params["dropout"]
        + params["layers"] / 4
        + (0.5 if params["activation"] == "relu" else 0.0)
        + 1.0 / params["epochs"]
    )


def run(opt, n=N_TRIALS, fun=objective):
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, fun(params))
    return [t.params for t in opt.trials]


@pytest.mark.parametrize("name", ALL)
def test_asked_configurations_carry_a_valid_budget(name, mixed_space):
    opt = make(name, mixed_space)
    ladder = FID.ladder(3)
    for _ in range(N_TRIALS):
        params = opt.ask()
        budget = params["epochs"]
        assert type(budget) is int and FID.contains(budget)
        assert budget in ladder if name in MULTI else budget == FID.high
        assert mixed_space.validate(without_budget(params)) == without_budget(params)
        trial = opt.tell(params, objective(params))
        assert trial.params == params and trial.status is TrialStatus.COMPLETE
    if name in MULTI:
        assert all(t.info["budget"] == t.params["epochs"] for t in opt.trials)
        assert all({"bracket", "rung"} <= set(t.info) for t in opt.trials)


@pytest.mark.parametrize("name", ALL)
def test_a_missing_or_invalid_budget_is_refused_and_changes_nothing(name, mixed_space):
    opt = make(name, mixed_space)
    params = opt.ask()
    before = (len(opt.trials), len(opt.pending))
    with pytest.raises(ValueError, match=r"'epochs'.*missing"):
        opt.tell(without_budget(params), 1.0)
    for bad in (0, 10, 2.5, "9"):
        with pytest.raises(ValueError, match="'epochs'"):
            opt.tell([params, {**params, "epochs": bad}], [1.0, 2.0])
    with pytest.raises(ValueError, match="parameter 'layers'"):
        opt.tell({**params, "layers": 99}, 1.0)
    assert (len(opt.trials), len(opt.pending)) == before


@pytest.mark.parametrize("name", SINGLE)
def test_single_fidelity_optimizers_accept_only_the_full_budget(name, mixed_space):
    opt = make(name, mixed_space)
    params = opt.ask()
    with pytest.raises(ValueError, match="full budget 9"):
        opt.tell({**params, "epochs": 3}, 1.0)
    opt.tell(params, 1.0)
    assert opt.best.params == params


@pytest.mark.parametrize("name", MULTI)
def test_multi_fidelity_optimizers_require_a_fidelity_outside_the_space(name, mixed_space):
    with pytest.raises(TypeError, match="fidelity"):
        make_optimizer(name, mixed_space, seed=0)
    with pytest.raises(ValueError, match="'layers' is a parameter of the space"):
        make(name, mixed_space, fidelity=Fidelity("layers", 1, 9))


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_trajectory_different_seeds_differ(name, mixed_space):
    a = run(make(name, mixed_space, seed=5))
    b = run(make(name, mixed_space, seed=5))
    c = run(make(name, mixed_space, seed=6))
    assert a == b and a != c


@pytest.mark.parametrize("name", ALL)
def test_save_load_resume_equals_an_uninterrupted_run(name, mixed_space, tmp_path):
    uninterrupted = run(make(name, mixed_space, seed=3))
    opt = make(name, mixed_space, seed=3)
    run(opt, N_TRIALS // 2)
    pending = opt.ask(2)  # saved with pending trials, told after loading
    opt.save(tmp_path / "opt.pkl")
    resumed = Optimizer.load(tmp_path / "opt.pkl")
    resumed.tell(pending, [objective(p) for p in pending])
    run(resumed, N_TRIALS - N_TRIALS // 2 - 2)
    reference = make(name, mixed_space, seed=3)
    run(reference, N_TRIALS // 2)
    batch = reference.ask(2)
    reference.tell(batch, [objective(p) for p in batch])
    run(reference, N_TRIALS - N_TRIALS // 2 - 2)
    assert [t.params for t in resumed.trials] == [t.params for t in reference.trials]
    assert len(uninterrupted) == len(resumed.trials)


@pytest.mark.parametrize("name", MULTI)
def test_best_is_the_best_trial_at_the_highest_budget_evaluated(name, mixed_space):
    opt = make(name, mixed_space, seed=2)

    def cheaper_is_better(params):  # a lower budget always gives a lower loss
        return objective(params) + 10.0 * params["epochs"]

    for _ in range(40):
        params = opt.ask()
        opt.tell(params, cheaper_is_better(params))
        done = opt.completed
        top = max(t.params["epochs"] for t in done)
        at_top = [t for t in done if t.params["epochs"] == top]
        assert opt.best is min(at_top, key=lambda t: (t.value, t.number))
    assert opt.best.params["epochs"] > FID.low  # the search did promote


@pytest.mark.parametrize("name", ALL)
def test_failed_trials_are_recorded_and_never_promoted(name, mixed_space):
    opt = make(name, mixed_space, seed=4)
    failed = set()
    for i in range(27):
        params = opt.ask()
        key = repr(sorted(without_budget(params).items()))
        assert key not in failed  # a failed configuration never comes back
        if i % 3 == 0:
            opt.tell(params, float("nan"))
            failed.add(key)
        else:
            opt.tell(params, objective(params))
    assert sum(t.status is TrialStatus.FAILED for t in opt.trials) == 9


@pytest.mark.parametrize("name", ALL)
def test_warm_starts_with_budgets_are_recorded_and_not_asked_again(name, mixed_space, rng):
    opt = make(name, mixed_space, seed=0)
    earlier = [{**p, "epochs": FID.high} for p in mixed_space.sample(rng, 4)]
    opt.tell(earlier, [objective(p) for p in earlier])
    assert len(opt.trials) == 4 and opt.best.value == min(objective(p) for p in earlier)
    run(opt, 10)
    keys = [repr(sorted(t.params.items())) for t in opt.trials]
    assert len(set(keys)) == len(keys) == 14


@pytest.mark.parametrize("name", ALL)
def test_minimize_drives_them_with_the_budget_in_params(name, mixed_space):
    seen = []

    def fun(params):
        seen.append(params["epochs"])
        return objective(params)

    result = minimize(
        fun, mixed_space, name, N_TRIALS, seed=0, options={"fidelity": FID, **OPTIONS.get(name, {})}
    )
    assert len(result.trials) == N_TRIALS == len(seen)
    assert result.best_params["epochs"] == max(seen)


# -- random interleavings of ask(n) and tell --------------------------------------------------

SMALL = Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)})
OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["ask", "tell"]), st.integers(1, 4), st.integers(0, 2**16)),
    min_size=1,
    max_size=25,
)


def loss(params):
    return (params["x"] - 0.3) ** 2 + params["y"] ** 2 + 1.0 / params["epochs"]


def check_interleaving(name, operations, seed, **options):
    opt = make_optimizer(name, SMALL, seed=seed, options={"fidelity": FID, **options})
    ladder = FID.ladder(3)
    results = {}  # (configuration, budget) -> value told (None: failed)
    pending = []

    def ask(k):
        try:
            batch = opt.ask(k)
        except SearchExhausted:  # successive halving waiting for its rung
            assert name == "successive-halving" and (pending or opt.brackets[0].done)
            return
        for params in batch:
            config, budget = repr(sorted(without_budget(params).items())), params["epochs"]
            assert (config, budget) not in results  # never asked twice at one budget
            assert all(p != params for p in pending)
            rung = ladder.index(budget)
            info = next(t.info for t in reversed(opt.trials) if t.params == params)
            if info["source"] == "promotion":  # promoted only from a complete result
                assert results.get((config, ladder[rung - 1])) is not None
            results[(config, budget)] = "pending"
            pending.append(params)

    def tell(k, draw):
        for _ in range(min(k, len(pending))):
            params = pending.pop(draw % len(pending))
            config = repr(sorted(without_budget(params).items()))
            value = float("nan") if draw % 7 == 0 else loss(params)
            opt.tell(params, value)
            results[(config, params["epochs"])] = None if math.isnan(value) else value
            draw //= 3

    for op, k, draw in operations:
        ask(k) if op == "ask" else tell(k, draw)
    # drain: tell everything, then run sequentially until the brackets started are finished
    tell(len(pending), 1)
    for _ in range(300):
        if name in ASYNC or all(b.done for b in opt.brackets):
            break
        ask(1)
        tell(1, 1)
    assert not opt.pending and len(opt.trials) == len(results)
    if name not in ASYNC:  # nothing lost: every bracket ran its schedule to the end
        assert all(b.done for b in opt.brackets)
        for bracket in opt.brackets:
            for k in range(len(bracket.budgets) - 1):
                told = [
                    (s.value, i)
                    for i, s in enumerate(bracket.rungs[k].values())
                    if s.value is not None
                ]
                promoted = sorted(told)[: bracket.sizes[k + 1]]
                slots = list(bracket.rungs[k].values())
                expect = [repr(sorted(slots[i].params.items())) for _, i in promoted]
                got = [repr(sorted(s.params.items())) for s in bracket.rungs[k + 1].values()]
                assert sorted(got) == sorted(expect)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["successive-halving", "hyperband", "asha"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=OPERATIONS, seed=st.integers(0, 100))
def test_random_interleavings_never_promote_twice_nor_lose_a_trial(name, operations, seed):
    check_interleaving(name, operations, seed)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=OPERATIONS, seed=st.integers(0, 100))
def test_random_interleavings_with_the_gp_guided_hyperband(operations, seed):
    check_interleaving("gp-hyperband", operations, seed, min_points=3)


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=OPERATIONS, seed=st.integers(0, 100))
def test_random_interleavings_with_the_asynchronous_gp_guided_hyperband(operations, seed):
    check_interleaving("async-gp-hyperband", operations, seed, min_points=3)
