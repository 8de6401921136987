"""``SearchCV``: scikit-learn's search machinery, with configurations proposed by hpo.

A ``BaseSearchCV``, as ``GridSearchCV`` and skopt's ``BayesSearchCV`` are: scikit-learn runs
the fits, scorers, ``error_score``, metadata routing, ``cv_results_`` and the refit; hpo
chooses the candidates in ``_run_search``: ask ``n_points`` configurations, evaluate them on
folds drawn once per fit, tell minus their mean test score of the refit metric. Before any
fit, :func:`check_search_space` checks the searched parameters against the estimator.
"""

from __future__ import annotations

import copy
import difflib
import math
import numbers
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils import _param_validation as pv

from hpo._seed import as_generator
from hpo.exceptions import SearchExhausted
from hpo.optimizers import Optimizer, make_optimizer
from hpo.space import Parameter, Space

__all__ = ["SearchCV", "check_search_space"]

#: hpo 0.1's names, accepted with a FutureWarning until 0.3: old name -> (new name, default).
_RENAMED = {"space": ("search_spaces", None), "seed": ("random_state", None)}
_RENAMED["batch_size"] = ("n_points", 1)
#: A search stops if its first configurations (this many, or a larger first batch) all fail.
_FAIL_FAST = 3
_POSITIVE = pv.Interval(numbers.Integral, 1, None, closed="left")
_SEED = [pv.Interval(numbers.Integral, 0, None, closed="left"), np.random.Generator, None]


