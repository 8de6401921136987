"""Run a study: every (optimizer, problem, seed) run, in parallel, journaled, resumable.

Each run is independent and deterministic: the optimizer is built with
``make_optimizer(name, problem.space, seed=seed, budget=n_trials, options=options)`` and
driven by :func:`hpo.minimize` on a problem rebuilt from its spec, so a run of the study is
the same as ``hpo run --optimizer NAME --problem SPEC --seed SEED --n-trials N``. Seeds are
paired: every optimizer sees the same seeds and the same problem instances. An objective that
raises or returns NaN/inf is a failed trial and the run goes on; an optimizer that runs out
(:class:`~hpo.SearchExhausted`) ends its run early, its record keeping the budget as
``n_trials``.

With a journal, every finished run is appended and synced at once (see
:mod:`hpo.bench.journal`); rerunning the same study skips the runs already there, so a study
killed at any moment loses only the runs in progress and ends with the same records as an
uninterrupted one (timings aside).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from hpo.bench.executors import make_executor
from hpo.bench.journal import Journal, normalize
from hpo.bench.records import RunRecord
from hpo.bench.study import (
    RunSpec,
    Study,
    check_study,
    multi_objective_fields,
    objective_options,
)
from hpo.minimize import Callback, minimize
from hpo.problems import get_problem

__all__ = ["RunFailed", "execute_run", "run_study"]

logger = logging.getLogger("hpo")

#: ``progress(n_done, n_total, record)``: called once before the first run (``record`` None,
#: ``n_done`` the runs found in the journal) and after each run that finishes.
Progress = Callable[[int, int, "RunRecord | None"], Any]


class RunFailed(RuntimeError):
    """Some runs of a study raised (not their objective: the optimizer or the harness), or
    killed their worker process; the runs that finished are journaled (with a journal), so
    the study can be resumed once fixed. The message says how many."""


def execute_run(run: RunSpec, callbacks: Iterable[Callback] = ()) -> RunRecord:
    """Do one run and return its record (in a worker process, or here).

    Parameters
    ----------
    run : RunSpec
    callbacks : iterable of callable
        Passed to :func:`hpo.minimize` (``callback(trial, optimizer)`` after each trial);
        not used by runs with a cost budget or virtual workers (:mod:`hpo.bench.mfrun`).
    """
    if run.budget is not None or run.workers is not None:  # a multi-fidelity study's run
        from hpo.bench.mfrun import execute_mf_run

        return execute_mf_run(run)
    problem = get_problem(run.problem) if isinstance(run.problem, str) else run.problem
    callbacks = list(callbacks)
    objective = problem
    if hasattr(problem, "last_info"):  # real tasks record what each evaluation measured

        def objective(params: dict[str, Any]) -> float:
            problem.last_info = None  # never attach a previous evaluation's record
            return problem(params)

        callbacks.insert(0, lambda trial, _: trial.info.update(problem=problem.last_info))
    start = time.perf_counter()
    result = minimize(
        objective,
        problem.space,
        run.optimizer,
        run.n_trials,
        seed=run.seed,
        options=objective_options(run.options, problem),
        callbacks=callbacks,
    )
    wall_time = time.perf_counter() - start
    meta = {"name": run.optimizer, "options": dict(run.options), "stopped": result.stopped}
    if hasattr(problem, "test_loss") and result.best_params is not None:
        # Generalization of the run's final incumbent on the held-out data (one refit).
        meta["test_loss"] = float(problem.test_loss(result.best_params))
    return RunRecord(
        optimizer=run.label,
        problem=run.problem_name,
        seed=run.seed,
        n_trials=run.n_trials,
        optimum=None if problem.optimum is None else float(problem.optimum),
        trials=[t.to_dict() for t in result.trials],
        wall_time=wall_time,
        meta=meta,
        **multi_objective_fields(problem),
    )


def run_study(
    optimizers: Iterable[Any] | Study,
    problems: Iterable[Any] | None = None,
    seeds: int | Iterable[int] | None = None,
    n_trials: int | None = None,
    *,
    journal: str | os.PathLike | None = None,
    executor: Any = None,
    n_jobs: int | None = None,
    progress: Progress | None = None,
    only: Iterable[str] | None = None,
) -> list[RunRecord]:
    """Run every optimizer on every problem with every seed.

    Parameters
    ----------
    optimizers : iterable of str, dict or OptimizerEntry; or a Study
        Names, or ``{"label": ..., "name": ..., "options": {...}}`` entries. A
        :class:`~hpo.bench.study.Study` (from :func:`~hpo.bench.study.load_study`) stands for
        the first four arguments.
    problems : iterable of str, Problem, dict or ProblemEntry
        Problem specs such as ``"ackley:dim=5,shift=0"`` (rebuilt in each worker), problems
        (sent to the workers as they are), or entries overriding ``n_trials``/``seeds``.
    seeds : int or iterable of int
        ``N`` for seeds ``0 .. N-1``, or the seeds; each optimizer runs with each seed.
    n_trials : int
        Evaluations per run.
    journal : path, optional
        JSON-lines journal to append each finished run to; if it exists, it must hold the
        same study, and the runs it holds are not run again.
    executor : None, "serial", distributed.Client, str or Executor
        Where runs execute (see :func:`hpo.bench.executors.make_executor`); ``None`` is a
        local process pool of ``n_jobs`` workers (all cores when ``n_jobs`` is None; in
        this process when ``n_jobs == 1``).
    n_jobs : int, optional
    progress : callable, optional
        ``progress(n_done, n_total, record)``, called in this process (see :data:`Progress`).
    only : iterable of str, optional
        Do only the runs of these optimizer labels; the journal still holds the whole study,
        so that a later call without ``only`` resumes it with the other runs (for instance
        the peers of a study first, hpo's optimizers once their code is final).

    Returns
    -------
    list of RunRecord
        One per run in study order (problem, seed, optimizer), as they read back from a
        journal (tuples inside configurations are lists); with ``only``, those runs alone.

    Raises
    ------
    hpo.bench.study.StudyError
        Before any run, for a bad definition: unknown optimizer, problem or option, a missing
        optional library.
    hpo.bench.journal.JournalError
        Before any run, if the journal holds another study or is damaged before its end.
    RunFailed
        After all other runs finished, if some runs raised or killed their worker process
        twice (a crash is retried alone once); they are not journaled.

    Examples
    --------
    >>> records = run_study(["random", "grid"], ["branin"], seeds=3, n_trials=20,
    ...                     n_jobs=1)  # doctest: +SKIP
    """
    if isinstance(optimizers, Study):
        if not (problems is None and seeds is None and n_trials is None):
            raise ValueError("problems, seeds, n_trials: already given by the Study")
        study = optimizers
    else:
        if problems is None or seeds is None or n_trials is None:
            raise ValueError("problems, seeds and n_trials are required with a list of optimizers")
        study = Study.build(optimizers, problems, seeds, n_trials)
    study = check_study(study)
    runs = study.runs()
    if only is not None:
        only = set(only)
        unknown = sorted(only - {o.label for o in study.optimizers})
        if unknown:
            raise ValueError(f"only: the study has no optimizer labelled {unknown[0]!r}")
        runs = [run for run in runs if run.label in only]
    done: dict[tuple[str, str, int], RunRecord] = {}
    failures: list[tuple[RunSpec, BaseException]] = []
    book = Journal(journal, study.to_dict()) if journal is not None else None
    try:
        if book is not None:
            keys = {run.key for run in runs}
            done = {r.key: r for r in book.records if r.key in keys}
        todo = [run for run in runs if run.key not in done]
        logger.info("study: %d runs, %d already done", len(runs), len(done))
        if progress is not None:
            progress(len(done), len(runs), None)
        if todo:
            pool, owned = make_executor(executor, n_jobs)
            try:
                # closing(): an interruption stops the executor's work at once (kills workers)
                with contextlib.closing(pool.map_unordered(execute_run, todo)) as outcomes:
                    for run, outcome in outcomes:
                        if isinstance(outcome, BaseException):
                            logger.error("run %s failed: %r", run.key, outcome)
                            failures.append((run, outcome))
                            continue
                        record = RunRecord.from_dict(normalize(outcome.to_dict()))
                        if book is not None:
                            book.append(record)
                        done[run.key] = record
                        if progress is not None:
                            progress(len(done), len(runs), record)
            finally:
                if owned:
                    pool.close()
    finally:
        if book is not None:
            book.close()
    if failures:
        raise _run_failed(failures, len(runs), len(done), journal is not None)
    return [done[run.key] for run in runs]


def _run_failed(
    failures: list[tuple[RunSpec, BaseException]], n_runs: int, n_done: int, journaled: bool
) -> RunFailed:
    """The error of a study some of whose runs failed, saying truly what became of the rest."""
    run, err = failures[0]
    runs = "run" if n_done == 1 else "runs"
    if not journaled:
        fate = f"{n_done} finished {runs} not kept (no journal)"
    elif n_done:
        fate = f"{n_done} finished {runs} in the journal; rerun to retry the failed ones"
    else:
        fate = "no run finished, so none is journaled"
    message = (
        f"{len(failures)} of {n_runs} runs failed, first {run.key}: "
        f"{type(err).__name__}: {' '.join(str(err).split())}; {fate}"
    )
    failed = RunFailed(message)
    failed.__cause__ = err
    return failed
