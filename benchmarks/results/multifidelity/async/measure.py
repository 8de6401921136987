"""Asynchronous vs synchronous GP-Hyperband with simulated workers, run by run.

    OMP_NUM_THREADS=1 nice -n 5 python benchmarks/results/multifidelity/async/measure.py \\
        OUT.jsonl --problems augmented_hartmann --seeds 0 1 2 \\
        --variants gp-hyperband:1 async-gp-hyperband:8:budget=60

Each variant is ``optimizer:workers`` plus optional ``:key=value`` constructor options (JSON
values; ``budget`` overrides ``--budget``, in full-training equivalents; ``exclude_seen=true``
sets the ablation switch of that name of the optimizer's class for the run). Every run is the
study's (:func:`hpo.bench.mfrun.execute_mf_run`: the problem's fidelity, the cost budget,
``hpo.simulate`` with k virtual workers). The record's label is the variant's text. One
JSON record per line is appended, so an interrupted job keeps what it finished.
"""

from __future__ import annotations

import argparse
import json
import time

from hpo.bench.mfrun import execute_mf_run
from hpo.bench.study import RunSpec
from hpo.gp.config import DEFAULTS_BEFORE_2026_12_01
from hpo.optimizers import MULTI_FIDELITY_OPTIMIZERS


def parse_variant(text: str) -> tuple[str, str, int, dict]:
    name, workers, *rest = text.split(":")
    options: dict = {}
    for item in rest:
        key, value = item.split("=")
        options[key] = json.loads(value)
    return text, name, int(workers), options


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--problems", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, required=True)
    parser.add_argument("--variants", nargs="+", required=True)
    parser.add_argument(
        "--gp-before-issue16",
        action="store_true",
        help="fit and search the GP as before 2026-12-01 (GPConfig(fit_restarts='always', "
        "search_batch='stacked')), as every record in this directory was made",
    )
    parser.add_argument("--budget", type=float, default=30.0)
    args = parser.parse_args()
    for problem in args.problems:
        for seed in args.seeds:
            for label, name, workers, options in map(parse_variant, args.variants):
                options = dict(options)
                budget = options.pop("budget", args.budget)
                cls = MULTI_FIDELITY_OPTIMIZERS.get(name)
                if cls is not None and hasattr(cls, "_exclude_seen"):
                    cls._exclude_seen = options.pop("exclude_seen", False)
                if options.pop("start_at_model", False):  # the first name of start="model"
                    options["start"] = "model"
                if args.gp_before_issue16:
                    options["gp"] = dict(DEFAULTS_BEFORE_2026_12_01)
                spec = RunSpec(label, name, options, problem, seed, 10_000, budget, workers)
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
