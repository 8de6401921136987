"""Tuning scikit-learn multilayer perceptrons on built-in datasets, in the style of Bayesmark.

Problems
--------
``mlp_<solver>_<dataset>_<metric>``, listed in the catalogue of :func:`hpo.problems.get_problem`:

- ``mlp_adam_<d>_acc``, ``mlp_adam_<d>_logloss``, ``mlp_sgd_<d>_acc``,
  ``mlp_sgd_<d>_logloss`` for ``d`` in digits, breast_cancer, wine, iris:
  ``MLPClassifier`` with that solver; the loss is minus the mean CV accuracy, or the mean CV
  log-loss;
- ``mlp_adam_diabetes_mse``: ``MLPRegressor(solver="adam")``; the loss is the mean CV mean
  squared error (in squared target units).

A keyword ``seed`` (default 0) picks the data split, the folds and the network's
``random_state``; ``"mlp_adam_iris_acc:seed=3"`` is the same task on another split. Reference
values (:func:`reference`) exist for seed 0 (Bayesmark's ``random_state``).

Search spaces
-------------
Bayesmark's (``bayesmark/sklearn_funcs.py``, ``mlp_adam_cfg`` and ``mlp_sgd_cfg``).

adam (``early_stopping=True``): ``hidden_layer_sizes`` (one hidden layer of that many units)
Integer 50..200, ``alpha`` log 1e-5..1e1, ``batch_size`` Integer 10..250,
``learning_rate_init`` log 1e-5..1e-1, ``tol`` log 1e-5..1e-1, ``validation_fraction`` logit
0.1..0.9, ``beta_1`` logit 0.5..0.99, ``beta_2`` logit 0.9..1-1e-6, ``epsilon`` log 1e-9..1e-6.
The diabetes regressor uses this same space, as Bayesmark does.

sgd (``early_stopping=True, learning_rate="invscaling", nesterovs_momentum=True``):
``hidden_layer_sizes``, ``alpha``, ``batch_size``, ``learning_rate_init`` as above,
``power_t`` logit 0.1..0.9, ``tol`` log 1e-5..1e-1, ``momentum`` logit 0.001..0.999,
``validation_fraction`` logit 0.1..0.9.

Everything else keeps scikit-learn's defaults (``max_iter=200``, ``n_iter_no_change=10``,
ReLU), as in Bayesmark; early stopping ends most fits well before 200 epochs.

Protocol
--------
``train_test_split(test_size=0.2, random_state=seed, shuffle=True)`` (stratified for
classifiers, unlike Bayesmark), then 5-fold cross-validation on the 80 % with the folds of
scikit-learn's ``cv=5`` (``StratifiedKFold(5)`` for classifiers, ``KFold(5)`` for the
regressor, unshuffled: the split already shuffled), fixed once per problem. The loss is minus
the mean CV score. Two departures from Bayesmark, both to make the tasks well posed: inputs are
standardized by a ``StandardScaler`` inside a ``Pipeline`` (fitted on each training fold only),
and the regressor's target is standardized too (``TransformedTargetRegressor``; the MSE is
still reported in the target's units). The network's ``random_state`` is the problem's seed, so
an evaluation is deterministic given its configuration and the seed.

What an evaluation records
--------------------------
``problem(params)`` returns the CV loss and leaves a dict in ``problem.last_info``;
:meth:`MLPProblem.evaluate_detailed` returns that dict directly (see its docstring): the loss of
every metric of the task from the same fits (so ``_acc`` and ``_logloss`` share their fits),
per-fold losses, wall and fit time, the number of ``ConvergenceWarning`` s (captured, never
printed) and epochs. The held-out 20 % is scored only on request,
``evaluate_detailed(params, holdout=True)`` or :meth:`MLPProblem.test_loss`, so that a study pays
for one refit per run (its final incumbent), not one per evaluation. A fit that fails (an
exception, such as scikit-learn's "Solver produced non-finite parameter weights", or a
non-finite loss) makes ``problem(params)`` raise :class:`EvaluationFailed`, which
:func:`hpo.minimize` and the study runner record as a failed trial. Warnings are captured with
:func:`warnings.catch_warnings`, which is not thread-safe: evaluate in parallel with processes.

Cost
----
CPU seconds of one evaluation (5 fits, one BLAS thread), median and 90th percentile over the
random configurations of the reference pools: digits adam 0.89 / 3.6, digits sgd 0.47 / 3.0,
breast_cancer 0.21-0.28 / 0.5-0.9, diabetes 0.21 / 1.1, wine and iris 0.14-0.23 / 0.3-0.5
(``eval_cpu_time_median`` in :func:`reference`). Bayesmark's defaults bound the cost: at most
``max_iter=200`` epochs, and early stopping ends most fits sooner (on digits, over 30 random
configurations: median 45 epochs with adam, 22 with sgd; 23 % and 9 % of fits reach 200).
"""

