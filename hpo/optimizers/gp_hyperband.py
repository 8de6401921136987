"""A model-based Hyperband: new configurations from hpo's GP instead of uniform draws.

The idea of BOHB (Falkner, Klein & Hutter 2018, "BOHB: robust and efficient hyperparameter
optimization at scale", ICML, section 4 and Algorithm 2), with hpo's Gaussian process and
log expected improvement (:class:`~hpo.BayesianOptimization`) in place of BOHB's kernel
density estimators. Hyperband's brackets, budgets and promotions are unchanged
(:mod:`hpo.optimizers.hyperband`); only where the first rung's configurations come from
differs:

- with probability ``rho`` a configuration is drawn uniformly at random (BOHB keeps
  ``rho = 1/3`` random, so the search stays global whatever the model believes);
- otherwise it is proposed by a GP fitted on the results at the *highest* budget with at
  least ``min_points`` told results (default ``d + 2``, BOHB's ``N_min = d + 1`` plus one),
  since the highest budget is the closest to the target one (BOHB, eq. 3 and the rule
  below it);
- while no budget has that many, every configuration is random (Hyperband).

The GP and the acquisition maximizer are those of :class:`~hpo.BayesianOptimization`: a
fresh instance, seeded from this optimizer's generator, is told the results at the chosen
budget (failed ones as failures) and asked for the batch.

Parallel workers. Configurations under evaluation carry no result yet, and a GP fitted on
the same data proposes the same maximizer of the acquisition again and again: with ``k``
workers asking one after the other, ``k`` near-copies of one point. So every configuration
that is *pending* (asked, not told, at any budget: in another worker, or chosen earlier in
the same ``ask(n)``) and has no result at the model budget is a fantasy of the proposing
model, by the kriging believer of :class:`~hpo.BayesianOptimization` (its posterior mean,
hyperparameters frozen; Ginsbourger, Le Riche & Carraro 2010, "Kriging is well-suited to
parallelize optimization"): the acquisition drops around it, and the proposals spread out,
as ``BayesianOptimization.ask(n)`` spreads its batch. BOHB's parallel scheme (Falkner et
al. 2018, the section on parallelization) likewise starts the next successive-halving run
when the current one has nothing to give an idle worker, as :class:`~hpo.Hyperband` here
does; but its KDE sampler draws at random, whereas a GP's argmax is deterministic, hence
the fantasies (the asynchronous model-based Hyperband of Klein et al. 2020, MOBSTER, also
conditions on pending evaluations). With one worker nothing is pending when a
configuration is sampled: the proposals are exactly those of the model without fantasies.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.exceptions import SearchExhausted
from hpo.fidelity import Fidelity
from hpo.gp import GaussianProcess, GPConfig
from hpo.optimizers.base import Proposal, config_key
from hpo.optimizers.bayes import BayesianOptimization
from hpo.optimizers.hyperband import Hyperband
from hpo.optimizers.successive_halving import Bracket
from hpo.space import Params, Space
from hpo.trial import Trial, TrialStatus

__all__ = ["GPHyperband"]

_PENDING = ("believer", "ignore")
_REFIT = ("always", "new-data")
_SEEN = ("drop", "exclude", "believer", "worst")


class GPHyperband(Hyperband):
    """Hyperband whose new configurations come from a GP and log-EI (BOHB's idea).

    See the module docstring for the rule. :meth:`ask` returns a configuration together
    with its budget under ``fidelity.name``; :meth:`tell` takes that dict and the loss at
    that budget. Each trial's ``info`` holds ``bracket``, ``s``, ``rung``, ``budget`` and
    ``source`` (``"model"``, ``"random"`` or ``"promotion"``), and for model proposals
    ``model_budget`` (the budget whose results the GP was fitted on) and
    ``n_observations``.

    :attr:`best` is the best complete trial at the highest budget evaluated so far.

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required): ``R = fidelity.high``, budgets from ``fidelity.low``.
    seed : int, numpy.random.Generator or None
    eta : int or float, default 3
        Reduction factor of Hyperband.
    rho : float, default 1/3
        Fraction of new configurations drawn at random, in ``[0, 1]``.
    min_points : int, optional
        Told results a budget needs before its GP is used; default ``d + 2``.
    pending : {"believer", "ignore"}, default "believer"
        What the model believes of configurations in flight (see the module notes on
        parallel workers): the kriging believer's fantasy, or nothing (the proposals of
        one model then cluster on one point). With one worker both give the same run.
    refit : {"always", "new-data"}, default "always"
        ``"always"``: a GP fitted afresh (MAP hyperparameters, restarts from the prior) for
        every proposal. ``"new-data"``: one GP per model budget, kept between proposals:
        used as it is while that budget has no new result, otherwise refitted from its last
        hyperparameters (a warm start; with ``GPConfig(fit_restarts="adaptive")`` the
        restarts are skipped when it stays put). A cheaper model step, not the default:
        evidence in ``benchmarks/results/multifidelity/gphb/README.md``.
    gp : GPConfig or dict, optional
        The GP and acquisition search of the model (as in
        :class:`~hpo.BayesianOptimization`); default ``GPConfig()``.
    seen : {"drop", "exclude", "believer", "worst"}, default "drop"
        What the model is told of configurations run at another budget and stopped there
        (without a result at the model budget, none in flight). ``"drop"``: nothing, and a
        proposal that repeats one is dropped for a random draw (BOHB's rule). ``"exclude"``:
        they are excluded from its proposals (the best unseen one is taken). ``"believer"``:
        kriging-believer fantasies, as the pending ones. ``"worst"``: failures, which
        the model believes returned its worst value (the pessimistic constant liar of
        :class:`~hpo.BayesianOptimization`'s ``on_failure="worst"``). Each keeps the model's
        proposals distinct from every configuration run; none was better than ``"drop"``
        with 8 workers on Augmented Hartmann
        (``benchmarks/results/multifidelity/async/README.md``).

    Notes
    -----
    With several workers, evidence in ``benchmarks/results/multifidelity/gphb/README.md``:
    the fantasies bring the 8-worker runs closer to the 1-worker ones, not level with them.
    """

    name = "gp-hyperband"
    pending_rule = "believer"  # class defaults for optimizers saved before the options
    refit = "always"
    gp_config = None
    seen_rule = "drop"
    # Ablation switch, off: tell the model every configuration already run (at any budget)
    # so that it proposes the best unseen one; otherwise a proposal that repeats one is
    # dropped for a random draw. Not supported as a default by the side-by-side runs in
    # benchmarks/results/multifidelity/gphb (1 worker, 10 seeds: Augmented Branin's median
    # worse, Augmented Hartmann's and iris's unchanged).
    _exclude_seen = False

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int | float = 3,
        rho: float = 1 / 3,
        min_points: int | None = None,
        pending: str = "believer",
        refit: str = "always",
        gp: GPConfig | Mapping[str, Any] | None = None,
        seen: str = "drop",
    ) -> None:
        super().__init__(space, fidelity=fidelity, seed=seed, eta=eta)
        if not (isinstance(rho, (int, float)) and 0.0 <= rho <= 1.0):
            raise ValueError(f"rho must be a number in [0, 1], got {rho!r}")
        if min_points is None:
            min_points = self.space.dim + 2
        if not isinstance(min_points, int) or isinstance(min_points, bool) or min_points < 2:
            raise ValueError(f"min_points must be an integer >= 2, got {min_points!r}")
        if pending not in _PENDING:
            raise ValueError(f"pending must be one of {_PENDING}, got {pending!r}")
        if refit not in _REFIT:
            raise ValueError(f"refit must be one of {_REFIT}, got {refit!r}")
        if seen not in _SEEN:
            raise ValueError(f"seen must be one of {_SEEN}, got {seen!r}")
        if isinstance(gp, Mapping):  # from a study file: the fields of a GPConfig
            gp = GPConfig(**gp)
        if gp is not None and not isinstance(gp, GPConfig):
            raise TypeError(f"gp must be a GPConfig or a mapping of its fields, got {gp!r}")
        self.rho = float(rho)
        self.min_points = min_points
        self.pending_rule = pending
        self.refit = refit
        self.gp_config = gp
        self.seen_rule = seen
        self._fits: dict[Any, tuple[tuple[int, ...], GaussianProcess]] = {}
        self._chosen: list[Params] = []  # new configurations chosen in the current ask

    def _propose(self, n: int) -> list[Params | Proposal]:
        self._chosen = []
        try:
            return super()._propose(n)
        finally:
            self._chosen = []

    def model_budget(self) -> int | float | None:
        """The highest budget with at least ``min_points`` told results (complete or
        failed, at least one complete), or ``None``."""
        name = self.fidelity.name
        counts: dict[Any, list[int]] = {}
        for trial in self._trials:
            if trial.status is not TrialStatus.PENDING:
                n_told, n_ok = counts.setdefault(trial.params[name], [0, 0])
                counts[trial.params[name]] = [n_told + 1, n_ok + trial.ok]
        ready = [b for b, (n_told, n_ok) in counts.items() if n_told >= self.min_points and n_ok]
        return max(ready) if ready else None

    def _sample(self, m: int, bracket: Bracket) -> list[tuple[Params, dict[str, Any]]]:
        # One draw per configuration decides random (probability rho) or model.
        n_model = int((self.rng.random(m) >= self.rho).sum())
        budget = self.model_budget() if n_model else None
        out: list[tuple[Params, dict[str, Any]]] = []
        if budget is not None:
            out = self._from_model(n_model, budget)
        random = self._random_unseen(m - len(out), exclude={config_key(p) for p, _ in out})
        out += [(params, {"source": "random"}) for params in random]
        self._chosen += [params for params, _ in out]
        return out

    def _in_flight(self, budget: int | float) -> list[Params]:
        """Configurations (without budget) being evaluated, or chosen earlier in this ask,
        that have no told result at ``budget``; each once, oldest first."""
        name = self.fidelity.name
        told = {
            config_key(self._without_budget(t.params))
            for t in self._trials
            if t.status is not TrialStatus.PENDING and t.params[name] == budget
        }
        out: dict[tuple, Params] = {}
        for params in [self._without_budget(t.params) for t in self.pending] + self._chosen:
            key = config_key(params)
            if key not in told and key not in out:
                out[key] = params
        return list(out.values())

    def _elsewhere(self, budget: int | float) -> list[Params]:
        """Configurations (without budget) told at some budget but not at ``budget``, and
        not in flight: run at another budget and stopped there; each once, oldest first."""
        name = self.fidelity.name
        told = [t for t in self._trials if t.status is not TrialStatus.PENDING]
        skip = {
            config_key(self._without_budget(t.params)) for t in told if t.params[name] == budget
        }
        skip |= {config_key(p) for p in self._in_flight(budget)}
        out: dict[tuple, Params] = {}
        for params in (self._without_budget(t.params) for t in told):
            key = config_key(params)
            if key not in skip:
                out.setdefault(key, params)
        return list(out.values())

    def _from_model(self, k: int, budget: int | float) -> list[tuple[Params, dict[str, Any]]]:
        """Up to ``k`` unseen configurations proposed by a GP fitted at ``budget``."""
        told = [
            t
            for t in self._trials
            if t.status is not TrialStatus.PENDING and t.params[self.fidelity.name] == budget
        ]
        seed = int(self.rng.integers(2**32))
        reuse = self.refit == "new-data"
        # no trust region: the committed multi-fidelity results were measured without one
        # (bayes's default "auto" turned it on for real spaces on 2026-12-01)
        bo = _Model(self.space, seed=seed, n_initial=1, gp=self.gp_config, trust_region=False)
        bo.tell([self._without_budget(t.params) for t in told], [t.value for t in told])
        numbers = tuple(t.number for t in told)
        if reuse and budget in self._fits:
            last_numbers, last_gp = self._fits[budget]
            bo.adopt(last_gp, same_data=last_numbers == numbers)
        in_flight = self._in_flight(budget) if self.pending_rule == "believer" else []
        rule = "exclude" if self._exclude_seen else self.seen_rule
        elsewhere = self._elsewhere(budget) if rule in ("believer", "worst") else []
        if rule == "worst" and elsewhere:  # failures to the model: believed its worst value
            bo.tell(elsewhere, [None] * len(elsewhere))
        elif rule == "believer":
            in_flight += elsewhere
        bo.believe_pending(in_flight)
        if rule == "exclude":
            bo.exclude(self._seen)
        try:
            proposals = bo.ask(k)
        except SearchExhausted:  # a finite space the GP has seen entirely
            return []
        if reuse and bo.gp is not None:
            self._fits[budget] = (numbers, bo.gp)
        info = {"source": "model", "model_budget": budget, "n_observations": len(told)}
        return [(p, dict(info)) for p in proposals if config_key(p) not in self._seen]


class _Model(BayesianOptimization):
    """The BO that proposes GP-Hyperband's configurations, told which ones are in flight."""

    def believe_pending(self, configs: list[Params]) -> None:
        """Record ``configs`` as asked and not told, as :meth:`ask` records its proposals:
        the next proposals condition on them (``batch`` rule) and never repeat them."""
        for params in configs:
            trial = Trial(number=len(self._trials), params=params, info={"source": "pending"})
            self._trials.append(trial)
            self._pending[trial.number] = trial
            self._keys.add(self._key(params))

    def exclude(self, keys: set[tuple]) -> None:
        """Never propose the configurations of ``keys`` (:func:`config_key` of each)."""
        self._keys |= keys

    def adopt(self, gp: GaussianProcess, same_data: bool) -> None:
        """Start from ``gp``, a model fitted on an earlier set of the told results: on the
        same set (``same_data``) it is used as it is (no fit); otherwise its
        hyperparameters warm-start the next fit. Call after the results are told."""
        self.gp = copy.deepcopy(gp)
        self._order = [t.number for t in self.completed] if same_data else []
        self._fitted_on = len(self._order)
