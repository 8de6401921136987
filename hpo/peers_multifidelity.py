"""Peers that stop trials early (Optuna's pruners, Syne Tune's ASHA and BOHB) behind hpo's
multi-fidelity ask/tell contract, for comparison studies.

================  ==========================================================================
name              what runs
================  ==========================================================================
optuna-hyperband  Optuna's ``TPESampler(seed=...)`` with ``HyperbandPruner(min_resource=1,
                  max_resource=eta**K, reduction_factor=eta)``
optuna-sh         Optuna's ``TPESampler(seed=...)`` with ``SuccessiveHalvingPruner(
                  min_resource=1, reduction_factor=eta)`` (asynchronous successive halving)
synetune-asha     Syne Tune's ``ASHA`` baseline (stopping variant, random search,
                  ``grace_period=1, max_t=eta**K, reduction_factor=eta``, one bracket)
synetune-bohb     Syne Tune's ``BOHB`` baseline (the same ASHA with its KDE searcher,
                  Falkner et al. 2018, fitted on the last value of each trial)
================  ==========================================================================

A pruner (or a stopping scheduler) works inside one trial: the objective reports an
intermediate value at each step and asks whether to stop. hpo's multi-fidelity contract has no
long-running trial, so an adapter cuts each library trial into hpo trials, one per rung of
``fidelity.ladder(eta)`` (``r_0 < ... < r_K = fidelity.high``); for Optuna:

    ask():
        a library trial waiting to continue (oldest first) -> its params at its next rung
        otherwise study.ask() -> a new configuration at its first rung
    tell(params at rung k, loss):
        trial.report(loss, step=eta**k); trial.should_prune()
        pruned            -> study.tell(trial, state=PRUNED)
        else if k == K    -> study.tell(trial, loss)           (COMPLETE)
        else              -> wait to be asked at rung k + 1    (a promotion, in hpo's terms)
        failed (NaN, inf, an exception) -> study.tell(trial, state=FAIL)

and for Syne Tune ``suggest``/``on_trial_add``, ``on_trial_result`` (STOP or CONTINUE),
``on_trial_complete`` at the top rung and ``on_trial_error``, as its ``Tuner`` calls them.

The step reported at rung ``k`` is ``eta**k``, the resource in units of the lowest rung, so
that the libraries' rungs fall exactly on hpo's: Optuna's ``SuccessiveHalvingPruner`` decides
at steps ``min_resource * eta**(s + rung)`` (``optuna/pruners/_successive_halving.py``,
``prune``), ``HyperbandPruner`` runs one such pruner per bracket ``s = 0 .. K``, each with
early-stopping rate ``s`` (Li et al. 2018, "Hyperband", JMLR 18, Algorithm 1, with the
brackets of ASHA, Li et al. 2020), and Syne Tune's rungs are ``grace_period * eta**k``
(``syne_tune/optimizer/schedulers/asha.py``, ``Bracket``). With a ladder starting at 1
(``Fidelity("epochs", 1, 27)``) the step is the budget itself. Reporting only at the rungs
gives the libraries the decisions they would take with a report at every epoch: they only
compare the value at the first step at or past a rung.

A trial in Optuna's Hyperband bracket ``s`` cannot be pruned before step ``eta**s``, so the
adapter starts it at rung ``s`` (its first report is the first one the pruner looks at).
Optuna places trials into brackets by a hash of the study name and the trial number, so the
study is always named ``"hpo"`` and the same seed gives the same trajectory; Syne Tune 0.16
draws in places from numpy's global generator, so its scheduler runs on a seeded global state
of its own, swapped in and out around each call. With learning-curve problems that keep
checkpoints, continuing a trial costs only the increment of its budget.

Each trial's ``info`` holds ``bracket`` (Optuna's Hyperband bracket, else 0), ``rung``,
``budget``, ``source`` (``"new"`` for a new configuration, ``"promotion"`` for a
continuation) and ``peer_trial`` (the library's trial number). Told without being asked (a
warm start), a result at the full budget enters an Optuna study as a complete trial, one at a
lower rung as a pruned trial with that intermediate value, a failed one as a failed trial;
other budgets, and every warm start of the Syne Tune adapters, are recorded but not given to
the library. A new configuration drawn again (possible on small discrete spaces) is told to the
library as failed and redrawn. ``prune=False`` swaps in Optuna's ``NopPruner``: every
configuration then runs through every rung. The libraries are optional (Optuna: ``pip install
-e ".[peers]"``; ``pip install syne-tune``) and imported only when an adapter is built; the
adapters cannot be saved, like the Optuna adapters of :mod:`hpo.peers`.
"""

from __future__ import annotations

