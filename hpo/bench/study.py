"""Study definitions: which optimizers run on which problems, with which seeds and budget.

A study is optimizers x problems x seeds, each run with ``n_trials`` evaluations. Optimizers
are labelled entries (``label``, registered ``name``, constructor ``options``) so that one
study can compare, say, ``bayes`` with and without an option. A problem may override the
study's ``n_trials`` and ``seeds`` (expensive real tasks get fewer).

Study files are TOML (the built-in ones, shipped in ``hpo/bench/studies/``, are examples)::

    description = "what the study shows"
    n_trials = 50
    seeds = 5                       # 0..4, or an explicit list [0, 3, 7]
    problems = [
        "branin",
        "ackley:dim=2,shift=0",     # a spec: get_problem("ackley", dim=2, shift=0)
        { problem = "hartmann6", n_trials = 100, seeds = 3 },
    ]

    [[optimizers]]
    name = "random"

    [[optimizers]]
    label = "random-sobol"          # defaults to name; labels must differ
    name = "random"
    options = { design = "sobol" }

    [[optimizers]]
    name = "skopt-gp"
    max_seeds = 5                   # expensive: only the first 5 seeds of each problem

Multi-fidelity studies give a total cost instead of (or besides) a trial count: ``budget = 30``
means 30 full-training equivalents, ``30 * fidelity.high`` resource units of each problem's
fidelity (a problem entry may override it; a problem without a fidelity counts evaluations).
Every optimizer then gets the problem's fidelity (single-fidelity ones always ask the full
budget), a run stops once its cost is spent, and each trial records its cost. ``workers =
[1, 8]`` runs every optimizer with each count of virtual workers in simulated time
(:mod:`hpo.simulate`; deterministic); the entry for ``k > 1`` workers is labelled
``"<label>@<k>w"``. An optimizer table may give its own ``workers = [1, 8]`` (the study's
list otherwise). ``n_trials`` is then only a cap on the trials of a run (default
:data:`MF_MAX_TRIALS`)::

    budget = 30                     # full-training equivalents
    workers = [1, 8]
    seeds = 10
    problems = ["augmented_hartmann", { problem = "lc_mlp_adam_iris_logloss", budget = 20 }]

A run's budget is at most :data:`MAX_TRIALS` evaluations (a run's record keeps every trial),
a count of seeds at most :data:`MAX_SEEDS`, and a seed below ``2**63``.

:func:`load_study` reads and checks a file's structure; :func:`check_study` then builds every
problem and optimizer once, so that an unknown name, a bad option or a missing peer library
is refused before any work starts.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hpo.problems import Problem, get_problem, list_problems, parse_spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "OptimizerEntry",
    "ProblemEntry",
    "RunSpec",
    "Study",
    "StudyError",
    "check_study",
    "find_study",
    "load_study",
]

_FILE_KEYS = {"description", "n_trials", "seeds", "problems", "optimizers", "budget", "workers"}
_OPTIMIZER_KEYS = {"label", "name", "options", "max_seeds", "workers"}
_PROBLEM_KEYS = {"problem", "n_trials", "seeds", "budget"}


class StudyError(ValueError):
    """A study definition is invalid; the message is one line naming the culprit."""


@dataclass(frozen=True)
class OptimizerEntry:
    """One competitor: ``make_optimizer(name, space, seed=..., budget=..., options=options)``
    under the name ``label`` in tables and figures. An expensive one may run only the first
    ``max_seeds`` seeds of each problem (still paired with the others on those)."""

    label: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    max_seeds: int | None = None
    workers: int | None = None  # virtual workers of a simulated run (studies with ``workers``)
    worker_counts: tuple[int, ...] | None = None  # this entry's own ``workers`` list, if given


@dataclass(frozen=True)
class ProblemEntry:
    """A problem (a spec such as ``"ackley:dim=5,shift=0"``, or a :class:`Problem`), with
    optional overrides of the study's ``n_trials`` and ``seeds``."""

    problem: str | Problem
    n_trials: int | None = None
    seeds: tuple[int, ...] | None = None
    budget: float | None = None  # total cost in full-training equivalents

    @property
    def spec(self) -> str:
        return self.problem if isinstance(self.problem, str) else self.problem.name


