"""Simulated time: ``k`` virtual workers, each evaluation lasting its cost in virtual time.

The idea of Syne Tune's simulator backend (Salinas et al. 2022, "Syne Tune", AutoML-Conf,
section 3): when an evaluation's duration is known (its ``cost``, in epochs or seconds), a run
with ``k`` workers can be replayed without waiting. Evaluations are computed one after the
other in this process, but the optimizer sees them finish in *virtual* time:

- at virtual time ``t`` every free worker asks the optimizer for a configuration (the others
  pending) and starts it; it ends at ``t + cost(params)``;
- an event queue (a heap of ``(end time, start order)``) pops the earliest end; every
  evaluation ending at that same time is told, in the order they started, and only then do
  the freed workers ask again.

The run is deterministic given the seed (ties are broken by start order), and with ``k = 1``
it is exactly the sequential run of :func:`hpo.minimize`. Wall-clock regret curves with 1, 4
or 16 workers then come from :attr:`SimulatedRun.end`.
"""

from __future__ import annotations

import heapq
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpo._seed import SeedLike
from hpo.exceptions import SearchExhausted
from hpo.minimize import evaluate
from hpo.optimizers import OPTIMIZERS, Optimizer, make_optimizer
from hpo.problems.base import Problem
from hpo.space import Space
from hpo.trial import Result, best_so_far

__all__ = ["SimulatedRun", "run"]


@dataclass
class SimulatedRun:
    """What :func:`run` returns: the usual :class:`~hpo.Result` and each trial's virtual times.

    Attributes
    ----------
    result : Result
        Trials in the order they were asked (``result.trace`` follows that order too).
    start, end : ndarray of shape (n_trials,)
        Virtual time at which trial ``i`` of ``result.trials`` started and ended (NaN for
        trials the simulation did not run, such as those of a warm-started optimizer).
    worker : ndarray of shape (n_trials,)
        The virtual worker (0 .. k-1) that ran it, -1 if none.
    cost : ndarray of shape (n_trials,)
        Its cost, ``end - start``.
    """

    result: Result
    start: np.ndarray
    end: np.ndarray
    worker: np.ndarray
    cost: np.ndarray

    def completions(self) -> tuple[np.ndarray, np.ndarray]:
        """``(times, best)``: the end times of the simulated trials in the order they ended,
        and the best value known at each (``inf`` before the first success)."""
        ran = np.flatnonzero(~np.isnan(self.end))
        order = ran[np.lexsort((ran, self.end[ran]))]
        values = [self.result.trials[i].value for i in order]
        return self.end[order], best_so_far(values)

    def best_at(self, times: float | np.ndarray) -> np.ndarray:
        """Best value among the trials ended by each virtual time in ``times`` (``inf`` if none)."""
        ends, best = self.completions()
        idx = np.searchsorted(ends, np.asarray(times, dtype=float), side="right")
        padded = np.concatenate([[np.inf], best])
        return padded[idx]


def _check_budget(name: str, value: Any, integer: bool = False) -> None:
    if value is None:
        return
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind) or isinstance(value, bool) or not value > 0:
        rule = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {rule} or None, got {value!r}")


def _cost_function(cost: Any, problem: Problem | None) -> Callable[[dict[str, Any]], float]:
    if cost is None:
        return problem.cost if problem is not None else (lambda params: 1.0)
    if callable(cost):
        return cost
    if isinstance(cost, numbers.Real) and not isinstance(cost, bool):
        return lambda params: float(cost)
    raise TypeError(f"cost must be None, a number or a callable, got {cost!r}")


def _with_fidelity(optimizer: Any, options: Mapping[str, Any] | None, problem: Problem | None):
    """Give the problem's fidelity to an optimizer built here that takes one."""
    options = dict(options or {})
    if problem is None or problem.fidelity is None or "fidelity" in options:
        return options
    cls = OPTIMIZERS.get(optimizer) if isinstance(optimizer, str) else optimizer
    if isinstance(cls, type) and "fidelity" in inspect.signature(cls.__init__).parameters:
        options["fidelity"] = problem.fidelity
    return options


