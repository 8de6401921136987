"""Run the ``multiobjective`` study (or some of its optimizers) into its committed journal.

The peers and hpo's NSGA-II and random search do not depend on the GP optimizer's code, so
they can run first (``--only random,ga,optuna-gp``); the journal holds the whole study, and a
later run without ``--only`` (or ``hpo bench multiobjective --out ...``) resumes it with the
remaining runs and writes the report::

    nohup python benchmarks/run_moo_study.py --only random,ga,optuna-gp --jobs 2 > log 2>&1 &
    python benchmarks/run_moo_study.py --jobs 2 --first bayes

Runs are started seed by seed across the problems (the runs of ``--first`` labels before
all others), so that a study cut short holds every problem on its first seeds. The order
changes nothing in the records: every run is independent and deterministic.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from hpo.bench.executors import ProcessExecutor, SerialExecutor  # noqa: E402
from hpo.bench.journal import read_journal  # noqa: E402
from hpo.bench.motables import baseline_records  # noqa: E402
from hpo.bench.report import summary_table, write_report  # noqa: E402
from hpo.bench.runner import run_study  # noqa: E402
from hpo.bench.study import check_study, find_study, load_study  # noqa: E402
from hpo.bench.summaries import study_traces  # noqa: E402

OUT = Path(__file__).parent / "results" / "moo" / "study"


class SeedMajor:
    """An executor that starts runs in the order ``(not in first, seed, problem)``."""

    def __init__(self, inner, problems: list[str], first: set[str]) -> None:
        self.inner, self.problems, self.first = inner, problems, first

    def map_unordered(self, fn, items):
        def key(run):
            return (run.label not in self.first, run.seed, self.problems.index(run.problem_name))

        return self.inner.map_unordered(fn, sorted(items, key=key))

    def close(self) -> None:
        self.inner.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="comma-separated optimizer labels (default: all)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--first", default="", help="comma-separated labels to run first")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--report-only", action="store_true", help="write the report of the journal as it is"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        report(args.out)
        return
    study = load_study(find_study("multiobjective"))
    only = None if args.only is None else args.only.split(",")
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()

    def progress(n_done, n_total, record):
        if record is not None:
            print(
                f"{time.strftime('%H:%M:%S')} {n_done}/{n_total} {record.optimizer} on "
                f"{record.problem} seed {record.seed}: {record.wall_time:.1f} s",
                flush=True,
            )

    problems = [p.spec for p in check_study(study).problems]
    inner = SerialExecutor() if args.jobs == 1 else ProcessExecutor(args.jobs)
    executor = SeedMajor(inner, problems, set(filter(None, args.first.split(","))))
    try:
        records = run_study(
            study,
            journal=args.out / "journal.jsonl",
            executor=executor,
            progress=progress,
            only=only,
        )
    finally:
        executor.close()
    print(f"{len(records)} runs ({time.perf_counter() - start:.0f} s)", flush=True)
    if only is None:
        report(args.out)


def report(out: Path) -> None:
    """The study's report (PNG figures) and ``targets.md``, the issue's BO targets, from the
    journal in ``out`` (``journal.jsonl``, or ``journal.jsonl.gz`` once compressed)."""
    path = out / "journal.jsonl"
    header, records = read_journal(path if path.is_file() else out / "journal.jsonl.gz")
    order = [o["label"] for o in header["study"]["optimizers"]]
    print(summary_table(records, order))
    write_report(records, out, order=order, formats=("png",))
    study = study_traces(records, order)
    rows = baseline_records(study, "bayes", ["optuna-gp", "random"])
    planned = sum(len(p["seeds"]) for p in header["study"]["problems"]) * len(order)
    lines = [
        "# Issue 11 BO targets on the multiobjective study",
        "",
        f"{len(records)} runs of the {planned} planned. Median final hypervolume regret over "
        "the seeds both ran; "
        "p: two-sided Wilcoxon signed-rank test of the paired regrets.",
        "",
        "| problem | seeds | bayes | other | median | bayes w/t/l | p |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['problem']} | {r['n_seeds']} | {r['baseline_median']:.4g} | {r['other']} | "
            f"{r['other_median']:.4g} | {r['wins']}/{r['ties']}/{r['losses']} | {r['p']:.2g} |"
        )
    lines.append("")
    for other, need in (("optuna-gp", 3), ("random", 4)):
        mine = [r for r in rows if r["other"] == other]
        below = [r["problem"] for r in mine if r["baseline_median"] < r["other_median"]]
        verdict = "met" if len(below) >= need and len(mine) == 4 else "NOT met"
        lines.append(
            f"- bayes below {other} on {len(below)} of {len(mine)} problems "
            f"({', '.join(below) or 'none'}); target at least {need} of 4: {verdict}."
        )
    (out / "targets.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
