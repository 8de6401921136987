"""Bayesian optimization with a Gaussian process and (log) expected improvement.

The loop: a space-filling initial design (scrambled Sobol); then at each ``ask``, fit a GP
(:mod:`hpo.gp`) to the completed trials, warm-started from the previous fit, and propose the
maximizer of the acquisition (log-EI by default). Integers and categoricals enter the GP
through an input transformation and are searched exactly (see
:mod:`hpo.optimizers._bo_search`); failed trials never enter the model.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from hpo._seed import SeedLike
from hpo.gp._threads import single_blas_thread
from hpo.gp.acquisition import acquisition_and_gradient, make_acquisition
from hpo.gp.regression import GaussianProcess
from hpo.gp.warping import WARPINGS, warp
from hpo.optimizers._bo_search import FeatureMap, maximize_mixed
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.optimizers.design import UnitDesign
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = ["BayesianOptimization"]

_BATCH = ("believer", "liar")
_FEW_POINTS = 40  # fits restart from the prior while there are at most this many points
_EXACT_NOISE = 1e-6
_MAX_ENUMERATION = 4096  # finite spaces up to this size are searched by enumeration


class BayesianOptimization(Optimizer):
    """Gaussian-process Bayesian optimization (minimization).

    Parameters
    ----------
    space : Space or dict
    seed : int, numpy.random.Generator or None
    acquisition : {"logei", "ei", "pi", "lcb"}, default "logei"
        Log expected improvement (Ament et al. 2023), expected improvement, (log)
        probability of improvement, or the lower confidence bound ``mu - 2 sigma``.
    n_initial : int, optional
        Size of the scrambled-Sobol initial design; default ``min(10, max(5, d + 1))``.
    batch : {"believer", "liar"}, default "believer"
        How ``ask(n)`` and pending trials are handled, hyperparameters frozen: a kriging
        believer (a pending point is believed to return the posterior mean) or a constant
        liar (it returns the best value observed).
    deterministic : bool, default False
        The objective is exact: fix the noise variance at 1e-6 instead of learning it
        (leave False for noisy objectives such as cross-validated losses).
    output_warping : {"yeo-johnson", "copula", "none"}, default "yeo-johnson"
        Increasing transform of the values before the GP (:mod:`hpo.gp.warping`).
    budget : int, optional
        Planned number of trials (unused beyond bookkeeping; accepted for ``minimize``).

    Attributes
    ----------
    gp : GaussianProcess or None
        The model behind the last proposal (``gp.hyperparameters``, ``gp.predict``); its
        inputs are :meth:`features` of configurations and its outputs warped values.

    Notes
    -----
    Integers and categoricals are handled explicitly, never by rounding a continuous
    proposal: the GP sees every point as the configuration it stands for (integers at the
    centre of their bin, categoricals one-hot, after Garrido-Merchan & Hernandez-Lobato
    2020), and the acquisition is maximized by L-BFGS-B over the reals alternating with an
    exact search over each discrete parameter's values (all of them up to 64; wider integer
    ranges try 64 spread values and the neighbours of the current one). Finite spaces of up
    to 4096 configurations are searched by enumerating the unseen ones. No proposal repeats
    a configuration asked or told before.

    Hyperparameters are refitted (MAP, warm-started) at every ``ask`` that follows new data
    while there are at most 300 observations, then every ``n / 150`` new points, with rank-k
    Cholesky updates in between; fits restart from the prior while there are at most 40.

    Each proposed trial's ``info`` holds ``source`` (``"design"``, ``"model"`` or
    ``"fallback"``), and for model proposals ``acquisition`` (its name), ``acquisition_value``
    (in the GP's standardized units; log-EI is a natural log), ``mean`` and ``std`` (the
    posterior at the proposal, standardized warped units), ``n_observations`` and
    ``batch_position``.

    Examples
    --------
    >>> from hpo import Real, Space
    >>> opt = BayesianOptimization(Space({"x": Real(-2.0, 2.0)}), seed=0)
    >>> for _ in range(8):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, (p["x"] - 0.5) ** 2)
    """

    name = "bayes"

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        acquisition: str = "logei",
        n_initial: int | None = None,
        batch: str = "believer",
        deterministic: bool = False,
        output_warping: str = "yeo-johnson",
        budget: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed)
        make_acquisition(acquisition, 0.0)  # validates the name
        if batch not in _BATCH:
            raise ValueError(f"batch must be one of {_BATCH}, got {batch!r}")
        if output_warping not in WARPINGS:
            raise ValueError(f"output_warping must be one of {WARPINGS}, got {output_warping!r}")
        if n_initial is not None and (not isinstance(n_initial, int) or n_initial < 1):
            raise ValueError(f"n_initial must be a positive integer, got {n_initial!r}")
        d = self.space.dim
        self.acquisition = acquisition
        self.n_initial = n_initial if n_initial is not None else min(10, max(5, d + 1))
        self.batch = batch
        self.deterministic = deterministic
        self.output_warping = output_warping
        self.budget = budget
        self.fmap = FeatureMap(self.space)
        self.design = UnitDesign("sobol", d, self.rng)
        self.gp: GaussianProcess | None = None
        self._fitted_on = 0  # number of points of the last full hyperparameter fit
        self._order: list[int] = []  # trial numbers in the order of the GP's rows
        sizes = [p.n_values for p in self.space.values()]
        self._finite_size = None if None in sizes else math.prod(sizes)

    def features(self, configs: list[Params]) -> np.ndarray:
        """GP inputs of configurations, shape ``(n, n_features)``."""
        return self.fmap(self.space.to_unit_batch(configs))

    # -- the model ----------------------------------------------------------------------
    def _fit(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Fit (or update) the GP on the completed trials; return their unit points and
        warped values, or None without data."""
        done = {t.number: t for t in self.completed}
        if not done:
            return None
        known = set(self._order)
        self._order += [number for number in done if number not in known]
        done = [done[number] for number in self._order]
        U = self.space.to_unit_batch([t.params for t in done])
        y = warp(np.array([t.value for t in done]), self.output_warping)
        F = self.fmap(U)
        n = len(y)
        if self.gp is None:
            self.gp = GaussianProcess(
                noise=_EXACT_NOISE if self.deterministic else 1e-4,
                fit_noise=not self.deterministic,
                noise_bounds=(_EXACT_NOISE, 1.0),
            )
        # Refit the hyperparameters at every new point while n is moderate, then every
        # n/150 points, conditioning in between by rank-k updates of the Cholesky factor.
        unchanged = self.gp.X_train is not None and n == len(self.gp.X_train) == self._fitted_on
        refit = n <= 300 or n - self._fitted_on >= n // 150 or self.gp.X_train is None
        if unchanged:  # no new data since the last fit (asks without tells)
            self.gp.set_targets(y)
        elif refit:
            self.gp.fit(F, y, rng=self.rng, n_restarts=2 if n <= _FEW_POINTS else 0)
            self._fitted_on = n
        elif n > len(self.gp.X_train):
            k = len(self.gp.X_train)
            self.gp.add_observations(F[k:], y[k:])
            self.gp.set_targets(y)
        else:
            self.gp.set_targets(y)
        return U, y

    # -- proposals ----------------------------------------------------------------------
    def _propose(self, n: int) -> list[Params | Proposal]:
        with single_blas_thread():
            return self._propose_batch(n)

    def _propose_batch(self, n: int) -> list[Params | Proposal]:
        if self._finite_size is not None and len(self._keys) >= self._finite_size:
            return []
        if len(self._trials) < self.n_initial or not self.completed:
            return self._design(n)
        U, y = self._fit()
        gp = copy.deepcopy(self.gp)  # fantasies of pending points stay out of self.gp
        liar = float(np.min(y))
        pending = [t.params for t in self.pending]
        if pending:
            Fp = self.features(pending)
            gp.add_observations(Fp, self._lie(gp, Fp, liar))
        proposals: list[Params | Proposal] = []
        seen: set[tuple] = set()
        for position in range(n):
            params, info = self._propose_one(gp, U, seen)
            if params is None:
                break
            info.update(batch_position=position, n_observations=len(y))
            proposals.append(Proposal(params, info))
            seen.add(config_key(params))
            if position + 1 < n:
                F = self.features([params])
                gp.add_observations(F, self._lie(gp, F, liar))
        return proposals

    def _lie(self, gp: GaussianProcess, F: np.ndarray, liar: float) -> np.ndarray:
        if self.batch == "liar":
            return np.full(len(F), liar)
        return gp.predict(F)  # kriging believer: the posterior mean

    def _propose_one(
        self, gp: GaussianProcess, U: np.ndarray, seen: set[tuple]
    ) -> tuple[Params | None, dict[str, Any]]:
        best = float(np.min(gp.standardize_y(gp.y_train)))
        acq = make_acquisition(self.acquisition, best)

        def fun(F: np.ndarray, gradient: bool):
            return acquisition_and_gradient(gp, acq, F, gradient)

        if self._finite_size is not None and self._finite_size <= _MAX_ENUMERATION:
            candidates = self._unseen_configs(seen)
            if not candidates:
                return None, {}
            values, _ = fun(self.features(candidates), False)
            i = int(np.argmax(values))
            return candidates[i], self._info(gp, acq, candidates[i], values[i])
        Xs, vs, raw, raw_values = maximize_mixed(
            fun, self.fmap, self.rng, extra=self._local_candidates(gp, U)
        )
        for X, v in ((Xs, vs), (raw, raw_values)):
            for u, value in zip(X, v):
                params = self.space.from_unit(u)
                if self.is_new(params) and config_key(params) not in seen:
                    return params, self._info(gp, acq, params, value)
        for _ in range(100):  # everything near the optimum was seen: a random new point
            params = self.space.from_unit(self.rng.random(self.space.dim))
            if self.is_new(params) and config_key(params) not in seen:
                return params, {"source": "fallback"}
        return None, {}

    def _info(self, gp: GaussianProcess, acq, params: Params, value: float) -> dict[str, Any]:
        mean, var = gp.posterior(self.features([params]))
        return {
            "source": "model",
            "acquisition": self.acquisition,
            "acquisition_value": float(value),
            "mean": float(mean[0]),
            "std": float(np.sqrt(var[0])),
        }

    def _local_candidates(self, gp: GaussianProcess, U: np.ndarray, k: int = 5) -> np.ndarray:
        """Perturbations of the ``k`` best points: Gaussian steps of three sizes on the reals,
        and a random other value for each discrete column with probability ``1/d``."""
        ys = gp.standardize_y(gp.y_train[: len(U)])
        best = U[np.argsort(ys)[:k]]
        scales = np.repeat([0.01, 0.05, 0.15], 10)
        base = np.repeat(best, len(scales), axis=0)
        steps = self.rng.normal(size=base.shape) * np.tile(scales, len(best))[:, None]
        out = base.copy()
        real = self.space.is_real
        out[:, real] = np.clip(base[:, real] + steps[:, real], 0.0, 1.0)
        flip = (self.rng.random(base.shape) < 1.0 / self.space.dim) & ~real
        out[flip] = self.rng.random(int(flip.sum()))
        return out

    def _unseen_configs(self, seen: set[tuple]) -> list[Params]:
        axes = self.space.grid_axes(max(p.n_values for p in self.space.values()))
        configs = (self.space.grid_point(i, axes) for i in range(self._finite_size))
        return [c for c in configs if self.is_new(c) and config_key(c) not in seen]

    def _design(self, n: int) -> list[Params | Proposal]:
        out: list[Params | Proposal] = []
        keys: set[tuple] = set()
        for _ in range(100 * n):
            if len(out) == n:
                break
            params = self.space.from_unit(self.design.draw(1)[0])
            key = config_key(params)
            if self.is_new(params) and key not in keys:
                out.append(Proposal(params, {"source": "design"}))
                keys.add(key)
        if len(out) < n and self._finite_size is not None:
            for params in self._unseen_configs(keys)[: n - len(out)]:
                out.append(Proposal(params, {"source": "design"}))
        return out

    def _observe(self, trials: list[Trial]) -> None:
        """Nothing to do at once: the model is refitted lazily at the next ``ask``."""
