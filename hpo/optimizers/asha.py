"""Asynchronous successive halving (ASHA): promote without waiting for a full rung.

Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht & Talwalkar 2020, "A system for
massively parallel hyperparameter tuning", MLSys, Algorithm 2 (with early-stopping rate
``s = 0``). Rung ``k`` has budget ``r_k = r_min eta^k`` (the rungs of
:meth:`hpo.Fidelity.ladder`, top rung ``R = fidelity.high``). Each time a worker frees:

    get_job():
        for k = K - 1, ..., 0:                               (from the highest rung down)
            candidates = top_k(rung k, floor(|rung k| / eta)) not yet promoted
            if candidates: return the first candidate, at rung k + 1
        return a new configuration at rung 0

where ``rung k`` holds the results *told* at budget ``r_k`` (pending trials are not in any
rung, so no promotion is decided on a pending result), and a failed trial counts in ``|rung
k|`` but ranks last and is never promoted. A configuration is marked promoted the moment it
is asked at the next rung, so it is never promoted twice, whatever the interleaving of
``ask(n)`` and ``tell``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity, check_eta
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = ["ASHA"]

_MAX_REDRAWS = 100


def promotable(
    results: list[tuple[Params, float | None]], promoted: set[tuple], eta: float
) -> Params | None:
    """The first configuration of a rung's top ``1/eta`` not yet promoted, or ``None``.

    ``results`` are the rung's ``(configuration, loss or None)`` in the order told; the top
    ``floor(len / eta)`` are the lowest losses, failures last, the earliest told first among
    ties (ASHA, Li et al. 2020, Algorithm 2, ``get_job`` lines 3-8). A failure is never
    promoted.
    """
    n_top = math.floor(len(results) / eta + 1e-9)
    order = sorted(
        range(len(results)),
        key=lambda i: (results[i][1] is None, results[i][1] or 0.0, i),
    )
    for i in order[:n_top]:
        params, value = results[i]
        if value is not None and config_key(params) not in promoted:
            return params
    return None


class ASHA(Optimizer):
    """Asynchronous successive halving (Li et al. 2020, Algorithm 2), for parallel workers.

    :meth:`ask` promotes the best not-yet-promoted configuration of the top ``1 / eta`` of
    the highest rung that has one, otherwise draws a new configuration uniformly at random at
    the smallest budget. It returns the configuration with its budget under
    ``fidelity.name``; :meth:`tell` takes that dict and the loss at that budget. The search
    never ends on an infinite space; on a finite one, :class:`~hpo.SearchExhausted` says that
    every configuration has been drawn and no promotion is due (one may become due when the
    pending trials are told). Each trial's ``info`` holds ``bracket`` (always 0),
    ``rung``, ``budget`` and ``source`` (``"random"`` or ``"promotion"``). Warm starts (told
    without being asked) are recorded but take no part in promotions.

    :attr:`best` is the best complete trial at the highest budget evaluated so far.

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required): rungs ``fidelity.ladder(eta)``.
    seed : int, numpy.random.Generator or None
    eta : int or float, default 3
        Reduction factor: promote the top ``1 / eta`` of a rung, budgets grow by ``eta``.

    Examples
    --------
    >>> from hpo import Fidelity, Real, Space
    >>> opt = ASHA(Space({"x": Real(0.0, 1.0)}), fidelity=Fidelity("epochs", 1, 9), seed=0)
    >>> batch = opt.ask(3)
    >>> _ = opt.tell(batch, [p["x"] for p in batch])
    >>> opt.ask()["epochs"]  # the best of three goes on to 3 epochs
    3
    """

    name = "asha"
    multi_fidelity = True

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int | float = 3,
    ) -> None:
        super().__init__(space, seed=seed, fidelity=fidelity)
        self.eta = check_eta(eta)
        #: Budgets of the rungs, r_0 = fidelity.low (about) up to R = fidelity.high.
        self.budgets = self.fidelity.ladder(self.eta)
        #: Per rung, the results told there: (configuration without budget, value or None).
        self.rungs: list[list[tuple[Params, float | None]]] = [[] for _ in self.budgets]
        #: Per rung, keys of the configurations already promoted from it.
        self.promoted: list[set[tuple]] = [set() for _ in self.budgets]
        self._seen: set[tuple] = set()  # configurations (without budget) asked or told

    def _promotion(self) -> tuple[Params, int] | None:
        """The configuration to promote and its rung, or ``None`` (Algorithm 2, lines 3-8)."""
        for k in range(len(self.budgets) - 2, -1, -1):
            params = promotable(self.rungs[k], self.promoted[k], self.eta)
            if params is not None:
                return params, k
        return None

    def _new(self) -> Params | None:
        """A configuration drawn uniformly at random, never asked or told at any budget
        (``None`` when a finite space has nothing unseen left)."""
        for _ in range(_MAX_REDRAWS):
            params = self.space.from_unit(self.rng.random(self.space.dim))
            if config_key(params) not in self._seen:
                return params
        return None

    def _propose(self, n: int) -> list[Params | Proposal]:
        out: list[Params | Proposal] = []
        for _ in range(n):
            promotion = self._promotion()
            if promotion is not None:
                params, k = promotion
                self.promoted[k].add(config_key(params))
                rung, info = k + 1, {"source": "promotion"}
            else:
                params = self._new()
                if params is None:
                    break
                self._seen.add(config_key(params))
                rung, info = 0, {"source": "random"}
            budget = self.budgets[rung]
            info = {"bracket": 0, "rung": rung, "budget": budget, **info}
            out.append(Proposal({**params, self.fidelity.name: budget}, info))
        return out

    def _observe(self, trials: list[Trial]) -> None:
        for trial in trials:
            params = {k: v for k, v in trial.params.items() if k != self.fidelity.name}
            self._seen.add(config_key(params))
            if "rung" in trial.info:  # asked by this search (warm starts stay out)
                self.rungs[trial.info["rung"]].append((params, trial.value))
