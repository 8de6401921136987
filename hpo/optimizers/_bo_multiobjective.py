"""Proposals of :class:`~hpo.BayesianOptimization` with several objectives (issue 11 item 3).

Three strategies, chosen by the optimizer's ``mo_strategy``:

* ``"parego"`` (Knowles 2006, "ParEGO: a hybrid algorithm with on-line landscape approximation
  for expensive multiobjective optimization problems", IEEE TEC 10(1)): at each ask a weight
  vector is drawn from ParEGO's simplex lattice, the completed trials' vectors are reduced to
  their augmented Chebyshev scalarization (eq. 2), and a fresh single-objective
  :class:`~hpo.BayesianOptimization` on the same space (same options, a child seed) is told
  them, the failed trials as failed and the pending ones as pending, and asked for the batch
  (its kriging believer fantasizes the members of the batch and the pending trials).
* ``"ehvi"`` (two objectives): one GP per objective, fitted as the single-objective GP is
  (:class:`~hpo.gp.GPConfig`, MAP hyperparameters) on the raw values, and the log expected
  hypervolume improvement (:func:`hpo.moo.acquisition.expected_hypervolume_improvement`,
  exact for two objectives) in the objectives' own units, against the front of the completed
  trials and a reference point (the ``reference_point`` option, or the worst observed value
  per objective plus 10 % of its range; the problem's own reference point is never looked
  at). The acquisition is maximized over scored candidates (scrambled Sobol points and
  Gaussian perturbations of the front's points, discrete values drawn by the space's unit
  map). Its analytic gradient (:func:`hpo.moo.acquisition.log_ehvi_and_gradient`) drives the
  L-BFGS-B search of :func:`~hpo.optimizers._bo_search.maximize_mixed` when
  :data:`EHVI_SEARCH` is ``"gradient"`` (measured, not the default: see below). ``ask(n)``
  and pending trials: kriging believer (each pending point is believed to return both
  posterior means, added to both GPs and to the front).
* ``"hybrid"`` (two objectives; the default there, ParEGO for more): the model-based asks
  are numbered and every :data:`HYBRID_PERIOD`-th (third) is ParEGO's, the others EHVI's;
  a batch ``ask(n)`` is one ask.

Why the hybrid (``benchmarks/results/moo/ablation.md``, tuning seeds 100-104, 60
evaluations, median hypervolume regret): EHVI is best on ZDT1 (0.0168), ZDT2 (0.0160) and
Branin-Currin (1.69) but on DTLZ2 (11 variables) it spends its trials on the extremes of the
front (one objective 0, the other far beyond the problem's reference point) and never enters
the problem's reference box (0.4246 = the maximal hypervolume, 5 of 5 seeds); ParEGO enters it
(0.2953) and loses everywhere else (ZDT1 0.0508, ZDT2 0.1040, Branin-Currin 8.23). One ParEGO
ask in three (0.0188, 0.0177, 2.34, DTLZ2 0.3832) keeps most of EHVI's lead and enters
DTLZ2's box on 4 of 5 seeds; one in two was worse everywhere (0.0203, 0.0198, 2.71, 0.4171),
one in four (ZDT2 0.0159, Branin-Currin 2.12) entered DTLZ2's box on 2 seeds of 5 (0.4246). Rejected
there too: a reference point at the front's nadir plus 10 % of its range, or plus ``1/H`` of
it (Ishibuchi et al. 2018), lost ZDT1 badly (0.15-0.62 on seeds 100-102, EHVI 0.016-0.017
there: the problems' reference points reward the extremes); bounding EHVI's box below at the
ideal point (the ``lower`` corner of the acquisition) changed little with a 10 % margin and
lost ZDT2 and Branin-Currin with none.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from hpo.moo.acquisition import (
    chebyshev_weights,
    expected_hypervolume_improvement,
    log_ehvi_and_gradient,
    parego_scalarize,
)
from hpo.moo.dominance import is_non_dominated
from hpo.optimizers._bo_search import maximize_mixed
from hpo.optimizers.base import Proposal, config_key
from hpo.trial import Trial, TrialStatus

if TYPE_CHECKING:
    from hpo.gp.regression import GaussianProcess
    from hpo.optimizers.bayes import BayesianOptimization
    from hpo.space import Params

__all__ = ["MO_STRATEGIES", "check_mo_options", "propose_multiobjective"]

MO_STRATEGIES = ("parego", "ehvi", "hybrid")
HYBRID_PERIOD = 3
DEFAULT_STRATEGY = "hybrid"  # for two objectives; ParEGO for more
_N_SOBOL = 2048  # scored candidates of the EHVI search (plus the perturbations of the front)


def propose_multiobjective(opt: BayesianOptimization, n: int) -> list[Params | Proposal]:
    """The proposals of ``opt`` (``n_objectives > 1``) past its initial design."""
    if opt.mo_strategy == "parego":
        return _propose_parego(opt, n)
    if opt.mo_strategy == "hybrid":
        # the model-based asks are numbered (info "mo_round", so a reloaded optimizer goes on
        # counting); every HYBRID_PERIOD-th of them is ParEGO's, the others EHVI's
        k = 1 + max((t.info.get("mo_round", -1) for t in opt.trials), default=-1)
        parego = k % HYBRID_PERIOD == HYBRID_PERIOD - 1
        out = _propose_parego(opt, n) if parego else _propose_ehvi(opt, n)
        return [Proposal(p.params, {**p.info, "mo_round": k}) for p in out]
    return _propose_ehvi(opt, n)


# -- ParEGO ---------------------------------------------------------------------------------
def _propose_parego(opt: BayesianOptimization, n: int) -> list[Params | Proposal]:
    from hpo.optimizers.bayes import BayesianOptimization

    weights = chebyshev_weights(opt.n_objectives, opt.rng)
    done = opt.completed
    scalar = parego_scalarize(np.array([t.value for t in done], dtype=float), weights)
    inner = BayesianOptimization(
        opt.space,
        seed=int(opt.rng.integers(2**63)),
        fidelity=opt.fidelity,
        acquisition=opt.acquisition,
        n_initial=1,
        batch=opt.batch,
        deterministic=opt.deterministic,
        output_warping=opt.output_warping,
        on_failure=opt.on_failure,
        gp=opt.gp_config,
    )
    inner.tell([t.params for t in done], [float(v) for v in scalar])
    failed = [t for t in opt.trials if t.status is TrialStatus.FAILED]
    if failed:
        inner.tell([t.params for t in failed], [None] * len(failed))
    for trial in opt.pending:  # pending in the inner optimizer too: its believer fantasizes
        _add_pending(inner, trial.params)
    configs = inner.ask(n)
    info = {"strategy": "parego", "weights": [float(w) for w in weights]}
    by_key = {config_key(t.params): t.info for t in inner.pending}
    return [Proposal(c, {**by_key.get(config_key(c), {}), **info}) for c in configs]


def _add_pending(opt: BayesianOptimization, params: Params) -> None:
    """Record ``params`` as asked and not yet told (what ``ask`` does for its proposals)."""
    trial = Trial(number=len(opt._trials), params=dict(params), info={})
    opt._trials.append(trial)
    opt._pending[trial.number] = trial
    opt._keys.add(opt._key(trial.params))


# -- EHVI -----------------------------------------------------------------------------------
def _reference(opt: BayesianOptimization, Y: np.ndarray) -> np.ndarray:
    if opt.reference_point is not None:
        return np.asarray(opt.reference_point, dtype=float)
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    return hi + 0.1 * np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))


def _propose_ehvi(opt: BayesianOptimization, n: int) -> list[Params | Proposal]:
    done = opt.completed
    U = opt.space.to_unit_batch([t.params for t in done])
    Y = np.array([t.value for t in done], dtype=float)
    F = opt.fmap(U)
    reference = _reference(opt, Y)
    few = len(Y) <= 40
    gps = []
    for j in range(2):
        gp = opt.gp_config.make_gp(opt.fmap.n_features, opt.deterministic)
        gp.fit(F, Y[:, j], rng=opt.rng, n_restarts=2 if few else 0)
        gps.append(gp)
    front = Y[is_non_dominated(Y)]
    pending = [t.params for t in opt.pending]
    failed = [t.params for t in opt.trials if t.status is TrialStatus.FAILED]
    if failed and opt.on_failure == "worst":  # believed to return the worst values (CL-max)
        Ff = opt.features(failed)
        gps = [copy.deepcopy(gp) for gp in gps]
        for j, gp in enumerate(gps):
            gp.add_observations(Ff, np.full(len(failed), Y[:, j].max()))
    if pending:
        gps, front = _believe(opt, gps, front, opt.features(pending), copy_models=not failed)
    out: list[Params | Proposal] = []
    seen: set[tuple] = set()
    for position in range(n):
        params, value = _best_candidate(opt, gps, front, reference, seen)
        if params is None:
            break
        out.append(
            Proposal(
                params,
                {
                    "source": "model",
                    "strategy": "ehvi",
                    "acquisition": "logehvi",
                    "acquisition_value": value,
                    "batch_position": position,
                    "n_observations": len(Y),
                },
            )
        )
        seen.add(config_key(params))
        if position + 1 < n:
            copy_models = position == 0 and not pending and not failed
            gps, front = _believe(opt, gps, front, opt.features([params]), copy_models)
    return out


def _believe(
    opt: BayesianOptimization,
    gps: list[GaussianProcess],
    front: np.ndarray,
    Fp: np.ndarray,
    copy_models: bool,
) -> tuple[list[GaussianProcess], np.ndarray]:
    """Kriging believer: the points ``Fp`` return both posterior means."""
    if copy_models:
        gps = [copy.deepcopy(gp) for gp in gps]
    means = np.column_stack([gp.predict(Fp) for gp in gps])
    for j, gp in enumerate(gps):
        gp.add_observations(Fp, means[:, j])
    allpts = np.vstack([front, means])
    return gps, allpts[is_non_dominated(allpts)]


#: How EHVI is maximized: "scored" (candidates only, the default) or "gradient" (the analytic
#: gradient and L-BFGS-B from the best candidates; benchmarks/results/moo/ask_time.md).
EHVI_SEARCH = "scored"
_MIN_SIGMA = 1e-12  # floor of the posterior standard deviations, in the objectives' units


def _log_ehvi_on_features(gps: list[GaussianProcess], front: np.ndarray, reference: np.ndarray):
    """``fun(F, gradient) -> (log EHVI, d log EHVI / dF)`` on GP features, for
    :func:`~hpo.optimizers._bo_search.maximize_mixed`. Each GP's posterior in its
    standardized units is mapped back to the objective's units: ``mu = c + t m`` and
    ``sigma = t sqrt(v)``, so ``dmu/dF = t dm/dF`` and ``dsigma/dF = t dv/dF / (2 sqrt(v))``.
    """

    def fun(F: np.ndarray, gradient: bool):
        mu, sigma, dmu, dsigma = [], [], [], []
        for gp in gps:
            st = gp._standardization
            if gradient:
                m, v, dm, dv = gp.posterior(F, gradient=True)
            else:
                m, v = gp.posterior(F)
            sd = np.sqrt(np.maximum(v, 0.0))
            s = st.std * sd
            clamped = s < _MIN_SIGMA
            mu.append(st.inverse(m))
            sigma.append(np.where(clamped, _MIN_SIGMA, s))
            if gradient:
                dmu.append(st.std * dm)
                with np.errstate(divide="ignore", invalid="ignore"):
                    ds = st.std * dv / (2.0 * sd[:, None])
                dsigma.append(np.where(clamped[:, None], 0.0, ds))
        mu, sigma = np.column_stack(mu), np.column_stack(sigma)
        if not gradient:
            a = expected_hypervolume_improvement(mu, sigma, front, reference, log=True)
            return np.maximum(a, -1e300), None
        a, da_mu, da_sigma = log_ehvi_and_gradient(mu, sigma, front, reference)
        dF = sum(da_mu[:, j, None] * dmu[j] + da_sigma[:, j, None] * dsigma[j] for j in range(2))
        return np.maximum(a, -1e300), dF

    return fun


def _best_candidate(
    opt: BayesianOptimization,
    gps: list[GaussianProcess],
    front: np.ndarray,
    reference: np.ndarray,
    seen: set[tuple],
) -> tuple[Params | None, float]:
    """The unseen candidate of highest log EHVI, and that value."""
    d = opt.space.dim
    base = opt.space.to_unit_batch([t.params for t in opt.pareto_front])
    scales = np.repeat([0.01, 0.05, 0.15], 20)
    local = np.repeat(base, len(scales), axis=0)
    local = local + opt.rng.normal(size=local.shape) * np.tile(scales, len(base))[:, None]
    flip = (opt.rng.random(local.shape) < 1.0 / d) & ~opt.space.is_real
    local[flip] = opt.rng.random(int(flip.sum()))
    if EHVI_SEARCH == "gradient":
        fun = _log_ehvi_on_features(gps, front, reference)
        Us, vs, raw, raw_values = maximize_mixed(
            fun, opt.fmap, opt.rng, n_raw=_N_SOBOL, n_restarts=10, extra=local
        )
        for X, v in ((Us, vs), (raw, raw_values)):
            for u, value in zip(X, v):
                params = opt.space.from_unit(u)
                if opt.is_new(params) and config_key(params) not in seen:
                    return params, float(value)
        return None, -np.inf
    sobol = opt.design.__class__("sobol", d, opt.rng).draw(_N_SOBOL)
    candidates = np.clip(np.vstack([sobol, local]), 0.0, 1.0)
    F = opt.fmap(candidates)  # snaps the discrete coordinates to their values
    mu, sigma = [], []
    for gp in gps:
        m, v = gp.predict(F, return_var=True)
        mu.append(m)
        sigma.append(np.sqrt(np.maximum(v, 0.0)))
    mu, sigma = np.column_stack(mu), np.maximum(np.column_stack(sigma), 1e-12)
    values = expected_hypervolume_improvement(mu, sigma, front, reference, log=True)
    for i in np.argsort(-values, kind="stable"):
        params = opt.space.from_unit(candidates[i])
        if opt.is_new(params) and config_key(params) not in seen:
            return params, float(values[i])
    return None, -np.inf


def check_mo_options(
    n_objectives: int, mo_strategy: str | None, reference_point: Any
) -> tuple[str, tuple[float, ...] | None]:
    """Validated ``mo_strategy`` (None: the default) and ``reference_point``."""
    if mo_strategy is None:
        mo_strategy = DEFAULT_STRATEGY if n_objectives == 2 else "parego"
    if mo_strategy not in MO_STRATEGIES:
        raise ValueError(f"mo_strategy must be one of {MO_STRATEGIES}, got {mo_strategy!r}")
    if mo_strategy in ("ehvi", "hybrid") and n_objectives > 2:
        raise ValueError(
            f"mo_strategy: {mo_strategy!r} handles two objectives, got "
            f"n_objectives={n_objectives}; use 'parego'"
        )
    if reference_point is not None:
        r = np.asarray(reference_point, dtype=float)
        if r.shape != (n_objectives,) or not np.all(np.isfinite(r)):
            raise ValueError(
                f"reference_point must be {n_objectives} finite floats, got {reference_point!r}"
            )
        reference_point = tuple(float(v) for v in r)
    return mo_strategy, reference_point
