"""load() reads optimizer files with a restricted unpickler (issue 14: it ran a shell command)."""

import os
import pickle

import numpy as np
import pytest

from hpo import GeneticAlgorithm, Optimizer, RandomSearch, Real, Space, TrialStatus
from hpo.optimizers.persistence import restricted_load

SPACE = Space({"x": Real(0.0, 1.0)})


class _System:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class _Save:
    """A pickle that calls an admitted object's method: optimizer.save(path)."""

    def __init__(self, opt, path):
        self.opt, self.path = opt, path

    def __reduce__(self):
        return self.opt.save, (self.path,)  # a bound method pickles as getattr(opt, "save")


def test_a_pickle_calling_os_system_is_refused_before_it_runs(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    payload = {"format": "hpo-optimizer", "version": 1, "optimizer": _System(f"touch {marker}")}
    path.write_bytes(pickle.dumps(payload))
    with pytest.raises(ValueError, match=r"not an hpo optimizer file.*refused to load .*system"):
        Optimizer.load(path)
    assert not marker.exists()


def test_getattr_is_admitted_for_enum_members_only(tmp_path):
    opt = RandomSearch(SPACE, seed=0)
    assert restricted_load(pickle.dumps(TrialStatus.FAILED)) is TrialStatus.FAILED
    with pytest.raises(pickle.UnpicklingError, match="refused getattr"):
        restricted_load(pickle.dumps(_Save(opt, tmp_path / "x")))
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "obj", [eval, exec, __import__, np.save, np.load, np.savetxt, pickle.loads, os.remove]
)
def test_callables_outside_the_admitted_set_are_refused(obj):
    with pytest.raises(pickle.UnpicklingError, match="refused to load"):
        restricted_load(pickle.dumps(obj))


def test_numpy_state_and_containers_load(tmp_path):
    state = {
        "rng": np.random.default_rng(3),
        "arrays": [np.arange(5.0), np.zeros((2, 2), dtype=np.int64), np.float32(1.5)],
        "objects": np.array([(1, 2), None], dtype=object),
        "misc": (range(3), frozenset({1}), slice(1, 2), 1 + 2j),
    }
    again = restricted_load(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    assert again["rng"].random() == np.random.default_rng(3).random()
    np.testing.assert_array_equal(again["arrays"][1], state["arrays"][1])
    assert again["misc"] == state["misc"]


def _always_first(fitness, n_select, k, rng):
    """A user's selection operator, outside hpo's modules."""
    return np.zeros(n_select, dtype=np.int64)


class TrustingGA(GeneticAlgorithm):
    """Declares the foreign global its state holds."""

    pickle_trusted = (f"{__name__}:_always_first", f"{__name__}:TrustingGA")


def test_a_ga_with_operators_round_trips_and_a_foreign_one_needs_trust(tmp_path):
    path = tmp_path / "ga.pkl"
    opt = GeneticAlgorithm(SPACE, seed=0, pop_size=4)
    for _ in range(6):
        opt.tell(opt.ask(), 1.0)
    opt.save(path)
    again = GeneticAlgorithm.load(path)
    assert again.ask() == opt.ask()  # the default operators are hpo's: admitted

    GeneticAlgorithm(SPACE, seed=0, selection=_always_first).save(path)
    with pytest.raises(ValueError, match=r"refused to load .*_always_first"):
        GeneticAlgorithm.load(path)

    TrustingGA(SPACE, seed=0, selection=_always_first).save(path)
    assert TrustingGA.load(path).selection is _always_first


def test_bayes_with_a_fitted_gp_round_trips_through_the_restricted_unpickler(tmp_path):
    from hpo import BayesianOptimization, Categorical, Integer

    space = Space(
        {"x": Real(0.0, 1.0), "n": Integer(1, 9, log=True), "c": Categorical(["a", None])}
    )
    opt = BayesianOptimization(space, seed=0, n_initial=3)
    for _ in range(6):
        p = opt.ask()
        opt.tell(p, (p["x"] - 0.3) ** 2 + p["n"] / 10 + (p["c"] is None))
    pending = opt.ask(2)  # pending trials are part of the state too
    assert opt.gp is not None  # the model was fitted
    opt.save(tmp_path / "bo.pkl")
    again = BayesianOptimization.load(tmp_path / "bo.pkl")
    assert [t.params for t in again.pending] == pending
    assert again.ask(2) == opt.ask(2)
