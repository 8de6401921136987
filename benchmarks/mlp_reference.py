"""Make the reference values of the MLP problems: best known loss and random-search baseline.

Writes ``hpo/problems/data/mlp_reference.json``, read by :func:`hpo.problems.mlp.reference`,
so that studies can report Bayesmark's normalized score
``(median_s S_t - best_known) / (R_t - best_known)`` (0 = best known, 1 = random search).

Rerun (resumes from its cache of evaluations; each phase can run alone)::

    nice -n 10 python benchmarks/mlp_reference.py                # pool, bayes, write
    nice -n 10 python benchmarks/mlp_reference.py --phase pool --only iris
    python benchmarks/mlp_reference.py --phase write

Method
------
Evaluations are deterministic (fixed split, folds and network seed), so a configuration needs
evaluating only once, and the accuracy and log-loss problems of one solver and dataset share
their fits (:meth:`~hpo.problems.mlp.MLPProblem.evaluate_detailed` scores every metric of the
task from the same cross-validation).

1. *Pool.* For each solver and dataset (a "group"), ``--pool`` configurations drawn uniformly
   in the unit cube of the space (exactly what ``"random"`` proposes), each evaluated once.
2. *Random-search baseline.* A random-search run of t evaluations is t i.i.d. draws, so the
   distribution of its best loss S_t is that of the best of t draws from the pool's empirical
   distribution (failed evaluations count as draws that never improve). Rather than
   resampling many runs from the pool, :func:`hpo.problems.mlp.random_search_quantiles`
   computes the quantiles of S_t exactly for that distribution (the limit of infinitely many
   resampled runs): ``random_q25``, ``random_median`` and ``random_q75`` for t = 1..T.
3. *Best known.* The lowest loss among every evaluation made here: the pool, plus
   ``--bayes-seeds`` runs of hpo's Bayesian optimization (``"bayes"``, when registered) of
   ``--bayes-trials`` evaluations on each problem, with seeds 10000, 10001, ... (apart from
   the seeds studies use, so that no compared run repeats a reference run). A run on
   ``_logloss`` also yields the accuracy of each configuration it visits, and conversely, so
   both problems of a group take their best from all of the group's evaluations. It is the
   best *known* loss, not a proven optimum: a study may find lower losses (negative
   normalized scores).

Every evaluation is appended to ``--cache`` (JSON lines) as it is made, so an interrupted run
resumes where it stopped and a later phase reuses earlier ones. BLAS runs on one thread.
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
from collections import defaultdict
from pathlib import Path

import numpy as np
import sklearn
from threadpoolctl import threadpool_limits

import hpo
from hpo.optimizers import optimizer_names
from hpo.problems import get_problem
from hpo.problems.mlp import (
    DATASETS,
    METRICS,
    PROBLEM_NAMES,
    EvaluationFailed,
    random_search_quantiles,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "hpo" / "problems" / "data" / "mlp_reference.json"
CACHE = Path(tempfile.gettempdir()) / "hpo_mlp_reference_evals.jsonl"
# Cheap datasets first, so that an interrupted run has finished most groups.
ORDER = ("iris", "wine", "breast_cancer", "diabetes", "digits")
# Seeds of the reference runs of "bayes", far from the seeds of studies, so that no study
# run repeats a reference run (evaluations and seeded optimizers are deterministic).
BAYES_SEED = 10_000

log = logging.getLogger("mlp_reference")


def groups(only: str | None) -> dict[str, list[str]]:
    """``{"mlp_adam_iris": ["mlp_adam_iris_acc", "mlp_adam_iris_logloss"], ...}``, cheap first."""
    out: dict[str, list[str]] = defaultdict(list)
    for dataset in ORDER:
        for name in PROBLEM_NAMES:
            group = name.rsplit("_", 1)[0]
            if f"_{dataset}_" in name and (only is None or only in name):
                out[group].append(name)
    return dict(out)


def pool_configs(group: str, problem, n: int, seed: int) -> list[dict]:
    """The group's random pool: the same ``n`` configurations on every machine."""
    rng = np.random.default_rng([seed, zlib.crc32(group.encode())])
    return problem.space.sample(rng, n)


