"""MLP classifiers tuned for two objectives: validation log-loss against size or fit time.

Problems
--------
``mo_mlp_<d>_weights`` and ``mo_mlp_<d>_time`` for ``d`` in digits and breast_cancer, listed
in the catalogue of :func:`hpo.problems.get_problem`; ``n_objectives = 2``, both minimized:

1. the mean 5-fold CV log-loss, exactly the loss of ``mlp_adam_<d>_logloss``;
2. ``_weights``: ``log10`` of the number of weights of the network as built (coefficients
   plus intercepts, :meth:`MultiObjectiveMLPProblem.n_weights`, exact and known before any
   fit); ``_time``: ``log10`` of the seconds spent fitting the five CV models.

Why log10. The number of weights spans three decades over the space (digits: 160 for one
layer of 2 units, about 1.5e5 for three layers of 256), growing like ``n_units^2`` with
depth. In raw units a stationary GP would have to fit a surface that is flat over most of the
space and steep in one corner, and the hypervolume would be decided by the largest networks
(a model of 1e5 weights against 5e4 weighs more than 2e3 against 200). In log10 it is a
gentle, nearly piecewise-linear function of ``n_layers`` and ``log n_units`` (the scale of
``n_units`` in the space: slope about 1 in ``log10 n_units`` for one hidden layer, about 2
for deeper networks), easy for the GP, and every decade of compression weighs the same in the
hypervolume. Fit time is spread over decades the same way. The exact count is kept in
``problem.last_info["n_weights"]``.

Fit time is measured (``time.perf_counter`` around each fit), so it is noisy and depends on
the machine and its load: the same configuration evaluated twice gives two values, and fronts
measured on different machines are not comparable. It is a task for users who want a
latency-like trade-off; benchmarks use the ``_weights`` task, which is deterministic under the
seed.

Search space
------------
:func:`mo_mlp_space`: the adam space of :func:`hpo.problems.mlp.mlp_space` (Bayesmark's
ranges), whose one-layer ``hidden_layer_sizes`` is replaced by the architecture: ``n_layers``
Integer 1..3 and ``n_units`` (units of every hidden layer) Integer 2..256 on a log scale, so
that small networks, where the trade-off is, are sampled as often as large ones.

Protocol
--------
:class:`~hpo.problems.mlp.MLPProblem`'s: split, folds, scaling, ``random_state = seed``,
failed fits raising :class:`~hpo.problems.mlp.EvaluationFailed`, ``last_info``.

Cost
----
CPU seconds of one evaluation (five fits, one BLAS thread), over 20 random configurations:
breast_cancer median 0.19, mean 0.27, 90th percentile 0.58; digits median 0.71, mean 1.46,
90th percentile 3.9 (the slow ones: two layers of 200 units, batches of 10, or a tiny
learning rate running to ``max_iter=200``).

Hypervolume
-----------
The true front is unknown, so ``max_hypervolume`` is ``None`` and there is no exact regret.
``reference_point`` is fixed: ``(ln K, log10 W_max)`` for the weights tasks (``K`` classes:
the log-loss of the uniform prediction, so a model no better than guessing contributes
nothing; ``W_max`` the weights of the largest network of the space, so every size counts),
``(ln K, log10 60)`` for the time tasks (one minute for five fits). Report the raw
hypervolume against that point (higher is better), or, for the weights tasks,
:meth:`MultiObjectiveMLPProblem.hypervolume_ratio`: its fraction of ``reference_hypervolume``,
the hypervolume of a reference front pooled from every point ``benchmarks/compare_moo_mlp.py``
evaluated and committed in ``hpo/problems/data/mo_mlp_reference.json`` (a lower bound of the
true maximum: a ratio above 1 means a run improved on the reference). Hypervolume regret needs
the maximum, so a study of these tasks traces the hypervolume itself (the multi-objective
study records keep ``max_hypervolume = None`` and report minus the hypervolume as the loss).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from hpo.moo import hypervolume
from hpo.problems.mlp import _FIXED, EvaluationFailed, MLPProblem, load_reference_file, mlp_space
from hpo.space import Integer, Space

__all__ = ["MO_DATASETS", "SECOND_OBJECTIVES", "MultiObjectiveMLPProblem", "mo_mlp_space"]

#: Datasets of the multi-objective MLP tasks.
MO_DATASETS = ("digits", "breast_cancer")
#: The second objective of each task: name -> what it measures.
SECOND_OBJECTIVES = {
    "weights": "log10 of the number of weights",
    "time": "log10 of the fit seconds",
}
MAX_LAYERS = 3
UNITS = (2, 256)
#: Fit seconds (five fits) of the time tasks' reference point.
TIME_REFERENCE_SECONDS = 60.0


def mo_mlp_space() -> Space:
    """The adam space of :func:`~hpo.problems.mlp.mlp_space` with the architecture searched:
    ``n_layers`` Integer 1..3 and ``n_units`` Integer 2..256 (log) instead of
    ``hidden_layer_sizes``."""
    rest = {k: v for k, v in mlp_space("adam").items() if k != "hidden_layer_sizes"}
    return Space({"n_layers": Integer(1, MAX_LAYERS), "n_units": Integer(*UNITS, log=True), **rest})


def count_weights(layer_sizes: tuple[int, ...]) -> int:
    """Weights of a dense network with these layer sizes (input, hidden..., output): a matrix
    ``a x b`` and ``b`` intercepts between consecutive layers of sizes ``a`` and ``b``."""
    return sum(a * b + b for a, b in itertools.pairwise(layer_sizes))


class MultiObjectiveMLPProblem(MLPProblem):
    """An adam ``MLPClassifier`` whose log-loss is traded against its size or fit time.

    Parameters
    ----------
    dataset : {"digits", "breast_cancer"}
    objective : {"weights", "time"}
        The second objective (see the module docstring).
    seed : int, default 0
        Seed of the split, the folds and the network's ``random_state``.

    Attributes
    ----------
    n_objectives : int
        2.
    reference_point : tuple of float
        The hypervolume's reference point (module docstring).
    max_hypervolume : None
        The true front is unknown.
    reference_hypervolume : float or None
        Hypervolume of the committed reference front (weights tasks, seed 0), else ``None``.
    last_info : dict or None
        :meth:`~hpo.problems.mlp.MLPProblem.evaluate_detailed`'s record of the last call, plus
        ``n_weights`` and ``objectives``.

    Examples
    --------
    >>> from hpo.problems import get_problem
    >>> p = get_problem("mo_mlp_breast_cancer_weights")
    >>> p.n_objectives, p.n_weights({"n_layers": 1, "n_units": 2})  # 30*2+2 + 2*1+1
    (2, 65)
    """

    n_objectives = 2
    max_hypervolume = None

    def __init__(self, dataset: str, objective: str, *, seed: int = 0) -> None:
        if dataset not in MO_DATASETS:
            raise ValueError(f"dataset must be one of {MO_DATASETS}, got {dataset!r}")
        if objective not in SECOND_OBJECTIVES:
            raise ValueError(
                f"objective must be one of {tuple(SECOND_OBJECTIVES)}, got {objective!r}"
            )
        super().__init__("adam", dataset, "logloss", seed=seed)
        self.objective = objective
        self.space = mo_mlp_space()
        base = f"mo_mlp_{dataset}_{objective}"
        self.name = base if seed == 0 else f"{base}:seed={seed}"
        n_classes = len(np.unique(self.data[2]))
        largest = {"n_layers": MAX_LAYERS, "n_units": UNITS[1]}
        size_ref = math.log10(self.n_weights(largest))
        second = size_ref if objective == "weights" else math.log10(TIME_REFERENCE_SECONDS)
        self.reference_point = (math.log(n_classes), second)
        ref = _reference_file()["problems"].get(self.name)
        self.reference_hypervolume = None if ref is None else float(ref["hypervolume"])

    def layer_sizes(self, params: dict[str, Any]) -> tuple[int, ...]:
        """Sizes of the network's layers: input features, hidden layers, output units (one
        for two classes, scikit-learn's logistic output; ``K`` for ``K > 2`` classes)."""
        n_layers, n_units = params["n_layers"], params["n_units"]
        for name, value, (lo, hi) in (
            ("n_layers", n_layers, (1, MAX_LAYERS)),
            ("n_units", n_units, UNITS),
        ):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
        X_train, _, y_train, _ = self.data
        n_classes = len(np.unique(y_train))
        n_out = 1 if n_classes == 2 else n_classes
        return (X_train.shape[1], *([int(n_units)] * int(n_layers)), n_out)

    def n_weights(self, params: dict[str, Any]) -> int:
        """Exact number of coefficients and intercepts of the network of ``params`` (only
        ``n_layers`` and ``n_units`` are read); equal to the fitted model's
        ``sum(c.size for c in coefs_ + intercepts_)``."""
        return count_weights(self.layer_sizes(params))

    def estimator(self, params: dict[str, Any]) -> Any:
        """The unfitted pipeline of a configuration (validated against the space)."""
        kwargs = self.space.validate(params)
        n_layers, n_units = kwargs.pop("n_layers"), kwargs.pop("n_units")
        kwargs["hidden_layer_sizes"] = (n_units,) * n_layers
        mlp = MLPClassifier(**_FIXED["adam"], **kwargs, random_state=self.seed)
        return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])

    def __call__(self, params: dict[str, Any]) -> list[float]:
        """``[mean CV log-loss, log10(size or fit seconds)]`` of a configuration.

        Raises
        ------
        EvaluationFailed
            If a fit raised or the loss is not finite (a failed trial).
        ValueError
            If ``params`` is not a configuration of the space.
        """
        info = self.evaluate_detailed(params)
        info["n_weights"] = self.n_weights(params)
        if info["error"] is not None:
            raise EvaluationFailed(info["error"])
        second = info["n_weights"] if self.objective == "weights" else info["fit_time"]
        info["objectives"] = [info["loss"], math.log10(second)]
        return list(info["objectives"])

    def hypervolume(self, points: Any) -> float:
        """Hypervolume of objective vectors ``points`` (shape ``(n, 2)``) against
        :attr:`reference_point`; points outside the reference box add nothing."""
        P = np.asarray(points, dtype=float).reshape(-1, 2)
        return hypervolume(P, self.reference_point) if len(P) else 0.0

    def hypervolume_ratio(self, points: Any) -> float:
        """:meth:`hypervolume` divided by :attr:`reference_hypervolume`.

        Raises
        ------
        ValueError
            If this problem has no committed reference front.
        """
        if self.reference_hypervolume is None:
            raise ValueError(f"hypervolume_ratio: no reference front for {self.name!r}")
        return self.hypervolume(points) / self.reference_hypervolume

    def reference_front(self) -> np.ndarray:
        """The committed reference front, shape ``(n, 2)`` (not the true front).

        Raises
        ------
        ValueError
            If this problem has none.
        """
        ref = _reference_file()["problems"].get(self.name)
        if ref is None:
            raise ValueError(f"reference_front: no reference front for {self.name!r}")
        return np.array(ref["front"], dtype=float)

    def pareto_front(self, n: int = 1000) -> np.ndarray:
        """Unknown for a real task (so plots draw no true front)."""
        raise NotImplementedError(f"{self.name}: the true Pareto front is unknown")

    def reference(self) -> dict[str, Any]:
        raise ValueError(f"problem_name: no single-objective reference values for {self.name!r}")


def _reference_file() -> dict[str, Any]:
    return load_reference_file("mo_mlp_reference.json")


def _factory(dataset: str, objective: str) -> Any:
    def make(*, seed: int = 0) -> MultiObjectiveMLPProblem:
        return MultiObjectiveMLPProblem(dataset, objective, seed=seed)

    return make


#: Listed in the catalogue of :mod:`hpo.problems`: name -> factory.
PROBLEMS = {f"mo_mlp_{d}_{o}": _factory(d, o) for d in MO_DATASETS for o in SECOND_OBJECTIVES}
