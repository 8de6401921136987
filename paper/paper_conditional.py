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
BRANCH_RUNS = (
    Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "conditional" / "branch.jsonl"
)


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
    check_branch_claims(res)
    return v


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
                f"; the model-based proposals of `{ours}` and their predicted standard "
                f"deviations (standardized units) are {_list(cells)}"
            )
        parts.append(text)
    return "; ".join(parts) if parts else "no real task was run"


def check_branch_claims(res: CondResults, ours: str = "bayes", peer: str = "optuna-tpe") -> None:
    """The template's reading of the solver task must hold on the data: ``ours`` proposes
    with a higher predicted deviation in the other branches than in the branch holding most
    incumbents, spends fewer trials there than ``peer``, and ``peer`` spends most of its
    trials there.

    Raises
    ------
    paper_text.ClaimFailed
        Naming the claim that does not hold.
    """
    from paper_text import ClaimFailed

    problem = next((p for p in res.targets if p.startswith("cond_mlp_solver")), None)
    if problem is None:
        raise ClaimFailed("section 4.9 reads the solver task, which the journal does not hold")
    runs = res.traces[problem].records
    everyone = [r for rs in runs.values() for r in rs]
    incumbents = collections.Counter(
        _root(min((t for t in r.trials if t["value"] is not None), key=_value)["params"])
        for r in everyone
    )
    top = incumbents.most_common(1)[0][0]

    def trials_in_top(label: str) -> float:
        return float(
            np.median([sum(_root(t["params"]) == top for t in r.trials) for r in runs[label]])
        )

    stds = collections.defaultdict(list)
    for r in runs[ours]:
        for t in r.trials:
            if t["info"].get("source") == "model" and "std" in t["info"]:
                stds[_root(t["params"]) == top].append(t["info"]["std"])
    if not (stds[True] and stds[False] and np.median(stds[False]) > np.median(stds[True])):
        raise ClaimFailed(f"4.9: {ours}'s proposals are not more uncertain outside `{top}`")
    if not trials_in_top(ours) < trials_in_top(peer):
        raise ClaimFailed(f"4.9: {ours} does not spend fewer trials in `{top}` than {peer}")
    if not np.median(_finals(res, problem, ours)[1]) > np.median(
        _finals(res, problem, "random")[1]
    ):
        raise ClaimFailed(f"4.9: {ours} does not lose the solver task to random search")
    budget = max(len(r.trials) for r in runs[peer])
    if not trials_in_top(peer) > budget / 2:
        raise ClaimFailed(f"4.9: {peer} does not spend most of its trials in `{top}`")


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
