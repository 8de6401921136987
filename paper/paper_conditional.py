"""The paper's conditional-spaces section: tables, a figure and sentences from its own journal.

The conditional study (``hpo/bench/studies/conditional.toml``, run with ``hpo bench``) has a
journal of its own, committed as ``benchmarks/results/conditional/study/journal.jsonl.gz``;
everything here is computed from it (and from the reference values shipped with hpo for the
normalized score), and every number of section 4.9 comes from the data.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from hpo.bench import plots, read_journal, tables
from hpo.bench.records import RunRecord
from hpo.bench.stats import normalized_score
from hpo.bench.summaries import ProblemTraces, study_traces
from hpo.bench.tables import Table

__all__ = [
    "CondResults",
    "cond_figures",
    "cond_tables",
    "cond_values",
    "load_conditional",
    "solved_within",
]

#: The synthetic tree, its flattened twin (the ablation), and the issue's three targets.
TREE, FLAT = "jenatton", "jenatton:flat=True"
#: Regret below which a run of the tree counts as solved.
SOLVED = 1e-3
#: The ablation of the GP's branch search (benchmarks/compare_conditional_search.py).
RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "conditional"
BRANCH_RUNS = RESULTS / "branch.jsonl"
#: The ablation of one GP per leaf (conditional="leaf", the default) against the whole-tree GP.
LEAF_RUNS = RESULTS / "leaf.jsonl"
#: Per-leaf GPs without the random interleaving, on the study's seeds (bayes's runs).
LEAF_ALONE = RESULTS / "leaf_alone_journal.jsonl.gz"
#: The solver task, whose lbfgs branch the section reads.
SOLVER = "cond_mlp_solver_breast_cancer_logloss"


class CondResults:
    """The conditional study: records, optimizer order, traces and reference values."""

    def __init__(self, header: dict[str, Any], records: list[RunRecord]) -> None:
        self.header = header
        self.records = records
        self.order = [o["label"] for o in header["study"]["optimizers"]]
        self.problems = [p["problem"] for p in header["study"]["problems"]]
        self.traces: dict[str, ProblemTraces] = study_traces(records, self.order)
        self.budget = int(header["study"]["problems"][0]["n_trials"])
        self.seeds = sorted({r.seed for r in records})
        self.references = _references([p for p in self.problems if p not in (TREE, FLAT)])
        self.references = {p: r for p, r in self.references.items() if p in self.compared}

    @property
    def compared(self) -> list[str]:
        """The problems on which every optimizer finished at least one common seed."""
        return [
            p
            for p in self.problems
            if p in self.traces
            and set(self.traces[p].records) == set(self.order)
            and _common_seeds(self, p)
        ]

    @property
    def targets(self) -> list[str]:
        """The problems of the issue's targets (the tree and the real tasks) that were
        compared, in study order."""
        return [p for p in self.compared if p != FLAT]


def _references(problems: Sequence[str]) -> dict[str, dict[str, Any]]:
    from hpo.problems.conditional import reference

    found = {}
    for p in problems:
        try:
            ref = reference(p)
        except (ValueError, OSError):  # no reference values shipped for this task
            continue
        found[p] = {"best_known": ref["best_known"], "random_median": ref["random_median"]}
    return found


def load_conditional(journal: Path) -> CondResults | None:
    """The study in ``journal``, ``None`` when the file is absent."""
    if not journal.is_file():
        return None
    header, records = read_journal(journal)
    if header is None or not records:
        raise ValueError(f"{journal}: no finished run in this journal")
    return CondResults(header, records)


def _common_seeds(res: CondResults, problem: str) -> set[int]:
    """The seeds that every optimizer run on ``problem`` finished (a run cut short by a
    deadline leaves some optimizers a seed ahead)."""
    runs = res.traces[problem].records.values()
    return set.intersection(*({r.seed for r in rs} for rs in runs))


def _finals(res: CondResults, problem: str, label: str) -> tuple[np.ndarray, np.ndarray]:
    """``(seeds, final best loss)`` of ``label`` on ``problem`` over the seeds every
    optimizer finished there (empty when not run)."""
    keep = _common_seeds(res, problem)
    runs = res.traces[problem].records.get(label, [])
    runs = sorted((r for r in runs if r.seed in keep), key=lambda r: r.seed)
    return (
        np.array([r.seed for r in runs], dtype=int),
        np.array([r.best_so_far()[-1] for r in runs], dtype=float),
    )


def solved_within(record: RunRecord, threshold: float = SOLVED) -> int | None:
    """Evaluations until the regret first falls below ``threshold`` (None: never)."""
    below = np.flatnonzero(record.regret() < threshold)
    return int(below[0]) + 1 if below.size else None


def _cell(v: np.ndarray) -> str:
    q25, med, q75 = np.quantile(v, [0.25, 0.5, 0.75])
    return f"{med:.4g} [{q25:.4g}, {q75:.4g}]"


def final_table(res: CondResults) -> Table:
    """Median [25 %, 75 %] over seeds of the final best loss, optimizers by problems."""
    problems = res.compared
    rows = [[label] for label in res.order]
    data, bold = [], set()
    for j, problem in enumerate(problems):
        medians = []
        for i, label in enumerate(res.order):
            _, finals = _finals(res, problem, label)
            if not finals.size:
                rows[i].append("-")
                medians.append(math.inf)
                continue
            q25, med, q75 = (float(q) for q in np.quantile(finals, [0.25, 0.5, 0.75]))
            rows[i].append(_cell(finals))
            medians.append(med)
            data.append(
                {"problem": problem, "optimizer": label, "n_runs": len(finals)}
                | {"median": med, "q25": q25, "q75": q75}
            )
        best = min(medians)
        bold |= {(i, 1 + j) for i, m in enumerate(medians) if m == best}
    return Table(
        name="cond_final",
        title=f"Best loss after {res.budget} evaluations: median [25 %, 75 %] over seeds",
        header=["optimizer", *problems],
        rows=rows,
        data=data,
        notes=[
            "Seeds paired: those every optimizer finished on the problem. jenatton: f* = 0.1; "
            "jenatton:flat=True is the same function on its flattened space (every parameter "
            "always present). The real tasks: mean 5-fold CV log-loss, or minus CV accuracy. "
            "Lowest median in bold."
        ],
        bold=bold,
    )


def _paired(res: CondResults, problem: str, a: str, b: str) -> tuple[int, int, int]:
    """Seeds where ``a``'s final loss is lower, equal, higher than ``b``'s."""
    sa, fa = _finals(res, problem, a)
    sb, fb = _finals(res, problem, b)
    common = np.intersect1d(sa, sb)
    fa = fa[np.isin(sa, common)]
    fb = fb[np.isin(sb, common)]
    return int(np.sum(fa < fb)), int(np.sum(fa == fb)), int(np.sum(fa > fb))


def targets_table(res: CondResults, ours: str = "bayes") -> Table:
    """The issue's targets: ``ours`` against random search and each peer, per problem."""
    others = [o for o in res.order if o != ours]
    rows, data = [], []
    for problem in res.targets:
        _, mine = _finals(res, problem, ours)
        if not mine.size:
            continue
        row = [problem, str(mine.size), f"{np.median(mine):.4g}"]
        record: dict[str, Any] = {"problem": problem, "seeds": int(mine.size)}
        record[f"{ours} median"] = float(np.median(mine))
        for other in others:
            _, theirs = _finals(res, problem, other)
            if not theirs.size:
                row.append("-")
                continue
            w, t, lo = _paired(res, problem, ours, other)
            med = float(np.median(theirs))
            row.append(f"{med:.4g} ({w}/{t}/{lo})")
            record |= {f"{other} median": med, f"wins vs {other}": w, f"ties vs {other}": t}
            record[f"losses vs {other}"] = lo
        rows.append(row)
        data.append(record)
    return Table(
        name="cond_targets",
        title=f"`{ours}` against the others: median final loss, and paired seeds",
        header=["problem", "seeds", ours, *others],
        rows=rows,
        data=data,
        notes=[
            f"Each cell: the optimizer's median final loss, then the seeds where `{ours}` "
            "ended lower / equal / higher (paired by seed)."
        ],
    )


