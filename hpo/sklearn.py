"""``SearchCV``: a scikit-learn hyperparameter search driven by any hpo optimizer.

A drop-in sibling of :class:`~sklearn.model_selection.GridSearchCV` and scikit-optimize's
``BayesSearchCV``: it proposes configurations with an hpo optimizer (grid, random, Bayesian
optimization, the genetic algorithm, or an instance), scores each by cross-validation on
folds fixed once per fit, tells the optimizer minus the mean CV score, and ends like
``GridSearchCV`` (``cv_results_`` in its format, ``best_params_``, a refit
``best_estimator_``).

Parallelism
-----------
Each round asks the optimizer for ``batch_size`` configurations (``ask(n)``; every hpo
optimizer proposes distinct batches) and runs all ``batch_size x n_splits`` fits through one
``joblib.Parallel(n_jobs)`` of scikit-learn, as ``GridSearchCV`` does with its candidates.
With the default ``batch_size=1`` only the folds run in parallel, and the optimizer sees every
result before its next proposal; a larger batch keeps more than ``n_splits`` workers busy at the
price of proposals made with fewer results.
"""

from __future__ import annotations

import copy
import logging
import math
import numbers
import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from hpo._seed import SeedLike
from hpo.exceptions import SearchExhausted
from hpo.optimizers import Optimizer, make_optimizer
from hpo.space import Space

__all__ = ["SearchCV"]

logger = logging.getLogger("hpo")


def _fit_and_score(
    estimator: Any,
    X: Any,
    y: Any,
    train: np.ndarray,
    test: np.ndarray,
    params: dict[str, Any],
    scorer: Any,
    fit_params: dict[str, Any],
    error_score: Any,
) -> dict[str, Any]:
    """Fit ``estimator`` with ``params`` on one training fold and score it on its test fold.

    Returns ``{"score", "fit_time", "score_time", "error"}``; a fit or score that raises gives
    ``score = error_score`` and the reason in ``error``, or re-raises if ``error_score`` is
    ``"raise"``.
    """
    estimator = estimator.set_params(**clone(params, safe=False))
    n = len(train) + len(test)
    fold_params = {
        k: _safe_indexing(v, train) if hasattr(v, "__len__") and len(v) == n else v
        for k, v in fit_params.items()
    }
    y_train = None if y is None else _safe_indexing(y, train)
    y_test = None if y is None else _safe_indexing(y, test)
    start = time.perf_counter()
    fit_time = score_time = 0.0
    try:
        estimator.fit(_safe_indexing(X, train), y_train, **fold_params)
        fit_time = time.perf_counter() - start
        score = scorer(estimator, _safe_indexing(X, test), y_test)
        score_time = time.perf_counter() - start - fit_time
        if not isinstance(score, numbers.Real):
            raise TypeError(f"scoring must return a single number, got {score!r}")
    except Exception as err:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        if not fit_time:
            fit_time = time.perf_counter() - start
        return {
            "score": float(error_score),
            "fit_time": fit_time,
            "score_time": score_time,
            "error": f"{type(err).__name__}: {err}",
        }
    return {"score": float(score), "fit_time": fit_time, "score_time": score_time, "error": None}


def _estimator_has(attr: str):
    """Whether a method can be delegated: to the refit best estimator once fitted, to the
    unfitted estimator before, so that ``hasattr`` works on an unfitted search."""

    def check(self: SearchCV) -> bool:
        _check_refit(self, attr)
        getattr(self.best_estimator_ if hasattr(self, "best_estimator_") else self.estimator, attr)
        return True

    return check


def _check_refit(search: SearchCV, attr: str) -> None:
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} was built with refit=False; {attr} is available "
            "only after refitting on the best parameters (see best_params_)."
        )


