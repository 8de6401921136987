"""The shape every problem shares: a search space, an objective, and its known optimum."""

from __future__ import annotations

from typing import Any

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

    Subclasses implement :meth:`__call__`.
    """

    name: str = ""
    space: Space
    optimum: float | None = None

    def __call__(self, params: dict[str, Any]) -> float:
        """Evaluate one configuration (a dict of the space's parameter values)."""
        raise NotImplementedError

    def regret(self, value: float) -> float | None:
        """Simple regret ``value - f*``, or ``None`` when f* is unknown."""
        return None if self.optimum is None else value - self.optimum

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
