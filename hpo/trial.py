"""Trials (one evaluated configuration each) and the result of a search."""

from __future__ import annotations

import decimal
import enum
import math
import numbers
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Result",
    "Trial",
    "TrialStatus",
    "as_value",
    "as_values",
    "best_so_far",
    "check_n_objectives",
    "outcome",
]


def as_value(value: Any) -> float:
    """The one rule of what an objective value is, shared by ``tell`` and :func:`hpo.minimize`.

    A value is a real number: a Python ``int`` or ``float``, any :class:`numbers.Real`
    (:class:`fractions.Fraction`, numpy integer and floating scalars), a
    :class:`decimal.Decimal`, or a numpy array holding exactly one of them. ``bool`` (Python's
    or numpy's), strings and bytes are *not* values, even though ``float(True)`` and
    ``float("0.5")`` succeed: an objective returning them has a bug that a number would hide.

    Parameters
    ----------
    value : object

    Returns
    -------
    float
        ``float(value)``; NaN and +/-inf are returned as they are (the caller decides that
        they mark a failed trial), and an integer beyond float range becomes +/-inf.

    Raises
    ------
    TypeError
        If ``value`` is not a real number by the rule above; the message shows the value.
    """
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item() if value.dtype != object else value.reshape(())[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (numbers.Real, decimal.Decimal)
    ):
        raise TypeError(f"value must be a real number (not bool or str), got {value!r}")
    try:
        return float(value)
    except OverflowError:  # an int too large for a float: as infinite as a float can say
        return math.inf if value > 0 else -math.inf
    except ValueError:  # a signalling Decimal NaN
        return math.nan


def check_n_objectives(n_objectives: Any) -> int:
    """``n_objectives`` as an int, or a ``ValueError`` naming the rule (a positive integer)."""
    if (
        not isinstance(n_objectives, numbers.Integral)
        or isinstance(n_objectives, (bool, np.bool_))
        or n_objectives < 1
    ):
        raise ValueError(f"n_objectives must be a positive integer, got {n_objectives!r}")
    return int(n_objectives)


def as_values(value: Any, n_objectives: int) -> tuple[float, ...]:
    """The rule of what the value of an ``n_objectives``-objective trial is (``n >= 2``).

    A list, tuple or 1-d numpy array of exactly ``n_objectives`` real numbers, each by the
    rule of :func:`as_value` (bool and str refused).

    Returns
    -------
    tuple of float
        NaN and +/-inf are kept (the caller decides that they mark a failed trial).

    Raises
    ------
    TypeError
        If ``value`` is not such a sequence, or one of its items is not a real number.
    ValueError
        If the sequence does not hold ``n_objectives`` numbers.
    """
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise TypeError(
                f"value must be a sequence of {n_objectives} real numbers (one per objective), "
                f"got an array of shape {value.shape}"
            )
        items = list(value)
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise TypeError(
            f"value must be a sequence of {n_objectives} real numbers (one per objective), "
            f"got {value!r}"
        )
    if len(items) != n_objectives:
        raise ValueError(
            f"value must hold n_objectives={n_objectives} numbers (one per objective), "
            f"got {len(items)}: {value!r}"
        )
    return tuple(as_value(v) for v in items)


def outcome(
    value: Any, n_objectives: int = 1
) -> tuple[float | tuple[float, ...] | None, str | None]:
    """Classify what an objective gave: ``(value, None)`` for a success, ``(None, reason)``
    for a failed trial.

    An exception instance, ``None``, NaN or +/-inf is a failure; a real number (see
    :func:`as_value`) a success. With ``n_objectives > 1`` the value is a sequence of that
    many numbers (see :func:`as_values`), returned as a tuple of floats, and NaN or +/-inf in
    any of them is a failure. Anything else raises ``TypeError`` (or ``ValueError`` for a
    sequence of the wrong length: ``tell``'s rule); :func:`hpo.minimize` records a failed
    trial instead.
    """
    if isinstance(value, BaseException):
        return None, f"{type(value).__name__}: {value}"
    if value is None:
        return None, "objective returned None"
    if n_objectives == 1:
        number = as_value(value)
        if not math.isfinite(number):
            return None, f"objective returned {number}"
        return number, None
    numbers_ = as_values(value, n_objectives)
    if not all(math.isfinite(v) for v in numbers_):
        return None, f"objective returned {list(numbers_)}"
    return numbers_, None


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
    value : float, tuple of float, or None
        The objective value of a complete trial (a tuple of ``m`` floats for an optimizer with
        ``n_objectives=m > 1``); ``None`` while pending and for failed trials, whose value is
        never used as a number.
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
    value: float | tuple[float, ...] | None = None
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
        if isinstance(d.get("value"), list):  # several objectives, as JSON stores them
            d["value"] = tuple(d["value"])
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

    Raises
    ------
    ValueError
        If a value holds several objectives: they have no running minimum (follow the
        hypervolume of the front instead, :func:`hpo.hypervolume`).
    """
    if any(isinstance(x, (list, tuple, np.ndarray)) for x in values):
        raise ValueError(
            "values: several objectives have no running minimum; use the hypervolume of the "
            "Pareto front (hpo.hypervolume) instead"
        )
    v = np.array([np.inf if x is None or math.isnan(x) else x for x in values], dtype=float)
    return np.minimum.accumulate(v) if v.size else v


@dataclass
class Result:
    """What :func:`hpo.minimize` returns.

    Attributes
    ----------
    best_params : dict or None
        Configuration of the best complete trial (``None`` if every trial failed, and always
        ``None`` with several objectives: there is no single best, see ``pareto_front``).
    best_value : float or None
        Its value (``inf`` if every trial failed; ``None`` with several objectives).
    trials : list of Trial
        The whole history in order, failed trials included.
    trace : ndarray of shape (n_trials,) or None
        Best value after each trial (``inf`` until the first success); ``None`` with several
        objectives (the hypervolume needs a reference point: see :func:`hpo.hypervolume`).
    optimizer : str
        Name of the optimizer that produced the result.
    stopped : str
        Why the search ended: ``"budget"``, ``"exhausted"`` or ``"callback"``.
    pareto_front : list of Trial
        The non-dominated complete trials, in trial order (with one objective: the trials
        sharing the best value).
    n_objectives : int, default 1
        Number of objectives, each minimized; values are tuples of floats when above 1.
    """

    best_params: dict[str, Any] | None
    best_value: float | None
    trials: list[Trial]
    trace: np.ndarray | None
    optimizer: str
    stopped: str = "budget"
    pareto_front: list[Trial] = field(default_factory=list)
    n_objectives: int = 1

    @property
    def n_failed(self) -> int:
        return sum(t.status is TrialStatus.FAILED for t in self.trials)

    def __repr__(self) -> str:
        if self.n_objectives > 1:
            best = f"n_objectives={self.n_objectives}, pareto_front={len(self.pareto_front)} trials"
        else:
            best = f"best_value={self.best_value!r}, best_params={self.best_params!r}"
        return (
            f"Result(optimizer={self.optimizer!r}, {best}, n_trials={len(self.trials)}, "
            f"n_failed={self.n_failed}, stopped={self.stopped!r})"
        )
