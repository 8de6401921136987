"""Do 200 random trials and 50 BO trials agree on which hyperparameters matter?

Issue 12's check: on the MLP tasks, the top two hyperparameters by first-order importance
(hpo's GP surrogate, :func:`hpo.analysis.importance` with ``seed=0``) from 200 random
trials and from 50 Bayesian-optimization trials, over seeds. For every task and seed it
runs ``RandomSearch`` for 200 trials and ``BayesianOptimization`` for 50 (both with that
seed, through :func:`hpo.minimize`), and compares the top-two sets of

* random 200 against bayes 50 (the check),
* random 200 against the first 50 trials of the same random run (what 50 trials alone cost,
  without BO's concentrated sampling),

with the GP surrogate and, for comparison, the forest. A top-two set "agrees" when the two
sets are equal (order ignored); "top-1" when the most important parameter is the same.

Each finished (task, seed) is appended to ``benchmarks/results/analysis/agreement.jsonl``
at once, so an interrupted run keeps what it measured and ``--summarize`` rewrites
``agreement.md`` from the rows present. The committed results come from::

    nice -n 10 python benchmarks/importance_agreement.py --seeds 0-9
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from hpo import minimize  # noqa: E402
from hpo.analysis import as_trials, importance  # noqa: E402
from hpo.analysis.data import Run  # noqa: E402
from hpo.problems import get_problem  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "analysis"
ROWS = RESULTS / "agreement.jsonl"
TASKS = ("mlp_adam_iris_logloss", "mlp_adam_wine_logloss")
SURROGATES = ("gp", "forest")
N_RANDOM, N_BAYES = 200, 50


def top_two(imp: dict[str, float]) -> list[str]:
    """The two parameters of largest importance (ties broken by the space's order)."""
    return sorted(imp, key=lambda k: -imp[k])[:2]


def one_seed(task: str, seed: int) -> dict:
    p = get_problem(task)
    t0 = time.perf_counter()
    rand = minimize(p, p.space, optimizer="random", n_trials=N_RANDOM, seed=seed)
    t_random = time.perf_counter() - t0
    t0 = time.perf_counter()
    bayes = minimize(p, p.space, optimizer="bayes", n_trials=N_BAYES, seed=seed)
    t_bayes = time.perf_counter() - t0
    runs = {
        "random200": as_trials(rand, space=p.space),
        "random50": Run(p.space, list(rand.trials)[:N_BAYES], "random"),
        "bayes50": as_trials(bayes, space=p.space),
    }
    imps = {
        s: {k: importance(run, surrogate=s, seed=0) for k, run in runs.items()} for s in SURROGATES
    }
    return {
        "task": task,
        "seed": seed,
        "importance": imps,
        "top2": {s: {k: top_two(v) for k, v in by.items()} for s, by in imps.items()},
        "best": {"random200": rand.best_value, "bayes50": bayes.best_value},
        "seconds": {"random200": t_random, "bayes50": t_bayes},
    }


def _agree(a: list[str], b: list[str]) -> tuple[bool, bool]:
    return set(a) == set(b), a[0] == b[0]


def summary(rows: list[dict]) -> str:
    seeds = sorted({r["seed"] for r in rows})
    lines = [
        f"# Top-two agreement of importances: {N_RANDOM} random trials against {N_BAYES} BO trials",
        "",
        f"Seeds {seeds}; importance of each run from `hpo.analysis.importance(run, "
        "surrogate=..., seed=0)`. Agree: the same two parameters on top (order ignored); "
        "top-1: the same first parameter. `random 50` is the first 50 trials of the same "
        "random run. Produced by `benchmarks/importance_agreement.py` (rows in "
        "`agreement.jsonl`).",
        "",
        "| task | surrogate | comparison | top-two agree | top-1 agree |",
        "|---|---|---|---|---|",
    ]
    for task in dict.fromkeys(r["task"] for r in rows):
        sel = [r for r in rows if r["task"] == task]
        for s in SURROGATES:
            for other in ("bayes50", "random50"):
                hits = [_agree(r["top2"][s]["random200"], r["top2"][s][other]) for r in sel]
                label = f"random 200 vs {other.replace('50', ' 50')}"
                lines.append(
                    f"| {task} | {s} | {label} | {sum(h[0] for h in hits)}/{len(hits)} "
                    f"| {sum(h[1] for h in hits)}/{len(hits)} |"
                )
    lines += ["", "Top two per seed (GP surrogate): random 200 / bayes 50 / random 50", ""]
    for r in rows:
        t = r["top2"]["gp"]
        lines.append(
            f"- {r['task']} seed {r['seed']}: {', '.join(t['random200'])} / "
            f"{', '.join(t['bayes50'])} / {', '.join(t['random50'])}"
        )
    lines += ["", "Median GP first-order importance over seeds (random 200; bayes 50):", ""]
    for task in dict.fromkeys(r["task"] for r in rows):
        sel = [r for r in rows if r["task"] == task]
        names = list(sel[0]["importance"]["gp"]["random200"])
        med = {
            k: {n: float(np.median([r["importance"]["gp"][k][n] for r in sel])) for n in names}
            for k in ("random200", "bayes50")
        }
        order = sorted(names, key=lambda n: -med["random200"][n])
        cells = [f"{n} {med['random200'][n]:.3f}; {med['bayes50'][n]:.3f}" for n in order]
        lines.append(f"- {task}: " + " | ".join(cells))
    secs = {k: float(np.median([r["seconds"][k] for r in rows])) for k in ("random200", "bayes50")}
    lines += [
        "",
        f"Median wall time of one run: random 200 {secs['random200']:.0f} s, bayes 50 "
        f"{secs['bayes50']:.0f} s (nice 10, shared 2-core machine).",
        "",
    ]
    return "\n".join(lines)


def _seeds(text: str) -> list[int]:
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",")]


def read_rows() -> list[dict]:
    if not ROWS.is_file():
        return []
    return [json.loads(line) for line in ROWS.read_text().splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-9", help="a range a-b or a comma list")
    parser.add_argument("--summarize", action="store_true", help="only rewrite agreement.md")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.summarize:
        done = {(r["task"], r["seed"]) for r in read_rows()}
        for seed in _seeds(args.seeds):  # seeds outside: a stopped run stays balanced
            for task in TASKS:
                if (task, seed) in done:
                    continue
                row = one_seed(task, seed)
                with ROWS.open("a") as f:
                    f.write(json.dumps(row) + "\n")
                print(task, seed, row["top2"]["gp"], row["seconds"], flush=True)
    text = summary(sorted(read_rows(), key=lambda r: (r["task"], r["seed"])))
    (RESULTS / "agreement.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
