"""The record of one (optimizer, problem, seed) run: what a study journal stores per line.

Statistics and plots read only these records, never optimizers or problems, so a committed
journal is enough to regenerate every table and figure.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np

from hpo.trial import best_so_far

__all__ = ["RunRecord", "check_record"]


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
    fidelity : dict or None
        Multi-fidelity runs (a study with a cost ``budget``): the problem's fidelity,
        ``{"name": ..., "low": ..., "high": ...}``; each trial then also holds ``cost`` (its
        resource units) and, in simulated time, ``start`` and ``end`` (virtual times).
    max_cost : float or None
        The run's cost budget in resource units (``budget * fidelity.high``).
    workers : int or None
        Virtual workers of a simulated run.
    reference_point : list of float or None
        Multi-objective runs: the problem's reference point (one float per objective); each
        completed trial's ``value`` is then a list of that many floats.
    max_hypervolume : float or None
        Multi-objective runs: the hypervolume of the problem's true Pareto front with respect
        to ``reference_point`` (None if unknown), the "optimum" of hypervolume regret.

    These five are left out of :meth:`to_dict` when ``None``, so records of single-objective,
    single-fidelity studies read and write as before.
    """

    optimizer: str
    problem: str
    seed: int
    n_trials: int
    optimum: float | None
    trials: list[dict[str, Any]]
    wall_time: float
    meta: dict[str, Any] = field(default_factory=dict)
    fidelity: dict[str, Any] | None = None
    max_cost: float | None = None
    workers: int | None = None
    reference_point: list[float] | None = None
    max_hypervolume: float | None = None

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

    @property
    def n_objectives(self) -> int:
        """1, or the length of the reference point of a multi-objective run."""
        return 1 if self.reference_point is None else len(self.reference_point)

    def objective_values(self) -> np.ndarray:
        """Objective vectors in trial order, a row of NaN for a failed trial; shape
        ``(n_trials, n_objectives)`` (``n_objectives`` 1 for a single-objective run)."""
        m = self.n_objectives
        rows = [
            [np.nan] * m if t["value"] is None else np.atleast_1d(t["value"]).tolist()
            for t in self.trials
        ]
        return np.array(rows, dtype=float).reshape(len(rows), m)

    def hypervolume_regret(self) -> np.ndarray:
        """Hypervolume regret after each trial, padded to ``n_trials`` like
        :meth:`best_so_far`: ``max_hypervolume - HV(F_t, r)``, with ``F_t`` every point
        evaluated up to trial ``t`` and ``r`` the reference point (``max_hypervolume`` while
        no point strictly dominates ``r``); NaN throughout when ``max_hypervolume`` is unknown.

        Raises
        ------
        ValueError
            If the run is not multi-objective (no ``reference_point``).
        """
        if self.reference_point is None:
            raise ValueError("hypervolume_regret: the record has no reference_point")
        if self.max_hypervolume is None:
            return np.full(max(self.n_trials, len(self.trials)), np.nan)
        from hpo.moo.attainment import hypervolume_trace

        hv = hypervolume_trace(self.objective_values(), self.reference_point)
        trace = self.max_hypervolume - hv
        if len(trace) < self.n_trials:
            fill = trace[-1] if len(trace) else self.max_hypervolume
            trace = np.concatenate([trace, np.full(self.n_trials - len(trace), fill)])
        return trace

    def optimizer_time(self) -> np.ndarray:
        """Seconds spent inside the optimizer (ask + tell) for each trial."""
        return np.array([t["ask_time"] + t["tell_time"] for t in self.trials], dtype=float)

    def elapsed(self) -> np.ndarray:
        """Cumulative wall time (ask + evaluation + tell) after each trial."""
        per_trial = [t["ask_time"] + t["tell_time"] + (t["eval_time"] or 0.0) for t in self.trials]
        return np.cumsum(np.array(per_trial, dtype=float))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for name in _OPTIONAL:
            if d[name] is None:
                del d[name]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunRecord:
        """Check ``d`` (as a journal line holds it) and build the record.

        Raises
        ------
        ValueError
            Naming the first field that is missing, unknown or malformed (``trials[3].value``):
            everything the statistics read is checked, so that a bad record is refused here
            rather than crashing a report.
        """
        check_record(d)
        return cls(**d)


_REQUIRED = ("optimizer", "problem", "seed", "n_trials", "optimum", "trials", "wall_time")
_OPTIONAL = ("fidelity", "max_cost", "workers", "reference_point", "max_hypervolume")
_TRIAL_TIMES = ("cost", "start", "end")  # optional, multi-fidelity runs
_TRIAL_REQUIRED = ("number", "params", "value", "status", "ask_time", "tell_time", "eval_time")


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any, *, finite: bool = True, non_negative: bool = False) -> bool:
    if not isinstance(v, numbers.Real) or isinstance(v, bool):
        return False
    return (not finite or math.isfinite(v)) and (not non_negative or v >= 0)


