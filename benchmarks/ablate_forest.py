"""Ablation of the forest behind ``hpo.analysis.importance``: designs of one forest, how it is
decomposed, and the two-stage forest, on the tuning seeds.

The same trials as ``benchmarks/compare_importance.py`` (500 random trials of the Ishigami
and Sobol G functions), on seeds 100-119 by default, *not* the reported seeds 0-9: the
default forest was chosen here and reported there. For each design, on how many seeds the
ranking is right (the rule of compare_importance.py), the mean absolute error of the
normalized first-order indices, on how many seeds every first-order index is within 0.05 of
the analytic one, and the median seconds of one estimate (CPU time of the process).

Designs of one forest (``RandomForest`` options, trees = 16 unless stated):

* ``trees``: the forest decomposed tree by tree and the fractions averaged (Hutter et al.
  2014, :func:`hpo.analysis.fanova.forest_fanova`);
* ``mean``: its mean prediction decomposed exactly (:func:`hpo.analysis.fanova.mean_first_order`).

and the two-stage forest of :mod:`hpo.analysis.stacked` (``fit_stacked_forest`` with the
options given, its mean decomposed, as ``importance`` does with ``stages=2``): before and
after the main effects were fitted by backfitting (:mod:`hpo.analysis.additive`) and the
forest's own purified away.
The committed results come from::

    python benchmarks/ablate_forest.py
    python benchmarks/ablate_forest.py --seeds 200-219 --tag ablation_heldout \
        --reuse benchmarks/results/analysis/ablation_heldout.json

written to ``benchmarks/results/analysis/<tag>.json`` and ``<tag>.md``; the second run
checks the choice on 20 seeds used neither for tuning nor in main.md.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from compare_importance import EXACT, RESULTS, normalized, random_trials, ranking_right  # noqa: E402

from hpo.analysis.data import as_trials  # noqa: E402
from hpo.analysis.fanova import forest_fanova, mean_first_order  # noqa: E402
from hpo.analysis.forest import RandomForest  # noqa: E402
from hpo.analysis.stacked import fit_stacked_forest  # noqa: E402

ONE = {"min_samples_leaf": 1, "max_features": 0.5, "bootstrap": False}
# (label, what, options): what is "trees" or "mean" (one forest) or "stacked" (importance)
DESIGNS = [
    ("previous default: leaf 1, half the axes, no bootstrap", "trees", {**ONE}),
    ("previous default, its mean decomposed", "mean", {**ONE}),
    ("all axes, bootstrap, 64 trees (the settings of Optuna's sklearn forest)", "trees",
     {"min_samples_leaf": 1, "max_features": 1.0, "bootstrap": True, "n_trees": 64}),
    ("70 % of the axes (Hutter et al.'s fanova default)", "trees", {**ONE, "max_features": 0.7}),
    ("70 % of the axes, mean", "mean", {**ONE, "max_features": 0.7}),
    ("a third of the axes", "mean", {**ONE, "max_features": 0.3}),
    ("bootstrap", "mean", {**ONE, "bootstrap": True}),
    ("leaves of 3", "mean", {**ONE, "min_samples_leaf": 3}),
    ("leaves of 5", "mean", {**ONE, "min_samples_leaf": 5}),
    ("random thresholds (extra trees)", "mean", {**ONE, "splitter": "random"}),
    ("two stages, 2 folds", "stacked", {"folds": 2, "main_effects": False}),
    ("two stages, 8 trees a stage", "stacked", {"n_trees": 8, "main_effects": False}),
    ("two stages, 12 trees a stage, 4 folds (previous default)", "stacked",
     {"main_effects": False}),
    ("main effects by backfitting on the loss, the forest's own purified away, 1/2-SE rule",
     "stacked", {"clean": False}),
    ("main effects by backfitting on the loss less the cross-fitted interactions, no SE rule",
     "stacked", {"one_se": 0.0}),
    ("main effects by backfitting on the loss less the cross-fitted interactions, 1-SE rule",
     "stacked", {"one_se": 1.0}),
    ("main effects by backfitting on the loss less the cross-fitted interactions, 1/2-SE rule "
     "(default)", "stacked", {}),
]  # fmt: skip


def estimate(opt, what: str, options: dict, seed: int) -> np.ndarray:
    X, y = as_trials(opt).arrays()
    if what == "stacked":  # as importance(opt, seed=seed) does, with fit_stacked_forest's options
        forest = fit_stacked_forest(X, y, rng=np.random.default_rng(seed), **options)
        return np.maximum(mean_first_order(forest)[0], 0.0)
    opts = dict(options)
    forest = RandomForest(opts.pop("n_trees", 16), **opts)
    forest.fit(X, y, rng=np.random.default_rng(seed))
    if what == "trees":
        return forest_fanova(forest, total=False).first
    return np.maximum(mean_first_order(forest)[0], 0.0)


def run(seeds: list[int], old: dict | None = None) -> list[dict]:
    """Every design on every seed; with ``old`` (a committed result on the same seeds), the
    rows of the designs of one forest are taken from it (their code is unchanged since) and
    only the two-stage designs are run."""
    if old is not None and old["seeds"] != seeds:
        raise ValueError(f"--reuse: its seeds {old['seeds']} are not {seeds}")
    rows = []
    for problem in EXACT:
        for seed in seeds:
            opt = random_trials(problem, 500, seed)
            for label, what, options in DESIGNS:
                if old is not None and what != "stacked":
                    rows += [{**r, "reused": True} for r in old["rows"] if r["design"] == label
                             and (r["problem"], r["seed"]) == (problem, seed)]  # fmt: skip
                    continue
                t0 = time.process_time()
                s = estimate(opt, what, options, seed)
                rows.append(
                    {
                        "problem": problem,
                        "seed": seed,
                        "design": label,
                        "decomposed": what,
                        "first": s.tolist(),
                        "ranking_right": ranking_right(problem, s),
                        "mae_normalized": float(
                            np.abs(normalized(s) - normalized(EXACT[problem])).mean()
                        ),
                        "max_error": float(np.abs(s - EXACT[problem]).max()),
                        "cpu_seconds": time.process_time() - t0,
                    }
                )
            print(problem, seed, flush=True)
    return rows


def summary(rows: list[dict], seeds: list[int]) -> str:
    lines = [
        f"# Ablation of the importance forest (500 random trials, seeds {seeds[0]}-{seeds[-1]})",
        "",
        "Decomposed: trees = fractions of each tree averaged (Hutter et al. 2014); mean = the "
        "forest's mean prediction, exactly; stacked = the two-stage forest of "
        "hpo.analysis.stacked (mean decomposed). Ranking: as in main.md. nMAE: mean absolute "
        "error of the normalized first-order indices. Within 0.05: seeds with every first-order "
        "index within 0.05 of the analytic one. CPU: median seconds of one estimate.",
        "",
        *(
            [
                "Rows of the one-forest designs reused from the previous run on these seeds "
                "(--reuse; code unchanged since): their CPU seconds were measured then.",
                "",
            ]
            if any(r.get("reused") for r in rows)
            else []
        ),
        "| design | decomposed | Ishigami ranking | Ishigami nMAE | Ishigami within 0.05 "
        "| Sobol G ranking | Sobol G nMAE | Sobol G within 0.05 | CPU s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, what, _ in DESIGNS:
        cells = [label, what]
        for problem in EXACT:
            sel = [r for r in rows if r["design"] == label and r["problem"] == problem]
            cells += [
                f"{sum(r['ranking_right'] for r in sel)}/{len(sel)}",
                f"{np.mean([r['mae_normalized'] for r in sel]):.4f}",
                f"{sum(r['max_error'] <= 0.05 for r in sel)}/{len(sel)}",
            ]
        cpu = np.median([r["cpu_seconds"] for r in rows if r["design"] == label])
        lines.append("| " + " | ".join(cells) + f" | {cpu:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="100-119", help="a range a-b")
    parser.add_argument("--tag", default="ablation", help="output name (default ablation)")
    parser.add_argument(
        "--reuse",
        metavar="JSON",
        help="take the rows of the one-forest designs from a committed result on the same "
        "seeds (CPU is short); only the two-stage designs are run",
    )
    args = parser.parse_args()
    lo, hi = (int(x) for x in args.seeds.split("-"))
    seeds = list(range(lo, hi + 1))
    old = json.loads(Path(args.reuse).read_text()) if args.reuse else None
    rows = run(seeds, old)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.tag}.json").write_text(json.dumps({"seeds": seeds, "rows": rows}) + "\n")
    text = summary(rows, seeds)
    (RESULTS / f"{args.tag}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