def ablation_table(res: CondResults, labels: Sequence[str] = ("bayes",)) -> Table | None:
    """The tree against its flattened twin: final regret and evaluations to solve."""
    if TREE not in res.traces:
        return None
    rows, data = [], []
    for label in [o for o in res.order if o in labels or o != "random"]:
        for problem, arm in ((TREE, "conditional"), (FLAT, "flattened")):
            if problem not in res.compared:
                continue
            keep = _common_seeds(res, problem)
            runs = res.traces[problem].records.get(label, [])
            runs = sorted((r for r in runs if r.seed in keep), key=lambda r: r.seed)
            if not runs:
                continue
            regret = np.array([r.regret()[-1] for r in runs])
            solved = [solved_within(r) for r in runs]
            hit = [s for s in solved if s is not None]
            per_seed = " ".join("-" if s is None else str(s) for s in solved)
            med = float(np.median([math.inf if s is None else s for s in solved]))
            rows.append(
                [
                    label,
                    arm,
                    f"{np.median(regret):.3g}",
                    f"{np.mean(regret):.3g}",
                    f"{len(hit)}/{len(runs)}",
                    "never" if math.isinf(med) else f"{med:g}",
                    per_seed,
                ]
            )
            data.append(
                {"optimizer": label, "space": arm, "median regret": float(np.median(regret))}
                | {"mean regret": float(np.mean(regret)), "seeds solved": len(hit)}
                | {"runs": len(runs), "median evaluations to solve": med}
            )
    return Table(
        name="cond_ablation",
        title="Jenatton's tree: the conditional space against the flattened one",
        header=[
            "optimizer",
            "space",
            "median final regret",
            "mean final regret",
            "seeds solved",
            "median evaluations to solve",
            "per seed",
        ],
        rows=rows,
        data=data,
        notes=[
            f"Solved: regret below {SOLVED:g} (evaluations until then; '-' never within "
            f"{res.budget}). The flattened space has all nine parameters always present."
        ],
    )