import contextlib
import logging
import numbers
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from hpo._seed import SeedLike, spawn_seed
from hpo.fidelity import Fidelity
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.peers import _Peer, optuna_distributions
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = [
    "PEERS",
    "OptunaHyperband",
    "OptunaSuccessiveHalving",
    "SyneTuneASHA",
    "SyneTuneBOHB",
]

#: The Optuna study's name: Hyperband's bracket of a trial is a hash of it (see above).
STUDY_NAME = "hpo"
_MAX_REDRAWS = 100


class _RungPeer(_Peer):
    """A library that stops trials (Optuna's pruners, Syne Tune's schedulers), with each of
    its trials cut into one hpo trial per rung (see the module docstring).

    A subclass builds the library's objects in its constructor and implements ``_start`` (a
    new library trial and its configuration), ``_report`` (a value at a rung: whether the
    library stops the trial there), ``_finish`` (the trial completes, or fails with ``None``),
    and optionally ``_first_rung`` and ``_warm_start``.
    """

    multi_fidelity = True

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int = 3,
    ) -> None:
        if not isinstance(eta, numbers.Integral) or isinstance(eta, bool) or eta < 2:
            raise ValueError(f"eta must be an integer >= 2, got {eta!r}")
        super().__init__(space, seed=seed, fidelity=fidelity)
        self.eta = int(eta)
        #: Budgets of the rungs, from about ``fidelity.low`` to ``fidelity.high``.
        self.budgets = self.fidelity.ladder(self.eta)
        #: The step reported to the library at each rung: ``eta**k``.
        self.steps = [self.eta**k for k in range(len(self.budgets))]
        self._running: dict[int, tuple[Any, Params, int]] = {}  # id -> handle, params, first rung
        self._waiting: list[tuple[int, int]] = []  # (library trial id, next rung), FIFO
        self._seen: set[tuple] = set()  # configurations (without budget) asked or told

    # -- the library's part -------------------------------------------------------------
    def _start(self) -> tuple[int, Any, list[Any]] | None:
        """A new library trial: its id, handle and native configuration (``None``: none)."""
        raise NotImplementedError

    def _first_rung(self, handle: Any) -> int:
        """The first rung at which the library can stop this trial."""
        return 0

    def _report(self, handle: Any, value: float, rung: int) -> bool:
        """Report ``value`` at ``rung``; whether the library stops the trial there."""
        raise NotImplementedError

    def _finish(self, handle: Any, value: float | None, rung: int) -> None:
        """End the trial: complete with ``value`` at the top rung, or failed (``None``)."""
        raise NotImplementedError

    def _discard(self, handle: Any) -> None:
        """Drop a new trial whose configuration was drawn before."""
        self._finish(handle, None, 0)

    def _warm_start(self, trial: Trial) -> None:
        """Give a result told without being asked to the library, if it can take one."""

    # -- ask ----------------------------------------------------------------------------
    def _proposal(self, number: int, rung: int, source: str) -> Proposal:
        _, params, bracket = self._running[number]
        budget = self.budgets[rung]
        info = {
            "bracket": bracket,
            "rung": rung,
            "budget": budget,
            "source": source,
            "peer_trial": number,
        }
        return Proposal({**params, self.fidelity.name: budget}, info)

    def _new_trial(self) -> int | None:
        """Id of a new library trial with an unseen configuration (``None``: none found)."""
        for _ in range(_MAX_REDRAWS):
            started = self._start()
            if started is None:
                return None
            number, handle, row = started
            params = self._from_native(row)
            if config_key(params) in self._seen:  # drawn before: let the library move on
                self._discard(handle)
                continue
            self._seen.add(config_key(params))
            self._running[number] = (handle, params, self._first_rung(handle))
            return number
        return None

    def _propose(self, n: int) -> list[Params | Proposal]:
        out: list[Params | Proposal] = []
        while len(out) < n:
            if self._waiting:  # continuations first
                number, rung = self._waiting.pop(0)
                out.append(self._proposal(number, rung, "promotion"))
                continue
            number = self._new_trial()
            if number is None:
                break
            out.append(self._proposal(number, self._running[number][2], "new"))
        return out

    # -- tell ---------------------------------------------------------------------------
    def _observe(self, trials: list[Trial]) -> None:
        for t in trials:
            number = t.info.get("peer_trial")
            if number is None or number not in self._running:
                params = {k: v for k, v in t.params.items() if k != self.fidelity.name}
                self._seen.add(config_key(params))
                self._warm_start(t)
                continue
            handle, rung = self._running[number][0], t.info["rung"]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if not t.ok:
                    del self._running[number]
                    self._finish(handle, None, rung)
                elif self._report(handle, t.value, rung):
                    del self._running[number]
                elif rung == len(self.budgets) - 1:
                    del self._running[number]
                    self._finish(handle, t.value, rung)
                else:
                    self._waiting.append((number, rung + 1))

    def save(self, path: Any) -> None:
        raise NotImplementedError(f"{self.name}: the library's objects cannot be saved")


