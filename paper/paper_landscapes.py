"""The paper's landscapes section: which method wins on which BBOB class at which budget.

Inputs are the committed journals of ``benchmarks/compare_landscapes.py`` (one JSON line per
run: optimizer, problem ``"<class>:dim=D,instance=k"``, seed, the best-so-far regret after
every ``D`` evaluations), per budget: ``benchmarks/results/landscapes/d5-20d.jsonl`` (20 x d
evaluations; the GP-based methods, slower, in ``d5-20d-models.jsonl``) and ``d5-50d.jsonl``
(50 x d), and at 20 x d the trust-region variant of ``bayes`` (issue 17, item 2: ``bayes-tr``,
``BayesianOptimization(trust_region={"global_every": 3})``) in ``tr-d5-20d.jsonl``. Its
ablation on the tuning instances 101-103 is ``tr-tune-20.jsonl``, and the variant not chosen
(``bayes-turbo``) on the reported instances ``tr-turbo-all-d5-20d.jsonl``. An optimizer's runs
come from the first journal of its budget that holds it.
Every number of the section is computed here from them: per class the median over instances
of log10 final regret, COCO's fraction of targets reached (51 targets log-spaced from 1e2 to
1e-8 on the regret; Hansen et al. 2021, "COCO: a platform for comparing continuous optimizers
in a black-box setting"), and mean ranks over the (class, instance) pairs on which every
optimizer of a budget ran.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import rankdata, wilcoxon

from hpo.bench.tables import Table

__all__ = ["LandscapeRuns", "lands_tables", "lands_values", "load_landscapes"]

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "landscapes"
#: Journals of each budget (evaluations per dimension), in order of precedence.
#: The first journal of each budget holds the GA's default of 2026-12-01 (with random search
#: and CMA-ES): its ``ga`` rows take precedence over the earlier default's in the others.
JOURNALS = {
    20: (
        "d5-20d-ga.jsonl",
        "d5-20d-fitb.jsonl",
        "d5-20d.jsonl",
        "d5-20d-models.jsonl",
        "tr-d5-20d.jsonl",
        "d5-20d-today.jsonl",
    ),
    50: ("d5-50d-ga.jsonl", "d5-50d-fitb.jsonl", "d5-50d.jsonl", "d5-50d-gp.jsonl"),
}
#: The GA's default before 2026-12-01 (``DEFAULT_BEFORE_2026_12_01``: no success rule), the
#: ``ga`` rows of these journals, per budget.
PREVIOUS_GA = {20: "d5-20d.jsonl", 50: "d5-50d.jsonl"}
#: ``bayes`` with the default at the end of 2026-12-01 (TuRBO's rules alone, issue 16's GP with
#: the fit from the prior mode and the warm BFGS; ``d5-20d-fitb.jsonl`` and ``d5-50d-fitb.jsonl``,
#: which take precedence over the morning's rows of the same label in ``d5-20d-today.jsonl`` and
#: ``d5-50d-gp.jsonl``), and the default before it (issue 16's GP, no trust region).
DEFAULT, NO_TR = "bayes-default", "bayes-notr"
#: The methods that issue 17's first target ranks ``bayes`` among.
PEERS = ("optuna-gp", "optuna-tpe", "cma-es", "ga", "random")
#: The trust-region ablation of ``bayes`` on tuning instances, per budget.
TUNE = {20: "tr-tune-20.jsonl"}
#: The variant not chosen (TuRBO's rules alone, ``bayes-turbo``) on the reported instances.
NOT_CHOSEN = {20: "tr-turbo-all-d5-20d.jsonl"}
#: The held-out check of ``bayes-tr`` as a default on the 6-problem suite
#: (``benchmarks/regret_runs_bo.py`` rows; variants ``base`` and ``tr``).
HOLDOUT = "tr-holdout.jsonl"
#: The same check of TuRBO's rules alone (variant ``tr-turbo``) at issue 16's GP defaults.
HOLDOUT_TODAY = "tr-holdout-today.jsonl"
#: The quadratic-kernel option (``tr-quad-lik``: the trust region, ``GPConfig(quadratic=True)``
#: and ``output_warping="likelihood"``) beside ``bayes-tr`` (the trust region alone) on the
#: reported instances at 20 x d, and its held-out check against the trust region alone on the
#: 6-problem suite (variants ``tr-base`` and ``tr-quad-lik``).
QUADRATIC = "quad-d5-20d.jsonl"
QUADRATIC_HOLDOUT = "quad-holdout.jsonl"
#: The same option run again after the fix of the posterior variance's gradient (the quadratic
#: kernel's own variance depends on x) and with the fit of the end of 2026-12-01, beside the
#: trust region alone (``bayes-tr``), on the reported instances at 20 x d.
QUADRATIC_FIX = "quad-fix-d5-20d.jsonl"
#: The classes where issue 17 asks ``bayes`` to gain a decade of median regret.
TARGET_CLASSES = (
    "bbob_ellipsoid_rotated",
    "bbob_bent_cigar",
    "bbob_sharp_ridge",
    "bbob_rosenbrock_rotated",
)
#: The same instances with the GA before issue 17 (``variation=CLASSIC``), per budget.
BEFORE = {20: "d5-20d-ga-before.jsonl", 50: "d5-50d-ga-before.jsonl"}
#: COCO's targets on the regret ``f - f_opt``: 51 values log-spaced from 1e2 to 1e-8.
TARGETS = 10.0 ** np.linspace(2, -8, 51)
#: Display order of the optimizers (those present in a journal are shown).
ORDER = (
    DEFAULT,
    NO_TR,
    "bayes",
    "bayes-tr",
    "optuna-gp",
    "optuna-tpe",
    "cma-es",
    "ga",
    "random",
)


@dataclass
class LandscapeRuns:
    """The runs at one budget: ``final[(optimizer, class)]`` maps instance -> final regret."""

    budget: int  # evaluations per dimension
    dim: int
    optimizers: list[str]
    classes: list[str]
    final: dict[tuple[str, str], dict[int, float]]
    before: LandscapeRuns | None = None  # the GA before issue 17 on the same instances
    previous: LandscapeRuns | None = None  # the GA's default before 2026-12-01, same instances
    tune: LandscapeRuns | None = None  # bayes's trust-region ablation on tuning instances
    not_chosen: LandscapeRuns | None = None  # the other trust-region variant, same instances

    def instances(self, optimizer: str) -> int:
        """Number of (class, instance) runs of ``optimizer``."""
        return sum(len(self.final.get((optimizer, c), {})) for c in self.classes)

    def reached(self, optimizer: str, cls: str | None = None) -> float:
        """Fraction of (class, instance, target) triples reached (``cls``: one class)."""
        classes = self.classes if cls is None else [cls]
        hits = [r <= TARGETS for c in classes for r in self.final.get((optimizer, c), {}).values()]
        return float(np.mean(hits)) if hits else float("nan")

    def median_log(self, optimizer: str, cls: str) -> float:
        values = list(self.final.get((optimizer, cls), {}).values())
        if not values:
            return float("nan")
        return float(np.median(np.log10(np.maximum(values, 1e-300))))

    def common_pairs(self, optimizers: Sequence[str] | None = None) -> list[tuple[str, int]]:
        """(class, instance) pairs run by every optimizer (of ``optimizers``: all if None)."""
        optimizers = self.optimizers if optimizers is None else optimizers
        pairs = []
        for c in self.classes:
            sets = [set(self.final.get((o, c), {})) for o in optimizers]
            pairs += [(c, k) for k in sorted(set.intersection(*sets))]
        return pairs

    def mean_ranks(self, optimizers: Sequence[str] | None = None) -> dict[str, float]:
        """Mean rank among ``optimizers`` (all if None) over the pairs they all ran (1 =
        lowest final regret; ties averaged)."""
        optimizers = list(self.optimizers if optimizers is None else optimizers)
        pairs = self.common_pairs(optimizers)
        if not pairs:
            return {}
        F = np.array([[self.final[(o, c)][k] for o in optimizers] for c, k in pairs])
        ranks = np.array([rankdata(row) for row in F]).mean(axis=0)
        return dict(zip(optimizers, map(float, ranks)))


def _read(paths: Sequence[Path], budget: int) -> LandscapeRuns | None:
    paths = [p for p in paths if p.is_file()]
    if not paths:
        return None
    final: dict[tuple[str, str], dict[int, float]] = {}
    dims, classes, optimizers = set(), [], []
    for path in paths:
        earlier = set(optimizers)  # optimizers of an earlier journal: its runs take precedence
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["optimizer"] in earlier:
                continue
            cls, rest = row["problem"].split(":")
            dims.add(int(rest.split(",")[0].split("=")[1]))
            if cls not in classes:
                classes.append(cls)
            if row["optimizer"] not in optimizers:
                optimizers.append(row["optimizer"])
            final.setdefault((row["optimizer"], cls), {})[int(row["seed"])] = row["regret"][-1]
    if len(dims) != 1:
        raise ValueError(f"{paths}: expected one dimension, got {sorted(dims)}")
    order = [o for o in ORDER if o in optimizers] + [o for o in optimizers if o not in ORDER]
    return LandscapeRuns(budget, dims.pop(), order, classes, final)


def load_landscapes(directory: Path = RESULTS) -> dict[int, LandscapeRuns]:
    """The runs of each budget whose journal exists (empty when none does)."""
    out = {}
    for budget, names in JOURNALS.items():
        runs = _read([directory / name for name in names], budget)
        if runs is not None:
            runs.before = _read([directory / BEFORE[budget]], budget)
            if budget in PREVIOUS_GA:
                runs.previous = _read([directory / PREVIOUS_GA[budget]], budget)
            if budget in TUNE:
                runs.tune = _read([directory / TUNE[budget]], budget)
                runs.not_chosen = _read([directory / NOT_CHOSEN[budget]], budget)
            out[budget] = runs
    return out


def _short(cls: str) -> str:
    return cls.removeprefix("bbob_")


def _budget_table(runs: LandscapeRuns) -> Table:
    """Median log10 final regret per class and optimizer, fraction reached, mean rank."""
    opts = runs.optimizers
    rows, data, bold = [], [], set()
    for i, c in enumerate(runs.classes):
        med = [runs.median_log(o, c) for o in opts]
        best = np.nanmin(med)
        rows.append([_short(c), *(f"{m:.2f}" for m in med)])
        bold |= {(i, j + 1) for j, m in enumerate(med) if m == best}
        for o, m in zip(opts, med):
            data.append(
                {
                    "budget_per_dim": runs.budget,
                    "class": c,
                    "optimizer": o,
                    "median_log10_regret": m,
                    "fraction_reached": runs.reached(o, c),
                    "runs": len(runs.final.get((o, c), {})),
                }
            )
    reached = [runs.reached(o) for o in opts]
    rows.append(["fraction of targets reached", *(f"{r:.3f}" for r in reached)])
    bold |= {(len(rows) - 1, j + 1) for j, r in enumerate(reached) if r == max(reached)}
    ranks = runs.mean_ranks()
    rows.append(["mean rank", *(f"{ranks[o]:.2f}" for o in opts)])
    bold |= {(len(rows) - 1, j + 1) for j, o in enumerate(opts) if ranks[o] == min(ranks.values())}
    rows.append(["runs", *(str(runs.instances(o)) for o in opts)])
    n_eval = runs.budget * runs.dim
    return Table(
        name=f"landscapes_{runs.budget}d",
        title=(
            f"BBOB classes at d = {runs.dim}, {n_eval} evaluations ({runs.budget} x d): median "
            "log10 final regret over instances"
        ),
        header=["class", *opts],
        rows=rows,
        data=data,
        notes=[
            "One run per instance, optimizer seed = instance (paired); bold: the best of a row.",
            "Fraction of (class, instance, target) triples reached, 51 targets 1e2 .. 1e-8 "
            "on the regret; mean rank over the "
            f"{len(runs.common_pairs())} (class, instance) pairs run by every optimizer.",
        ],
        bold=bold,
    )


def _full(runs: LandscapeRuns, cls: str | None = None) -> list[str]:
    """The optimizers that ran every instance run by any (of class ``cls``, or of all)."""
    classes = runs.classes if cls is None else [cls]
    count = {o: sum(len(runs.final.get((o, c), {})) for c in classes) for o in runs.optimizers}
    return [o for o in runs.optimizers if count[o] == max(count.values())]


def _winners(runs: LandscapeRuns, cls: str) -> list[str]:
    """Lowest median log10 final regret among the optimizers that ran every instance."""
    full = _full(runs, cls)
    med = {o: m for o in full if not np.isnan(m := runs.median_log(o, cls))}
    best = min(med.values())
    return [o for o, m in med.items() if m == best]


def _winners_table(lands: dict[int, LandscapeRuns]) -> Table:
    budgets = sorted(lands)
    classes = lands[budgets[0]].classes
    rows, data = [], []
    for c in classes:
        row = [_short(c)]
        for b in budgets:
            runs = lands[b]
            win = _winners(runs, c)
            row.append(f"{', '.join(win)} ({runs.median_log(win[0], c):.2f})")
            data += [{"class": c, "budget_per_dim": b, "winner": w} for w in win]
        rows.append(row)
    return Table(
        name="landscapes_winners",
        title="Which method wins on which class: lowest median log10 final regret",
        header=["class", *(f"{b} x d" for b in budgets)],
        rows=rows,
        data=data,
        notes=[
            "In brackets: the winner's median log10 final regret. Only methods that ran every "
            "instance of a class compete"
            + "".join(
                f"; at {b} x d not "
                + ", ".join(f"{o} ({lands[b].instances(o)} runs)" for o in sorted(left))
                for b in budgets
                if (left := set(lands[b].optimizers) - set(_full(lands[b])))
            )
            + "."
        ],
    )


def _instances(runs: LandscapeRuns, optimizer: str) -> str:
    ks = sorted({k for c in runs.classes for k in runs.final.get((optimizer, c), {})})
    if len(ks) > 1 and ks == list(range(ks[0], ks[-1] + 1)):
        return f"{ks[0]}-{ks[-1]}"
    return ", ".join(map(str, ks))


def _trust_region_table(runs: LandscapeRuns) -> Table:
    """bayes with and without its trust region: median log10 final regret per class on the
    tuning instances (every variant tried) and on the reported ones (the chosen variant)."""
    tune = runs.tune
    assert tune is not None
    tried = [o for o in tune.optimizers if o.startswith("bayes")]
    other = runs.not_chosen
    rows, data, bold = [], [], set()
    for i, c in enumerate(runs.classes):
        med_tune = [tune.median_log(o, c) for o in tried]
        base, tr = runs.median_log("bayes", c), runs.median_log("bayes-tr", c)
        alt = [] if other is None else [other.median_log("bayes-turbo", c)]
        rows.append(
            [
                _short(c),
                *(f"{m:.2f}" for m in med_tune),
                f"{base:.2f}",
                f"{tr:.2f}",
                f"{tr - base:+.2f}",
                *("-" if np.isnan(m) else f"{m:.2f}" for m in alt),
            ]
        )
        data += [
            {
                "instances": "reported",
                "class": c,
                "optimizer": "bayes-turbo",
                "median_log10_regret": m,
            }
            for m in alt
            if not np.isnan(m)
        ]
        best = np.nanmin(med_tune)
        bold |= {(i, j + 1) for j, m in enumerate(med_tune) if m == best}
        bold.add((i, len(tried) + 1 + (tr < base)))
        data += [
            {"instances": "tuning", "class": c, "optimizer": o, "median_log10_regret": m}
            for o, m in zip(tried, med_tune)
        ]
        data += [
            {"instances": "reported", "class": c, "optimizer": o, "median_log10_regret": m}
            for o, m in (("bayes", base), ("bayes-tr", tr))
        ]
    ranks = tune.mean_ranks()
    rows.append(
        ["mean rank (tuning)", *(f"{ranks[o]:.2f}" for o in tried), "", "", ""]
        + [""] * (other is not None)
    )
    return Table(
        name="landscapes_trust_region",
        title=(
            f"bayes with a trust region (TuRBO's rules) at {runs.budget} x d: median log10 "
            "final regret per class"
        ),
        header=[
            "class",
            *(f"{o} (tuning)" for o in tried),
            "bayes",
            "bayes-tr",
            "change (decades)",
            *(["bayes-turbo (not chosen)"] if other is not None else []),
        ],
        rows=rows,
        data=data,
        notes=[
            f"Tuning: instances {_instances(tune, tried[0])}; `bayes-tr` searches the whole "
            "space at every third model-based proposal, `bayes-turbo` never (TuRBO's rules "
            "alone). Reported: instances "
            f"{_instances(runs, 'bayes-tr')}, the variant chosen on the tuning instances; "
            "change = bayes-tr - bayes (negative: lower regret)."
            + (
                " Last column: the variant not chosen, `bayes-turbo`, on the reported "
                "instances (-: not run)."
                if other is not None
                else ""
            ),
        ],
        bold=bold,
    )


def lands_tables(lands: dict[int, LandscapeRuns]) -> dict[str, Table]:
    """The section's tables (none when no journal exists)."""
    if not lands:
        return {}
    out = {f"landscapes_{b}d": _budget_table(runs) for b, runs in lands.items()}
    out["landscapes_winners"] = _winners_table(lands)
    for runs in lands.values():
        if runs.tune is not None and {"bayes", "bayes-tr"} <= set(runs.optimizers):
            out["landscapes_trust_region"] = _trust_region_table(runs)
    return out


