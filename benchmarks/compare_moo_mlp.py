"""hpo's multi-objective GP optimizer at 50 evaluations against random search at 150, on the
MLP accuracy-versus-size tasks (issue 11, last target).

Target: "On the MLP accuracy-versus-weights task, the front found by hpo's GP optimizer in 50
evaluations dominates at least as much hypervolume as random search with 150."

For every dataset (``mo_mlp_<d>_weights``, problem seed 0: one fixed task) and every optimizer
seed, in one run:

* ``random``: :class:`~hpo.RandomSearch` with ``n_objectives=2``, 150 evaluations (its
  hypervolume after its first 50 is reported too);
* ``bayes``: :class:`~hpo.BayesianOptimization` with ``n_objectives=2`` and its defaults
  (whatever ``mo_strategy`` the code under test defaults to; the row records which);
* ``bayes-ehvi``, ``bayes-parego``, ``bayes-hybrid``: the same with that ``mo_strategy``
  explicit.

All with the same seed (paired). The quality of a run is the hypervolume of *every* point it
evaluated against the problem's fixed ``reference_point`` (``(ln K, log10 W_max)``, see
:mod:`hpo.problems.mlp_multiobjective`), higher is better. Evaluations are deterministic under
the problem seed, so each is computed once per run of this script and reused when another
optimizer proposes the very same configuration (the GP variants share their initial design;
a default equal to an explicit strategy costs no evaluation at all). A fit that fails is told
as a failed trial.

Every run is appended to ``benchmarks/results/moo/<tag>.jsonl`` as it finishes (with all its
objective vectors); the summary ``<tag>.md`` (medians, per-seed wins, two-sided Wilcoxon
signed-rank p of each GP variant against random search at 150 over the paired seeds) is
written at the end, or from the jsonl alone with ``--summarize``. ``--reference`` also pools
every finite point evaluated on each problem into its reference front (non-dominated, inside
the reference box) and writes ``hpo/problems/data/mo_mlp_reference.json``, which gives the
problems' ``reference_hypervolume``.

The committed results come from::

    OMP_NUM_THREADS=1 nohup nice -n 5 python benchmarks/compare_moo_mlp.py --seeds 0-9 \\
        --datasets breast_cancer,digits --tag mlp > /tmp/moo_mlp.log 2>&1 &
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import wilcoxon  # noqa: E402

from hpo import BayesianOptimization, RandomSearch  # noqa: E402
from hpo.moo import is_non_dominated  # noqa: E402
from hpo.problems import get_problem  # noqa: E402
from hpo.problems.mlp import EvaluationFailed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "moo"
#: label -> (optimizer class, options, evaluations)
OPTIMIZERS: dict[str, tuple[Any, dict[str, Any], int]] = {
    "random": (RandomSearch, {}, 150),
    "bayes": (BayesianOptimization, {}, 50),
    "bayes-ehvi": (BayesianOptimization, {"mo_strategy": "ehvi"}, 50),
    "bayes-parego": (BayesianOptimization, {"mo_strategy": "parego"}, 50),
    "bayes-hybrid": (BayesianOptimization, {"mo_strategy": "hybrid"}, 50),
}
BASELINE = "random"


def parse_seeds(text: str) -> list[int]:
    """``"0-9"`` or ``"1,3,5"`` to a list of seeds."""
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",")]


class Cached:
    """The problem's evaluations, each computed once (values or the failure's message)."""

    def __init__(self, problem: Any) -> None:
        self.problem, self.memo, self.hits, self.seconds = problem, {}, 0, 0.0

    def __call__(self, params: dict[str, Any]) -> list[float] | str:
        key = tuple(sorted(params.items()))
        if key in self.memo:
            self.hits += 1
            return self.memo[key]
        t0 = time.perf_counter()
        try:
            value: list[float] | str = self.problem(params)
        except EvaluationFailed as err:
            value = str(err)
        self.seconds += time.perf_counter() - t0
        self.memo[key] = value
        return value


def run(label: str, cached: Cached, seed: int) -> dict[str, Any]:
    """One run: every objective vector evaluated (NaN for failed ones), in order."""
    cls, options, evals = OPTIMIZERS[label]
    opt = cls(cached.problem.space, n_objectives=2, seed=seed, budget=evals, **options)
    values, hits0, eval0, t0 = [], cached.hits, cached.seconds, time.perf_counter()
    for _ in range(evals):
        params = opt.ask()
        value = cached(params)
        if isinstance(value, str):
            opt.tell(params, EvaluationFailed(value))
            values.append([float("nan")] * 2)
        else:
            opt.tell(params, value)
            values.append(value)
    return {
        "strategy": getattr(opt, "mo_strategy", None),
        "F": values,
        "cache_hits": cached.hits - hits0,
        "eval_seconds": cached.seconds - eval0,
        "seconds": time.perf_counter() - t0,
    }


def hv_at(problem: Any, F: list[list[float]], n: int) -> float:
    """Hypervolume of the first ``n`` evaluated points (failed ones dropped)."""
    P = np.asarray(F[:n], dtype=float)
    return problem.hypervolume(P[np.all(np.isfinite(P), axis=1)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--datasets", default="breast_cancer,digits")
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    parser.add_argument("--tag", default="mlp")
    parser.add_argument("--summarize", action="store_true", help="only rewrite the .md")
    parser.add_argument(
        "--reference", action="store_true", help="also write the pooled reference fronts"
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    journal = RESULTS / f"{args.tag}.jsonl"
    command = "python benchmarks/compare_moo_mlp.py " + shlex.join(argv or sys.argv[1:])
    start = time.time()
    if not args.summarize:
        journal.write_text("")
        for dataset in args.datasets.split(","):
            problem = get_problem(f"mo_mlp_{dataset}_weights")
            for seed in parse_seeds(args.seeds):
                cached = Cached(problem)  # one cache per seed: the runs of a seed share it
                for label in args.optimizers.split(","):
                    row = {"problem": problem.name, "optimizer": label, "seed": seed}
                    row.update(run(label, cached, seed))
                    row["hv"] = hv_at(problem, row["F"], len(row["F"]))
                    row["hv50"] = hv_at(problem, row["F"], 50)
                    with open(journal, "a") as f:
                        f.write(json.dumps(row) + "\n")
                    print(json.dumps({k: v for k, v in row.items() if k != "F"}), flush=True)
    rows = [json.loads(line) for line in journal.read_text().splitlines() if line]
    seconds = time.time() - start if not args.summarize else None
    (RESULTS / f"{args.tag}.md").write_text(summary(rows, command, seconds))
    if args.reference:
        write_reference(rows, journal)


def pooled_front(problem: Any, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Every finite point evaluated on ``problem`` and their non-dominated ones inside the
    reference box."""
    P = np.array([v for r in rows if r["problem"] == problem.name for v in r["F"]], dtype=float)
    P = P[np.all(np.isfinite(P), axis=1)]
    inside = P[np.all(P < np.asarray(problem.reference_point), axis=1)]
    return P, np.unique(inside[is_non_dominated(inside)], axis=0)


