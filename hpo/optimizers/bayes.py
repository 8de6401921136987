"""Bayesian optimization with a Gaussian process and (log) expected improvement.

The loop: a space-filling initial design (scrambled Sobol); then at each ``ask``, fit a GP
(:mod:`hpo.gp`) to the completed trials, warm-started from the previous fit, and propose the
maximizer of the acquisition (log-EI by default). Integers and categoricals enter the GP
through an input transformation and are searched exactly (see
:mod:`hpo.optimizers._bo_search`); failed trials never enter the fitted model, but the
proposals move away from them (a pessimistic fantasy, see the class notes).
"""

from __future__ import annotations

import copy
import functools
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity
from hpo.gp._threads import single_blas_thread
from hpo.gp.acquisition import acquisition_and_gradient, make_acquisition
from hpo.gp.config import FULL_FIT_EVERY, GPConfig
from hpo.gp.kernels import Polynomial, Sum
from hpo.gp.regression import GaussianProcess
from hpo.gp.warp_selection import warp_by_likelihood, warp_every
from hpo.gp.warping import WARPINGS, warp
from hpo.optimizers._bo_conditional import branch_focus, maximize_by_branch
from hpo.optimizers._bo_leaves import (
    interleaved,
    maximize_by_leaf,
    random_proposal,
    supports_leaves,
)
from hpo.optimizers._bo_multiobjective import check_mo_options, propose_multiobjective
from hpo.optimizers._bo_search import FeatureMap, maximize_acquisition
from hpo.optimizers._rotated_region import rotated_search
from hpo.optimizers._trust_region import (
    TrustRegion,
    auto_trust_region,
    local_model_step,
    make_trust_region,
    side_length,
    trust_box,
)
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.optimizers.design import UnitDesign
from hpo.space import Params, Space
from hpo.trial import Trial, TrialStatus

__all__ = ["BayesianOptimization", "GPConfig"]

_BATCH = ("believer", "liar")
_ON_FAILURE = ("worst", "ignore")
# "likelihood" and "likelihood-every": hpo/gp/warp_selection.py
_OUTPUT_WARPINGS = (*WARPINGS, "likelihood", "likelihood-every")
_CONDITIONAL = ("indicator", "branch", "leaf", "impute")
_FEW_POINTS = 40  # fits restart from the prior while there are at most this many points
_MAX_ENUMERATION = 4096  # finite spaces up to this size are searched by enumeration
_FLOAT_MAX = float(np.finfo(float).max)


class _FitKey(NamedTuple):
    """What the next fit depends on beyond the model."""

    n_trials: int
    completed: tuple[int, ...]  # numbers of the completed trials
    rng_state: bytes  # the random stream (restarts draw from it), pickled to compare


class _Preview(NamedTuple):
    """A fit done ahead of the next ``ask`` (by :meth:`BayesianOptimization.predict` or
    :meth:`~BayesianOptimization.acquisition_value`), adopted by that ``ask`` when its
    ``key`` still holds."""

    key: _FitKey
    gp: GaussianProcess
    order: list[int]  # trial numbers in the order of the GP's rows
    fitted_on: int  # number of points of the last full hyperparameter fit
    rng_state: dict  # the random stream after the fit
    U: np.ndarray  # unit points of the completed trials
    y: np.ndarray  # their warped values
    warping: tuple[str, int] | None  # the last decision of "likelihood-every"