def _list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items) or "none"
    return ", ".join(items[:-1]) + " and " + items[-1]


def lands_values(lands: dict[int, LandscapeRuns]) -> dict[str, str]:
    """The values of the section's template placeholders (``lands_*``)."""
    from hpo.optimizers.genetic import default_pop_size

    v: dict[str, str] = {}
    for b, runs in lands.items():
        v[f"lands_{b}_pop"] = str(default_pop_size(b * runs.dim, 1, self_adaptive=True))
        if runs.before is not None and "ga" in runs.before.optimizers:
            v[f"lands_{b}_ga_before"] = f"{runs.before.reached('ga'):.3f}"
        if runs.previous is not None and "ga" in runs.previous.optimizers:
            v[f"lands_{b}_ga_previous"] = f"{runs.previous.reached('ga'):.3f}"
        ranks = runs.mean_ranks()
        ordered = sorted(ranks, key=ranks.get)
        v[f"lands_{b}_ranks"] = _list([f"`{o}` {ranks[o]:.2f}" for o in ordered])
        v[f"lands_{b}_runs"] = _list([f"`{o}` {runs.instances(o)}" for o in runs.optimizers])
        v[f"lands_{b}_evals"] = str(b * runs.dim)
        wins: dict[str, list[str]] = {}
        for c in runs.classes:
            for w in _winners(runs, c):
                wins.setdefault(w, []).append(_short(c))
        v[f"lands_{b}_wins"] = _list(
            [f"`{o}` on {len(cs)} ({', '.join(cs)})" for o, cs in wins.items()]
        )
        hard = [
            _short(c)
            for c in runs.classes
            if min(runs.median_log(o, c) for o in runs.optimizers if (o, c) in runs.final) > 2
        ]
        v[f"lands_{b}_hard"] = _list(hard)
        if {"ga", "random"} <= set(runs.optimizers):
            ga, rnd = runs.reached("ga"), runs.reached("random")
            v[f"lands_{b}_ga_random"] = (
                f"{ga:.3f} against {rnd:.3f} ({ga / rnd:.1f} times)" if rnd > 0 else f"{ga:.3f}"
            )
        if {"ga", "cma-es"} <= set(runs.optimizers):
            at = [c for c in runs.classes if runs.reached("ga", c) >= runs.reached("cma-es", c)]
            both0 = [c for c in at if runs.reached("ga", c) == 0 and runs.reached("cma-es", c) == 0]
            v[f"lands_{b}_ga_cma"] = f"{len(at)} of {len(runs.classes)} classes" + (
                f" ({len(both0)} of them ties at 0)" if both0 else ""
            )
        if {"ga", "cma-es"} <= set(runs.optimizers):
            at = [
                c for c in runs.classes if runs.median_log("ga", c) <= runs.median_log("cma-es", c)
            ]
            v[f"lands_{b}_ga_cma_median"] = f"{len(at)} of {len(runs.classes)} classes"
        for o in runs.optimizers:
            v[f"lands_{b}_instances_{o.replace('-', '_')}"] = _instances(runs, o)
        if DEFAULT in runs.optimizers:
            v.update(_default_values(runs))
        if runs.tune is not None and {"bayes", "bayes-tr"} <= set(runs.optimizers):
            v.update(_trust_region_values(runs))
            v.update(_quadratic_values(runs))
            v.update(
                _quadratic_values(runs, journal=QUADRATIC_FIX, prefix="lands_quadfix", holdout=None)
            )
    if lands:
        v["lands_dim"] = str(next(iter(lands.values())).dim)
    return v


