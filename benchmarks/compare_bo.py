"""Measure hpo's Bayesian optimization against its peers: regret per evaluation, time per ask.

Two measurements, both written under ``benchmarks/results/bo/``:

``regret``: every optimizer on every problem for every seed (paired: the same seeds, so the
same problem instances), ``--evals`` evaluations each; the final simple regret
``min_t f(x_t) - f*`` per run goes to a JSON-lines journal (re-running skips finished runs),
and a summary table of medians, ranks and wins to a Markdown file.

``failures``: hpo with and without its handling of failed trials (a pessimistic fantasy at
each failed configuration, ``on_failure="worst"`` against ``"ignore"``) on objectives that
fail over a region of the space, and on ones that fail at random (10 % of the
configurations, chosen by a hash of the configuration: a crash unrelated to it); the failed
evaluations after the initial design and the final regret against the best *feasible*
value.

``timing``: seconds per ``ask()`` after ``n`` observations (random points, the same for every
optimizer) on Hartmann6 for n in ``--sizes`` and on Levy-d at n = 100 for d in ``--dims``;
the median over a few consecutive asks after warm-up asks. scikit-optimize fits in ``tell``,
so its figure is ask + tell. The log-log slope of time against n is fitted by least squares.

Examples
--------
nice -n 10 python benchmarks/compare_bo.py regret --seeds 0-9 --tag main
nice -n 10 python benchmarks/compare_bo.py regret --seeds 10-19 --tag holdout
nice -n 10 python benchmarks/compare_bo.py regret --seeds 0-9 --tag warp-none \\
    --optimizers hpo --hpo-options '{"output_warping": "none"}'
nice -n 10 python benchmarks/compare_bo.py timing --tag main
nice -n 10 python benchmarks/compare_bo.py failures --seeds 0-9
"""

from __future__ import annotations

import os

# Pin BLAS and OpenMP to one thread for every optimizer alike (REFERENCE.md, "Optimizer
# overhead"), before numpy, scipy or torch load: on a shared 2-core machine extra threads
# only wait for a core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from suite import SUITE, parse_seeds  # noqa: E402

from hpo import Real, Space  # noqa: E402
from hpo.gp import GPConfig  # noqa: E402
from hpo.gp.priors import dimension_scaled_lengthscale_prior  # noqa: E402
from hpo.optimizers import make_optimizer  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "bo"
OPTIMIZERS = ("hpo", "skopt-gp", "optuna-gp", "optuna-tpe", "random")
RANKED = ("hpo", "skopt-gp", "optuna-gp", "optuna-tpe")


def _quiet() -> None:
    warnings.simplefilter("ignore")
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
    except ImportError:
        pass


def _build(name: str, space, seed: int, hpo_options: dict):
    if name == "hpo":
        return make_optimizer("bayes", space, seed=seed, options=hpo_options)
    return make_optimizer(name, space, seed=seed)


# -- regret ---------------------------------------------------------------------------
def run_one(name: str, spec: str, seed: int, evals: int, hpo_options: dict) -> dict:
    problem = get_problem(spec)
    opt = _build(name, problem.space, seed, hpo_options)
    best, seconds = np.inf, 0.0
    for _ in range(evals):
        t0 = time.perf_counter()
        params = opt.ask()
        seconds += time.perf_counter() - t0
        value = problem(params)
        t0 = time.perf_counter()
        opt.tell(params, value)
        seconds += time.perf_counter() - t0  # skopt fits its model in tell
        best = min(best, value)
    return {
        "optimizer": name,
        "problem": spec,
        "seed": seed,
        "evals": evals,
        "regret": float(best - problem.optimum),
        "seconds": seconds,
    }


def hpo_options(args: argparse.Namespace) -> dict:
    """hpo's options: ``--hpo-options`` plus the ablations, as public constructor options."""
    options = json.loads(args.hpo_options)
    gp = {}
    if args.precondition_min_reals is not None:
        gp["precondition_min_reals"] = args.precondition_min_reals
    if args.lengthscale_prior == "hvarfner":
        gp["lengthscale_prior"] = dimension_scaled_lengthscale_prior
    if gp:
        options["gp"] = GPConfig(**gp)
    return options


