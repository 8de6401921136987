"""One view of a finished search, whatever holds it: :func:`as_trials`.

An optimizer, a :class:`~hpo.Result`, a fitted :class:`~hpo.sklearn.SearchCV`, a
:class:`~hpo.bench.records.RunRecord` of a study journal, the file ``hpo run --json`` writes
(or its parsed dict), or a list of :class:`~hpo.Trial` all become a :class:`Run`: the search
space, the trials in order, and the unit-cube arrays the surrogates are fitted on.

A run with several objectives has no single loss to explain: :func:`as_trials` asks which
one (``objective=k``) and gives a run of that objective alone; its front is drawn by
:func:`hpo.plot.plot_pareto_front`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from hpo.space import Categorical, Integer, Real, Space
from hpo.trial import Result, Trial, TrialStatus

__all__ = ["Run", "as_trials", "infer_space", "load_runs"]


@dataclass
class Run:
    """A search space and the trials of one run on it.

    Attributes
    ----------
    space : Space
    trials : list of Trial
        Every trial in order, failed and pending ones included.
    label : str
        A name for legends (the optimizer's).
    problem : str or None
        The problem's spec when the run came from a journal or ``hpo run --json`` record.
    """

    space: Space
    trials: list[Trial]
    label: str = ""
    problem: str | None = None

    @property
    def n_objectives(self) -> int:
        """Number of objectives: the length of the completed trials' values (1 for floats)."""
        for t in self.trials:
            if t.status is TrialStatus.COMPLETE and isinstance(t.value, (tuple, list)):
                return len(t.value)
        return 1

    @property
    def completed(self) -> list[Trial]:
        """Trials with a finite value."""
        return [t for t in self.trials if t.status is TrialStatus.COMPLETE and _scalar(t)]

    @property
    def failed(self) -> list[Trial]:
        return [t for t in self.trials if t.status is TrialStatus.FAILED]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit points (snapped to the centres of integer and categorical bins) and values of
        the completed trials: ``X`` of shape ``(n, d)``, ``y`` of shape ``(n,)``."""
        done = self.completed
        X = self.space.snap(self.space.to_unit_batch([t.params for t in done]))
        return X.reshape(len(done), self.space.dim), np.array([t.value for t in done], float)

    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """``n_levels`` (0 for reals, the count of values of integers and choices of
        categoricals) and ``is_categorical``, one entry per parameter."""
        levels = [p.n_values or 0 for p in self.space.values()]
        return np.array(levels, int), np.asarray(self.space.is_categorical, bool)


def _scalar(trial: Trial) -> bool:
    v = trial.value
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def infer_space(trials: Sequence[Trial]) -> Space:
    """A space that holds the trials: ``Real`` (log scale when the values are positive and
    span more than two decades) or ``Integer`` from the range seen, ``Categorical`` otherwise.

    For a :class:`~hpo.Result`, which does not keep its space; pass ``space=`` when known."""
    if not trials:
        raise ValueError("trials: cannot infer a space from no trials; pass space=")
    params: dict[str, Any] = {}
    for name in trials[0].params:
        values = [t.params[name] for t in trials if name in t.params]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if numeric and len(set(values)) > 1:
            low, high = min(values), max(values)
            log = low > 0 and high / low > 100
            if all(isinstance(v, int) for v in values):
                params[name] = Integer(low, high, log=log)
            else:
                params[name] = Real(float(low), float(high), log=log)
        else:
            choices = []
            for v in values:
                v = tuple(v) if isinstance(v, list) else v
                if v not in choices:
                    choices.append(v)
            params[name] = Categorical(choices)
    return Space(params)


def _from_record(d: Mapping[str, Any], space: Space | None) -> Run:
    trials = [Trial.from_dict(t) for t in d["trials"]]
    if space is None:
        from hpo.problems import get_problem

        space = get_problem(d["problem"]).space  # a budget in the params is left out
    return Run(space, trials, str(d.get("optimizer", "")), d.get("problem"))


def as_trials(obj: Any, *, space: Space | None = None, objective: int | None = None) -> Run:
    """The space and trials of a search, from whatever holds them.

    Parameters
    ----------
    obj : Optimizer, Result, SearchCV, RunRecord, Run, dict, str or Path, or list of Trial
        A dict (or a path to a JSON file) is what ``hpo run --json`` writes: a run record
        with ``problem`` and ``trials``; its space is that of the problem.
    space : Space, optional
        The search space, for objects that do not carry one (a ``Result``, a list of trials);
        inferred from the trials when omitted (see :func:`infer_space`).
    objective : int, optional
        For a run with several objectives, which one to explain (from 0): the run returned
        has that objective's value as each completed trial's value. Required for such runs.

    Returns
    -------
    Run

    Raises
    ------
    TypeError
        For any other object.
    ValueError
        For a run with several objectives and no ``objective``, or an ``objective`` out of
        range.

    Examples
    --------
    >>> from hpo import RandomSearch
    >>> from hpo.problems import get_problem
    >>> p = get_problem("zdt1")
    >>> opt = RandomSearch(p.space, n_objectives=2, seed=0)
    >>> for params in opt.ask(8):
    ...     opt.tell(params, p(params))
    >>> as_trials(opt, objective=1).completed[0].value == opt.trials[0].value[1]
    True
    """
    run = _collect(obj, space)
    m = run.n_objectives
    if objective is None:
        if m > 1:
            raise ValueError(
                f"objective: the run has {m} objectives and no single loss to explain; pass "
                f"objective=k (0 <= k < {m}) to explain one, or draw the front with "
                "hpo.plot.plot_pareto_front"
            )
        return run
    if not (isinstance(objective, (int, np.integer)) and 0 <= objective < m):
        raise ValueError(f"objective must be an integer in [0, {m}), got {objective!r}")
    if m == 1:
        return run
    k = int(objective)
    trials = [
        replace(t, value=t.value[k]) if isinstance(t.value, (tuple, list)) else t
        for t in run.trials
    ]
    return Run(run.space, trials, f"{run.label} (objective {k})".strip(), run.problem)


def _collect(obj: Any, space: Space | None) -> Run:
    """The run held by ``obj``, whatever its number of objectives."""
    if isinstance(obj, Run):
        return obj
    if isinstance(obj, (str, Path)):
        return _from_record(json.loads(Path(obj).read_text()), space)
    if isinstance(obj, Mapping) and "trials" in obj:
        return _from_record(obj, space)
    optimizer = getattr(obj, "optimizer_", None)  # a fitted SearchCV
    if optimizer is not None and hasattr(optimizer, "trials"):
        obj = optimizer
    if hasattr(obj, "space") and hasattr(obj, "trials") and isinstance(obj.space, Space):
        return Run(obj.space, list(obj.trials), type(obj).__name__)
    if hasattr(obj, "to_dict") and hasattr(obj, "problem") and hasattr(obj, "trials"):
        return _from_record(obj.to_dict(), space)  # a RunRecord
    if isinstance(obj, Result):
        trials = list(obj.trials)
        return Run(space or infer_space(trials), trials, obj.optimizer)
    if isinstance(obj, Sequence) and all(isinstance(t, Trial) for t in obj):
        trials = list(obj)
        return Run(space or infer_space(trials), trials, "")
    raise TypeError(
        "obj must be an Optimizer, a Result, a SearchCV, a RunRecord, a run dict or JSON "
        f"path, or a list of Trial; got {type(obj).__name__}"
    )


def load_runs(path: str | Path) -> list[Run]:
    """Every run of a study journal (``journal.jsonl`` or ``.gz``) or of a ``hpo run --json``
    file, as :class:`Run` objects (with all their objectives: select one with
    ``as_trials(run, objective=k)``)."""
    path = Path(path)
    if path.suffix in (".jsonl", ".gz") or path.is_dir():
        from hpo.bench.journal import load_journal

        journal = path / "journal.jsonl" if path.is_dir() else path
        return [_collect(r, None) for r in load_journal(journal)]
    return [_collect(path, None)]
