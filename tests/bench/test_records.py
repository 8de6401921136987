"""Run records: what a journal line must hold to be read."""

import numpy as np
import pytest

from hpo.bench.records import RunRecord, check_record


def record(**changes):
    trial = dict(number=0, params={"x": 0.5}, value=1.0, status="complete", error=None,
                 ask_time=0.001, tell_time=0.001, eval_time=0.01, info={})  # fmt: skip
    d = dict(optimizer="random", problem="branin", seed=0, n_trials=1, optimum=0.4,
             trials=[trial], wall_time=0.1, meta={})  # fmt: skip
    d.update(changes)
    return d


def test_a_valid_record_round_trips():
    d = record()
    assert RunRecord.from_dict(d).to_dict() == d


@pytest.mark.parametrize(
    "trial_changes",
    [
        {"value": [0.1, 20.0]},  # several objectives
        {"status": "pruned", "value": 0.3},  # a status another optimizer may add
        {"status": "failed", "value": None, "error": "objective returned nan"},
        {"eval_time": None, "budget": 3},  # told without hpo calling it; an extra field
    ],
)
def test_what_other_optimizers_may_record_is_accepted(trial_changes):
    d = record()
    d["trials"][0].update(trial_changes)
    check_record(d)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"seed": True}, "seed must be an integer"),
        ({"optimizer": ""}, "optimizer must be a non-empty string"),
        ({"optimum": float("nan")}, "optimum must be a finite number or null"),
        ({"wall_time": -1.0}, "wall_time must be a non-negative number"),
        ({"meta": []}, "meta must be an object"),
        ({"trials": [[1, 2]]}, r"trials\[0\] must be an object"),
    ],
)
def test_a_malformed_record_is_refused_naming_the_field(changes, match):
    with pytest.raises(ValueError, match=match):
        RunRecord.from_dict(record(**changes))
    with pytest.raises(ValueError, match="must be a JSON object"):
        check_record([record()])


# -- several objectives ---------------------------------------------------------------------


def mo_record(values, n_trials=None, max_hv=0.5):
    trials = [
        dict(number=i, params={}, value=v, status="complete" if v is not None else "failed",
             error=None, ask_time=0.0, tell_time=0.0, eval_time=0.0, info={})
        for i, v in enumerate(values)
    ]  # fmt: skip
    return record(trials=trials, n_trials=n_trials or len(values), optimum=None,
                  reference_point=[1.0, 1.0], max_hypervolume=max_hv)  # fmt: skip


def test_a_multi_objective_record_round_trips_and_gives_hypervolume_regret():
    d = mo_record([[0.5, 0.5], None, [2.0, 0.0], [0.25, 0.75]], n_trials=6)
    r = RunRecord.from_dict(d)
    assert r.to_dict() == d and r.n_objectives == 2
    assert r.objective_values().shape == (4, 2)
    # HV w.r.t. (1, 1): 0.25 after (0.5, 0.5); (2, 0) lies outside the box; (0.25, 0.75)
    # adds the strip [0.25, 0.5] x [0.75, 1]: 0.25 + 0.0625.
    np.testing.assert_allclose(
        r.hypervolume_regret(), [0.25, 0.25, 0.25, 0.1875, 0.1875, 0.1875], rtol=0, atol=1e-15
    )


def test_hypervolume_regret_is_nan_without_a_maximum_and_refused_for_one_objective():
    r = RunRecord.from_dict(mo_record([[0.5, 0.5]], max_hv=None))
    assert np.isnan(r.hypervolume_regret()).all()
    with pytest.raises(ValueError, match="no reference_point"):
        RunRecord.from_dict(record()).hypervolume_regret()


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"reference_point": [1.0]}, "reference_point must be null or a list of at least 2"),
        ({"reference_point": [1.0, float("inf")]}, "reference_point must be"),
        ({"max_hypervolume": 0.0}, "max_hypervolume must be a positive number"),
    ],
)
def test_malformed_multi_objective_fields_are_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        RunRecord.from_dict({**mo_record([[0.5, 0.5]]), **changes})


def test_a_value_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match=r"trials\[0\]\.value"):
        RunRecord.from_dict(mo_record([[0.5, 0.5, 0.5]]))
    with pytest.raises(ValueError, match=r"trials\[0\]\.value"):
        RunRecord.from_dict(mo_record([0.5]))