def regret(args: argparse.Namespace) -> None:
    hpo_options = args.hpo
    journal = RESULTS / f"regret-{args.tag}.jsonl"
    journal.parent.mkdir(parents=True, exist_ok=True)
    done = {}
    if journal.exists():
        for line in journal.read_text().splitlines():
            r = json.loads(line)
            done[(r["optimizer"], r["problem"], r["seed"])] = r
    with journal.open("a") as f:
        for spec in args.problems:
            for seed in args.seeds:
                for name in args.optimizers:
                    if (name, spec, seed) in done:
                        continue
                    r = run_one(name, spec, seed, args.evals, hpo_options)
                    done[(name, spec, seed)] = r
                    f.write(json.dumps(r) + "\n")
                    f.flush()
                    print(
                        f"{spec:24s} seed {seed:3d} {name:11s} regret {r['regret']:.4g}", flush=True
                    )
    rows = list(done.values())
    names = list(args.optimizers)
    for tag in args.include:  # results of other optimizers from another journal
        for line in (RESULTS / f"regret-{tag}.jsonl").read_text().splitlines():
            r = json.loads(line)
            if r["optimizer"] not in args.optimizers:
                rows.append(r)
                names += [r["optimizer"]] if r["optimizer"] not in names else []
    names = [n for n in OPTIMIZERS if n in names] + [n for n in names if n not in OPTIMIZERS]
    summary = summarize(rows, args.problems, args.seeds, names)
    (RESULTS / f"regret-{args.tag}.md").write_text(summary)
    print(summary)


def summarize(rows: list[dict], problems, seeds, optimizers) -> str:
    """Median regret table, ranks by median per problem, wins against Optuna's GPSampler."""
    med = {}
    for spec in problems:
        for name in optimizers:
            vals = [
                r["regret"]
                for r in rows
                if r["problem"] == spec and r["optimizer"] == name and r["seed"] in seeds
            ]
            med[spec, name] = float(np.median(vals)) if vals else np.nan
    lines = [
        f"Median final simple regret over seeds {seeds[0]}..{seeds[-1]} ({len(seeds)} seeds)",
        "",
        "| problem | " + " | ".join(optimizers) + " |",
        "|---|" + "---|" * len(optimizers),
    ]
    for spec in problems:
        cells = [f"{med[spec, n]:.4g}" for n in optimizers]
        lines.append(f"| {spec} | " + " | ".join(cells) + " |")
    ranked = [n for n in RANKED if n in optimizers]
    if len(ranked) > 1:
        from scipy.stats import rankdata

        complete = [s for s in problems if all(np.isfinite(med[s, n]) for n in ranked)]
        ranks = np.array([rankdata([med[spec, n] for n in ranked]) for spec in complete])
        lines += ["", f"Ranked on the {len(complete)} problems with results for all of them."]
        lines += ["", "Mean rank by median (1 = best) among " + ", ".join(ranked) + ":", ""]
        lines += [f"- {n}: {ranks[:, i].mean():.2f}" for i, n in enumerate(ranked)]
    if "hpo" in optimizers and "optuna-gp" in optimizers:
        wins = sum(med[s, "hpo"] <= med[s, "optuna-gp"] for s in problems)
        lines += ["", f"hpo at or below optuna-gp on {wins} of {len(problems)} problems"]
    if "hpo" in optimizers and "random" in optimizers:
        below = sum(med[s, "hpo"] < med[s, "random"] for s in problems)
        lines += [f"hpo below random search on {below} of {len(problems)} problems"]
    return "\n".join(lines) + "\n"


# -- failures -------------------------------------------------------------------------
class _Failure(Exception):
    """The objective failed (an out-of-memory error, a diverged training run...)."""


def _failing(spec: str):
    """``(space, objective, best feasible value, evaluations)`` of a failure case."""
    square = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    if spec in ("square-inside", "square-edge"):
        centre = 0.1 if spec == "square-inside" else 0.3  # fails for x < 0.3

        def f(p):
            if p["x"] < 0.3:
                raise _Failure
            return (p["x"] - centre) ** 2 + (p["y"] - 0.5) ** 2

        return square, f, (0.3 - centre) ** 2, 30
    name, rule = spec.split("/")
    problem = get_problem(name)
    fails = {
        "x0>2": lambda p: p["x0"] > 2.0,  # branin: keeps only the minimum at (-pi, 12.275)
        "x0+x1>1.2": lambda p: p["x0"] + p["x1"] > 1.2,  # hartmann6: x* is feasible
        # a hash of the configuration: 10 % fail, whatever the objective does there
        "random10%": lambda p: zlib.crc32(repr(sorted(p.items())).encode()) % 100 < 10,
    }[rule]

    def g(p):
        if fails(p):
            raise _Failure
        return problem(p)

    return problem.space, g, problem.optimum, 30 if problem.space.dim <= 2 else 50