class SearchCV(MetaEstimatorMixin, BaseEstimator):
    """Hyperparameter search by cross-validation, proposals made by an hpo optimizer.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn estimator (or pipeline), cloned for every fit.
    space : Space or dict of str to Parameter
        What to search: names are parameters of ``estimator`` (nested ``step__param`` names
        allowed), values hpo parameters (``Real``, ``Integer``, ``Categorical``).
    optimizer : str, Optimizer subclass or Optimizer, default "bayes"
        ``"grid"``, ``"random"``, ``"bayes"``, ``"ga"`` (any name of
        :func:`hpo.optimizers.make_optimizer`), a class, or an instance over ``space``; an
        instance is copied at each fit, so ``fit`` never changes it (and ``seed`` is unused).
    n_iter : int, default 50
        Number of configurations evaluated (fewer if a finite optimizer runs out).
    cv : int, cross-validation generator or iterable, default 5
        As in ``GridSearchCV``: an int gives ``StratifiedKFold`` for classifiers, ``KFold``
        otherwise. The folds are drawn once per fit and shared by every configuration.
    scoring : str or callable, optional
        One scorer (greater is better); ``None`` uses ``estimator.score``.
    n_jobs : int, optional
        Parallel fits (folds, and configurations of a batch), through joblib.
    refit : bool, default True
        Refit the best configuration on the whole data as ``best_estimator_``.
    seed : int, numpy.random.Generator or None
        Seed of the optimizer (the estimator's own ``random_state`` is left alone).
    error_score : "raise" or float, default NaN
        Score of a fold whose fit or scoring raised; the configuration is told to the
        optimizer as a failed trial and the search goes on (with a ``FitFailedWarning``).
        ``"raise"`` re-raises the error.
    batch_size : int, default 1
        Configurations asked at once and evaluated in parallel (see the module docstring).

    Attributes
    ----------
    cv_results_ : dict of str to ndarray
        ``GridSearchCV``'s format: ``params``, ``param_<name>`` (masked arrays),
        ``split<k>_test_score``, ``mean_test_score``, ``std_test_score``, ``rank_test_score``
        (NaN scores ranked last), ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
        ``std_score_time``; one entry per configuration in the order evaluated.
    best_index_, best_score_, best_params_
        The configuration with the best mean test score (the first among ties).
    best_estimator_ : estimator
        Refit on all the data (``refit=True`` only).
    refit_time_ : float
        Seconds spent refitting.
    n_splits_ : int
    scorer_ : callable
    optimizer_ : Optimizer
        The optimizer after the search; its ``trials`` hold the values told (minus the mean
        CV score), the time of ``ask``/``tell`` and ``eval_time`` (the configuration's fit
        and score seconds summed over folds).

    Notes
    -----
    Differences from ``GridSearchCV``: one scorer only (the optimizer minimizes one number),
    so ``refit`` is a bool; ``**fit_params`` go to ``estimator.fit`` only (scikit-learn 1.9's
    ``GridSearchCV`` also weights its scorer by a ``sample_weight`` fit parameter); no metadata
    routing, no ``return_train_score``, no precomputed-kernel (pairwise) splitting.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hpo import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)}, optimizer="random",
    ...                   n_iter=5, seed=0).fit(X, y)
    >>> len(search.cv_results_["params"]), search.best_score_ > 0.9
    (5, True)
    """

    def __init__(
        self,
        estimator: Any,
        space: Space | Mapping[str, Any],
        optimizer: str | type[Optimizer] | Optimizer = "bayes",
        n_iter: int = 50,
        cv: Any = 5,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool = True,
        seed: SeedLike = None,
        error_score: Any = np.nan,
        batch_size: int = 1,
    ) -> None:
        self.estimator = estimator
        self.space = space
        self.optimizer = optimizer
        self.n_iter = n_iter
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.seed = seed
        self.error_score = error_score
        self.batch_size = batch_size

    # -- checks made before any fit -----------------------------------------------------
    def _check_space(self) -> Space:
        space = self.space if isinstance(self.space, Space) else Space(self.space)
        accepted = self.estimator.get_params(deep=True)
        unknown = [name for name in space.names if name not in accepted]
        if unknown:
            raise ValueError(
                f"space: {unknown[0]!r} is not a parameter of {type(self.estimator).__name__}; "
                f"valid names are {sorted(accepted)}"
            )
        return space

    def _check_options(self) -> None:
        for name in ("n_iter", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not (self.error_score == "raise" or isinstance(self.error_score, numbers.Real)):
            raise ValueError(f"error_score must be 'raise' or a number, got {self.error_score!r}")
        if not isinstance(self.refit, (bool, np.bool_)):
            raise ValueError(f"refit must be True or False, got {self.refit!r}")

    # -- the search ---------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> SearchCV:
        """Search, then refit the best configuration on all of ``X, y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
        groups : array-like of shape (n_samples,), optional
            Group labels for group-aware ``cv`` splitters.
        **fit_params
            Passed to ``estimator.fit``; arrays of length ``n_samples`` are split with the
            folds.

        Returns
        -------
        self
        """
        space = self._check_space()
        self._check_options()
        scorer = check_scoring(self.estimator, scoring=self.scoring)
        template = copy.deepcopy(self.optimizer) if isinstance(self.optimizer, Optimizer) else None
        opt = make_optimizer(
            template or self.optimizer, space, seed=self.seed, budget=int(self.n_iter)
        )
        X, y, groups = indexable(X, y, groups)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, groups))
        n_splits = len(splits)
        parallel = Parallel(n_jobs=self.n_jobs)
        candidates: list[dict[str, Any]] = []
        folds: list[dict[str, Any]] = []
        while len(candidates) < self.n_iter:
            n = min(int(self.batch_size), int(self.n_iter) - len(candidates))
            try:
                batch = opt.ask(n)
            except SearchExhausted:
                break
            out = parallel(
                delayed(_fit_and_score)(
                    clone(self.estimator),
                    X,
                    y,
                    train,
                    test,
                    params,
                    scorer,
                    fit_params,
                    self.error_score,
                )
                for params in batch
                for train, test in splits
            )
            values: list[Any] = []
            for i, params in enumerate(batch):
                result = out[i * n_splits : (i + 1) * n_splits]
                values.append(self._objective_value(params, result))
                candidates.append(params)
                folds.extend(result)
            trials = opt.tell(batch, values)
            for i, trial in enumerate(trials):
                result = out[i * n_splits : (i + 1) * n_splits]
                trial.eval_time = sum(f["fit_time"] + f["score_time"] for f in result)
        if not candidates:
            raise ValueError("optimizer: proposed no configuration to evaluate")
        self.optimizer_ = opt
        self.scorer_ = scorer
        self.n_splits_ = n_splits
        self.multimetric_ = False
        self.cv_results_ = _format_results(candidates, folds, n_splits)
        errors = [f["error"] for f in folds if f["error"] is not None]
        if len(errors) == len(folds):
            # As GridSearchCV: say why, so that bad input (NaN, one class) reads as such.
            counts = {e: errors.count(e) for e in errors}
            details = "\n".join(f"{c} fits failed with {e}" for e, c in counts.items())
            raise ValueError(f"All the {len(folds)} fits failed.\n{details}")
        self.best_index_ = int(np.argmin(self.cv_results_["rank_test_score"]))
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])
        self.best_params_ = dict(candidates[self.best_index_])
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            start = time.perf_counter()
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _objective_value(self, params: dict[str, Any], result: list[dict[str, Any]]) -> Any:
        """What the optimizer is told: minus the mean score, or an exception for a failure."""
        errors = [(k, f["error"]) for k, f in enumerate(result) if f["error"] is not None]
        if errors:
            k, reason = errors[0]
            warnings.warn(
                f"{len(errors)} of {len(result)} fits failed for {params}; fold {k}: {reason}",
                FitFailedWarning,
                stacklevel=3,
            )
            return RuntimeError(f"fit failed on fold {k}: {reason}")
        mean = float(np.mean([f["score"] for f in result]))
        logger.debug("SearchCV: %s -> mean score %s", params, mean)
        return -mean if math.isfinite(mean) else RuntimeError(f"mean test score is {mean}")

    # -- delegation to the best estimator -------------------------------------------------
    def score(self, X: Any, y: Any = None) -> float:
        """Score of ``best_estimator_`` on ``X, y`` with the search's scorer."""
        _check_refit(self, "score")
        check_is_fitted(self)
        return float(self.scorer_(self.best_estimator_, X, y))

    @available_if(_estimator_has("predict"))
    def predict(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict_proba(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict_log_proba(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """``best_estimator_.decision_function(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    @available_if(_estimator_has("transform"))
    def transform(self, X: Any) -> Any:
        """``best_estimator_.transform(X)``."""
        check_is_fitted(self)
        return self.best_estimator_.transform(X)

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of ``best_estimator_``."""
        _estimator_has("classes_")(self)
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self) -> int:
        """Number of features seen by ``best_estimator_``."""
        try:
            check_is_fitted(self)
        except NotFittedError as err:
            raise AttributeError(f"{type(self).__name__} has no n_features_in_ yet") from err
        return self.best_estimator_.n_features_in_

    def __sklearn_tags__(self):
        from sklearn.utils import get_tags  # scikit-learn >= 1.6

        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        tags.input_tags.sparse = inner.input_tags.sparse
        return tags


def _format_results(
    candidates: list[dict[str, Any]], folds: list[dict[str, Any]], n_splits: int
) -> dict[str, Any]:
    """``cv_results_`` as ``GridSearchCV`` builds it (``BaseSearchCV._format_results``)."""
    n = len(candidates)
    results: dict[str, Any] = {}

    def store(key: str, values: list[float], splits: bool = False, rank: bool = False) -> None:
        array = np.array(values, dtype=np.float64).reshape(n, n_splits)
        if splits:
            for k in range(n_splits):
                results[f"split{k}_{key}"] = array[:, k]
        means = np.average(array, axis=1)
        results[f"mean_{key}"] = means
        results[f"std_{key}"] = np.sqrt(np.average((array - means[:, None]) ** 2, axis=1))
        if rank:
            # NaN means (failed fits) tie with each other below every finite score.
            if np.isnan(means).all():
                results[f"rank_{key}"] = np.ones(n, dtype=np.int32)
            else:
                filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
                results[f"rank_{key}"] = rankdata(-filled, method="min").astype(np.int32)

    store("fit_time", [f["fit_time"] for f in folds])
    store("score_time", [f["score_time"] for f in folds])
    for name in candidates[0]:
        values = [c[name] for c in candidates]
        try:
            inferred = np.array(values)
        except ValueError:  # sequences of different lengths
            inferred = np.array([None])
        dtype = inferred.dtype if inferred.dtype.kind not in "UO" and inferred.ndim == 1 else object
        column = MaskedArray(np.empty(n, dtype=dtype), mask=True)
        for i, v in enumerate(values):
            column[i] = v
        results[f"param_{name}"] = column
    results["params"] = [dict(c) for c in candidates]
    store("test_score", [f["score"] for f in folds], splits=True, rank=True)
    return results
