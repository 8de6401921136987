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
_MAX_CONTINUUM_REDRAWS = 10_000  # repeats in one ask before a continuous space gives up


class RandomSearch(Optimizer):
    """Sample configurations uniformly in the unit cube of the space.

    Uniform in the unit cube is log-uniform on log-scaled parameters and equally likely on
    integers and choices. Configurations seen before (asked or told) are redrawn, so on a
    finite space random search ends with :class:`~hpo.SearchExhausted` once it has seen all.
    In a conditional space a point of the cube is decoded parents first and its inactive
    columns dropped, which samples each parent uniformly, then the children its value
    activates; repeats are judged on the active parameters.

    Parameters
    ----------
    space : Space or dict
    seed : int, numpy.random.Generator or None
    fidelity : Fidelity, optional
        Evaluate at a budget: every asked configuration carries ``fidelity.high`` under
        ``fidelity.name`` (see :class:`~hpo.optimizers.Optimizer`).
    n_objectives : int, default 1
        Number of objectives, each minimized: with ``m > 1``, ``tell`` takes ``m`` floats per
        configuration and :attr:`pareto_front` holds the non-dominated trials (the proposals
        do not depend on the values, so any ``m`` is accepted).
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

    supports_multi_objective = True
    name = "random"
    supports_conditional = True

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
        n_objectives: int = 1,
        design: str = "uniform",
        budget: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed, fidelity=fidelity, n_objectives=n_objectives)
        self.design = UnitDesign(design, self.space.dim, self.rng, block=budget or 32)
        self._finite_size = self.space.n_configs

    def _propose(self, n: int) -> list[Params]:
        # Points are drawn in chunks and decoded together, consuming the design exactly as
        # one draw per configuration would (same seed, same proposals): a chunk never holds
        # more draws than would be made before the batch is full, the finite space is used
        # up, or the redraw streak reaches _MAX_REDRAWS (after which a nearly exhausted
        # finite space is sampled among its unseen configurations directly).
        batch: list[Params] = []
        keys: set[tuple] = set()
        redraws = total_redraws = 0
        while len(batch) < n:
            room = n - len(batch)
            if self._finite_size is not None:
                room = min(room, self._finite_size - len(self._keys) - len(batch))
                if room <= 0:
                    break  # every configuration of a finite space has been seen
            elif total_redraws > _MAX_CONTINUUM_REDRAWS:
                break  # a "continuum" that decodes to few values (bounds a few ulps apart)
            if redraws < _MAX_REDRAWS:
                chunk = self.space.from_unit_batch(
                    self.design.draw(min(room, _MAX_REDRAWS - redraws))
                )
            else:  # a nearly exhausted finite space: pick among the unseen directly
                chunk = [self._draw_unseen(keys)]
            for params in chunk:
                key = config_key(params)
                if key not in self._keys and key not in keys:  # new: never asked nor told
                    batch.append(params)
                    keys.add(key)
                    redraws = 0
                else:
                    redraws += 1
                    total_redraws += 1
        return batch

    def _draw_unseen(self, keys: set[tuple]) -> Params:
        if self._finite_size is None:  # a continuum: repeats have probability zero
            return self.space.from_unit(self.design.draw(1)[0])
        axes = self.space.grid_axes(max(p.n_values for p in self.space.values()))
        excluded = self._keys | keys  # asked or told before, or drawn earlier in this batch
        if self.space.is_conditional:
            configs = self.space.grid(max(p.n_values for p in self.space.values()))
            unseen_configs = [c for c in configs if config_key(c) not in excluded]
            return unseen_configs[int(self.rng.integers(len(unseen_configs)))]
        unseen = [
            i
            for i in range(self._finite_size)
            if config_key(self.space.grid_point(i, axes)) not in excluded
        ]
        return self.space.grid_point(int(self.rng.choice(unseen)), axes)