FAILURE_CASES = (
    "square-inside",
    "square-edge",
    "branin/x0>2",
    "hartmann6/x0+x1>1.2",
    "branin/random10%",
    "hartmann6/random10%",
)


def failures(args: argparse.Namespace) -> None:
    journal = RESULTS / f"failures-{args.tag}.jsonl"
    done = {}
    if journal.exists():
        for line in journal.read_text().splitlines():
            r = json.loads(line)
            done[(r["avoid"], r["problem"], r["seed"])] = r
    with journal.open("a") as out:
        for spec in FAILURE_CASES:
            space, f, best_feasible, evals = _failing(spec)
            for seed in args.seeds:
                for avoid in (True, False):
                    if (avoid, spec, seed) in done:
                        continue
                    on_failure = "worst" if avoid else "ignore"
                    opt = make_optimizer(
                        "bayes", space, seed=seed, options={"on_failure": on_failure}
                    )
                    for _ in range(evals):
                        params = opt.ask()
                        try:
                            value = f(params)
                        except _Failure as err:
                            value = err
                        opt.tell(params, value)
                    model = opt.trials[opt.n_initial :]
                    best = opt.best.value if opt.best is not None else np.inf
                    r = {
                        "avoid": avoid,
                        "problem": spec,
                        "seed": seed,
                        "evals": evals,
                        "failed_after_design": sum(not t.ok for t in model),
                        "model_trials": len(model),
                        "regret": float(best - best_feasible),
                    }
                    done[(avoid, spec, seed)] = r
                    out.write(json.dumps(r) + "\n")
                    out.flush()
                    print(f"{spec:20s} seed {seed:3d} avoid={avoid!s:5s} {r}", flush=True)
    lines = [
        "Failed trials: hpo's BayesianOptimization with its pessimistic fantasies of failed",
        f"configurations (avoid) and without them (the behaviour before), seeds "
        f"{args.seeds[0]}..{args.seeds[-1]} ({len(args.seeds)} seeds). `compare_bo.py failures`.",
        "",
        "| problem | evals | failed after the design, avoid / before | median regret, avoid "
        "/ before |",
        "|---|---|---|---|",
    ]
    for spec in FAILURE_CASES:
        rows = {
            a: [done[a, spec, s] for s in args.seeds if (a, spec, s) in done] for a in (True, False)
        }
        if not rows[True] or not rows[False]:
            continue
        fails = [np.mean([r["failed_after_design"] for r in rows[a]]) for a in (True, False)]
        n_model = rows[True][0]["model_trials"]
        med = [np.median([r["regret"] for r in rows[a]]) for a in (True, False)]
        lines.append(
            f"| {spec} | {rows[True][0]['evals']} | {fails[0]:.1f} / {fails[1]:.1f} of {n_model} "
            f"| {med[0]:.3g} / {med[1]:.3g} |"
        )
    lines += [
        "",
        "Regret: best value found minus the best feasible value (square-inside: 0.04 at",
        "x = 0.3, y = 0.5; the others: the problem's f*, which lies in the feasible part).",
    ]
    summary = "\n".join(lines) + "\n"
    (RESULTS / f"failures-{args.tag}.md").write_text(summary)
    print(summary)


# -- timing ---------------------------------------------------------------------------
def time_ask(name: str, spec: str, n: int, hpo_options: dict, repeats: int = 5) -> float:
    """Median seconds of one ask (skopt: ask + tell) after ``n`` random observations."""
    problem = get_problem(spec)
    rng = np.random.default_rng(12345)
    configs = problem.space.sample(rng, n)
    opt = _build(name, problem.space, 0, hpo_options)
    opt.tell(configs, [problem(c) for c in configs])
    times = []
    for i in range(2 + repeats):  # two warm-up asks (a first fit is cold), then measured
        t0 = time.perf_counter()
        params = opt.ask()
        if name == "skopt-gp":  # skopt's model is fitted in tell
            opt.tell(params, problem(params))
        elapsed = time.perf_counter() - t0
        if name != "skopt-gp":
            opt.tell(params, problem(params))
        if i >= 2:
            times.append(elapsed)
    return float(np.median(times))


