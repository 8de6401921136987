"""The ``hpo`` command: list what exists, run one optimizer, run and report a study.

::

    hpo list
    hpo run --optimizer random --problem branin --n-trials 50 --seed 0 [--json trials.json]
            [--option key=value ...]
    hpo bench quick --out results/quick [--jobs N] [--scheduler ADDRESS] [--seeds N]
              [--n-trials N]
    hpo report results/quick
    hpo analyze trials.json --out analysis [--run N] [--seed N]

Bad input gets one line on stderr (``hpo: error: ...``) and exit status 2 before any work;
runs that fail get exit status 1; a study interrupted (Ctrl-C, SIGINT) gets 130 and one
terminated (SIGTERM) 143, after stopping its workers: rerun the command to resume.
"""

from __future__ import annotations

import argparse
import ast
import math
import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["main"]

JOURNAL = "journal.jsonl"
_PEERS_HINT = 'pip install -e ".[peers]"'


class UsageError(Exception):
    """Bad input: reported as one line, exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it stops a study as Ctrl-C does."""


def _terminate(signum: int, frame: Any) -> NoReturn:
    raise Terminated


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise UsageError(f"{message} (see {self.prog} --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _option(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        value = raw.strip()
    return key.strip(), value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hpo", description="Hyperparameter optimization from scratch.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="name the optimizers and problems")

    run = sub.add_parser("run", help="run one optimizer on one problem")
    run.add_argument("--optimizer", required=True, help="an optimizer name (see hpo list)")
    run.add_argument("--problem", required=True, help='a problem spec, e.g. "ackley:dim=5"')
    run.add_argument(
        "--n-trials", type=_positive_int, help="budget (default 50; with --budget, a cap)"
    )
    run.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    run.add_argument(
        "--budget",
        type=_positive_float,
        help="total cost in full-training equivalents (the problem's fidelity; multi-fidelity "
        "optimizers such as hyperband need it); replaces --n-trials as the budget",
    )
    run.add_argument(
        "--workers",
        type=_positive_int,
        help="virtual workers: run in simulated time (each evaluation lasts its cost)",
    )
    run.add_argument("--json", type=Path, help="write the run (every trial) to this JSON file")
    run.add_argument(
        "--option",
        type=_option,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an optimizer option (a Python literal or a string); repeatable",
    )

    bench = sub.add_parser("bench", help="run (or resume) a study and write its report")
    bench.add_argument("study", help="a built-in study (quick, paper) or a study file")
    bench.add_argument("--out", type=Path, required=True, help="output directory")
    bench.add_argument("--jobs", type=_positive_int, help="local worker processes (default: all)")
    bench.add_argument("--scheduler", help="run on the Dask scheduler at this address instead")
    bench.add_argument("--seeds", type=_positive_int, help="use seeds 0..N-1 for every problem")
    bench.add_argument("--n-trials", type=_positive_int, help="use this budget for every problem")
    bench.add_argument(
        "--budget",
        type=_positive_float,
        help="use this cost budget (full-training equivalents) for every problem",
    )

    report = sub.add_parser("report", help="write the tables and figures of a study directory")
    report.add_argument("out", type=Path, help="the --out directory of hpo bench")

    analyze = sub.add_parser("analyze", help="explain one run: importances and figures")
    analyze.add_argument("trials", type=Path, help="an hpo run --json file or a study journal")
    analyze.add_argument("--out", type=Path, required=True, help="output directory")
    analyze.add_argument("--run", type=_seed, default=0, help="run of a journal (default 0)")
    analyze.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    return parser


