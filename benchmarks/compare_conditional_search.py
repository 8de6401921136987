"""Ablation of the GP's acquisition search on conditional spaces (issue 13), paired seeds.

Arms: ``BayesianOptimization(conditional=ARM)`` for each ``--arms`` value (``indicator``:
one acquisition search over the whole tree; ``branch``: the search repeated in each branch of
the tree, :mod:`hpo.optimizers._bo_conditional`), plus ``random``. Each run's final best loss,
the branch of its incumbent, how many trials went to each branch, and its wall time are
appended as a JSON line to ``--out`` (a run already there is skipped, so the command resumes);
``--table`` prints the medians per arm from that file.

``--from-journal J --optimizer O --arm A`` appends the runs of optimizer ``O`` in a study
journal ``J`` (``hpo bench``) as lines of arm ``A`` (seconds: the run's wall time), so that the
study's runs on its own seeds are compared in the same table.

Example
-------
python benchmarks/compare_conditional_search.py cond_mlp_solver_breast_cancer_logloss \
    --seeds 100-109 --arms indicator,branch --out runs.jsonl
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from hpo import BayesianOptimization, RandomSearch  # noqa: E402
from hpo.problems import get_problem  # noqa: E402


def one_run(problem_name: str, arm: str, seed: int, evals: int) -> dict:
    """One run of ``arm`` (a ``conditional`` option, or ``random``) on the problem."""
    problem = get_problem(problem_name)
    if arm == "random":
        opt = RandomSearch(problem.space, seed=seed)
    else:
        opt = BayesianOptimization(problem.space, seed=seed, conditional=arm)
    root = next(iter(problem.space.names))  # the tree's root (solver, model, x1)
    start, values, roots = time.perf_counter(), [], []
    for _ in range(evals):
        params = opt.ask()
        value = problem(params)
        opt.tell(params, value)
        values.append(value)
        roots.append(str(params[root]))
    best = int(np.argmin(values))
    return {
        "problem": problem_name,
        "arm": arm,
        "seed": seed,
        "final": float(values[best]),
        "incumbent_branch": roots[best],
        "trials_per_branch": dict(collections.Counter(roots)),
        "seconds": time.perf_counter() - start,
    }


def from_journal(journal: Path, optimizer: str, arm: str) -> list[dict]:
    """The runs of ``optimizer`` in a study journal, as lines of arm ``arm``."""
    from hpo.bench import read_journal

    _, records = read_journal(journal)
    out = []
    for r in records:
        if r.optimizer != optimizer:
            continue
        done = [t for t in r.trials if t["status"] == "complete" and t["value"] is not None]
        root = [str(next(iter(t["params"].values()))) for t in r.trials]
        best = min(done, key=lambda t: t["value"])
        out.append(
            {
                "problem": r.problem,
                "arm": arm,
                "seed": r.seed,
                "final": float(best["value"]),
                "incumbent_branch": str(next(iter(best["params"].values()))),
                "trials_per_branch": dict(collections.Counter(root)),
                "seconds": r.wall_time,
            }
        )
    return out


def seeds_of(text: str) -> list[int]:
    """``"100-109"`` or ``"0,3,5"``."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def read_runs(path: Path) -> list[dict]:
    """The runs in ``path``, each (problem, arm, seed) once (the first)."""
    runs: dict[tuple, dict] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            runs.setdefault((r["problem"], r["arm"], r["seed"]), r)
    return list(runs.values())


def table(path: Path, base: str = "indicator") -> str:
    """Per problem, group of seeds (tuning: 100 and above; study: below 100) and arm, on the
    seeds the arm shares with ``base``: median and mean final loss, seeds where it ends lower
    than ``base``, incumbents' branches, median trials per branch, seconds per run."""
    out = []
    for group, keep in (("tuning", lambda s: s >= 100), ("study", lambda s: s < 100)):
        runs = [r for r in read_runs(path) if keep(r["seed"])]
        if runs:
            out.append(f"Seeds of the {group} group:\n\n" + _table(runs, base))
    return "\n\n".join(out)


def _table(runs: list[dict], base: str) -> str:
    lines = [
        f"| problem | arm | seeds | median final | mean final | lower than `{base}` |"
        " incumbent branches | median trials per branch | s/run (median) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for problem in sorted({r["problem"] for r in runs}):
        mine = [r for r in runs if r["problem"] == problem]
        ref = {r["seed"]: r["final"] for r in mine if r["arm"] == base}
        for arm in dict.fromkeys(r["arm"] for r in mine):
            rs = sorted(
                (r for r in mine if r["arm"] == arm and (not ref or r["seed"] in ref)),
                key=lambda r: r["seed"],
            )
            if not rs:
                continue
            final = np.array([r["final"] for r in rs])
            wins = sum(r["final"] < ref[r["seed"]] for r in rs) if ref else 0
            inc = collections.Counter(r["incumbent_branch"] for r in rs)
            names = sorted({b for r in rs for b in r["trials_per_branch"]})
            per = {
                b: float(np.median([r["trials_per_branch"].get(b, 0) for r in rs])) for b in names
            }
            seeds = f"{len(rs)} ({rs[0]['seed']}-{rs[-1]['seed']})"
            lines.append(
                f"| {problem} | {arm} | {seeds} | {np.median(final):.5g} |"
                f" {np.mean(final):.5g} | {wins}/{len(rs)} | {dict(sorted(inc.items()))} |"
                f" {per} | {np.median([r['seconds'] for r in rs]):.1f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problems", nargs="*")
    parser.add_argument("--seeds", default="100-109")
    parser.add_argument("--arms", default="indicator,branch")
    parser.add_argument("--evals", type=int, default=50)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--table", action="store_true", help="print the table and stop")
    parser.add_argument("--base", default="indicator", help="the arm of the table's comparison")
    parser.add_argument("--from-journal", type=Path, help="append a study journal's runs")
    parser.add_argument("--optimizer", default="bayes", help="with --from-journal")
    parser.add_argument("--arm", help="with --from-journal: the arm its runs are named")
    args = parser.parse_args()
    if args.table:
        print(table(args.out, args.base))
        return
    if args.from_journal is not None:
        if not args.arm:
            parser.error("--from-journal needs --arm")
        with args.out.open("a") as f:
            for record in from_journal(args.from_journal, args.optimizer, args.arm):
                f.write(json.dumps(record) + "\n")
        return
    done = set()
    if args.out.exists():
        done = {(r["problem"], r["arm"], r["seed"]) for r in read_runs(args.out)}
    for problem in args.problems:
        for seed in seeds_of(args.seeds):  # seeds outer: the arms stay paired if stopped
            for arm in args.arms.split(","):
                if (problem, arm, seed) in done:
                    continue
                record = one_run(problem, arm, seed, args.evals)
                with args.out.open("a") as f:
                    f.write(json.dumps(record) + "\n")
                print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
