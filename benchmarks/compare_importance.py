"""Measure hpo's importance estimators against the analytic Sobol indices and Optuna's.

On the Ishigami (a = 7, b = 0.1) and Sobol G (a = 0, 1, 4.5, 9, 99, 99, 99, 99) functions,
for every seed: 500 random trials (hpo's RandomSearch with that seed), then on the same
trials hpo's forest fANOVA, hpo's GP Sobol indices, hpo's PED-ANOVA, and Optuna's
``FanovaImportanceEvaluator`` (seeded with the seed) and ``PedAnovaImportanceEvaluator``
(trials fed to an in-memory study through ``optuna.trial.create_trial``). Per estimator and
function it reports on how many seeds the ranking is right (Ishigami: x1 > x0 > x2; Sobol G:
x0 > x1 > x2 > x3 > each of x4..x7) and the mean absolute error of the first-order indices
normalized to sum to 1 (Optuna's form) against the normalized analytic values, the mean over
parameters and then over seeds. PED-ANOVA measures the importance of being among the best
10 %, not of the loss, so its errors against the loss's indices are reported for
completeness only.

It also times (median of 3 after a warm-up; Optuna's fANOVA once, it takes minutes) the
importance of 1,000 random trials of the
10-dimensional Levy function for each estimator, and every plot of :mod:`hpo.plot` on a
200-trial random run of a 4-parameter mixed space with failed trials (building the figure,
and separately rendering it to PNG at 100 dpi).

The committed results come from::

    nice -n 10 python benchmarks/compare_importance.py --seeds 0-9 --tag main

(``--reuse-optuna benchmarks/results/analysis/main.json`` reuses Optuna's rows of a committed
run whose trials are the same, see :func:`_reusable`).

written to ``benchmarks/results/analysis/<tag>.json`` and ``<tag>.md``.

SALib (optional, imported only when installed; not a dependency of hpo): ``--salib`` compares
SALib's Sobol estimator (Saltelli sampling, ``SALib.sample.sobol`` and
``SALib.analyze.sobol`` without second order, both seeded with the seed) on the true
functions, at about the budget of the random trials (a power-of-two base N, N (d + 2)
evaluations) and at a large one, with hpo's GP Sobol indices of 500 random trials of the same
seeds; it writes ``salib.json`` and ``salib.md`` and skips everything else::

    PYTHONPATH=/tmp/salibenv nice -n 10 python benchmarks/compare_importance.py --salib
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from hpo import Categorical, Integer, Real, Space, minimize, plot  # noqa: E402
from hpo.analysis import importance  # noqa: E402
from hpo.optimizers import RandomSearch  # noqa: E402
from hpo.problems import get_problem  # noqa: E402
from hpo.problems.sensitivity import Ishigami, SobolG  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "analysis"
EXACT = {"ishigami": np.array(Ishigami.first_order), "sobol_g": np.array(SobolG.first_order)}
ESTIMATORS = ("hpo-forest", "hpo-forest1", "hpo-gp", "hpo-ped", "optuna-fanova", "optuna-ped")
# hpo-forest1: the previous default forest, kept to show the change in the same run (one
# forest of 16 trees decomposed tree by tree, importance(options={"stages": 1}))
_OPTIONS = {"hpo-forest1": {"stages": 1, "n_trees": 16}}


def random_trials(problem: str, n: int, seed: int) -> RandomSearch:
    p = get_problem(problem)
    opt = RandomSearch(p.space, seed=seed)
    batch = opt.ask(n)
    X = np.array([[c[k] for k in p.space.names] for c in batch])
    opt.tell(batch, list(p.evaluate(X)))
    return opt


def optuna_importance(opt: RandomSearch, evaluator: str, seed: int) -> dict[str, float]:
    import optuna
    from optuna.distributions import FloatDistribution
    from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    dists = {n: FloatDistribution(p.low, p.high) for n, p in opt.space.items()}
    study = optuna.create_study(study_name="importance", direction="minimize")
    trials = [
        optuna.trial.create_trial(params=t.params, distributions=dists, value=t.value)
        for t in opt.trials
    ]
    study.add_trials(trials)
    ev = (
        FanovaImportanceEvaluator(seed=seed)
        if evaluator == "fanova"
        else PedAnovaImportanceEvaluator()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PED-ANOVA is marked experimental
        imp = optuna.importance.get_param_importances(study, evaluator=ev, normalize=True)
    return {n: float(imp.get(n, 0.0)) for n in opt.space.names}


def estimate(opt: RandomSearch, name: str, seed: int) -> np.ndarray:
    if name.startswith("hpo-"):
        surrogate = name[4:].rstrip("1")
        imp = importance(opt, surrogate=surrogate, seed=seed, options=_OPTIONS.get(name))
    else:
        imp = optuna_importance(opt, name.split("-")[1], seed)
    return np.array([imp[n] for n in opt.space.names])


def ranking_right(problem: str, s: np.ndarray) -> bool:
    if problem == "ishigami":
        return bool(s[1] > s[0] > s[2])
    return bool(s[0] > s[1] > s[2] > s[3] > s[4:].max())


def normalized(s: np.ndarray) -> np.ndarray:
    s = np.maximum(s, 0.0)
    return s / s.sum() if s.sum() > 0 else s


def _reusable(old: dict | None, problem: str, seed: int, gp_first: list[float]) -> dict:
    """Optuna's committed rows for these trials, if ``old`` holds them: only when its hpo-gp
    estimate (an estimator this reuse does not change, deterministic under the seed) is the
    same to 1e-12, i.e. the trials are the same (same seed, generator and function)."""
    if old is None:
        return {}
    rows = {r["estimator"]: r for r in old["rows"] if (r["problem"], r["seed"]) == (problem, seed)}
    gp = rows.get("hpo-gp")
    if gp is None or not np.allclose(gp["first"], gp_first, rtol=0, atol=1e-12):
        return {}
    return {n: r for n, r in rows.items() if n.startswith("optuna-")}


def accuracy(seeds: list[int], n_trials: int, old: dict | None = None) -> list[dict]:
    """Every estimator on every seed; with ``old`` (a committed result), Optuna's rows are
    taken from it where the trials are provably the same (:func:`_reusable`)."""
    rows = []
    order = sorted(ESTIMATORS, key=lambda n: n != "hpo-gp")  # hpo-gp first: the check
    for problem in EXACT:
        for seed in seeds:
            opt = random_trials(problem, n_trials, seed)
            reuse: dict = {}
            for name in order:
                if name in reuse:
                    rows.append({**reuse[name], "reused": True})
                    continue
                t0 = time.perf_counter()
                s = estimate(opt, name, seed)
                if name == "hpo-gp":
                    reuse = _reusable(old, problem, seed, s.tolist())
                rows.append(
                    {
                        "problem": problem,
                        "seed": seed,
                        "estimator": name,
                        "first": s.tolist(),
                        "ranking_right": ranking_right(problem, s),
                        "mae_normalized": float(
                            np.abs(normalized(s) - normalized(EXACT[problem])).mean()
                        ),
                        "max_error": float(np.abs(s - EXACT[problem]).max()),
                        "seconds": time.perf_counter() - t0,
                    }
                )
                print(problem, seed, name, f"{rows[-1]['mae_normalized']:.4f}", flush=True)
    return rows


def _median_time(fn, repeats: int = 3, cpu: bool = False) -> float:
    """Median wall-clock seconds of ``fn`` (process CPU seconds with ``cpu``: on a machine
    shared with other jobs, wall time also counts the time spent waiting for a core)."""
    if repeats > 1:
        fn()  # warm-up
    clock = time.process_time if cpu else time.perf_counter
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return float(np.median(times))


def timing(old: dict | None = None) -> dict:
    """Seconds of each estimator on 1,000 x 10 and of each plot; with ``old``, Optuna's
    fANOVA time is taken from it (marked ``reused``)."""
    out: dict = {"importance_1000x10": {}, "importance_1000x10_cpu": {}, "plots_200": {}}
    opt = random_trials("levy:dim=10", 1000, 0)
    for name in ESTIMATORS:
        if old is not None and name == "optuna-fanova":
            for key in ("importance_1000x10", "importance_1000x10_cpu"):
                out[key][name] = old["timing"][key][name]
            out["reused"] = ["optuna-fanova"]
            continue
        repeats = 1 if name == "optuna-fanova" else 3  # over a minute a call here
        for key, cpu in (("importance_1000x10", False), ("importance_1000x10_cpu", True)):
            sec = _median_time(lambda n=name: estimate(opt, n, 0), repeats, cpu=cpu)
            out[key][name] = sec
            print("time 1000x10", name, key, sec, flush=True)
    space = Space(
        {
            "lr": Real(1e-5, 1e-1, log=True),
            "layers": Integer(1, 6),
            "act": Categorical(["relu", "tanh", "gelu"]),
            "momentum": Real(0.5, 0.99, logit=True),
        }
    )

    def objective(p):
        if p["layers"] == 6 and p["act"] == "gelu":
            raise RuntimeError("diverged")  # failed trials, to be marked
        act = {"relu": 0.0, "tanh": 0.5, "gelu": 1.0}[p["act"]]
        return (math.log10(p["lr"]) + 3) ** 2 + 0.3 * p["layers"] + act + p["momentum"]

    run = minimize(objective, space, optimizer="random", n_trials=200, seed=0)
    figures = {
        "convergence": lambda: plot.plot_convergence(run),
        "evaluations": lambda: plot.plot_evaluations(run, space=space),
        "importance": lambda: plot.plot_importance(run, space=space),
        "partial_dependence": lambda: plot.plot_partial_dependence(run, space=space),
        "slice": lambda: plot.plot_slice(run, space=space),
        "parallel_coordinates": lambda: plot.plot_parallel_coordinates(run, space=space),
    }
    for name, make in figures.items():
        build = _median_time(make)
        fig = make()
        render = _median_time(lambda f=fig: f.savefig(io.BytesIO(), format="png", dpi=100))
        out["plots_200"][name] = {"build": build, "render_png": render}
        print("plot", name, build, render, flush=True)
    return out


def determinism(n_trials: int, old: dict | None = None) -> dict:
    """Two calls on the same trials: hpo with seed 0 twice, Optuna's fANOVA unseeded twice
    (with ``old``, Optuna's figure is taken from it)."""
    opt = random_trials("ishigami", n_trials, 0)
    a, b = (importance(opt, seed=0) for _ in range(2))
    out = {"hpo_forest_max_change": max(abs(a[k] - b[k]) for k in a)}
    if old is not None:
        key = "optuna_fanova_unseeded_max_change"
        return {**out, key: old["determinism"][key], "reused": key}
    o1, o2 = (optuna_importance(opt, "fanova", None) for _ in range(2))  # type: ignore[arg-type]
    return {**out, "optuna_fanova_unseeded_max_change": max(abs(o1[k] - o2[k]) for k in o1)}


def summary(rows: list[dict], timings: dict, det: dict, n_seeds: int) -> str:
    lines = [
        f"# Importance estimators against analytic Sobol indices ({n_seeds} seeds, "
        "500 random trials)",
        "",
        "Ranking right: Ishigami x1 > x0 > x2; Sobol G x0 > x1 > x2 > x3 and x3 above each of "
        "x4..x7, whose indices are all 1e-4 (tied: their order among themselves is not judged). "
        "Within 0.05: seeds on which every first-order index (not normalized) is within 0.05 of "
        "the analytic one, for the estimators of the loss's Sobol indices (Optuna normalizes "
        "its importances; PED-ANOVA estimates those of being among the best 10 %).",
        "",
        "| problem | estimator | ranking right | MAE of normalized first order (mean, max) "
        "| first order within 0.05 |",
        "|---|---|---|---|---|",
    ]
    for problem in EXACT:
        for name in ESTIMATORS:
            sel = [r for r in rows if r["problem"] == problem and r["estimator"] == name]
            mae = [r["mae_normalized"] for r in sel]
            ok = sum(r["ranking_right"] for r in sel)
            close = "-"
            if name in ("hpo-forest", "hpo-forest1", "hpo-gp"):
                close = f"{sum(r['max_error'] <= 0.05 for r in sel)}/{len(sel)}"
            lines.append(
                f"| {problem} | {name} | {ok}/{len(sel)} | {np.mean(mae):.4f}, {np.max(mae):.4f} "
                f"| {close} |"
            )
    lines += ["", "Mean first-order indices (not normalized for the hpo forests and hpo-gp):", ""]
    for problem in EXACT:
        lines.append(f"- {problem} exact: {np.round(EXACT[problem], 4).tolist()}")
        for name in ESTIMATORS:
            sel = np.array([r["first"] for r in rows if r["problem"] == problem
                            and r["estimator"] == name])  # fmt: skip
            lines.append(f"  - {name}: {np.round(sel.mean(0), 4).tolist()}")
    lines += ["", "Seconds for the importance of 1,000 trials of levy:dim=10 (median of 3, "
              "optuna-fanova once; wall clock, and the process's CPU time):", ""]  # fmt: skip
    for name, sec in timings["importance_1000x10"].items():
        cpu = timings["importance_1000x10_cpu"][name]
        lines.append(f"- {name}: {sec:.3f} wall, {cpu:.3f} CPU")
    lines += ["", "Seconds per plot of a 200-trial run (median of 3; build, render to PNG):", ""]
    for name, t in timings["plots_200"].items():
        lines.append(f"- {name}: {t['build']:.3f}, {t['render_png']:.3f}")
    reused = sum(bool(r.get("reused")) for r in rows)
    if reused:
        lines += ["", f"Optuna's rows reused from the committed result (--reuse-optuna) on "
                  f"{reused} of {sum(r['estimator'].startswith('optuna-') for r in rows)} "
                  "(problem, seed, estimator): same trials, checked by hpo-gp reproducing its "
                  "committed estimate to 1e-12. Reused times: "
                  f"{timings.get('reused', [])}."]  # fmt: skip
    lines += ["", f"Determinism on the same trials: {json.dumps(det)}", ""]
    return "\n".join(lines)


# -- SALib's Sobol estimator on the true functions (optional peer) ---------------------------
SALIB_BASES = {"ishigami": (128, 8192), "sobol_g": (64, 8192)}  # ~640 evaluations, and many


def salib_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("SALib") is not None


def salib_sobol(problem: str, n_base: int, seed: int) -> tuple[np.ndarray, int]:
    """SALib's first-order Sobol estimates of the true function (Saltelli 2002 sampling,
    Saltelli et al. 2010 estimator, as SALib implements them) and the evaluations used."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    p = get_problem(problem)
    spec = {
        "num_vars": p.space.dim,
        "names": list(p.space.names),
        "bounds": [[q.low, q.high] for q in p.space.values()],
    }
    X = sobol_sample.sample(spec, n_base, calc_second_order=False, seed=seed)
    Y = p.evaluate(X)
    si = sobol_analyze.analyze(spec, Y, calc_second_order=False, seed=seed)
    return np.asarray(si["S1"], float), len(Y)


def salib_rows(seeds: list[int], n_trials: int) -> list[dict]:
    rows = []
    for problem in EXACT:
        for seed in seeds:
            runs = [("hpo-gp", None)] + [("salib-sobol", n) for n in SALIB_BASES[problem]]
            opt = random_trials(problem, n_trials, seed)
            for name, n_base in runs:
                t0 = time.perf_counter()
                if n_base is None:
                    s, evals = estimate(opt, name, seed), n_trials
                else:
                    s, evals = salib_sobol(problem, n_base, seed)
                rows.append(
                    {
                        "problem": problem,
                        "seed": seed,
                        "estimator": name,
                        "evaluations": evals,
                        "first": s.tolist(),
                        "ranking_right": ranking_right(problem, s),
                        "mae": float(np.abs(s - EXACT[problem]).mean()),
                        "mae_normalized": float(
                            np.abs(normalized(s) - normalized(EXACT[problem])).mean()
                        ),
                        "seconds": time.perf_counter() - t0,
                    }
                )
                print(problem, seed, name, evals, f"{rows[-1]['mae']:.4f}", flush=True)
    return rows


def salib_summary(rows: list[dict], n_seeds: int) -> str:
    from importlib.metadata import version

    lines = [
        f"# SALib's Sobol estimator on the true functions against hpo's GP ({n_seeds} seeds)",
        "",
        f"SALib {version('SALib')}: Saltelli sampling and the Sobol analysis without second "
        "order, on the true function; hpo-gp: GP Sobol indices (hpo.analysis.importance, "
        "surrogate='gp') of random trials. MAE: mean absolute error of the first-order indices "
        "against the analytic ones (mean over parameters, then mean and max over seeds); "
        "normalized: both scaled to sum to 1 (negative estimates clipped to 0).",
        "",
        "| problem | estimator | evaluations | ranking right | MAE first order (mean, max) "
        "| MAE normalized (mean, max) | seconds (median) |",
        "|---|---|---|---|---|---|---|",
    ]
    keys = list(dict.fromkeys((r["problem"], r["estimator"], r["evaluations"]) for r in rows))
    for problem, name, evals in keys:
        sel = [
            r
            for r in rows
            if (r["problem"], r["estimator"], r["evaluations"]) == (problem, name, evals)
        ]
        mae = [r["mae"] for r in sel]
        nmae = [r["mae_normalized"] for r in sel]
        ok = sum(r["ranking_right"] for r in sel)
        sec = float(np.median([r["seconds"] for r in sel]))
        lines.append(
            f"| {problem} | {name} | {evals} | {ok}/{len(sel)} | {np.mean(mae):.4f}, "
            f"{np.max(mae):.4f} | {np.mean(nmae):.4f}, {np.max(nmae):.4f} | {sec:.3f} |"
        )
    lines += ["", "Mean first-order indices over seeds:", ""]
    for problem in EXACT:
        lines.append(f"- {problem} exact: {np.round(EXACT[problem], 4).tolist()}")
        for p_, name, evals in keys:
            if p_ == problem:
                sel = np.array(
                    [
                        r["first"]
                        for r in rows
                        if (r["problem"], r["estimator"], r["evaluations"]) == (p_, name, evals)
                    ]
                )
                lines.append(
                    f"  - {name} ({evals} evaluations): {np.round(sel.mean(0), 4).tolist()}"
                )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9", help="a range a-b or a comma list")
    parser.add_argument("--n-trials", type=int, default=500)
    parser.add_argument("--tag", default="main")
    parser.add_argument(
        "--reuse-optuna",
        metavar="JSON",
        help="take Optuna's rows and times from a committed result where the trials are "
        "provably the same (its hpo-gp estimate reproduced to 1e-12); Optuna's fANOVA takes "
        "about half a minute a call",
    )
    parser.add_argument(
        "--salib", action="store_true", help="only the SALib comparison (SALib must be installed)"
    )
    args = parser.parse_args()
    if "-" in args.seeds:
        lo, hi = (int(x) for x in args.seeds.split("-"))
        seeds = list(range(lo, hi + 1))
    else:
        seeds = [int(x) for x in args.seeds.split(",")]
    if args.salib:
        if not salib_available():
            raise SystemExit("--salib: SALib is not installed (pip install SALib)")
        rows = salib_rows(seeds, args.n_trials)
        RESULTS.mkdir(parents=True, exist_ok=True)
        data = {"seeds": seeds, "n_trials": args.n_trials, "rows": rows}
        (RESULTS / "salib.json").write_text(json.dumps(data, indent=1) + "\n")
        text = salib_summary(rows, len(seeds))
        (RESULTS / "salib.md").write_text(text)
        print(text)
        return
    old = None
    if args.reuse_optuna:
        old = json.loads(Path(args.reuse_optuna).read_text())
    rows = accuracy(seeds, args.n_trials, old)
    timings = timing(old)
    det = determinism(args.n_trials, old)
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"seeds": seeds, "n_trials": args.n_trials, "rows": rows, "timing": timings,
            "determinism": det}  # fmt: skip
    (RESULTS / f"{args.tag}.json").write_text(json.dumps(data, indent=1) + "\n")
    text = summary(rows, timings, det, len(seeds))
    (RESULTS / f"{args.tag}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
