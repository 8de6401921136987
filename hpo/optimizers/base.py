"""The ask/tell contract shared by every optimizer.

:class:`Optimizer` owns all bookkeeping (trials in order, pending configurations, the best
trial, time spent in ``ask`` and ``tell``, failed trials and their reasons, validation of told
configurations, saving and loading), so that an algorithm writes only

* ``_propose(n)``: ``n`` new configurations (dicts, or :class:`Proposal` to attach what the
  algorithm knew when choosing them), distinct from each other and from ``self.pending``;
* ``_observe(trials)`` (optional): learn from trials that were just told, failed ones included.
"""

from __future__ import annotations

import math
import numbers
import os
import pickle
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np

from hpo._seed import SeedLike, as_generator
from hpo.exceptions import SearchExhausted
from hpo.fidelity import Fidelity, check_fidelity, validate_with_budget
from hpo.space import Params, Space
from hpo.trial import Trial, TrialStatus

__all__ = ["Optimizer", "Proposal", "config_key"]

_SAVE_FORMAT = "hpo-optimizer"
_SAVE_VERSION = 1


class Proposal(NamedTuple):
    """A configuration proposed by ``_propose`` together with what chose it."""

    params: Params
    info: dict[str, Any]


def config_key(params: Mapping[str, Any]) -> tuple:
    """A hashable key of a canonical configuration, to detect repeats."""
    return tuple((k, repr(v)) for k, v in params.items())


def _classify(value: Any) -> tuple[float | None, str | None]:
    """Turn a told value into ``(value, None)`` for a success or ``(None, reason)``."""
    if isinstance(value, BaseException):
        return None, f"{type(value).__name__}: {value}"
    if value is None:
        return None, "objective returned None"
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"value must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        return None, f"objective returned {value}"
    return value, None


