"""An asynchronous model-based Hyperband, for parallel workers: ASHA's promotions, the GP's
new configurations.

With ``k`` workers the synchronous :class:`~hpo.GPHyperband` makes its decisions at the wrong
moments: a rung's promotions wait for the whole rung, so idle workers open new brackets whose
configurations the GP proposes before the earlier brackets' high-budget results are in.
This class drops the synchronisation, as Klein, Falkner, Mansur & Archambeau 2020 ("Model-based
asynchronous hyperparameter and neural architecture search", arXiv:2003.10865, MOBSTER,
Algorithm 1 with promotion-type scheduling) and asynchronous BOHB do: *promotions* follow
asynchronous successive halving (ASHA; Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt,
Recht & Talwalkar 2020, "A system for massively parallel hyperparameter tuning", MLSys,
Algorithm 2), and *new configurations* come from hpo's GP and log-EI exactly as in
:class:`~hpo.GPHyperband` (fitted on the highest budget with ``min_points`` results, a
fraction ``rho`` drawn at random, every configuration in flight a kriging-believer fantasy;
read that module's docstring). Each time a worker frees (each slot of ``ask(n)``):

    for level L = L_max - 1, ..., 0 (from the highest budget down):
        for each bracket s with a rung k at budget r_L (brackets s = s_max, ..., 0):
            candidates = top floor(|rung k of s| / eta) of that rung, not yet promoted
            if candidates: return the best candidate at budget r_(L+1)    (ASHA, lines 3-8)
    return a new configuration (GP or random) for the next bracket of the schedule

A *bracket* ``s`` is ASHA with early-stopping rate ``s_max - s`` (Li et al. 2020, section
3.2, "asynchronous Hyperband"): its rungs are the top ``s + 1`` budgets of
:meth:`hpo.Fidelity.ladder`, so bracket ``s_max`` starts at the smallest budget and bracket 0
evaluates only at ``R``. With ``brackets="hyperband"`` (default) new configurations go to
the brackets in Hyperband's proportions and order, ``n_s = ceil((s_max + 1) / (s + 1)
eta^s)`` for ``s = s_max .. 0`` (Li et al. 2018, Algorithm 1, line 3), cycled for ever, so
the schedule of budgets is Hyperband's without its waits; ``brackets="asha"`` puts every new
configuration in bracket ``s_max`` (ASHA, as MOBSTER's default). Rung ``k`` holds the results
*told* there (a pending trial is in no rung, so nothing is promoted on a pending result); a
failed trial counts in ``|rung|`` but ranks last and is never promoted; a configuration is
marked promoted the moment it is asked at the next rung, so it is never promoted twice, and
every configuration asked is in a rung once told, so none is lost.

With one worker this is *not* :class:`~hpo.GPHyperband`'s run (promotions come earlier, on
fewer results); GPHyperband stays the synchronous default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity
from hpo.gp import GPConfig
from hpo.optimizers.asha import promotable
from hpo.optimizers.base import Proposal, config_key
from hpo.optimizers.gp_hyperband import GPHyperband
from hpo.optimizers.hyperband import bracket_plan
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = ["AsyncGPHyperband"]

_BRACKETS = ("hyperband", "asha")
_START = ("schedule", "model")


class AsyncGPHyperband(GPHyperband):
    """GP-guided Hyperband with asynchronous promotions (MOBSTER-style), for parallel workers.

    New configurations come from the GP as in :class:`~hpo.GPHyperband` (same ``rho``,
    ``min_points``, ``pending``, ``refit`` and ``gp``); promotions follow ASHA inside each
    bracket, without waiting for a full rung (see the module docstring). :meth:`ask` returns
    a configuration together with its budget under ``fidelity.name``; :meth:`tell` takes that
    dict and the loss at that budget. Each trial's ``info`` holds ``bracket`` (``s_max - s``,
    0 for the bracket that starts at the smallest budget), ``s``, ``rung`` (within the
    bracket), ``budget`` and ``source`` (``"model"``, ``"random"`` or ``"promotion"``). The
    search never ends on an infinite space; on a finite one :class:`~hpo.SearchExhausted`
    says that every configuration has been drawn and no promotion is due. Warm starts (told
    without being asked) are recorded and inform the model, but take no part in promotions.

    :attr:`best` is the best complete trial at the highest budget evaluated so far.

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required): rungs ``fidelity.ladder(eta)``, ``R = fidelity.high``.
    seed : int, numpy.random.Generator or None
    eta : int or float, default 3
        Promote the top ``1 / eta`` of a rung; budgets grow by ``eta``.
    brackets : {"hyperband", "asha"}, default "hyperband"
        Where new configurations start: in Hyperband's brackets and proportions, or all at
        the smallest budget (one ASHA bracket).
    rho, min_points, pending, refit, gp, seen
        As in :class:`~hpo.GPHyperband`.
    start : {"model", "schedule"}, default "model"
        Where a new configuration starts. ``"schedule"``: every one in the next bracket of
        the schedule (``brackets``). ``"model"``: a proposal of the GP fitted at budget
        ``b`` starts in the bracket whose first rung is ``b`` (at the full budget once the
        model is fitted there, as BO would evaluate it), random draws follow the schedule.
        With ``"schedule"`` most model proposals start at the smallest budget and must climb
        every rung; evidence for ``"model"`` (the default since 2026-12-01) in
        ``benchmarks/results/multifidelity/async/README.md``.

    Notes
    -----
    Made for several workers (:func:`hpo.minimize` with ``n_workers``, or
    :func:`hpo.simulate.run`). With 8 simulated workers, 10 seeds, it reached the 1-worker
    GPHyperband's final loss in a median 0.16 (Augmented Hartmann, 6 of 10 seeds within
    0.2), 0.063 (digits MLP), 0.072 (CNN) and 0.22 (Augmented Branin) of the 1-worker time
    (with ``start="schedule"``: never on Hartmann for 8 of 10 seeds, 0.055, 0.10 and 0.19).
    With one worker it reached random search's median final loss at 0.31 (MLP), 0.32 (CNN)
    and 0.20 (Hartmann) of random search's cost, where the synchronous
    :class:`~hpo.GPHyperband` needs 0.49 on the MLP. Evidence in
    ``benchmarks/results/multifidelity/async/README.md``.

    Examples
    --------
    >>> from hpo import Fidelity, Real, Space
    >>> opt = AsyncGPHyperband(Space({"x": Real(0.0, 1.0)}), fidelity=Fidelity("epochs", 1, 9),
    ...                        seed=0, brackets="asha")
    >>> batch = opt.ask(3)
    >>> _ = opt.tell(batch, [p["x"] for p in batch])
    >>> opt.ask()["epochs"]  # the best of three goes on to 3 epochs at once
    3
    """

    name = "async-gp-hyperband"
    start_rule = "schedule"  # class default for optimizers saved before the option

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int | float = 3,
        brackets: str = "hyperband",
        rho: float = 1 / 3,
        min_points: int | None = None,
        pending: str = "believer",
        refit: str = "always",
        gp: GPConfig | Mapping[str, Any] | None = None,
        seen: str = "drop",
        start: str = "model",
    ) -> None:
        super().__init__(
            space,
            fidelity=fidelity,
            seed=seed,
            eta=eta,
            rho=rho,
            min_points=min_points,
            pending=pending,
            refit=refit,
            gp=gp,
            seen=seen,
        )
        if brackets not in _BRACKETS:
            raise ValueError(f"brackets must be one of {_BRACKETS}, got {brackets!r}")
        self.bracket_rule = brackets
        if start not in _START:
            raise ValueError(f"start must be one of {_START}, got {start!r}")
        self.start_rule = start
        #: The brackets s new configurations go to, one loop (cycled): s_max n_{s_max}
        #: times, then s_max - 1, ..., 0 (Hyperband's order and proportions), or s_max only.
        if brackets == "hyperband":
            self.schedule = [
                s
                for s in range(self.s_max, -1, -1)
                for _ in range(bracket_plan(s, self.s_max, self.eta))
            ]
        else:
            self.schedule = [self.s_max]
        self._n_new = 0  # new configurations started so far (position in the schedule)
        #: Per bracket s, per rung k, the results told there: (configuration, value or None).
        self.rungs: dict[int, list[list[tuple[Params, float | None]]]] = {
            s: [[] for _ in range(s + 1)]
            for s in (range(self.s_max + 1) if start == "model" else set(self.schedule))
        }
        #: Per bracket s, per rung k, keys of the configurations promoted from it.
        self.promoted: dict[int, list[set[tuple]]] = {
            s: [set() for _ in range(s + 1)] for s in self.rungs
        }

    def _level(self, s: int, k: int) -> int:
        """Index in ``self.budgets`` of rung ``k`` of bracket ``s``."""
        return self.s_max - s + k

    def _promotion(self) -> tuple[Params, int, int] | None:
        """``(configuration, bracket s, rung k)`` to promote from, or ``None``: the highest
        budget first, then the brackets from ``s_max`` down (ASHA, Algorithm 2, lines 3-8)."""
        for level in range(self.s_max - 1, -1, -1):
            for s in sorted(self.rungs, reverse=True):
                k = level - (self.s_max - s)
                if not 0 <= k < s:  # no rung at this budget, or the bracket's top rung
                    continue
                params = promotable(self.rungs[s][k], self.promoted[s][k], self.eta)
                if params is not None:
                    return params, s, k
        return None

    def _job(self, params: Params, s: int, rung: int, info: dict[str, Any]) -> Proposal:
        self._seen.add(config_key(params))
        budget = self.budgets[self._level(s, rung)]
        info = {"bracket": self.s_max - s, "s": s, "rung": rung, "budget": budget, **info}
        return Proposal({**params, self.fidelity.name: budget}, info)

    def _propose(self, n: int) -> list[Params | Proposal]:
        out: list[Params | Proposal] = []
        n_new = 0
        for _ in range(n):  # promotions first; the rest of the slots are new configurations
            promotion = self._promotion()
            if promotion is None:
                n_new = n - len(out)
                break
            params, s, k = promotion
            self.promoted[s][k].add(config_key(params))
            out.append(self._job(params, s, k + 1, {"source": "promotion"}))
        if n_new:
            self._chosen = []  # the model fantasizes these as they are chosen (GPHyperband)
            try:
                new = self._sample(n_new, None)
            finally:
                self._chosen = []
            for params, info in new:
                fitted_on = info.get("model_budget")  # None for a random draw
                if self.start_rule == "model" and fitted_on in self.budgets:
                    # the bracket whose first rung is the budget the GP was fitted on (a
                    # warm start's budget off the ladder: the schedule's)
                    s = self.s_max - self.budgets.index(fitted_on)
                else:
                    s = self.schedule[self._n_new % len(self.schedule)]
                    self._n_new += 1
                out.append(self._job(params, s, 0, info))
        return out

    def _observe(self, trials: list[Trial]) -> None:
        for trial in trials:
            params = self._without_budget(trial.params)
            self._seen.add(config_key(params))
            if "s" in trial.info:  # asked by this search (warm starts stay out)
                self.rungs[trial.info["s"]][trial.info["rung"]].append((params, trial.value))
