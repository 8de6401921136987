"""The ask/tell contract shared by every optimizer.

:class:`Optimizer` owns all bookkeeping (trials in order, pending configurations, the best
trial, time spent in ``ask`` and ``tell``, failed trials and their reasons, validation of told
configurations, saving and loading), so that an algorithm writes only

* ``_propose(n)``: ``n`` new configurations (dicts, or :class:`Proposal` to attach what the
  algorithm knew when choosing them), distinct from each other and from ``self.pending``;
* ``_observe(trials)`` (optional): learn from trials that were just told, failed ones included.
"""

from __future__ import annotations

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
from hpo.moo.dominance import is_non_dominated
from hpo.optimizers.persistence import restricted_load
from hpo.space import Params, Space
from hpo.trial import Trial, TrialStatus, check_n_objectives, outcome

__all__ = ["Optimizer", "Proposal", "config_key"]

_SAVE_FORMAT = "hpo-optimizer"
_SAVE_VERSION = 1

#: The largest batch ``ask(n)`` hands out. A hundred thousand configurations take seconds
#: to propose and record and are far more than any pool evaluates at once; a larger ``n`` is
#: a bug, refused at once (``ask(10**18)`` used to hang, ``ask(10**6)`` took 51 s).
MAX_BATCH = 100_000


class Proposal(NamedTuple):
    """A configuration proposed by ``_propose`` together with what chose it."""

    params: Params
    info: dict[str, Any]


def config_key(params: Mapping[str, Any]) -> tuple:
    """A hashable key of a canonical configuration, to detect repeats."""
    return tuple(zip(params, map(repr, params.values())))


