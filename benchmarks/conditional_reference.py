"""Reference values of the real conditional tasks: best known loss and random-search baseline.

Writes ``hpo/problems/data/conditional_reference.json``, read by
:func:`hpo.problems.conditional.reference`, so that studies report Bayesmark's normalized
score ``(median_s S_t - best_known) / (R_t - best_known)`` (0 = best known, 1 = random search).
The method is ``benchmarks/mlp_reference.py``'s (see its docstring), on a smaller pool:

1. *Pool.* ``--pool`` configurations drawn by :meth:`hpo.Space.sample` (exactly what
   ``"random"`` proposes, parents first), from ``default_rng([seed, crc32(problem)])``, each
   evaluated once; failed evaluations count as draws that never improve.
2. *Random-search baseline.* :func:`hpo.problems.mlp.random_search_quantiles`: the exact
   quantiles of the best of t i.i.d. draws from the pool, t = 1..``--trials``.
3. *Best known.* The lowest loss among the pool and ``--bayes-seeds`` runs of hpo's ``bayes``
   of ``--bayes-trials`` evaluations, seeds 10000, 10001, ... (apart from the seeds studies
   use). Not a proven optimum: a study may go below it (negative scores).

Run (resumes from its cache of evaluations)::

    OMP_NUM_THREADS=1 python benchmarks/conditional_reference.py            # breast_cancer
    OMP_NUM_THREADS=1 python benchmarks/conditional_reference.py --dataset digits
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import math
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import sklearn
from threadpoolctl import threadpool_limits

import hpo
from hpo.problems import get_problem
from hpo.problems.mlp import EvaluationFailed, random_search_quantiles

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "hpo" / "problems" / "data" / "conditional_reference.json"
CACHE = Path(tempfile.gettempdir()) / "hpo_conditional_reference_evals.jsonl"
BAYES_SEED = 10_000  # far from the seeds of studies (0, 1, ...)

log = logging.getLogger("conditional_reference")


def evaluate(problem, params: dict) -> dict:
    """Loss (``None`` if the fit failed), wall and CPU seconds of one configuration."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        loss: float | None = float(problem(params))
    except EvaluationFailed:
        loss = None
    if loss is not None and not math.isfinite(loss):
        loss = None
    return {
        "params": params,
        "loss": loss,
        "wall_time": time.perf_counter() - wall,
        "cpu_time": time.process_time() - cpu,
    }


def load_cache(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by an interruption
            log.warning("skipping a corrupt line of %s", path)
    return out


def append(path: Path, records: list[dict], cache: list[dict]) -> None:
    with path.open("a") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    cache.extend(records)


def run(name: str, cache: list[dict], args) -> None:
    problem = get_problem(name)
    rng = np.random.default_rng([args.seed, zlib.crc32(name.encode())])
    configs = problem.space.sample(rng, args.pool)
    done = {r["index"] for r in cache if r["problem"] == name and r["kind"] == "pool"}
    for i, params in enumerate(configs):
        if i not in done:
            rec = {"problem": name, "kind": "pool", "index": i, **evaluate(problem, params)}
            append(args.cache, [rec], cache)
    log.info("%s: pool of %d done", name, args.pool)
    for s in range(args.bayes_seeds):
        if any(r["problem"] == name and r["kind"] == "bayes" and r["seed"] == s for r in cache):
            continue
        evals: list[dict] = []

        def objective(params, evals=evals):
            rec = evaluate(problem, params)
            evals.append(rec)
            if rec["loss"] is None:
                raise EvaluationFailed("failed fit")
            return rec["loss"]

        start = time.perf_counter()
        result = hpo.minimize(
            objective, problem.space, "bayes", args.bayes_trials, seed=BAYES_SEED + s
        )
        log.info(
            "%s: bayes seed %d best %.6g in %.0f s",
            name,
            BAYES_SEED + s,
            result.best_value,
            time.perf_counter() - start,
        )
        recs = [
            {"problem": name, "kind": "bayes", "seed": s, "index": i, **r}
            for i, r in enumerate(evals)
        ]
        append(args.cache, recs, cache)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def write(names: list[str], cache: list[dict], args) -> None:
    out = json.loads(args.out.read_text()) if args.out.exists() else {"problems": {}}
    for name in names:
        mine = [r for r in cache if r["problem"] == name]
        pool = sorted(
            (r for r in mine if r["kind"] == "pool" and r["index"] < args.pool),
            key=lambda r: r["index"],
        )
        if len(pool) < args.pool:
            log.warning("%s: %d of %d pool evaluations, skipped", name, len(pool), args.pool)
            continue
        losses = np.array([np.nan if r["loss"] is None else r["loss"] for r in pool])
        q25, q50, q75 = random_search_quantiles(losses, args.trials)
        best = min((r for r in mine if r["loss"] is not None), key=lambda r: r["loss"])
        source = (
            "random pool"
            if best["kind"] == "pool"
            else f"bayes on {name} seed {BAYES_SEED + best['seed']}"
        )
        times = np.array([r["wall_time"] for r in pool])
        cpu = np.array([r["cpu_time"] for r in pool])
        out["problems"][name] = {
            "best_known": best["loss"],
            "best_known_params": best["params"],
            "best_known_source": source,
            "random_median": [_finite(x) for x in q50],
            "random_q25": [_finite(x) for x in q25],
            "random_q75": [_finite(x) for x in q75],
            "n_pool": len(pool),
            "n_pool_failed": int(np.isnan(losses).sum()),
            "pool_best": _finite(np.nanmin(losses)),
            "n_evaluations": len(mine),
            "n_bayes_runs": len({r["seed"] for r in mine if r["kind"] == "bayes"}),
            "eval_time_median": float(np.median(times)),
            "eval_cpu_time_median": float(np.median(cpu)),
            "eval_cpu_time_q90": float(np.quantile(cpu, 0.9)),
        }
        log.info("%s: best known %.6g (%s)", name, best["loss"], source)
    out.update(
        format="hpo-conditional-reference",
        version=1,
        made_by="benchmarks/conditional_reference.py",
        made_on=datetime.date.today().isoformat(),
        command=" ".join(["python", "benchmarks/conditional_reference.py", *sys.argv[1:]]),
        versions={"sklearn": sklearn.__version__, "numpy": np.__version__, "hpo": hpo.__version__},
        settings={
            "pool": args.pool,
            "T": args.trials,
            "pool_seed": args.seed,
            "bayes_seeds": args.bayes_seeds,
            "bayes_trials": args.bayes_trials,
        },
    )
    out["problems"] = dict(sorted(out["problems"].items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    log.info("wrote %s", args.out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="breast_cancer", choices=("breast_cancer", "digits"))
    parser.add_argument("--pool", type=int, default=200, help="random configurations per task")
    parser.add_argument("--trials", type=int, default=100, help="T of the random baseline")
    parser.add_argument("--bayes-seeds", type=int, default=1)
    parser.add_argument("--bayes-trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="seed of the pools")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    names = [f"cond_mlp_solver_{args.dataset}_logloss", f"cond_model_{args.dataset}_acc"]
    cache = load_cache(args.cache)
    with threadpool_limits(1):
        for name in names:
            run(name, cache, args)
        write(names, cache, args)


if __name__ == "__main__":
    main()