class BayesianOptimization(Optimizer):
    """Gaussian-process Bayesian optimization (minimization).

    Parameters
    ----------
    space : Space or dict
    seed : int, numpy.random.Generator or None
    fidelity : Fidelity, optional
        Evaluate at a budget: every asked configuration carries ``fidelity.high`` under
        ``fidelity.name`` (see :class:`~hpo.optimizers.Optimizer`).
    acquisition : {"logei", "ei", "pi", "lcb"}, default "logei"
        Log expected improvement (Ament et al. 2023), expected improvement, (log)
        probability of improvement, or the lower confidence bound ``mu - 2 sigma``.
    n_initial : int, optional
        Size of the scrambled-Sobol initial design; default ``min(10, max(5, d + 1))``.
        On landscapes whose funnel sits off-centre behind a rugged plateau (shifted Ackley),
        ``2 * d`` left fewer seeds on the plateau but raised Hartmann6's median on held-out
        seeds, so it is not the default (``benchmarks/results/bo/funnels-issue16.md``).
    batch : {"believer", "liar"}, default "believer"
        How ``ask(n)`` and pending trials are handled, hyperparameters frozen: a kriging
        believer (a pending point is believed to return the posterior mean) or a constant
        liar (it returns the best value observed).
    deterministic : bool, default False
        The objective is exact: fix the noise variance at 1e-6 instead of learning it
        (leave False for noisy objectives such as cross-validated losses).
    output_warping : {"yeo-johnson", "copula", "none", "likelihood", "likelihood-every"} or callable
        Default ``"yeo-johnson"``. Increasing transform of the values before the GP
        (:mod:`hpo.gp.warping`), or a function mapping the finite values of the completed
        trials, an array of shape ``(n,)``, to their increasing transform of the same
        shape. ``"likelihood"``: at every fit, ``"yeo-johnson"`` or ``"none"``, whichever
        makes the values more likely under a GP fitted to them
        (:func:`hpo.gp.warp_selection.warp_by_likelihood`; two more fits per step);
        evidence in ``benchmarks/results/landscapes/quad-*.md``. ``"likelihood-every"``:
        the same choice, remade only when the number of completed trials reaches a
        multiple of 4 (:func:`hpo.gp.warp_selection.warp_every`; half a fit more per
        step); evidence in ``benchmarks/results/landscapes/quadfast-*.md``.
    on_failure : {"worst", "ignore"}, default "worst"
        What the proposals believe of a failed trial: ``"worst"``, that it returned the
        worst value observed (a pessimistic fantasy, see the notes), or ``"ignore"``,
        nothing (the model sees the completed trials only).
    gp : GPConfig or dict, optional
        The kernel, the lengthscale prior and the preconditioning of the acquisition search
        (:class:`~hpo.gp.GPConfig`, or a dict of its fields as a study file gives it;
        default ``GPConfig()``).
    budget : int, optional
        Planned number of trials (unused beyond bookkeeping; accepted for ``minimize``).
    n_objectives : int, default 1
        Number of objectives, each minimized; ``tell`` then takes ``m`` floats per trial.
    mo_strategy : {"hybrid", "ehvi", "parego"}, optional
        With several objectives: the expected hypervolume improvement (two objectives),
        ParEGO's random Chebyshev scalarizations, or EHVI with every third model-based ask
        ParEGO's; see :mod:`hpo.optimizers._bo_multiobjective`. Default: ``"hybrid"`` for
        two objectives (EHVI leads on ZDT1, ZDT2 and Branin-Currin but never reaches DTLZ2's
        reference box, ParEGO does; ``benchmarks/results/moo/ablation.md``), ``"parego"``
        for more.
    reference_point : sequence of float, optional
        EHVI's reference point (default: the worst observed values plus 10 % of their range).
    conditional : {"leaf", "indicator", "branch", "impute"}, default "leaf"
        How the GP handles a conditional space (parameters with ``when=``). All four fit a
        GP on the whole tree, inactive parameters imputed at a fixed value
        (:mod:`hpo.optimizers._bo_search`); all but ``"impute"`` give it one
        activity-indicator feature per conditional parameter. ``"leaf"`` also fits one GP
        per leaf of the tree (every categorical parent fixed) on that leaf's trials and
        active parameters, and maximizes each leaf's acquisition, ranking the maxima together
        (:mod:`hpo.optimizers._bo_leaves`; leaves with few trials use the whole-tree GP),
        and makes one model-based proposal in two a uniformly random configuration instead,
        as SMAC interleaves random configurations (Hutter, Hoos and Leyton-Brown, 2011); a
        tree with integer parents is searched as with ``"indicator"``. ``"branch"``
        maximizes the whole-tree GP's acquisition once per leaf and spends one model-based
        proposal in two inside the incumbent's leaf (:mod:`hpo.optimizers._bo_conditional`);
        the other two search the whole tree at once. ``"leaf"`` is the default: on the
        conditional study's seeds it ends below random search on the MLP solver task, where
        the whole-tree GP alone did not; on ten other seeds of that task it ends below
        random search but above the whole-tree GP
        (``benchmarks/results/conditional/leaf.md``; ``branch.md`` and ``ablation.md`` for
        the others; the random interleaving was set, not tuned). Ignored for flat spaces:
        their proposals are the same under every value.
    trust_region : "auto", bool, TrustRegion or dict, default "auto"
        Search the acquisition only inside a box around the incumbent whose side grows after
        successes and shrinks after failures, scaled by the GP's lengthscales (TuRBO's
        rules, Eriksson et al. 2019; :mod:`hpo.optimizers._trust_region`). ``True`` takes
        TuRBO's constants; a :class:`~hpo.optimizers._trust_region.TrustRegion` or a dict of
        its fields sets them; ``{"global_every": 3}`` (every third model-based proposal
        searches the whole space) is the variant chosen on the BBOB landscapes;
        ``TrustRegion(metric="active")`` rotates the box and the GP into the frame of an
        active subspace (spaces of reals; :mod:`hpo.optimizers._rotated_region`); ``False`` or
        None searches the whole space (the default before 2026-12-01, proposal for proposal).
        ``"auto"`` (the default since 2026-12-01) is ``True`` for one objective on a flat
        space whose parameters are all :class:`~hpo.Real` or :class:`~hpo.Integer`, and
        ``False`` otherwise:

        * one objective, every parameter real: on held-out seeds 80-99 of the 6-problem
          suite TuRBO's rules were worse on no problem and lowered 5 of 6 medians
          (``benchmarks/results/bo/trust-region-default.md``);
        * one objective, integers and reals: the box restricts the real columns (the
          integers keep their whole range); on held-out seeds 700-709 of the paper study's
          MLP tasks it was worse on neither and lowered both medians
          (``benchmarks/results/paper/heldout-defaults.md``);
        * several objectives: off (the region follows one incumbent; ``True`` raises);
        * conditional spaces (``when=``): off; their committed results and targets were
          measured without it (``True`` applies it to the whole tree's search);
        * any categorical: off; no held-out check covered such spaces (``True`` applies
          it to the real columns).

        Finite spaces searched by enumeration ignore it. The resolved setting is the
        attribute ``trust_region`` (a ``TrustRegion`` or None). Evidence:
        ``benchmarks/results/landscapes/tr-*.md``.

    Attributes
    ----------
    gp : GaussianProcess or None
        The GP fitted at the last model-based ``ask``, on the completed trials only (None
        before): its hyperparameters (``gp.hyperparameters``), inputs the :meth:`features`
        of configurations, outputs the warped values. Proposals come from a copy of it
        also conditioned, hyperparameters and standardization frozen, on fantasies: of
        the failed trials (at the worst value, see the notes), of the pending trials (by
        the ``batch`` rule) and, for member ``k`` of an ``ask(n)`` batch, of members
        ``0..k-1``. So ``gp`` is the proposing model itself only for the first proposal of
        an ask with no failed and no pending trial; :meth:`acquisition_value` evaluates the
        acquisition of the proposing model of the next ask, :meth:`predict` the posterior
        of ``gp`` as the next ask will fit it.

    Notes
    -----
    Integers and categoricals are handled explicitly, never by rounding a continuous
    proposal: the GP sees every point as the configuration it stands for (integers at the
    coordinate of their value, categoricals one-hot, after Garrido-Merchan & Hernandez-Lobato
    2020), and the acquisition is maximized by L-BFGS-B over the reals alternating with an
    exact search over each discrete parameter's values (all of them up to 64; wider integer
    ranges try 64 values spread evenly on their scale and the neighbours of the current one,
    until nothing changes); with 10 or more real parameters (``GPConfig``) the gradient steps
    run in units of the kernel's lengthscales. Finite spaces of up to 4096 configurations
    are searched by enumerating the unseen ones. No proposal repeats a configuration asked
    or told before. Regret against its peers: ``benchmarks/results/bo/regret-main.md``.

    A failed trial never enters the hyperparameter fit, :attr:`gp`, ``completed`` or
    ``best``, and its value is never used as a number. With ``on_failure="worst"`` the
    proposals still move away from it: a pessimistic constant liar (the "CL-max" fantasy of
    Ginsbourger, Le Riche & Carraro 2010, "Kriging is well-suited to parallelize
    optimization") believes that each failed configuration returned the worst value
    observed, so the posterior mean rises and the variance vanishes around it, over the GP's
    own lengthscales. It pays when failures cluster in a region and costs when they are
    random (retry those rather than telling them, or pass ``"ignore"``); evidence in
    ``benchmarks/results/bo/failures-main.md``.

    Hyperparameters are refitted (MAP, warm-started) at every ``ask`` that follows new data
    while there are at most 300 observations, then every ``n / 150`` new points, with rank-k
    Cholesky updates in between; while there are at most 40, each fit is one run from the
    prior's centre instead (``GPConfig.fit_restarts``, ``fit_warm``; since 2026-12-01,
    ``benchmarks/results/bo/fit-2026-12-01b.md``). Each start of the acquisition search runs
    its own L-BFGS-B, their evaluations batched (``GPConfig.search_batch``; since
    2026-12-01, ``benchmarks/results/bo/speed-2026-12-01.md``).
    ``gp=GPConfig(**hpo.gp.config.DEFAULTS_BEFORE_2026_12_01)`` is the default before then.

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
    supports_multi_objective = True
    supports_conditional = True
    #: Class default for optimizers saved before conditional spaces existed.
    conditional = "indicator"

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
        acquisition: str = "logei",
        n_initial: int | None = None,
        batch: str = "believer",
        deterministic: bool = False,
        output_warping: str | Callable[[np.ndarray], np.ndarray] = "yeo-johnson",
        on_failure: str = "worst",
        gp: GPConfig | Mapping[str, Any] | None = None,
        budget: int | None = None,
        n_objectives: int = 1,
        mo_strategy: str | None = None,
        reference_point: Sequence[float] | None = None,
        conditional: str = "leaf",
        trust_region: TrustRegion | Mapping[str, Any] | bool | str | None = "auto",
    ) -> None:
        super().__init__(space, seed=seed, fidelity=fidelity, n_objectives=n_objectives)
        self.mo_strategy, self.reference_point = check_mo_options(
            self.n_objectives, mo_strategy, reference_point
        )
        make_acquisition(acquisition, 0.0)  # validates the name
        if batch not in _BATCH:
            raise ValueError(f"batch must be one of {_BATCH}, got {batch!r}")
        if not callable(output_warping) and output_warping not in _OUTPUT_WARPINGS:
            raise ValueError(
                f"output_warping must be one of {_OUTPUT_WARPINGS} or a callable, "
                f"got {output_warping!r}"
            )
        if on_failure not in _ON_FAILURE:
            raise ValueError(f"on_failure must be one of {_ON_FAILURE}, got {on_failure!r}")
        if isinstance(gp, Mapping):  # from a study file: the fields of a GPConfig
            gp = GPConfig(**gp)
        if gp is not None and not isinstance(gp, GPConfig):
            raise TypeError(f"gp must be a GPConfig or a mapping of its fields, got {gp!r}")
        if n_initial is not None and (not isinstance(n_initial, int) or n_initial < 1):
            raise ValueError(f"n_initial must be a positive integer, got {n_initial!r}")
        d = self.space.dim
        self.acquisition = acquisition
        self.n_initial = n_initial if n_initial is not None else min(10, max(5, d + 1))
        self.batch = batch
        self.deterministic = deterministic
        self.output_warping = output_warping
        self.on_failure = on_failure
        self.gp_config = gp if gp is not None else GPConfig()
        self.budget = budget
        if conditional not in _CONDITIONAL:
            raise ValueError(f"conditional must be one of {_CONDITIONAL}, got {conditional!r}")
        self.conditional = conditional
        if isinstance(trust_region, str):
            if trust_region != "auto":
                raise ValueError(
                    "trust_region must be 'auto', a bool, a TrustRegion or a mapping of its "
                    f"fields, got {trust_region!r}"
                )
            trust_region = auto_trust_region(self.space, self.n_objectives)
        #: The resolved setting: a TrustRegion, or None for the whole space.
        self.trust_region = make_trust_region(trust_region)
        if self.trust_region is not None and self.n_objectives > 1:
            raise ValueError("trust_region applies to one objective (n_objectives=1)")
        self.fmap = FeatureMap(self.space, "impute" if conditional == "impute" else "indicator")
        self.design = UnitDesign("sobol", d, self.rng)
        self.gp: GaussianProcess | None = None
        self._fitted_on = 0  # number of points of the last full hyperparameter fit
        self._order: list[int] = []  # trial numbers in the order of the GP's rows
        self._preview: _Preview | None = None  # a fit done ahead of the next ask
        self._warping: tuple[str, int] | None = None  # "likelihood-every"'s last decision
        self._finite_size = self.space.n_configs

    def __setstate__(self, state: dict[str, Any]) -> None:
        # optimizers saved (Optimizer.save) before these attributes existed
        avoid = state.pop("_avoid_failures", True)
        state.setdefault("on_failure", "worst" if avoid else "ignore")
        state.setdefault("gp_config", GPConfig())
        # saved before trust regions existed, or before "auto" became the default: such a
        # run searched the whole space, and resumes as it ran (never switched mid-run)
        state.setdefault("trust_region", None)
        state.setdefault("_warping", None)
        if not isinstance(state.get("_preview"), _Preview):  # absent, or an old plain tuple
            state["_preview"] = None
        self.__dict__.update(state)

    def features(self, configs: list[Params]) -> np.ndarray:
        """GP inputs of configurations, shape ``(n, n_features)``."""
        return self.fmap(self.space.to_unit_batch(configs))

    # -- the model ----------------------------------------------------------------------
    def _fit_key(self) -> _FitKey:
        state = pickle.dumps(self.rng.bit_generator.state)
        return _FitKey(len(self._trials), tuple(t.number for t in self.completed), state)

    def _warp(self, values: np.ndarray) -> np.ndarray:
        """The values the GP models: :attr:`output_warping` of the completed trials' ones."""
        if not callable(self.output_warping):
            return warp(values, self.output_warping)
        y = np.asarray(self.output_warping(values.copy()), dtype=float)
        if y.shape != values.shape or not np.all(np.isfinite(y)):
            raise ValueError(
                f"output_warping must map the values, shape {values.shape}, to finite values "
                f"of the same shape; got shape {y.shape}"
            )
        return y

    def _fit(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Fit (or update) the GP on the completed trials; return their unit points and
        warped values, or None without data."""
        if self._preview is not None:  # a fit done ahead by predict / acquisition_value
            preview, self._preview = self._preview, None
            if preview.key == self._fit_key():  # nothing told since: it is this very fit
                self.gp, self._order, self._fitted_on = preview.gp, preview.order, preview.fitted_on
                self.rng.bit_generator.state = preview.rng_state
                self._warping = preview.warping
                return preview.U, preview.y
        done = {t.number: t for t in self.completed}
        if not done:
            return None
        known = set(self._order)
        self._order += [number for number in done if number not in known]
        done = [done[number] for number in self._order]
        U = self.space.to_unit_batch([t.params for t in done])
        F = self.fmap(U)
        values = np.array([t.value for t in done])
        if self.output_warping in ("likelihood", "likelihood-every"):  # gp/warp_selection.py
            make = functools.partial(self.gp_config.make_gp, F.shape[1], self.deterministic)
            if self.output_warping == "likelihood":
                y = warp_by_likelihood(values, F, make)[0]
            else:
                y, self._warping = warp_every(values, F, make, self._warping)
        else:
            y = self._warp(values)
        n = len(y)
        if self.gp is None:
            self.gp = self.gp_config.make_gp(self.fmap.n_features, self.deterministic)
        # Refit the hyperparameters at every new point (every GPConfig.refit_every points)
        # while n is moderate, then every n/150 points, conditioning in between by rank-k
        # updates of the Cholesky factor.
        unchanged = self.gp.X_train is not None and n == len(self.gp.X_train) == self._fitted_on
        every = self.gp_config.refit_every
        moderate = n <= 300 and (every == 1 or n - self._fitted_on >= every)
        refit = moderate or n - self._fitted_on >= max(n // 150, every) or self.gp.X_train is None
        if unchanged:  # no new data since the last fit (asks without tells)
            self.gp.set_targets(y)
        elif refit:
            self.gp.fit(
                F,
                y,
                rng=self.rng,
                n_restarts=2 if n <= _FEW_POINTS else 0,
                skip_restarts=self._may_skip_restarts(n),
                gtol=self.gp_config.fit_gtol,
            )
            self._fitted_on = n
        elif n > len(self.gp.X_train):
            k = len(self.gp.X_train)
            self.gp.add_observations(F[k:], y[k:])
            self.gp.set_targets(y)
        else:
            self.gp.set_targets(y)
        return U, y

    def _may_skip_restarts(self, n: int) -> bool:
        """Whether the fit on ``n`` points may skip its restarts (``GPConfig.fit_restarts``):
        with ``"safeguarded"``, not when ``n`` reached a multiple of ``FULL_FIT_EVERY``
        since the last fit."""
        mode = self.gp_config.fit_restarts
        if mode == "safeguarded":
            return n // FULL_FIT_EVERY == self._fitted_on // FULL_FIT_EVERY
        return mode == "adaptive"

    def _fit_ahead(self) -> tuple[GaussianProcess, np.ndarray, np.ndarray]:
        """The fit the next ``ask`` would make, done on copies so that the optimizer's state
        and random stream stay as they were; kept, so that the next ``ask`` adopts it if
        nothing was told in between (and then proposes exactly what it would have)."""
        if self.n_objectives > 1:
            raise NotImplementedError("predict and acquisition_value model one objective")
        key = self._fit_key()
        if self._preview is None or self._preview.key != key:
            twin = copy.copy(self)
            twin.gp, twin.rng = copy.deepcopy(self.gp), copy.deepcopy(self.rng)
            twin._order, twin._preview = list(self._order), None
            with single_blas_thread():
                fitted = twin._fit()
            if fitted is None:
                raise RuntimeError("the model needs at least one completed trial")
            state = twin.rng.bit_generator.state
            self._preview = _Preview(
                key, twin.gp, twin._order, twin._fitted_on, state, *fitted, twin._warping
            )
        return self._preview.gp, self._preview.U, self._preview.y

    def _proposal_model(self, fitted: GaussianProcess, y: np.ndarray) -> GaussianProcess:
        """A copy of the ``fitted`` GP that also believes fantasies, hyperparameters and
        standardization frozen: failed configurations, then pending ones.

        ``y``: the warped values of the completed trials, as :meth:`_fit` returns them.
        """
        gp = copy.deepcopy(fitted)  # fantasies stay out of the fitted model
        failed = [t.params for t in self._trials if t.status is TrialStatus.FAILED]
        if failed and self.on_failure == "worst":
            # A pessimistic constant liar (the "CL-max" of Ginsbourger, Le Riche & Carraro
            # 2010, "Kriging is well-suited to parallelize optimization"): each failed point
            # is believed to have returned the worst value observed, max y, so the posterior
            # mean rises and the variance collapses around it, over the GP's lengthscales.
            gp.add_observations(self.features(failed), np.full(len(failed), np.max(y)))
        pending = [t.params for t in self.pending]
        if pending:
            F = self.features(pending)
            gp.add_observations(F, self._lie(gp, F, float(np.min(y))))
        return gp

    # -- inspection ---------------------------------------------------------------------
    def predict(self, configs: Params | Sequence[Params]) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the model at configurations.

        The model is the GP on the completed trials, fitted as the next ``ask`` fits it,
        without fantasies: what the optimizer believes about the objective. The optimizer
        does not change: the next ``ask`` proposes what it would have proposed without this
        call (and reuses the fit when nothing was told in between).

        Parameters
        ----------
        configs : dict or list of dict
            Configurations of the space.

        Returns
        -------
        mean, std : ndarray of shape (n_configs,)
            Of the latent objective (observation noise excluded), in the units of the values
            the GP models. With ``output_warping="none"`` these are the objective's own
            units. Otherwise they are the warped values, ``hpo.gp.warp(values,
            output_warping)`` of the completed trials: an increasing transform (a lower
            mean is still a better prediction) re-estimated as data arrive, through which a
            mean and a standard deviation cannot be mapped back to the objective's units.

        Raises
        ------
        ValueError
            If a configuration lies outside the space (the message names the parameter).
        RuntimeError
            Before the first completed trial.
        """
        F = self._inspected(configs)
        gp, _, _ = self._fit_ahead()
        mean, var = gp.predict(F, return_var=True)
        return mean, np.sqrt(var)

    def acquisition_value(self, configs: Params | Sequence[Params]) -> np.ndarray:
        """The acquisition value that the next ``ask()`` gives each configuration.

        Computed from the model that ``ask()`` proposes from: the GP of :meth:`predict`,
        also conditioned on the fantasies of failed and pending trials (see :attr:`gp`).
        Its maximum over the space is the next proposal (up to the search's resolution).
        The optimizer does not change, as with :meth:`predict`.

        Parameters
        ----------
        configs : dict or list of dict
            Configurations of the space.

        Returns
        -------
        ndarray of shape (n_configs,)
            In the units of ``Trial.info["acquisition_value"]``: the GP's standardized
            units (zero mean and unit variance over the warped values of the completed
            trials); log-EI and PI as natural logs.

        Raises
        ------
        ValueError
            If a configuration lies outside the space (the message names the parameter).
        RuntimeError
            Before the first completed trial.
        """
        F = self._inspected(configs)
        fitted, _, y = self._fit_ahead()
        with single_blas_thread():
            gp = self._proposal_model(fitted, y)
            values, _ = acquisition_and_gradient(gp, self._make_acquisition(gp), F, False)
        return values

    def _inspected(self, configs: Params | Sequence[Params]) -> np.ndarray:
        """GP features of configurations given to :meth:`predict` or
        :meth:`acquisition_value`, validated against the space."""
        batch = [configs] if isinstance(configs, Mapping) else list(configs)
        return self.features([self.space.validate(c) for c in batch])

    # -- proposals ----------------------------------------------------------------------
    def _propose(self, n: int) -> list[Params | Proposal]:
        with single_blas_thread():
            return self._propose_batch(n)

    def _propose_batch(self, n: int) -> list[Params | Proposal]:
        if self._finite_size is not None and len(self._keys) >= self._finite_size:
            return []
        if len(self._trials) < self.n_initial or not self.completed:
            return self._design(n)
        if self.n_objectives > 1:  # hpo/optimizers/_bo_multiobjective.py
            return propose_multiobjective(self, n)
        U, y = self._fit()
        gp = self._proposal_model(self.gp, y)
        liar = float(np.min(y))
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
        # kriging believer: the posterior mean, which can round past the largest float when
        # the values reach it (the GP standardizes them without overflow)
        return np.clip(gp.predict(F), -_FLOAT_MAX, _FLOAT_MAX)

    def _make_acquisition(self, gp: GaussianProcess):
        """The acquisition of :attr:`acquisition` with the incumbent of ``gp`` (its lowest
        training value, fantasies included, in standardized units)."""
        return make_acquisition(self.acquisition, float(np.min(gp.standardize_y(gp.y_train))))

    def _propose_one(
        self, gp: GaussianProcess, U: np.ndarray, seen: set[tuple]
    ) -> tuple[Params | None, dict[str, Any]]:
        acq = self._make_acquisition(gp)
        if self._finite_size is not None and self._finite_size <= _MAX_ENUMERATION:
            candidates = self._unseen_configs(seen)
            if not candidates:
                return None, {}
            values, _ = acquisition_and_gradient(gp, acq, self.features(candidates), False)
            i = int(np.argmax(values))
            return candidates[i], self._info(gp, acq, candidates[i], values[i])
        if self.conditional == "leaf" and interleaved(self, len(seen)):  # _bo_leaves.py
            params, info = random_proposal(self, seen)
            if params is not None:
                return params, info
        precondition = len(self.fmap.real) >= self.gp_config.precondition_min_reals
        search = maximize_acquisition
        if self.conditional == "branch":  # hpo/optimizers/_bo_conditional.py
            search = functools.partial(maximize_by_branch, focus=branch_focus(self, len(seen)))
        elif self.conditional == "leaf" and supports_leaves(self.fmap):  # _bo_leaves.py
            search = functools.partial(
                maximize_by_leaf,
                config=self.gp_config,
                deterministic=self.deterministic,
                acquisition_name=self.acquisition,
            )
        box, region = self._trust_box(gp, len(seen))
        if box is not None and self.trust_region.metric == "active" and all(self.space.is_real):
            length = region["trust_region"]  # hpo/optimizers/_rotated_region.py
            search = functools.partial(rotated_search, opt=self, U=U, length=length)
        extra = self._local_candidates(gp, U)
        step = self._local_model_step(box, region, len(seen))  # hpo/optimizers/_local_model.py
        if step is not None and self.trust_region.local_model == "candidate":
            extra = np.vstack([step, extra])
        elif step is not None:
            params = self.space.from_unit(step)
            if self.is_new(params) and config_key(params) not in seen:
                return params, {"source": "local-model", **region}
        Xs, vs, raw, raw_values = search(
            gp,
            acq,
            self.fmap,
            self.rng,
            extra=extra,
            lengthscales=_lengthscales(gp) if precondition else None,
            n_restarts=self.gp_config.search_starts,
            ftol=self.gp_config.search_ftol,
            gtol=self.gp_config.search_gtol,
            integers=self.gp_config.search_integers,
            spread=self.gp_config.search_spread,
            batch=self.gp_config.search_batch,
            **({} if box is None else {"box": box}),
        )
        for X, v in ((Xs, vs), (raw, raw_values)):
            for u, value in zip(X, v):
                params = self.space.from_unit(u)
                if self.is_new(params) and config_key(params) not in seen:
                    return params, {**self._info(gp, acq, params, value), **region}
        for _ in range(100):  # everything near the optimum was seen: a random new point
            params = self.space.from_unit(self.rng.random(self.space.dim))
            if self.is_new(params) and config_key(params) not in seen:
                return params, {"source": "fallback"}
        return None, {}

    def _trust_box(
        self, gp: GaussianProcess, position: int
    ) -> tuple[tuple[np.ndarray, np.ndarray] | None, dict[str, Any]]:
        """The trust region of the next proposal (``position`` in its batch) and what its
        ``info`` records of it; (None, {}) when the search is global."""
        tr = self.trust_region
        if tr is None:
            return None, {}
        # this proposal's number among the model-based ones (pending trials included)
        if tr.is_global(max(len(self._trials) - self.n_initial, 0) + position):
            return None, {"trust_region": None}
        finished = [t for t in self._trials if t.status is not TrialStatus.PENDING]
        values = [t.value if t.status is TrialStatus.COMPLETE else np.inf for t in finished]
        n_before = min(self.n_initial + tr.start, len(values))
        length = side_length(values, n_before, tr, self.space.dim)
        center = self.space.to_unit(self.best.params)
        ls = _lengthscales(gp)
        if ls is not None and ls.ndim == 0:  # an isotropic kernel: a cube
            ls = None
        real = np.flatnonzero(self.space.is_real)
        ls = None if ls is None else ls[self.fmap.real_features]
        return trust_box(center, length, ls, real), {"trust_region": length}

    def _local_model_step(
        self, box: tuple[np.ndarray, np.ndarray] | None, region: dict[str, Any], position: int
    ) -> np.ndarray | None:
        """The trust region's quadratic-model step (``TrustRegion.local_model``), or None."""
        if box is None or self.trust_region.local_model == "off" or not all(self.space.is_real):
            return None
        done = self.completed
        U = self.space.to_unit_batch([t.params for t in done])
        values = np.array([t.value for t in done], dtype=float)
        k = max(len(self._trials) - self.n_initial, 0) + position
        center = self.space.to_unit(self.best.params)
        return local_model_step(
            self.trust_region, k, region["trust_region"], U, values, center, box
        )

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
        k = max(p.n_values for p in self.space.values())
        if self.space.is_conditional:  # the tree: each distinct configuration once
            configs = iter(self.space.grid(k))
        else:
            axes = self.space.grid_axes(k)
            configs = (self.space.grid_point(i, axes) for i in range(self._finite_size))
        excluded = self._keys | seen  # asked or told before, or chosen earlier in this batch
        return [c for c in configs if config_key(c) not in excluded]

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


def _lengthscales(gp: GaussianProcess) -> np.ndarray | None:
    """The lengthscales of the default kernel ``c * Matern(l)`` over the GP features (also
    with ``GPConfig(quadratic=True)``'s added polynomial: ``c * Matern(l) + Polynomial``)."""
    kernel = gp.kernel
    if isinstance(kernel, Sum) and isinstance(kernel.k2, Polynomial):
        kernel = kernel.k1
    ls = getattr(getattr(kernel, "k2", None), "lengthscale", None)
    return None if ls is None else np.asarray(ls, dtype=float)
