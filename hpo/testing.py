"""The ask/tell contract as checks anyone can run on an optimizer written on hpo's interface.

As scikit-learn's ``check_estimator`` and Optuna's sampler test case, these are the checks
hpo's own test suite runs on every hpo optimizer and installed peer::

    from hpo.testing import check_optimizer
    check_optimizer(MyOptimizer, options={"my_option": 3})

Each check is a plain function of an :class:`OptimizerCase` (the class, its options, a space
and an objective) that raises ``AssertionError`` saying what broke; :data:`CHECKS` lists
them by name. :func:`check_optimizer` runs them all, or those chosen. A family of optimizers
with more to promise (multi-fidelity ones, say) writes its own checks the same way and passes
them with ``checks=``, with the case's ``space``, ``objective`` and ``options`` set to what
its optimizers need.

Multi-objective optimizers (``supports_multi_objective``) also pass
:data:`MULTI_OBJECTIVE_CHECKS` on :func:`multi_objective_case` (``n_objectives=2`` and
:func:`mixed_objectives`)::

    check_optimizer(MyOptimizer, case=multi_objective_case(MyOptimizer),
                    checks=MULTI_OBJECTIVE_CHECKS)
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hpo.exceptions import SearchExhausted
from hpo.minimize import minimize
from hpo.moo import dominates
from hpo.optimizers import Optimizer, make_optimizer
from hpo.optimizers.base import MAX_BATCH
from hpo.space import Categorical, Integer, Real, Space
from hpo.trial import TrialStatus, outcome

__all__ = [
    "CHECKS",
    "MULTI_OBJECTIVE_CHECKS",
    "OptimizerCase",
    "check_optimizer",
    "mixed_objective",
    "mixed_objectives",
    "mixed_space",
    "multi_objective_case",
]


def mixed_space() -> Space:
    """A space with every kind of parameter (log, logit and linear reals, linear and log
    integers, tuple and string/None choices), as in the README."""
    return Space(
        {
            "learning_rate_init": Real(1e-5, 1e-1, log=True),
            "momentum": Real(0.5, 0.99, logit=True),
            "dropout": Real(0.0, 0.5),
            "max_iter": Integer(100, 1000, log=True),
            "layers": Integer(1, 4),
            "hidden_layer_sizes": Categorical([(100,), (100, 100), (100, 100, 100)]),
            "activation": Categorical(["relu", "tanh", None]),
        }
    )


def mixed_objective(params: Mapping[str, Any]) -> float:
    """A deterministic objective on :func:`mixed_space`."""
    return (
        (math.log10(params["learning_rate_init"]) + 3) ** 2
        + (params["momentum"] - 0.9) ** 2
        + params["dropout"]
        + math.log(params["max_iter"]) / 10
        + params["layers"] / 4
        + len(params["hidden_layer_sizes"])
        + (0.5 if params["activation"] == "relu" else 0.0)
    )


def mixed_objectives(params: Mapping[str, Any]) -> list[float]:
    """Two conflicting deterministic objectives on :func:`mixed_space`: an error
    (:func:`mixed_objective`) and a model size that grows with layers and width."""
    size = params["layers"] * sum(params["hidden_layer_sizes"]) * (1.0 - params["dropout"])
    return [mixed_objective(params) - params["layers"] / 2, size / 100.0]


@dataclass(frozen=True)
class OptimizerCase:
    """What the checks run: an optimizer class with its options on a space.

    Parameters
    ----------
    cls : type of Optimizer
    options : dict
        Keyword arguments of the constructor (besides ``space`` and ``seed``).
    space : Space
        Default :func:`mixed_space`; the checks of :data:`CHECKS` assume its parameter kinds
        (a real named ``"dropout"``, an integer ``"layers"``, a tuple choice).
    objective : callable
        Default :func:`mixed_objective`.
    n_trials : int, default 12
    """

    cls: type[Optimizer]
    options: Mapping[str, Any] = field(default_factory=dict)
    space: Space = field(default_factory=mixed_space)
    objective: Callable[[dict[str, Any]], float] = mixed_objective
    n_trials: int = 12

    def make(self, seed: int = 0) -> Optimizer:
        """A fresh optimizer with this case's options and budget."""
        return make_optimizer(
            self.cls, self.space, seed=seed, budget=self.n_trials, options=dict(self.options)
        )

    def run(self, objective: Callable | None = None, seed: int = 0, n: int | None = None):
        """:func:`hpo.minimize` with this case's optimizer."""
        return minimize(
            objective or self.objective,
            self.space,
            self.cls,
            n or self.n_trials,
            seed=seed,
            options=dict(self.options),
        )

    def trajectory(self, seed: int) -> list[dict[str, Any]]:
        return [t.params for t in self.run(seed=seed).trials]

    @property
    def n_objectives(self) -> int:
        """The ``n_objectives`` option (1 if not given)."""
        return int(self.options.get("n_objectives", 1))

    def constant(self, value: float) -> float | list[float]:
        """``value`` as this case's optimizer takes it: repeated per objective if several."""
        return value if self.n_objectives == 1 else [value] * self.n_objectives


