"""Optimizer overhead against the number of observations and the dimension, for the paper.

What is timed is the optimizer alone: ``ask`` (the suggestion) and ``tell`` (the update), each
with ``time.perf_counter`` around the call, the objective evaluated in between but not timed
(REFERENCE.md section 3, "Optimizer overhead").

Protocol
--------
* Objective: Levy in ``d`` dimensions (``levy:dim=d``, SFU form), cheap and defined for any d.
* State with ``n`` observations: the optimizer is told ``n`` configurations drawn uniformly
  from the space (one seeded draw, the same for every optimizer) with their values, in one
  batch; that setup is not timed. Then ``--warmup`` ask/evaluate/tell steps (untimed: a first
  fit is cold) and ``--repeats`` timed steps. Each cell reports the median ask, tell and
  ask + tell times of the timed steps (and their mean, which amortizes the GA's generation
  boundaries and any periodic refit).
* Sweeps: ``n`` in {25, 50, 100, 200, 400} at ``d = 6``, and ``d`` in {2, 5, 10, 20} at
  ``n = 100``. scikit-optimize refits its GP and optimizes ``gp_hedge`` on every tell (about
  6 s a step at n = 200 on this machine): it is capped at ``n <= 200``.
* BLAS and OpenMP are pinned to one thread (environment variables set before numpy loads,
  and threadpoolctl around every call), as in the study's workers.
* Slope: least-squares fit of log(median ask + tell) against log n (and log d); a slope of 1
  is linear growth, 3 the cubic cost of a GP's Cholesky factorization.

The output (``benchmarks/results/paper/overhead.json``) holds every timed step, the medians,
the slopes, the settings, the load average before and after, the environment
(:func:`hpo.bench.environment.describe_environment`) and the git commit of the hpo that was
timed (with whether its files differed from it). ``paper/build.py`` reads it.

Usage (about 5 minutes on the 2-core machine of the paper; run it on a quiet machine)::

    nice -n 10 python benchmarks/overhead.py
    python benchmarks/overhead.py --quick --out /tmp/overhead.json   # a smoke test
"""

from __future__ import annotations

import os

# One BLAS/OpenMP thread for every optimizer alike, before numpy, scipy or torch load.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from hpo.bench.environment import describe_environment  # noqa: E402
from hpo.optimizers import make_optimizer  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

OUT = Path(__file__).parent / "results" / "paper" / "overhead.json"
OPTIMIZERS = ("bayes", "ga", "random", "optuna-gp", "optuna-tpe", "skopt-gp")
N_SWEEP = (25, 50, 100, 200, 400)
D_SWEEP = (2, 5, 10, 20)
D_FIXED = 6
N_FIXED = 100
CAPS = {"skopt-gp": 200}  # largest n measured (a step costs seconds beyond)
DATA_SEED = 12345


def measure(name: str, dim: int, n: int, warmup: int, repeats: int) -> dict[str, Any]:
    """Time ``repeats`` ask/tell steps of optimizer ``name`` holding ``n`` observations of
    ``levy:dim=dim`` (after ``warmup`` untimed steps); seconds, one entry per step."""
    problem = get_problem(f"levy:dim={dim}")
    configs = problem.space.sample(np.random.default_rng(DATA_SEED), n)
    values = [problem(c) for c in configs]
    opt = make_optimizer(name, problem.space, seed=0, budget=n + warmup + repeats)
    opt.tell(configs, values)
    ask, tell = [], []
    for step in range(warmup + repeats):
        t0 = time.perf_counter()
        params = opt.ask()
        t1 = time.perf_counter()
        value = problem(params)
        t2 = time.perf_counter()
        opt.tell(params, value)
        t3 = time.perf_counter()
        if step >= warmup:
            ask.append(t1 - t0)
            tell.append(t3 - t2)
    total = np.add(ask, tell)
    return {
        "ask": ask,
        "tell": tell,
        "ask_median": float(np.median(ask)),
        "tell_median": float(np.median(tell)),
        "median": float(np.median(total)),
        "mean": float(np.mean(total)),
    }


def slope(cells: dict[str, dict[str, Any]]) -> float | None:
    """Least-squares slope of log(median) against log(x) over the cells (keys are x)."""
    xs = sorted(cells, key=int)
    if len(xs) < 2:
        return None
    x = np.log([int(k) for k in xs])
    y = np.log([cells[k]["median"] for k in xs])
    return float(np.polyfit(x, y, 1)[0])


def source() -> dict[str, Any]:
    """Where the hpo that is timed comes from: its directory, the git commit there, and
    whether its files differ from that commit (``None`` outside a git checkout)."""
    import hpo

    root = Path(hpo.__file__).resolve().parents[1]

    def git(*cmd: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *cmd], capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    status = git("status", "--porcelain", "--", "hpo")
    return {
        "hpo_path": str(root),
        "commit": git("rev-parse", "HEAD"),
        "hpo_modified": None if status is None else bool(status),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    sweeps = {
        "n": [(D_FIXED, n) for n in args.n],
        "d": [(d, N_FIXED) for d in args.d],
    }
    out: dict[str, Any] = {
        "format": "hpo-overhead",
        "version": 1,
        "made_by": "benchmarks/overhead.py",
        "command": " ".join(["python", *sys.argv]),
        "date": datetime.date.today().isoformat(),
        "settings": {
            "objective": "levy:dim=d",
            "n_sweep": list(args.n),
            "d_fixed": D_FIXED,
            "d_sweep": list(args.d),
            "n_fixed": N_FIXED,
            "warmup": args.warmup,
            "repeats": args.repeats,
            "caps": CAPS,
            "data_seed": DATA_SEED,
            "blas_threads": 1,
        },
        "load_before": list(os.getloadavg()),
        "environment": describe_environment(),
        "source": source(),
        "n": {},
        "d": {},
    }
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for sweep, points in sweeps.items():
            for name in args.optimizers:
                for dim, n in points:
                    if n > CAPS.get(name, n):
                        continue
                    cell = measure(name, dim, n, args.warmup, args.repeats)
                    key = str(n if sweep == "n" else dim)
                    out[sweep].setdefault(name, {})[key] = cell
                    print(
                        f"{sweep}-sweep {name:10s} d={dim:2d} n={n:3d}: "
                        f"ask {cell['ask_median']:.4f} s, tell {cell['tell_median']:.4f} s, "
                        f"median {cell['median']:.4f} s",
                        flush=True,
                    )
    out["slopes"] = {
        sweep: {name: slope(cells) for name, cells in out[sweep].items()} for sweep in sweeps
    }
    out["elapsed_s"] = time.perf_counter() - start
    out["load_after"] = list(os.getloadavg())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--optimizers", nargs="+", default=list(OPTIMIZERS))
    parser.add_argument("--n", type=int, nargs="+", default=list(N_SWEEP))
    parser.add_argument("--d", type=int, nargs="+", default=list(D_SWEEP))
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="n in {25, 50}, d = 2, 2 repeats")
    args = parser.parse_args()
    if args.quick:
        args.n, args.d, args.warmup, args.repeats = [25, 50], [2], 1, 2
    warnings.simplefilter("ignore")  # peers' convergence and experimental warnings
    out = run(args)
    for sweep, by_name in out["slopes"].items():
        for name, s in by_name.items():
            if s is not None:
                print(f"log-log slope against {sweep}, {name}: {s:.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({out['elapsed_s']:.0f} s)")


if __name__ == "__main__":
    main()
