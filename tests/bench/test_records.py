"""Run records: what a journal line must hold to be read."""

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
