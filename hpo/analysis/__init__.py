"""Explain a search: which hyperparameters mattered, and how the loss depends on them.

>>> from hpo.analysis import importance, sensitivity, partial_dependence, as_trials

* :func:`importance` (DESIGN 1b): first-order variance fraction per parameter;
* :func:`sensitivity`: first-order, total and pairwise fractions with uncertainty bands,
  from a random forest's exact functional ANOVA, the GP's Sobol indices or PED-ANOVA;
* :func:`partial_dependence`: the GP's 1-D and 2-D partial dependence with its uncertainty;
* :func:`as_trials`: the space and trials of an optimizer, ``Result``, ``SearchCV``, journal
  record or ``hpo run --json`` file.
"""

from hpo.analysis.data import Run, as_trials, load_runs
from hpo.analysis.importance import SURROGATES, Sensitivity, importance, sensitivity
from hpo.analysis.partial_dependence import PartialDependence, partial_dependence

__all__ = [
    "SURROGATES",
    "PartialDependence",
    "Run",
    "Sensitivity",
    "as_trials",
    "importance",
    "load_runs",
    "partial_dependence",
    "sensitivity",
]
