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

The GP and the acquisition maximizer are those of :class:`~hpo.BayesianOptimization`, used
through its public interface: a fresh instance, seeded from this optimizer's generator, is
told the results at the chosen budget (failed ones as failures) and asked for the batch.
Configurations proposed within one ``ask(n)`` are spread by its batch rule (kriging
believer); pending trials of earlier asks are not fantasized.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.exceptions import SearchExhausted
from hpo.fidelity import Fidelity
from hpo.optimizers.base import config_key
from hpo.optimizers.bayes import BayesianOptimization
from hpo.optimizers.hyperband import Hyperband
from hpo.optimizers.successive_halving import Bracket
from hpo.space import Params, Space
from hpo.trial import TrialStatus

__all__ = ["GPHyperband"]


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
    """

    name = "gp-hyperband"

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int | float = 3,
        rho: float = 1 / 3,
        min_points: int | None = None,
    ) -> None:
        super().__init__(space, fidelity=fidelity, seed=seed, eta=eta)
        if not (isinstance(rho, (int, float)) and 0.0 <= rho <= 1.0):
            raise ValueError(f"rho must be a number in [0, 1], got {rho!r}")
        if min_points is None:
            min_points = self.space.dim + 2
        if not isinstance(min_points, int) or isinstance(min_points, bool) or min_points < 2:
            raise ValueError(f"min_points must be an integer >= 2, got {min_points!r}")
        self.rho = float(rho)
        self.min_points = min_points

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
        return out + [(params, {"source": "random"}) for params in random]

    def _from_model(self, k: int, budget: int | float) -> list[tuple[Params, dict[str, Any]]]:
        """Up to ``k`` unseen configurations proposed by a GP fitted at ``budget``."""
        told = [
            t
            for t in self._trials
            if t.status is not TrialStatus.PENDING and t.params[self.fidelity.name] == budget
        ]
        bo = BayesianOptimization(self.space, seed=int(self.rng.integers(2**32)), n_initial=1)
        bo.tell([self._without_budget(t.params) for t in told], [t.value for t in told])
        try:
            proposals = bo.ask(k)
        except SearchExhausted:  # a finite space the GP has seen entirely
            return []
        info = {"source": "model", "model_budget": budget, "n_observations": len(told)}
        return [(p, dict(info)) for p in proposals if config_key(p) not in self._seen]