def multi_objective_case(cls: type[Optimizer], options: Mapping[str, Any] | None = None):
    """The case of :data:`MULTI_OBJECTIVE_CHECKS`: ``n_objectives=2`` (plus ``options``) and
    :func:`mixed_objectives` on :func:`mixed_space`."""
    return OptimizerCase(
        cls, {"n_objectives": 2, **dict(options or {})}, objective=mixed_objectives
    )


def _key(params: Mapping[str, Any]) -> str:
    return repr(sorted(params.items()))


# -- the checks ------------------------------------------------------------------------------
def check_proposals_in_space(case: OptimizerCase) -> None:
    """Every proposal lies in the space, with Python types (never numpy scalars)."""
    opt = case.make(seed=0)
    for _ in range(case.n_trials):
        params = opt.ask()
        assert case.space.validate(params) == params, f"{params} is not canonical"
        for name, value in params.items():
            assert not isinstance(value, np.generic), f"{name}={value!r} is a numpy scalar"
            kind = case.space[name].kind
            assert kind != "real" or type(value) is float, f"{name}={value!r} is not a float"
            assert kind != "integer" or type(value) is int, f"{name}={value!r} is not an int"
        opt.tell(params, case.objective(params))


def check_batches_distinct_and_pending(case: OptimizerCase) -> None:
    """``ask(n)`` returns ``n`` distinct configurations, none pending or told before."""
    opt = case.make(seed=1)
    first, second = opt.ask(3), opt.ask(4)
    assert len(first) == 3 and len(second) == 4, "ask(n) did not return n configurations"
    assert len({_key(p) for p in first + second}) == 7, "a batch repeats a pending config"
    assert len(opt.pending) == 7
    opt.tell(first + second, [case.objective(p) for p in first + second])
    assert not opt.pending and [t.number for t in opt.trials] == list(range(7))
    after = opt.ask(2)
    assert not {_key(p) for p in first + second} & {_key(p) for p in after}, "told again"


def check_reproducible(case: OptimizerCase) -> None:
    """The same seed gives the same trajectory; different seeds differ."""
    a, b, c = case.trajectory(7), case.trajectory(7), case.trajectory(8)
    assert a == b, "the same seed gave different trajectories"
    assert a != c, "different seeds gave the same trajectory"


def check_failed_trials(case: OptimizerCase) -> None:
    """NaN, inf and exceptions become failed trials with reasons; the search goes on."""
    calls = []

    def flaky(params: dict[str, Any]) -> float:
        calls.append(params)
        kind = len(calls) % 4
        if kind == 1:
            return case.constant(float("nan"))
        if kind == 2:
            raise RuntimeError("diverged")
        if kind == 3:
            return case.constant(float("inf"))
        return case.objective(params)

    result = case.run(flaky, seed=3)
    assert len(result.trials) == case.n_trials == len(calls)
    failed = [t for t in result.trials if t.status is TrialStatus.FAILED]
    expected = case.n_trials - case.n_trials // 4
    assert len(failed) == expected == result.n_failed
    assert all(t.value is None for t in failed)
    reasons = {t.error for t in failed}
    m = case.n_objectives
    nan, inf = (outcome(case.constant(x), m)[1] for x in (float("nan"), float("inf")))
    assert {nan, inf, "RuntimeError: diverged"} <= reasons, f"reasons: {reasons}"
    if case.n_objectives == 1:
        assert result.best_value == min(t.value for t in result.trials if t.ok)
    else:
        assert result.pareto_front and all(t.ok for t in result.pareto_front)


def check_raise_errors(case: OptimizerCase) -> None:
    """``minimize(raise_errors=True)`` re-raises the objective's exception."""

    def broken(params: dict[str, Any]) -> float:
        raise KeyError("boom")

    try:
        minimize(
            broken, case.space, case.cls, 3, seed=0, options=dict(case.options), raise_errors=True
        )
    except KeyError:
        return
    raise AssertionError("the objective's KeyError was not re-raised")