def _place(ranks: dict[str, float]) -> str:
    """Where ``bayes-default`` ranks: "the best" or "number k" (by mean rank)."""
    ordered = sorted(ranks, key=ranks.get)
    return "the best" if ordered[0] == DEFAULT else f"number {ordered.index(DEFAULT) + 1}"


def _default_values(runs: LandscapeRuns) -> dict[str, str]:
    """``lands_<b>_default_*``: ``bayes`` with the default of 2026-12-01 among the peers of
    issue 17's first target, and on the four classes it names."""
    b = runs.budget
    among = [DEFAULT, *(o for o in PEERS if o in runs.optimizers)]
    full = [o for o in among if o in _full(runs)]
    ranks_full = runs.mean_ranks(full)
    ranks = runs.mean_ranks(among)
    ordered = sorted(ranks, key=ranks.get)
    v = {
        f"lands_{b}_default_ranks_full": _list(
            [f"`{o}` {ranks_full[o]:.2f}" for o in sorted(ranks_full, key=ranks_full.get)]
        ),
        f"lands_{b}_default_full_pairs": str(len(runs.common_pairs(full))),
        f"lands_{b}_default_place_full": _place(ranks_full),
        f"lands_{b}_default_left_out": _list(
            [f"`{o}` ({runs.instances(o)} runs)" for o in among if o not in full]
        ),
        f"lands_{b}_default_ranks": _list([f"`{o}` {ranks[o]:.2f}" for o in ordered]),
        f"lands_{b}_default_pairs": str(len(runs.common_pairs(among))),
        f"lands_{b}_default_place": _place(ranks),
        f"lands_{b}_default_reached": f"{runs.reached(DEFAULT):.3f}",
    }
    items, met = [], 0
    for c in TARGET_CLASSES:
        new = runs.median_log(DEFAULT, c)
        steps = [runs.median_log(o, c) for o in ("bayes", NO_TR) if o in runs.optimizers]
        if steps and not np.isnan(steps[0]):
            met += new <= steps[0] - 1.0
        items.append(
            f"{_short(c).replace('_', ' ')} " + " to ".join(f"{m:.2f}" for m in [*steps, new])
        )
    v[f"lands_{b}_default_targets"] = _list(items)
    if "bayes" in runs.optimizers:
        v[f"lands_{b}_default_met"] = f"{met} of {len(TARGET_CLASSES)}"
    return v


