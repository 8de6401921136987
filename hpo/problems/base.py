"""The shape every problem shares: a search space, an objective, and its known optimum."""

from __future__ import annotations

from typing import Any

from hpo.fidelity import Fidelity
from hpo.space import Space

__all__ = ["Problem"]


class Problem:
    """An objective to minimize over a search space.

    Attributes
    ----------
    name : str
        A spec that :func:`hpo.problems.get_problem` turns back into this problem, such as
        ``"hartmann6"`` or ``"ackley:dim=5,shift=0"``.
    space : Space
        The search space.
    optimum : float or None
        The known global minimum f*, ``None`` when unknown (real tuning tasks).
    n_objectives : int
        Number of objectives; ``__call__`` returns a list of that many floats when > 1.
    reference_point : tuple of float or None
        For multi-objective problems, the reference point of the hypervolume.
    fidelity : Fidelity or None
        The resource the objective can be evaluated at (a budget under ``fidelity.name`` in
        the params), ``None`` for single-fidelity problems. ``optimum`` is at ``fidelity.high``.

    Subclasses implement :meth:`__call__`.
    """

    name: str = ""
    space: Space
    optimum: float | None = None
    fidelity: Fidelity | None = None
    n_objectives: int = 1
    reference_point: tuple[float, ...] | None = None

    def __call__(self, params: dict[str, Any]) -> float:
        """Evaluate one configuration (a dict of the space's parameter values)."""
        raise NotImplementedError

    def cost(self, params: dict[str, Any]) -> float:
        """What evaluating ``params`` costs, in units of the fidelity's resource.

        The budget under ``fidelity.name`` (``fidelity.high`` when absent); 1.0 for problems
        without a fidelity, so that cost counts evaluations there.
        """
        if self.fidelity is None:
            return 1.0
        return float(params.get(self.fidelity.name, self.fidelity.high))

    def regret(self, value: float) -> float | None:
        """Simple regret ``value - f*``, or ``None`` when f* is unknown."""
        return None if self.optimum is None else value - self.optimum

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