@dataclass(frozen=True)
class RunSpec:
    """One (optimizer, problem, seed) run, everything a worker needs to do it.

    ``problem`` is the problem's spec (the worker rebuilds it with ``get_problem``), or the
    :class:`Problem` itself when it is not a registered one.
    """

    label: str
    optimizer: str
    options: dict[str, Any]
    problem: str | Problem
    seed: int
    n_trials: int
    budget: float | None = None  # total cost in full-training equivalents (None: n_trials)
    workers: int | None = None  # virtual workers (simulated time), None: not simulated

    @property
    def problem_name(self) -> str:
        return self.problem if isinstance(self.problem, str) else self.problem.name

    @property
    def key(self) -> tuple[str, str, int]:
        """``(label, problem, seed)``, as :attr:`hpo.bench.records.RunRecord.key`."""
        return (self.label, self.problem_name, self.seed)


#: The largest budget of a run: a run's record keeps every trial (a few hundred bytes each),
#: so a larger one could never be journaled, and would only hang before its first trial.
MAX_TRIALS = 1_000_000
#: The most seeds a study may give as a count (``seeds = N``), and the largest seed: seeds
#: are stored as 64-bit integers by the statistics.
MAX_SEEDS = 100_000
MAX_SEED = 2**63 - 1
#: The cap on the trials of a run with a cost ``budget`` and no ``n_trials``.
MF_MAX_TRIALS = 10_000
#: The largest cost budget, in full-training equivalents, and the most virtual workers.
MAX_BUDGET = 100_000
MAX_WORKERS = 1024


def _positive_int(value: Any, where: str, maximum: int | None = None) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise StudyError(f"{where} must be a positive integer, got {value!r}")
    if maximum is not None and value > maximum:
        raise StudyError(f"{where} must be at most {maximum:,}, got {value:,}")
    return int(value)


def _n_trials(value: Any, where: str) -> int:
    return _positive_int(value, where, MAX_TRIALS)


def _seeds(value: Any, where: str) -> tuple[int, ...]:
    """``N`` means seeds ``0 .. N-1``; a list gives them explicitly."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return tuple(range(_positive_int(value, where, MAX_SEEDS)))
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise StudyError(f"{where} must be a positive integer or a list of seeds, got {value!r}")
    seeds = tuple(value)
    bad = [s for s in seeds if not isinstance(s, numbers.Integral) or isinstance(s, bool) or s < 0]
    if not seeds or bad:
        raise StudyError(f"{where} must hold non-negative integers, got {list(seeds)!r}")
    if max(seeds) > MAX_SEED:
        raise StudyError(f"{where}: a seed must be at most 2**63 - 1, got {max(seeds)}")
    if len(set(seeds)) != len(seeds):
        raise StudyError(f"{where} has a repeated seed: {list(seeds)!r}")
    return tuple(int(s) for s in seeds)


def _budget(value: Any, where: str) -> float:
    """A cost budget in full-training equivalents: a number in ``(0, MAX_BUDGET]``."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise StudyError(f"{where} must be a positive number, got {value!r}")
    if not value <= MAX_BUDGET:
        raise StudyError(f"{where} must be at most {MAX_BUDGET:,}, got {value!r}")
    return float(value)