def cond_tables(res: CondResults) -> dict[str, Table]:
    built: dict[str, Table | None] = {
        "cond_final": final_table(res),
        "cond_targets": targets_table(res),
        "cond_ablation": ablation_table(res),
    }
    if res.references:
        score = tables.score_table(res.traces, res.references, budgets=[res.budget])
        if score is not None:
            built["cond_score"] = dataclasses.replace(score, name="cond_score")
    return {k: v for k, v in built.items() if v is not None}


def cond_figures(res: CondResults) -> dict[str, Callable[[], Figure | None]]:
    return {
        "cond_convergence": lambda: plots.convergence_figure(res.traces, references=res.references)
    }


def _list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def cond_values(res: CondResults, built: dict[str, Table]) -> dict[str, str]:
    """The values of the section's template placeholders (``cond_*``)."""
    targets = built["cond_targets"].data
    v: dict[str, str] = {
        "cond_budget": str(res.budget),
        "cond_n_seeds": str(len(res.seeds)),
        "cond_problems": _list([f"`{p}`" for p in res.targets]),
        "cond_n_targets": str(len(targets)),
    }
    for other, key in (("random", "cond_vs_random"), ("optuna-tpe", "cond_vs_tpe")):
        if other == "random":
            good = [r for r in targets if r["bayes median"] < r.get("random median", -math.inf)]
            verdict = "lower than"
        else:
            good = [r for r in targets if r["bayes median"] <= r.get(f"{other} median", -math.inf)]
            verdict = "at or below"
        v[key] = (
            f"{verdict} {'that of ' if other == 'random' else ''}`{other}` on {len(good)} of "
            f"{len(targets)} problems"
            + (f" ({_list(['`' + r['problem'] + '`' for r in good])})" if good else "")
        )
    wins = [
        f"{r['wins vs optuna-tpe']}/{r['ties vs optuna-tpe']}/{r['losses vs optuna-tpe']} on "
        f"`{r['problem']}`"
        for r in targets
        if "wins vs optuna-tpe" in r
    ]
    v["cond_tpe_seeds"] = _list(wins) or "not measured"
    abl = built.get("cond_ablation")
    if abl is not None:
        arms = {(r["optimizer"], r["space"]): r for r in abl.data}
        c, f = arms.get(("bayes", "conditional")), arms.get(("bayes", "flattened"))
        if c and not f:
            v["cond_ablation"] = (
                "was not reached in this run (the flattened problem comes last in the study); "
                f"on the conditional space the GP solves {c['seeds solved']} of {c['runs']} "
                f"seeds (median {c['median evaluations to solve']:g} evaluations)"
            )
        if c and f:
            v["cond_ablation"] = (
                f"shows that the GP solves {c['seeds solved']} of {c['runs']} seeds (median "
                f"{c['median evaluations to solve']:g} evaluations) on the conditional space "
                f"and {f['seeds solved']} of {f['runs']} on the flattened one (median "
                + (
                    "never"
                    if math.isinf(f["median evaluations to solve"])
                    else f"{f['median evaluations to solve']:g} evaluations"
                )
                + f"); mean final regret {c['mean regret']:.3g} against {f['mean regret']:.3g}"
            )
    if "cond_ablation" not in v:
        v["cond_ablation"] = "was not measured"
    scores = []
    for p, ref in res.references.items():
        for label in ("bayes", "optuna-tpe", "random"):
            _, finals = _finals(res, p, label)
            if finals.size:
                # Bayesmark's score of the median at t = budget: (S_T - opt) / (R_T - opt)
                trace = np.full(res.budget, float(np.median(finals)))
                s = normalized_score(trace, ref["best_known"], np.array(ref["random_median"]))
                scores.append(f"{s[-1]:.2f} for `{label}` on `{p}`")
    v["cond_scores"] = _list(scores) or "not available (no reference values)"
    v["cond_coverage"] = coverage_sentence(res)
    v["cond_search"] = search_sentence(BRANCH_RUNS)
    v["cond_branches"] = branch_sentence(res)
    v["cond_tol_band"] = tol_sentence(res)
    v["cond_leaf"] = leaf_sentence(LEAF_RUNS)
    v["cond_leaf_alone"] = leaf_sentence(LEAF_RUNS, arm="leaf-no-random", groups=("study",))
    v["cond_leaf_basin"] = basin_sentence(LEAF_ALONE)
    v["cond_leaf_tuning"] = tuning_verdict(LEAF_RUNS)
    check_leaf_claims(res, LEAF_RUNS)
    return v


