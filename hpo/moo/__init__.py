"""Multi-objective building blocks: Pareto dominance, sorting, crowding and quality indicators.

All objectives are minimized. Points are arrays of shape ``(n_points, n_objectives)``.

Glossary
--------
``a`` dominates ``b``
    ``a <= b`` in every objective and ``a < b`` in at least one.
front
    A set of mutually non-dominated points; the *first* front of a set is its non-dominated
    subset, the k-th front is the first front of what is left after removing fronts 1..k-1.
hypervolume
    The Lebesgue measure of the region dominated by a set and bounded by a reference point
    ``r`` (worse than every point of interest in every objective).
"""

from hpo.moo.dominance import crowding_distance, dominates, is_non_dominated, non_dominated_sort
from hpo.moo.hypervolume import hypervolume
from hpo.moo.indicators import igd_plus

__all__ = [
    "crowding_distance",
    "dominates",
    "hypervolume",
    "igd_plus",
    "is_non_dominated",
    "non_dominated_sort",
]