def _decades(base: LandscapeRuns, new: LandscapeRuns, variant: str) -> tuple[str, str]:
    """The classes of issue 17's decade target, each from the median log10 regret of
    ``base``'s ``bayes`` rows to ``variant``'s in ``new``, and on how many of them
    ``variant`` is a decade or more lower ("k of 4")."""
    items, met = [], 0
    for c in TARGET_CLASSES:
        before, after = base.median_log("bayes", c), new.median_log(variant, c)
        met += after <= before - 1.0
        items.append(f"{_short(c).replace('_', ' ')} {before:.2f} to {after:.2f}")
    return _list(items), f"{met} of {len(TARGET_CLASSES)}"


def _trust_region_values(runs: LandscapeRuns) -> dict[str, str]:
    """``lands_tr_*``: the target classes before and after, and the gains and losses."""
    v: dict[str, str] = {}
    v["lands_tr_targets"], v["lands_tr_met"] = _decades(runs, runs, "bayes-tr")
    other = runs.not_chosen
    if other is not None:
        alt = [
            (c, runs.median_log("bayes", c), other.median_log("bayes-turbo", c))
            for c in TARGET_CLASSES
        ]
        v["lands_tr_turbo_targets"] = _list(
            [f"{_short(c).replace('_', ' ')} {m:.2f}" for c, _, m in alt]
        )
        v["lands_tr_turbo_met"] = f"{sum(m <= b - 1.0 for _, b, m in alt)} of {len(alt)}"
        ran = [c for c in runs.classes if (("bayes-turbo", c)) in other.final]
        lower = [c for c in ran if other.median_log("bayes-turbo", c) < runs.median_log("bayes", c)]
        v["lands_tr_turbo_better"] = f"{len(lower)} of {len(ran)} classes"
    else:
        v["lands_tr_turbo_targets"] = v["lands_tr_turbo_met"] = "not run"
        v["lands_tr_turbo_better"] = "no class"
    better = [
        _short(c)
        for c in runs.classes
        if runs.median_log("bayes-tr", c) < runs.median_log("bayes", c)
    ]
    worse = [
        _short(c)
        for c in runs.classes
        if runs.median_log("bayes-tr", c) > runs.median_log("bayes", c)
    ]
    v["lands_tr_better"] = f"{len(better)} of {len(runs.classes)} classes ({', '.join(better)})"
    v["lands_tr_worse"] = _list(worse)
    v["lands_tr_reached"] = f"{runs.reached('bayes-tr'):.3f} against {runs.reached('bayes'):.3f}"
    v["lands_tr_instances"] = _instances(runs, "bayes-tr")
    v["lands_tr_tune"] = _instances(runs.tune, "bayes") if runs.tune else ""
    v["lands_tr_holdout"] = holdout_sentence(RESULTS / HOLDOUT)
    v["lands_tr_holdout_today"] = holdout_sentence(RESULTS / HOLDOUT_TODAY, "tr-turbo")
    return v


