"""Conditional (tree-structured) problems: a synthetic tree and two real scikit-learn tasks.

Registered with :func:`hpo.problems.get_problem`:

- ``"jenatton"`` and, for ablations, ``"jenatton:flat=True"`` (the same function on a flat
  space where every parameter is always present and the unused ones are ignored);
- ``cond_mlp_solver_<d>_<metric>`` (``d`` in digits, breast_cancer; metric ``acc`` or
  ``logloss``): an ``MLPClassifier`` whose ``solver`` (adam, sgd, lbfgs) is searched with each
  solver's own parameters (:func:`solver_space`);
- ``cond_model_<d>_acc``: combined algorithm selection and hyperparameter optimization
  (Auto-WEKA's CASH problem) among ``MLPClassifier``, ``SVC`` and ``RandomForestClassifier``
  (:func:`model_space`); the loss is minus the mean CV accuracy (``SVC`` without
  ``probability=True`` has no log-loss, and accuracy is cheaper).

The real tasks follow the protocol of :mod:`hpo.problems.mlp` (Bayesmark's split and 5-fold CV
on the 80 %, standardized inputs, ``seed`` keyword); their ``optimum`` is ``None``.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from hpo.problems.base import Problem
from hpo.problems.mlp import (
    _FIXED,
    N_SPLITS,
    EvaluationFailed,
    MLPProblem,
    _split,
    lookup_reference,
)
from hpo.space import Categorical, Integer, Real, Space

__all__ = [
    "ConditionalMLPProblem",
    "Jenatton",
    "ModelSelectionProblem",
    "model_space",
    "reference",
    "solver_space",
]


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


# -- real tasks ---------------------------------------------------------------------------
#: Datasets of the real conditional tasks (classification, from :data:`hpo.problems.mlp.DATASETS`).
COND_DATASETS = ("digits", "breast_cancer")
_SGD_OR_ADAM = {"solver": ["adam", "sgd"]}
#: lbfgs has no early stopping and, at scikit-learn's 200 iterations, took 2.8-3.5 s per
#: evaluation on digits and breast_cancer (5 fits); 100 iterations keep it near adam's cost.
_LBFGS = {"solver": "lbfgs", "max_iter": 100}


def solver_space() -> Space:
    """An MLP space whose ``solver`` chooses among adam, sgd and lbfgs, each with its own
    parameters.

    Ranges are Bayesmark's (``mlp_adam_cfg``, ``mlp_sgd_cfg``; REFERENCE.md section 2).
    Always active: ``solver``, ``hidden_layer_sizes`` (units of one hidden layer), ``alpha``,
    ``tol``. adam and sgd only (lbfgs is full-batch and has no early stopping):
    ``batch_size``, ``learning_rate_init``, ``validation_fraction``. adam only: ``beta_1``,
    ``beta_2``, ``epsilon``. sgd only: ``momentum``, ``power_t``. lbfgs has no parameter of
    its own (``max_iter=100``, half scikit-learn's default, to bound its cost).
    """
    return Space(
        {
            "solver": Categorical(["adam", "sgd", "lbfgs"]),
            "hidden_layer_sizes": Integer(50, 200),
            "alpha": Real(1e-5, 1e1, log=True),
            "tol": Real(1e-5, 1e-1, log=True),
            "batch_size": Integer(10, 250, when=_SGD_OR_ADAM),
            "learning_rate_init": Real(1e-5, 1e-1, log=True, when=_SGD_OR_ADAM),
            "validation_fraction": Real(0.1, 0.9, logit=True, when=_SGD_OR_ADAM),
            "beta_1": Real(0.5, 0.99, logit=True, when={"solver": "adam"}),
            "beta_2": Real(0.9, 1.0 - 1e-6, logit=True, when={"solver": "adam"}),
            "epsilon": Real(1e-9, 1e-6, log=True, when={"solver": "adam"}),
            "momentum": Real(0.001, 0.999, logit=True, when={"solver": "sgd"}),
            "power_t": Real(0.1, 0.9, logit=True, when={"solver": "sgd"}),
        }
    )


class ConditionalMLPProblem(MLPProblem):
    """An :class:`~hpo.problems.mlp.MLPProblem` whose solver is a searched parameter.

    adam and sgd keep Bayesmark's fixed settings (``early_stopping=True``; sgd with
    ``learning_rate="invscaling", nesterovs_momentum=True``); lbfgs runs scikit-learn's
    defaults but ``max_iter=100``. Everything else (protocol, :meth:`evaluate_detailed`,
    failed fits) is :class:`~hpo.problems.mlp.MLPProblem`'s.

    Parameters
    ----------
    dataset : {"digits", "breast_cancer"}
    metric : {"acc", "logloss"}
    seed : int, default 0
    """

    def __init__(self, dataset: str, metric: str, *, seed: int = 0) -> None:
        if dataset not in COND_DATASETS:
            raise ValueError(f"dataset must be one of {COND_DATASETS}, got {dataset!r}")
        super().__init__("adam", dataset, metric, seed=seed)
        self.solver = "conditional"
        self.space = solver_space()
        base = f"cond_mlp_solver_{dataset}_{metric}"
        self.name = base if seed == 0 else f"{base}:seed={seed}"

    def estimator(self, params: Mapping[str, Any]) -> Any:
        """The unfitted pipeline of a configuration (validated: exactly the active set)."""
        kwargs = self.space.validate(params)
        solver = kwargs.pop("solver")
        fixed = _FIXED.get(solver, _LBFGS)
        kwargs["hidden_layer_sizes"] = (kwargs["hidden_layer_sizes"],)
        mlp = MLPClassifier(**fixed, **kwargs, random_state=self.seed)
        return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])

    def reference(self) -> dict[str, Any]:
        """This problem's reference values (see :func:`reference`)."""
        return reference(self.name)