from __future__ import annotations

import functools
import json
import math
import time
import warnings
from importlib import resources
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from hpo.problems import parse_spec
from hpo.problems.base import Problem
from hpo.space import Integer, Real, Space

__all__ = [
    "DATASETS",
    "METRICS",
    "PROBLEM_NAMES",
    "EvaluationFailed",
    "MLPProblem",
    "mlp_space",
    "random_search_quantiles",
    "reference",
]

#: Dataset name -> (loader in sklearn.datasets, task).
DATASETS = {
    "digits": ("load_digits", "classification"),
    "breast_cancer": ("load_breast_cancer", "classification"),
    "wine": ("load_wine", "classification"),
    "iris": ("load_iris", "classification"),
    "diabetes": ("load_diabetes", "regression"),
}
#: Task -> the metrics of that task, each a loss (lower is better).
METRICS = {"classification": ("acc", "logloss"), "regression": ("mse",)}
N_SPLITS = 5
TEST_SIZE = 0.2

_FIXED = {
    "adam": {"solver": "adam", "early_stopping": True},
    "sgd": {
        "solver": "sgd",
        "early_stopping": True,
        "learning_rate": "invscaling",
        "nesterovs_momentum": True,
    },
}


class EvaluationFailed(RuntimeError):
    """A configuration whose fit raised or whose loss is not finite: a failed trial."""


def mlp_space(solver: str) -> Space:
    """Bayesmark's search space of ``MLP-adam`` or ``MLP-sgd`` (see the module docstring)."""
    shared = {
        "hidden_layer_sizes": Integer(50, 200),
        "alpha": Real(1e-5, 1e1, log=True),
        "batch_size": Integer(10, 250),
        "learning_rate_init": Real(1e-5, 1e-1, log=True),
    }
    if solver == "adam":
        return Space(
            {
                **shared,
                "tol": Real(1e-5, 1e-1, log=True),
                "validation_fraction": Real(0.1, 0.9, logit=True),
                "beta_1": Real(0.5, 0.99, logit=True),
                "beta_2": Real(0.9, 1.0 - 1e-6, logit=True),
                "epsilon": Real(1e-9, 1e-6, log=True),
            }
        )
    if solver == "sgd":
        return Space(
            {
                **shared,
                "power_t": Real(0.1, 0.9, logit=True),
                "tol": Real(1e-5, 1e-1, log=True),
                "momentum": Real(0.001, 0.999, logit=True),
                "validation_fraction": Real(0.1, 0.9, logit=True),
            }
        )
    raise ValueError(f"solver must be 'adam' or 'sgd', got {solver!r}")


@functools.lru_cache(maxsize=32)
def _split(dataset: str, seed: int) -> tuple[np.ndarray, ...]:
    """``(X_train, X_test, y_train, y_test)`` of one dataset and seed, loaded once per process."""
    loader, task = DATASETS[dataset]
    X, y = getattr(datasets, loader)(return_X_y=True)
    stratify = y if task == "classification" else None
    parts = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=seed, shuffle=True, stratify=stratify
    )
    for a in parts:
        a.setflags(write=False)
    return tuple(parts)


