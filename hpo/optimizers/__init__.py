"""hpo's optimizers, and the registry that names them for ``minimize``, the CLI and studies."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from hpo._seed import SeedLike
from hpo.optimizers._bo_search import FeatureMap, maximize_acquisition, maximize_mixed
from hpo.optimizers.asha import ASHA
from hpo.optimizers.async_gp_hyperband import AsyncGPHyperband
from hpo.optimizers.base import Optimizer, Proposal
from hpo.optimizers.bayes import BayesianOptimization
from hpo.optimizers.genetic import GeneticAlgorithm
from hpo.optimizers.gp_hyperband import GPHyperband
from hpo.optimizers.grid import GridSearch
from hpo.optimizers.hyperband import Hyperband
from hpo.optimizers.random import RandomSearch
from hpo.optimizers.successive_halving import SuccessiveHalving
from hpo.space import Space

__all__ = [
    "ASHA",
    "MULTI_FIDELITY_OPTIMIZERS",
    "OPTIMIZERS",
    "AsyncGPHyperband",
    "BayesianOptimization",
    "FeatureMap",
    "GPHyperband",
    "GeneticAlgorithm",
    "GridSearch",
    "Hyperband",
    "Optimizer",
    "Proposal",
    "RandomSearch",
    "SuccessiveHalving",
    "make_optimizer",
    "maximize_acquisition",
    "maximize_mixed",
    "optimizer_names",
]

#: hpo's own optimizers by name.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GridSearch, RandomSearch, GeneticAlgorithm, BayesianOptimization)
}
#: hpo's multi-fidelity optimizers by name: they need ``options={"fidelity": Fidelity(...)}``.
MULTI_FIDELITY_OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SuccessiveHalving, Hyperband, ASHA, GPHyperband, AsyncGPHyperband)
}


def _peer_classes(multi_fidelity: bool = True) -> dict[str, type[Optimizer]]:
    # Imported on demand: hpo.peers wraps optional libraries and nothing else in hpo needs it.
    from hpo import peers, peers_multifidelity

    return {**peers.PEERS, **(peers_multifidelity.PEERS if multi_fidelity else {})}


def optimizer_names(include_peers: bool = True, multi_fidelity: bool = False) -> list[str]:
    """Names accepted by :func:`make_optimizer` (peers need ``pip install "hpo[peers]"``);
    with ``multi_fidelity``, also those that need a ``fidelity`` option."""
    names = list(OPTIMIZERS) + (list(MULTI_FIDELITY_OPTIMIZERS) if multi_fidelity else [])
    if include_peers:
        names += list(_peer_classes(multi_fidelity))
    return names


def make_optimizer(
    optimizer: str | type[Optimizer] | Optimizer,
    space: Space | Mapping[str, Any],
    *,
    seed: SeedLike = None,
    budget: int | None = None,
    options: Mapping[str, Any] | None = None,
) -> Optimizer:
    """Build an optimizer from a name, a class or an instance.

    Parameters
    ----------
    optimizer : str, Optimizer subclass or Optimizer
        A registered name (see :func:`optimizer_names`), a class, or an instance (returned
        as it is after checking that its space is ``space``).
    space : Space or dict
    seed : int, numpy.random.Generator or None
    budget : int, optional
        The number of trials planned, passed on to optimizers whose constructor takes a
        ``budget`` (grid resolution, Latin hypercube size, population sizing).
    options : dict, optional
        Further keyword arguments of the optimizer's constructor.
    """
    space = space if isinstance(space, Space) else Space(space)
    if isinstance(optimizer, Optimizer):
        if optimizer.space != space:
            raise ValueError("optimizer: the instance given searches another space")
        if options:
            raise ValueError("options: cannot be applied to an optimizer instance")
        return optimizer
    if isinstance(optimizer, str):
        classes = {**OPTIMIZERS, **MULTI_FIDELITY_OPTIMIZERS}
        if optimizer not in classes:
            classes.update(_peer_classes())
        if optimizer not in classes:
            raise ValueError(
                f"optimizer: unknown name {optimizer!r}; choose one of "
                f"{optimizer_names(multi_fidelity=True)}"
            )
        cls = classes[optimizer]
    elif isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        cls = optimizer
    else:
        raise TypeError(f"optimizer: expected a name, class or instance, got {optimizer!r}")
    kwargs = dict(options or {})
    accepted = inspect.signature(cls.__init__).parameters
    unknown = [k for k in kwargs if k not in accepted or k in ("self", "space", "seed")]
    if unknown:
        raise ValueError(f"options: {cls.__name__} has no option {unknown[0]!r}")
    if budget is not None and "budget" in accepted and "budget" not in kwargs:
        kwargs["budget"] = budget
    return cls(space, seed=seed, **kwargs)