class Optimizer:
    """Base class of hpo's optimizers: minimize an objective over a :class:`~hpo.Space`.

    Parameters
    ----------
    space : Space or dict
        The search space.
    seed : int, numpy.random.Generator or None
        Source of every random choice; the same seed gives the same proposals.
    fidelity : Fidelity, optional
        The resource trials are evaluated at (see below).
    n_objectives : int, default 1
        Number of objectives ``m``, each minimized. With ``m > 1`` (only for classes with
        ``supports_multi_objective = True``) ``tell`` takes a sequence of ``m`` floats per
        configuration, :attr:`pareto_front` holds the non-dominated trials and :attr:`best`
        raises.

    Notes
    -----
    ``ask()`` returns one configuration, ``ask(n)`` a list of ``n`` distinct ones (fewer only
    when a finite optimizer runs out, and :class:`~hpo.SearchExhausted` when none is left).
    ``tell(params, value)`` records a result; ``value`` NaN, +/-inf, ``None`` or an exception
    instance (or ``error="reason"``) records a *failed* trial, kept in :attr:`trials` with its
    reason and never given to a model as a number. Telling a configuration that was not asked
    (a warm start) is allowed when it lies in the space; telling one that was already told is
    a ``ValueError`` (evaluate it again under a new name, not as a second trial of the same).
    ``ask(n)`` on a finite space returns at most the configurations not yet seen, and ``n``
    larger than :data:`MAX_BATCH` (after that bound) is a ``ValueError``.

    Given a ``fidelity`` (:class:`~hpo.Fidelity`), every configuration carries its budget under
    ``fidelity.name``. A multi-fidelity optimizer (``multi_fidelity = True``: successive
    halving, Hyperband, ASHA) chooses it; any other optimizer always asks for the full budget
    ``fidelity.high`` and accepts only that budget in ``tell``. Repeats are detected on the
    configuration *and* its budget, so a configuration promoted to a higher budget is a new
    trial.
    """

    #: Short name used by :func:`hpo.minimize`, the CLI and study files.
    name: ClassVar[str] = ""
    #: Globals beyond hpo's and numpy's that ``cls.load`` admits: ``"package"`` or
    #: ``"module:name"``, for state holding other libraries' objects (see
    #: :func:`hpo.optimizers.persistence.restricted_load`). Load such a file with its class.
    pickle_trusted: ClassVar[tuple[str, ...]] = ()
    #: Whether ``_propose`` puts a budget of its choosing into each configuration.
    multi_fidelity: ClassVar[bool] = False
    #: The resource evaluated at (class default: optimizers saved before fidelities existed).
    fidelity: Fidelity | None = None
    #: Whether the algorithm handles conditional spaces (parameters with ``when=``): proposes
    #: only active parameters and learns from configurations of varying sets of them.
    supports_conditional: ClassVar[bool] = False
    #: Whether the class accepts ``n_objectives > 1`` (it then records vectors of values).
    supports_multi_objective: ClassVar[bool] = False
    #: Number of objectives (class default: optimizers saved before it existed had one).
    n_objectives: int = 1

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
        n_objectives: int = 1,
    ) -> None:
        self.n_objectives = check_n_objectives(n_objectives)
        if self.n_objectives > 1 and not self.supports_multi_objective:
            raise ValueError(
                f"n_objectives: {type(self).__name__} optimizes one objective, got "
                f"n_objectives={n_objectives!r}; choose an optimizer whose "
                "supports_multi_objective is True (bayes, with ParEGO or EHVI; the GA, which "
                "is then NSGA-II; random; grid)"
            )
        self.space = space if isinstance(space, Space) else Space(space)
        if self.space.is_conditional and not self.supports_conditional:
            raise NotImplementedError(
                f"{type(self).__name__} does not handle conditional search spaces (parameters "
                "with when=) yet (issue 13); use grid, random, ga or bayes"
            )
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

        Raises
        ------
        ValueError
            With several objectives there is no single best trial: use :attr:`pareto_front`.
        """
        if self.n_objectives > 1:
            raise ValueError(
                f"best: with n_objectives={self.n_objectives} there is no single best trial; "
                "use pareto_front (the non-dominated trials)"
            )
        return self._best

    @property
    def pareto_front(self) -> list[Trial]:
        """The non-dominated complete trials (every objective minimized), in trial order.

        A trial is dominated when another is no worse in every objective and better in one;
        trials with equal values are all kept. With one objective: the trials sharing the
        lowest value. With a fidelity, only trials at the highest budget evaluated count, as
        for :attr:`best`.
        """
        done = self.completed
        if self.fidelity is not None and done:
            top = max(t.params[self.fidelity.name] for t in done)
            done = [t for t in done if t.params[self.fidelity.name] == top]
        if not done:
            return []
        values = np.array([t.value for t in done], dtype=float).reshape(len(done), -1)
        return [t for t, keep in zip(done, is_non_dominated(values)) if keep]

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
        if self.n_objectives > 1:
            front = f"n_objectives={self.n_objectives}, pareto_front={len(self.pareto_front)}"
            return f"{type(self).__name__}(n_trials={len(self._trials)}, {front} trials)"
        return f"{type(self).__name__}(n_trials={len(self._trials)}, best={self._best!r})"

    # -- ask ----------------------------------------------------------------------------
    def ask(self, n: int | None = None) -> Params | list[Params]:
        """Propose configurations to evaluate.

        Parameters
        ----------
        n : int, optional
            Number of configurations. Omitted: one dict. Given: a list of ``n`` distinct dicts
            (fewer when a finite space has fewer configurations left unseen).

        Raises
        ------
        SearchExhausted
            When a finite optimizer has nothing left to propose.
        ValueError
            If ``n`` is not a positive integer, or exceeds :data:`MAX_BATCH` once bounded by
            what is left of a finite space.
        """
        if n is not None and (not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1):
            raise ValueError(f"n must be a positive integer, got {n!r}")
        size = 1 if n is None else self._batch_size(int(n))
        start = time.perf_counter()
        proposals = self._propose(size)
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

    def _batch_size(self, n: int) -> int:
        """``n`` bounded by the unseen configurations of a finite space; at most MAX_BATCH."""
        finite = self.space.n_configs
        if finite is not None:
            n = min(n, max(finite - len(self._keys), 1))
        if n > MAX_BATCH:
            raise ValueError(
                f"n must be at most {MAX_BATCH:,} configurations per ask, got {n:,}; "
                "ask in smaller batches"
            )
        return n

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
            records a failed trial. With ``n_objectives = m > 1``: a sequence (list, tuple,
            1-d array) of ``m`` floats, failed if any is NaN or +/-inf (for a batch, a list of
            such sequences).
        error : str, optional
            Mark the trial(s) as failed with this reason, whatever ``value`` is.

        Returns
        -------
        Trial or list of Trial
            The recorded trial(s).

        Raises
        ------
        ValueError
            If a configuration lies outside the space (the message names the parameter), was
            already told (each configuration is one trial), or a batch and its values differ
            in length, or a value holds another number of objectives than ``n_objectives``.
            An empty batch, ``tell([], [])``, records nothing and returns ``[]``.
        TypeError
            If a value is not a real number by :func:`hpo.trial.as_value` (bool and str are
            refused), or with several objectives not a sequence of them
            (:func:`hpo.trial.as_values`).
        """
        start = time.perf_counter()
        single = isinstance(params, Mapping)
        batch = [params] if single else list(params)
        values = [value] if single else list(value)
        if len(batch) != len(values):
            raise ValueError(f"got {len(batch)} configurations but {len(values)} values")
        if not batch:
            return []
        # Validate everything before recording anything, so a bad batch changes nothing.
        canonical = [self._validate(p) for p in batch]
        waiting = self._match_pending(canonical)
        m = self.n_objectives
        outcomes = [(None, error) if error is not None else outcome(v, m) for v in values]
        told = [self._record(p, v, e, waiting) for p, (v, e) in zip(canonical, outcomes)]
        self._observe(told)
        elapsed = (time.perf_counter() - start) / len(told)
        for trial in told:
            trial.tell_time = elapsed
        return told[0] if single else told

    def _match_pending(self, configs: list[Params]) -> dict[tuple, list[Trial]]:
        """The pending trials each told configuration completes, oldest first, by key.

        Refuses a configuration already told (or told twice in one batch) unless as many
        asked copies of it are pending (a peer may ask one configuration twice)."""
        counts: dict[tuple, int] = {}
        for params in configs:
            key = self._key(params)
            counts[key] = counts.get(key, 0) + 1
        waiting: dict[tuple, list[Trial]] = {}
        for trial in self._pending.values():
            key = self._key(trial.params)
            if key in counts:
                waiting.setdefault(key, []).append(trial)
        for params in configs:
            key = self._key(params)
            asked = len(waiting.get(key, ()))
            if (key in self._keys and not asked) or counts[key] > max(asked, 1):
                raise ValueError(
                    f"configuration {params!r} was already told; each configuration is told "
                    "once (tell a repeated evaluation as a new configuration)"
                )
        return waiting

    def _record(
        self,
        params: Params,
        value: float | None,
        error: str | None,
        waiting: dict[tuple, list[Trial]],
    ) -> Trial:
        key = self._key(params)
        trial = waiting[key].pop(0) if waiting.get(key) else None
        if trial is None:  # a warm start: told without being asked
            trial = Trial(number=len(self._trials), params=params)
            self._trials.append(trial)
            self._keys.add(key)
        else:
            del self._pending[trial.number]
        trial.value = value
        trial.error = error
        trial.status = TrialStatus.FAILED if value is None else TrialStatus.COMPLETE
        if value is not None and self.n_objectives == 1 and self._improves_best(trial):
            self._best = trial
        return trial

    # -- persistence --------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the optimizer's whole state (history, pending trials, models, random
        generator) to ``path`` with :mod:`pickle`, atomically.

        A run stopped after ``k`` trials and resumed with :meth:`load` proposes exactly what the
        uninterrupted run would have. :meth:`load` reads it back with a restricted unpickler.
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

        The file is read with a restricted unpickler
        (:func:`~hpo.optimizers.persistence.restricted_load`) that admits only hpo's own
        classes, numpy's arrays, scalars and random generators, and a few builtin types (plus
        the libraries a peer adapter declares in ``pickle_trusted``); a file naming anything
        else (``os.system``, say) is refused *before* anything it names is called. This
        makes loading a file from an untrusted source refuse code execution, though a
        crafted file can still hold a misleading optimizer state.

        Raises
        ------
        ValueError
            If the file is not an hpo optimizer file (or names a global the restricted
            unpickler refuses), or holds another optimizer class than the one ``load`` was
            called on.
        """
        with open(path, "rb") as f:
            try:
                payload = restricted_load(f, cls.pickle_trusted)
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
