"""Time one multi-objective BO ask at n = 100 observations, d = 6, two objectives: hpo's
``BayesianOptimization`` against Optuna's ``GPSampler`` in the same run (issue 11 target).

Protocol: ZDT1 with 6 variables. Each optimizer is told the same 100 configurations drawn
uniformly from the space (one seeded draw) with their objective vectors; that setup is not
timed. Then ``--warmup`` untimed and ``--repeats`` timed steps follow: ask (timed), evaluate,
tell. The steps interleave the optimizers (hpo, Optuna, hpo, ...) so that both see the same
load on the shared machine. One BLAS thread. For Optuna the timed call is ``study.ask()``
plus the six ``suggest_float`` calls (its GPSampler fits and maximizes at the first of them).

hpo variants: ``hpo-<strategy>`` with ``mo_strategy`` ehvi / parego / hybrid, and
``hpo-ehvi-gradient`` (EHVI maximized by the L-BFGS-B search of
:func:`hpo.optimizers._bo_search.maximize_mixed` with the analytic gradient). The summary
(``benchmarks/results/moo/<tag>.md``) gives the median ask time and the ratio to Optuna's.

    python benchmarks/time_moo_ask.py --repeats 10 --tag ask_time
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from hpo import BayesianOptimization  # noqa: E402
from hpo.optimizers import _bo_multiobjective  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "moo"
VARIANTS = ("hpo-ehvi", "hpo-ehvi-gradient", "hpo-hybrid", "hpo-parego", "optuna-gp")


class HpoStepper:
    def __init__(self, label: str, problem, X: list[dict], Y: np.ndarray, seed: int) -> None:
        strategy = label.removeprefix("hpo-").removesuffix("-gradient")
        self.gradient = label.endswith("-gradient")
        self.opt = BayesianOptimization(
            problem.space, n_objectives=2, seed=seed, mo_strategy=strategy
        )
        self.opt.tell(X, [list(y) for y in Y])
        self.problem = problem

    def step(self) -> float:
        saved = _bo_multiobjective.EHVI_SEARCH
        _bo_multiobjective.EHVI_SEARCH = "gradient" if self.gradient else "scored"
        try:
            t0 = time.perf_counter()
            params = self.opt.ask()
            seconds = time.perf_counter() - t0
        finally:
            _bo_multiobjective.EHVI_SEARCH = saved
        self.opt.tell(params, self.problem(params))
        return seconds


class OptunaStepper:
    def __init__(self, problem, X: list[dict], Y: np.ndarray, seed: int) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.dists = {
            n: optuna.distributions.FloatDistribution(p.low, p.high)
            for n, p in problem.space.items()
        }
        self.study = optuna.create_study(
            directions=["minimize", "minimize"], sampler=optuna.samplers.GPSampler(seed=seed)
        )
        for x, y in zip(X, Y):
            self.study.add_trial(
                optuna.trial.create_trial(params=x, distributions=self.dists, values=list(y))
            )
        self.problem = problem

    def step(self) -> float:
        t0 = time.perf_counter()
        trial = self.study.ask()
        params = {n: trial.suggest_float(n, d.low, d.high) for n, d in self.dists.items()}
        seconds = time.perf_counter() - t0
        self.study.tell(trial, list(self.problem(params)))
        return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--dim", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--tag", default="ask_time")
    args = parser.parse_args(argv)
    import optuna

    problem = get_problem("zdt1", dim=args.dim)
    rng = np.random.default_rng(args.seed)
    X = [problem.space.from_unit(u) for u in rng.random((args.n, args.dim))]
    Y = np.array([problem(x) for x in X], dtype=float)
    labels = args.variants.split(",")
    steppers = {
        label: (
            OptunaStepper(problem, X, Y, args.seed)
            if label == "optuna-gp"
            else HpoStepper(label, problem, X, Y, args.seed)
        )
        for label in labels
    }
    times: dict[str, list[float]] = {label: [] for label in labels}
    load = os.getloadavg()[0]
    for i in range(args.warmup + args.repeats):
        for label in labels:
            seconds = steppers[label].step()
            if i >= args.warmup:
                times[label].append(seconds)
    RESULTS.mkdir(parents=True, exist_ok=True)
    command = "python benchmarks/time_moo_ask.py " + shlex.join(argv or sys.argv[1:])
    optuna_median = np.median(times["optuna-gp"]) if "optuna-gp" in times else np.nan
    lines = [
        f"# One multi-objective ask at n = {args.n}, d = {args.dim}, two objectives",
        "",
        f"Command: `{command}` (one run; optuna {optuna.__version__}; one BLAS thread; load "
        f"average {load:.1f} before, {os.getloadavg()[0]:.1f} after, on the shared 2-core "
        "machine). ZDT1; the optimizers told the same "
        f"{args.n} uniform configurations; {args.warmup} untimed then {args.repeats} timed "
        "ask/evaluate/tell steps each, interleaved.",
        "",
        "| optimizer | median ask (s) | min | max | median / Optuna's |",
        "|---|---|---|---|---|",
    ]
    for label in labels:
        t = np.array(times[label])
        lines.append(
            f"| {label} | {np.median(t):.3f} | {t.min():.3f} | {t.max():.3f} | "
            f"{np.median(t) / optuna_median:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / f"{args.tag}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