def check_outside_space_refused(case: OptimizerCase) -> None:
    """A configuration outside the space is a ValueError naming the parameter, and a bad
    batch changes nothing."""
    opt = case.make(seed=0)
    params = opt.ask()
    before = (len(opt.trials), len(opt.pending))
    real = next(n for n, p in case.space.items() if p.kind == "real")
    integer = next(n for n, p in case.space.items() if p.kind == "integer")
    for bad, name in (
        ([{**params, integer: case.space[integer].high + 99}], integer),
        ([params, {**params, real: case.space[real].low - 1.0}], real),
    ):
        try:
            opt.tell(bad, [case.constant(1.0)] * len(bad))
        except ValueError as err:
            assert f"parameter {name!r}" in str(err), f"the message does not name {name!r}"
        else:
            raise AssertionError(f"an out-of-bounds {name!r} was accepted")
    assert (len(opt.trials), len(opt.pending)) == before, "a refused batch changed the state"


def check_tell_rules(case: OptimizerCase) -> None:
    """``tell([], [])`` records nothing; a configuration told twice is refused."""
    opt = case.make(seed=0)
    assert opt.tell([], []) == [] and not opt.trials
    params = opt.ask()
    opt.tell(params, case.objective(params))
    try:
        opt.tell(params, case.constant(0.0))
    except ValueError as err:
        assert "already told" in str(err)
    else:
        raise AssertionError("a configuration told twice was recorded twice")
    assert len(opt.trials) == 1


def check_warm_start(case: OptimizerCase) -> None:
    """Configurations told without being asked are recorded and never proposed again."""
    opt = case.make(seed=0)
    earlier = case.space.sample(np.random.default_rng(12345), 5)
    opt.tell(earlier, [case.objective(p) for p in earlier])
    assert len(opt.trials) == 5
    if case.n_objectives == 1:
        assert opt.best.value == min(case.objective(p) for p in earlier)
    else:
        assert opt.pareto_front, "warm starts are not on the Pareto front"
    for _ in range(5):
        params = opt.ask()
        assert params not in earlier, "a warm-started configuration was proposed"
        opt.tell(params, case.objective(params))
    assert len(opt.completed) == 10


def check_save_load(case: OptimizerCase) -> None:
    """A run saved halfway and loaded proposes what the uninterrupted run does."""
    uninterrupted = case.trajectory(11)
    opt = case.make(seed=11)
    half = case.n_trials // 2
    for _ in range(half):
        p = opt.ask()
        opt.tell(p, case.objective(p))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.pkl"
        opt.save(path)
        resumed = case.cls.load(path)
    for _ in range(case.n_trials - half):
        p = resumed.ask()
        resumed.tell(p, case.objective(p))
    assert [t.params for t in resumed.trials] == uninterrupted, "the resumed run differs"


def check_times_recorded(case: OptimizerCase) -> None:
    """Each trial records the seconds spent in ask, tell and the objective."""
    result = case.run(n=4)
    assert all(t.ask_time > 0 and t.tell_time > 0 for t in result.trials)
    assert all(t.eval_time is not None and t.eval_time >= 0 for t in result.trials)


def check_absurd_batch_refused(case: OptimizerCase) -> None:
    """``ask(n)`` beyond :data:`~hpo.optimizers.base.MAX_BATCH` is a ValueError, at once."""
    opt = case.make(seed=0)
    try:
        opt.ask(MAX_BATCH + 1)
    except ValueError as err:
        assert "n must be at most" in str(err)
    else:
        raise AssertionError(f"ask({MAX_BATCH + 1}) was not refused")
    assert not opt.trials


def check_finite_space(case: OptimizerCase) -> None:
    """On a finite space every configuration is seen once before any repeat, and random and
    grid-like optimizers end with SearchExhausted (``minimize`` stops cleanly)."""
    space = Space({"a": Categorical(["x", "y"]), "b": Integer(0, 2)})
    finite = OptimizerCase(case.cls, case.options, space, lambda p: case.constant(p["b"]), 20)
    result = finite.run()
    seen = [tuple(t.params.values()) for t in result.trials]
    if result.stopped == "exhausted":
        assert sorted(seen) == sorted({(a, b) for a in "xy" for b in range(3)})
    else:
        assert len(set(seen[:6])) == 6, "a configuration was revisited before all were seen"
    opt = finite.make()
    if result.stopped == "exhausted":
        try:
            for _ in range(7):
                opt.ask()
        except SearchExhausted:
            return
        raise AssertionError("seven asks on six configurations did not raise SearchExhausted")


#: The checks :func:`check_optimizer` runs, by name.
CHECKS: dict[str, Callable[[OptimizerCase], None]] = {
    "proposals_in_space": check_proposals_in_space,
    "batches_distinct_and_pending": check_batches_distinct_and_pending,
    "reproducible": check_reproducible,
    "failed_trials": check_failed_trials,
    "raise_errors": check_raise_errors,
    "outside_space_refused": check_outside_space_refused,
    "tell_rules": check_tell_rules,
    "warm_start": check_warm_start,
    "save_load": check_save_load,
    "times_recorded": check_times_recorded,
    "absurd_batch_refused": check_absurd_batch_refused,
    "finite_space": check_finite_space,
}