def _quadratic_values(
    runs: LandscapeRuns,
    directory: Path = RESULTS,
    journal: str = QUADRATIC,
    prefix: str = "lands_quad",
    holdout: str | None = QUADRATIC_HOLDOUT,
) -> dict[str, str]:
    """``{prefix}_*``: the quadratic option of ``journal`` on the target classes (against the
    ``bayes`` rows of ``runs``), against the trust region alone, its CPU time and (if
    ``holdout`` names a journal) its held-out check."""
    quad = _read([directory / journal], runs.budget)
    keys = ("targets", "met", "wins", "cpu") + (("holdout",) if holdout else ())
    if quad is None or "tr-quad-lik" not in quad.optimizers:
        return {f"{prefix}_{k}": "not run" for k in keys}
    v: dict[str, str] = {}
    v[f"{prefix}_targets"], v[f"{prefix}_met"] = _decades(runs, quad, "tr-quad-lik")
    pairs = quad.common_pairs(["tr-quad-lik", "bayes-tr"])
    lower = sum(
        quad.final[("tr-quad-lik", c)][k] < quad.final[("bayes-tr", c)][k] for c, k in pairs
    )
    v[f"{prefix}_wins"] = f"{lower} of {len(pairs)}"
    rows = [json.loads(line) for line in (directory / journal).read_text().splitlines()]
    cpu = {o: sum(r["cpu_time"] for r in rows if r["optimizer"] == o) for o in quad.optimizers}
    v[f"{prefix}_cpu"] = f"{cpu['tr-quad-lik'] / cpu['bayes-tr']:.1f}"
    for key, cls in (("rotated", "bbob_ellipsoid_rotated"), ("separable", "bbob_ellipsoid")):
        if cls in quad.classes:
            medians = (quad.median_log(o, cls) for o in ("tr-quad-lik", "bayes-tr"))
            v[f"{prefix}_{key}"] = "{:.2f} against {:.2f}".format(*medians)
    if holdout:
        v[f"{prefix}_holdout"] = holdout_sentence(
            directory / holdout, "tr-quad-lik", base="tr-base"
        )
    return v