def model_space() -> Space:
    """Choose the model (``"mlp"``, ``"svc"``, ``"rf"``) and its own parameters.

    mlp (adam, ``early_stopping=True``; Bayesmark's ranges): ``hidden_layer_sizes`` 50..200,
    ``alpha`` log 1e-5..1e1, ``batch_size`` 10..250, ``learning_rate_init`` log 1e-5..1e-1.
    svc (RBF kernel): ``C`` log 1e-3..1e3, ``gamma`` log 1e-5..1e1. rf: ``n_estimators``
    10..100 (up to 200 took up to 3.4 s per evaluation on digits), ``max_depth`` 2..20,
    ``max_features`` (fraction of features) 0.1..1.0.
    """
    mlp, svc, rf = {"model": "mlp"}, {"model": "svc"}, {"model": "rf"}
    return Space(
        {
            "model": Categorical(["mlp", "svc", "rf"]),
            "hidden_layer_sizes": Integer(50, 200, when=mlp),
            "alpha": Real(1e-5, 1e1, log=True, when=mlp),
            "batch_size": Integer(10, 250, when=mlp),
            "learning_rate_init": Real(1e-5, 1e-1, log=True, when=mlp),
            "C": Real(1e-3, 1e3, log=True, when=svc),
            "gamma": Real(1e-5, 1e1, log=True, when=svc),
            "n_estimators": Integer(10, 100, when=rf),
            "max_depth": Integer(2, 20, when=rf),
            "max_features": Real(0.1, 1.0, when=rf),
        }
    )


