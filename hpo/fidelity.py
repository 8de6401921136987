"""The resource a configuration is trained with: epochs, data fraction, iterations.

A :class:`Fidelity` names the resource and its range. Multi-fidelity optimizers (successive
halving, Hyperband, ASHA) put the budget they chose into the configuration under the
fidelity's name, ``{"lr": 0.01, "epochs": 9}``; single-fidelity optimizers given a fidelity
always ask for ``high``, so one study compares all of them on the same problem.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpo.space import Params, Space

__all__ = ["Fidelity", "check_eta", "check_fidelity", "validate_with_budget"]


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


def check_fidelity(fidelity: Any, space: Space, *, required: bool = False) -> Fidelity | None:
    """``fidelity`` checked for use with ``space``: a :class:`Fidelity` whose name is not a
    parameter of the space, or ``None`` when allowed.

    Raises
    ------
    TypeError
        If ``fidelity`` is not a :class:`Fidelity` (or is ``None`` while ``required``).
    ValueError
        If its name is a parameter of the space.
    """
    if fidelity is None and not required:
        return None
    if not isinstance(fidelity, Fidelity):
        raise TypeError(f"fidelity must be a hpo.Fidelity, got {fidelity!r}")
    if fidelity.name in space.names:
        raise ValueError(
            f"fidelity: name {fidelity.name!r} is a parameter of the space; choose another name"
        )
    return fidelity


def check_eta(eta: Any) -> int | float:
    """The reduction factor ``eta`` of successive halving, checked: a number > 1."""
    if not isinstance(eta, numbers.Real) or isinstance(eta, bool) or not eta > 1:
        raise ValueError(f"eta must be a number > 1, got {eta!r}")
    if not math.isfinite(eta):
        raise ValueError(f"eta must be finite, got {eta!r}")
    return int(eta) if float(eta).is_integer() else float(eta)


def validate_with_budget(
    space: Space, fidelity: Fidelity, params: Mapping[str, Any], *, full_only: bool = False
) -> Params:
    """Check a configuration that carries its budget and return it in canonical form.

    The canonical form is the space's canonical configuration followed by the budget under
    ``fidelity.name`` (so two equal configurations at equal budgets have equal keys).

    Parameters
    ----------
    space : Space
    fidelity : Fidelity
    params : dict
        A configuration of ``space`` plus ``{fidelity.name: budget}``.
    full_only : bool, default False
        Accept only the full budget ``fidelity.high`` (single-fidelity optimizers).

    Raises
    ------
    ValueError
        Naming the budget when it is missing, not a budget of the fidelity, or not the full
        one while ``full_only``; naming the parameter when the rest is outside the space.
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"a configuration must be a dict of name -> value, got {params!r}")
    name = fidelity.name
    if name not in params:
        raise ValueError(f"parameter {name!r} (the fidelity's budget) is missing")
    budget = params[name]
    if not fidelity.contains(budget):
        kind = "an integer" if fidelity.is_integer else "a number"
        raise ValueError(
            f"parameter {name!r} must be {kind} in [{fidelity.low}, {fidelity.high}], "
            f"got {budget!r}"
        )
    if full_only and budget != fidelity.high:
        raise ValueError(
            f"parameter {name!r} must be the full budget {fidelity.high!r} for a "
            f"single-fidelity optimizer, got {budget!r}"
        )
    rest = {k: v for k, v in params.items() if k != name}
    return {**space.validate(rest), name: fidelity.cast(budget)}
