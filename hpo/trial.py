"""Trials (one evaluated configuration each) and the result of a search."""

from __future__ import annotations

import enum
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["Result", "Trial", "TrialStatus", "best_so_far"]


class TrialStatus(str, enum.Enum):
    """Life cycle of a trial: asked (``PENDING``), then ``COMPLETE`` or ``FAILED`` once told."""

    PENDING = "pending"
    COMPLETE = "complete"
    FAILED = "failed"


@dataclass
class Trial:
    """One configuration and what became of it.

    Attributes
    ----------
    number : int
        Position in the optimizer's history, from 0.
    params : dict
        The configuration, with Python values.
    value : float or None
        The objective value of a complete trial; ``None`` while pending and for failed trials,
        whose value is never used as a number.
    status : TrialStatus
    error : str or None
        Why a failed trial failed (the exception, or the non-finite value returned).
    ask_time, tell_time : float
        Seconds spent inside the optimizer's ``ask`` and ``tell`` for this trial (a batch's
        time is shared equally among its trials).
    eval_time : float or None
        Seconds spent in the objective, when hpo called it (:func:`hpo.minimize`, studies).
    info : dict
        What the optimizer knew when it proposed the trial (for instance the acquisition
        value), for study; empty for configurations told without being asked.
    """

    number: int
    params: dict[str, Any]
    value: float | None = None
    status: TrialStatus = TrialStatus.PENDING
    error: str | None = None
    ask_time: float = 0.0
    tell_time: float = 0.0
    eval_time: float | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the trial completed with a finite value."""
        return self.status is TrialStatus.COMPLETE

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (tuples inside params become lists)."""
        d = asdict(self)
        d["status"] = self.status.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trial:
        d = dict(d)
        d["status"] = TrialStatus(d["status"])
        return cls(**d)


def best_so_far(values: list[float | None] | np.ndarray) -> np.ndarray:
    """Running minimum of trial values, ``+inf`` before the first complete trial.

    Parameters
    ----------
    values : sequence of float or None
        Values in trial order; ``None`` or NaN marks a failed trial.

    Returns
    -------
    ndarray of shape (n_trials,)
    """
    v = np.array([np.inf if x is None or math.isnan(x) else x for x in values], dtype=float)
    return np.minimum.accumulate(v) if v.size else v


@dataclass
class Result:
    """What :func:`hpo.minimize` returns.

    Attributes
    ----------
    best_params : dict or None
        Configuration of the best complete trial (``None`` if every trial failed).
    best_value : float
        Its value (``inf`` if every trial failed).
    trials : list of Trial
        The whole history in order, failed trials included.
    trace : ndarray of shape (n_trials,)
        Best value after each trial (``inf`` until the first success).
    optimizer : str
        Name of the optimizer that produced the result.
    stopped : str
        Why the search ended: ``"budget"``, ``"exhausted"`` or ``"callback"``.
    """

    best_params: dict[str, Any] | None
    best_value: float
    trials: list[Trial]
    trace: np.ndarray
    optimizer: str
    stopped: str = "budget"

    @property
    def n_failed(self) -> int:
        return sum(t.status is TrialStatus.FAILED for t in self.trials)

    def __repr__(self) -> str:
        return (
            f"Result(optimizer={self.optimizer!r}, best_value={self.best_value!r}, "
            f"best_params={self.best_params!r}, n_trials={len(self.trials)}, "
            f"n_failed={self.n_failed}, stopped={self.stopped!r})"
        )