class SearchCV(BaseSearchCV):
    """Hyperparameter search by cross-validation, configurations proposed by an hpo optimizer.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn estimator or pipeline, cloned for every fit.
    search_spaces : dict, Space, or a list of them or of (space, n_iter) pairs
        Parameter names of ``estimator`` (``step__param`` for nested ones) to hpo parameters,
        in any spelling :class:`~hpo.Space` accepts. A list is searched space after space,
        each by its own optimizer for its own ``n_iter``, as in skopt's ``BayesSearchCV``.
    optimizer : str, Optimizer subclass or Optimizer, default "bayes"
        A name of :func:`hpo.optimizers.make_optimizer`, a class, or an instance (copied at
        each fit, never changed, ``random_state`` unused).
    n_iter : int, default 50
        Configurations evaluated per space (fewer if a finite optimizer runs out).
    n_points : int, default 1
        Configurations asked at once (``ask(n_points)``), cross-validated in parallel.
    random_state : int, numpy.random.Generator or None
        Seed of the optimizers (the estimator's own ``random_state`` is left alone).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in ``GridSearchCV``; with several scorers, ``refit`` names the one to maximize.
        Unless ``error_score="raise"``, a configuration with a failed fit is a failed trial
        and the search goes on; but if its first configurations (at least 3, or its first
        batch) all failed with one error type, it stops with a ``ValueError`` quoting it.
    space, seed, batch_size
        hpo 0.1's names of ``search_spaces``, ``random_state`` and ``n_points``: deprecated.

    Attributes
    ----------
    cv_results_, best_params_, best_estimator_, ...
        As in ``GridSearchCV``, one row per configuration in the order evaluated (a batch
        whose fits all failed included, with ``error_score`` and NaN times).
    optimizers_ : list of Optimizer
        One per space; their ``trials`` hold the values told (minus the mean test score, or
        failed for a failed fit) and ``eval_time``. ``optimizer_`` if there is one space.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from hpo import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = SearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)}, "random", 5, random_state=0)
    >>> len(search.fit(X, y).cv_results_["params"]), bool(search.best_score_ > 0.9)
    (5, True)
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseSearchCV._parameter_constraints,
        **dict(search_spaces=[Mapping, list, None], space=[Mapping, list, None]),
        **dict(optimizer=[str, type, Optimizer], n_iter=[_POSITIVE], n_points=[_POSITIVE]),
        **dict(random_state=_SEED, seed=_SEED, batch_size=[_POSITIVE, None]),
    }

    def __init__(
        self,
        estimator: Any,
        search_spaces: Any = None,
        optimizer: str | type[Optimizer] | Optimizer = "bayes",
        n_iter: int = 50,
        *,
        n_points: int = 1,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        space: Any = None,
        seed: Any = None,
        batch_size: int | None = None,
    ) -> None:
        super().__init__(estimator, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv)
        self.verbose, self.pre_dispatch, self.error_score = verbose, pre_dispatch, error_score
        self.return_train_score = return_train_score
        self.search_spaces, self.optimizer, self.n_iter = search_spaces, optimizer, n_iter
        self.n_points, self.random_state = n_points, random_state
        self.space, self.seed, self.batch_size = space, seed, batch_size

    def fit(self, X: Any, y: Any = None, **params: Any) -> SearchCV:
        """Check the spaces, search, refit the best; ``**params`` routed as by GridSearchCV."""
        self._validate_params()
        options = {new: getattr(self, new) for new, _ in _RENAMED.values()}
        for old, (new, default) in _RENAMED.items():
            if getattr(self, old) is not None:
                if options[new] != default:
                    raise ValueError(f"{old}: give {new} only ({old} is its deprecated name)")
                warnings.warn(f"{old} is deprecated, use {new}", FutureWarning, stacklevel=2)
                options[new] = getattr(self, old)
        if options["search_spaces"] is None:
            raise ValueError("search_spaces: required (a dict of parameter name -> range)")
        entries = options["search_spaces"]
        entries = entries if isinstance(entries, list) else [entries]
        self._spaces = [_entry(e, self.n_iter) for e in entries]
        for space, _ in self._spaces:
            check_search_space(self.estimator, space)
        self._rng, self._n_points = as_generator(options["random_state"]), options["n_points"]
        self._batches, self._out = [], []  # (batch, error if its fits all failed); fit outputs
        try:
            super().fit(X, y, **params)
            if any(error for _, error in self._batches):
                self._keep_failed_batches()
        finally:
            del self._spaces, self._rng, self._batches, self._out
        return self

    def _run_search(self, evaluate_candidates: Any) -> None:
        metric = self.refit if isinstance(self.refit, str) else "score"
        cv, self.optimizers_ = _SameSplits(self._checked_cv_orig), []
        for space, n_iter in self._spaces:
            template = copy.deepcopy(self.optimizer)  # an instance is never changed
            opt = make_optimizer(template, space, seed=self._rng, budget=n_iter)
            self.optimizers_.append(opt)
            told = 0
            while told < n_iter:
                try:
                    batch = opt.ask(min(self._n_points, n_iter - told))
                except SearchExhausted:
                    break
                values, seconds = self._evaluate(evaluate_candidates, batch, cv, metric)
                for trial, t in zip(opt.tell(batch, values), seconds):
                    trial.eval_time = t
                told += len(batch)
                self._fail_fast()
        if len(self.optimizers_) == 1:
            self.optimizer_ = self.optimizers_[0]
        if not self._batches:
            raise ValueError("optimizer: proposed no configuration to evaluate")
        if all(error for _, error in self._batches):
            raise ValueError(f"All the fits failed.{self._batches[0][1]}")

    def _evaluate(self, evaluate: Any, batch: list, cv: Any, metric: str) -> tuple[list, list]:
        """Cross-validate ``batch``: the values to tell the optimizer, the seconds spent."""
        k = self.n_splits_
        try:
            results = evaluate(batch, cv=cv)
        except ValueError as err:  # scikit-learn refuses a batch whose fits all failed
            if not str(err).startswith("\nAll the"):
                raise
            self._batches.append((batch, str(err)))
            reason = f"{k} of {k} fits failed: {_exception(str(err))}"
            warnings.warn(f"{batch}: {reason}", FitFailedWarning, stacklevel=4)
            return [RuntimeError(reason)] * len(batch), [None] * len(batch)
        self._batches.append((batch, None))
        if f"mean_test_{metric}" not in results:
            raise ValueError(f"refit: scoring returns several scores, name one, not {metric!r}")
        n, values, out = len(batch), [], self._out[-len(batch) * k :]
        seconds = k * (results["mean_fit_time"][-n:] + results["mean_score_time"][-n:])
        for i, mean in enumerate(results[f"mean_test_{metric}"][-n:]):
            folds = out[i * k : (i + 1) * k]
            errors = [f["fit_error"] for f in folds if f["fit_error"] is not None]
            value = -mean if math.isfinite(mean) else RuntimeError(f"mean test score {mean}")
            if errors:
                value = RuntimeError(f"{len(errors)} of {k} fits failed: {_exception(errors[0])}")
            values.append(value)
        return values, seconds.tolist()

    def _fail_fast(self) -> None:
        """Stop a search whose first configurations all failed with one error type."""
        errors = [error for _, error in self._batches]
        failed = sum(len(batch) for batch, error in self._batches if error)
        budget = sum(n for _, n in self._spaces)
        if not all(errors) or failed < min(budget, max(_FAIL_FAST, self._n_points)):
            return
        kinds = {_exception(block).split(":")[0] for e in errors for block in e.split("-" * 80)[1:]}
        if len(kinds) == 1:
            raise ValueError(
                f"All the {failed * self.n_splits_} fits of the first {failed} configurations "
                f"(of {budget}) failed with {_exception(errors[0])}\nThe search stops there; "
                "error_score='raise' shows the traceback."
            )

    def _check_refit_for_multimetric(self, scores: Any) -> None:  # as BayesSearchCV does
        if not (isinstance(self.refit, str) and self.refit in scores):  # the optimizer needs one
            raise ValueError(f"refit: name the scorer to maximize, one of {sorted(scores)}")

    def _format_results(self, params: list, n_splits: int, out: list, more: Any = None) -> dict:
        self._out = out  # every fit so far, candidate by candidate: their fit errors
        return super()._format_results(params, n_splits, out, more)

    def _keep_failed_batches(self) -> None:
        """Rebuild ``cv_results_`` with the batches scikit-learn refused, in their place."""
        k, first, es = self.n_splits_, self._out[0], self.error_score
        score = {n: es for n in first["test_scores"]} if self.multimetric_ else es
        failed = {**first, "test_scores": score, "fit_time": np.nan, "score_time": np.nan}
        failed.update({"train_scores": score} if "train_scores" in first else {})
        params, out, done = [], [], 0
        for batch, error in self._batches:
            params += batch
            n = len(batch) * k
            out += [{**failed, "fit_error": error}] * n if error else self._out[done : done + n]
            done += 0 if error else n
        best = getattr(self, "best_params_", None)
        self.cv_results_ = self._format_results(params, k, out)
        if best is not None:
            self.best_index_ = next(i for i, p in enumerate(params) if p is best)


class _SameSplits:
    """Repeats the folds of its first ``split``: a shuffling ``cv`` would draw new ones."""

    def __init__(self, cv: Any) -> None:
        self.cv, self.folds = cv, None

    def split(self, X: Any, y: Any = None, **params: Any) -> Iterator:
        if self.folds is None:
            self.folds = list(self.cv.split(X, y, **params))
        return iter(self.folds)


def _entry(entry: Any, n_iter: int) -> tuple[Space, int]:
    """``(space, n_iter)`` from one element of ``search_spaces``."""
    space, n = entry if isinstance(entry, tuple) else (entry, n_iter)
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"search_spaces: n_iter of a (space, n_iter) must be >= 1, got {n!r}")
    return (space if isinstance(space, Space) else Space(space)), int(n)


def _exception(traceback: str) -> str:
    """The ``Type: message`` lines ending a formatted traceback."""
    tail = traceback.strip().rsplit('\n  File "', 1)[-1].splitlines()[1:]
    return "\n".join(line for line in tail if not line.startswith(" "))


def check_search_space(estimator: Any, space: Space) -> None:
    """Refuse, before any fit, a searched parameter that ``estimator`` cannot take.

    Each name must be a parameter of ``estimator`` (``step__param`` for a nested one), and
    the bounds, middle and choices of its range must satisfy the constraints the estimator
    (or its step) declares in ``_parameter_constraints``, checked as scikit-learn checks them
    in ``fit``. Estimators that declare nothing are checked for names only.

    Raises
    ------
    ValueError
        Naming the parameter, what it accepts and, for a number given to a parameter that
        takes none, a numeric parameter of a close name (``learning_rate_init`` for
        ``learning_rate``).
    """
    accepted = estimator.get_params(deep=True)
    for name, param in space.items():
        if name not in accepted:
            raise ValueError(
                f"search_spaces: {name!r} is not a parameter of {type(estimator).__name__}; "
                f"valid names are {sorted(accepted)}"
            )
        prefix, _, key = name.rpartition("__")
        owner = accepted[prefix] if prefix else estimator
        for value in param.grid(3):
            if rejection := _rejection(owner, key, value):
                hint = _hint(owner, prefix, key, param, value)
                raise ValueError(
                    f"search_spaces: {name!r} is searched as {param!r}: {rejection}{hint}"
                )


def _rejection(owner: Any, key: str, value: Any) -> str:
    """Why ``owner``'s declared constraints refuse ``key=value`` ("" if they do not)."""
    declared = getattr(owner, "_parameter_constraints", None)
    if not isinstance(declared, dict) or key not in declared:
        return ""
    try:
        pv.validate_parameter_constraints({key: declared[key]}, {key: value}, type(owner).__name__)
    except pv.InvalidParameterError as err:
        return str(err)
    return ""