def write_reference(rows: list[dict], journal: Path) -> None:
    """Pool every finite point of every run of each problem into its reference front, and
    write them to ``hpo/problems/data/mo_mlp_reference.json`` (read by the problems)."""
    out: dict[str, Any] = {}
    for name in dict.fromkeys(r["problem"] for r in rows):
        problem = get_problem(name)
        P, front = pooled_front(problem, rows)
        out[name] = {
            "front": front.tolist(),
            "hypervolume": problem.hypervolume(front),
            "n_points": len(P),
            "source": f"every point of {journal.relative_to(ROOT)} "
            f"({len({(r['optimizer'], r['seed']) for r in rows if r['problem'] == name})} runs)",
        }
    note = (
        "Reference fronts of the multi-objective MLP tasks (problem seed 0): the non-dominated "
        "points, inside the reference box, of every configuration the benchmark evaluated. "
        "Written by benchmarks/compare_moo_mlp.py --reference; not the true fronts."
    )
    path = ROOT / "hpo" / "problems" / "data" / "mo_mlp_reference.json"
    path.write_text(json.dumps({"note": note, "problems": out}, indent=1) + "\n")


def _p(a: list[float], b: list[float]) -> str:
    diff = np.subtract(a, b)
    if len(diff) < 2 or not np.any(diff != 0):
        return "1"
    return f"{wilcoxon(diff).pvalue:.2g}"


