"""One run of a multi-fidelity study: a cost budget, the problem's fidelity, simulated workers.

A run with a cost ``budget`` (in full-training equivalents, see :mod:`hpo.bench.study`) is
driven by :func:`hpo.simulate.run` with ``k`` virtual workers (``k = 1`` when the study gives
no ``workers``: then it is the sequential run of :func:`hpo.minimize`): the optimizer gets the
problem's fidelity, every evaluation lasts its cost in virtual time, and no evaluation starts
once the costs started reach ``budget * fidelity.high`` (the last one may overshoot it; the
metrics cut curves at the budget).

The cost of a trial is :meth:`hpo.problems.Problem.cost` read *right after* the call, in the
process that evaluated it: for learning-curve problems that is the epochs the call trained
(continuing a configuration from 9 to 27 epochs costs 18; see
:mod:`hpo.problems.learning_curves`). To charge it so, the evaluation happens when the
simulator asks for the cost, and the objective then hands back that evaluation's outcome.

The record's ``meta`` holds ``final_loss`` (the loss at full fidelity of the run's
recommendation, :attr:`hpo.optimizers.Optimizer.best`, evaluated at ``fidelity.high`` when its
budget was lower; that evaluation is not charged), ``total_cost`` and ``simulated_time``.
"""

from __future__ import annotations

import time
from typing import Any

from hpo import simulate
from hpo.bench.records import RunRecord
from hpo.bench.study import RunSpec, optimizer_options, run_budget
from hpo.optimizers import make_optimizer
from hpo.problems import Problem, get_problem

__all__ = ["execute_mf_run", "full_budget_unit"]


def full_budget_unit(problem: Problem) -> float:
    """Resource units of one full-training equivalent: ``fidelity.high``, 1 without one."""
    return 1.0 if problem.fidelity is None else float(problem.fidelity.high)


class _ChargedProblem:
    """Evaluates when the simulator asks the cost, so that the cost is read after the call.

    ``cost(params)`` calls the problem, keeps the outcome and returns ``problem.cost(params)``
    as it reads right after; ``__call__(params)`` then returns (or raises) that outcome.
    Evaluations happen in ask order, so ``elapsed[i]`` and ``info[i]`` belong to trial ``i``.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.outcome: tuple[Any, BaseException | None] = (None, None)
        self.elapsed: list[float] = []
        self.info: list[dict[str, Any] | None] = []

    def cost(self, params: dict[str, Any]) -> float:
        if hasattr(self.problem, "last_info"):
            self.problem.last_info = None  # never attach a previous evaluation's record
        start = time.perf_counter()
        try:
            self.outcome = (self.problem(params), None)
        except Exception as err:  # the objective failed: a failed trial, charged all the same
            self.outcome = (None, err)
        self.elapsed.append(time.perf_counter() - start)
        self.info.append(getattr(self.problem, "last_info", None))
        return float(self.problem.cost(params))

    def __call__(self, params: dict[str, Any]) -> Any:
        value, error = self.outcome
        if error is not None:
            raise error
        return value


def execute_mf_run(run: RunSpec) -> RunRecord:
    """Do one cost-budgeted (and/or simulated-workers) run and return its record."""
    problem = get_problem(run.problem) if isinstance(run.problem, str) else run.problem
    unit = full_budget_unit(problem)
    max_cost = None if run.budget is None else run.budget * unit
    options = optimizer_options(run.optimizer, run.options, problem)
    opt = make_optimizer(
        run.optimizer,
        problem.space,
        seed=run.seed,
        budget=run_budget(run.budget, run.n_trials),
        options=options,
    )
    charged = _ChargedProblem(problem)
    workers = run.workers or 1
    start = time.perf_counter()
    sim = simulate.run(
        charged,
        opt,
        space=problem.space,
        n_workers=workers,
        n_trials=run.n_trials,
        max_cost=max_cost,
        cost=charged.cost,
        seed=run.seed,
    )
    wall_time = time.perf_counter() - start
    fid_name = None if problem.fidelity is None else problem.fidelity.name
    trials = []
    for i, trial in enumerate(sim.result.trials):
        d = trial.to_dict()
        if i < len(charged.elapsed):
            d["eval_time"] = charged.elapsed[i]
            if charged.info[i] is not None:
                d["info"] = {**d.get("info", {}), "problem": charged.info[i]}
        for name, column in (("cost", sim.cost), ("start", sim.start), ("end", sim.end)):
            if column[i] == column[i]:  # not NaN
                d[name] = float(column[i])
        trials.append(d)
    meta: dict[str, Any] = {
        "name": run.optimizer,
        "options": dict(run.options),
        "stopped": sim.result.stopped,
        "total_cost": float(sim.cost[sim.cost == sim.cost].sum()),
        "simulated_time": float(sim.end[sim.end == sim.end].max()) if len(trials) else 0.0,
    }
    best = opt.best
    if best is not None:
        params = dict(best.params)
        try:
            if problem.fidelity is not None and params[fid_name] != problem.fidelity.high:
                params[fid_name] = problem.fidelity.high
                meta["final_loss"] = float(problem(params))
            else:
                meta["final_loss"] = float(best.value)
            if hasattr(problem, "test_loss"):
                meta["test_loss"] = float(problem.test_loss(params))
        except Exception as err:  # training diverged at full fidelity: no final loss
            meta["final_error"] = f"{type(err).__name__}: {err}"
    fid = problem.fidelity
    return RunRecord(
        optimizer=run.label,
        problem=run.problem_name,
        seed=run.seed,
        n_trials=max(1, len(trials)),
        optimum=None if problem.optimum is None else float(problem.optimum),
        trials=trials,
        wall_time=wall_time,
        meta=meta,
        fidelity=None if fid is None else {"name": fid.name, "low": fid.low, "high": fid.high},
        max_cost=max_cost,
        workers=workers,
    )
