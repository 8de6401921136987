"""``minimize``: run an optimizer against an objective for a budget of trials."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hpo._seed import SeedLike
from hpo.exceptions import SearchExhausted
from hpo.optimizers import Optimizer, make_optimizer
from hpo.space import Space
from hpo.trial import Result, Trial, best_so_far, outcome

__all__ = ["minimize"]

logger = logging.getLogger("hpo")

Objective = Callable[[dict[str, Any]], float]
Callback = Callable[[Trial, Optimizer], Any]


@dataclass(frozen=True)
class Objectives:
    """An objective of ``n_objectives`` values: :func:`evaluate` checks its results by the
    rule of that many objectives, in worker processes too (the wrapper travels with it)."""

    objective: Callable[[dict[str, Any]], Any]
    n_objectives: int

    def __call__(self, params: dict[str, Any]) -> Any:
        return self.objective(params)


def evaluate(
    objective: Objective, params: dict[str, Any], n_objectives: int = 1
) -> tuple[Any, str | None, float]:
    """Call the objective once; return ``(value or exception, error, seconds)``.

    An exception becomes the value (the optimizer records it as a failed trial); a result
    that is not a real number by :func:`hpo.trial.as_value` (the rule ``tell`` applies: bool
    and str are refused, Decimal and numpy scalars accepted) becomes an error string. With
    ``n_objectives > 1`` (or an :class:`Objectives`), the rule is a sequence of that many real
    numbers (:func:`hpo.trial.as_values`).
    """
    if isinstance(objective, Objectives):
        objective, n_objectives = objective.objective, objective.n_objectives
    start = time.perf_counter()
    try:
        value = objective(dict(params))
    except Exception as err:
        return err, None, time.perf_counter() - start
    elapsed = time.perf_counter() - start
    if value is not None and not isinstance(value, BaseException):
        try:
            outcome(value, n_objectives)
        except (TypeError, ValueError):
            rule = "a real number" if n_objectives == 1 else f"{n_objectives} real numbers"
            return None, f"objective returned {value!r}, not {rule}", elapsed
    return value, None, elapsed


def minimize(
    objective: Objective,
    space: Space | Mapping[str, Any],
    optimizer: str | type[Optimizer] | Optimizer = "random",
    n_trials: int = 50,
    *,
    seed: SeedLike = None,
    options: Mapping[str, Any] | None = None,
    callbacks: Iterable[Callback] = (),
    raise_errors: bool = False,
    n_workers: int | None = None,
    executor: Any = None,
    timeout: float | None = None,
) -> Result:
    """Minimize ``objective`` over ``space``.

    Parameters
    ----------
    objective : callable
        ``objective(params: dict) -> float``, the loss to minimize; with an optimizer of
        ``n_objectives = m > 1`` (``options={"n_objectives": m}``), a sequence of ``m`` floats.
    space : Space or dict
    optimizer : str, Optimizer subclass or Optimizer, default "random"
        ``"grid"``, ``"random"``, ``"bayes"``, ``"ga"`` (or a peer, see
        :func:`hpo.optimizers.optimizer_names`), a class, or a configured instance.
    n_trials : int, default 50
        Budget of objective evaluations (failed ones count).
    seed : int, numpy.random.Generator or None
    options : dict, optional
        Keyword arguments of the optimizer's constructor.
    callbacks : iterable of callable
        Each called as ``callback(trial, optimizer)`` after every trial; returning ``True``
        stops the search.
    raise_errors : bool, default False
        Re-raise an exception of the objective (after recording the failed trial) instead of
        going on.
    n_workers : int, optional
        Trials evaluated at once (``None``: 1 without an ``executor``, else one per CPU core
        for processes and threads, the cluster's threads for Dask). 1 without an executor or
        a timeout is the sequential loop, in this process; otherwise asynchronous workers
        (see :mod:`hpo.parallel`): a worker that frees asks the optimizer for the next
        configuration at once, with the others pending.
    executor : None, "process", "thread", distributed.Client or str, optional
        Where trials run: a pool of worker processes (the default when ``n_workers > 1``
        or ``timeout`` is set; scripts need an ``if __name__ == "__main__":`` guard), threads
        of this process, or a Dask cluster (a client, or a scheduler address). The objective
        may be any callable, lambdas and closures included (serialized with cloudpickle).
        A worker process that dies fails only the trial it was running and is replaced.
    timeout : float, optional
        Seconds a trial may run; past it, the trial fails with ``"timeout after X s"`` and its
        worker is replaced (threads and Dask tasks cannot be killed: they are abandoned).

    Returns
    -------
    Result
        Best configuration and value, every trial, and the best-so-far trace; with several
        objectives ``best_params``, ``best_value`` and ``trace`` are ``None`` and
        ``result.pareto_front`` holds the non-dominated trials.

    Examples
    --------
    >>> from hpo import Real, minimize
    >>> result = minimize(lambda p: (p["x"] - 1) ** 2, {"x": Real(-5.0, 5.0)}, n_trials=20, seed=0)
    >>> result.best_value < 0.5
    True
    """
    if not isinstance(n_trials, int) or n_trials < 1:
        raise ValueError(f"n_trials must be a positive integer, got {n_trials!r}")
    if n_workers is not None and (not isinstance(n_workers, int) or n_workers < 1):
        raise ValueError(f"n_workers must be a positive integer or None, got {n_workers!r}")
    opt = make_optimizer(optimizer, space, seed=seed, budget=n_trials, options=options)
    callbacks = list(callbacks)
    if n_workers is None and executor is None:
        n_workers = 1  # a timeout alone runs the trials in one worker process
    if opt.n_objectives > 1:
        objective = Objectives(objective, opt.n_objectives)
    if n_workers == 1 and executor is None and timeout is None:
        stopped = _run_sequential(objective, opt, n_trials, callbacks, raise_errors)
    else:
        from hpo.parallel import run_parallel

        stopped = run_parallel(
            objective,
            opt,
            n_trials,
            n_workers=n_workers,
            executor=executor,
            timeout=timeout,
            callbacks=callbacks,
            raise_errors=raise_errors,
        )
    return result_of(opt, stopped)


def result_of(opt: Optimizer, stopped: str) -> Result:
    """The :class:`~hpo.trial.Result` of optimizer ``opt`` after a search that ``stopped``."""
    trials = opt.trials
    name = opt.name or type(opt).__name__
    if opt.n_objectives > 1:  # no single best: the front is the answer
        return Result(None, None, trials, None, name, stopped, opt.pareto_front, opt.n_objectives)
    best = opt.best
    return Result(
        best_params=None if best is None else dict(best.params),
        best_value=float("inf") if best is None else best.value,
        trials=trials,
        trace=best_so_far([t.value for t in trials]),
        optimizer=name,
        stopped=stopped,
        pareto_front=opt.pareto_front,
    )


def _run_sequential(
    objective: Objective,
    opt: Optimizer,
    n_trials: int,
    callbacks: list[Callback],
    raise_errors: bool,
) -> str:
    """The sequential loop: ask, evaluate here, tell; return why it stopped."""
    for _ in range(n_trials):
        try:
            params = opt.ask()
        except SearchExhausted:
            return "exhausted"
        value, error, elapsed = evaluate(objective, params)
        trial = opt.tell(params, value, error=error)
        trial.eval_time = elapsed
        logger.debug("trial %d: %s -> %s", trial.number, params, trial.value or trial.error)
        if raise_errors and isinstance(value, BaseException):
            raise value
        if any([bool(cb(trial, opt)) for cb in callbacks]):
            return "callback"
    return "budget"
