"""Learning curves of real networks: epochs as the fidelity, training resumed from checkpoints.

Problems
--------
``lc_mlp_<solver>_<dataset>_<metric>`` for ``solver`` in adam, sgd, ``dataset`` in digits,
breast_cancer, wine, iris and ``metric`` in acc, logloss: a scikit-learn ``MLPClassifier``
trained one epoch at a time with ``partial_fit``; the loss at budget ``b`` is the validation
loss after ``b`` epochs (``logloss``, or ``acc``: minus the accuracy, as in
:mod:`hpo.problems.mlp`). Keywords: ``seed`` (default 0), ``max_epochs`` (default 27; a full
training of the costliest configuration on digits takes about 1.3 CPU s), ``max_checkpoints``.

Data and space
--------------
The data of :mod:`hpo.problems.mlp` (its seeded, stratified 80/20 split); the 80 % is split
again 75/25 (stratified, ``random_state=seed``) into the training and the validation set, and
standardized with the training part's mean and scale. The held-out 20 % is only scored by
:meth:`LearningCurveProblem.test_loss`. The space is Bayesmark's MLP space
(:func:`hpo.problems.mlp.mlp_space`) without ``tol`` and ``validation_fraction``: they only
drive early stopping, which the epoch budget replaces.

Checkpoints and cost
--------------------
Training a configuration to ``b`` epochs keeps the model (its weights, optimizer state and
random state) and the validation loss after every epoch, in a least-recently-used cache of
``max_checkpoints`` configurations (keyed by the configuration without its budget). Asked for
``b' > b``, training resumes from epoch ``b`` and costs ``b' - b`` epochs; asked for
``b' <= b``, the loss recorded after epoch ``b'`` is returned at no cost. Epoch ``e`` is the
same computation either way (the network's random state is seeded once per configuration and
carried along), so the loss of a configuration at a budget does not depend on the path to it.

``cost(params)`` counts epochs, so that benchmarks are exact and machine-independent: right
after a call with ``params``, the epochs that call trained; otherwise the epochs such a call
would train now (the budget minus the epochs already trained for that configuration, 0 when its
loss at that budget is known). Either way, a configuration run at 9 and then at 27 epochs costs
9 + 18. The cache lives in the process that evaluates: worker processes each keep their own.
"""

from __future__ import annotations

import functools
import math
import numbers
import time
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hpo.fidelity import Fidelity
from hpo.problems.base import Problem
from hpo.problems.mlp import DATASETS, METRICS, EvaluationFailed, _split, mlp_space
from hpo.space import Space

__all__ = ["CheckpointedProblem", "LearningCurveProblem"]

#: Parameters of :func:`mlp_space` that only drive early stopping, dropped here.
_EARLY_STOPPING = ("tol", "validation_fraction")
VALID_SIZE = 0.25


@dataclass
class _Checkpoint:
    model: Any
    losses: list[float] = field(default_factory=list)  # losses[e - 1]: after epoch e
    error: str | None = None  # training failed at epoch len(losses) + 1

    @property
    def epochs(self) -> int:
        return len(self.losses)


