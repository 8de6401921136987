"""Search spaces: typed parameters and their mapping to and from the unit cube.

Every optimizer in hpo works in the *unit cube* ``[0, 1]^d``, one column per parameter, and
the space translates between that cube and the values an objective receives:

=============  ==========================================================================
parameter      unit coordinate ``u`` of a value ``v``
=============  ==========================================================================
Real           ``(t(v) - t(low)) / (t(high) - t(low))`` with ``t`` the identity, ``log``
               or ``logit``; so uniform ``u`` is uniform, log-uniform or logit-uniform.
Integer        ``n`` equal bins over ``[low - 1/2, high + 1/2]`` (on the log scale when
               ``log=True``), so every integer owns an interval and uniform ``u`` gives
               every value the mass of its bin.
Categorical    ``k`` equal bins, choice ``i`` owning ``[i / k, (i + 1) / k)``.
=============  ==========================================================================

Values come back as Python ``float``, ``int`` or the choice object itself, never as numpy
scalars; categoricals round-trip exactly, integers exactly for ranges narrower than ``2**40``
(within ``+/-2**45``; property-tested in ``tests/test_space.py``), reals to about 1e-15
relative. What a float cannot represent is refused when the parameter is built: a ``Real``
whose width ``high - low`` overflows or whose bounds coincide on its scale, an ``Integer``
bound beyond ``+/-2**53``.

**Conditional spaces.** A parameter built with ``when={"parent": value}`` is active only
when its parent is active and takes that value (:mod:`hpo.conditions`). Configurations hold
the active parameters only, but the unit cube keeps one column for *every* parameter, so
that optimizers work on fixed-length vectors: decoding drops the inactive columns, and
encoding a configuration fills each inactive column with a canonical coordinate, the
centre of the axis snapped to its bin (``snap(0.5)``: the middle of a real axis, the middle
integer or choice). Two vectors that differ only in inactive columns decode to the same
configuration.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from hpo.conditions import Conditions

__all__ = ["Categorical", "Integer", "Parameter", "Real", "Space"]

Params = dict[str, Any]


#: Integers a float holds exactly: bounds of an :class:`Integer` must lie within +/- this.
MAX_EXACT_INT = 2**53


def _is_real_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _has_nan(x: Any) -> bool:
    """Whether ``x`` (a choice, tuples searched inside) holds a NaN, which equals nothing."""
    if isinstance(x, tuple):
        return any(_has_nan(v) for v in x)
    return isinstance(x, numbers.Number) and x != x


def _scale_from_prior(cls: str, prior: str | None, log: bool) -> bool:
    """scikit-optimize's ``prior=`` spelling, as hpo's ``log=``."""
    if prior is None:
        return log
    if prior not in ("uniform", "log-uniform"):
        raise ValueError(
            f"{cls}: prior must be 'uniform' or 'log-uniform' (scikit-optimize's spelling of "
            f"log=False and log=True), got {prior!r}"
        )
    if log and prior == "uniform":
        raise ValueError(f"{cls}: log=True contradicts prior='uniform'")
    return prior == "log-uniform"


def _canonical_choice(x: Any) -> Any:
    """Lists and numpy arrays become tuples (JSON turns tuples into lists), numpy scalars
    become Python ones."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return tuple(_canonical_choice(v) for v in x)
    if isinstance(x, np.generic):
        return x.item()
    return x


def _parse_when(cls: str, when: Any) -> dict[str, tuple[Any, ...]] | None:
    """``when={"parent": value}`` or ``{"parent": [v1, v2]}`` as ``{parent: (values...)}``.

    A list gives several values; any other object (a tuple included, such as the choice
    ``(100, 100)``) is one value. The values are checked against the parent by :class:`Space`.
    """
    if when is None:
        return None
    if not isinstance(when, Mapping) or not when:
        raise TypeError(
            f"{cls}: when must be a non-empty dict of parent name -> value or list of values, "
            f"got {when!r}"
        )
    out: dict[str, tuple[Any, ...]] = {}
    for parent, values in when.items():
        if not isinstance(parent, str) or not parent:
            raise ValueError(f"{cls}: when: parent names must be non-empty strings, got {parent!r}")
        values = list(values) if isinstance(values, list) else [values]
        if not values:
            raise ValueError(f"{cls}: when={{{parent!r}: []}} names no value of {parent!r}")
        out[parent] = tuple(_canonical_choice(v) for v in values)
    return out


