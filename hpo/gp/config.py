"""The configuration of the GP behind Bayesian optimization: kernel, priors, search scaling.

One declared object for what a study varies in the surrogate (instead of patched module
constants), given to :class:`hpo.BayesianOptimization` as ``gp=GPConfig(...)``; it builds the
:class:`~hpo.gp.regression.GaussianProcess` on the optimizer's GP features.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpo.gp.kernels import Constant, Kernel, Matern, Polynomial
from hpo.gp.priors import LogNormal, default_prior, quadratic_prior
from hpo.gp.regression import FIT_GTOL, GaussianProcess

__all__ = ["DEFAULTS_BEFORE_2026_12_01", "EXACT_NOISE", "FULL_FIT_EVERY", "GPConfig"]

FIT_RESTARTS = ("always", "adaptive", "safeguarded", "prior-centre")
WARM_FITS = ("lbfgsb", "bfgs", "bfgs-always")  # as hpo.gp.regression.WARM_FITS
SEARCH_INTEGERS = ("discrete", "relaxed")  # as hpo.optimizers._bo_search.SEARCH_INTEGERS
SEARCH_BATCH = ("stacked", "independent")  # as hpo.optimizers._bo_search.SEARCH_BATCH
FULL_FIT_EVERY = 4  # "safeguarded": all restarts whenever n crosses a multiple of this
EXACT_NOISE = 1e-6  # the noise variance of a deterministic objective, and the noise floor
#: The fields whose defaults issue 16 changed on 2026-12-01, at their earlier values:
#: ``GPConfig(**DEFAULTS_BEFORE_2026_12_01)`` proposes what the earlier default did (the study
#: files of the journals committed before then pin it).
DEFAULTS_BEFORE_2026_12_01 = {
    "fit_restarts": "always",
    "search_batch": "stacked",
    "fit_warm": "lbfgsb",
}


@dataclass(frozen=True)
class GPConfig:
    """The surrogate model of :class:`hpo.BayesianOptimization`, for studies that vary it.

    Parameters
    ----------
    kernel : Kernel, optional
        Covariance over the GP inputs (for Bayesian optimization the features of
        :mod:`hpo.optimizers._bo_search`: one column per real or integer parameter, one per
        choice of a categorical); each model fits its own copy. Default
        ``Constant(1) * Matern(ones(p), nu=2.5)`` with the priors of
        :func:`hpo.gp.priors.default_prior`; a kernel given here is fitted by maximum
        likelihood unless it has that same form.
    lengthscale_prior : LogNormal or callable, optional
        The prior of every lengthscale of the default kernel, or a function of the number
        of features returning it (such as
        :func:`hpo.gp.priors.dimension_scaled_lengthscale_prior`). Default
        :data:`hpo.gp.priors.LENGTHSCALE_PRIOR`.
    precondition_min_reals : int, default 10
        With at least this many real parameters the gradient steps of the acquisition
        search run in units of the kernel's lengthscales (1: always; a large number:
        never); evidence in ``benchmarks/results/bo/precondition.md``.
    fit_restarts : {"always", "adaptive", "safeguarded", "prior-centre"}, default "prior-centre"
        While the hyperparameter fit restarts (at most 40 points), ``"prior-centre"`` makes
        one L-BFGS-B run from the prior's centre instead of the warm start and the restarts
        (every log-hyperparameter at its prior's ``mu``; ``restart_fit`` of
        :class:`~hpo.gp.regression.GaussianProcess`), as BoTorch refits its GP at every
        step: the default since the second change of 2026-12-01, with
        ``fit_warm="bfgs"`` (fewer off-centre Ackley funnels missed, a cheaper fit, and on
        held-out seeds of the 6-problem suite worse on no problem; evidence in
        ``benchmarks/results/bo/fit-2026-12-01b.md``). ``"always"`` runs every start;
        ``"adaptive"`` skips the restarts when the warm start stayed put (``skip_restarts``
        of :meth:`~hpo.gp.regression.GaussianProcess.fit`); ``"safeguarded"`` does too,
        but runs every start whenever the number of points reaches a multiple of
        :data:`FULL_FIT_EVERY`, so that a warm start stuck in a poor mode of the likelihood
        is left within a few steps (``"adaptive"`` alone lost Hartmann6 on 5 of 5 held-out
        seeds). ``"always"`` was the default before 2026-12-01, ``"safeguarded"`` (with
        ``search_batch="independent"``) on its morning: held-out check in
        ``benchmarks/results/bo/speed-2026-12-01.md``; earlier evidence in
        ``benchmarks/results/bo/speed-ablation.md``.
    refit_every : int, default 1
        While there are at most 300 points, fit the hyperparameters (MAP) when this many
        new points arrived since the last fit, and in between condition the GP on the new
        points with the hyperparameters kept (a rank-k Cholesky update); 1 refits at
        every step.
    search_starts : int, default 10
        Local searches of the acquisition maximizer (from the best raw candidates), all
        run by one batched L-BFGS-B; evidence in ``benchmarks/results/bo/speed-ablation.md``.
    fit_gtol : float, default 1e-4
        Projected-gradient tolerance of the hyperparameter fit's L-BFGS-B runs.
    search_ftol : float, default 2.22e-9 (scipy's)
        Relative-reduction tolerance of the acquisition search's L-BFGS-B.
    search_gtol : float, default 1e-6
        Projected-gradient tolerance of the acquisition search's L-BFGS-B (in the
        preconditioned units of :func:`~hpo.optimizers._bo_search.local_search`); Optuna's
        GP sampler uses 1e-2. A looser value is cheaper (evidence in
        ``benchmarks/results/bo/speed-issue16-followup.md``).
    fit_warm : {"lbfgsb", "bfgs", "bfgs-always"}, default "bfgs"
        How a hyperparameter fit runs from the last fit's hyperparameters: L-BFGS-B, or
        a dense BFGS that carries its inverse-Hessian approximation from one fit to the
        next, in fits without restarts (more than 40 points; ``"bfgs"``) or also as the
        warm start of fits with restarts (``"bfgs-always"``); ``warm_fit`` of
        :class:`~hpo.gp.regression.GaussianProcess`. ``"bfgs"`` is the default since the
        second change of 2026-12-01 (before: ``"lbfgsb"``). Evidence in
        ``benchmarks/results/bo/speed-issue16-followup.md`` and
        ``benchmarks/results/bo/fit-2026-12-01b.md``.
    search_integers : {"discrete", "relaxed"}, default "discrete"
        How the acquisition search treats an integer parameter with more than 64 values:
        by discrete steps over a spread of its values, or (``"relaxed"``) in the gradient
        steps as a continuous coordinate, snapped after each, with discrete steps over
        its neighbours (``integers`` of
        :func:`~hpo.optimizers._bo_search.maximize_mixed`; flat spaces only).
    search_spread : int, default 0
        With ``search_integers="relaxed"``, the discrete steps of such an integer also try
        this many values spread over its range (evenly on its own scale), besides its
        neighbours, so that a start can still jump across the range as the discrete
        search's 64-value spread lets it; 0 tries the neighbours only. Ignored with
        ``search_integers="discrete"``. ``spread`` of
        :func:`~hpo.optimizers._bo_search.maximize_mixed`; evidence in
        ``benchmarks/results/bo/mlp-share-2026-12-02.md``.
    search_batch : {"stacked", "independent"}, default "independent"
        How the acquisition search runs L-BFGS-B from its starts: one run on the stacked
        starts (shared steps, as many as the slowest start needs; the default before
        2026-12-01), or one run per start, their evaluations batched (``batch`` of
        :func:`~hpo.optimizers._bo_search.local_search`).
    quadratic : bool, default False
        Add a quadratic part to the default kernel: ``c * Matern(l) + Polynomial(v, s)``
        (:class:`~hpo.gp.kernels.Polynomial` of degree 2 on the inputs centred in the unit
        cube; Rasmussen & Williams 2006, secs. 2.7 and 4.2.2), with ``v`` and ``s`` fitted
        with the others (priors :func:`hpo.gp.priors.quadratic_prior`). The mean can then
        aim at the minimum of a rotated, ill-conditioned bowl, which an axis-aligned
        stationary kernel cannot (issue 17; evidence in
        ``benchmarks/results/landscapes/quad-*.md``). Not with ``kernel``. Its prior variance
        depends on ``x``; the acquisition search's gradient includes that term since
        2026-12-01 (``quad-*.md`` predate the fix; ``quadfast.md`` measures after it, also
        the cheaper ``output_warping="likelihood-every"``).

    ``GPConfig(**DEFAULTS_BEFORE_2026_12_01)``, that is ``GPConfig(fit_restarts="always",
    search_batch="stacked", fit_warm="lbfgsb")``, proposes exactly what the
    default did before 2026-12-01 (the study files of the committed journals pin it);
    ``GPConfig(fit_restarts="safeguarded", fit_warm="lbfgsb")`` what it did on the morning
    of 2026-12-01, before the fit's default changed.

    :meth:`fast` gives a still cheaper setting (evidence and its quality check in
    ``benchmarks/results/bo/speed-candidates.md``; measured against the stacked search).

    Examples
    --------
    >>> from hpo import BayesianOptimization, Real, Space
    >>> from hpo.gp import Matern
    >>> from hpo.gp.priors import dimension_scaled_lengthscale_prior
    >>> space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    >>> opt = BayesianOptimization(
    ...     space, seed=0, gp=GPConfig(lengthscale_prior=dimension_scaled_lengthscale_prior)
    ... )
    >>> opt = BayesianOptimization(space, seed=0, gp=GPConfig(kernel=Matern([0.5, 0.5], 1.5)))
    """

    kernel: Kernel | None = None
    lengthscale_prior: LogNormal | Callable[[int], LogNormal] | None = None
    precondition_min_reals: int = 10
    fit_restarts: str = "prior-centre"
    search_starts: int = 10
    refit_every: int = 1
    fit_gtol: float = FIT_GTOL
    search_ftol: float = 2.220446049250313e-09  # scipy's L-BFGS-B default (_bo_search)
    search_batch: str = "independent"
    search_gtol: float = 1e-6  # as hpo.optimizers._bo_search.SEARCH_GTOL
    fit_warm: str = "bfgs"
    search_integers: str = "discrete"
    quadratic: bool = False
    search_spread: int = 0

    @classmethod
    def fast(cls, **fields: Any) -> GPConfig:
        """The cheaper setting of ``benchmarks/results/bo/speed-candidates.md`` ("candC"):
        safeguarded restarts, 5 stacked search starts, a refit every 2 points, looser fit
        and search tolerances; ``fields`` override any of them.

        About half the optimizer time of a 50-evaluation run of the default before
        2026-12-01; on held-out seeds no problem of the 6-problem suite significantly
        worse, but Hartmann6 stuck far from x* on more seeds (see the results file). The
        default since 2026-12-01 costs about as little (``speed-2026-12-01.md``).
        """
        preset: dict[str, Any] = {
            "fit_restarts": "safeguarded",
            "search_starts": 5,
            "refit_every": 2,
            "fit_gtol": 1e-3,
            "search_ftol": 1e-6,
            "search_batch": "stacked",  # as measured (candC)
            "fit_warm": "lbfgsb",  # as measured
        }
        return cls(**{**preset, **fields})

    def __post_init__(self) -> None:
        if self.kernel is not None and not isinstance(self.kernel, Kernel):
            raise TypeError(f"kernel must be a hpo.gp Kernel, got {self.kernel!r}")
        if self.lengthscale_prior is not None:
            if not (
                isinstance(self.lengthscale_prior, LogNormal) or callable(self.lengthscale_prior)
            ):
                raise TypeError(
                    "lengthscale_prior must be a LogNormal or a function of the number of "
                    f"features returning one, got {self.lengthscale_prior!r}"
                )
            if self.kernel is not None:
                raise ValueError("lengthscale_prior applies to the default kernel only")
        if not isinstance(self.quadratic, bool):
            raise TypeError(f"quadratic must be True or False, got {self.quadratic!r}")
        if self.quadratic and self.kernel is not None:
            raise ValueError("quadratic adds to the default kernel: give no kernel with it")
        m = self.precondition_min_reals
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"precondition_min_reals must be a positive integer, got {m!r}")
        k = self.search_starts
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"search_starts must be a positive integer, got {k!r}")
        r = self.refit_every
        if isinstance(r, bool) or not isinstance(r, int) or r < 1:
            raise ValueError(f"refit_every must be a positive integer, got {r!r}")
        for name in ("fit_gtol", "search_ftol", "search_gtol"):
            tol = getattr(self, name)
            if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
                raise ValueError(f"{name} must be a number in (0, 1), got {tol!r}")
        if self.search_batch not in SEARCH_BATCH:
            raise ValueError(
                f"search_batch must be one of {SEARCH_BATCH}, got {self.search_batch!r}"
            )
        if self.search_integers not in SEARCH_INTEGERS:
            raise ValueError(
                f"search_integers must be one of {SEARCH_INTEGERS}, got {self.search_integers!r}"
            )
        k = self.search_spread
        if isinstance(k, bool) or not isinstance(k, int) or k < 0 or k == 1:
            raise ValueError(f"search_spread must be 0 or an integer of at least 2, got {k!r}")
        if self.fit_warm not in WARM_FITS:
            raise ValueError(f"fit_warm must be one of {WARM_FITS}, got {self.fit_warm!r}")
        if self.fit_restarts not in FIT_RESTARTS:
            raise ValueError(
                f"fit_restarts must be one of {FIT_RESTARTS}, got {self.fit_restarts!r}"
            )

    def make_gp(self, n_features: int, deterministic: bool) -> GaussianProcess:
        """A new, unfitted GP over ``n_features`` features."""
        noise = EXACT_NOISE if deterministic else 1e-4
        prior: Any = "default"
        ls = self.lengthscale_prior
        if ls is not None:
            ls = ls if isinstance(ls, LogNormal) else ls(n_features)
            prior = default_prior(n_features, n_features, not deterministic, lengthscale=ls)
        kernel = None if self.kernel is None else self.kernel.clone()
        if self.quadratic:  # the default kernel (GaussianProcess._default_kernel) + quadratic
            matern = Matern(np.ones(n_features), 2.5, bounds=(5e-3, 2e2))
            kernel = Constant(1.0, bounds=(1e-2, 1e2)) * matern + Polynomial()
            prior = quadratic_prior(n_features, not deterministic, lengthscale=ls)
        return GaussianProcess(
            kernel=kernel,
            noise=noise,
            fit_noise=not deterministic,
            noise_bounds=(EXACT_NOISE, 1.0),
            prior=prior,
            warm_fit=self.fit_warm,
            restart_fit="prior-centre" if self.fit_restarts == "prior-centre" else "restarts",
        )
