"""From run records to the numbers a report shows, as long-form records (lists of dicts).

:func:`study_traces` arranges a study as arrays (one :class:`ProblemTraces` per problem); the
other functions compute, with :mod:`hpo.bench.stats`, one dict per reported quantity, which
:mod:`hpo.bench.tables` lays out and writes as CSV as they are.

What is compared: floored simple regret (:data:`~hpo.bench.stats.REGRET_FLOOR`) on problems
with a known f*, the best loss on real tasks. Ranks are invariant to the choice, since regret
is the loss minus a constant per problem.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpo.bench.records import RunRecord
from hpo.bench.stats import (
    REGRET_FLOOR,
    average_ranks,
    floor_regret,
    friedman_test,
    holm,
    nemenyi_cd,
    quantiles,
    wilcoxon_signed_rank,
    win_tie_loss,
)
from hpo.moo.attainment import hypervolume_trace

__all__ = [
    "DEFAULT_FRACTIONS",
    "ProblemTraces",
    "budget_points",
    "friedman_summary",
    "median_scores",
    "pairwise_tests",
    "rank_summary",
    "study_optimizers",
    "study_traces",
    "timing_summary",
    "value_summary",
]

logger = logging.getLogger("hpo")

#: Budgets at which tables report, as fractions of each problem's budget.
DEFAULT_FRACTIONS = (0.25, 0.5, 1.0)

Study = Mapping[str, "ProblemTraces"]


@dataclass
class ProblemTraces:
    """The runs of one problem arranged as arrays.

    Attributes
    ----------
    optimum : float or None
        f*, or None for a real task.
    traces : dict
        ``{optimizer: (seeds, values)}``: ``seeds`` a sorted int array of shape
        ``(n_seeds,)``; ``values`` of shape ``(n_seeds, budget)``, floored simple regret when
        f* is known, else the best-so-far loss (``inf`` before the first success). Runs
        shorter than the problem's budget are padded with their last value.
    records : dict
        ``{optimizer: [RunRecord, ...]}`` in the order of ``seeds``.
    reference_point : tuple of float or None
        A multi-objective problem's reference point. Its ``optimum`` is then the maximal
        hypervolume and ``values`` the floored hypervolume regret ``max HV - HV`` of every
        point evaluated so far; without a known maximal hypervolume, ``optimum`` is None and
        ``values`` minus the hypervolume (a loss: lower is better).
    """

    optimum: float | None
    traces: dict[str, tuple[np.ndarray, np.ndarray]]
    records: dict[str, list[RunRecord]]
    reference_point: tuple[float, ...] | None = None

    @property
    def multi_objective(self) -> bool:
        return self.reference_point is not None

    @property
    def budget(self) -> int:
        """The largest number of trials of a run of this problem."""
        return max(v.shape[1] for _, v in self.traces.values())

    @property
    def has_optimum(self) -> bool:
        return self.optimum is not None


def study_traces(
    records: Sequence[RunRecord], order: Sequence[str] | None = None
) -> dict[str, ProblemTraces]:
    """Arrange a study as ``{problem: ProblemTraces}``, problems in first-seen order.
    Values below f* by more than 1e-9 relative are logged as a warning (a wrong f*).

    Parameters
    ----------
    records : sequence of RunRecord
    order : sequence of str, optional
        The study's optimizer labels in its order (``Study.optimizers``); labels it lacks
        follow in first-seen order. Every problem lists its optimizers in this one order, so
        that a pair of optimizers is always compared the same way round. Default: the order
        in which labels first appear in ``records``.

    Raises
    ------
    ValueError
        If ``records`` is empty or the runs of one problem disagree on its optimum.
    """
    if not records:
        raise ValueError("records must hold at least one RunRecord, got none")
    grouped: dict[str, dict[str, list[RunRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        grouped[r.problem][r.optimizer].append(r)
    rank = {
        o: i for i, o in enumerate(dict.fromkeys([*(order or ()), *(r.optimizer for r in records)]))
    }
    out = {}
    for problem, unordered in grouped.items():
        by_opt = {o: unordered[o] for o in sorted(unordered, key=rank.__getitem__)}
        if any(r.reference_point is not None for runs in by_opt.values() for r in runs):
            out[problem] = _multi_objective_traces(problem, by_opt)
            continue
        optima = {r.optimum for runs in by_opt.values() for r in runs}
        if len(optima) > 1:
            raise ValueError(f"records of problem {problem!r} disagree on optimum: {optima}")
        optimum = optima.pop()
        budget = max(max(r.n_trials, len(r.trials), 1) for rs in by_opt.values() for r in rs)
        traces, recs = {}, {}
        for opt, runs in by_opt.items():
            runs = sorted(runs, key=lambda r: r.seed)
            values = np.vstack([_pad(r.best_so_far(), budget) for r in runs])
            if optimum is not None:
                values = values - optimum
                if np.any(values < -1e-9 * max(1.0, abs(optimum))):
                    logger.warning(
                        "problem %r: %s found values below the optimum %r by %.3g; is f* exact?",
                        *(problem, opt, optimum, -np.min(values)),
                    )
                values = floor_regret(values, REGRET_FLOOR)
            traces[opt] = (np.array([r.seed for r in runs], dtype=int), values)
            recs[opt] = runs
        out[problem] = ProblemTraces(optimum, traces, recs)
    return out


def _multi_objective_traces(problem: str, by_opt: dict[str, list[RunRecord]]) -> ProblemTraces:
    """A multi-objective problem's traces: floored hypervolume regret after each evaluation
    (see :class:`ProblemTraces`), or minus the hypervolume when its maximum is unknown."""
    runs_all = [r for runs in by_opt.values() for r in runs]
    refs = {tuple(r.reference_point or ()) for r in runs_all}
    optima = {r.max_hypervolume for r in runs_all}
    if len(refs) > 1 or len(optima) > 1:
        raise ValueError(
            f"records of problem {problem!r} disagree on the reference point or the maximal "
            f"hypervolume: {refs}, {optima}"
        )
    reference, max_hv = refs.pop(), optima.pop()
    if not reference:
        raise ValueError(f"records of problem {problem!r} mix one and several objectives")
    budget = max(max(r.n_trials, len(r.trials), 1) for r in runs_all)
    traces, recs = {}, {}
    for opt, runs in by_opt.items():
        runs = sorted(runs, key=lambda r: r.seed)
        if max_hv is None:  # regret is NaN: minus the hypervolume instead
            values = np.vstack(
                [_pad(-hypervolume_trace(r.objective_values(), reference), budget) for r in runs]
            )
        else:
            regret = np.vstack([_pad(r.hypervolume_regret(), budget) for r in runs])
            if np.any(regret < -1e-9 * max_hv):
                logger.warning(
                    "problem %r: %s exceeded the maximal hypervolume %r by %.3g; is it exact?",
                    *(problem, opt, max_hv, -np.min(regret)),
                )
            values = floor_regret(regret, REGRET_FLOOR)
        traces[opt] = (np.array([r.seed for r in runs], dtype=int), values)
        recs[opt] = runs
    return ProblemTraces(max_hv, traces, recs, reference)


def _pad(trace: np.ndarray, n: int) -> np.ndarray:
    if trace.size >= n:
        return trace[:n]
    fill = trace[-1] if trace.size else np.inf
    return np.concatenate([trace, np.full(n - trace.size, fill)])


def common_seeds(pt: ProblemTraces) -> np.ndarray:
    """The seeds every optimizer of a problem ran (sorted), on which medians compare fairly
    when some optimizers ran fewer seeds (``max_seeds``)."""
    seeds = [s for s, _ in pt.traces.values()]
    common = seeds[0]
    for s in seeds[1:]:
        common = np.intersect1d(common, s)
    return common


def study_optimizers(study: Study) -> list[str]:
    """Optimizer labels of a study, in first-seen order."""
    seen: dict[str, None] = {}
    for pt in study.values():
        seen.update(dict.fromkeys(pt.traces))
    return list(seen)


def budget_points(
    budget: int,
    budgets: Sequence[int] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> list[int]:
    """Evaluation counts at which to report a problem with ``budget`` trials: the absolute
    ``budgets`` (capped at ``budget``) when given, else ``fractions`` of ``budget`` (rounded,
    at least 1); sorted, without repeats."""
    if budgets is not None:
        if any(int(b) < 1 for b in budgets):
            raise ValueError(f"budgets must be positive evaluation counts, got {list(budgets)}")
        return sorted({min(int(b), budget) for b in budgets})
    if any(not 0 < f <= 1 for f in fractions):
        raise ValueError(f"fractions must lie in (0, 1], got {list(fractions)}")
    return sorted({max(1, round(f * budget)) for f in fractions})


def value_summary(
    study: Study,
    transforms: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    budgets: Sequence[int] | None = None,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
) -> list[dict[str, Any]]:
    """Median and quartiles over seeds of ``transforms[problem](values)`` at budget points.

    One record per (problem in ``transforms``, budget point, optimizer that ran it):
    ``problem, evaluations, optimizer, n_seeds, median, q25, q75, median_common``, the last
    the median over the seeds every optimizer of the problem ran (:func:`common_seeds`; NaN
    if none), which is what compares optimizers that ran different numbers of seeds.
    """
    out = []
    for problem, fn in transforms.items():
        pt = study[problem]
        common = common_seeds(pt)
        for b in budget_points(pt.budget, budgets, fractions):
            for opt, (seeds, values) in pt.traces.items():
                final = fn(values)[:, b - 1]
                med, q25, q75 = quantiles(final)
                shared = final[np.isin(seeds, common)]
                med_common = quantiles(shared)[0] if shared.size else np.nan
                out.append(
                    dict(
                        problem=problem,
                        evaluations=b,
                        optimizer=opt,
                        n_seeds=len(seeds),
                        median=float(med),
                        q25=float(q25),
                        q75=float(q75),
                        median_common=float(med_common),
                    )
                )
    return out


def median_scores(
    study: Study, optimizers: Sequence[str], fraction: float = 1.0
) -> tuple[np.ndarray, list[str]] | None:
    """Per-problem medians over seeds at ``fraction`` of each problem's budget, over the
    seeds all of ``optimizers`` ran on the problem (medians over unequal seed sets do not
    compare).

    Returns
    -------
    scores : ndarray of shape (n_problems, n_optimizers)
        For the problems that every one of ``optimizers`` ran on at least one common seed
        (what :func:`~hpo.bench.stats.average_ranks` and
        :func:`~hpo.bench.stats.friedman_test` take), with the list of those problems; None
        if there is none.
    """
    if not optimizers:
        return None
    rows, problems = [], []
    for p, pt in study.items():
        if not all(o in pt.traces for o in optimizers):
            continue
        common = common_seeds(ProblemTraces(pt.optimum, {o: pt.traces[o] for o in optimizers}, {}))
        if common.size == 0:
            continue
        t = max(1, round(fraction * pt.budget)) - 1
        row = []
        for o in optimizers:
            seeds, values = pt.traces[o]
            row.append(quantiles(values[np.isin(seeds, common), t])[0])
        rows.append(row)
        problems.append(p)
    if not problems:
        return None
    return np.array(rows, dtype=float), problems


def rank_summary(
    study: Study, fractions: Sequence[float] = DEFAULT_FRACTIONS
) -> list[dict[str, Any]]:
    """Average rank of each optimizer at fractions of the budget: records ``optimizer,
    fraction, n_problems, mean_rank``; empty with one optimizer or no common problem."""
    opts = study_optimizers(study)
    out = []
    for f in sorted(set(fractions)):
        mat = median_scores(study, opts, f)
        if len(opts) < 2 or mat is None:
            return []
        _, mean = average_ranks(mat[0])
        out += [
            dict(optimizer=o, fraction=f, n_problems=len(mat[1]), mean_rank=float(r))
            for o, r in zip(opts, mean)
        ]
    return out


def friedman_summary(
    study: Study, fractions: Sequence[float] = DEFAULT_FRACTIONS, alpha: float = 0.05
) -> list[dict[str, Any]]:
    """Friedman test, Iman-Davenport F and Nemenyi CD at fractions of the budget.

    Records ``fraction, n_problems, n_optimizers, friedman_chi2, p, iman_davenport_f, p_f,
    cd, alpha``; the tests are NaN with fewer than 3 optimizers or 2 problems (the CD needs 2
    optimizers); empty with one optimizer or no common problem.
    """
    opts = study_optimizers(study)
    out = []
    for f in sorted(set(fractions)):
        mat = median_scores(study, opts, f)
        if len(opts) < 2 or mat is None:
            return []
        n, k = mat[0].shape
        res = friedman_test(mat[0]) if k >= 3 and n >= 2 else None
        chi2, p, ff, pf = (res[0], res[1], res[2], res[3]) if res else (np.nan,) * 4
        out.append(
            dict(
                fraction=f,
                n_problems=n,
                n_optimizers=k,
                friedman_chi2=chi2,
                p=p,
                iman_davenport_f=ff,
                p_f=pf,
                cd=nemenyi_cd(k, n, alpha),
                alpha=alpha,
            )
        )
    return out


def pairwise_tests(study: Study, alpha: float = 0.05) -> list[dict[str, Any]]:
    """Every pair of optimizers on every problem, final values paired by seed.

    Records ``problem, a, b, n_seeds, wins, ties, losses`` (of ``a`` against ``b``: lower is a
    win), the two-sided Wilcoxon ``statistic`` and ``p``, ``p_holm`` (Holm's correction over
    the pairs of the problem) and ``better``: the label of the better optimizer when
    ``p_holm < alpha``, else ``""``.
    """
    out = []
    for problem, pt in study.items():
        recs = []
        for a, b in itertools.combinations(list(pt.traces), 2):
            (sa, va), (sb, vb) = pt.traces[a], pt.traces[b]
            common, ia, ib = np.intersect1d(sa, sb, return_indices=True)
            if common.size == 0:
                continue
            x, y = va[ia, -1], vb[ib, -1]
            wins, ties, losses = win_tie_loss(x, y)
            res = wilcoxon_signed_rank(x, y)
            recs.append(
                dict(
                    problem=problem,
                    a=a,
                    b=b,
                    n_seeds=int(common.size),
                    wins=wins,
                    ties=ties,
                    losses=losses,
                    statistic=res.statistic,
                    p=res.pvalue,
                    a_lower=res.r_plus < res.r_minus,
                )
            )
        for r, p_adj in zip(recs, holm(np.array([r["p"] for r in recs]))):
            a_lower = r.pop("a_lower")
            r["p_holm"] = float(p_adj)
            r["better"] = (r["a"] if a_lower else r["b"]) if p_adj < alpha else ""
        out += recs
    return out


def timing_summary(study: Study) -> list[dict[str, Any]]:
    """The optimizer's own time per trial (ask + tell), per problem and over all problems.

    Records ``problem`` (``"all problems"`` first), ``optimizer, n_trials, median_ms, q25_ms,
    q75_ms`` (ask + tell per trial), ``median_eval_ms`` (the objective), ``total_optimizer_s``,
    ``total_eval_s``.
    """
    opts = study_optimizers(study)
    groups: dict[str, dict[str, list[RunRecord]]] = {"all problems": defaultdict(list)}
    for problem, pt in study.items():
        groups[problem] = pt.records
        for opt, runs in pt.records.items():
            groups["all problems"][opt].extend(runs)
    out = []
    for problem, by_opt in groups.items():
        for opt in (o for o in opts if by_opt.get(o)):
            own = np.concatenate([r.optimizer_time() for r in by_opt[opt]])
            ev = np.array([t["eval_time"] or 0.0 for r in by_opt[opt] for t in r.trials])
            if own.size == 0:
                continue
            med, q25, q75 = (1e3 * float(v) for v in quantiles(own))
            out.append(
                dict(
                    problem=problem,
                    optimizer=opt,
                    n_trials=int(own.size),
                    median_ms=med,
                    q25_ms=q25,
                    q75_ms=q75,
                    median_eval_ms=1e3 * float(np.median(ev)),
                    total_optimizer_s=float(own.sum()),
                    total_eval_s=float(ev.sum()),
                )
            )
    return out
