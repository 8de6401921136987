"""hpo: hyperparameter optimization from scratch, behind one ask/tell interface."""

from hpo.exceptions import HPOWarning, NumericalWarning, SearchExhausted
from hpo.fidelity import Fidelity
from hpo.minimize import minimize
from hpo.moo import hypervolume
from hpo.optimizers import (
    ASHA,
    AsyncGPHyperband,
    BayesianOptimization,
    GeneticAlgorithm,
    GPHyperband,
    GridSearch,
    Hyperband,
    Optimizer,
    RandomSearch,
    SuccessiveHalving,
)
from hpo.space import Categorical, Integer, Real, Space
from hpo.trial import Result, Trial, TrialStatus

__version__ = "0.1.0"

__all__ = [
    "ASHA",
    "AsyncGPHyperband",
    "BayesianOptimization",
    "Categorical",
    "Fidelity",
    "GPHyperband",
    "GeneticAlgorithm",
    "GridSearch",
    "HPOWarning",
    "Hyperband",
    "Integer",
    "NumericalWarning",
    "Optimizer",
    "RandomSearch",
    "Real",
    "Result",
    "SearchExhausted",
    "Space",
    "SuccessiveHalving",
    "Trial",
    "TrialStatus",
    "hypervolume",
    "minimize",
]
