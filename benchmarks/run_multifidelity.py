"""Run a part of a study into its journal: some optimizer labels, problems in a given order.

``hpo bench`` runs a whole study; this runs the subset chosen by ``--only``/``--skip`` (labels)
into the same journal (same header, so ``hpo bench`` or a later call resumes the rest), problem
by problem in the order given by ``--problems`` (default: the study's). Used for the full
multi-fidelity study, whose GP-Hyperband runs waited for a fix of that optimizer.

    OMP_NUM_THREADS=1 python benchmarks/run_multifidelity.py multifidelity \\
        --out benchmarks/results/multifidelity/full --jobs 2 --skip gp-hyperband gp-hyperband@8w
"""

import argparse
import contextlib
import time
from pathlib import Path

from hpo.bench.executors import make_executor
from hpo.bench.journal import Journal, normalize
from hpo.bench.records import RunRecord
from hpo.bench.runner import execute_run
from hpo.bench.study import check_study, find_study, load_study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="optimizer labels to run (default: all)")
    parser.add_argument("--skip", nargs="*", default=[], help="optimizer labels not to run")
    parser.add_argument("--problems", nargs="*", help="problem names, in the order to run")
    parser.add_argument("--seeds", nargs="*", type=int, help="seeds to run (default: all)")
    args = parser.parse_args()
    study = check_study(load_study(find_study(args.study)))
    args.out.mkdir(parents=True, exist_ok=True)
    order = args.problems or [p.spec for p in study.problems]
    runs = [
        r
        for r in study.runs()
        if (args.only is None or r.label in args.only)
        and r.label not in args.skip
        and r.problem_name in order
        and (args.seeds is None or r.seed in args.seeds)
    ]
    runs.sort(key=lambda r: order.index(r.problem_name))  # stable: seed, optimizer inside
    with Journal(args.out / "journal.jsonl", study.to_dict()) as book:
        done = {r.key for r in book.records}
        todo = [r for r in runs if r.key not in done]
        print(f"{len(todo)} runs to do ({len(runs) - len(todo)} of the subset done)", flush=True)
        pool, _ = make_executor(None, args.jobs)
        start = time.perf_counter()
        try:
            with contextlib.closing(pool.map_unordered(execute_run, todo)) as outcomes:
                for i, (run, outcome) in enumerate(outcomes, 1):
                    if isinstance(outcome, BaseException):
                        print(f"FAILED {run.key}: {outcome!r}", flush=True)
                        continue
                    book.append(RunRecord.from_dict(normalize(outcome.to_dict())))
                    print(
                        f"{i}/{len(todo)} {run.key} {outcome.wall_time:.1f} s "
                        f"(elapsed {time.perf_counter() - start:.0f} s)",
                        flush=True,
                    )
        finally:
            pool.close()


if __name__ == "__main__":
    main()