def _arm_runs(path: Path, problem: str = SOLVER) -> dict[tuple[str, int], dict[str, Any]]:
    """``(arm, seed) -> run`` of ``problem`` in a JSON-lines file of
    ``benchmarks/compare_conditional_search.py`` (each pair once, the first)."""
    runs: dict[tuple[str, int], dict[str, Any]] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                if r["problem"] == problem:
                    runs.setdefault((r["arm"], r["seed"]), r)
    return runs


def _group_medians(
    runs: dict[tuple[str, int], dict[str, Any]], arms: Sequence[str], keep: Callable[[int], bool]
) -> tuple[list[int], dict[str, float]]:
    """The seeds (passing ``keep``) that every arm of ``arms`` ran, and each arm's median
    final loss on them."""
    seeds = sorted(
        set.intersection(*({s for (a, s) in runs if a == arm and keep(s)} for arm in arms))
    )
    return seeds, {
        arm: float(np.median([runs[(arm, s)]["final"] for s in seeds])) if seeds else math.nan
        for arm in arms
    }


def leaf_sentence(
    path: Path,
    problem: str = SOLVER,
    arm: str = "leaf",
    groups: Sequence[str] = ("tuning", "study"),
) -> str:
    """Per-leaf GPs (``arm``) against the whole-tree GP (``indicator``) and random search on
    ``problem``: per group of seeds (tuning >= 100, the study's below), the medians and the
    seeds where ``arm`` ends lower than each, on the seeds all three ran."""
    runs = _arm_runs(path, problem)
    parts = []
    for name, keep in (("tuning", lambda s: s >= 100), ("study", lambda s: s < 100)):
        if name not in groups:
            continue
        seeds, med = _group_medians(runs, (arm, "indicator", "random"), keep)
        if not seeds:
            continue
        lower = {
            other: sum(runs[(arm, s)]["final"] < runs[(other, s)]["final"] for s in seeds)
            for other in ("indicator", "random")
        }
        parts.append(
            f"on the {len(seeds)} {name} seeds ({seeds[0]}-{seeds[-1]}) the median final "
            f"log-loss is {med[arm]:.4g} with `{arm}`, against {med['indicator']:.4g} with the "
            f"whole-tree GP alone and {med['random']:.4g} for random search (lower on "
            f"{lower['indicator']} and {lower['random']} of {len(seeds)} seeds)"
        )
    return "; ".join(parts) or "not measured"


