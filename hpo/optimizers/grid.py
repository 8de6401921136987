"""Grid search: the full factorial design, visited in a seeded random order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity
from hpo.optimizers.base import Optimizer
from hpo.space import Params, Space

__all__ = ["GridSearch"]

_MAX_GRID = 10_000_000


def resolution_for_budget(space: Space, budget: int) -> int:
    """The largest number of points per numeric axis whose grid fits in ``budget`` trials
    (1 if even the coarsest grid is larger), stopping where no axis can grow any more.

    Formally the first ``k >= 1`` with ``grid_size(k + 1) > budget`` or
    ``grid_size(k + 1) == grid_size(k)``. Grid sizes come from the axis lengths
    (:meth:`~hpo.Space.grid_size`), never from built axes, and a budget beyond the largest grid
    :class:`GridSearch` takes (``10**7``) counts as that: the work is logarithmic in the
    budget once every log-scaled integer axis holds all its values, linear before.
    """
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        raise ValueError(f"budget must be a positive integer, got {budget!r}")
    budget = min(budget, _MAX_GRID)
    # The length of a log-scaled integer axis may stall, or even shrink, as k grows (log steps
    # round onto one integer), so below its number of values k is stepped one at a time.
    stepwise = max(
        (p.n_values for p in space.values() if p.kind == "integer" and p.scale != "linear"),
        default=0,
    )
    k, size = 1, space.grid_size(1)
    while k < stepwise:
        bigger = space.grid_size(k + 1)
        if bigger > budget or bigger == size:
            return k
        k, size = k + 1, bigger
    # Now every axis length is k (reals), min(k, n) (integers) or n (choices): non-decreasing
    # in k, and constant once no real axis exists and k reaches the longest integer axis.
    if not space.is_real.any():
        saturated = max((p.n_values for p in space.values() if p.kind == "integer"), default=1)
        if k >= saturated:
            return k
    else:
        saturated = None
    if space.grid_size(k + 1) > budget:
        return k
    # Binary search for the largest k with grid_size(k) <= budget: grid_size(hi) > budget.
    lo, hi = k + 1, k + 2
    while space.grid_size(hi) <= budget and (saturated is None or hi <= saturated):
        lo, hi = hi, 2 * hi
    if saturated is not None and hi > saturated and space.grid_size(saturated) <= budget:
        return saturated
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if space.grid_size(mid) <= budget else (lo, mid)
    return lo


class GridSearch(Optimizer):
    """Evaluate every point of a full factorial grid, in an order shuffled by the seed.

    Each real axis gets ``points_per_axis`` values evenly spread on its scale (bounds
    included), each integer axis as many distinct integers (at most all of them), and each
    categorical every choice. Configurations already told (warm starts) are skipped. When the
    grid is used up, :meth:`ask` raises :class:`~hpo.SearchExhausted`. In a conditional space
    the grid is the tree of :meth:`~hpo.Space.grid`: inactive parameters are never branched
    on, so no two configurations differ only in inactive values.

    Parameters
    ----------
    space : Space or dict
    seed : int, numpy.random.Generator or None
        Shuffles the order of the grid.
    fidelity : Fidelity, optional
        Evaluate at a budget: every asked configuration carries ``fidelity.high`` under
        ``fidelity.name`` (see :class:`~hpo.optimizers.Optimizer`).
    n_objectives : int, default 1
        Number of objectives, each minimized: with ``m > 1``, ``tell`` takes ``m`` floats per
        configuration and :attr:`pareto_front` holds the non-dominated trials (the proposals
        do not depend on the values, so any ``m`` is accepted).
    points_per_axis : int, optional
        Resolution of numeric axes.
    budget : int, optional
        When ``points_per_axis`` is not given, the largest resolution whose grid has at most
        ``budget`` points. Neither given: 5 points per axis.
    shuffle : bool, default True
        Visit the grid in a random order; ``False`` gives the lexicographic order with the last
        parameter varying fastest.
    """

    supports_multi_objective = True
    name = "grid"
    supports_conditional = True
    #: The tree of a conditional space's grid (class default: flat, and grids saved before).
    _points: list[Params] | None = None

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
        n_objectives: int = 1,
        points_per_axis: int | None = None,
        budget: int | None = None,
        shuffle: bool = True,
    ) -> None:
        super().__init__(space, seed=seed, fidelity=fidelity, n_objectives=n_objectives)
        if points_per_axis is None:
            points_per_axis = 5 if budget is None else resolution_for_budget(self.space, budget)
        self.points_per_axis = points_per_axis
        self._axes = self.space.grid_axes(points_per_axis)
        self.grid_size = self.space.grid_size(points_per_axis)
        if self.grid_size > _MAX_GRID:
            raise ValueError(
                f"points_per_axis={points_per_axis} gives a grid of {self.grid_size} points, "
                f"more than {_MAX_GRID}; use fewer points or random search"
            )
        # A conditional space's grid is the tree of its active configurations, built once.
        self._points = self.space.grid(points_per_axis) if self.space.is_conditional else None
        self._order = self.rng.permutation(self.grid_size) if shuffle else range(self.grid_size)
        self._cursor = 0

    @property
    def n_remaining(self) -> int:
        """Grid points not yet proposed (some may be skipped as already told)."""
        return self.grid_size - self._cursor

    def _propose(self, n: int) -> list[Params]:
        batch: list[Params] = []
        while len(batch) < n and self._cursor < self.grid_size:
            index = int(self._order[self._cursor])
            if self._points is not None:
                params = dict(self._points[index])
            else:
                params = self.space.grid_point(index, self._axes)
            self._cursor += 1
            if self.is_new(params):
                batch.append(params)
        return batch
