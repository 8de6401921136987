"""Successive halving: evaluate many configurations cheaply, continue only the best.

Successive halving (Jamieson & Talwalkar 2016, "Non-stochastic best arm identification and
hyperparameter optimization", AISTATS, Algorithm 1), on the geometric budget ladder of Li et
al. 2018 ("Hyperband", JMLR 18(185), Algorithm 1, inner loop). One run (a *bracket*) with
``n`` configurations and ``s + 1`` rungs evaluates, for ``i = 0 .. s``,

    n_i = floor(n * eta^-i) configurations at budget r_i = r * eta^i,

keeping the best ``n_{i+1}`` of rung ``i`` for rung ``i + 1``. The budgets are the rungs of
:meth:`hpo.Fidelity.ladder`, ``R = fidelity.high``.

Glossary: a *rung* is one budget of a bracket; a *promotion* asks a configuration of rung
``i`` again at the budget of rung ``i + 1`` (a new trial: same parameters, another budget).

Rules under ``ask(n)`` and pending trials (shared with Hyperband):

- a rung's promotions are decided once, when every configuration of the rung has been told,
  on the complete results only: failed trials rank last and are never promoted;
- promoted configurations wait in a queue and are asked exactly once;
- asked while every bracket waits for pending results, the search starts its next bracket
  (Hyperband always; successive halving only with ``repeat=True``; otherwise it has nothing
  to propose until a result arrives and ``ask`` raises :class:`~hpo.SearchExhausted`, which
  then means "tell the pending trials first").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity, check_eta
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = ["Bracket", "BracketSearch", "SuccessiveHalving", "rung_sizes"]

_MAX_REDRAWS = 100


def rung_sizes(n: int, n_rungs: int, eta: int | float) -> list[int]:
    """``n_i = floor(n * eta^-i)`` for ``i = 0 .. n_rungs - 1`` (at least 1 each).

    Li et al. 2018, Algorithm 1; exact integer arithmetic when ``eta`` is an integer.
    """
    if isinstance(eta, int):
        return [max(1, n // eta**i) for i in range(n_rungs)]
    return [max(1, math.floor(n * eta**-i + 1e-9)) for i in range(n_rungs)]


@dataclass
class _Slot:
    """One configuration at one rung: its parameters (without the budget) and result."""

    params: Params
    told: bool = False
    value: float | None = None  # None while pending, and for a failed trial


@dataclass
class Bracket:
    """One run of successive halving: rung ``k`` evaluates ``sizes[k]`` configurations at
    ``budgets[k]``, and its best ``sizes[k + 1]`` complete ones go on to rung ``k + 1``.

    Attributes
    ----------
    index : int
        Position of the bracket among those the optimizer started, from 0.
    sizes, budgets : list
        Planned number of configurations and budget of each rung.
    rung : int
        The rung being evaluated.
    rungs : list of dict
        Per rung, the configurations asked there (key -> slot), in the order asked.
    queue : list of dict
        Configurations promoted to ``rung`` and not asked yet.
    closed : bool
        Rung 0 takes no more new configurations (the sampler ran out of unseen ones).
    done : bool
        Every rung is settled.
    """

    index: int
    sizes: list[int]
    budgets: list[int | float]
    rung: int = 0
    rungs: list[dict[tuple, _Slot]] = field(default_factory=list)
    queue: list[Params] = field(default_factory=list)
    closed: bool = False
    done: bool = False

    def __post_init__(self) -> None:
        if len(self.sizes) != len(self.budgets) or not self.sizes:
            raise ValueError("sizes and budgets must be non-empty and of equal length")
        self.rungs = [{} for _ in self.budgets]

    @property
    def wants_new(self) -> int:
        """How many new configurations rung 0 still takes."""
        if self.done or self.rung > 0 or self.closed:
            return 0
        return self.sizes[0] - len(self.rungs[0])

    def add(self, params: Params, rung: int) -> None:
        """Record that ``params`` is asked at ``rung`` (the current one)."""
        if rung != self.rung:
            raise RuntimeError(f"bracket {self.index}: asked rung {rung}, current {self.rung}")
        self.rungs[rung][config_key(params)] = _Slot(params)

    def pop_promoted(self, m: int) -> list[Params]:
        """Up to ``m`` promoted configurations to ask at the current rung."""
        out, self.queue = self.queue[:m], self.queue[m:]
        return out

    def close(self) -> None:
        """Take no more new configurations at rung 0 (its results decide with fewer)."""
        self.closed = True
        self._advance()

    def report(self, params: Params, rung: int, value: float | None) -> None:
        """Record the result of ``params`` at ``rung`` (``value`` None for a failure)."""
        slot = self.rungs[rung].get(config_key(params))
        if slot is None or slot.told:
            raise RuntimeError(f"bracket {self.index}: unexpected result at rung {rung}")
        slot.told, slot.value = True, value
        self._advance()

    def _advance(self) -> None:
        """Promote while the current rung is complete (every slot asked and told)."""
        while not self.done:
            slots = list(self.rungs[self.rung].values())
            asked_all = self.rung > 0 or self.closed or len(slots) >= self.sizes[0]
            if not asked_all or self.queue or not all(s.told for s in slots):
                return
            if self.rung == len(self.budgets) - 1:
                self.done = True
                return
            # keep the best n_{i+1} complete results, earliest asked first among ties
            ranked = sorted(
                (i for i, s in enumerate(slots) if s.value is not None),
                key=lambda i: (slots[i].value, i),
            )
            keep = [slots[i].params for i in ranked[: self.sizes[self.rung + 1]]]
            if not keep:  # every configuration failed: nothing to continue
                self.done = True
                return
            self.rung += 1
            self.queue = keep


class BracketSearch(Optimizer):
    """Shared machinery of successive halving and Hyperband: brackets run one after the
    other (and side by side when asked while the earlier ones wait for results).

    Subclasses define :meth:`_next_bracket` (the plan) and may override :meth:`_sample`
    (where new configurations come from; uniform at random here).
    """

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
        #: The budgets r_0 < ... < R of the deepest bracket (``fidelity.ladder(eta)``).
        self.budgets = self.fidelity.ladder(self.eta)
        #: s_max = floor(log_eta(R / r_min)) (Li et al. 2018, Algorithm 1).
        self.s_max = len(self.budgets) - 1
        #: Every bracket started, in order.
        self.brackets: list[Bracket] = []
        self._seen: set[tuple] = set()  # configurations (without budget) asked or told

    # -- what subclasses define ---------------------------------------------------------
    def _next_bracket(self) -> Bracket | None:
        """The next bracket to start, or ``None`` when the schedule is finished."""
        raise NotImplementedError

    def _sample(self, m: int, bracket: Bracket) -> list[tuple[Params, dict[str, Any]]]:
        """Up to ``m`` new configurations (never asked or told at any budget), with what
        chose them; fewer only when the space has no unseen configuration left."""
        return [(params, {"source": "random"}) for params in self._random_unseen(m)]

    def _random_unseen(self, m: int, exclude: set[tuple] | None = None) -> list[Params]:
        """Up to ``m`` configurations drawn uniformly in the unit cube, all unseen."""
        out: list[Params] = []
        keys = set(exclude or ())
        redraws = 0
        while len(out) < m and redraws < _MAX_REDRAWS:
            params = self.space.from_unit(self.rng.random(self.space.dim))
            key = config_key(params)
            if key in self._seen or key in keys:
                redraws += 1
                continue
            out.append(params)
            keys.add(key)
            redraws = 0
        return out

    # -- ask / tell -----------------------------------------------------------------------
    @property
    def active(self) -> list[Bracket]:
        """Brackets started and not finished."""
        return [b for b in self.brackets if not b.done]

    def _job(self, bracket: Bracket, params: Params, info: dict[str, Any]) -> Proposal:
        rung = bracket.rung
        bracket.add(params, rung)
        self._seen.add(config_key(params))
        budget = bracket.budgets[rung]
        s = len(bracket.budgets) - 1  # Hyperband's bracket number: s + 1 rungs
        info = {"bracket": bracket.index, "s": s, "rung": rung, "budget": budget, **info}
        return Proposal({**params, self.fidelity.name: budget}, info)

    def _take(self, bracket: Bracket, out: list[Params | Proposal], n: int) -> None:
        """Add to ``out`` (up to ``n`` in all) new configurations for the first rung of
        ``bracket`` or the configurations it promoted (a bracket has one or the other)."""
        want = min(n - len(out), bracket.wants_new)
        if want:
            new = self._sample(want, bracket)
            for params, info in new:
                out.append(self._job(bracket, params, info))
            if len(new) < want:
                bracket.close()  # no unseen configuration left: the rung may be complete
        for params in bracket.pop_promoted(n - len(out)):
            out.append(self._job(bracket, params, {"source": "promotion"}))

    def _propose(self, n: int) -> list[Params | Proposal]:
        out: list[Params | Proposal] = []
        while True:
            for bracket in self.active:  # oldest first, so brackets finish in order
                if len(out) < n:
                    self._take(bracket, out, n)
            if len(out) == n:
                return out
            # every started bracket waits for results (or is finished): open the next one
            bracket = self._next_bracket()
            if bracket is None:
                return out
            self.brackets.append(bracket)
            before = len(out)
            self._take(bracket, out, n)
            if len(out) == before:  # nothing unseen left to start it with
                bracket.close()
                return out

    def _observe(self, trials: list[Trial]) -> None:
        for trial in trials:
            self._seen.add(config_key(self._without_budget(trial.params)))
            if "bracket" not in trial.info:  # a warm start: recorded, outside the schedule
                continue
            bracket = self.brackets[trial.info["bracket"]]
            bracket.report(self._without_budget(trial.params), trial.info["rung"], trial.value)

    def _without_budget(self, params: Mapping[str, Any]) -> Params:
        return {k: v for k, v in params.items() if k != self.fidelity.name}


class SuccessiveHalving(BracketSearch):
    """Successive halving (Jamieson & Talwalkar 2016) on a fidelity's budget ladder.

    ``n_configs`` configurations drawn uniformly at random are evaluated at the smallest
    budget of :meth:`hpo.Fidelity.ladder`; the best ``1 / eta`` of each rung go on to the next
    budget, up to ``fidelity.high``. :meth:`ask` returns a configuration together with its
    budget under ``fidelity.name``; :meth:`tell` takes that dict and the loss at that budget.
    A promoted configuration is a new trial (same parameters, higher budget). Each trial's
    ``info`` holds ``bracket``, ``s`` (rungs - 1), ``rung``, ``budget`` and ``source``
    (``"random"`` or ``"promotion"``).

    :attr:`best` is the best complete trial at the highest budget evaluated so far.

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required); its name must not be a parameter of ``space``.
    seed : int, numpy.random.Generator or None
    eta : int or float, default 3
        Keep the best ``1 / eta`` at each rung; budgets grow by ``eta``.
    n_configs : int, optional
        Configurations at the first rung; default ``eta ** s_max`` with
        ``s_max = len(fidelity.ladder(eta)) - 1`` (Hyperband's most exploratory bracket).
    repeat : bool, default False
        Once the run is over, or asked while it waits for pending results, start another
        run. Without it one run is the whole schedule: :class:`~hpo.SearchExhausted` when it
        is finished, or while it waits for pending results (tell them, then ask again).

    Examples
    --------
    >>> from hpo import Fidelity, Real, Space
    >>> opt = SuccessiveHalving(Space({"x": Real(0.0, 1.0)}), fidelity=Fidelity("epochs", 1, 9))
    >>> [opt.ask()["epochs"] for _ in range(3)]
    [1, 1, 1]
    """

    name = "successive-halving"

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        fidelity: Fidelity,
        seed: SeedLike = None,
        eta: int | float = 3,
        n_configs: int | None = None,
        repeat: bool = False,
    ) -> None:
        super().__init__(space, fidelity=fidelity, seed=seed, eta=eta)
        if n_configs is None:
            n_configs = math.ceil(self.eta**self.s_max - 1e-9)
        if not isinstance(n_configs, int) or isinstance(n_configs, bool) or n_configs < 1:
            raise ValueError(f"n_configs must be a positive integer, got {n_configs!r}")
        self.n_configs = n_configs
        self.repeat = bool(repeat)

    def _next_bracket(self) -> Bracket | None:
        if self.brackets and not self.repeat:
            return None
        sizes = rung_sizes(self.n_configs, len(self.budgets), self.eta)
        return Bracket(len(self.brackets), sizes, list(self.budgets))
