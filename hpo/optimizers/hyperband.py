"""Hyperband: successive halving run in brackets that trade breadth for depth.

Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar 2018, "Hyperband: a novel bandit-based
approach to hyperparameter optimization", JMLR 18(185), Algorithm 1. With ``R`` the full
budget (``fidelity.high``), ``r_min`` the smallest (``fidelity.low``) and ``eta``:

    s_max = floor(log_eta(R / r_min))
    for s = s_max, s_max - 1, ..., 0:                          (one bracket each)
        n = ceil((s_max + 1) / (s + 1) * eta^s)                (configurations)
        r = R * eta^-s                                         (their first budget)
        successive halving: n_i = floor(n eta^-i) at r_i = r eta^i, i = 0 .. s

For ``R = 81``, ``eta = 3`` this is the paper's Table 1: ``s = 4``: 81 x 1, 27 x 3, 9 x 9,
3 x 27, 1 x 81; ``s = 3``: 34 x 3, 11 x 9, 3 x 27, 1 x 81; ``s = 2``: 15 x 9, 5 x 27, 1 x 81;
``s = 1``: 8 x 27, 2 x 81; ``s = 0``: 5 x 81.

The loop over ``s`` is repeated for ever (the infinite-horizon variant of Li et al. 2018,
section 3.4), so Hyperband never runs out of proposals on an infinite space. Under ``ask(n)``
and pending trials the rules of :mod:`hpo.optimizers.successive_halving` hold: a rung's
promotions wait for the whole rung, and asked while every started bracket waits, Hyperband
starts the next bracket of the loop.
"""

from __future__ import annotations

import math

from hpo.optimizers.successive_halving import Bracket, BracketSearch, rung_sizes

__all__ = ["Hyperband", "bracket_plan"]


def bracket_plan(s: int, s_max: int, eta: int | float) -> int:
    """``n = ceil((s_max + 1) / (s + 1) * eta^s)``, configurations of bracket ``s``
    (Li et al. 2018, Algorithm 1, line 3); exact for an integer ``eta``."""
    if isinstance(eta, int):
        return -(-(s_max + 1) * eta**s // (s + 1))
    return math.ceil((s_max + 1) / (s + 1) * eta**s - 1e-9)


class Hyperband(BracketSearch):
    """Hyperband (Li et al. 2018): successive halving in brackets of decreasing aggression.

    Bracket ``s`` (from ``s_max`` down to 0, then again) starts ``n`` configurations drawn
    uniformly at random at budget ``R eta^-s`` and halves them by ``eta`` up to ``R``
    (see the module docstring for the equations). :meth:`ask` returns a configuration
    together with its budget under ``fidelity.name``; :meth:`tell` takes that dict and the
    loss at that budget. Each trial's ``info`` holds ``bracket`` (the index of the bracket
    among those started), ``s``, ``rung``, ``budget`` and ``source`` (``"random"`` or
    ``"promotion"``).

    :attr:`best` is the best complete trial at the highest budget evaluated so far.

    Parameters
    ----------
    space : Space or dict
    fidelity : Fidelity
        The resource (required): ``R = fidelity.high``, budgets from ``fidelity.low``.
    seed : int, numpy.random.Generator or None
    eta : int or float, default 3
        Reduction factor: keep the best ``1 / eta``, multiply the budget by ``eta``.

    Examples
    --------
    >>> from hpo import Fidelity, Real, Space
    >>> opt = Hyperband(Space({"x": Real(0.0, 1.0)}), fidelity=Fidelity("epochs", 1, 81), seed=0)
    >>> [(b.sizes, b.budgets) for b in opt.plan()][:2]
    [([81, 27, 9, 3, 1], [1, 3, 9, 27, 81]), ([34, 11, 3, 1], [3, 9, 27, 81])]
    """

    name = "hyperband"  # the constructor is BracketSearch's: (space, *, fidelity, seed, eta)

    def _bracket(self, index: int) -> Bracket:
        s = self.s_max - index % (self.s_max + 1)  # s_max, ..., 0, s_max, ...
        n = bracket_plan(s, self.s_max, self.eta)
        budgets = list(self.budgets[self.s_max - s :])  # r_i = R eta^(i - s), i = 0 .. s
        return Bracket(index, rung_sizes(n, s + 1, self.eta), budgets)

    def plan(self) -> list[Bracket]:
        """The brackets of one loop over ``s = s_max .. 0`` (fresh, not the running ones)."""
        return [self._bracket(i) for i in range(self.s_max + 1)]

    def _next_bracket(self) -> Bracket:
        return self._bracket(len(self.brackets))
