import json

import numpy as np

from hpo.trial import Trial, TrialStatus, best_so_far


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