class CheckpointedProblem(Problem):
    """A model trained epoch by epoch, with a bounded cache of checkpoints per configuration.

    Subclasses set :attr:`space` and implement :meth:`_new_model`, :meth:`_train_epoch` and
    :meth:`_validation_losses`; the caching, the budget and the cost live here (see the
    module docstring).

    Parameters
    ----------
    max_epochs : int
        The full budget: ``fidelity = Fidelity("epochs", 1, max_epochs)``.
    max_checkpoints : int
        Configurations whose model is kept (the least recently used is dropped first).
    """

    metric: str

    def __init__(self, max_epochs: int, max_checkpoints: int) -> None:
        for name, value in (("max_epochs", max_epochs), ("max_checkpoints", max_checkpoints)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if max_epochs < 2:
            raise ValueError(f"max_epochs must be at least 2, got {max_epochs!r}")
        self.fidelity = Fidelity("epochs", 1, int(max_epochs))
        self.max_checkpoints = int(max_checkpoints)
        self._cache: OrderedDict[tuple, _Checkpoint] = OrderedDict()
        self._last: tuple[tuple, int, int] | None = None
        self.last_info: dict[str, Any] | None = None

    # -- the model's part ---------------------------------------------------------------
    def _new_model(self, config: dict[str, Any]) -> Any:
        """An untrained, seeded model of ``config``."""
        raise NotImplementedError

    def _train_epoch(self, model: Any, epoch: int) -> None:
        """Train ``model`` for its ``epoch``-th epoch (from 1), in place."""
        raise NotImplementedError

    def _validation_losses(self, model: Any, test: bool = False) -> dict[str, float]:
        """Every metric's loss on the validation set (the held-out test set if ``test``)."""
        raise NotImplementedError

    # -- evaluation ---------------------------------------------------------------------
    def _parse(self, params: dict[str, Any]) -> tuple[dict[str, Any], int, tuple]:
        params = dict(params)
        budget = params.pop(self.fidelity.name, self.fidelity.high)
        if not self.fidelity.contains(budget):
            raise ValueError(
                f"{self.fidelity.name} must be an integer in [{self.fidelity.low}, "
                f"{self.fidelity.high}], got {budget!r}"
            )
        config = self.space.validate(params)
        key = tuple(sorted((k, repr(v)) for k, v in config.items()))
        return config, int(budget), key

    def __call__(self, params: dict[str, Any]) -> float:
        """Validation loss after ``params["epochs"]`` epochs (the full budget if absent).

        Raises
        ------
        EvaluationFailed
            If training failed (non-finite weights) or the loss is not finite, at or before
            that epoch (a failed trial).
        ValueError
            If ``params`` is not a configuration of the space with a valid budget.
        """
        start = time.perf_counter()
        config, budget, key = self._parse(params)
        checkpoint = self._cache.pop(key, None)
        if checkpoint is None:
            checkpoint = _Checkpoint(self._new_model(config))
        resumed_from = checkpoint.epochs
        trained = self._train(checkpoint, budget)
        self._cache[key] = checkpoint  # now the most recently used
        while len(self._cache) > self.max_checkpoints:
            self._cache.popitem(last=False)
        failed = checkpoint.error is not None and budget > checkpoint.epochs
        self._last = (key, budget, trained)
        self.last_info = {
            "budget": budget,
            "resumed_from": min(resumed_from, budget),
            "epochs_trained": trained,
            "wall_time": time.perf_counter() - start,
            "error": checkpoint.error if failed else None,
        }
        if failed:
            raise EvaluationFailed(f"epoch {checkpoint.epochs + 1}: {checkpoint.error}")
        return checkpoint.losses[budget - 1]

    def _train(self, checkpoint: _Checkpoint, budget: int) -> int:
        """Train up to ``budget`` epochs (or a failure); return the epochs run, a failed one
        included."""
        epochs = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings at every partial epoch
            while checkpoint.epochs < budget and checkpoint.error is None:
                self._advance(checkpoint)
                epochs += 1
        return epochs

    def _advance(self, checkpoint: _Checkpoint) -> None:
        """Train one more epoch; record its loss, or why it failed (the model is then dropped)."""
        epoch = checkpoint.epochs + 1
        try:
            self._train_epoch(checkpoint.model, epoch)
            loss = self._validation_losses(checkpoint.model)[self.metric]
        except Exception as err:  # diverged weights and the like: a failed trial
            checkpoint.error, checkpoint.model = f"{type(err).__name__}: {err}", None
            return
        if not math.isfinite(loss):
            checkpoint.error, checkpoint.model = f"{self.metric} is {loss}", None
            return
        checkpoint.losses.append(float(loss))

    def cost(self, params: dict[str, Any]) -> float:
        """Epochs that evaluating ``params`` trains (see the module docstring)."""
        _, budget, key = self._parse(params)
        if self._last is not None and self._last[:2] == (key, budget):
            return float(self._last[2])
        checkpoint = self._cache.get(key)
        if checkpoint is None:
            return float(budget)
        if checkpoint.error is not None and budget > checkpoint.epochs:
            return 0.0  # known to fail
        return float(max(0, budget - checkpoint.epochs))

    def learning_curve(self, params: dict[str, Any]) -> list[float]:
        """Validation losses after epochs 1 .. ``params["epochs"]`` (trains like a call)."""
        self(params)
        _, budget, key = self._parse(params)
        return list(self._cache[key].losses[:budget])

    def test_loss(self, params: dict[str, Any]) -> float:
        """Loss on the held-out test set after ``params["epochs"]`` epochs, from a fresh model
        trained along the same path (the cache is neither read nor changed)."""
        config, budget, _ = self._parse(params)
        checkpoint = _Checkpoint(self._new_model(config))
        self._train(checkpoint, budget)
        if checkpoint.error is not None:
            raise EvaluationFailed(f"epoch {checkpoint.epochs + 1}: {checkpoint.error}")
        return self._validation_losses(checkpoint.model, test=True)[self.metric]


def spec_name(base: str, seed: int, max_epochs: int) -> str:
    """The problem's name: ``base`` with the arguments that differ from their defaults."""
    extra = [
        f"{k}={v}" for k, v, d in (("seed", seed, 0), ("max_epochs", max_epochs, 27)) if v != d
    ]
    return base if not extra else f"{base}:{','.join(extra)}"


@functools.lru_cache(maxsize=16)
def _standardized(dataset: str, seed: int) -> tuple[np.ndarray, ...]:
    """``(X_fit, y_fit, X_valid, y_valid, X_test, y_test)``, inputs standardized with the
    training part's statistics (a StandardScaler, written out)."""
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = _split(dataset, seed)
    X_fit, X_valid, y_fit, y_valid = train_test_split(
        X_train, y_train, test_size=VALID_SIZE, random_state=seed, stratify=y_train
    )
    mean, scale = X_fit.mean(axis=0), X_fit.std(axis=0)
    scale[scale == 0] = 1.0  # constant pixels, as StandardScaler does
    parts = [(X_fit - mean) / scale, y_fit, (X_valid - mean) / scale, y_valid]
    parts += [(X_test - mean) / scale, y_test]
    for a in parts:
        a.setflags(write=False)
    return tuple(parts)


class LearningCurveProblem(CheckpointedProblem):
    """An MLP classifier whose budget is its number of epochs (see the module docstring).

    Parameters
    ----------
    solver : {"adam", "sgd"}
    dataset : {"digits", "breast_cancer", "wine", "iris"}
    metric : {"acc", "logloss"}
    seed : int, default 0
        Seed of the data splits and of every network's ``random_state``.
    max_epochs : int, default 27
    max_checkpoints : int, default 64
        Models kept (a digits model of 200 hidden units with its Adam state: about 0.4 MB).

    Examples
    --------
    >>> import numpy as np
    >>> from hpo.problems import get_problem
    >>> p = get_problem("lc_mlp_adam_iris_logloss")
    >>> params = {**p.space.sample(np.random.default_rng(0)), "epochs": 9}
    >>> loss9 = p(params); p.cost(params)
    9.0
    >>> loss27 = p({**params, "epochs": 27}); p.cost({**params, "epochs": 27})
    18.0
    """

    optimum = None

    def __init__(
        self,
        solver: str,
        dataset: str,
        metric: str,
        *,
        seed: int = 0,
        max_epochs: int = 27,
        max_checkpoints: int = 64,
    ) -> None:
        if DATASETS.get(dataset, (None, None))[1] != "classification":
            raise ValueError(f"dataset must be one of {sorted(_CLASSIFICATION)}, got {dataset!r}")
        if metric not in METRICS["classification"]:
            raise ValueError(f"metric must be one of {METRICS['classification']}, got {metric!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        super().__init__(max_epochs, max_checkpoints)
        full = mlp_space(solver)
        self.space = Space({k: v for k, v in full.items() if k not in _EARLY_STOPPING})
        self.solver, self.dataset, self.metric, self.seed = solver, dataset, metric, seed
        self.name = spec_name(f"lc_mlp_{solver}_{dataset}_{metric}", seed, max_epochs)

    @property
    def data(self) -> tuple[np.ndarray, ...]:
        """``(X_fit, y_fit, X_valid, y_valid, X_test, y_test)``, standardized."""
        return _standardized(self.dataset, self.seed)

    def _new_model(self, config: dict[str, Any]) -> Any:
        from sklearn.neural_network import MLPClassifier

        kwargs = dict(config, hidden_layer_sizes=(config["hidden_layer_sizes"],))
        if self.solver == "adam":
            return MLPClassifier(solver="adam", **kwargs, random_state=self.seed)
        return MLPClassifier(
            solver="sgd",
            learning_rate="invscaling",
            nesterovs_momentum=True,
            **kwargs,
            random_state=self.seed,
        )

    def _train_epoch(self, model: Any, epoch: int) -> None:
        # partial_fit is one pass over the data; its shuffling draws from the network's
        # random state, seeded on the first call and carried in the checkpoint.
        X_fit, y_fit = self.data[:2]
        model.partial_fit(X_fit, y_fit, classes=np.unique(y_fit))

    def _validation_losses(self, model: Any, test: bool = False) -> dict[str, float]:
        from sklearn.metrics import log_loss

        X, y = self.data[4:6] if test else self.data[2:4]
        proba = model.predict_proba(X)
        accuracy = float(np.mean(model.classes_[np.argmax(proba, axis=1)] == y))
        return {"acc": -accuracy, "logloss": float(log_loss(y, proba, labels=model.classes_))}


_CLASSIFICATION = [d for d, (_, task) in DATASETS.items() if task == "classification"]
PROBLEM_NAMES = [
    f"lc_mlp_{solver}_{dataset}_{metric}"
    for solver in ("adam", "sgd")
    for dataset in _CLASSIFICATION
    for metric in METRICS["classification"]
]


def _factory(name: str) -> functools.partial:
    _, _, solver, *dataset, metric = name.split("_")
    return functools.partial(LearningCurveProblem, solver, "_".join(dataset), metric)


#: Registry names and factories (see :data:`hpo.problems.CATALOGUE`).
PROBLEMS = {name: _factory(name) for name in PROBLEM_NAMES}