class Parameter:
    """One axis of a search space. Subclasses map values to and from ``[0, 1]``.

    Every parameter takes ``when={"parent": value}`` (or a list of values; several parents:
    all must hold): it is then *active*, part of a configuration, only when its parents are
    active and take those values (see :class:`Space`).
    """

    kind: str = ""
    #: The condition of activity, ``{parent: (values...)}``, or ``None`` (always active).
    when: dict[str, tuple[Any, ...]] | None = None

    def _when_repr(self) -> str:
        if not self.when:
            return ""
        inner = ", ".join(
            f"{k!r}: {v[0]!r}" if len(v) == 1 else f"{k!r}: {list(v)!r}"
            for k, v in self.when.items()
        )
        return f", when={{{inner}}}"

    def _when_dict(self) -> dict[str, Any]:
        if not self.when:
            return {}
        return {"when": {k: [_jsonable(x) for x in v] for k, v in self.when.items()}}

    def decode(self, u: np.ndarray) -> np.ndarray:
        """Map unit coordinates of shape ``(n,)`` to values (an array of indices for choices)."""
        raise NotImplementedError

    def encode(self, values: Sequence[Any]) -> np.ndarray:
        """Map canonical values to unit coordinates of shape ``(n,)``."""
        raise NotImplementedError

    def canonical(self, value: Any) -> Any:
        """Return ``value`` as the Python object this parameter produces, or raise ``ValueError``
        stating the rule it breaks."""
        raise NotImplementedError

    def to_python(self, decoded: Any) -> Any:
        """Turn one decoded array entry into the Python value handed to objectives."""
        raise NotImplementedError

    def grid(self, k: int) -> list[Any]:
        """At most ``k`` values spread evenly over the axis (every choice for categoricals)."""
        raise NotImplementedError

    def grid_len(self, k: int) -> int:
        """``len(self.grid(k))``, computed without building the axis where a formula gives it."""
        return len(self.grid(k))

    @property
    def n_values(self) -> int | None:
        """Number of distinct values, ``None`` for a continuum."""
        return None

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError


class _Scaled(Parameter):
    """Shared code of :class:`Real` and :class:`Integer`: bounds and a monotone scale."""

    def __init__(self, low: Any, high: Any, scale: str) -> None:
        cls = type(self).__name__
        if not (_is_real_number(low) and _is_real_number(high)):
            raise TypeError(f"{cls}: low and high must be real numbers, got {low!r} and {high!r}")
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"{cls}: bounds must be finite, got low={low!r}, high={high!r}")
        if not low < high:
            raise ValueError(f"{cls}: low must be < high, got low={low!r}, high={high!r}")
        if scale == "log" and low <= 0:
            raise ValueError(f"{cls}: log scale needs low > 0, got low={low!r}")
        if scale == "logit" and not (0 < low and high < 1):
            raise ValueError(f"{cls}: logit scale needs 0 < low < high < 1, got {low!r}, {high!r}")
        if not math.isfinite(float(high) - float(low)):
            raise ValueError(
                f"{cls}: high - low must be a finite float (a wider range cannot be sampled "
                f"evenly), got low={low!r}, high={high!r}"
            )
        self.scale = scale

    def _check_scale_width(self) -> None:
        """The bounds must differ on the search scale, or every unit coordinate decodes to
        one value (the unit cube's width would be zero)."""
        width = self._t_high - self._t_low
        if not (math.isfinite(width) and width > 0):
            raise ValueError(
                f"{type(self).__name__}: low={self.low!r} and high={self.high!r} are too close "
                f"to tell apart on the {self.scale} scale"
            )

    @staticmethod
    def _forward(x: np.ndarray | float, scale: str) -> Any:
        if scale == "log":
            return np.log(x)
        if scale == "logit":
            return np.log(x) - np.log1p(-np.asarray(x))
        return x

    @staticmethod
    def _inverse(t: np.ndarray, scale: str) -> np.ndarray:
        if scale == "log":
            return np.exp(t)
        if scale == "logit":
            return 0.5 * (1.0 + np.tanh(0.5 * t))  # expit, accurate at both ends
        return t

    @property
    def log(self) -> bool:
        return self.scale == "log"

    def _scale_repr(self) -> str:
        return "" if self.scale == "linear" else f", {self.scale}=True"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.low!r}, {self.high!r}{self._scale_repr()}"
            f"{self._when_repr()})"
        )

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.low, self.high, self.scale, repr(self.when)))