# -- several objectives --------------------------------------------------------------------
def check_vector_values(case: OptimizerCase) -> None:
    """Values are sequences of ``m`` floats, recorded as tuples; NaN or inf in any objective,
    None or an exception is a failed trial; a wrong length is a ValueError naming the rule."""
    m = case.n_objectives
    opt = case.make(seed=0)
    a, b, c, d = opt.ask(4)
    told = opt.tell(a, np.arange(1.0, m + 1.0))
    assert told.ok and told.value == tuple(np.arange(1.0, m + 1.0)), "not a tuple of floats"
    assert all(type(v) is float for v in told.value)
    for bad in ([1.0] * (m + 1), [1.0] * (m - 1)):
        try:
            opt.tell(b, bad)
        except ValueError as err:
            assert f"n_objectives={m}" in str(err), "the message does not name n_objectives"
        else:
            raise AssertionError(f"a value of {len(bad)} numbers was accepted for m={m}")
    try:
        opt.tell(b, 1.0)
    except TypeError:
        pass
    else:
        raise AssertionError("a single number was accepted for several objectives")
    failed = opt.tell([b, c, d], [[float("nan")] + [1.0] * (m - 1), None, RuntimeError("x")])
    assert all(t.status is TrialStatus.FAILED and t.value is None for t in failed)
    assert [t.number for t in opt.pareto_front] == [told.number]


def check_pareto_front(case: OptimizerCase) -> None:
    """``pareto_front`` is exactly the non-dominated completed trials; ``best`` refuses;
    ``minimize`` returns the front and no single best."""
    result = case.run(seed=5)
    front = result.pareto_front
    done = [t for t in result.trials if t.ok]
    expected = [t for t in done if not any(dominates(s.value, t.value) for s in done)]
    assert [t.number for t in front] == [t.number for t in expected], "wrong Pareto front"
    assert result.best_params is None and result.best_value is None and result.trace is None
    opt = case.make(seed=0)
    try:
        _ = opt.best
    except ValueError as err:
        assert "pareto_front" in str(err), "best's error does not point to pareto_front"
    else:
        raise AssertionError("best did not refuse with several objectives")


def check_single_objective_classes_refuse(case: OptimizerCase) -> None:
    """An optimizer class without multi-objective support refuses ``n_objectives > 1``."""

    class OneObjective(Optimizer):
        def _propose(self, n: int) -> list:
            return case.space.sample(self.rng, n)

    try:
        OneObjective(case.space, n_objectives=case.n_objectives)
    except ValueError as err:
        assert "n_objectives" in str(err)
    else:
        raise AssertionError("a single-objective class accepted n_objectives > 1")


#: The checks of a multi-objective case (:func:`multi_objective_case`): those of
#: :data:`CHECKS` that do not rely on one value, and the multi-objective ones.
MULTI_OBJECTIVE_CHECKS: dict[str, Callable[[OptimizerCase], None]] = {
    **CHECKS,
    "vector_values": check_vector_values,
    "pareto_front": check_pareto_front,
    "single_objective_classes_refuse": check_single_objective_classes_refuse,
}


def check_optimizer(
    cls: type[Optimizer],
    options: Mapping[str, Any] | None = None,
    *,
    skip: Iterable[str] = (),
    checks: Mapping[str, Callable[[OptimizerCase], None]] | None = None,
    case: OptimizerCase | None = None,
) -> list[str]:
    """Run the contract's checks on an optimizer class.

    Parameters
    ----------
    cls : type of Optimizer
    options : dict, optional
        Constructor options.
    skip : iterable of str
        Names of :data:`CHECKS` not to run (say ``"save_load"`` for an optimizer that cannot
        be pickled, ``"finite_space"`` for one that may revisit a finite space).
    checks : dict of str to callable, optional
        The checks to run instead of :data:`CHECKS` (add your own: ``{**CHECKS, ...}``).
    case : OptimizerCase, optional
        A case with another space or objective; ``cls`` and ``options`` are then ignored.

    Returns
    -------
    list of str
        The names of the checks run (all passed).

    Raises
    ------
    AssertionError
        From the first check that fails, its name in the message.
    ValueError
        If ``skip`` names no check.
    """
    checks = dict(CHECKS if checks is None else checks)
    skip = set(skip)
    if skip - set(checks):
        raise ValueError(f"skip: unknown checks {sorted(skip - set(checks))}; see CHECKS")
    case = case or OptimizerCase(cls, dict(options or {}))
    ran = []
    for name, check in checks.items():
        if name in skip:
            continue
        try:
            check(case)
        except AssertionError as err:
            raise AssertionError(f"{case.cls.__name__} fails check {name!r}: {err}") from err
        ran.append(name)
    return ran