def _intervals(owner: Any, key: str) -> list:
    """The numeric ranges (``Interval`` constraints) that ``owner`` declares for ``key``."""
    constraints = owner._parameter_constraints.get(key, [])
    constraints = [] if constraints == "no_validation" else map(pv.make_constraint, constraints)
    return [c for c in constraints if isinstance(c, pv.Interval)]


def _hint(owner: Any, prefix: str, key: str, param: Parameter, value: Any) -> str:
    """What the user probably meant: an Integer, or a numeric parameter of a close name."""
    if param.kind == "real" and not _rejection(owner, key, round(value)):
        low, high = math.ceil(param.low), math.floor(param.high)
        return f" It takes integers: search it as Integer({low}, {high})."
    if param.kind == "categorical" or _intervals(owner, key):
        return ""  # a choice refused, or a number out of range: the message says it all
    numeric = [
        k
        for k in owner._parameter_constraints
        if k != key and _intervals(owner, k) and not _rejection(owner, k, value)
    ]
    close = difflib.get_close_matches(key, numeric, n=1, cutoff=0.6)
    if not close:
        return ""
    name = f"{prefix}__{close[0]}" if prefix else close[0]
    return (
        f" Did you mean {name!r}, which takes {' or '.join(map(str, _intervals(owner, close[0])))}?"
    )