def run(
    objective: Problem | Callable[[dict[str, Any]], Any],
    optimizer: str | type[Optimizer] | Optimizer = "random",
    *,
    space: Space | Mapping[str, Any] | None = None,
    n_workers: int = 1,
    n_trials: int | None = None,
    max_cost: float | None = None,
    max_time: float | None = None,
    cost: Callable[[dict[str, Any]], float] | float | None = None,
    seed: SeedLike = None,
    options: Mapping[str, Any] | None = None,
) -> SimulatedRun:
    """Run an optimizer with ``n_workers`` virtual workers, in simulated time.

    Parameters
    ----------
    objective : Problem or callable
        A problem (its space, its ``cost`` and its fidelity are used), or ``objective(params)``
        with ``space`` given.
    optimizer : str, Optimizer subclass or Optimizer, default "random"
        As in :func:`hpo.minimize`. A name or class that takes a ``fidelity`` gets the
        problem's, unless ``options`` sets one.
    space : Space or dict, optional
        Required when ``objective`` is not a :class:`~hpo.problems.Problem`.
    n_workers : int, default 1
        Virtual workers ``k``.
    n_trials, max_cost, max_time : optional
        Budgets (at least one): no evaluation starts once ``n_trials`` have started, once the
        costs of those started reach ``max_cost``, or at a virtual time ``>= max_time``.
        Evaluations already running then finish, so the last may overshoot ``max_cost`` and
        end after ``max_time``; cut curves with :meth:`SimulatedRun.best_at`.
    cost : callable, number or None
        Virtual duration of an evaluation, ``cost(params) -> float >= 0``, called just before
        the objective. Default: the problem's :meth:`~hpo.problems.Problem.cost`, else 1.
    seed : int, numpy.random.Generator or None
    options : dict, optional
        Keyword arguments of the optimizer's constructor.

    Returns
    -------
    SimulatedRun

    Examples
    --------
    >>> from hpo import Real
    >>> sim = run(lambda p: p["x"] ** 2, "random", space={"x": Real(-1.0, 1.0)},
    ...           n_workers=4, n_trials=10, cost=3.0, seed=0)
    >>> float(sim.end.max())  # ceil(10 / 4) rounds of 3 time units
    9.0
    """
    problem = objective if isinstance(objective, Problem) else None
    if space is None:
        if problem is None:
            raise ValueError("space: required when objective is not a Problem")
        space = problem.space
    _check_budget("n_workers", n_workers, integer=True)
    _check_budget("n_trials", n_trials, integer=True)
    _check_budget("max_cost", max_cost)
    _check_budget("max_time", max_time)
    if n_trials is None and max_cost is None and max_time is None:
        raise ValueError("give a budget: n_trials, max_cost or max_time")
    cost_of = _cost_function(cost, problem)
    options = _with_fidelity(optimizer, options, problem)
    opt = make_optimizer(optimizer, space, seed=seed, budget=n_trials, options=options)

    free = list(range(n_workers))  # a heap: the lowest-numbered free worker starts next
    events: list[tuple] = []  # (end, start order, worker, start, cost, params, outcome)
    times: dict[int, tuple[float, float, int, float]] = {}
    now, started, spent, stopped = 0.0, 0, 0.0, "budget"

    def may_start() -> bool:
        return (
            stopped == "budget"
            and (n_trials is None or started < n_trials)
            and (max_cost is None or spent < max_cost)
            and (max_time is None or now < max_time)
        )

    while True:
        while free and may_start():
            try:
                params = opt.ask()
            except SearchExhausted:
                stopped = "exhausted"
                break
            c = float(cost_of(params))
            if not (math.isfinite(c) and c >= 0):
                raise ValueError(f"cost must be finite and >= 0, got {c!r} for {params}")
            outcome = evaluate(objective, params)
            heapq.heappush(events, (now + c, started, heapq.heappop(free), now, c, params, outcome))
            started, spent = started + 1, spent + c
        if not events:
            break
        now = events[0][0]
        while events and events[0][0] == now:  # every evaluation ending now, in start order
            end, _, worker, start, c, params, (value, error, elapsed) = heapq.heappop(events)
            trial = opt.tell(params, value, error=error)
            trial.eval_time = elapsed
            times[trial.number] = (start, end, worker, c)
            heapq.heappush(free, worker)

    trials = opt.trials
    table = np.full((len(trials), 4), np.nan)
    for number, row in times.items():
        table[number] = row
    best = opt.best
    result = Result(
        best_params=None if best is None else dict(best.params),
        best_value=float("inf") if best is None else best.value,
        trials=trials,
        trace=best_so_far([t.value for t in trials]),
        optimizer=opt.name or type(opt).__name__,
        stopped=stopped,
    )
    worker = np.where(np.isnan(table[:, 2]), -1, table[:, 2]).astype(int)
    return SimulatedRun(result, table[:, 0], table[:, 1], worker, table[:, 3])