class Cache:
    """Evaluations made so far, one JSON object a line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: list[dict] = []
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    self.records.append(json.loads(line))
                except json.JSONDecodeError:  # a line cut by an interruption
                    log.warning("skipping a corrupt line of %s", path)

    def add(self, records: list[dict]) -> None:
        with self.path.open("a") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")
        self.records.extend(records)

    def select(self, **match) -> list[dict]:
        return [r for r in self.records if all(r.get(k) == v for k, v in match.items())]


def record(kind: str, group: str, info: dict, params: dict, **extra) -> dict:
    return {
        "kind": kind,
        "group": group,
        **extra,
        "params": params,
        "losses": info["losses"],
        "error": info["error"],
        "wall_time": info["wall_time"],
        "cpu_time": info["cpu_time"],
        "n_convergence_warnings": info["n_convergence_warnings"],
    }


def pool_size(group: str, args) -> int:
    """``--pool``, or the ``--pool-for DATASET=N`` given for the group's dataset."""
    for item in reversed(args.pool_for):  # the last one given wins
        dataset, _, n = item.partition("=")
        if group.endswith(f"_{dataset}"):
            return int(n)
    return args.pool


def run_pool(cache: Cache, grps: dict[str, list[str]], args) -> None:
    for group, names in grps.items():
        n_pool = pool_size(group, args)
        problem = get_problem(names[0])
        done = {r["index"] for r in cache.select(kind="pool", group=group)}
        todo = [i for i in range(n_pool) if i not in done]
        log.info("pool %s: %d evaluated, %d to go", group, len(done), len(todo))
        configs = pool_configs(group, problem, n_pool, args.seed)
        start = time.perf_counter()
        for i in todo:
            info = problem.evaluate_detailed(configs[i])
            cache.add([record("pool", group, info, configs[i], index=i)])
        if todo:
            log.info("pool %s: %.0f s", group, time.perf_counter() - start)