class MLPProblem(Problem):
    """One MLP tuning task: a solver, a dataset, a metric and a seed.

    Parameters
    ----------
    solver : {"adam", "sgd"}
    dataset : {"digits", "breast_cancer", "wine", "iris", "diabetes"}
        ``"diabetes"`` (regression) only with ``solver="adam"`` and ``metric="mse"``.
    metric : {"acc", "logloss", "mse"}
        ``"acc"`` (loss = minus the accuracy) and ``"logloss"`` for classification, ``"mse"``
        for regression.
    seed : int, default 0
        Seed of the train/test split and of the network's ``random_state``.

    Attributes
    ----------
    last_info : dict or None
        What the last call of the problem recorded (see :meth:`evaluate_detailed`).

    Examples
    --------
    >>> from hpo.problems import get_problem
    >>> p = get_problem("mlp_adam_iris_acc")
    >>> p.name, p.optimum, len(p.space)
    ('mlp_adam_iris_acc', None, 9)
    """

    optimum = None

    def __init__(self, solver: str, dataset: str, metric: str, *, seed: int = 0) -> None:
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {dataset!r}")
        self.task = DATASETS[dataset][1]
        if metric not in METRICS[self.task]:
            raise ValueError(
                f"metric must be one of {METRICS[self.task]} for {dataset}, got {metric!r}"
            )
        if self.task == "regression" and solver != "adam":
            raise ValueError(f"solver must be 'adam' for {dataset}, got {solver!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.solver, self.dataset, self.metric, self.seed = solver, dataset, metric, seed
        self.space = mlp_space(solver)
        base = f"mlp_{solver}_{dataset}_{metric}"
        self.name = base if seed == 0 else f"{base}:seed={seed}"
        self.last_info: dict[str, Any] | None = None

    # -- data and model -----------------------------------------------------------------
    @property
    def data(self) -> tuple[np.ndarray, ...]:
        """``(X_train, X_test, y_train, y_test)``: the 80 % searched on and the held-out 20 %."""
        return _split(self.dataset, self.seed)

    @property
    def folds(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The fixed ``(train_indices, validation_indices)`` pairs of the 5-fold CV."""
        X_train, _, y_train, _ = self.data
        cv = StratifiedKFold(N_SPLITS) if self.task == "classification" else KFold(N_SPLITS)
        return list(cv.split(X_train, y_train))

    def estimator(self, params: dict[str, Any]) -> Any:
        """The unfitted scikit-learn model of a configuration (validated against the space)."""
        kwargs = self.space.validate(params)
        kwargs["hidden_layer_sizes"] = (kwargs["hidden_layer_sizes"],)
        if self.task == "classification":
            mlp = MLPClassifier(**_FIXED[self.solver], **kwargs, random_state=self.seed)
        else:
            mlp = MLPRegressor(**_FIXED[self.solver], **kwargs, random_state=self.seed)
        model = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
        if self.task == "regression":
            return TransformedTargetRegressor(regressor=model, transformer=StandardScaler())
        return model

    def _losses(self, model: Any, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """Every metric of the task as a loss, for one fitted model on ``(X, y)``."""
        if self.task == "regression":
            return {"mse": float(mean_squared_error(y, model.predict(X)))}
        proba = model.predict_proba(X)
        return {
            "acc": -float(accuracy_score(y, model.predict(X))),
            "logloss": float(log_loss(y, proba, labels=model.classes_)),
        }

    # -- evaluation ---------------------------------------------------------------------
    def __call__(self, params: dict[str, Any]) -> float:
        """Mean CV loss of a configuration.

        Raises
        ------
        EvaluationFailed
            If a fit raised or the loss is not finite (a failed trial).
        ValueError
            If ``params`` is not a configuration of the space.
        """
        info = self.evaluate_detailed(params)
        if info["error"] is not None:
            raise EvaluationFailed(info["error"])
        return info["loss"]

    def evaluate_detailed(self, params: dict[str, Any], *, holdout: bool = False) -> dict:
        """Evaluate a configuration and return everything recorded (also kept in
        :attr:`last_info`). Never raises for a failed fit: ``error`` says what went wrong.

        Parameters
        ----------
        params : dict
            A configuration of :attr:`space`.
        holdout : bool, default False
            Also refit on the whole 80 % and score the held-out 20 % (about 1.25 fold fits
            more).

        Returns
        -------
        dict
            ``loss`` (float, NaN if failed): the problem's CV loss; ``losses``: the mean CV
            loss of every metric of the task (``{"acc": ..., "logloss": ...}``);
            ``fold_losses``: per-fold losses of every metric; ``loss_std``: standard deviation
            of the problem's fold losses; ``error``: ``None`` or the reason of a failure;
            ``wall_time``, ``fit_time`` (seconds), ``cpu_time`` (CPU seconds of this process,
            which a busy machine inflates less than wall time); ``n_iter``: epochs run per fold;
            ``n_convergence_warnings``, ``n_other_warnings``. With ``holdout``: ``test_loss``
            and ``test_losses``.
        """
        start, cpu_start = time.perf_counter(), time.process_time()
        model = self.estimator(params)
        X_train, X_test, y_train, y_test = self.data
        info: dict[str, Any] = {"error": None, "fit_time": 0.0, "n_iter": []}
        fold_losses: dict[str, list[float]] = {m: [] for m in METRICS[self.task]}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for k, (train, valid) in enumerate(self.folds):
                losses = self._fit_and_score(
                    model, info, X_train[train], y_train[train], X_train[valid], y_train[valid]
                )
                if losses is None:
                    info["error"] = f"fold {k}: {info['error']}"
                    break
                for m, v in losses.items():
                    fold_losses[m].append(v)
            if holdout and info["error"] is None:
                test = self._fit_and_score(model, info, X_train, y_train, X_test, y_test)
                if test is None:
                    info["error"] = f"holdout refit: {info['error']}"
                else:
                    info["test_losses"] = test
                    info["test_loss"] = test[self.metric]
        info["n_convergence_warnings"] = sum(
            issubclass(w.category, ConvergenceWarning) for w in caught
        )
        info["n_other_warnings"] = len(caught) - info["n_convergence_warnings"]
        ok = info["error"] is None
        info["fold_losses"] = fold_losses
        info["losses"] = {m: float(np.mean(v)) if ok else math.nan for m, v in fold_losses.items()}
        info["loss"] = info["losses"][self.metric]
        info["loss_std"] = float(np.std(fold_losses[self.metric])) if ok else math.nan
        info["wall_time"] = time.perf_counter() - start
        info["cpu_time"] = time.process_time() - cpu_start
        self.last_info = info
        return info

    def _fit_and_score(self, model: Any, info: dict, X: np.ndarray, y: np.ndarray, Xv, yv):
        """Fit a clone of ``model`` on ``(X, y)``; its losses on ``(Xv, yv)``, or ``None``
        with ``info["error"]`` set when the fit raises or a loss is not finite."""
        fitted = clone(model)
        t0 = time.perf_counter()
        try:
            fitted.fit(X, y)
            losses = self._losses(fitted, Xv, yv)
        except Exception as err:  # any failure of a fit is a failed trial, not a crash
            info["error"] = f"{type(err).__name__}: {err}"
            return None
        finally:
            info["fit_time"] += time.perf_counter() - t0
        mlp = fitted.regressor_ if self.task == "regression" else fitted
        info["n_iter"].append(int(mlp.named_steps["mlp"].n_iter_))
        bad = [m for m, v in losses.items() if not math.isfinite(v)]
        if bad:
            info["error"] = f"{bad[0]} is {losses[bad[0]]}"
            return None
        return losses

    def test_loss(self, params: dict[str, Any]) -> float:
        """Loss on the held-out 20 % of the model refit on the whole 80 %.

        Raises
        ------
        EvaluationFailed
            If the fit raised or the loss is not finite.
        """
        X_train, X_test, y_train, y_test = self.data
        info: dict[str, Any] = {"error": None, "fit_time": 0.0, "n_iter": []}
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            losses = self._fit_and_score(
                self.estimator(params), info, X_train, y_train, X_test, y_test
            )
        if losses is None:
            raise EvaluationFailed(info["error"])
        return losses[self.metric]

    def reference(self) -> dict[str, Any]:
        """This problem's reference values (see :func:`reference`)."""
        return reference(self.name)


# -- reference values ---------------------------------------------------------------------
@functools.cache
def load_reference_file(filename: str) -> dict[str, Any]:
    """A committed reference file, ``hpo/problems/data/FILENAME`` (read once), or
    ``{"problems": {}}`` when the package does not ship it."""
    path = resources.files("hpo.problems").joinpath("data", filename)
    if not path.is_file():
        return {"problems": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def lookup_reference(problem_name: str, filename: str) -> dict[str, Any]:
    """The reference values of ``problem_name`` (seed 0 only) in the reference file
    ``filename``; a ValueError naming the problem when it has none."""
    base, kwargs = parse_spec(problem_name)
    if kwargs.get("seed", 0) != 0 or set(kwargs) - {"seed"}:
        raise ValueError(f"problem_name: reference values exist for seed 0 only, got {kwargs}")
    problems = load_reference_file(filename)["problems"]
    if base not in problems:
        raise ValueError(f"problem_name: no reference values for {base!r}")
    return dict(problems[base])


def reference(problem_name: str) -> dict[str, Any]:
    """Reference values of an MLP problem, for Bayesmark's normalized score.

    Made by ``benchmarks/mlp_reference.py`` (see its docstring) and committed as
    ``hpo/problems/data/mlp_reference.json``.

    Parameters
    ----------
    problem_name : str
        A problem name (seed 0, the only seed with reference values).

    Returns
    -------
    dict
        ``best_known`` (float): the lowest loss any long run found (not a proven optimum);
        ``random_median``, ``random_q25``, ``random_q75`` (lists of length T): quantiles of
        the best loss after t = 1..T evaluations of random search; ``n_pool``: number of
        random configurations they come from; and provenance (``best_known_params``,
        ``best_known_source``, ``eval_time_median``, ...).

    Raises
    ------
    ValueError
        For a name without reference values.
    """
    return lookup_reference(problem_name, "mlp_reference.json")


def random_search_quantiles(
    losses: np.ndarray, n_trials: int, q: tuple[float, ...] = (0.25, 0.5, 0.75)
) -> np.ndarray:
    """Quantiles of random search's best loss after t = 1..n_trials evaluations, from a pool.

    Random search draws i.i.d. configurations; with F the empirical distribution of a pool of N
    evaluated random configurations (failed ones counted as +inf: drawn, never an
    improvement), the best of t draws S_t has P(S_t <= v_(k)) = 1 - (1 - k/N)^t for the sorted
    pool v_(1) <= ... <= v_(N). Its q-quantile is v_(k*) with k* the least k where that
    probability reaches q, k* = ceil(N (1 - (1 - q)^(1/t))). This is the limit of resampling
    runs from the pool with replacement, without its Monte Carlo noise.

    Parameters
    ----------
    losses : ndarray of shape (N,)
        Losses of the pool, NaN for failed evaluations.
    n_trials : int
        T, the longest run.
    q : tuple of float
        Probabilities in (0, 1).

    Returns
    -------
    ndarray of shape (len(q), n_trials)
        Row i holds the q[i]-quantile of S_t for t = 1..T (+inf where most runs have no
        success yet).
    """
    v = np.sort(np.where(np.isnan(losses), np.inf, np.asarray(losses, dtype=float)))
    n = v.size
    t = np.arange(1, n_trials + 1)
    out = np.empty((len(q), n_trials))
    for i, qi in enumerate(q):
        k = np.ceil(n * (1.0 - (1.0 - qi) ** (1.0 / t)) - 1e-9).astype(int)
        out[i] = v[np.clip(k, 1, n) - 1]
    return out


# -- registration -------------------------------------------------------------------------
PROBLEM_NAMES = [
    f"mlp_{solver}_{dataset}_{metric}"
    for solver in ("adam", "sgd")
    for dataset, (_, task) in DATASETS.items()
    for metric in METRICS[task]
    if task == "classification" or solver == "adam"
]


def _factory(name: str) -> functools.partial[MLPProblem]:
    _, solver, *rest = name.split("_")
    return functools.partial(MLPProblem, solver, "_".join(rest[:-1]), rest[-1])


#: Listed in the catalogue of :mod:`hpo.problems`: name -> factory.
PROBLEMS = {name: _factory(name) for name in PROBLEM_NAMES}