def holdout_sentence(path: Path, variant: str = "tr", base: str = "base") -> str:
    """The held-out check in words: on how many problems the median regret of ``variant``
    (rows labelled so, against the rows labelled ``base``) is lower, and where it is worse
    at p < 0.05 (one-sided Wilcoxon signed-rank test on log10 regret, paired by seed)."""
    if not path.is_file():
        return "not run"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by = {(r["variant"], r["problem"], r["seed"]): r["regret"] for r in rows}
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    better, worse, seeds_used = 0, [], set()
    for p in problems:
        seeds = sorted(s for (v, q, s) in by if v == base and q == p and (variant, p, s) in by)
        seeds_used |= set(seeds)
        a = np.log10(np.maximum([by[(base, p, s)] for s in seeds], 1e-12))
        b = np.log10(np.maximum([by[(variant, p, s)] for s in seeds], 1e-12))
        better += np.median(b) < np.median(a)
        if np.any(a != b) and (pv := wilcoxon(b, a, alternative="greater").pvalue) < 0.05:
            worse.append(f"{p.split(':')[0]} (p = {pv:.3f})")
    span = f"{min(seeds_used)}-{max(seeds_used)}"
    text = f"a lower median regret on {better} of {len(problems)} problems (seeds {span})"
    return text + (
        f", but worse at p < 0.05 on {_list(worse)}" if worse else ", worse at p < 0.05 on none"
    )
