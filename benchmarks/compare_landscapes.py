"""Measure optimizers on the BBOB landscapes of issue 17 (hpo/problems/bbob.py), in one run.

Every optimizer runs once on every (function class, instance), COCO-style: instance ``k`` of
a class is ``"<class>:dim=D,instance=k"`` and the optimizer's seed is ``k`` too, so every
optimizer meets the same instances with the same seeds (paired). A run is exactly a run of a
study (``hpo.bench.runner.execute_run``: ``make_optimizer(name, space, seed=k,
budget=n_trials)`` driven by ``hpo.minimize``), ``--budget`` x ``D`` evaluations each, as in
``benchmarks/studies/landscapes.toml``.

Writes ``benchmarks/results/landscapes/<tag>.jsonl`` (one line per run: the best-so-far regret
after every ``D`` evaluations and the CPU time) and ``<tag>.md``:

- the mean rank of each optimizer (rank 1 = lowest final regret on an (class, instance) pair,
  ties averaged, then averaged over all pairs), with its Friedman test;
- the median over instances of log10 final regret, per class and optimizer;
- the fraction of (class, instance, target) triples reached, with COCO's 51 targets
  ``10^2 .. 10^-8`` on the regret ``f - f_opt``.

The committed results come from (see each .md for its exact command)::

    nice -n 10 python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-5 \\
        --optimizers random ga bayes cma-es optuna-tpe --tag d5-20d-before
    cp benchmarks/results/landscapes/d5-20d-before.jsonl \
        benchmarks/results/landscapes/d5-20d-before-gp.jsonl  # resumed: only optuna-gp runs
    nice -n 10 python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-5 \
        --optimizers random ga bayes cma-es optuna-tpe optuna-gp --tag d5-20d-before-gp

Issue 17, item 3 (the GA): the GA before (``d5-20d-ga-before``, ``d5-50d-ga-before``: random,
ga, cma-es on instances 1-10 at ``--budget 20`` and ``--budget 50``), the ablations on tuning
instances 101-110 (``tune-abl*``: ``--instances 101-110 --variants '{...}'``, each .md holds
its command), and the held-out comparison with today's GA, instances 1-10::

    python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-10 \
        --optimizers random ga cma-es optuna-tpe --tag d5-20d
    python benchmarks/compare_landscapes.py --dim 5 --budget 50 --instances 1-10 \
        --optimizers random ga cma-es optuna-tpe --tag d5-50d

and the slow GP-based methods at 20 x d in their own journal, one instance at a time so that
every class advances together (instances 1-5 copied from ``d5-20d-before-gp.jsonl``: the same
code gives the same runs, checked on the first runs of instance 1)::

    for I in 6 7 8; do python benchmarks/compare_landscapes.py --dim 5 --budget 20 \
        --instances $I --optimizers bayes optuna-gp optuna-tpe --tag d5-20d-models; done

(stopped at the deadline after instance 8; instances 9 and 10 were added later by the same
loop, ``for I in 9 10``, so that every optimizer has 10 instances: 110 (class, instance)
pairs; the summary .md is the same command with ``--instances 1-10``, which runs nothing new).

Issue 17, item 2 (``bayes`` with a trust region, ``hpo/optimizers/_trust_region.py``;
diagnosis in ``tr-diagnosis.md``): the variants compared with today's ``bayes`` on tuning
instances 101-103 (``tr-tune-20``, its .md holds the command: ``bayes-tr`` is TuRBO's rules,
``bayes-tr-g3`` also searches the whole space at every third model-based proposal), and the
chosen variant on instances 1-10 in its own journal ``tr-d5-20d``, the other columns' rows
copied into it first (resumed, not re-run: ``random``, ``ga``, ``cma-es`` and ``optuna-tpe``
from ``d5-20d.jsonl``, ``bayes`` and ``optuna-gp`` from ``d5-20d-models.jsonl``; the same code
gives the same runs, checked by re-running ``bayes`` on instance 1 of every class)::

    python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-10 \\
        --optimizers bayes optuna-gp optuna-tpe cma-es ga random --variants \\
        '{"bayes-tr": {"optimizer": "bayes", "trust_region": {"global_every": 3}}}' \\
        --tag tr-d5-20d

The variant not chosen (TuRBO's rules alone), on the four classes that issue 17 names, its
``bayes`` rows copied from ``d5-20d-models.jsonl``::

    python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-10 \\
        --optimizers bayes --variants \\
        '{"bayes-turbo": {"optimizer": "bayes", "trust_region": true}}' \\
        --classes bbob_rosenbrock_rotated bbob_ellipsoid_rotated bbob_bent_cigar \\
        bbob_sharp_ridge --tag tr-turbo-d5-20d

and then on all 11 classes in ``tr-turbo-all-d5-20d`` (that journal's rows copied in first),
the same command with ``--tag tr-turbo-all-d5-20d`` and without ``--classes``.

2026-12-01, ``bayes`` with that day's default (``trust_region=True``, TuRBO's rules alone,
with issue 16's GP settings; labelled ``bayes-default``) and the default just before it
(issue 16's GP, no trust region: ``bayes-notr``), at 20 x d in ``d5-20d-today`` (the peers'
rows of instances 1-10 copied in first: ``random``, ``ga``, ``cma-es``, ``optuna-tpe`` from
``d5-20d.jsonl``, ``optuna-gp`` from ``d5-20d-models.jsonl``), and the GP-based methods at
50 x d in ``d5-50d-gp`` (``d5-50d.jsonl``'s rows copied in first; ``optuna-gp`` one instance
at a time, as far as the session allowed)::

    python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-10 \
        --optimizers optuna-gp optuna-tpe cma-es ga random --variants \
        '{"bayes-default": {"optimizer": "bayes", "trust_region": true},
          "bayes-notr": {"optimizer": "bayes"}}' --tag d5-20d-today
    python benchmarks/compare_landscapes.py --dim 5 --budget 50 --instances 1-10 \
        --optimizers random --variants \
        '{"bayes-default": {"optimizer": "bayes", "trust_region": true}}' --tag d5-50d-gp
    for I in 1 2 3; do python benchmarks/compare_landscapes.py --dim 5 --budget 50 \
        --instances $I --optimizers optuna-gp --tag d5-50d-gp; done

The GA's success rule (``Variation(failure_shrink=...)``): tuning sweeps on instances
101-130 (``ga-tune-g20`` .. ``ga-tune-l20``, each .md holds its command) and the held-out
run on instances 1-10, ``ga-d5-20d-holdout``; summary in
``benchmarks/results/ga/issue17-tonight.md``.

The rotated trust region (``TrustRegion(metric="active")``,
``hpo/optimizers/_rotated_region.py``; engineer ``ridge``, 2026-12-01): the diagnosis and
the ablations on tuning instances 101-110 in ``ridge-tune.md`` (``ridge-tune1``: the first
ablation, its .md holds the command), and the held-out run beside today's default::

    python benchmarks/compare_landscapes.py --dim 5 --budget 20 --instances 1-10 \
        --optimizers bayes --variants '{"bayes-active": {"optimizer": "bayes",
        "trust_region": {"metric": "active", "length_min": 0.0001}}}' --tag ridge-d5-20d
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import friedmanchisquare, rankdata  # noqa: E402

from hpo.bench.runner import execute_run  # noqa: E402
from hpo.bench.study import RunSpec  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "landscapes"
#: The classes named in issue 17, item 1 (BBOB numbers in brackets).
CLASSES = (
    "bbob_ellipsoid",  # f2, separable
    "bbob_attractive_sector",  # f6
    "bbob_step_ellipsoid",  # f7
    "bbob_rosenbrock_rotated",  # f9
    "bbob_ellipsoid_rotated",  # f10
    "bbob_discus",  # f11
    "bbob_bent_cigar",  # f12
    "bbob_sharp_ridge",  # f13
    "bbob_schaffer_f7",  # f17
    "bbob_gallagher101",  # f21
    "bbob_gallagher21",  # f22
)
OPTIMIZERS = ("random", "ga", "bayes", "cma-es", "optuna-tpe", "optuna-gp")
#: COCO's targets on the regret: 51 values log-spaced from 1e2 to 1e-8.
TARGETS = 10.0 ** np.linspace(2, -8, 51)


def parse_range(text: str) -> list[int]:
    """``"1-5"`` or ``"1,3,7"``."""
    if "-" in text:
        low, high = map(int, text.split("-"))
        return list(range(low, high + 1))
    return [int(s) for s in text.split(",")]


def run_one(
    name: str, spec: str, seed: int, n_trials: int, dim: int, variant: tuple[str, dict] | None
) -> dict:
    """One run; ``variant`` = (optimizer, options) for a labelled variant (``--variants``)."""
    optimizer, options = variant if variant is not None else (name, {})
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        record = execute_run(RunSpec(name, optimizer, options, spec, seed, n_trials))
    cpu = time.process_time() - start
    values = [t["value"] if t["value"] is not None else np.inf for t in record.trials]
    best = np.minimum.accumulate(values) - record.optimum
    return {
        "optimizer": name,
        "problem": spec,
        "seed": seed,
        "n_trials": n_trials,
        "optimum": record.optimum,
        # best-so-far f - f_opt after d, 2d, ... evaluations (the last one is the final regret)
        "regret": [float(f"{r:.6g}") for r in best[dim - 1 :: dim]],
        "cpu_time": cpu,
    }


def summarize(rows: list[dict], classes: list[str], optimizers: list[str], command: str) -> str:
    by = {(r["optimizer"], r["problem"]): r["regret"][-1] for r in rows}
    problems = sorted({r["problem"] for r in rows}, key=lambda s: (s.split(":")[0], s))
    final = np.array([[by[(o, p)] for o in optimizers] for p in problems])  # (problems, opts)
    ranks = np.array([rankdata(row) for row in final])
    mean_rank = ranks.mean(axis=0)
    cpu = {o: sum(r["cpu_time"] for r in rows if r["optimizer"] == o) for o in optimizers}
    lines = [
        f"# Landscapes: {len(problems)} (class, instance) pairs, one run each",
        "",
        "```",
        command,
        "```",
        "",
        f"{len(classes)} classes x {len(problems) // len(classes)} instances, dimension and "
        f"budget: {rows[0]['problem'].split(':')[1].split(',')[0]}, "
        f"{rows[0]['n_trials']} evaluations. Seeds paired (seed = instance). Regret "
        "`min_t f(x_t) - f_opt`; f_opt exact.",
        "",
        "## Mean rank (1 = best final regret on a pair; ties averaged)",
        "",
        "| optimizer | mean rank | fraction of targets reached | CPU s (all runs) |",
        "|---|---|---|---|",
    ]
    for j, o in enumerate(optimizers):
        reached = np.mean([[by[(o, p)] <= t for t in TARGETS] for p in problems])
        lines.append(f"| {o} | {mean_rank[j]:.2f} | {reached:.3f} | {cpu[o]:.1f} |")
    if len(optimizers) > 2:
        stat, pvalue = friedmanchisquare(*final.T)
        lines += [
            "",
            f"Friedman test over the {len(problems)} pairs: chi2 = {stat:.1f}, p = {pvalue:.2g}.",
        ]
    lines += [
        "",
        "## Median log10 final regret per class (over instances)",
        "",
        "| class | " + " | ".join(optimizers) + " |",
        "|---|" + "---|" * len(optimizers),
    ]
    for c in classes:
        cells = []
        for o in optimizers:
            regrets = [by[(o, p)] for p in problems if p.split(":")[0] == c]
            cells.append(f"{np.median(np.log10(np.maximum(regrets, 1e-300))):.2f}")
        best = min(float(x) for x in cells)
        cells = [f"**{x}**" if float(x) == best else x for x in cells]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Fraction of targets reached per class (51 targets 1e2 .. 1e-8)",
        "",
        "| class | " + " | ".join(optimizers) + " |",
        "|---|" + "---|" * len(optimizers),
    ]
    for c in classes:
        ps = [p for p in problems if p.split(":")[0] == c]
        cells = [
            f"{np.mean([[by[(o, p)] <= t for t in TARGETS] for p in ps]):.3f}" for o in optimizers
        ]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=5)
    parser.add_argument("--budget", type=int, default=20, help="evaluations per dimension")
    parser.add_argument("--instances", default="1-5", help='"1-5" or "1,3,7"')
    parser.add_argument("--optimizers", nargs="+", default=list(OPTIMIZERS))
    parser.add_argument("--classes", nargs="+", default=list(CLASSES))
    parser.add_argument("--tag", required=True)
    parser.add_argument(
        "--variants",
        default="{}",
        help='JSON {label: {"optimizer": name, ...options}}: extra columns for ablations, '
        'e.g. \'{"ga-sbx": {"optimizer": "ga", "variation": {"recombination": "sbx"}}}\'',
    )
    args = parser.parse_args(argv)
    variants = {
        label: (opts.pop("optimizer", "ga"), opts)
        for label, opts in json.loads(args.variants).items()
    }
    names = [*args.optimizers, *variants]
    command = "python benchmarks/compare_landscapes.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    n_trials = args.budget * args.dim
    RESULTS.mkdir(parents=True, exist_ok=True)
    journal = RESULTS / f"{args.tag}.jsonl"
    done = {}
    if journal.exists():  # resume
        for line in journal.read_text().splitlines():
            row = json.loads(line)
            done[(row["optimizer"], row["problem"], row["seed"])] = row
    rows = []
    with open(journal, "a") as out:
        for c in args.classes:
            for k in parse_range(args.instances):
                spec = f"{c}:dim={args.dim},instance={k}"
                for name in names:
                    row = done.get((name, spec, k))
                    if row is None:
                        row = run_one(name, spec, k, n_trials, args.dim, variants.get(name))
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                        print(
                            f"{name:12s} {spec:45s} log10 regret "
                            f"{np.log10(max(row['regret'][-1], 1e-300)):6.2f} "
                            f"cpu {row['cpu_time']:.1f}s",
                            flush=True,
                        )
                    rows.append(row)
    summary = summarize(rows, args.classes, names, command)
    (RESULTS / f"{args.tag}.md").write_text(summary)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
