"""Optuna's pruners as multi-fidelity peers behind hpo's ask/tell contract.

================  ==========================================================================
name              what runs
================  ==========================================================================
optuna-hyperband  ``TPESampler(seed=...)`` with ``HyperbandPruner(min_resource=1,
                  max_resource=eta**K, reduction_factor=eta)``
optuna-sh         ``TPESampler(seed=...)`` with ``SuccessiveHalvingPruner(min_resource=1,
                  reduction_factor=eta)`` (asynchronous successive halving)
================  ==========================================================================

An Optuna pruner works inside one trial: the objective reports an intermediate value at each
step and asks ``should_prune()``. hpo's multi-fidelity contract has no long-running trial, so
the adapter cuts an Optuna trial into hpo trials, one per rung of ``fidelity.ladder(eta)``
(``r_0 < ... < r_K = fidelity.high``):

    ask():
        an Optuna trial waiting to continue (oldest first) -> its params at its next rung
        otherwise study.ask() -> a new configuration at its first rung
    tell(params at rung k, loss):
        trial.report(loss, step=eta**k); trial.should_prune()
        pruned            -> study.tell(trial, state=PRUNED)
        else if k == K    -> study.tell(trial, loss)           (COMPLETE)
        else              -> wait to be asked at rung k + 1    (a promotion, in hpo's terms)
        failed (NaN, inf, an exception) -> study.tell(trial, state=FAIL)

The step reported at rung ``k`` is ``eta**k``, the resource in units of the lowest rung, so
that Optuna's rungs fall exactly on hpo's: its ``SuccessiveHalvingPruner`` decides at steps
``min_resource * eta**(s + rung)`` (``optuna/pruners/_successive_halving.py``, ``prune``) and
``HyperbandPruner`` runs one such pruner per bracket ``s = 0 .. K``, each with early-stopping
rate ``s`` (Li et al. 2018, "Hyperband", JMLR 18, Algorithm 1 with the brackets of ASHA,
Li et al. 2020). With a ladder starting at 1 (``Fidelity("epochs", 1, 27)``) the step is the
budget itself. Reporting only at the rungs gives the pruner the decisions it would take with a
report at every epoch: it only compares values at the first step at or past a rung.

A trial in Hyperband bracket ``s`` cannot be pruned before step ``eta**s``, so the adapter
starts it at rung ``s`` (that is, its first report is the first one the pruner looks at);
Optuna places trials into brackets by a hash of the study name and the trial number, so the
study is always named ``"hpo"`` and the same seed gives the same trajectory. With learning-curve
problems that keep checkpoints, continuing a trial costs only the increment of its budget.

Each trial's ``info`` holds ``bracket`` (Optuna's Hyperband bracket; 0 for successive
halving), ``rung``, ``budget``, ``source`` (``"tpe"`` for a new configuration, ``"promotion"``
for a continuation) and ``optuna_trial`` (the Optuna trial number). Told without being asked
(a warm start), a result at the full budget enters the study as a complete trial, one at a
lower rung as a pruned trial with that intermediate value, a failed one as a failed trial;
other budgets are recorded but not given to Optuna. A new configuration that TPE draws again
(possible on small discrete spaces) is told to Optuna as failed and redrawn. ``prune=False``
swaps in Optuna's ``NopPruner``: every configuration then runs through every rung. Optuna is
optional (``pip install -e ".[peers]"``) and imported only when an adapter is built; the
adapters cannot be saved (in-memory Optuna studies), like those of :mod:`hpo.peers`.
"""

from __future__ import annotations

import logging
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.peers import _Peer, optuna_distributions
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = ["PEERS", "OptunaHyperband", "OptunaSuccessiveHalving"]

#: The Optuna study's name: Hyperband's bracket of a trial is a hash of it (see above).
STUDY_NAME = "hpo"
_MAX_REDRAWS = 100


