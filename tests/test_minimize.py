from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from hpo import GridSearch, RandomSearch, Real, Space, TrialStatus, minimize
from hpo.optimizers import make_optimizer, optimizer_names

SPACE = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})


def sphere(p):
    return p["x"] ** 2 + p["y"] ** 2


def test_result_holds_best_and_trace():
    result = minimize(sphere, SPACE, "random", 30, seed=0)
    values = [t.value for t in result.trials]
    assert result.best_value == min(values)
    assert result.best_params == result.trials[int(np.argmin(values))].params
    assert np.array_equal(result.trace, np.minimum.accumulate(values))
    assert result.stopped == "budget" and result.optimizer == "random"


def test_callback_can_stop_the_search():
    seen = []

    def stop_after_five(trial, optimizer):
        seen.append(trial.number)
        return len(seen) == 5

    result = minimize(sphere, SPACE, "random", 30, seed=0, callbacks=[stop_after_five])
    assert len(result.trials) == 5 and result.stopped == "callback"


def test_non_numeric_result_is_a_failed_trial():
    result = minimize(lambda p: "oops", SPACE, "random", 3, seed=0)
    assert all(t.status is TrialStatus.FAILED for t in result.trials)
    assert "not a real number" in result.trials[0].error
    assert result.best_params is None and result.best_value == float("inf")


def test_optimizer_as_class_instance_or_name():
    a = minimize(sphere, SPACE, RandomSearch, 5, seed=1)
    b = minimize(sphere, SPACE, RandomSearch(SPACE, seed=1), 5)
    c = minimize(sphere, SPACE, "random", 5, seed=1)
    assert (
        [t.params for t in a.trials] == [t.params for t in b.trials] == [t.params for t in c.trials]
    )


def test_bad_optimizer_arguments_are_named():
    with pytest.raises(ValueError, match="optimizer: unknown name 'nope'"):
        minimize(sphere, SPACE, "nope", 5)
    with pytest.raises(ValueError, match="RandomSearch has no option 'colour'"):
        minimize(sphere, SPACE, "random", 5, options={"colour": "red"})
    with pytest.raises(ValueError, match="n_trials must be a positive integer"):
        minimize(sphere, SPACE, "random", 0)
    with pytest.raises(ValueError, match="another space"):
        minimize(sphere, SPACE, GridSearch(Space({"z": Real(0.0, 1.0)})), 5)
    with pytest.raises(TypeError, match="seed must be"):
        minimize(sphere, SPACE, "random", 5, seed=1.5)


def test_registry_lists_builtins_and_peers():
    names = optimizer_names()
    assert {"grid", "random"} <= set(names)
    assert {"skopt-gp", "optuna-gp", "optuna-tpe", "pymoo-ga"} <= set(names)
    assert make_optimizer("grid", SPACE, budget=9).grid_size == 9


def test_tell_refuses_non_numbers_and_length_mismatch():
    opt = RandomSearch(SPACE, seed=0)
    p = opt.ask()
    with pytest.raises(TypeError, match="value must be a real number"):
        opt.tell(p, "1.0")
    with pytest.raises(ValueError, match="2 configurations but 1 values"):
        opt.tell([p, p], [1.0])
    trial = opt.tell(p, np.float32(2.5))
    assert trial.value == 2.5 and type(trial.value) is float
    failed = opt.tell(opt.ask(), 1.0, error="killed by the scheduler")
    assert failed.status is TrialStatus.FAILED and failed.error == "killed by the scheduler"
    assert opt.best is trial


def test_save_refuses_foreign_files(tmp_path):
    path = tmp_path / "x.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="not an hpo optimizer file"):
        RandomSearch.load(path)
    RandomSearch(SPACE, seed=0).save(path)
    with pytest.raises(ValueError, match="holds a RandomSearch, not a GridSearch"):
        GridSearch.load(path)


@pytest.mark.parametrize("bad", ["1.5", True, np.bool_(False), b"0", [1.0]])
def test_a_value_tell_would_refuse_is_a_failed_trial_not_a_crash(bad):
    """Issue 14: evaluate let float("1.5") and float(True) pass, then tell raised TypeError
    and minimize lost every trial."""
    result = minimize(lambda p: bad, SPACE, "random", 3, seed=0)
    assert len(result.trials) == 3 and result.n_failed == 3
    assert all("not a real number" in t.error for t in result.trials)


@pytest.mark.parametrize("good", [Decimal("0.5"), Fraction(1, 2), np.float16(0.5), np.int8(1)])
def test_real_numbers_of_other_types_are_values(good):
    result = minimize(lambda p: good, SPACE, "random", 2, seed=0)
    assert result.n_failed == 0 and result.best_value == float(good)


def test_result_front_of_one_objective_is_the_best_trial_and_ties():
    result = minimize(lambda p: round(p["x"] ** 2), SPACE, "random", 20, seed=0)
    assert result.pareto_front and result.n_objectives == 1
    assert all(t.value == result.best_value for t in result.pareto_front)
    assert result.pareto_front[0].params == result.best_params
