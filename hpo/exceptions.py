"""Exceptions and warnings raised by hpo.

Errors about bad input are plain ``ValueError`` / ``TypeError`` whose message names the
parameter and the rule; the classes here mark conditions a caller may want to catch or filter.
"""

from __future__ import annotations


class SearchExhausted(Exception):
    """A finite optimizer (such as :class:`~hpo.GridSearch`) has nothing left to propose.

    :func:`hpo.minimize` and the study runner stop cleanly when they catch it.
    """


class HPOWarning(UserWarning):
    """Base class of every warning hpo emits, so ``warnings.filterwarnings`` can target them."""


class NumericalWarning(HPOWarning):
    """Numerical trouble handled in place: jitter added, a fit restarted or a fallback used."""