class _OptunaPruned(_Peer):
    """TPE with an Optuna pruner, one Optuna trial cut into one hpo trial per rung."""

    multi_fidelity = True

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int = 3,
        prune: bool = True,
    ) -> None:
        if not isinstance(eta, numbers.Integral) or isinstance(eta, bool) or eta < 2:
            raise ValueError(f"eta must be an integer >= 2 (Optuna's), got {eta!r}")
        super().__init__(space, seed=seed, fidelity=fidelity)
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        logging.getLogger("optuna").setLevel(logging.WARNING)
        self.eta = int(eta)
        #: Budgets of the rungs, from about ``fidelity.low`` to ``fidelity.high``.
        self.budgets = self.fidelity.ladder(self.eta)
        #: The step reported to Optuna at each rung: ``eta**k``.
        self.steps = [self.eta**k for k in range(len(self.budgets))]
        self._dists = optuna_distributions(self.space)
        pruner = self._make_pruner(optuna) if prune else optuna.pruners.NopPruner()
        sampler = optuna.samplers.TPESampler(seed=self._library_seed)
        self._study = optuna.create_study(study_name=STUDY_NAME, sampler=sampler, pruner=pruner)
        self._running: dict[int, tuple[Any, Params, int]] = {}  # number -> trial, params, bracket
        self._waiting: list[tuple[int, int]] = []  # (Optuna trial number, next rung), FIFO
        self._seen: set[tuple] = set()  # configurations (without budget) asked or told

    def _make_pruner(self, optuna: Any) -> Any:
        raise NotImplementedError

    def _bracket(self, trial: Any) -> int:
        """The Hyperband bracket ``s`` of an Optuna trial (0 for other pruners)."""
        return 0

    # -- ask ----------------------------------------------------------------------------
    def _proposal(self, number: int, rung: int, source: str) -> Proposal:
        _, params, bracket = self._running[number]
        budget = self.budgets[rung]
        info = {
            "bracket": bracket,
            "rung": rung,
            "budget": budget,
            "source": source,
            "optuna_trial": number,
        }
        return Proposal({**params, self.fidelity.name: budget}, info)

    def _new_trial(self) -> int | None:
        """Number of a new Optuna trial with an unseen configuration (``None``: none found)."""
        import optuna

        for _ in range(_MAX_REDRAWS):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                trial = self._study.ask(self._dists)
            params = self._from_native([trial.params[k] for k in self.space.names])
            if config_key(params) in self._seen:  # drawn before: let TPE move on
                self._study.tell(trial, state=optuna.trial.TrialState.FAIL)
                continue
            self._seen.add(config_key(params))
            self._running[trial.number] = (trial, params, self._bracket(trial))
            return trial.number
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
            out.append(self._proposal(number, self._running[number][2], "tpe"))
        return out

    # -- tell ---------------------------------------------------------------------------
    def _observe(self, trials: list[Trial]) -> None:
        import optuna

        state = optuna.trial.TrialState
        for t in trials:
            number = t.info.get("optuna_trial")
            if number is None or number not in self._running:
                self._warm_start(t)
                continue
            trial = self._running[number][0]
            rung = t.info["rung"]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if not t.ok:
                    del self._running[number]
                    self._study.tell(trial, state=state.FAIL)
                    continue
                trial.report(t.value, step=self.steps[rung])
                if trial.should_prune():
                    del self._running[number]
                    self._study.tell(trial, state=state.PRUNED)
                elif rung == len(self.budgets) - 1:
                    del self._running[number]
                    self._study.tell(trial, t.value)
                else:
                    self._waiting.append((number, rung + 1))

    def _warm_start(self, t: Trial) -> None:
        """Give a result told without being asked to the study, where its budget allows."""
        import optuna

        state = optuna.trial.TrialState
        budget = t.params[self.fidelity.name]
        params = {k: v for k, v in t.params.items() if k != self.fidelity.name}
        self._seen.add(config_key(params))
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

    def save(self, path: Any) -> None:
        raise NotImplementedError(f"{self.name}: Optuna studies in memory cannot be saved")


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

    def _bracket(self, trial: Any) -> int:
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


#: The multi-fidelity peers by name, for :func:`hpo.optimizers.make_optimizer`.
PEERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (OptunaHyperband, OptunaSuccessiveHalving)
}