class _OptunaPruned(_RungPeer):
    """Optuna's TPE with a pruner (see the module docstring)."""

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int = 3,
        prune: bool = True,
    ) -> None:
        super().__init__(space, fidelity=fidelity, seed=seed, eta=eta)
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        logging.getLogger("optuna").setLevel(logging.WARNING)
        self._dists = optuna_distributions(self.space)
        pruner = self._make_pruner(optuna) if prune else optuna.pruners.NopPruner()
        sampler = optuna.samplers.TPESampler(seed=self._library_seed)
        self._study = optuna.create_study(study_name=STUDY_NAME, sampler=sampler, pruner=pruner)

    def _make_pruner(self, optuna: Any) -> Any:
        raise NotImplementedError

    def _start(self) -> tuple[int, Any, list[Any]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trial = self._study.ask(self._dists)
        return trial.number, trial, [trial.params[k] for k in self.space.names]

    def _report(self, handle: Any, value: float, rung: int) -> bool:
        import optuna

        handle.report(value, step=self.steps[rung])
        if handle.should_prune():
            self._study.tell(handle, state=optuna.trial.TrialState.PRUNED)
            return True
        return False

    def _finish(self, handle: Any, value: float | None, rung: int) -> None:
        import optuna

        if value is None:
            self._study.tell(handle, state=optuna.trial.TrialState.FAIL)
        else:
            self._study.tell(handle, value)

    def _warm_start(self, t: Trial) -> None:
        import optuna

        state = optuna.trial.TrialState
        budget = t.params[self.fidelity.name]
        params = {k: v for k, v in t.params.items() if k != self.fidelity.name}
        native = dict(zip(self.space.names, self._to_native(params)))
        kwargs: dict[str, Any] = {"params": native, "distributions": self._dists}
        if not t.ok:
            kwargs["state"] = state.FAIL
        elif budget == self.fidelity.high:
            kwargs.update(state=state.COMPLETE, value=t.value)
        elif budget in self.budgets:
            step = self.steps[self.budgets.index(budget)]
            kwargs.update(state=state.PRUNED, intermediate_values={step: t.value})
        else:
            return
        self._study.add_trial(optuna.trial.create_trial(**kwargs))


class OptunaHyperband(_OptunaPruned):
    """Optuna's TPE with its ``HyperbandPruner`` (see the module docstring).

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required): rungs ``fidelity.ladder(eta)``.
    seed : int, numpy.random.Generator or None
    eta : int, default 3
        Optuna's ``reduction_factor``.
    prune : bool, default True
        ``False`` replaces the pruner by Optuna's ``NopPruner`` (TPE at every rung).

    Examples
    --------
    >>> from hpo import Fidelity, Real, Space
    >>> opt = OptunaHyperband(Space({"x": Real(0.0, 1.0)}), fidelity=Fidelity("epochs", 1, 9),
    ...                       seed=0)
    >>> sorted(opt.ask())
    ['epochs', 'x']
    """

    name = "optuna-hyperband"

    def _make_pruner(self, optuna: Any) -> Any:
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=self.steps[-1], reduction_factor=self.eta
        )

    def _first_rung(self, trial: Any) -> int:
        # Optuna 5.0 internals (optuna/pruners/_hyperband.py): the bracket is fixed by
        # crc32(f"{study_name}_{number}"), its pruner first decides at step eta**bracket.
        import optuna

        pruner = self._study.pruner
        if not isinstance(pruner, optuna.pruners.HyperbandPruner):  # prune=False
            return 0
        try:
            if not pruner._pruners:
                pruner._try_initialization(self._study)
            return int(pruner._get_bracket_id(self._study, trial))
        except AttributeError:  # another Optuna: start at rung 0, which is always correct
            return 0


class OptunaSuccessiveHalving(_OptunaPruned):
    """Optuna's TPE with its (asynchronous) ``SuccessiveHalvingPruner``.

    Parameters as :class:`OptunaHyperband`; see the module docstring.
    """

    name = "optuna-sh"

    def _make_pruner(self, optuna: Any) -> Any:
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=self.eta)