def tuning_verdict(path: Path, problem: str = SOLVER) -> str:
    """Whether ``leaf`` ends below ``indicator`` and random search on the tuning seeds
    (seeds >= 100 that all three ran): a clause such as "ends below random search but above
    the whole-tree GP alone"."""
    seeds, med = _group_medians(
        _arm_runs(path, problem), ("leaf", "indicator", "random"), lambda s: s >= 100
    )
    if not seeds:
        return "was not run"
    names = {"random": "random search", "indicator": "the whole-tree GP alone"}
    below = [names[a] for a in ("random", "indicator") if med["leaf"] < med[a]]
    above = [names[a] for a in ("random", "indicator") if med["leaf"] >= med[a]]
    if not above:
        return f"ends below {' and '.join(below)}"
    if not below:
        return f"does not end below {' or '.join(above)}"
    return f"ends below {below[0]} but not below {above[0]}"


def _basin(journal: Path, problem: str = SOLVER) -> list[tuple[int, int, float, float]]:
    """Per run of ``journal`` on ``problem`` with 20 or more model-based lbfgs trials:
    ``(seed, those trials, their median alpha, their median tol)``."""
    _, records = read_journal(journal)
    out = []
    for r in sorted((r for r in records if r.problem == problem), key=lambda r: r.seed):
        lb = [
            t["params"]
            for t in r.trials
            if t["info"].get("source") == "model" and t["params"]["solver"] == "lbfgs"
        ]
        if len(lb) >= 20:
            alpha = float(np.median([p["alpha"] for p in lb]))
            out.append((r.seed, len(lb), alpha, float(np.median([p["tol"] for p in lb]))))
    return out


def basin_sentence(journal: Path, problem: str = SOLVER) -> str:
    """Where the runs of ``journal`` that spent most of their model-based trials in lbfgs
    searched there: the median ``alpha`` and ``tol`` of those trials, per run."""
    if not journal.is_file():
        return "not measured"
    rows = _basin(journal, problem)
    big = [r for r in rows if r[2] > 1.0]
    cells = _list([f"{a:.2g} and {t:.2g} on seed {s}" for s, _, a, t in rows])
    return (
        f"{len(rows)} of its runs made 20 or more model-based lbfgs trials, and {len(big)} of "
        f"them centred there on `alpha` above 1; the median `alpha` and `tol` of those trials "
        f"are {cells}"
    )


def _lbfgs_by_tol(res: CondResults, problem: str = SOLVER) -> list[tuple[float, int, float]]:
    """Every optimizer's lbfgs trials on ``problem``, by quarter-decade of ``tol``:
    ``(log10 of the bin's lower edge, trials, median loss)``, bins with 10 trials or more."""
    pairs = [
        (math.log10(t["params"]["tol"]), t["value"])
        for rs in res.traces[problem].records.values()
        for r in rs
        for t in r.trials
        if t["value"] is not None and t["params"].get("solver") == "lbfgs"
    ]
    out = []
    for lo in np.arange(-5.0, -1.0, 0.25):
        v = [y for x, y in pairs if lo <= x < lo + 0.25]
        if len(v) >= 10:
            out.append((float(lo), len(v), float(np.median(v))))
    return out


def tol_sentence(res: CondResults, problem: str = SOLVER) -> str:
    """Where lbfgs's trials of every optimizer have their lowest median loss, by ``tol``."""
    if problem not in res.traces:
        return "not measured"
    bins = _lbfgs_by_tol(res, problem)
    if not bins:
        return "not measured"
    lo, n, med = min(bins, key=lambda b: b[2])
    small = [b for b in bins if b[0] < -4.0]
    text = (
        f"pooling every optimizer's lbfgs trials, the lowest median loss by quarter-decade of "
        f"`tol` is {med:.4f}, at `tol` from {10**lo:.2g} to {10 ** (lo + 0.25):.2g} ({n} trials)"
    )
    if small:
        text += (
            f", against {min(b[2] for b in small):.4f} or more below 1e-4 "
            f"({sum(b[1] for b in small)} trials)"
        )
    return text


