"""Tree-structured test functions: conditional search spaces with a known optimum.

Registered with :func:`hpo.problems.get_problem` as ``"jenatton"`` and, for ablations, as
``"jenatton:flat=True"`` (the same function on a flat space where every parameter is always
present and the unused ones are ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hpo.problems.base import Problem
from hpo.space import Categorical, Real, Space

__all__ = ["Jenatton"]


class Jenatton(Problem):
    """The tree-structured function of Jenatton et al. (2017), a binary tree of depth 2.

    The root ``x1`` in {0, 1} chooses a branch; ``x2`` (when ``x1 = 0``) or ``x3`` (when
    ``x1 = 1``) chooses a leaf; each leaf has its own real parameter and each branch a shared
    real offset (``r8`` under ``x1 = 0``, ``r9`` under ``x1 = 1``)::

        f = x4^2 + 0.1 + r8   if x1 = 0, x2 = 0
            x5^2 + 0.2 + r8   if x1 = 0, x2 = 1
            x6^2 + 0.3 + r9   if x1 = 1, x3 = 0
            x7^2 + 0.4 + r9   if x1 = 1, x3 = 1

    with ``x4, ..., x7, r8, r9`` in ``[0, 1]``. The minimum ``f* = 0.1`` is at ``x1 = x2 = 0``,
    ``x4 = r8 = 0`` (a corner of its leaf: grids, which include bounds, find it at once).

    Parameters
    ----------
    flat : bool, default False
        Build the flat space (all nine parameters always present, none with ``when``); the
        function ignores the inactive ones. For ablations of conditional handling.

    References
    ----------
    R. Jenatton, C. Archambeau, J. Gonzalez and M. Seeger, "Bayesian optimization with
    tree-structured dependencies", ICML 2017, section 5 (synthetic tree). The domain
    ``[0, 1]`` and ``f* = 0.1`` follow the reference implementation in Ax
    (``ax/benchmark/problems/synthetic/hss/jenatton.py``).
    """

    optimum = 0.1
    #: A minimizer, as a configuration of the conditional space.
    minimizer: Mapping[str, Any] = {"x1": 0, "x2": 0, "x4": 0.0, "r8": 0.0}

    def __init__(self, flat: bool = False) -> None:
        if not isinstance(flat, bool):
            raise TypeError(f"Jenatton: flat must be a bool, got {flat!r}")
        self.flat = flat
        self.name = "jenatton:flat=True" if flat else "jenatton"

        def when(**cond: int) -> dict[str, Any]:
            return {"when": cond} if not flat else {}

        self.space = Space(
            {
                "x1": Categorical([0, 1]),
                "x2": Categorical([0, 1], **when(x1=0)),
                "x3": Categorical([0, 1], **when(x1=1)),
                "x4": Real(0.0, 1.0, **when(x2=0)),
                "x5": Real(0.0, 1.0, **when(x2=1)),
                "x6": Real(0.0, 1.0, **when(x3=0)),
                "x7": Real(0.0, 1.0, **when(x3=1)),
                "r8": Real(0.0, 1.0, **when(x1=0)),
                "r9": Real(0.0, 1.0, **when(x1=1)),
            }
        )

    def __call__(self, params: Mapping[str, Any]) -> float:
        """Evaluate one configuration (exactly the active parameters, unless ``flat``).

        Raises
        ------
        ValueError
            Naming a parameter that is missing, inactive, unknown or outside ``[0, 1]``.
        """
        p = self.space.validate(params)
        if p["x1"] == 0:
            leaf = p["x4"] ** 2 + 0.1 if p["x2"] == 0 else p["x5"] ** 2 + 0.2
            return float(leaf + p["r8"])
        leaf = p["x6"] ** 2 + 0.3 if p["x3"] == 0 else p["x7"] ** 2 + 0.4
        return float(leaf + p["r9"])


PROBLEMS = {"jenatton": Jenatton}