class ModelSelectionProblem(Problem):
    """Model selection and tuning among an MLP, an RBF SVM and a random forest.

    The protocol of :mod:`hpo.problems.mlp` (stratified 80/20 split by ``seed``, unshuffled
    ``StratifiedKFold(5)`` on the 80 %, inputs standardized inside the pipeline); the loss is
    minus the mean CV accuracy. Models take ``random_state=seed``; the forest runs on one
    thread. A fit that raises makes the call raise
    :class:`~hpo.problems.mlp.EvaluationFailed` (a failed trial).

    Parameters
    ----------
    dataset : {"digits", "breast_cancer"}
    seed : int, default 0

    Attributes
    ----------
    last_info : dict or None
        ``model``, ``fold_losses``, ``wall_time``, ``n_convergence_warnings`` of the last call.
    """

    optimum = None

    def __init__(self, dataset: str, *, seed: int = 0) -> None:
        if dataset not in COND_DATASETS:
            raise ValueError(f"dataset must be one of {COND_DATASETS}, got {dataset!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.dataset, self.seed, self.metric = dataset, seed, "acc"
        self.space = model_space()
        base = f"cond_model_{dataset}_acc"
        self.name = base if seed == 0 else f"{base}:seed={seed}"
        self.last_info: dict[str, Any] | None = None

    def estimator(self, params: Mapping[str, Any]) -> Any:
        """The unfitted pipeline of a configuration (validated: exactly the active set)."""
        p = self.space.validate(params)
        model = p.pop("model")
        if model == "mlp":
            p["hidden_layer_sizes"] = (p["hidden_layer_sizes"],)
            est: Any = MLPClassifier(**_FIXED["adam"], **p, random_state=self.seed)
        elif model == "svc":
            est = SVC(kernel="rbf", **p, random_state=self.seed)
        else:
            est = RandomForestClassifier(**p, n_jobs=1, random_state=self.seed)
        return Pipeline([("scale", StandardScaler()), ("model", est)])

    def __call__(self, params: Mapping[str, Any]) -> float:
        """Minus the mean 5-fold CV accuracy of a configuration.

        Raises
        ------
        EvaluationFailed
            If a fit raised or the loss is not finite.
        ValueError
            If ``params`` is not a configuration of the space (missing or inactive names).
        """
        start = time.perf_counter()
        model = self.estimator(params)
        X, _, y, _ = _split(self.dataset, self.seed)
        losses = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for k, (tr, va) in enumerate(StratifiedKFold(N_SPLITS).split(X, y)):
                try:
                    losses.append(-float(clone(model).fit(X[tr], y[tr]).score(X[va], y[va])))
                except Exception as err:  # a failed fit is a failed trial
                    raise EvaluationFailed(f"fold {k}: {type(err).__name__}: {err}") from err
        loss = float(np.mean(losses))
        self.last_info = {
            "model": params.get("model"),
            "fold_losses": losses,
            "wall_time": time.perf_counter() - start,
            "n_convergence_warnings": sum(
                issubclass(w.category, ConvergenceWarning) for w in caught
            ),
        }
        if not math.isfinite(loss):
            raise EvaluationFailed(f"loss is {loss}")
        return loss

    def reference(self) -> dict[str, Any]:
        """This problem's reference values (see :func:`reference`)."""
        return reference(self.name)


# -- reference values ---------------------------------------------------------------------
def reference(problem_name: str) -> dict[str, Any]:
    """Reference values of a real conditional task, for Bayesmark's normalized score.

    Made by ``benchmarks/conditional_reference.py`` (the method of
    :func:`hpo.problems.mlp.reference`: a random pool gives the exact quantiles of random
    search's best loss, the best known loss comes from the pool and long ``bayes`` runs) and
    committed as ``hpo/problems/data/conditional_reference.json``.

    Parameters
    ----------
    problem_name : str
        A problem name (seed 0, the only seed with reference values).

    Returns
    -------
    dict
        ``best_known``, ``random_median``, ``random_q25``, ``random_q75`` (best loss after
        t = 1..T evaluations of random search), ``n_pool`` and provenance.

    Raises
    ------
    ValueError
        For a name without reference values.
    """
    return lookup_reference(problem_name, "conditional_reference.json")


def _solver_factory(dataset: str, metric: str) -> Any:
    def make(*, seed: int = 0) -> ConditionalMLPProblem:
        return ConditionalMLPProblem(dataset, metric, seed=seed)

    return make


def _model_factory(dataset: str) -> Any:
    def make(*, seed: int = 0) -> ModelSelectionProblem:
        return ModelSelectionProblem(dataset, seed=seed)

    return make


PROBLEMS: dict[str, Any] = {"jenatton": Jenatton}
for _d in COND_DATASETS:
    for _m in ("acc", "logloss"):
        PROBLEMS[f"cond_mlp_solver_{_d}_{_m}"] = _solver_factory(_d, _m)
    PROBLEMS[f"cond_model_{_d}_acc"] = _model_factory(_d)
