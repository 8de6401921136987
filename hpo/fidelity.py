"""The resource a configuration is trained with: epochs, data fraction, iterations.

A :class:`Fidelity` names the resource and its range. Multi-fidelity optimizers (successive
halving, Hyperband, ASHA) put the budget they chose into the configuration under the
fidelity's name, ``{"lr": 0.01, "epochs": 9}``; single-fidelity optimizers given a fidelity
always ask for ``high``, so one study compares all of them on the same problem.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

__all__ = ["Fidelity"]


@dataclass(frozen=True)
class Fidelity:
    """A resource ranging from ``low`` (cheapest) to ``high`` (the target budget).

    Parameters
    ----------
    name : str
        Key of the budget in a configuration, such as ``"epochs"``. It must not be the name of
        a parameter of the space it is used with.
    low, high : int or float
        The smallest and the full budget, ``0 < low < high``. Integers give integer budgets
        (rounded to the nearest integer on a geometric ladder), floats continuous ones.

    Examples
    --------
    >>> fid = Fidelity("epochs", 1, 27)
    >>> fid.ladder(eta=3)
    [1, 3, 9, 27]
    """

    name: str
    low: int | float
    high: int | float

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name):
            raise TypeError(f"Fidelity: name must be a non-empty string, got {self.name!r}")
        for label in ("low", "high"):
            value = getattr(self, label)
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise TypeError(f"Fidelity {self.name!r}: {label} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"Fidelity {self.name!r}: {label} must be finite, got {value!r}")
        if not 0 < self.low < self.high:
            raise ValueError(
                f"Fidelity {self.name!r}: needs 0 < low < high, got low={self.low!r}, "
                f"high={self.high!r}"
            )

    @property
    def is_integer(self) -> bool:
        """Whether budgets are integers (both bounds given as integers)."""
        return isinstance(self.low, numbers.Integral) and isinstance(self.high, numbers.Integral)

    def cast(self, budget: float) -> int | float:
        """``budget`` clipped to ``[low, high]`` and rounded when budgets are integers."""
        budget = min(max(float(budget), float(self.low)), float(self.high))
        return round(budget) if self.is_integer else budget

    def contains(self, budget: object) -> bool:
        """Whether ``budget`` is a valid budget of this fidelity."""
        if not isinstance(budget, numbers.Real) or isinstance(budget, bool):
            return False
        if self.is_integer and float(budget) != round(float(budget)):
            return False
        return self.low <= budget <= self.high

    def ladder(self, eta: float) -> list[int | float]:
        """The rungs ``high * eta**(-k)`` that are ``>= low``, from the smallest to ``high``.

        The geometric grid of resources of successive halving and Hyperband (Li et al. 2018,
        "Hyperband", JMLR 18, Algorithm 1: ``r_i = R * eta**(-s + i)``), with ``R = high``.
        """
        if not (isinstance(eta, numbers.Real) and eta > 1):
            raise ValueError(f"eta must be a number > 1, got {eta!r}")
        # s_max = floor(log_eta(high / low)), with a tolerance for exact powers of eta
        s_max = math.floor(math.log(self.high / self.low) / math.log(eta) + 1e-9)
        rungs = [self.cast(self.high * eta ** (-k)) for k in range(s_max, -1, -1)]
        out: list[int | float] = []
        for rung in rungs:  # integer rounding may merge adjacent rungs
            if not out or rung > out[-1]:
                out.append(rung)
        return out