def check_leaf_claims(res: CondResults, path: Path, ours: str = "bayes") -> None:
    """The template's reading of the solver task must hold on the data (``path``: the runs
    of ``benchmarks/compare_conditional_search.py``): the whole-tree GP alone
    (``indicator``) lost to random search on the study's seeds; per-leaf GPs alone
    (``leaf-no-random``) were chosen on the tuning seeds (median below ``indicator``'s) and
    did not confirm on the study's (median not below random search's), where they mostly
    settled on ``alpha`` above 1; ``leaf`` is not better than both ``indicator`` and random
    search on the tuning seeds, and the TPE's median is below ``ours``'s on the study's; the
    ``leaf`` runs are the study's ``ours`` runs; and
    lbfgs's best trials stop early (the lowest median loss by ``tol`` lies above 1e-3).

    Raises
    ------
    paper_text.ClaimFailed
        Naming the claim that does not hold.
    """
    from paper_text import ClaimFailed

    if SOLVER not in res.traces:
        raise ClaimFailed("section 4.9 reads the solver task, which the journal does not hold")
    runs = _arm_runs(path)
    alone = "leaf-no-random"
    seeds, med = _group_medians(runs, (alone, "indicator"), lambda s: s >= 100)
    if not (seeds and med[alone] < med["indicator"]):
        raise ClaimFailed("4.9: per-leaf GPs alone were not better on the tuning seeds")
    seeds, med = _group_medians(runs, (alone, "indicator", "random"), lambda s: s < 100)
    if not seeds:
        raise ClaimFailed(f"4.9: {path.name} holds no study seeds of {alone}")
    if not med[alone] >= med["random"]:
        raise ClaimFailed("4.9: per-leaf GPs alone did beat random search on the study seeds")
    seeds, med = _group_medians(runs, ("indicator", "random"), lambda s: s < 100)
    if not med["indicator"] > med["random"]:
        raise ClaimFailed("4.9: the whole-tree GP alone did not lose the solver task to random")
    seeds, med = _group_medians(runs, ("leaf", "indicator", "random"), lambda s: s >= 100)
    if not (seeds and med["leaf"] >= min(med["indicator"], med["random"])):
        raise ClaimFailed("4.9: `leaf` is better than both on the tuning seeds: say so")
    if not tuning_verdict(path).startswith(("ends below", "does not")):
        raise ClaimFailed("4.9: no tuning seeds of `leaf`, `indicator` and random search")
    if not np.median(_finals(res, SOLVER, ours)[1]) > np.median(
        _finals(res, SOLVER, "optuna-tpe")[1]
    ):
        raise ClaimFailed("4.9: the TPE is no longer ahead on the solver task")
    study_leaf = {s: r["final"] for (a, s), r in runs.items() if a == "leaf" and s < 100}
    ran = {r.seed: float(r.best_so_far()[-1]) for r in res.traces[SOLVER].records.get(ours, [])}
    if study_leaf != ran:
        raise ClaimFailed(f"4.9: {path.name}'s `leaf` runs are not the study's {ours} runs")
    basin = _basin(LEAF_ALONE) if LEAF_ALONE.is_file() else []
    if not 2 * sum(r[2] > 1.0 for r in basin) > len(basin):
        raise ClaimFailed("4.9: per-leaf GPs alone did not mostly settle on alpha above 1")
    bins = _lbfgs_by_tol(res)
    if not bins or not min(bins, key=lambda b: b[2])[0] > -3.0:
        raise ClaimFailed("4.9: lbfgs's best trials do not stop early (tol below 1e-3)")


