"""Where the time of hpo's Bayesian optimization goes: cProfile, summed per component.

Two workloads (one BLAS thread, as everywhere the optimizer is timed):

* ``run``: one 50-evaluation run of ``bayes`` on ``hartmann6`` (seed 0; ``--problem`` for
  another), every ask and tell (after a short untimed run that loads the lazily imported
  modules); ``--replay`` tells the losses of a run recorded with ``--record`` instead of
  evaluating, so the profile of a run on an MLP task leaves out its training.
* ``step-n``: single ask/tell steps (after one untimed warm-up step) with ``n`` observations
  of ``levy:dim=6`` told at once (the setup of ``benchmarks/overhead.py``), n = 25, 100, 400.

Components are cumulative times of named functions (they nest: the fit contains its
Cholesky factorizations; the acquisition search contains its L-BFGS-B, which contains the
posterior calls). "L-BFGS-B own" is scipy's L-BFGS-B minus the objective it calls: the
Python and Fortran overhead of the quasi-Newton iterations themselves.

Usage::

    PYTHONPATH=$PWD python benchmarks/profile_bo.py --out benchmarks/results/bo/profile.md
    PYTHONPATH=$PWD python benchmarks/profile_bo.py --option fit_restarts=always \
        --option search_starts=10   # the settings before the speed-up
    # one run on the MLP iris task: record its losses once, then profile it replayed
    PYTHONPATH=$PWD python benchmarks/profile_bo.py --problem mlp_adam_iris_logloss --n \
        --record /tmp/iris-losses.json
    PYTHONPATH=$PWD python benchmarks/profile_bo.py --problem mlp_adam_iris_logloss --n \
        --replay /tmp/iris-losses.json --top 25
    # the acquisition search alone, under the settings of SEARCHES, on that run's models
    PYTHONPATH=$PWD python benchmarks/profile_bo.py --problem mlp_adam_iris_logloss \
        --replay /tmp/iris-losses.json --search
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from hpo import BayesianOptimization  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

# (label, file suffix, function name, what to take: "cum" or "tot")
COMPONENTS = [
    ("ask + tell (all)", "hpo/optimizers/base.py", "ask", "cum"),
    ("GP fit (GaussianProcess.fit: starts, conditioning)", "hpo/gp/regression.py", "fit", "cum"),
    ("hyperparameter fit (_optimize, all starts)", "hpo/gp/regression.py", "_optimize", "cum"),
    ("  log-density + gradient evaluations", "hpo/gp/regression.py", "_log_density", "cum"),
    ("  Cholesky (cholesky_jitter, all callers)", "hpo/gp/regression.py", "cholesky_jitter", "cum"),
    (
        "  K^-1 (potri, in the fit's gradient)",
        "hpo/gp/regression.py",
        "_inverse_from_cholesky",
        "cum",
    ),
    ("conditioning (_condition)", "hpo/gp/regression.py", "_condition", "cum"),
    (
        "acquisition search (maximize_mixed)",
        "hpo/optimizers/_bo_search.py",
        "maximize_mixed",
        "cum",
    ),
    ("  raw candidates, drawn and scored", "hpo/optimizers/_bo_search.py", "_scored_raw", "cum"),
    ("  Sobol raw candidates (sobol)", "hpo/optimizers/design.py", "sobol", "cum"),
    ("  real steps (_real_step: L-BFGS-B)", "hpo/optimizers/_bo_search.py", "_real_step", "cum"),
    ("  discrete coordinate steps", "hpo/optimizers/_bo_search.py", "_discrete_step", "cum"),
    ("  posterior (all calls)", "hpo/gp/regression.py", "_posterior", "cum"),
    (
        "  acquisition maths (acquisition_and_gradient)",
        "hpo/gp/acquisition.py",
        "acquisition_and_gradient",
        "cum",
    ),
    ("local candidates", "hpo/optimizers/bayes.py", "_local_candidates", "cum"),
    ("proposal model (deepcopy + fantasies)", "hpo/optimizers/bayes.py", "_proposal_model", "cum"),
    ("output warping", "hpo/optimizers/bayes.py", "_warp", "cum"),
    ("trust region (_trust_box)", "hpo/optimizers/bayes.py", "_trust_box", "cum"),
    ("proposal info (_info)", "hpo/optimizers/bayes.py", "_info", "cum"),
    ("tell (validation, bookkeeping)", "hpo/optimizers/base.py", "tell", "cum"),
]


def _lookup(stats: pstats.Stats, suffix: str, name: str) -> tuple[float, float, int]:
    """Cumulative time, own time and primitive calls of a function, summed over matches."""
    cum = tot = 0.0
    calls = 0
    for (file, _, func), (cc, _nc, tt, ct, _callers) in stats.stats.items():
        if func == name and file.replace(os.sep, "/").endswith(suffix):
            cum, tot, calls = cum + ct, tot + tt, calls + cc
    return cum, tot, calls


def _lbfgsb_own(stats: pstats.Stats) -> tuple[float, float]:
    """L-BFGS-B (fit and search), and that minus the objectives it calls: scipy's driver
    (``_minimize_lbfgsb``) or hpo's lean one (``hpo/gp/_lbfgsb.py``, since 2026-12-01)."""
    total = objectives = 0.0
    for (file, _, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        lean = func in ("minimize_lbfgsb", "minimize_lbfgsb_batch") and "_lbfgsb" in file
        if func == "_minimize_lbfgsb" or lean:
            total += ct
        # the objectives: the fit's, the stacked search's, the independent search's ("each")
        if func in ("objective", "each") and ("_bo_search" in file or "regression" in file):
            objectives += ct
    return total, total - objectives


def profile(workload, label: str, options: dict[str, Any]) -> dict[str, Any]:
    prof = cProfile.Profile()
    with threadpool_limits(limits=1):
        t0 = time.perf_counter()
        prof.enable()
        workload(options)
        prof.disable()
        wall = time.perf_counter() - t0
    stats = pstats.Stats(prof)
    rows = []
    for name, suffix, func, _ in COMPONENTS:
        cum, _tot, calls = _lookup(stats, suffix, func)
        rows.append((name, cum, calls))
    lb_total, lb_own = _lbfgsb_own(stats)
    rows.append(("L-BFGS-B (fit + search) total", lb_total, 0))
    rows.append(("  of which L-BFGS-B own (minus objectives)", lb_own, 0))
    return {"label": label, "wall": wall, "rows": rows, "stats": stats}


RUN = {"problem": "hartmann6", "replay": None, "record": None}  # set by --problem etc.


def run_workload(options: dict[str, Any]) -> None:
    """50 evaluations of ``RUN["problem"]`` (seed 0); with ``RUN["replay"]``, the losses of
    a recorded run told in order instead of evaluating (the same proposals, bit for bit,
    while the search is unchanged: a sub-second MLP task profiled without its training)."""
    problem = get_problem(RUN["problem"])
    opt = BayesianOptimization(problem.space, seed=0, **options)
    replay = RUN["replay"]
    losses = []
    for i in range(50):
        p = opt.ask()
        losses.append(problem(p) if replay is None else replay[i])
        opt.tell(p, losses[-1])
    if RUN["record"]:
        with open(RUN["record"], "w") as fh:
            json.dump(losses, fh)


#: ``--search``: settings of the acquisition search alone (keywords of maximize_acquisition)
SEARCHES: dict[str, dict[str, Any]] = {
    "gtol 1e-6, discrete (the default until 2026-12-02)": {"gtol": 1e-6, "integers": "discrete"},
    "gtol 0.01, discrete": {"gtol": 1e-2, "integers": "discrete"},
    "gtol 1e-6, relaxed": {"gtol": 1e-6, "integers": "relaxed"},
    "gtol 1e-6, relaxed, spread 16": {"gtol": 1e-6, "integers": "relaxed", "spread": 16},
    "gtol 1e-6, relaxed, spread 32": {"gtol": 1e-6, "integers": "relaxed", "spread": 32},
    "gtol 1e-6, relaxed, spread 64 (the candidate)": {
        "gtol": 1e-6,
        "integers": "relaxed",
        "spread": 64,
    },
    "gtol 0.01, relaxed": {"gtol": 1e-2, "integers": "relaxed"},
    "gtol 0.01, relaxed, spread 16": {"gtol": 1e-2, "integers": "relaxed", "spread": 16},
    "gtol 0.01, relaxed, spread 64": {"gtol": 1e-2, "integers": "relaxed", "spread": 64},
    "relaxed, spread 64, ftol 1e-6": {"integers": "relaxed", "spread": 64, "ftol": 1e-6},
    "relaxed, spread 64, 5 starts": {"integers": "relaxed", "spread": 64, "n_restarts": 5},
    "relaxed, spread 64, 512 raw": {"integers": "relaxed", "spread": 64, "n_raw": 512},
}


def search_times(options: dict[str, Any], reps: int = 3) -> str:
    """CPU time of the acquisition search alone under each of :data:`SEARCHES`, on the
    proposal models of a replayed run (``RUN``) at n = 10, 15, ..., 50 (trust box, extra
    candidates and batching as ``bayes`` gives them), and the best acquisition value found
    against the first setting's (the same model, raw candidates and starts' seed)."""
    from hpo.optimizers._bo_search import maximize_acquisition
    from hpo.optimizers.bayes import _lengthscales

    problem = get_problem(RUN["problem"])
    opt = BayesianOptimization(problem.space, seed=0, **options)
    cases = []
    for i in range(50):
        p = opt.ask()
        opt.tell(p, problem(p) if RUN["replay"] is None else RUN["replay"][i])
        if i + 1 >= 10 and (i + 1) % 5 == 0:
            U, y = opt._fit()
            gp = opt._proposal_model(opt.gp, y)
            precondition = len(opt.fmap.real) >= opt.gp_config.precondition_min_reals
            box, _ = opt._trust_box(gp, 0)
            extra = opt._local_candidates(gp, U)
            kw = {"extra": extra, "batch": opt.gp_config.search_batch}
            kw["lengthscales"] = _lengthscales(gp) if precondition else None
            kw.update({} if box is None else {"box": box})
            cases.append((gp, opt._make_acquisition(gp), kw))
    seconds: dict[str, list[float]] = {k: [] for k in SEARCHES}
    best: dict[str, list[float]] = {k: [] for k in SEARCHES}
    counts: dict[str, list[int]] = {k: [0, 0] for k in SEARCHES}  # gradient runs, calls
    with threadpool_limits(limits=1), _counting_gradient_steps() as tally:
        for gp, acq, kw in cases:
            for rep in range(reps):
                for label, setting in SEARCHES.items():
                    rng = np.random.default_rng(rep)
                    tally[:] = [0, 0]
                    t0 = time.process_time()
                    _, values, _, _ = maximize_acquisition(gp, acq, opt.fmap, rng, **kw, **setting)
                    seconds[label].append(time.process_time() - t0)
                    best[label].append(float(values[0]))
                    counts[label] = [a + b for a, b in zip(counts[label], tally)]
    first = np.array(best[next(iter(SEARCHES))])
    lines = [
        "| search setting | CPU ms per search (mean) | best value minus the first row's: "
        "median, min | searches 0.01 below | gradient-step rounds per search | "
        "L-BFGS-B evaluation calls per search |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label in SEARCHES:
        gap = np.array(best[label]) - first
        runs, calls = (c / len(gap) for c in counts[label])
        lines.append(
            f"| {label} | {1000 * np.mean(seconds[label]):.1f} | {np.median(gap):+.2g}, "
            f"{np.min(gap):+.2g} | {int(np.sum(gap < -0.01))} of {len(gap)} | {runs:.2f} | "
            f"{calls:.1f} |"
        )
    return "\n".join(lines)


@contextlib.contextmanager
def _counting_gradient_steps():
    """Count the search's batched L-BFGS-B runs (one per round of gradient steps) and their
    evaluation calls into the yielded list ``[runs, calls]`` (``batch="independent"``)."""
    from hpo.optimizers import _bo_search

    original = _bo_search.minimize_lbfgsb_batch
    tally = [0, 0]

    def counted(*args, **kwargs):
        out = original(*args, **kwargs)
        tally[0] += 1
        tally[1] += out[2]
        return out

    _bo_search.minimize_lbfgsb_batch = counted
    try:
        yield tally
    finally:
        _bo_search.minimize_lbfgsb_batch = original


def step_workload(n: int, steps: int):
    problem = get_problem("levy:dim=6")
    configs = problem.space.sample(np.random.default_rng(12345), n)
    values = [problem(c) for c in configs]

    def prepare(options: dict[str, Any]) -> BayesianOptimization:
        opt = BayesianOptimization(problem.space, seed=0, **options)
        opt.tell(configs, values)
        p = opt.ask()  # untimed warm-up: the first fit is cold
        opt.tell(p, problem(p))
        return opt

    return prepare, problem, steps


def parse_options(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, value = item.split("=", 1)
        try:
            parsed = json.loads(value)  # numbers, true/false
        except json.JSONDecodeError:
            parsed = value  # a bare string
        out.setdefault("gp", {})[key] = parsed
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, nargs="*", default=[25, 100, 400])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--option", action="append", default=[], help="GPConfig field=value")
    parser.add_argument("--out", default=None, help="write a markdown table here")
    parser.add_argument("--top", type=int, default=0, help="also print the top-k functions")
    parser.add_argument("--problem", default="hartmann6", help="the 50-evaluation run's problem")
    parser.add_argument("--record", default=None, help="write the run's losses (JSON) here")
    parser.add_argument("--replay", default=None, help="tell these recorded losses instead")
    parser.add_argument(
        "--time", type=int, default=0, help="also time this many unprofiled runs (median)"
    )
    parser.add_argument(
        "--search", action="store_true", help="only time the acquisition search's settings"
    )
    args = parser.parse_args()
    options = parse_options(args.option)
    RUN.update(problem=args.problem, record=args.record)
    if args.replay:
        with open(args.replay) as fh:
            RUN["replay"] = json.load(fh)
    if args.search:
        print(search_times(options))
        return
    # untimed: load the modules imported lazily at a first fit and search (about 1 s)
    warm = BayesianOptimization(get_problem("hartmann6").space, seed=1, **options)
    for _ in range(12):
        p = warm.ask()
        warm.tell(p, get_problem("hartmann6")(p))
    results = [profile(run_workload, f"run: {args.problem}, 50 evals", options)]
    if args.time:
        walls, cpus = [], []
        with threadpool_limits(limits=1):
            for _ in range(args.time):
                t0, c0 = time.perf_counter(), time.process_time()
                run_workload(options)
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)  # less inflated by a busy machine
        print(f"run wall, unprofiled, {args.time} runs: median {np.median(walls):.3f} s, "
              f"all {', '.join(f'{w:.3f}' for w in walls)}; CPU median "
              f"{np.median(cpus):.3f} s, all {', '.join(f'{c:.3f}' for c in cpus)}")  # fmt: skip
    for n in args.n:
        prepare, problem, steps = step_workload(n, args.steps)
        opt = prepare(options)

        def steps_only(_options: dict[str, Any], opt=opt, problem=problem, steps=steps) -> None:
            for _ in range(steps):
                p = opt.ask()
                opt.tell(p, problem(p))

        results.append(profile(steps_only, f"step: levy6, n={n} ({steps} steps)", options))
    lines = [
        "| component | " + " | ".join(r["label"] for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for i, (name, _, _) in enumerate(results[0]["rows"]):
        cells = []
        for r in results:
            _, cum, calls = r["rows"][i]
            share = 100 * cum / r["wall"]
            cells.append(f"{cum:.3f} s ({share:.0f}%)" + (f", {calls} calls" if calls else ""))
        lines.append(f"| {name.replace('  ', '&nbsp;&nbsp;')} | " + " | ".join(cells) + " |")
    lines.append("| wall (profiled) | " + " | ".join(f"{r['wall']:.3f} s" for r in results) + " |")
    table = "\n".join(lines)
    print(f"options: {options}\n{table}")
    if args.top:
        for r in results:
            print(f"\n== {r['label']}")
            r["stats"].sort_stats("tottime").print_stats(args.top)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(table + "\n")


if __name__ == "__main__":
    main()