class Optimizer:
    """Base class of hpo's optimizers: minimize an objective over a :class:`~hpo.Space`.

    Parameters
    ----------
    space : Space or dict
        The search space.
    seed : int, numpy.random.Generator or None
        Source of every random choice; the same seed gives the same proposals.

    Notes
    -----
    ``ask()`` returns one configuration, ``ask(n)`` a list of ``n`` distinct ones (fewer only
    when a finite optimizer runs out, and :class:`~hpo.SearchExhausted` when none is left).
    ``tell(params, value)`` records a result; ``value`` NaN, +/-inf, ``None`` or an exception
    instance (or ``error="reason"``) records a *failed* trial, kept in :attr:`trials` with its
    reason and never given to a model as a number. Telling a configuration that was not asked
    (a warm start) is allowed when it lies in the space.

    Given a ``fidelity`` (:class:`~hpo.Fidelity`), every configuration carries its budget under
    ``fidelity.name``. A multi-fidelity optimizer (``multi_fidelity = True``: successive
    halving, Hyperband, ASHA) chooses it; any other optimizer always asks for the full budget
    ``fidelity.high`` and accepts only that budget in ``tell``. Repeats are detected on the
    configuration *and* its budget, so a configuration promoted to a higher budget is a new
    trial.
    """

    #: Short name used by :func:`hpo.minimize`, the CLI and study files.
    name: ClassVar[str] = ""
    #: Whether ``_propose`` puts a budget of its choosing into each configuration.
    multi_fidelity: ClassVar[bool] = False
    #: The resource evaluated at (class default: optimizers saved before fidelities existed).
    fidelity: Fidelity | None = None

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
    ) -> None:
        self.space = space if isinstance(space, Space) else Space(space)
        self.fidelity = check_fidelity(fidelity, self.space, required=self.multi_fidelity)
        self.rng = as_generator(seed)
        self._trials: list[Trial] = []
        self._pending: dict[int, Trial] = {}
        self._keys: set[tuple] = set()
        self._best: Trial | None = None

    # -- the algorithm's part -----------------------------------------------------------
    def _propose(self, n: int) -> list[Params | Proposal]:
        raise NotImplementedError

    def _observe(self, trials: list[Trial]) -> None:
        """Learn from ``trials`` that were just told (complete or failed)."""

    # -- public state -------------------------------------------------------------------
    @property
    def trials(self) -> list[Trial]:
        """Every trial in the order it was asked or told, pending ones included."""
        return list(self._trials)

    @property
    def pending(self) -> list[Trial]:
        """Trials asked but not told yet."""
        return list(self._pending.values())

    @property
    def best(self) -> Trial | None:
        """The complete trial with the lowest value (the earliest among ties).

        With a fidelity: the best complete trial at the highest budget evaluated so far (a
        lower loss at a smaller budget never replaces it).
        """
        return self._best

    @property
    def completed(self) -> list[Trial]:
        return [t for t in self._trials if t.status is TrialStatus.COMPLETE]

    def is_new(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` (canonical) was neither asked nor told before (at this budget,
        for a multi-fidelity optimizer)."""
        return self._key(params) not in self._keys

    def _key(self, params: Mapping[str, Any]) -> tuple:
        """The key of repeats: the configuration and its budget, or without the budget for a
        single-fidelity optimizer (whose budget is always the full one), so that its own
        :func:`config_key` of a configuration of the space matches."""
        if self.fidelity is not None and not self.multi_fidelity:
            params = {k: v for k, v in params.items() if k != self.fidelity.name}
        return config_key(params)

    def _with_full_budget(self, params: Params) -> Params:
        """``params`` plus the full budget, for a single-fidelity optimizer given a fidelity."""
        if self.fidelity is None or self.multi_fidelity:
            return params
        return {**params, self.fidelity.name: self.fidelity.high}

    def _validate(self, params: Mapping[str, Any]) -> Params:
        if self.fidelity is None:
            return self.space.validate(params)
        full_only = not self.multi_fidelity
        return validate_with_budget(self.space, self.fidelity, params, full_only=full_only)

    def _improves_best(self, trial: Trial) -> bool:
        """Whether complete ``trial`` beats :attr:`best`: a higher budget first, then the value."""
        best = self._best
        if best is None:
            return True
        if self.fidelity is not None:
            budget, best_budget = trial.params[self.fidelity.name], best.params[self.fidelity.name]
            if budget != best_budget:
                return budget > best_budget
        return trial.value < best.value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_trials={len(self._trials)}, best={self._best!r})"

    # -- ask ----------------------------------------------------------------------------
    def ask(self, n: int | None = None) -> Params | list[Params]:
        """Propose configurations to evaluate.

        Parameters
        ----------
        n : int, optional
            Number of configurations. Omitted: one dict. Given: a list of ``n`` distinct dicts.

        Raises
        ------
        SearchExhausted
            When a finite optimizer has nothing left to propose.
        """
        if n is not None and (not isinstance(n, numbers.Integral) or n < 1):
            raise ValueError(f"n must be a positive integer, got {n!r}")
        start = time.perf_counter()
        proposals = self._propose(1 if n is None else int(n))
        if not proposals:
            raise SearchExhausted(f"{type(self).__name__} has nothing left to propose")
        trials = []
        for proposal in proposals:
            params, info = proposal if isinstance(proposal, Proposal) else (proposal, {})
            params = self._with_full_budget(params)
            trial = Trial(number=len(self._trials), params=params, info=info)
            self._trials.append(trial)
            self._pending[trial.number] = trial
            self._keys.add(self._key(params))
            trials.append(trial)
        elapsed = (time.perf_counter() - start) / len(trials)
        for trial in trials:
            trial.ask_time = elapsed
        configs = [dict(t.params) for t in trials]
        return configs[0] if n is None else configs

    # -- tell ---------------------------------------------------------------------------
    def tell(
        self,
        params: Mapping[str, Any] | Sequence[Mapping[str, Any]],
        value: Any,
        *,
        error: str | None = None,
    ) -> Trial | list[Trial]:
        """Record the result of one configuration, or of a batch.

        Parameters
        ----------
        params : dict or list of dict
            Configuration(s) as returned by :meth:`ask`, or new ones inside the space.
        value : float, exception or None; or a list of them for a batch
            The objective value (minimized). NaN, +/-inf, ``None`` or an exception instance
            records a failed trial.
        error : str, optional
            Mark the trial(s) as failed with this reason, whatever ``value`` is.

        Returns
        -------
        Trial or list of Trial
            The recorded trial(s).

        Raises
        ------
        ValueError
            If a configuration lies outside the space (the message names the parameter), or
            a batch and its values differ in length.
        """
        start = time.perf_counter()
        single = isinstance(params, Mapping)
        batch = [params] if single else list(params)
        values = [value] if single else list(value)
        if len(batch) != len(values):
            raise ValueError(f"got {len(batch)} configurations but {len(values)} values")
        # Validate everything before recording anything, so a bad batch changes nothing.
        canonical = [self._validate(p) for p in batch]
        outcomes = [(None, error) if error is not None else _classify(v) for v in values]
        told = [self._record(p, v, e) for p, (v, e) in zip(canonical, outcomes)]
        self._observe(told)
        elapsed = (time.perf_counter() - start) / len(told)
        for trial in told:
            trial.tell_time = elapsed
        return told[0] if single else told

    def _record(self, params: Params, value: float | None, error: str | None) -> Trial:
        key = self._key(params)
        trial = next(
            (t for t in self._pending.values() if self._key(t.params) == key),
            None,
        )
        if trial is None:  # a warm start: told without being asked
            trial = Trial(number=len(self._trials), params=params)
            self._trials.append(trial)
            self._keys.add(key)
        else:
            del self._pending[trial.number]
        trial.value = value
        trial.error = error
        trial.status = TrialStatus.FAILED if value is None else TrialStatus.COMPLETE
        if value is not None and self._improves_best(trial):
            self._best = trial
        return trial

    # -- persistence --------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the optimizer's whole state (history, pending trials, models, random
        generator) to ``path`` with :mod:`pickle`, atomically.

        A run stopped after ``k`` trials and resumed with :meth:`load` proposes exactly what the
        uninterrupted run would have. Load only files you trust: unpickling runs code.
        """
        path = Path(path)
        payload = {"format": _SAVE_FORMAT, "version": _SAVE_VERSION, "optimizer": self}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | os.PathLike) -> Optimizer:
        """Read an optimizer written by :meth:`save`.

        Raises
        ------
        ValueError
            If the file is not an hpo optimizer file, or holds another optimizer class than
            the one ``load`` was called on.
        """
        with open(path, "rb") as f:
            try:
                payload = pickle.load(f)
            except Exception as err:
                raise ValueError(f"{path}: not an hpo optimizer file ({err})") from None
        if not (isinstance(payload, dict) and payload.get("format") == _SAVE_FORMAT):
            raise ValueError(f"{path}: not an hpo optimizer file")
        if payload.get("version") != _SAVE_VERSION:
            raise ValueError(f"{path}: unsupported format version {payload.get('version')!r}")
        optimizer = payload["optimizer"]
        if not isinstance(optimizer, cls):
            raise ValueError(f"{path} holds a {type(optimizer).__name__}, not a {cls.__name__}")
        return optimizer