def large_asks(n: int, hpo_options: dict, asks: int = 12) -> list[float]:
    """Seconds of each of ``asks`` consecutive asks after ``n`` observations (after one
    untimed cold ask): hyperparameters are refitted every ``n / 150`` points there, and
    updated by rank-k Cholesky updates in between, so the mean is the amortized cost."""
    problem = get_problem("hartmann6")
    configs = problem.space.sample(np.random.default_rng(12345), n)
    opt = _build("hpo", problem.space, 0, hpo_options)
    opt.tell(configs, [problem(c) for c in configs])
    opt.tell(opt.ask(), 0.0)
    times = []
    for _ in range(asks):
        t0 = time.perf_counter()
        params = opt.ask()
        times.append(time.perf_counter() - t0)
        opt.tell(params, problem(params))
    return times


def timing(args: argparse.Namespace) -> None:
    hpo_options = args.hpo
    out = {"sizes": {}, "dims": {}, "large": {}}
    names = [n for n in args.optimizers if n != "random"]
    for n in args.sizes:
        for name in names:
            if name == "skopt-gp" and n > 200:
                continue  # minutes per point; the target is at n = 200
            t = time_ask(name, "hartmann6", n, hpo_options)
            out["sizes"].setdefault(name, {})[n] = t
            print(f"hartmann6 n={n:4d} {name:11s} {t:.4f} s", flush=True)
    for d in args.dims:
        for name in names:
            if name == "skopt-gp":
                continue
            t = time_ask(name, f"levy:dim={d}", 100, hpo_options)
            out["dims"].setdefault(name, {})[d] = t
            print(f"levy-{d:<2d} n= 100 {name:11s} {t:.4f} s", flush=True)
    if args.large:
        times = large_asks(args.large, hpo_options)
        out["large"]["hpo"] = {"n": args.large, "asks": times, "mean": float(np.mean(times))}
        print(
            f"hartmann6 n={args.large} hpo: asks {np.round(times, 3).tolist()} s, "
            f"mean {np.mean(times):.3f} s",
            flush=True,
        )
    for name, by_n in out["sizes"].items():
        ns = np.array(sorted(by_n))
        if len(ns) > 1:
            slope = np.polyfit(np.log(ns), np.log([by_n[k] for k in ns]), 1)[0]
            out.setdefault("slope", {})[name] = float(slope)
            print(f"log-log slope of ask time vs n, {name}: {slope:.2f}")
    path = RESULTS / f"timing-{args.tag}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    failures_parser = sub.add_parser("failures")
    failures_parser.add_argument("--tag", default="main")
    failures_parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("0-9"))
    for name in ("regret", "timing"):
        p = sub.add_parser(name)
        p.add_argument("--tag", default="main")
        p.add_argument("--optimizers", type=lambda s: s.split(","), default=list(OPTIMIZERS))
        p.add_argument("--hpo-options", default="{}", help="JSON options of hpo's optimizer")
        p.add_argument(
            "--precondition-min-reals",
            type=int,
            default=None,
            help="ablation: search the acquisition in lengthscale units from this many real "
            "parameters on (1: always; a large number: never)",
        )
        p.add_argument(
            "--lengthscale-prior",
            choices=("default", "hvarfner"),
            default="default",
            help="hvarfner: the dimension-scaled prior of Hvarfner et al. 2024 (ablation)",
        )
    sub.choices["regret"].add_argument(
        "--problems", type=lambda s: s.split(";"), default=list(SUITE)
    )
    sub.choices["regret"].add_argument("--seeds", type=parse_seeds, default=parse_seeds("0-9"))
    sub.choices["regret"].add_argument("--evals", type=int, default=50)
    sub.choices["regret"].add_argument(
        "--include",
        type=lambda s: s.split(","),
        default=[],
        help="tags whose journals supply the other optimizers",
    )
    sub.choices["timing"].add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[25, 50, 100, 200, 400]
    )
    sub.choices["timing"].add_argument(
        "--dims", type=lambda s: [int(x) for x in s.split(",")], default=[2, 6, 10, 20]
    )
    sub.choices["timing"].add_argument("--large", type=int, default=1000)
    args = parser.parse_args()
    _quiet()
    if args.command == "failures":
        return failures(args)
    args.hpo = hpo_options(args)
    regret(args) if args.command == "regret" else timing(args)


if __name__ == "__main__":
    main()