def summary(rows: list[dict], command: str, seconds: float | None) -> str:
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    labels = list(dict.fromkeys(r["optimizer"] for r in rows))
    lines = [
        "# Multi-objective BO at 50 evaluations against random search at 150, MLP tasks",
        "",
        f"Command: `{command}`"
        + (f" ({seconds:.0f} s on the shared 2-core machine)." if seconds else "."),
        "",
        "Hypervolume (higher is better) of every point a run evaluated, against the problem's "
        "reference point (validation log-loss, log10 weights); GP runs 50 evaluations, random "
        "search 150 (`random@50`: its first 50). Paired seeds; `p`: two-sided Wilcoxon "
        "signed-rank test of the GP variant against `random` (150) over the seeds; `wins`: "
        "seeds where the GP's hypervolume is at least random's at 150.",
        "",
    ]
    for name in problems:
        problem = get_problem(name)
        mine = [r for r in rows if r["problem"] == name]
        by = {(r["optimizer"], r["seed"]): r for r in mine}
        full = [lab for lab in labels if any(r["optimizer"] == lab for r in mine)]
        # the seeds every optimizer finished (a run cut short leaves a partial seed out)
        seeds = sorted(s for s in {r["seed"] for r in mine} if all((la, s) in by for la in full))
        if BASELINE not in full or not seeds:
            continue
        base = [by[BASELINE, s]["hv"] for s in seeds]
        ref = problem.reference_point
        P, front = pooled_front(problem, rows)
        pooled = problem.hypervolume(front)
        lines += [
            f"## {name} ({len(seeds)} seeds: {seeds[0]}-{seeds[-1]})",
            "",
            f"Reference point ({ref[0]:.4f}, {ref[1]:.4f}). The front pooled from all {len(P)} "
            f"evaluated points ({len(front)} non-dominated) has HV {pooled:.4f}; `ratio` is a "
            "median HV over it.",
            "",
            "| optimizer | strategy | evals | median HV | ratio | q25 - q75 | wins vs random@150 "
            "| p |",
            "|---|---|---|---|---|---|---|---|",
        ]
        b50 = [by[BASELINE, s]["hv50"] for s in seeds]
        lines.append(
            f"| random@50 | - | 50 | {np.median(b50):.4f} | {np.median(b50) / pooled:.3f} | "
            f"{np.quantile(b50, 0.25):.4f} - {np.quantile(b50, 0.75):.4f} | - | - |"
        )
        for lab in full:
            hv = [by[lab, s]["hv"] for s in seeds]
            strategy = by[lab, seeds[0]]["strategy"] or "-"
            wins = sum(h >= b for h, b in zip(hv, base, strict=True))
            cmp = "-" if lab == BASELINE else f"{wins}/{len(seeds)}"
            p = "-" if lab == BASELINE else _p(hv, base)
            lines.append(
                f"| {lab} | {strategy} | {len(by[lab, seeds[0]]['F'])} | {np.median(hv):.4f} | "
                f"{np.median(hv) / pooled:.3f} | {np.quantile(hv, 0.25):.4f} - "
                f"{np.quantile(hv, 0.75):.4f} | {cmp} | {p} |"
            )
        secs = ", ".join(
            f"{lab} {np.median([by[lab, s]['seconds'] for s in seeds]):.0f}" for lab in full
        )
        lines += ["", f"Median seconds per run (proposals and evaluations): {secs}.", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