def run_bayes(cache: Cache, grps: dict[str, list[str]], n_seeds: int, n_trials: int) -> None:
    if "bayes" not in optimizer_names(include_peers=False):
        log.warning("optimizer 'bayes' is not registered yet: best known from the pool only")
        return
    for group, names in grps.items():
        for name in names:
            for s in range(n_seeds):
                if cache.select(kind="bayes", problem=name, seed=s, n_trials=n_trials):
                    continue
                problem = get_problem(name)
                infos: list[tuple[dict, dict]] = []

                def objective(params, problem=problem, infos=infos):
                    info = problem.evaluate_detailed(params)
                    infos.append((params, info))
                    if info["error"] is not None:
                        raise EvaluationFailed(info["error"])
                    return info["loss"]

                start = time.perf_counter()
                seed = BAYES_SEED + s  # apart from the seeds studies use (0, 1, ...)
                result = hpo.minimize(objective, problem.space, "bayes", n_trials, seed=seed)
                log.info(
                    "bayes %s seed %d: best %.6g in %.0f s",
                    name,
                    seed,
                    result.best_value,
                    time.perf_counter() - start,
                )
                opt_time = sum(t.ask_time + t.tell_time for t in result.trials)
                cache.add(
                    [
                        record(
                            "bayes",
                            group,
                            info,
                            params,
                            problem=name,
                            seed=s,
                            n_trials=n_trials,
                            index=i,
                            optimizer_time=opt_time if i == 0 else 0.0,
                        )
                        for i, (params, info) in enumerate(infos)
                    ]
                )


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def write(cache: Cache, grps: dict[str, list[str]], T: int, args) -> None:
    out_path = args.out
    out = json.loads(out_path.read_text()) if out_path.exists() else {"problems": {}}
    for group, names in grps.items():
        n_pool = pool_size(group, args)
        pool = sorted(
            (r for r in cache.select(kind="pool", group=group) if r["index"] < n_pool),
            key=lambda r: r["index"],
        )
        if len(pool) < n_pool:
            log.warning("%s: %d of %d pool evaluations, skipped", group, len(pool), n_pool)
            continue
        evals = cache.select(group=group)
        times = np.array([r["wall_time"] for r in pool])
        cpu = np.array([r["cpu_time"] for r in pool if "cpu_time" in r])
        for name in names:
            metric = name.rsplit("_", 1)[1]
            losses = np.array([r["losses"][metric] for r in pool], dtype=float)
            q25, q50, q75 = random_search_quantiles(losses, T)
            candidates = [r for r in evals if r["error"] is None]
            best = min(candidates, key=lambda r: r["losses"][metric])
            source = (
                "random pool"
                if best["kind"] == "pool"
                else (f"bayes on {best['problem']} seed {BAYES_SEED + best['seed']}")
            )
            problem = get_problem(name)
            try:
                test = problem.test_loss(best["params"])
            except EvaluationFailed:
                test = math.nan
            out["problems"][name] = {
                "best_known": best["losses"][metric],
                "best_known_params": best["params"],
                "best_known_source": source,
                "best_known_test_loss": _finite(test),
                "random_median": [_finite(x) for x in q50],
                "random_q25": [_finite(x) for x in q25],
                "random_q75": [_finite(x) for x in q75],
                "n_pool": len(pool),
                "n_pool_failed": int(np.isnan(losses).sum()),
                "pool_best": _finite(np.nanmin(losses)),
                "n_evaluations": len(evals),
                "n_bayes_runs": len(
                    {(r["problem"], r["seed"]) for r in evals if r["kind"] == "bayes"}
                ),
                "eval_time_median": float(np.median(times)),
                "eval_time_q90": float(np.quantile(times, 0.9)),
                "eval_time_max": float(times.max()),
                "eval_cpu_time_median": float(np.median(cpu)) if cpu.size else None,
                "eval_cpu_time_q90": float(np.quantile(cpu, 0.9)) if cpu.size else None,
            }
            log.info("%s: best known %.6g (%s)", name, best["losses"][metric], source)
    out.update(
        format="hpo-mlp-reference",
        version=1,
        made_by="benchmarks/mlp_reference.py",
        made_on=datetime.date.today().isoformat(),
        versions={"sklearn": sklearn.__version__, "numpy": np.__version__, "hpo": hpo.__version__},
        settings={
            "pool": args.pool,
            "pool_for": args.pool_for,
            "T": T,
            "pool_seed": args.seed,
            "bayes_seeds": args.bayes_seeds,
            "bayes_trials": args.bayes_trials,
        },
        # Wall seconds of every evaluation plus the optimizer's, and CPU seconds of the
        # evaluations (wall time grows on a busy machine, CPU time much less).
        compute_seconds=float(
            sum(r["wall_time"] for r in cache.records)
            + sum(r.get("optimizer_time", 0.0) for r in cache.records)
        ),
        compute_cpu_seconds=float(sum(r.get("cpu_time", r["wall_time"]) for r in cache.records)),
        metrics={task: list(m) for task, m in METRICS.items()},
        datasets=sorted(DATASETS),
    )
    out["problems"] = dict(sorted(out["problems"].items()))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(out, indent=1) + "\n")
    log.info("wrote %s", out_path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=("all", "pool", "bayes", "write"), default="all")
    parser.add_argument("--pool", type=int, default=500, help="random configurations per group")
    parser.add_argument(
        "--pool-for",
        action="append",
        default=["digits=300"],
        metavar="DATASET=N",
        help="another pool size for one dataset (default: digits=300, the costly one)",
    )
    parser.add_argument("--trials", type=int, default=100, help="T of the random baseline")
    parser.add_argument("--bayes-seeds", type=int, default=1, help="runs of bayes per problem")
    parser.add_argument("--bayes-trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0, help="seed of the pools")
    parser.add_argument("--only", help="only groups whose names contain this, e.g. 'iris'")
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    cache = Cache(args.cache)
    grps = groups(args.only)
    with threadpool_limits(1):
        if args.phase in ("all", "pool"):
            run_pool(cache, grps, args)
        if args.phase in ("all", "bayes"):
            run_bayes(cache, grps, args.bayes_seeds, args.bayes_trials)
        if args.phase in ("all", "write"):
            write(cache, grps, args.trials, args)


if __name__ == "__main__":
    main()
