"""The record of one (optimizer, problem, seed) run: what a study journal stores per line.

Statistics and plots read only these records, never optimizers or problems, so a committed
journal is enough to regenerate every table and figure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from hpo.trial import best_so_far

__all__ = ["RunRecord"]


@dataclass
class RunRecord:
    """One finished run of a study.

    Attributes
    ----------
    optimizer : str
        The optimizer's label in the study (a name, or a name with options such as
        ``"bayes-no-warping"``).
    problem : str
        The problem's spec (``Problem.name``), enough to rebuild it.
    seed : int
        The seed shared by every optimizer on this problem (runs are paired by seed).
    n_trials : int
        The budget of the run.
    optimum : float or None
        The problem's known f*, ``None`` for real tasks.
    trials : list of dict
        :meth:`hpo.Trial.to_dict` of every trial, in order: params, value (``None`` if failed),
        status, error, ``ask_time``, ``tell_time``, ``eval_time`` (seconds), info.
    wall_time : float
        Seconds from the start to the end of the run.
    meta : dict
        Anything else worth keeping (library versions, host, the run's options).
    """

    optimizer: str
    problem: str
    seed: int
    n_trials: int
    optimum: float | None
    trials: list[dict[str, Any]]
    wall_time: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, int]:
        """``(optimizer, problem, seed)``: what identifies a run inside a study."""
        return (self.optimizer, self.problem, self.seed)

    def values(self) -> np.ndarray:
        """Objective values in trial order, NaN for failed trials; shape ``(n_trials,)``."""
        return np.array(
            [np.nan if t["value"] is None else t["value"] for t in self.trials], dtype=float
        )

    def best_so_far(self) -> np.ndarray:
        """Best value after each trial (``inf`` before the first success), padded with its
        last value to ``n_trials`` when the optimizer stopped early."""
        trace = best_so_far([t["value"] for t in self.trials])
        if len(trace) < self.n_trials:
            fill = trace[-1] if len(trace) else np.inf
            trace = np.concatenate([trace, np.full(self.n_trials - len(trace), fill)])
        return trace

    def regret(self) -> np.ndarray:
        """Simple regret ``min_{s<=t} f(x_s) - f*`` after each trial; NaN if f* is unknown."""
        if self.optimum is None:
            return np.full(self.n_trials, np.nan)
        return self.best_so_far() - self.optimum

    def optimizer_time(self) -> np.ndarray:
        """Seconds spent inside the optimizer (ask + tell) for each trial."""
        return np.array([t["ask_time"] + t["tell_time"] for t in self.trials], dtype=float)

    def elapsed(self) -> np.ndarray:
        """Cumulative wall time (ask + evaluation + tell) after each trial."""
        per_trial = [t["ask_time"] + t["tell_time"] + (t["eval_time"] or 0.0) for t in self.trials]
        return np.cumsum(np.array(per_trial, dtype=float))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunRecord:
        return cls(**d)
