"""Total optimizer time of 50-evaluation runs, hpo variants against Optuna's GP, in one run.

Every cell (variant x problem x seed) runs in a fresh subprocess with one BLAS thread
(environment variables and threadpoolctl), interleaved (seed, problem, variant) so that the
machine's load drifts over all variants alike; only ask + tell are timed, after an untimed
12-evaluation warm-up run in the same process (so no lazy import, such as Optuna's torch,
is timed; ``--no-warmup``: the cells of ``speed-baseline`` and ``speed-ablation`` ran
without it). A variant is
``label=optimizer[@path][+option=value...]``: ``path`` is put first on ``PYTHONPATH`` (a
checkout of another commit), options go to ``GPConfig`` (hpo's ``bayes`` only), except
those written ``opt.NAME=value``, which go to the optimizer's constructor (such as
``bayes+opt.trust_region=true``, the TuRBO trust region of ``BayesianOptimization``). The
optimizer ``botorch`` is the vanilla BoTorch LogEI loop of ``benchmarks/botorch_peer.py``.

``--step N`` times single ask + tell steps after ``N`` random points instead (the protocol
of ``benchmarks/overhead.py``; a cell's time is the median of 5 steps).

Usage::

    PYTHONPATH=$PWD python benchmarks/time_runs_bo.py --seeds 0-2 \\
        --variant before=bayes@/tmp/hpo-base --variant after=bayes --variant optuna=optuna-gp
    PYTHONPATH=$PWD python benchmarks/time_runs_bo.py --seeds 0-2 --step 200 \\
        --problems "levy:dim=6" --variant after=bayes --variant optuna=optuna-gp
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from suite import parse_seeds

CELL = r"""
import json, os, sys, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
from hpo.optimizers import make_optimizer
from hpo.problems import get_problem
name, problem_name, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
options = json.loads(sys.argv[5])
warnings.simplefilter("ignore")
problem = get_problem(problem_name)
opts = {k[4:]: v for k, v in options.items() if k.startswith("opt.")}
gp = {k: v for k, v in options.items() if not k.startswith("opt.")}
opts = {**opts, "gp": gp} if gp else opts or None
warmup = sys.argv[6] == "1"

def make(seed):
    if name == "botorch":  # benchmarks/botorch_peer.py, a vanilla BoTorch LogEI loop
        sys.path.insert(0, sys.argv[7])
        from botorch_peer import BotorchLogEI
        return BotorchLogEI(problem.space, seed=seed)
    return make_optimizer(name, problem.space, seed=seed, budget=n, options=opts)
with threadpool_limits(limits=1):
    # untimed warm-up (another seed): the libraries' lazy imports (torch for Optuna's GP)
    warm = make(seed + 1000)
    for _ in range(12 if warmup else 0):
        p = warm.ask()
        warm.tell(p, problem(p))
    opt = make(seed)
    spent, best = 0.0, np.inf
    for _ in range(n):
        t0 = time.perf_counter(); p = opt.ask(); spent += time.perf_counter() - t0
        v = problem(p); best = min(best, v)
        t0 = time.perf_counter(); opt.tell(p, v); spent += time.perf_counter() - t0
import hpo
regret = None if problem.optimum is None else float(best - problem.optimum)
print(json.dumps({"time": spent, "best": float(best), "regret": regret, "hpo": hpo.__file__}))
"""


STEP_CELL = r"""
import json, sys, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
from hpo.optimizers import make_optimizer
from hpo.problems import get_problem
name, problem_name, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
options = json.loads(sys.argv[5])
warnings.simplefilter("ignore")
problem = get_problem(problem_name)
opts = {k[4:]: v for k, v in options.items() if k.startswith("opt.")}
gp = {k: v for k, v in options.items() if not k.startswith("opt.")}
opts = {**opts, "gp": gp} if gp else opts or None
# the protocol of benchmarks/overhead.py: n uniform random points told in one batch
# (untimed), 2 untimed steps (the first fit is cold), then 5 timed ask + tell steps
configs = problem.space.sample(np.random.default_rng(12345 + seed), n)
with threadpool_limits(limits=1):
    opt = make_optimizer(name, problem.space, seed=seed, budget=n + 7, options=opts)
    opt.tell(configs, [problem(c) for c in configs])
    steps = []
    for i in range(7):
        t0 = time.perf_counter(); p = opt.ask(); t1 = time.perf_counter()
        v = problem(p)
        t2 = time.perf_counter(); opt.tell(p, v); t3 = time.perf_counter()
        if i >= 2:
            steps.append((t1 - t0) + (t3 - t2))
import hpo
print(json.dumps({"time": float(np.median(steps)), "steps": steps, "regret": None,
                  "hpo": hpo.__file__}))