class _SyneTuneStopping(_RungPeer):
    """A Syne Tune scheduler that stops trials (its ``ASHA`` and ``BOHB`` baselines), driven
    as its ``Tuner`` drives it: ``suggest``, ``on_trial_add``, ``on_trial_result`` (stop or
    continue), ``on_trial_complete`` and ``on_trial_error``."""

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int = 3,
    ) -> None:
        super().__init__(space, fidelity=fidelity, seed=seed, eta=eta)
        from syne_tune import config_space as cs

        logging.getLogger("syne_tune").setLevel(logging.ERROR)

        native: dict[str, Any] = {}
        for name, p in self.space.items():
            if p.kind == "real":
                native[name] = cs.uniform(0.0, 1.0)
            elif p.kind == "integer":
                native[name] = (cs.lograndint if p.log else cs.randint)(p.low, p.high)
            else:
                native[name] = cs.choice(list(range(p.n_values)))
        kwargs = {
            "metric": "loss",
            "time_attr": "step",
            "max_t": self.steps[-1],
            "grace_period": 1,
            "reduction_factor": self.eta,
            "random_seed": self._library_seed % 2**31,
            "do_minimize": True,
        }
        self._global_state = np.random.RandomState(spawn_seed(self.rng)).get_state()
        with self._numpy_global_state():
            self._scheduler = self._make_scheduler(native, kwargs)
        self._next_id = 0

    def _make_scheduler(self, config_space: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        raise NotImplementedError

    @contextlib.contextmanager
    def _numpy_global_state(self) -> Iterator[None]:
        """Run the scheduler on a global numpy state of its own, seeded, then put back the
        caller's: Syne Tune 0.16 draws from ``numpy.random``'s global generator in places
        (``RandomSearcher.suggest`` samples without its seeded ``random_state``, and
        ``on_trial_add`` picks a bracket), which would make runs irreproducible."""

        caller = np.random.get_state()  # noqa: NPY002 (the library's global draws)
        np.random.set_state(self._global_state)  # noqa: NPY002
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas and statsmodels, inside the KDE
                yield
        finally:
            self._global_state = np.random.get_state()  # noqa: NPY002
            np.random.set_state(caller)  # noqa: NPY002

    def _start(self) -> tuple[int, Any, list[Any]] | None:
        import datetime

        from syne_tune.backend.trial_status import Trial as SyneTrial

        with self._numpy_global_state():
            suggestion = self._scheduler.suggest()
            if suggestion is None or suggestion.config is None:
                return None
            trial = SyneTrial(self._next_id, suggestion.config, datetime.datetime.now())
            self._next_id += 1
            self._scheduler.on_trial_add(trial)
        return trial.trial_id, trial, [suggestion.config[k] for k in self.space.names]

    def _report(self, handle: Any, value: float, rung: int) -> bool:
        from syne_tune.optimizer.scheduler import SchedulerDecision

        with self._numpy_global_state():
            decision = self._scheduler.on_trial_result(
                handle, {"loss": value, "step": self.steps[rung]}
            )
        # at the top rung the scheduler says STOP because the trial is done (max_t)
        return decision == SchedulerDecision.STOP and rung < len(self.budgets) - 1

    def _finish(self, handle: Any, value: float | None, rung: int) -> None:
        with self._numpy_global_state():
            if value is None:
                self._scheduler.on_trial_error(handle)
            else:
                result = {"loss": value, "step": self.steps[rung]}
                self._scheduler.on_trial_complete(handle, result)


class SyneTuneASHA(_SyneTuneStopping):
    """Syne Tune's ``ASHA`` baseline (asynchronous successive halving, stopping variant,
    random search), with ``grace_period=1``, ``max_t=eta**K``, ``reduction_factor=eta``.

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required): rungs ``fidelity.ladder(eta)``.
    seed : int, numpy.random.Generator or None
    eta : int, default 3
    """

    name = "synetune-asha"

    def _make_scheduler(self, config_space: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        from syne_tune.optimizer.baselines import ASHA

        return ASHA(config_space, **kwargs)


class SyneTuneBOHB(_SyneTuneStopping):
    """Syne Tune's ``BOHB`` baseline (its ASHA with the KDE searcher of Falkner et al. 2018,
    fitted on the last value of each trial), with its defaults otherwise.

    Parameters as :class:`SyneTuneASHA`.
    """

    name = "synetune-bohb"

    def _make_scheduler(self, config_space: dict[str, Any], kwargs: dict[str, Any]) -> Any:
        from syne_tune.optimizer.baselines import BOHB

        return BOHB(config_space, **kwargs)


#: The multi-fidelity peers by name, for :func:`hpo.optimizers.make_optimizer`.
PEERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (OptunaHyperband, OptunaSuccessiveHalving, SyneTuneASHA, SyneTuneBOHB)
}
