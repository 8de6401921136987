"""Final regret of 50-evaluation ``bayes`` runs over problems and seeds, in one process.

For quality checks of settings (regret only: the cells run one after the other, so their
times are not a side-by-side measurement; use ``time_runs_bo.py`` for times). The ``hpo``
on the path is the one measured: give each package copy its own run. Appends JSON lines in
the format of ``time_runs_bo.py`` (``--summarize`` there reads them).

Usage::

    PYTHONPATH=/tmp/copy python benchmarks/regret_runs_bo.py LABEL 40-49 \\
        "branin;hartmann6;levy:dim=6" out.jsonl ['{"search_batch": "independent"}']

The optional fifth argument is a JSON object of ``GPConfig`` fields (``{}`` for none); keys
written ``opt.NAME`` go to the optimizer's constructor instead (as in ``time_runs_bo.py``), such
as ``'{"quadratic": true, "opt.output_warping": "likelihood-every"}'``. The optional sixth is a
JSON object of other ``bayes`` options, e.g. ``'{"trust_region": {"local_model": "shrunk"}}'``.

``--summarize FILE BASE``: per problem and variant, the median final regret against the
variant ``BASE``'s, wins/ties/losses, and a one-sided Wilcoxon signed-rank test paired by seed
on log10 regret (alternative: the variant's regret is larger), as a Markdown table.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

import hpo
from hpo.optimizers import make_optimizer
from hpo.problems import get_problem


def summarize(path: str, base: str) -> str:
    """The per-problem quality check of the module notes, as Markdown."""
    from scipy.stats import wilcoxon

    rows = [json.loads(line) for line in open(path)]
    regret = {(r["variant"], r["problem"], r["seed"]): r["regret"] for r in rows}
    variants = [v for v in dict.fromkeys(r["variant"] for r in rows) if v != base]
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    out = [
        f"| variant | problem | pairs | median regret | {base} median | wins/ties/losses "
        f"vs {base} | p (one-sided, log10 regret) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for v in variants:
        for p in problems:
            seeds = sorted(
                s for (w, q, s) in regret if w == v and q == p and (base, p, s) in regret
            )
            if not seeds:
                continue
            new = np.array([regret[(v, p, s)] for s in seeds])
            old = np.array([regret[(base, p, s)] for s in seeds])
            diff = np.log10(np.maximum(new, 1e-12)) - np.log10(np.maximum(old, 1e-12))
            test = wilcoxon(diff, alternative="greater") if np.any(diff) else None
            pv = "all equal" if test is None else f"{test.pvalue:.3f}"
            wins, ties = int(np.sum(new < old)), int(np.sum(new == old))
            out.append(
                f"| {v} | {p} | {len(seeds)} | {np.median(new):.3g} | {np.median(old):.3g} | "
                f"{wins}/{ties}/{len(seeds) - wins - ties} | {pv} |"
            )
    return "\n".join(out)


def main() -> None:
    if sys.argv[1] == "--summarize":
        print(summarize(sys.argv[2], sys.argv[3]))
        return
    label, seeds, problems, out = sys.argv[1], sys.argv[2], sys.argv[3].split(";"), sys.argv[4]
    lo, hi = map(int, seeds.split("-"))
    gp = json.loads(sys.argv[5]) if len(sys.argv) > 5 else None
    extra = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    warnings.simplefilter("ignore")
    with threadpool_limits(limits=1), open(out, "a") as fh:
        for seed in range(lo, hi + 1):
            for name in problems:
                problem = get_problem(name)
                options = {k[4:]: v for k, v in (gp or {}).items() if k.startswith("opt.")}
                fields = {k: v for k, v in (gp or {}).items() if not k.startswith("opt.")}
                options = {**options, **({"gp": fields} if fields else {}), **extra} or None
                opt = make_optimizer("bayes", problem.space, seed=seed, budget=50, options=options)
                best, spent = np.inf, 0.0
                for _ in range(50):
                    t0 = time.perf_counter()
                    p = opt.ask()
                    spent += time.perf_counter() - t0
                    v = problem(p)
                    best = min(best, v)
                    t0 = time.perf_counter()
                    opt.tell(p, v)
                    spent += time.perf_counter() - t0
                row = {
                    "time": spent,
                    "best": float(best),
                    "regret": float(best - problem.optimum),
                    "hpo": hpo.__file__,
                    "variant": label,
                    "problem": name,
                    "seed": seed,
                }
                fh.write(json.dumps(row) + "\n")
                fh.flush()


if __name__ == "__main__":
    main()
