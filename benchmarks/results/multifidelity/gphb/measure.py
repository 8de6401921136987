"""GP-Hyperband with 1 and 8 simulated workers: runs of the reduced study, side by side.

    nice -n 5 python benchmarks/results/multifidelity/gphb/measure.py OUT.jsonl \\
        --problems augmented_hartmann augmented_branin --seeds 0 1 2 --variants 1:believer

Each variant is ``workers:pending`` (the ``pending`` option of GPHyperband), plus optional
``:key=value`` options (JSON values; ``exclude_seen`` sets the class switch of that name
for the run, ``budget`` overrides ``--budget``, ``fast=true`` is ``refit="new-data"`` with
``gp=GPConfig(fit_restarts="adaptive", search_starts=5)``); every run is the study's (by default 30
full-training equivalents, the problem's fidelity, :func:`hpo.bench.mfrun.execute_mf_run`).
One JSON record per line is appended.
"""

from __future__ import annotations

import argparse
import json
import time

from hpo.bench.mfrun import execute_mf_run
from hpo.bench.study import RunSpec
from hpo.optimizers.gp_hyperband import GPHyperband

FAST_MODEL = {"fit_restarts": "adaptive", "search_starts": 5}


def parse_variant(text: str) -> tuple[str, int, dict]:
    workers, pending, *rest = text.split(":")
    options: dict = {"pending": pending}
    for item in rest:
        key, value = item.split("=")
        options[key] = json.loads(value)
    return text, int(workers), options


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--problems", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, required=True)
    parser.add_argument("--variants", nargs="+", required=True)
    parser.add_argument("--budget", type=float, default=30.0)
    args = parser.parse_args()
    for seed in args.seeds:
        for problem in args.problems:
            for label, workers, options in map(parse_variant, args.variants):
                options = dict(options)
                GPHyperband._exclude_seen = options.pop("exclude_seen", False)
                budget = options.pop("budget", args.budget)
                if options.pop("fast", False):
                    options |= {"refit": "new-data", "gp": FAST_MODEL}
                spec = RunSpec(
                    label, "gp-hyperband", options, problem, seed, 10_000, budget, workers
                )
                start = time.perf_counter()
                record = execute_mf_run(spec)
                elapsed = time.perf_counter() - start
                with open(args.out, "a", encoding="utf-8") as f:
                    f.write(json.dumps(record.to_dict()) + "\n")
                final = record.meta.get("final_loss")
                print(
                    f"{problem} seed {seed} {label}: final {final} in {elapsed:.1f} s", flush=True
                )


if __name__ == "__main__":
    main()