def _workers(value: Any, where: str) -> tuple[int, ...]:
    """Counts of virtual workers: a non-empty list of distinct positive integers."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value]
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise StudyError(f"{where} must be a list of worker counts, got {value!r}")
    counts = tuple(_positive_int(v, where, MAX_WORKERS) for v in value)
    if not counts or len(set(counts)) != len(counts):
        raise StudyError(f"{where} must hold distinct worker counts, got {list(value)!r}")
    return counts


def _with_workers(entries: tuple[OptimizerEntry, ...], workers: tuple[int, ...] | None):
    """Each entry once per worker count (its own ``workers`` if given, else the study's, else
    1); ``k > 1`` workers labelled ``"<label>@<k>w"``, count by count, entries in order."""
    own = [o.worker_counts or workers or (1,) for o in entries]
    counts = list(dict.fromkeys(k for ks in [workers or (), *own] for k in ks))
    return tuple(
        OptimizerEntry(o.label if k == 1 else f"{o.label}@{k}w", o.name, o.options, o.max_seeds, k)
        for k in counts
        for o, ks in zip(entries, own)
        if k in ks
    )


def _optimizer_entry(item: Any, where: str) -> OptimizerEntry:
    if isinstance(item, OptimizerEntry):
        return item
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping):
        raise StudyError(
            f"{where} must be a name or a table with label, name, options, max_seeds, workers"
        )
    unknown = sorted(set(item) - _OPTIMIZER_KEYS)
    if unknown:
        raise StudyError(
            f"{where} has unknown key {unknown[0]!r} "
            "(expected label, name, options, max_seeds, workers)"
        )
    name, options = item.get("name"), item.get("options", {})
    label = item.get("label", name)
    if not isinstance(name, str) or not name:
        raise StudyError(f"{where}.name must be an optimizer name, got {name!r}")
    if not isinstance(label, str) or not label:
        raise StudyError(f"{where}.label must be a non-empty string, got {label!r}")
    if not isinstance(options, Mapping) or not all(isinstance(k, str) for k in options):
        raise StudyError(f"{where}.options must be a table of option = value, got {options!r}")
    max_seeds = item.get("max_seeds")
    if max_seeds is not None:
        max_seeds = _positive_int(max_seeds, f"{where}.max_seeds")
    counts = item.get("workers")
    counts = None if counts is None else _workers(counts, f"{where}.workers")
    return OptimizerEntry(label, name, dict(options), max_seeds, worker_counts=counts)


def _problem_entry(item: Any, where: str) -> ProblemEntry:
    if isinstance(item, ProblemEntry):
        return item
    if isinstance(item, (str, Problem)):
        return ProblemEntry(item)
    if not isinstance(item, Mapping):
        raise StudyError(
            f"{where} must be a problem spec or a table with problem, n_trials, seeds, budget"
        )
    unknown = sorted(set(item) - _PROBLEM_KEYS)
    if unknown:
        raise StudyError(
            f"{where} has unknown key {unknown[0]!r} (expected problem, n_trials, seeds, budget)"
        )
    problem = item.get("problem")
    if not isinstance(problem, (str, Problem)) or not problem:
        raise StudyError(f"{where}.problem must be a problem spec, got {problem!r}")
    n_trials = item.get("n_trials")
    seeds = item.get("seeds")
    budget = item.get("budget")
    return ProblemEntry(
        problem,
        None if n_trials is None else _n_trials(n_trials, f"{where}.n_trials"),
        None if seeds is None else _seeds(seeds, f"{where}.seeds"),
        None if budget is None else _budget(budget, f"{where}.budget"),
    )


@dataclass(frozen=True)
class Study:
    """Optimizers x problems x seeds, ``n_trials`` evaluations per run.

    Build one with :meth:`build` (from loose values) or :func:`load_study` (from a file).
    """

    optimizers: tuple[OptimizerEntry, ...]
    problems: tuple[ProblemEntry, ...]
    seeds: tuple[int, ...]
    n_trials: int
    description: str = ""
    budget: float | None = None
    workers: tuple[int, ...] | None = None

    @classmethod
    def build(
        cls,
        optimizers: Iterable[Any],
        problems: Iterable[Any],
        seeds: int | Iterable[int],
        n_trials: int | None = None,
        description: str = "",
        *,
        budget: float | None = None,
        workers: int | Iterable[int] | None = None,
    ) -> Study:
        """Check and normalize a study given loosely.

        Parameters
        ----------
        optimizers : iterable of str, dict or OptimizerEntry
            A name, or ``{"label": ..., "name": ..., "options": {...}}`` (label defaults to
            the name).
        problems : iterable of str, Problem, dict or ProblemEntry
            A spec, a problem, or ``{"problem": spec, "n_trials": n, "seeds": s}``.
        seeds : int or iterable of int
            ``N`` for seeds ``0 .. N-1``, or the seeds themselves.
        n_trials : int, optional
            Evaluations per run (a problem may override it); with a ``budget``, a cap on
            them (default :data:`MF_MAX_TRIALS`). Required without a budget.
        budget : float, optional
            Total cost per run in full-training equivalents (see the module docstring).
        workers : int or iterable of int, optional
            Virtual worker counts: each optimizer runs in simulated time with each.

        Raises
        ------
        StudyError
            For a malformed entry, or two optimizers with one label.
        """
        if isinstance(optimizers, (str, Mapping)) or not isinstance(optimizers, Iterable):
            raise StudyError("optimizers must be a list of optimizer entries")
        if isinstance(problems, (str, Mapping, Problem)) or not isinstance(problems, Iterable):
            raise StudyError("problems must be a list of problem specs")
        opts = tuple(_optimizer_entry(o, f"optimizers[{i}]") for i, o in enumerate(optimizers))
        probs = tuple(_problem_entry(p, f"problems[{i}]") for i, p in enumerate(problems))
        if not opts:
            raise StudyError("optimizers must name at least one optimizer")
        if not probs:
            raise StudyError("problems must name at least one problem")
        labels = [o.label for o in opts]
        for label in labels:
            if labels.count(label) > 1:
                raise StudyError(
                    f"optimizers: label {label!r} is used twice; give each entry its own label"
                )
        if not isinstance(description, str):
            raise StudyError(f"description must be a string, got {description!r}")
        budget = None if budget is None else _budget(budget, "budget")
        if n_trials is None:
            if budget is None and not any(p.budget is not None for p in probs):
                raise StudyError("n_trials is required without a cost budget")
            n_trials = MF_MAX_TRIALS
        if workers is not None:
            workers = _workers(workers, "workers")
        if workers is not None or any(o.worker_counts for o in opts):
            opts = _with_workers(opts, workers)
        labels = [o.label for o in opts]
        for label in labels:
            if labels.count(label) > 1:
                raise StudyError(
                    f"optimizers: label {label!r} is used twice once expanded by workers"
                )
        return cls(
            opts,
            probs,
            _seeds(seeds, "seeds"),
            _n_trials(n_trials, "n_trials"),
            description,
            budget,
            workers,
        )

    def with_overrides(
        self,
        *,
        seeds: int | None = None,
        n_trials: int | None = None,
        budget: float | None = None,
    ) -> Study:
        """The same study with every run's seeds (``0 .. seeds-1``), trial budget and/or cost
        budget (full-training equivalents) replaced, per-problem overrides included."""
        new_seeds = self.seeds if seeds is None else _seeds(seeds, "seeds")
        new_n = self.n_trials if n_trials is None else _n_trials(n_trials, "n_trials")
        problems = tuple(
            ProblemEntry(
                p.problem,
                p.n_trials if n_trials is None else None,
                p.seeds if seeds is None else None,
                p.budget if budget is None else None,
            )
            for p in self.problems
        )
        return Study(
            self.optimizers,
            problems,
            new_seeds,
            new_n,
            self.description,
            self.budget if budget is None else _budget(budget, "budget"),
            self.workers,
        )

    def runs(self) -> list[RunSpec]:
        """Every run, problem by problem, seed by seed, optimizer by optimizer."""
        return [
            RunSpec(
                o.label,
                o.name,
                dict(o.options),
                p.problem,
                seed,
                p.n_trials or self.n_trials,
                p.budget or self.budget,
                o.workers,
            )
            for p in self.problems
            for i, seed in enumerate(p.seeds or self.seeds)
            for o in self.optimizers
            if o.max_seeds is None or i < o.max_seeds
        ]

    def to_dict(self) -> dict[str, Any]:
        """The definition as a journal header stores it (problems by spec, overrides
        resolved), compared when a study is resumed."""
        # The multi-fidelity keys only when set: the definitions of earlier studies (and
        # the headers of their journals) stay as they were.
        optimizers = []
        for o in self.optimizers:
            entry = {"label": o.label, "name": o.name, "options": dict(o.options)}
            entry["max_seeds"] = o.max_seeds
            if o.workers is not None:
                entry["workers"] = o.workers
            optimizers.append(entry)
        problems = []
        for p in self.problems:
            entry = {"problem": p.spec, "n_trials": p.n_trials or self.n_trials}
            entry["seeds"] = list(p.seeds or self.seeds)
            if (p.budget or self.budget) is not None:
                entry["budget"] = p.budget or self.budget
            problems.append(entry)
        return {"optimizers": optimizers, "problems": problems}


def check_study(study: Study) -> Study:
    """Build every problem and every optimizer on every problem's space once, so that a bad
    definition fails before any run starts.

    Problems given as specs are replaced by their canonical spec (``Problem.name``).

    Raises
    ------
    StudyError
        Naming the problem or optimizer entry and what is wrong with it (an unknown name, an
        unknown or bad option, a missing optional library and the extra that installs it).
    """
    from hpo.optimizers import make_optimizer

    known = _optimizer_names()
    for entry in study.optimizers:
        if entry.name not in known:
            raise StudyError(
                f"optimizer {entry.label!r}: unknown name {entry.name!r}; known: {', '.join(known)}"
            )
    problems, built = [], []
    for i, entry in enumerate(study.problems):
        base = parse_spec(entry.problem)[0] if isinstance(entry.problem, str) else None
        if base is not None and base not in list_problems():
            raise StudyError(
                f"problem {entry.problem!r}: unknown name {base!r}; "
                f"known: {', '.join(list_problems())}"
            )
        try:
            problem = (
                get_problem(entry.problem) if isinstance(entry.problem, str) else entry.problem
            )
        except (ValueError, TypeError) as err:
            raise StudyError(f"problem {entry.spec!r}: {_one_line(err)}") from None
        if not isinstance(problem, Problem):
            raise StudyError(f"problems[{i}] must be a Problem, got {problem!r}")
        if not isinstance(problem.name, str) or not problem.name:
            raise StudyError(f"problems[{i}]: a problem needs a name (its spec), got {problem!r}")
        canonical = entry.problem if isinstance(entry.problem, Problem) else problem.name
        problems.append(ProblemEntry(canonical, entry.n_trials, entry.seeds, entry.budget))
        built.append(problem)
    names = [p.name for p in built]
    for name in names:
        if names.count(name) > 1:
            raise StudyError(f"problems: {name!r} appears twice")
    for entry in study.optimizers:
        for problem, p_entry in zip(built, problems):
            budget = p_entry.n_trials or study.n_trials
            options = dict(entry.options)
            cost_budget = p_entry.budget or study.budget
            if cost_budget is not None or entry.workers is not None:
                options = optimizer_options(entry.name, options, problem)
                budget = run_budget(cost_budget, budget)
            options = objective_options(options, problem)
            try:
                make_optimizer(entry.name, problem.space, seed=0, budget=budget, options=options)
            except ImportError as err:
                raise StudyError(f"optimizer {entry.label!r}: {_one_line(err)}") from None
            except (ValueError, TypeError) as err:
                raise StudyError(
                    f"optimizer {entry.label!r} on {problem.name!r}: {_one_line(err)}"
                ) from None
            except Exception as err:  # an option of the wrong kind the optimizer did not check
                raise StudyError(
                    f"optimizer {entry.label!r} on {problem.name!r}: bad options "
                    f"{entry.options!r} ({type(err).__name__}: {_one_line(err)})"
                ) from None
    return Study(
        study.optimizers,
        tuple(problems),
        study.seeds,
        study.n_trials,
        study.description,
        study.budget,
        study.workers,
    )


def optimizer_options(name: str, options: Mapping[str, Any], problem: Problem) -> dict[str, Any]:
    """``options`` plus the problem's fidelity when the optimizer ``name`` takes one (hpo's
    own optimizers and the peers: multi-fidelity ones need it, the others then ask the full
    budget)."""
    from hpo.optimizers import MULTI_FIDELITY_OPTIMIZERS, OPTIMIZERS, _peer_classes

    options = dict(options)
    cls = {**OPTIMIZERS, **MULTI_FIDELITY_OPTIMIZERS}.get(name)
    if cls is None and problem.fidelity is not None:
        cls = _peer_classes(multi_fidelity=True).get(name)
    if problem.fidelity is not None and cls is not None and "fidelity" not in options:
        options["fidelity"] = problem.fidelity
    return options


def objective_options(options: Mapping[str, Any], problem: Problem) -> dict[str, Any]:
    """``options`` plus ``n_objectives`` when ``problem`` has several objectives (every
    optimizer of a multi-objective problem is built for its number of objectives; one that
    handles a single objective is refused by :func:`check_study`)."""
    options = dict(options)
    m = getattr(problem, "n_objectives", 1)
    if m > 1 and "n_objectives" not in options:
        options["n_objectives"] = m
    return options


def multi_objective_fields(problem: Problem) -> dict[str, Any]:
    """The :class:`~hpo.bench.records.RunRecord` fields of a run on ``problem``: its
    ``reference_point`` and ``max_hypervolume`` (None if unknown) when it has several
    objectives, nothing otherwise."""
    if getattr(problem, "n_objectives", 1) <= 1:
        return {}
    reference = getattr(problem, "reference_point", None)
    if reference is None or len(reference) != problem.n_objectives:
        raise ValueError(
            f"problem {problem.name!r}: a multi-objective problem needs a reference_point of "
            f"{problem.n_objectives} floats, got {reference!r}"
        )
    hv = getattr(problem, "max_hypervolume", None)
    hv = None if hv is None or not math.isfinite(hv) else float(hv)
    return {"reference_point": [float(v) for v in reference], "max_hypervolume": hv}


def run_budget(cost_budget: float | None, n_trials: int) -> int:
    """The ``budget`` (trials planned) an optimizer is built with in a cost-budgeted run:
    the full-training equivalents rounded up (what a single-fidelity optimizer evaluates),
    ``n_trials`` without a cost budget."""
    if cost_budget is None:
        return n_trials
    return max(1, min(n_trials, math.ceil(cost_budget)))


def _optimizer_names() -> list[str]:
    from hpo.optimizers import optimizer_names

    try:
        return optimizer_names(multi_fidelity=True)
    except ImportError:  # hpo.peers itself cannot be imported: hpo's own optimizers only
        return optimizer_names(include_peers=False, multi_fidelity=True)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def load_study(path: str | Path) -> Study:
    """Read a TOML study file (see the module docstring for its layout).

    Raises
    ------
    StudyError
        If the file cannot be read, is not valid TOML, or holds an unknown key or a value of
        the wrong type; the message names the file and the key.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as err:
        raise StudyError(f"{path}: cannot read the study file ({err.strerror})") from None
    except tomllib.TOMLDecodeError as err:
        raise StudyError(f"{path}: malformed TOML ({_one_line(err)})") from None
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise StudyError(
            f"{path}: unknown key {unknown[0]!r} (expected {', '.join(sorted(_FILE_KEYS))})"
        )
    required = ("seeds", "problems", "optimizers") + (() if "budget" in data else ("n_trials",))
    missing = [k for k in required if k not in data]
    if missing:
        raise StudyError(f"{path}: missing key {missing[0]!r}")
    try:
        return Study.build(
            data["optimizers"],
            data["problems"],
            data["seeds"],
            data.get("n_trials"),
            data.get("description", ""),
            budget=data.get("budget"),
            workers=data.get("workers"),
        )
    except StudyError as err:
        raise StudyError(f"{path}: {err}") from None


def studies_dir() -> Path:
    """The built-in studies (``quick``, ``paper``): TOML files shipped inside the package,
    ``hpo/bench/studies/`` (``benchmarks/studies`` in the repository links there)."""
    return Path(__file__).resolve().parent / "studies"


def find_study(name_or_path: str | Path) -> Path:
    """The study file named ``name_or_path``: an existing path, or the name of a built-in
    study in :func:`studies_dir` (``"quick"`` for ``hpo/bench/studies/quick.toml``).

    Raises
    ------
    StudyError
        If neither exists; the message lists the known study names.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    directory = studies_dir()
    candidate = directory / f"{name_or_path}.toml"
    if path.suffix == "" and candidate.is_file():
        return candidate
    known = sorted(p.stem for p in directory.glob("*.toml")) if directory.is_dir() else []
    raise StudyError(
        f"study: no file {str(name_or_path)!r} and no study of that name "
        f"(known: {', '.join(known) or 'none'})"
    )
