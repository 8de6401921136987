import json
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from hpo.trial import (
    Trial,
    TrialStatus,
    as_value,
    as_values,
    best_so_far,
    check_n_objectives,
    outcome,
)


def test_best_so_far_treats_failures_as_missing():
    trace = best_so_far([3.0, None, float("nan"), 1.0, 2.0])
    assert np.array_equal(trace, [3.0, 3.0, 3.0, 1.0, 1.0])
    assert np.array_equal(best_so_far([None, 2.0]), [np.inf, 2.0])
    assert best_so_far([]).shape == (0,)


def test_trial_round_trips_through_json():
    t = Trial(3, {"h": (100, 100), "lr": 0.1}, 0.5, TrialStatus.COMPLETE, info={"ei": 1.0})
    again = Trial.from_dict(json.loads(json.dumps(t.to_dict())))
    assert again.status is TrialStatus.COMPLETE and again.value == 0.5
    assert again.params["h"] == [100, 100]  # JSON has no tuples; Space.validate restores them


# -- the one rule of what a value is (issue 14) ----------------------------------------------


@pytest.mark.parametrize(
    "value",
    [1, 1.5, Fraction(1, 2), Decimal("0.5"), np.float32(2.5), np.int64(3), np.array([0.25])],
)
def test_real_numbers_of_every_kind_are_values(value):
    number = as_value(value)
    assert type(number) is float and number == float(np.asarray(value).item())
    assert outcome(value) == (number, None)


@pytest.mark.parametrize(
    "value", [True, False, np.bool_(True), "1.5", b"1", 1 + 0j, [1.0], np.array([1.0, 2.0])]
)
def test_bool_str_and_other_non_numbers_are_refused(value):
    with pytest.raises(TypeError, match="value must be a real number"):
        as_value(value)
    with pytest.raises(TypeError, match="value must be a real number"):
        outcome(value)


def test_failures_and_out_of_range_numbers_are_failed_outcomes():
    assert outcome(None) == (None, "objective returned None")
    assert outcome(RuntimeError("x")) == (None, "RuntimeError: x")
    assert outcome(float("nan")) == (None, "objective returned nan")
    assert outcome(Decimal("-Infinity")) == (None, "objective returned -inf")
    assert outcome(10**400) == (None, "objective returned inf")
    assert outcome(Decimal("sNaN")) == (None, "objective returned nan")


# -- several objectives (issue 11) -------------------------------------------------------------


@pytest.mark.parametrize("value", [[1, 2.5], (1.0, 2.5), np.array([1.0, 2.5]), [Decimal(1), 2.5]])
def test_a_vector_value_is_a_sequence_of_m_real_numbers(value):
    assert as_values(value, 2) == (1.0, 2.5)
    assert outcome(value, 2) == ((1.0, 2.5), None)


@pytest.mark.parametrize("value", [[1.0, float("nan")], (float("inf"), 0.0), None, KeyError("k")])
def test_a_non_finite_objective_fails_the_whole_trial(value):
    number, reason = outcome(value, 2)
    assert number is None and reason


@pytest.mark.parametrize(
    "value, error",
    [
        ([1.0], ValueError),
        ([1.0, 2.0, 3.0], ValueError),
        (1.0, TypeError),
        ("12", TypeError),
        ([1.0, "2"], TypeError),
        ([True, 1.0], TypeError),
        (np.ones((1, 2)), TypeError),
    ],
)
def test_a_malformed_vector_value_is_refused_naming_the_rule(value, error):
    with pytest.raises(error, match=r"n_objectives=2|sequence of 2 real numbers|real number"):
        outcome(value, 2)


def test_a_vector_trial_round_trips_through_json_as_a_tuple():
    t = Trial(0, {"x": 0.5}, (0.25, 3.0), TrialStatus.COMPLETE)
    again = Trial.from_dict(json.loads(json.dumps(t.to_dict())))
    assert again.value == (0.25, 3.0) and isinstance(again.value, tuple)


@pytest.mark.parametrize("bad", [0, 1.0, True, None])
def test_check_n_objectives_refuses_non_positive_integers(bad):
    with pytest.raises(ValueError, match="n_objectives must be a positive integer"):
        check_n_objectives(bad)
    assert check_n_objectives(np.int64(3)) == 3


def test_best_so_far_refuses_vector_values_pointing_to_the_hypervolume():
    with pytest.raises(ValueError, match="hypervolume"):
        best_so_far([(1.0, 2.0), None])
