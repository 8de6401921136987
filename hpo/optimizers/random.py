"""Random search: the baseline every other optimizer must beat (Bergstra & Bengio, 2012)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity
from hpo.optimizers.base import Optimizer, config_key
from hpo.optimizers.design import UnitDesign
from hpo.space import Params, Space

__all__ = ["RandomSearch"]

_MAX_REDRAWS = 100


class RandomSearch(Optimizer):
    """Sample configurations uniformly in the unit cube of the space.

    Uniform in the unit cube is log-uniform on log-scaled parameters and equally likely on
    integers and choices. Configurations seen before (asked or told) are redrawn, so on a
    finite space random search ends with :class:`~hpo.SearchExhausted` once it has seen all.

    Parameters
    ----------
    space : Space or dict
    seed : int, numpy.random.Generator or None
    fidelity : Fidelity, optional
        Evaluate at a budget: every asked configuration carries ``fidelity.high`` under
        ``fidelity.name`` (see :class:`~hpo.optimizers.Optimizer`).
    design : {"uniform", "sobol", "lhs"}, default "uniform"
        Independent uniform draws, a scrambled Sobol sequence, or Latin hypercube blocks
        (from :mod:`scipy.stats.qmc`).
    budget : int, optional
        Expected number of trials; the size of a Latin hypercube block (default 32).

    Examples
    --------
    >>> from hpo import Real, Space
    >>> opt = RandomSearch(Space({"x": Real(-1.0, 1.0)}), seed=0, design="sobol")
    >>> params = opt.ask()
    >>> _ = opt.tell(params, params["x"] ** 2)
    """

    name = "random"

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
        design: str = "uniform",
        budget: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed, fidelity=fidelity)
        self.design = UnitDesign(design, self.space.dim, self.rng, block=budget or 32)
        self._finite_size = self.space.n_configs

    def _propose(self, n: int) -> list[Params]:
        batch: list[Params] = []
        keys = set()
        redraws = 0
        while len(batch) < n:
            if self._finite_size is not None and len(self._keys) + len(batch) >= self._finite_size:
                break  # every configuration of a finite space has been seen
            if redraws < _MAX_REDRAWS:
                params = self.space.from_unit(self.design.draw(1)[0])
            else:  # a nearly exhausted finite space: pick among the unseen directly
                params = self._draw_unseen(keys)
            key = config_key(params)
            if self.is_new(params) and key not in keys:
                batch.append(params)
                keys.add(key)
                redraws = 0
            else:
                redraws += 1
        return batch

    def _draw_unseen(self, keys: set[tuple]) -> Params:
        if self._finite_size is None:  # a continuum: repeats have probability zero
            return self.space.from_unit(self.design.draw(1)[0])
        axes = self.space.grid_axes(max(p.n_values for p in self.space.values()))
        excluded = self._keys | keys  # asked or told before, or drawn earlier in this batch
        unseen = [
            i
            for i in range(self._finite_size)
            if config_key(self.space.grid_point(i, axes)) not in excluded
        ]
        return self.space.grid_point(int(self.rng.choice(unseen)), axes)