"""


def parse_variant(text: str) -> tuple[str, str, str | None, dict]:
    label, spec = text.split("=", 1)
    parts = spec.split("+")
    name, _, path = parts[0].partition("@")
    options = {}
    for item in parts[1:]:
        k, v = item.split("=", 1)
        options[k] = json.loads(v) if v not in ("true", "false") else v == "true"
    return label, name, path or None, options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", nargs="*", default=["hartmann6", "levy:dim=6"])
    parser.add_argument("--seeds", default="0-2")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--summarize", default=None, help="only summarize this JSON-lines file")
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument(
        "--step",
        type=int,
        default=None,
        help="time single ask + tell steps after this many random points (the protocol of "
        "benchmarks/overhead.py; median of 5 steps per cell) instead of whole runs",
    )
    parser.add_argument("--ref", default=None, help="time ratios against it (default: last)")
    parser.add_argument("--out", default=None, help="JSON lines of every cell")
    args = parser.parse_args()
    if args.summarize:
        rows = [json.loads(line) for line in Path(args.summarize).read_text().splitlines()]
        labels = list(dict.fromkeys(r["variant"] for r in rows))
        print(summary(rows, labels, list(dict.fromkeys(r["problem"] for r in rows)), args.ref))
        return
    variants = [parse_variant(v) for v in args.variant]
    rows = []
    for seed in parse_seeds(args.seeds):
        for problem in args.problems:
            for label, name, path, options in variants:
                env = dict(
                    os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1"
                )
                # the variant's hpo first; -c runs from "/" so the cwd's hpo never shadows it
                root = path or str(Path(__file__).resolve().parents[1])
                env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
                cmd = [
                    sys.executable,
                    "-c",
                    CELL if args.step is None else STEP_CELL,
                    name,
                    problem,
                    str(seed),
                    str(args.n if args.step is None else args.step),
                    json.dumps(options),
                    "0" if args.no_warmup else "1",
                    str(Path(__file__).resolve().parent),
                ]
                out = subprocess.run(
                    cmd, env=env, capture_output=True, text=True, check=True, cwd="/"
                )
                cell = json.loads(out.stdout.strip().splitlines()[-1])
                cell.update(variant=label, problem=problem, seed=seed)
                rows.append(cell)
                print(json.dumps(cell), flush=True)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(summary(rows, [v[0] for v in variants], args.problems, args.ref))


def summary(rows: list[dict], labels: list[str], problems: list[str], ref: str | None) -> str:
    """Markdown: median time per problem and its ratio to the last variant (median over
    seeds of the per-seed ratio); median final regret, and a one-sided Wilcoxon signed-rank
    test, paired by (problem, seed), of each variant's regret against the first one's
    (alternative: the variant's regret is larger)."""
    from scipy.stats import wilcoxon

    ref = ref or labels[-1]
    out = [
        "| problem | "
        + " | ".join(f"{lab}: median s" for lab in labels)
        + " | "
        + " | ".join(f"{lab}/{ref}" for lab in labels if lab != ref)
        + " |",
        "|---|" + "---:|" * (2 * len(labels) - 1),
    ]
    for problem in [*problems, "all"]:
        sel = [r for r in rows if problem in ("all", r["problem"])]
        t = {lab: [r["time"] for r in sel if r["variant"] == lab] for lab in labels}
        med = {lab: float(np.median(v)) for lab, v in t.items()}
        ratios = [float(np.median(np.divide(t[lab], t[ref]))) for lab in labels if lab != ref]
        out.append(
            f"| {problem} | "
            + " | ".join(f"{med[lab]:.2f}" for lab in labels)
            + " | "
            + " | ".join(f"{x:.2f}" for x in ratios)
            + " |"
        )
    base = labels[0]
    # regrets differ in scale by orders of magnitude between problems: compare them on a
    # log scale (floor 1e-12), so each (problem, seed) pair weighs alike
    out += [
        "",
        f"| variant | median final regret | per problem | wins/ties/losses vs {base} | "
        f"Wilcoxon p, log regret (worse than {base}) | Wilcoxon p, raw regret | pairs |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    key = {(r["problem"], r["seed"], r["variant"]): r.get("regret") for r in rows}
    pairs = sorted({(r["problem"], r["seed"]) for r in rows})
    ref_regret = np.array([key.get((p, s, base), np.nan) for p, s in pairs], dtype=float)
    for lab in labels:
        reg = np.array([key.get((p, s, lab)) for p, s in pairs], dtype=float)
        if np.any(np.isnan(reg)):
            continue
        per = ", ".join(
            f"{p}: {np.median([key[(p, s, lab)] for q, s in pairs if q == p]):.3g}"
            for p in problems
        )
        if lab == base:
            cells = ["-", "-", "-"]
        else:
            log_diff = np.log10(np.maximum(reg, 1e-12)) - np.log10(np.maximum(ref_regret, 1e-12))
            n_win, n_tie = np.sum(reg < ref_regret), np.sum(reg == ref_regret)
            cells = [f"{n_win}/{n_tie}/{np.sum(reg > ref_regret)}"]
            for diff in (log_diff, reg - ref_regret):
                test = wilcoxon(diff, alternative="greater") if np.any(diff) else None
                cells.append("all equal" if test is None else f"{test.pvalue:.3f}")
        out.append(
            f"| {lab} | {np.median(reg):.4g} | {per} | " + " | ".join(cells) + f" | {len(pairs)} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    main()