def search_sentence(path: Path, problem: str = "cond_mlp_solver_breast_cancer_logloss") -> str:
    """The branch search against the whole-tree search on ``problem``, from the runs of
    ``benchmarks/compare_conditional_search.py`` in ``path`` (JSON lines): per group of
    seeds (tuning seeds >= 100, the study's below), the median final loss of each arm and
    the seeds where ``branch`` ends lower."""
    if not path.is_file():
        return "not measured"
    runs: dict[tuple, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            if r["problem"] == problem:
                runs.setdefault((r["arm"], r["seed"]), r)
    parts = []
    for name, keep in (("tuning", lambda s: s >= 100), ("study", lambda s: s < 100)):
        base = {s: r["final"] for (a, s), r in runs.items() if a == "indicator" and keep(s)}
        mine = {s: r["final"] for (a, s), r in runs.items() if a == "branch" and s in base}
        if not mine:
            continue
        seeds = sorted(mine)
        lower = sum(mine[s] < base[s] for s in seeds)
        text = (
            f"on the {len(seeds)} {name} seeds ({seeds[0]}-{seeds[-1]}) the median final "
            f"log-loss is {np.median([mine[s] for s in seeds]):.4g} with it against "
            f'{np.median([base[s] for s in seeds]):.4g} without (`conditional="indicator"`), '
            f"lower on {lower} of {len(seeds)} seeds"
        )
        top = collections.Counter(r["incumbent_branch"] for r in runs.values()).most_common(1)
        if top:
            b = top[0][0]
            spent = {
                arm: float(
                    np.median([runs[(arm, s)]["trials_per_branch"].get(b, 0) for s in seeds])
                )
                for arm in ("branch", "indicator")
            }
            text += (
                f", with a median of {spent['branch']:g} trials in `{b}` (the branch of most "
                f"incumbents) against {spent['indicator']:g}"
            )
        parts.append(text)
    return "; ".join(parts) or "not measured"


def _root(params: dict[str, Any]) -> Any:
    """The value of the first parameter of a configuration: the root of the tree."""
    return next(iter(params.values()))


def branch_sentence(res: CondResults, ours: str = "bayes") -> str:
    """Per real task: the branch holding most final incumbents, each optimizer's median
    trials in it, and the predicted standard deviation of ``ours``'s model-based proposals
    per branch (from the trials' ``info``)."""
    parts = []
    for problem in res.targets:
        if problem == TREE:
            continue
        runs = {label: res.traces[problem].records.get(label, []) for label in res.order}
        incumbents = collections.Counter(
            _root(min((t for t in r.trials if t["value"] is not None), key=_value)["params"])
            for rs in runs.values()
            for r in rs
        )
        if not incumbents:
            continue
        top, n_top = incumbents.most_common(1)[0]
        counts = []
        for label, rs in runs.items():
            if rs:
                n = np.median([sum(_root(t["params"]) == top for t in r.trials) for r in rs])
                counts.append(f"`{label}` {n:g}")
        text = (
            f"on `{problem}`, {n_top} of {sum(incumbents.values())} final incumbents are `{top}` "
            f"configurations, and the median number of trials spent there is {_list(counts)}"
        )
        stds = collections.defaultdict(list)
        for r in runs.get(ours, []):
            for t in r.trials:
                if t["info"].get("source") == "model" and "std" in t["info"]:
                    stds[_root(t["params"])].append(t["info"]["std"])
        if stds:
            cells = [
                f"{len(v)} in `{b}` (median {np.median(v):.2f})" for b, v in sorted(stds.items())
            ]
            text += (
                f"; the model-based proposals of `{ours}` and the standard deviations its "
                f"whole-tree GP predicted there (standardized units) are {_list(cells)}"
            )
        parts.append(text)
    return "; ".join(parts) if parts else "no real task was run"


def _value(t: dict[str, Any]) -> float:
    return t["value"]


def coverage_sentence(res: CondResults) -> str:
    """Which (problem, optimizer) pairs of the study definition have all their seeds."""
    want = {p["problem"]: len(p["seeds"]) for p in res.header["study"]["problems"]}
    short = []
    for problem, n in want.items():
        runs = res.traces[problem].records if problem in res.traces else {}
        done = {label: len(runs.get(label, [])) for label in res.order}
        if all(k == n for k in done.values()):
            continue
        if not any(done.values()):
            short.append(f"`{problem}` was not run")
        else:
            cells = ", ".join(f"{label} {k}" for label, k in done.items())
            short.append(f"`{problem}` has {cells} of {n} seeds")
    if not short:
        return "Every run of the study definition finished."
    return (
        "The run was stopped at a deadline before the end of the study definition: "
        + "; ".join(short)
        + ". Comparisons use the seeds every optimizer finished (paired)."
    )