def check_record(d: Any) -> None:
    """Raise ``ValueError`` naming what is wrong with a run record's dict, if anything."""
    if not isinstance(d, dict):
        raise ValueError(f"a run record must be a JSON object, got {type(d).__name__}")
    known = {f.name for f in fields(RunRecord)}
    missing = [k for k in _REQUIRED if k not in d]
    unknown = sorted(set(d) - known)
    if missing or unknown:
        what = f"missing field {missing[0]!r}" if missing else f"unknown field {unknown[0]!r}"
        raise ValueError(what)
    rules = [
        ("optimizer", isinstance(d["optimizer"], str) and d["optimizer"], "a non-empty string"),
        ("problem", isinstance(d["problem"], str) and d["problem"], "a non-empty string"),
        ("seed", _is_int(d["seed"]) and 0 <= d["seed"] < 2**63, "an integer in [0, 2**63)"),
        ("n_trials", _is_int(d["n_trials"]) and d["n_trials"] >= 1, "a positive integer"),
        ("optimum", d["optimum"] is None or _is_real(d["optimum"]), "a finite number or null"),
        ("wall_time", _is_real(d["wall_time"], non_negative=True), "a non-negative number"),
        ("meta", isinstance(d.get("meta", {}), dict), "an object"),
        ("trials", isinstance(d["trials"], list), "a list"),
        ("fidelity", _is_fidelity(d.get("fidelity")), "null or {name, low, high}, 0 < low < high"),
        (
            "max_cost",
            d.get("max_cost") is None or (_is_real(d["max_cost"]) and d["max_cost"] > 0),
            "a positive number or null",
        ),
        (
            "workers",
            d.get("workers") is None or (_is_int(d["workers"]) and d["workers"] >= 1),
            "a positive integer or null",
        ),
        (
            "reference_point",
            _is_reference(d.get("reference_point")),
            "null or a list of at least 2 finite numbers",
        ),
        (
            "max_hypervolume",
            d.get("max_hypervolume") is None
            or (_is_real(d["max_hypervolume"]) and d["max_hypervolume"] > 0),
            "a positive number or null",
        ),
    ]
    for name, ok, rule in rules:
        if not ok:
            raise ValueError(f"{name} must be {rule}, got {d[name]!r}")
    m = 1 if d.get("reference_point") is None else len(d["reference_point"])
    for i, trial in enumerate(d["trials"]):
        _check_trial(trial, f"trials[{i}]", m)


def _is_reference(r: Any) -> bool:
    if r is None:
        return True
    return isinstance(r, list) and len(r) >= 2 and all(_is_real(v) for v in r)


def _is_fidelity(f: Any) -> bool:
    if f is None:
        return True
    if not (isinstance(f, dict) and set(f) == {"name", "low", "high"}):
        return False
    low, high = f["low"], f["high"]
    return isinstance(f["name"], str) and _is_real(low) and _is_real(high) and 0 < low < high


def _check_trial(t: Any, where: str, n_objectives: int = 1) -> None:
    if not isinstance(t, dict):
        raise ValueError(f"{where} must be an object, got {type(t).__name__}")
    missing = [k for k in _TRIAL_REQUIRED if k not in t]
    if missing:
        raise ValueError(f"{where} lacks field {missing[0]!r}")
    status = t["status"]
    if status == "complete":  # one objective, or several (a list of finite numbers)
        value = t["value"]
        values = value if isinstance(value, list) and value else [value]
        value_ok = all(_is_real(v) for v in values)
        if n_objectives > 1:  # a multi-objective record: exactly one value per objective
            value_ok = value_ok and isinstance(value, list) and len(value) == n_objectives
    else:
        value_ok = status != "failed" or t["value"] is None
    rules = [
        ("number", _is_int(t["number"]) and t["number"] >= 0, "a non-negative integer"),
        ("params", isinstance(t["params"], dict), "an object"),
        ("status", isinstance(status, str) and status, "a status such as 'complete'"),
        ("value", value_ok, "finite if complete, null if failed"),
        ("ask_time", _is_real(t["ask_time"], non_negative=True), "a non-negative number"),
        ("tell_time", _is_real(t["tell_time"], non_negative=True), "a non-negative number"),
        (
            "eval_time",
            t["eval_time"] is None or _is_real(t["eval_time"], non_negative=True),
            "a non-negative number or null",
        ),
        ("info", isinstance(t.get("info", {}), dict), "an object"),
    ] + [
        (name, t.get(name) is None or _is_real(t[name], non_negative=True), "a number >= 0")
        for name in _TRIAL_TIMES
    ]
    for name, ok, rule in rules:
        if not ok:
            raise ValueError(f"{where}.{name} must be {rule}, got {t[name]!r}")