def _first_line(obj: Any) -> str:
    doc = (getattr(obj, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def _cmd_list(args: argparse.Namespace) -> int:
    from hpo.optimizers import MULTI_FIDELITY_OPTIMIZERS, OPTIMIZERS
    from hpo.problems import list_problems

    print("optimizers:")
    for name, cls in OPTIMIZERS.items():
        print(f"  {name:<12} {_first_line(cls)}")
    print("multi-fidelity optimizers (problems with a fidelity; hpo run --budget N):")
    for name, cls in MULTI_FIDELITY_OPTIMIZERS.items():
        print(f"  {name:<12} {_first_line(cls)}")
    try:
        from hpo import peers
    except ImportError:
        peers = None
    if peers is not None:
        print(f"peers (the peers extra: {_PEERS_HINT}):")
        for name, cls in peers.PEERS.items():
            status = "installed" if peers.available(name) else "not installed"
            print(f"  {name:<12} [{status}] {_first_line(cls)}")
    print('problems (arguments as a spec: "ackley:dim=5,shift=0"):')
    for name in list_problems():
        print(f"  {name}")
    return 0


def _make_progress(unit: str, total: int, initial: int = 0, desc: str = "") -> Any:
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit=unit, desc=desc, file=sys.stderr, leave=True)


def _cmd_run(args: argparse.Namespace) -> int:
    from hpo.bench.journal import dumps
    from hpo.bench.runner import execute_run
    from hpo.bench.study import Study, check_study

    options = dict(args.option)
    entry = {"name": args.optimizer, "options": options}
    multi = args.budget is not None or args.workers is not None
    n_trials = args.n_trials or (None if args.budget is not None else 50)
    study = Study.build(
        [entry],
        [args.problem],
        [args.seed],
        n_trials,
        budget=args.budget,
        workers=None if args.workers is None else [args.workers],
    )
    study = check_study(study)
    if args.json is not None:
        _check_writable(args.json.parent if str(args.json.parent) else Path("."))
    (run,) = study.runs()
    if multi:
        return _run_multi_fidelity(run, args)
    bar = _make_progress("trial", run.n_trials, desc=f"{args.optimizer} on {run.problem_name}")

    def progress(trial: Any, optimizer: Any) -> None:
        bar.update(1)
        if optimizer.n_objectives > 1:  # no single best: show the size of the front
            bar.set_postfix(front=len(optimizer.pareto_front), refresh=False)
        elif optimizer.best is not None:
            bar.set_postfix(best=f"{optimizer.best.value:.6g}", refresh=False)

    try:
        record = execute_run(run, callbacks=[progress])
    finally:
        bar.close()
    ok = [t for t in record.trials if t["status"] == "complete"]
    n_failed = len(record.trials) - len(ok)
    if record.meta.get("stopped") == "exhausted":
        print(f"{args.optimizer} ran out of configurations after {len(record.trials)} trials")
    if n_failed:
        print(f"{n_failed} of {len(record.trials)} trials failed")
    if not ok:
        print("no trial completed")
        return 1
    if record.n_objectives > 1:  # several objectives: the front, not one best
        _print_front(record, ok)
        best = None
    else:
        best = min(ok, key=lambda t: t["value"])
        _print_best(record, best)
    if args.json is not None:
        data = record.to_dict()
        if best is not None:
            data = {"best_params": best["params"], "best_value": best["value"], **data}
        try:
            args.json.write_text(dumps(data) + "\n")
        except OSError as err:
            raise UsageError(f"--json {args.json}: cannot write ({err.strerror})") from None
        print(f"wrote {len(record.trials)} trials to {args.json}")
    return 0


def _print_best(record: Any, best: dict[str, Any]) -> None:
    print(f"best value: {best['value']:.10g} (trial {best['number']})")
    if record.optimum is not None:
        print(f"known optimum: {record.optimum:.10g}, regret {best['value'] - record.optimum:.4g}")
    print("best configuration:")
    for name, value in best["params"].items():
        print(f"  {name} = {value!r}")


def _print_front(record: Any, ok: list[dict[str, Any]]) -> None:
    """The non-dominated completed trials of a multi-objective run, and their hypervolume."""
    import numpy as np

    from hpo.moo import hypervolume, is_non_dominated

    points = np.array([t["value"] for t in ok], dtype=float)
    front = [t for t, keep in zip(ok, is_non_dominated(points)) if keep]
    front.sort(key=lambda t: tuple(t["value"]))
    hv = hypervolume(points[is_non_dominated(points)], record.reference_point)
    line = f"Pareto front: {len(front)} of {len(ok)} completed trials; hypervolume {hv:.6g}"
    if record.max_hypervolume is not None:
        line += f" (maximum {record.max_hypervolume:.6g})"
    print(line)
    for t in front:
        values = ", ".join(f"{v:.6g}" for v in t["value"])
        print(f"  trial {t['number']}: ({values})")


def _run_multi_fidelity(run: Any, args: argparse.Namespace) -> int:
    """``hpo run --budget/--workers``: a cost-budgeted run in simulated time."""
    from hpo.bench.journal import dumps
    from hpo.bench.runner import execute_run

    record = execute_run(run)
    meta = record.meta
    n_failed = sum(t["status"] != "complete" for t in record.trials)
    unit = 1.0 if record.fidelity is None else float(record.fidelity["high"])
    workers = record.workers or 1
    print(
        f"{len(record.trials)} trials, total cost {meta['total_cost'] / unit:.4g} full-training "
        f"equivalents, simulated time {meta['simulated_time'] / unit:.4g} with {workers} "
        f"worker{'s' * (workers != 1)}"
    )
    if n_failed:
        print(f"{n_failed} of {len(record.trials)} trials failed")
    if "final_loss" not in meta:
        print("no trial completed" if "final_error" not in meta else meta["final_error"])
        return 1
    print(f"final loss at full fidelity: {meta['final_loss']:.10g}")
    if record.optimum is not None:
        regret = meta["final_loss"] - record.optimum
        print(f"known optimum: {record.optimum:.10g}, regret {regret:.4g}")
    if args.json is not None:
        try:
            args.json.write_text(dumps(record.to_dict()) + "\n")
        except OSError as err:
            raise UsageError(f"--json {args.json}: cannot write ({err.strerror})") from None
        print(f"wrote {len(record.trials)} trials to {args.json}")
    return 0


def _check_writable(directory: Path) -> None:
    """Create ``directory`` if needed and make sure files can be written in it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".hpo-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise UsageError(
            f"output directory {str(directory)!r} is not writable ({err.strerror or err})"
        ) from None


def _cmd_bench(args: argparse.Namespace) -> int:
    from hpo.bench.executors import DaskExecutor
    from hpo.bench.runner import RunFailed, run_study
    from hpo.bench.study import check_study, find_study, load_study

    path = find_study(args.study)
    study = load_study(path).with_overrides(
        seeds=args.seeds, n_trials=args.n_trials, budget=args.budget
    )
    study = check_study(study)
    _check_writable(args.out)
    if args.scheduler and args.jobs:
        raise UsageError("give --jobs or --scheduler, not both")
    executor = None
    if args.scheduler:
        try:
            executor = DaskExecutor(args.scheduler)
        except (ImportError, OSError, ValueError) as err:
            raise UsageError(f"--scheduler: {err}") from None
    bar = None

    def progress(n_done: int, n_total: int, record: Any) -> None:
        nonlocal bar
        if bar is None:
            bar = _make_progress("run", n_total, initial=n_done, desc=path.stem)
            if n_done:
                bar.write(
                    f"resuming: {n_done} of {n_total} runs already in {args.out / JOURNAL}",
                    file=sys.stderr,
                )
        else:
            bar.set_postfix_str(f"{record.optimizer} on {record.problem}, seed {record.seed}")
            bar.update(1)

    start = time.perf_counter()
    try:
        records = run_study(
            study,
            journal=args.out / JOURNAL,
            executor=executor,
            n_jobs=args.jobs,
            progress=progress,
        )
    except RunFailed as err:
        print(f"hpo: error: {err}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
        if executor is not None:
            executor.close()
    print(f"{len(records)} runs in {args.out / JOURNAL} ({time.perf_counter() - start:.1f} s)")
    return _report(records, args.out, [o.label for o in study.optimizers])


def _report(records: list[Any], out: Path, order: list[str] | None = None) -> int:
    """Print the summary and write the report, optimizers in the study's ``order``."""
    from hpo.bench.report import summary_table, write_report

    print(summary_table(records, order))
    paths = write_report(records, out, references=_references(records), order=order)
    print(f"wrote {len(paths)} files to {out}")
    return 0


def _references(records: list[Any]) -> dict[str, Any]:
    """Reference values (best known loss, random-search quantiles) of the real tasks in
    ``records`` that have them, for Bayesmark's normalized score."""
    try:
        from hpo.problems.conditional import reference as conditional_reference
        from hpo.problems.mlp import reference
    except ImportError:
        return {}
    found = {}
    for problem in sorted({r.problem for r in records if r.optimum is None}):
        for lookup in (reference, conditional_reference):  # MLP tasks, conditional tasks
            try:
                ref = lookup(problem)
                break
            except (ValueError, OSError):  # no reference values here (or none shipped)
                continue
        else:
            continue
        found[problem] = {"best_known": ref["best_known"], "random_median": ref["random_median"]}
    return found


def _cmd_report(args: argparse.Namespace) -> int:
    from hpo.bench.journal import read_journal

    path = args.out / JOURNAL if args.out.is_dir() else args.out
    if not path.is_file():
        raise UsageError(f"no study journal at {str(path)!r} (run hpo bench --out DIR first)")
    header, records = read_journal(path)
    if not records:
        raise UsageError(f"{path}: no finished run yet")
    _check_writable(path.parent)
    try:  # the study's optimizer order, as the header records it
        order = [str(o["label"]) for o in header["study"]["optimizers"]]  # type: ignore[index]
    except (KeyError, TypeError):
        order = []
    return _report(records, path.parent, order or None)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from hpo.analysis.report import write_analysis

    if not args.trials.exists():
        raise UsageError(f"no trials file at {str(args.trials)!r} (hpo run --json writes one)")
    _check_writable(args.out)
    paths = write_analysis(args.trials, args.out, run=args.run, seed=args.seed)
    print(paths[0].read_text(), end="")
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


def _show_warning(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
    print(f"hpo: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``hpo`` console script; returns the exit status."""
    from hpo.bench.journal import JournalError

    commands = {"list": _cmd_list, "run": _cmd_run, "bench": _cmd_bench, "report": _cmd_report}
    commands["analyze"] = _cmd_analyze
    warnings.showwarning = _show_warning
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    try:
        args = _parser().parse_args(argv)
        return commands[args.command](args)
    except (UsageError, JournalError, ValueError, TypeError, ImportError) as err:
        # StudyError is a ValueError; optimizers and problems refuse bad input with these.
        print(f"hpo: error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        print(f"hpo: error: {err}", file=sys.stderr)
        return 2
    except Terminated:
        print("hpo: terminated; rerun the same command to resume", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("hpo: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    finally:
        if in_main:  # None: the handler was not set from Python, i.e. the default one
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