class Real(_Scaled):
    """A real number in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Finite bounds, ``low < high``.
    log : bool, default False
        Search on a log scale (needs ``low > 0``): uniform sampling is log-uniform.
    logit : bool, default False
        Search on a logit scale (needs ``0 < low < high < 1``), for fractions and momenta
        whose interesting values crowd towards 0 or 1.
    prior : {"uniform", "log-uniform"}, optional
        scikit-optimize's spelling: ``prior="log-uniform"`` is ``log=True``.
    when : dict, optional
        Condition of activity, ``{"parent": value}`` or ``{"parent": [v1, v2]}`` (see
        :class:`Space`).

    Raises
    ------
    ValueError
        For bounds that cannot be searched: not finite, ``low >= high``, a width
        ``high - low`` beyond float range, or bounds too close to tell apart on the scale.

    Examples
    --------
    >>> [f"{v:.3g}" for v in Real(1e-5, 1e-1, log=True).grid(3)]
    ['1e-05', '0.001', '0.1']
    """

    kind = "real"

    def __init__(
        self,
        low: float,
        high: float,
        log: bool = False,
        logit: bool = False,
        *,
        prior: str | None = None,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        self.when = _parse_when("Real", when)
        log = _scale_from_prior("Real", prior, log)
        if log and logit:
            raise ValueError("Real: choose at most one of log=True and logit=True")
        super().__init__(low, high, "log" if log else "logit" if logit else "linear")
        self.low = float(low)
        self.high = float(high)
        self._t_low = float(self._forward(self.low, self.scale))
        self._t_high = float(self._forward(self.high, self.scale))
        self._check_scale_width()

    def decode(self, u: np.ndarray) -> np.ndarray:
        t = self._t_low + np.clip(u, 0.0, 1.0) * (self._t_high - self._t_low)
        return np.clip(self._inverse(t, self.scale), self.low, self.high)

    def encode(self, values: Sequence[Any]) -> np.ndarray:
        t = self._forward(np.asarray(values, dtype=float), self.scale)
        return np.clip((t - self._t_low) / (self._t_high - self._t_low), 0.0, 1.0)

    def canonical(self, value: Any) -> float:
        if not _is_real_number(value):
            raise ValueError(f"must be a real number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"must be finite, got {value!r}")
        if not self.low <= value <= self.high:
            raise ValueError(f"must lie in [{self.low!r}, {self.high!r}], got {value!r}")
        return value

    def to_python(self, decoded: Any) -> float:
        return float(decoded)

    def grid(self, k: int) -> list[float]:
        if k == 1:
            return [self.to_python(self.decode(np.array([0.5]))[0])]
        t = np.linspace(self._t_low, self._t_high, k)
        values = np.clip(self._inverse(t, self.scale), self.low, self.high)
        values[0], values[-1] = self.low, self.high  # exact bounds, no round-off
        return [float(v) for v in values]

    def grid_len(self, k: int) -> int:
        return k

    def to_dict(self) -> dict[str, Any]:
        spec = {"type": "real", "low": self.low, "high": self.high, "scale": self.scale}
        return {**spec, **self._when_dict()}


class Integer(_Scaled):
    """An integer in ``[low, high]`` (both included).

    Parameters
    ----------
    low, high : int
        Bounds, ``low < high``, within ``+/- 2**53`` (:data:`MAX_EXACT_INT`, the integers a
        float holds exactly).
    log : bool, default False
        Search on a log scale (needs ``low >= 1``): each integer ``v`` owns the interval
        ``[log(v - 1/2), log(v + 1/2)]`` of the unit axis.
    prior : {"uniform", "log-uniform"}, optional
        scikit-optimize's spelling: ``prior="log-uniform"`` is ``log=True``.
    when : dict, optional
        Condition of activity (see :class:`Space`).
    """

    kind = "integer"

    def __init__(
        self,
        low: int,
        high: int,
        log: bool = False,
        *,
        prior: str | None = None,
        when: Mapping[str, Any] | None = None,
    ) -> None:
        self.when = _parse_when("Integer", when)
        log = _scale_from_prior("Integer", prior, log)
        for bound_name, bound in (("low", low), ("high", high)):
            if not (_is_real_number(bound) and math.isfinite(bound) and bound == int(bound)):
                raise ValueError(f"Integer: {bound_name} must be an integer, got {bound!r}")
            if abs(int(bound)) > MAX_EXACT_INT:
                raise ValueError(
                    f"Integer: {bound_name} must lie within +/-2**53 = {MAX_EXACT_INT} (beyond, "
                    f"a float cannot hold every integer), got {bound!r}"
                )
        super().__init__(int(low), int(high), "log" if log else "linear")
        self.low = int(low)
        self.high = int(high)
        # Bin edges on the search scale: low - 1/2 and high + 1/2.
        self._t_low = float(self._forward(self.low - 0.5, self.scale))
        self._t_high = float(self._forward(self.high + 0.5, self.scale))
        self._check_scale_width()

    @property
    def n_values(self) -> int:
        return self.high - self.low + 1

    def decode(self, u: np.ndarray) -> np.ndarray:
        t = self._t_low + np.clip(u, 0.0, 1.0) * (self._t_high - self._t_low)
        x = self._inverse(t, self.scale)
        return np.clip(np.floor(x + 0.5), self.low, self.high).astype(np.int64)

    def encode(self, values: Sequence[Any]) -> np.ndarray:
        t = self._forward(np.asarray(values, dtype=float), self.scale)
        return (t - self._t_low) / (self._t_high - self._t_low)

    def canonical(self, value: Any) -> int:
        if not _is_real_number(value) or not math.isfinite(value) or value != int(value):
            raise ValueError(f"must be an integer, got {value!r}")
        value = int(value)
        if not self.low <= value <= self.high:
            raise ValueError(f"must lie in [{self.low}, {self.high}], got {value!r}")
        return value

    def to_python(self, decoded: Any) -> int:
        return int(decoded)

    def grid(self, k: int) -> list[int]:
        if k >= self.n_values:
            return list(range(self.low, self.high + 1))
        if k == 1:
            return [self.to_python(self.decode(np.array([0.5]))[0])]
        return [int(v) for v in self._grid_values(k)]

    def _grid_values(self, k: int) -> np.ndarray:
        """The sorted distinct values of :meth:`grid` for ``1 < k < n_values``."""
        t = np.linspace(
            self._forward(self.low, self.scale), self._forward(self.high, self.scale), k
        )
        values = np.round(self._inverse(t, self.scale)).astype(np.int64)
        return np.unique(np.clip(values, self.low, self.high))

    def grid_len(self, k: int) -> int:
        if k >= self.n_values:
            return self.n_values
        if k == 1 or self.scale == "linear":
            # Linear steps (n - 1) / (k - 1) > 1 round to distinct integers: k values.
            return k
        return len(self._grid_values(k))  # log steps may round onto one integer

    def to_dict(self) -> dict[str, Any]:
        spec = {"type": "integer", "low": self.low, "high": self.high, "scale": self.scale}
        return {**spec, **self._when_dict()}


class Categorical(Parameter):
    """One of a finite list of choices, with no order assumed between them.

    Parameters
    ----------
    choices : sequence
        Numbers, strings, ``None`` or tuples (such as ``(100, 100)`` for hidden layer sizes).
        At least one, no two equal, no NaN (it equals nothing, so it could never be told
        back). Lists and numpy arrays inside are stored as tuples.
    when : dict, optional
        Condition of activity (see :class:`Space`).

    Examples
    --------
    >>> Categorical([(100,), (100, 100)]).grid(5)
    [(100,), (100, 100)]
    """

    kind = "categorical"

    def __init__(self, choices: Sequence[Any], *, when: Mapping[str, Any] | None = None) -> None:
        self.when = _parse_when("Categorical", when)
        if isinstance(choices, (str, bytes)) or not isinstance(choices, (Sequence, np.ndarray)):
            raise TypeError(f"Categorical: choices must be a list or tuple, got {choices!r}")
        choices = tuple(_canonical_choice(c) for c in choices)
        if not choices:
            raise ValueError("Categorical: choices must not be empty")
        for c in choices:
            if _has_nan(c):
                raise ValueError(
                    f"Categorical: choice {c!r} holds NaN, which equals nothing and could never "
                    "be told back; use None or a string instead"
                )
        for i, a in enumerate(choices):
            for b in choices[:i]:
                if _same_choice(a, b):
                    raise ValueError(f"Categorical: duplicate choices {b!r} and {a!r}")
        self.choices = choices

    @property
    def n_values(self) -> int:
        return len(self.choices)

    def index(self, value: Any) -> int:
        """Position of ``value`` among the choices; ``ValueError`` if it is not one of them."""
        value = _canonical_choice(value)
        for i, choice in enumerate(self.choices):
            if _same_choice(choice, value):
                return i
        raise ValueError(f"must be one of {list(self.choices)!r}, got {value!r}")

    def decode(self, u: np.ndarray) -> np.ndarray:
        k = len(self.choices)
        return np.minimum(np.floor(np.clip(u, 0.0, 1.0) * k), k - 1).astype(np.int64)

    def encode(self, values: Sequence[Any]) -> np.ndarray:
        idx = np.array([self.index(v) for v in values], dtype=float)
        return (idx + 0.5) / len(self.choices)

    def canonical(self, value: Any) -> Any:
        return self.choices[self.index(value)]

    def to_python(self, decoded: Any) -> Any:
        return self.choices[int(decoded)]

    def grid(self, k: int) -> list[Any]:
        return list(self.choices)

    def grid_len(self, k: int) -> int:
        return len(self.choices)

    def to_dict(self) -> dict[str, Any]:
        spec = {"type": "categorical", "choices": [_jsonable(c) for c in self.choices]}
        return {**spec, **self._when_dict()}

    def __repr__(self) -> str:
        return f"Categorical({list(self.choices)!r}{self._when_repr()})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Categorical)
            and self.choices == other.choices
            and repr(self.when) == repr(other.when)
        )

    def __hash__(self) -> int:
        return hash(("categorical", repr(self.choices), repr(self.when)))


def _same_choice(a: Any, b: Any) -> bool:
    """Equality of choices that keeps ``True`` apart from ``1``."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _jsonable(x: Any) -> Any:
    return [_jsonable(v) for v in x] if isinstance(x, tuple) else x


def parameter_from_dict(spec: Mapping[str, Any]) -> Parameter:
    """Build a parameter from its :meth:`Parameter.to_dict` form (as found in study files).

    Accepts ``{"type": "real", "low": ..., "high": ..., "scale": "log"}`` and the shorthand
    ``"log": true`` / ``"logit": true``.
    """
    spec = dict(spec)
    kind = spec.pop("type", None)
    scale = spec.pop("scale", "linear")
    if scale not in ("linear", "log", "logit"):
        raise ValueError(f"scale must be 'linear', 'log' or 'logit', got {scale!r}")
    if scale != "linear":
        spec[scale] = True
    if kind == "real":
        return Real(**spec)
    if kind == "integer":
        return Integer(**spec)
    if kind == "categorical":
        return Categorical(**spec)
    raise ValueError(f"type must be 'real', 'integer' or 'categorical', got {kind!r}")


def _range_spelling(spec: Sequence[Any]) -> str:
    """hpo's spelling of a (low, high[, prior]) range: Integer for ints, Real for floats,
    both when the bounds mix them."""
    low, high = spec[0], spec[1]
    log = ", log=True" if len(spec) > 2 and spec[2] == "log-uniform" else ""
    ints = [isinstance(v, numbers.Integral) for v in (low, high)]
    as_int = f"Integer({int(low)!r}, {int(high)!r}{log})"
    as_real = f"Real({float(low)!r}, {float(high)!r}{log})"
    return as_int if all(ints) else as_real if not any(ints) else f"{as_int} or {as_real}"


def _shorthand(name: str, spec: Any) -> Parameter:
    """A parameter from scikit-optimize's shorthand (see :class:`Space`), or an error that
    shows the hpo spelling."""

    def refuse(why: str, spelling: str) -> ValueError:
        return ValueError(f"Space: parameter {name!r}: {spec!r} {why}; write {spelling}")

    if isinstance(spec, list):
        numbers_only = all(_is_real_number(v) for v in spec[:2])
        looks_like_range = len(spec) == 2 or (
            len(spec) == 3 and spec[2] in ("uniform", "log-uniform")
        )
        if spec and numbers_only and looks_like_range:
            raise refuse(
                "is ambiguous (scikit-optimize reads a list of two numbers as a range, hpo a "
                "list as choices)",
                f"{_range_spelling(spec)} for a range, Categorical({spec!r}) for choices",
            )
        return Categorical(spec)
    if isinstance(spec, tuple):
        if len(spec) in (2, 3) and all(_is_real_number(v) for v in spec[:2]):
            low, high = spec[0], spec[1]
            prior = spec[2] if len(spec) == 3 else None
            if len(spec) == 3 and prior not in ("uniform", "log-uniform"):
                raise refuse(
                    "has a third item that is not 'uniform' or 'log-uniform'",
                    f"Real({low!r}, {high!r}, log=True) for a log scale",
                )
            ints = [isinstance(v, numbers.Integral) for v in (low, high)]
            if all(ints):
                return Integer(low, high, prior=prior)
            if not any(ints):
                return Real(low, high, prior=prior)
            raise refuse("mixes an int and a float bound", _range_spelling(spec))
        raise refuse(
            "is not a range (low, high) or (low, high, prior) of two numbers",
            f"Categorical({list(spec)!r}) for choices",
        )
    raise TypeError(
        f"Space: parameter {name!r} must be a Real, Integer or Categorical (or a tuple "
        f"(low, high) or a list of choices), got {spec!r}"
    )


class Space(Mapping[str, Parameter]):
    """A named, ordered set of parameters: the domain an optimizer searches.

    Parameters
    ----------
    parameters : mapping of str to Parameter
        Parameter names (strings) to :class:`Real`, :class:`Integer` or :class:`Categorical`,
        or to scikit-optimize's shorthand (below). The order of the mapping is the order of
        the unit-cube columns.

    Notes
    -----
    scikit-optimize's spellings are accepted, each meaning its hpo equivalent:

    ===================================  =============================================
    scikit-optimize                      hpo
    ===================================  =============================================
    ``(1, 10)`` (two ints)               ``Integer(1, 10)``
    ``(0.0, 1.0)`` (two floats)          ``Real(0.0, 1.0)``
    ``(1e-5, 1e-1, "log-uniform")``      ``Real(1e-5, 1e-1, log=True)``
    ``(1, 1000, "log-uniform")``         ``Integer(1, 1000, log=True)``
    ``(0.0, 1.0, "uniform")``            ``Real(0.0, 1.0)``
    ``["relu", "tanh"]`` (a list)        ``Categorical(["relu", "tanh"])``
    ``Real(a, b, prior="log-uniform")``  ``Real(a, b, log=True)`` (``Integer`` alike)
    ===================================  =============================================

    Ambiguous spellings are refused with a ``ValueError`` showing the hpo spelling: a
    tuple mixing an int and a float bound (``(0, 1.0)``: is it ``Integer`` or ``Real``?), a
    tuple of anything but two numbers and an optional prior (``("a", "b")``: write a list or
    ``Categorical`` for choices), and a *list* of two numbers (``[1, 10]``, optionally with a
    prior), which scikit-optimize reads as a range and hpo would read as two choices.

    **Conditional parameters.** A parameter with ``when={"parent": value}`` (or
    ``{"parent": [v1, v2]}``; several parents in one dict must all hold) exists only when its
    parent, a :class:`Categorical` or :class:`Integer` of the space, is active and takes one
    of those values; chains (a child of a child) and several children per parent are allowed.
    Configurations (from :meth:`sample`, :meth:`grid`, :meth:`from_unit` and every optimizer's
    ``ask``) hold the active parameters only, and :meth:`validate` requires exactly those:
    a missing active parameter or a present inactive one is a ``ValueError`` naming it.
    :meth:`active_names` and :meth:`active` give the active set. An unknown parent, a cycle,
    a real parent, or a value the parent cannot take are refused when the space is built.
    The unit cube keeps a column for every parameter (see the module notes).

    >>> space = Space({
    ...     "solver": Categorical(["adam", "sgd"]),
    ...     "momentum": Real(0.0, 0.99, when={"solver": "sgd"}),
    ...     "beta_1": Real(0.8, 0.999, when={"solver": "adam"}),
    ... })
    >>> space.active_names({"solver": "sgd"})
    ['solver', 'momentum']
    >>> space.n_configs is None, space.dim
    (True, 3)

    Examples
    --------
    >>> import numpy as np
    >>> space = Space({"lr": Real(1e-5, 1e-1, log=True), "layers": Integer(1, 4)})
    >>> params = space.sample(np.random.default_rng(0))
    >>> sorted(params)
    ['layers', 'lr']
    >>> space.from_unit(space.to_unit(params)) == params
    True
    """

    def __init__(self, parameters: Mapping[str, Parameter]) -> None:
        if isinstance(parameters, Space):
            parameters = parameters._params
        if not isinstance(parameters, Mapping):
            raise TypeError(f"Space: expected a dict of name -> parameter, got {parameters!r}")
        if not parameters:
            raise ValueError("Space: needs at least one parameter")
        params: dict[str, Parameter] = {}
        for name, param in parameters.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"Space: parameter names must be non-empty strings, got {name!r}")
            params[name] = param if isinstance(param, Parameter) else _shorthand(name, param)
        self._params = params
        self.names: tuple[str, ...] = tuple(self._params)
        kinds = np.array([p.kind for p in self._params.values()])
        #: Boolean masks over the unit-cube columns.
        self.is_real = kinds == "real"
        self.is_integer = kinds == "integer"
        self.is_categorical = kinds == "categorical"
        conditions = Conditions(self._params)
        if conditions:
            self.conditions = conditions
            self.is_conditional = True
            # The canonical unit coordinates of inactive parameters (module notes).
            self._inactive_unit = self.snap(np.full(self.dim, 0.5))

    #: Whether some parameter has a ``when`` condition (class default: flat, and spaces
    #: pickled before conditions existed).
    is_conditional: bool = False
    conditions: Conditions | None = None

    # -- Mapping protocol --------------------------------------------------------------
    def __getitem__(self, name: str) -> Parameter:
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Space) and list(self._params.items()) == list(
            other._params.items()
        )

    def __hash__(self) -> int:
        return hash(tuple(self._params.items()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{n!r}: {p!r}" for n, p in self._params.items())
        return f"Space({{{inner}}})"

    @property
    def n_configs(self) -> int | None:
        """Number of distinct configurations, ``None`` if a parameter is continuous.

        In a conditional space, configurations differing only in inactive values are one.
        """
        sizes = [p.n_values for p in self.values()]
        if None in sizes:
            return None
        if self.conditions is None:
            return math.prod(sizes)
        if "_n_configs" not in self.__dict__:  # counted once: optimizers ask at every ask
            self._n_configs = self._count_tree(self.conditions)
        return self._n_configs

    def _count_tree(self, cond: Conditions) -> int:
        """Distinct configurations of a finite conditional space (all values of parents)."""
        axes = {n: p.grid(p.n_values) for n, p in self._params.items() if n in cond.parents}
        return cond.count(axes, lambda n: self._params[n].n_values)

    # -- activity -----------------------------------------------------------------------
    def active_names(self, params: Mapping[str, Any]) -> list[str]:
        """The names of the parameters active in ``params``, in column order.

        ``params`` may hold inactive values too (a decoded unit vector does); the values of
        the parents decide. Every name is active in a space without conditions.
        """
        if self.conditions is None:
            return list(self.names)
        active = self.conditions.active_set(params)
        return [n for n in self.names if n in active]

    def active(self, params: Mapping[str, Any]) -> Params:
        """``params`` without its inactive parameters (those present, in column order)."""
        if self.conditions is None:
            return {n: params[n] for n in self.names if n in params}
        active = self.conditions.active_set(params)
        return {n: params[n] for n in self.names if n in active and n in params}

    @property
    def dim(self) -> int:
        """Number of unit-cube columns (one per parameter)."""
        return len(self._params)

    # -- unit cube ----------------------------------------------------------------------
    def from_unit_batch(self, U: np.ndarray) -> list[Params]:
        """Decode points of the unit cube.

        Parameters
        ----------
        U : ndarray of shape (n_points, dim)

        Returns
        -------
        list of dict
            One configuration per row, with Python values.
        """
        U = np.atleast_2d(np.asarray(U, dtype=float))
        if U.shape[1] != self.dim:
            raise ValueError(f"U must have {self.dim} columns, got shape {U.shape}")
        columns = [p.decode(U[:, j]) for j, p in enumerate(self._params.values())]
        params = list(self._params.items())
        configs = [
            {name: p.to_python(col[i]) for (name, p), col in zip(params, columns)}
            for i in range(U.shape[0])
        ]
        if self.conditions is not None:  # inactive columns are decoded away
            configs = [self.active(c) for c in configs]
        return configs

    def from_unit(self, u: np.ndarray) -> Params:
        """Decode one point ``u`` of shape ``(dim,)`` of the unit cube."""
        return self.from_unit_batch(np.asarray(u, dtype=float)[None, :])[0]

    def to_unit_batch(self, configs: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Encode configurations (assumed valid, see :meth:`validate`) as an array of shape
        ``(n_points, dim)``. Inactive (absent) parameters of a conditional space get their
        canonical coordinate (module notes)."""
        U = np.empty((len(configs), self.dim))
        if self.conditions is not None:
            U[:] = self._inactive_unit
            for j, (name, p) in enumerate(self._params.items()):
                rows = [i for i, c in enumerate(configs) if name in c]
                if rows:
                    U[rows, j] = p.encode([configs[i][name] for i in rows])
            return U
        for j, (name, p) in enumerate(self._params.items()):
            U[:, j] = p.encode([c[name] for c in configs]) if configs else []
        return U

    def to_unit(self, params: Mapping[str, Any]) -> np.ndarray:
        """Encode one configuration as a point of shape ``(dim,)`` of the unit cube."""
        return self.to_unit_batch([params])[0]

    def snap(self, U: np.ndarray) -> np.ndarray:
        """Move unit points to the canonical coordinates of the configurations they decode to
        (centres of integer and categorical bins); reals are left as they are."""
        U = np.array(U, dtype=float, copy=True)
        squeeze = U.ndim == 1
        U = np.atleast_2d(U)
        for j, p in enumerate(self._params.values()):
            if p.kind == "integer":
                U[:, j] = p.encode(p.decode(U[:, j]))
            elif p.kind == "categorical":
                U[:, j] = (p.decode(U[:, j]) + 0.5) / p.n_values
            else:
                U[:, j] = np.clip(U[:, j], 0.0, 1.0)
        return U[0] if squeeze else U

    # -- sampling -----------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int | None = None) -> Params | list[Params]:
        """Draw configurations uniformly in the unit cube (log-uniform on log axes).

        Parameters
        ----------
        rng : numpy.random.Generator
        n : int, optional
            Number of configurations; one dict if omitted, else a list of ``n`` dicts.
        """
        U = rng.random((1 if n is None else n, self.dim))
        configs = self.from_unit_batch(U)
        return configs[0] if n is None else configs

    # -- validation ---------------------------------------------------------------------
    def validate(self, params: Mapping[str, Any]) -> Params:
        """Check that ``params`` lies in the space and return it in canonical form.

        In a conditional space the configuration must hold exactly the active parameters.

        Raises
        ------
        ValueError
            Naming the offending parameter and the rule it breaks (unknown or missing name,
            value out of bounds, not an integer, not one of the choices; in a conditional
            space, an active parameter missing or an inactive one present).
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"a configuration must be a dict of name -> value, got {params!r}")
        unknown = [k for k in params if k not in self._params]
        if unknown:
            raise ValueError(f"parameter {unknown[0]!r} is not in the space {list(self.names)}")
        if self.conditions is not None:
            return self._validate_conditional(params, self.conditions)
        missing = [k for k in self.names if k not in params]
        if missing:
            raise ValueError(f"parameter {missing[0]!r} is missing from the configuration")
        out = {}
        for name, p in self._params.items():
            try:
                out[name] = p.canonical(params[name])
            except ValueError as err:
                raise ValueError(f"parameter {name!r} {err}") from None
        return out

    def _validate_conditional(self, params: Mapping[str, Any], cond: Conditions) -> Params:
        out: Params = {}
        active: set[str] = set()
        for name in cond.order:  # parents first: their canonical values decide the children
            if not cond.is_active(name, out, active):
                continue
            if name not in params:
                raise ValueError(
                    f"parameter {name!r} is missing from the configuration (it is active: "
                    f"{cond.describe(name)})"
                )
            try:
                out[name] = self._params[name].canonical(params[name])
            except ValueError as err:
                raise ValueError(f"parameter {name!r} {err}") from None
            active.add(name)
        for name in self.names:
            if name in params and name not in active:
                raise ValueError(
                    f"parameter {name!r} is inactive in this configuration (it needs "
                    f"{cond.describe(name)}) and must be left out"
                )
        return {n: out[n] for n in self.names if n in active}

    def contains(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` is a valid configuration of this space."""
        try:
            self.validate(params)
        except (ValueError, TypeError):
            return False
        return True

    def __contains__(self, key: object) -> bool:  # Mapping semantics: a parameter name
        return key in self._params

    # -- grids --------------------------------------------------------------------------
    def grid_axes(self, k: int) -> list[list[Any]]:
        """Values per parameter of the grid with ``k`` points per numeric axis."""
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k (points per axis) must be a positive integer, got {k!r}")
        return [p.grid(int(k)) for p in self._params.values()]

    def grid_size(self, k: int) -> int:
        """Number of configurations in :meth:`grid` ``(k)``, computed without building it."""
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k (points per axis) must be a positive integer, got {k!r}")
        if self.conditions is not None:
            axes = {
                n: p.grid(int(k)) for n, p in self._params.items() if n in self.conditions.parents
            }
            return self.conditions.count(axes, lambda n: self._params[n].grid_len(int(k)))
        return math.prod(p.grid_len(int(k)) for p in self._params.values())

    def grid(self, k: int) -> list[Params]:
        """The full factorial grid: ``k`` points per numeric axis (bounds included; fewer for
        short integer ranges), every choice of each categorical; the last parameter varies
        fastest.

        In a conditional space, the grid of the tree: inactive parameters are left out and
        never branched on, so no two configurations differ only in inactive values; the
        order is lexicographic with parents before their children. A child of an
        :class:`Integer` parent appears only if its condition's values lie on the parent's
        grid axis.
        """
        axes = self.grid_axes(k)
        if self.conditions is not None:
            return self.conditions.enumerate(dict(zip(self.names, axes)))
        return [self.grid_point(i, axes) for i in range(math.prod(len(a) for a in axes))]

    def grid_point(self, index: int, axes: list[list[Any]]) -> Params:
        """Configuration number ``index`` of the grid with these ``axes`` (mixed radix).

        The full factorial point, every parameter included: in a conditional space, pass it
        through :meth:`active` (or use :meth:`grid`, which enumerates the tree)."""
        values = []
        for axis in reversed(axes):
            index, r = divmod(index, len(axis))
            values.append(axis[r])
        return dict(zip(self.names, reversed(values)))

    # -- serialization ------------------------------------------------------------------
    def to_dict(self) -> dict[str, dict[str, Any]]:
        """A JSON-friendly description, inverse of :meth:`from_dict`."""
        return {name: p.to_dict() for name, p in self._params.items()}

    @classmethod
    def from_dict(cls, spec: Mapping[str, Mapping[str, Any]]) -> Space:
        """Build a space from ``{name: {"type": ..., ...}}``, as written in study files."""
        params = {}
        for name, p in spec.items():
            try:
                params[name] = parameter_from_dict(p)
            except (TypeError, ValueError) as err:
                raise ValueError(f"parameter {name!r}: {err}") from None
        return cls(params)
