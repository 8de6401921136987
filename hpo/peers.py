"""Peer optimizers from other libraries behind hpo's ask/tell contract, for comparison studies.

=============  ==============================================================================
name           what runs (each library's defaults)
=============  ==============================================================================
skopt-gp       ``skopt.Optimizer(base_estimator="GP")``: 10 random initial points, Matern
               GP, ``gp_hedge`` acquisition, ``acq_optimizer="auto"``.
optuna-gp      ``optuna.samplers.GPSampler``: 10 startup trials, Matern-5/2 GP, log-EI.
optuna-tpe     ``optuna.samplers.TPESampler``: 10 startup trials, Optuna's default TPE;
               define-by-run on a conditional space (only the active parameters, parents
               first), where ``optuna-gp`` searches the flattened space.
pymoo-ga       ``pymoo``'s ``GA``: population 100, tournament selection, SBX, polynomial
               mutation, duplicate elimination, fitness survival.
cma-es         ``cma.CMAEvolutionStrategy`` (Hansen's ``cma`` package): default population
               ``4 + floor(3 ln d)``, ``sigma0 = 0.3`` of the unit cube, a uniformly random
               start, bounds ``[0, 1]`` by ``cma``'s boundary transformation.
optuna-nsga2   ``optuna.samplers.NSGAIISampler``: population 50, Optuna's default crossover
               and mutation (several objectives).
pymoo-nsga2    ``pymoo``'s ``NSGA2``: population 100, binary tournament on rank and crowding,
               SBX, polynomial mutation (several objectives).
=============  ==============================================================================

Several objectives (``n_objectives=m``): the Optuna adapters open a study with ``m``
``"minimize"`` directions (``optuna-gp`` then maximizes log expected hypervolume improvement,
``optuna-tpe`` is MOTPE), ``pymoo-nsga2`` is set up with ``n_obj = m``; a failed trial is
``+inf`` in every objective for pymoo.

The libraries are optional (``pip install -e ".[peers]"``) and imported only here, when an
adapter is built. The scikit-optimize and Optuna adapters see each real parameter as its
unit-cube coordinate in ``[0, 1]`` (so log and logit scales are applied exactly as hpo applies
them), integers natively (with their log flag where the library has one) and categoricals as
choice indices; pymoo's GA and CMA-ES search the whole unit cube ``[0, 1]^d`` and hpo decodes
each individual (integers and categories by their bins), as pymoo's default GA would treat a
mixed space. Failed trials are reported to the library as failures (Optuna), kept out of
its model (scikit-optimize), given the worst fitness ``+inf`` (pymoo) or ranked last in their
generation (CMA-ES). Configurations told without being asked are passed on where the library
allows (scikit-optimize, Optuna); pymoo and CMA-ES ignore them. Saving works where the
library's objects can be pickled (scikit-optimize, pymoo, cma); the Optuna adapters cannot be
saved.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from hpo._seed import SeedLike, spawn_seed
from hpo.fidelity import Fidelity
from hpo.optimizers.base import Optimizer, config_key
from hpo.space import Params, Space
from hpo.trial import Trial

__all__ = [
    "CMAES",
    "PEERS",
    "OptunaGP",
    "OptunaNSGAII",
    "OptunaTPE",
    "PymooGA",
    "PymooNSGA2",
    "SkoptGP",
    "available",
    "require",
    "suggest_active",
]

_REQUIRES = {
    "skopt-gp": "skopt",
    "optuna-gp": "optuna",
    "optuna-tpe": "optuna",
    "pymoo-ga": "pymoo",
    "optuna-hyperband": "optuna",  # hpo.peers_multifidelity
    "optuna-sh": "optuna",
    "synetune-asha": "syne_tune",
    "synetune-bohb": "syne_tune",
    "cma-es": "cma",
    "optuna-nsga2": "optuna",  # several objectives
    "pymoo-nsga2": "pymoo",
}


def available(name: str) -> bool:
    """Whether the library behind peer ``name`` is installed (without importing it)."""
    return importlib.util.find_spec(_REQUIRES[name]) is not None


def require(name: str) -> None:
    """Raise ``ImportError`` with the install command if peer ``name`` cannot run here."""
    if not available(name):
        raise ImportError(
            f"optimizer {name!r} needs {_REQUIRES[name]}: install the peers extra with "
            f'pip install -e ".[peers]"'
        )


class _Peer(Optimizer):
    """Shared translation between hpo configurations and a library's vectors."""

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,  # for the multi-fidelity peers
        n_objectives: int = 1,  # for the multi-objective ones
    ) -> None:
        require(self.name)
        super().__init__(space, seed=seed, fidelity=fidelity, n_objectives=n_objectives)
        self._library_seed = spawn_seed(self.rng)

    def _to_native(self, params: Params) -> list[Any]:
        """Unit coordinate for reals, the integer, or the choice index."""
        u = self.space.to_unit(params)
        row = []
        for j, (name, p) in enumerate(self.space.items()):
            if p.kind == "real":
                row.append(float(u[j]))
            elif name not in params:  # inactive (conditional space): its imputed coordinate
                row.append(int(p.decode(u[j : j + 1])[0]))
            elif p.kind == "integer":
                row.append(int(params[name]))
            else:
                row.append(p.index(params[name]))
        return row

    def _from_native(self, row: list[Any]) -> Params:
        u = np.empty(self.space.dim)
        for j, p in enumerate(self.space.values()):
            if p.kind == "real":
                u[j] = float(row[j])
            elif p.kind == "integer":
                u[j] = p.encode([int(row[j])])[0]
            else:
                u[j] = (int(row[j]) + 0.5) / p.n_values
        return self.space.from_unit(u)


def optuna_distributions(space: Space) -> dict[str, Any]:
    """Optuna distributions of ``space`` as the Optuna adapters see it: reals by their unit
    coordinate, integers natively, categoricals by choice index."""
    from optuna import distributions as od

    dists: dict[str, Any] = {}
    for name, p in space.items():
        if p.kind == "real":
            dists[name] = od.FloatDistribution(0.0, 1.0)
        elif p.kind == "integer":
            dists[name] = od.IntDistribution(p.low, p.high, log=p.log)
        else:
            dists[name] = od.CategoricalDistribution(list(range(p.n_values)))
    return dists


class SkoptGP(_Peer):
    """scikit-optimize's ``Optimizer`` with its default GP (see the module docstring)."""

    name = "skopt-gp"
    pickle_trusted = ("skopt", "sklearn", "scipy", "numpy:sum")  # what its state holds

    def __init__(self, space: Space | Mapping[str, Any], *, seed: SeedLike = None) -> None:
        super().__init__(space, seed=seed)
        import skopt
        from skopt import space as sk

        dims = []
        for name, p in self.space.items():
            if p.kind == "real":
                dims.append(sk.Real(0.0, 1.0, name=name))
            elif p.kind == "integer":
                prior = "log-uniform" if p.log else "uniform"
                dims.append(sk.Integer(p.low, p.high, prior=prior, name=name))
            else:
                dims.append(sk.Categorical(list(range(p.n_values)), name=name))
        self._opt = skopt.Optimizer(dims, base_estimator="GP", random_state=self._library_seed)

    def _propose(self, n: int) -> list[Params]:
        opt = self._opt
        if self._pending:  # skopt forgets asked points: lie about them (its own cl_min)
            opt = self._opt.copy(random_state=spawn_seed(self.rng))
            lie = min(opt.yi) if opt.yi else 0.0
            for trial in self._pending.values():
                opt.tell(self._to_native(trial.params), lie)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "objective evaluated at this point"
            rows = opt.ask(n_points=n) if n > 1 else [opt.ask()]
        return [self._from_native(row) for row in rows]

    def _observe(self, trials: list[Trial]) -> None:
        done = [t for t in trials if t.ok]
        if done:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                self._opt.tell([self._to_native(t.params) for t in done], [t.value for t in done])


class _OptunaPeer(_Peer):
    supports_multi_objective = True  # one "minimize" direction per objective

    def __init__(
        self, space: Space | Mapping[str, Any], *, seed: SeedLike = None, n_objectives: int = 1
    ) -> None:
        super().__init__(space, seed=seed, n_objectives=n_objectives)
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        logging.getLogger("optuna").setLevel(logging.WARNING)
        self._dists = optuna_distributions(self.space)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ExperimentalWarning for GPSampler
            self._study = optuna.create_study(
                sampler=self._make_sampler(self._library_seed),
                directions=["minimize"] * self.n_objectives,
            )
        self._asked: dict[tuple, Any] = {}

    def _make_sampler(self, seed: int) -> Any:
        raise NotImplementedError

    def _propose(self, n: int) -> list[Params]:
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(n):
                trial, params = self._ask_one()
                self._asked[config_key(params)] = trial
                out.append(params)
        return out

    def _ask_one(self) -> tuple[Any, Params]:
        """One Optuna trial asked with every distribution (a flattened conditional space:
        inactive values are drawn and decoded away by :meth:`Space.from_unit`)."""
        trial = self._study.ask(self._dists)
        return trial, self._from_native([trial.params[k] for k in self.space.names])

    def _native_trial(self, params: Params) -> tuple[dict[str, Any], dict[str, Any]]:
        """Optuna's params and distributions for a warm start (every parameter)."""
        return dict(zip(self.space.names, self._to_native(params))), self._dists

    def _observe(self, trials: list[Trial]) -> None:
        import optuna

        for t in trials:
            state = optuna.trial.TrialState.COMPLETE if t.ok else optuna.trial.TrialState.FAIL
            asked = self._asked.pop(config_key(t.params), None)
            values = list(np.atleast_1d(t.value)) if t.ok else None
            if asked is not None:
                self._study.tell(asked, values, state=state)
            else:  # a warm start
                native, dists = self._native_trial(t.params)
                frozen = optuna.trial.create_trial(
                    params=native, distributions=dists, values=values, state=state
                )
                self._study.add_trial(frozen)

    def save(self, path: Any) -> None:
        raise NotImplementedError(f"{self.name}: Optuna studies in memory cannot be saved")


class OptunaGP(_OptunaPeer):
    """Optuna's ``GPSampler`` with its defaults (see the module docstring).

    On a conditional space it searches the flattened space: every parameter is asked with its
    fixed distribution and the inactive ones are decoded away, so its GP sees inactive
    coordinates as ordinary values (the baseline of issue 13).
    """

    name = "optuna-gp"
    supports_conditional = True

    def _make_sampler(self, seed: int) -> Any:
        import optuna

        return optuna.samplers.GPSampler(seed=seed)


class OptunaTPE(_OptunaPeer):
    """Optuna's ``TPESampler`` with its defaults (see the module docstring).

    On a conditional space it runs define-by-run, Optuna's own way with trees: parameters are
    suggested parents first (the space's topological order) and only when active, so each
    parameter's Parzen estimators see only the trials where it existed. Flat spaces are
    asked with fixed distributions, as before.
    """

    name = "optuna-tpe"
    supports_conditional = True

    def _make_sampler(self, seed: int) -> Any:
        import optuna

        return optuna.samplers.TPESampler(seed=seed)

    def _ask_one(self) -> tuple[Any, Params]:
        if self.space.conditions is None:
            return super()._ask_one()
        trial = self._study.ask()
        return trial, suggest_active(trial, self.space)

    def _native_trial(self, params: Params) -> tuple[dict[str, Any], dict[str, Any]]:
        native, dists = super()._native_trial(params)
        if self.space.conditions is None:
            return native, dists
        return {k: native[k] for k in params}, {k: dists[k] for k in params}


def suggest_active(trial: Any, space: Space) -> Params:
    """Suggest the active parameters of a conditional ``space`` on an Optuna ``trial``,
    define-by-run: parents first, each child only if its condition holds.

    Parameters are suggested as :func:`optuna_distributions` describes them (reals by unit
    coordinate, integers natively, categoricals by index); returns the configuration in
    hpo's values (exactly the active set).
    """
    assert space.conditions is not None
    cond = space.conditions
    u = space.to_unit({})  # the imputed coordinate of every (absent) parameter
    config: dict[str, Any] = {}
    active: set[str] = set()
    for name in cond.order:
        if not cond.is_active(name, config, active):
            continue
        p, j = space[name], space.names.index(name)
        if p.kind == "real":
            u[j] = trial.suggest_float(name, 0.0, 1.0)
        elif p.kind == "integer":
            u[j] = p.encode([trial.suggest_int(name, p.low, p.high, log=p.log)])[0]
        else:
            u[j] = (trial.suggest_categorical(name, list(range(p.n_values))) + 0.5) / p.n_values
        config[name] = p.canonical(p.to_python(p.decode(u[j : j + 1])[0]))
        active.add(name)
    return space.from_unit(u)


class PymooGA(_Peer):
    """pymoo's single-objective ``GA`` with its defaults, driven by pymoo's ask/tell loop.

    pymoo breeds a whole population at a time; ``ask`` hands its individuals out one by one
    and the next generation is bred when every individual of the current one has been told.
    The GA searches the unit cube and hpo decodes each individual (rounding integers and
    choosing categories by bin), which is how pymoo's default GA treats a mixed space.
    """

    name = "pymoo-ga"
    pickle_trusted = ("pymoo", "scipy", "numpy:sum")  # what its state holds

    def __init__(
        self, space: Space | Mapping[str, Any], *, seed: SeedLike = None, n_objectives: int = 1
    ) -> None:
        super().__init__(space, seed=seed, n_objectives=n_objectives)
        from pymoo.core.problem import Problem as PymooProblem

        self._algorithm = self._make_algorithm()
        self._algorithm.setup(
            PymooProblem(n_var=self.space.dim, n_obj=self.n_objectives, xl=0.0, xu=1.0),
            termination=("n_gen", 10**9),
            seed=self._library_seed,
            verbose=False,
        )
        self._population = None
        self._queue: list[int] = []  # indices of the population not yet asked
        self._fitness: dict[int, list[float]] = {}
        self._index_of: dict[tuple, list[int]] = {}  # asked configuration -> individuals

    def _make_algorithm(self) -> Any:
        from pymoo.algorithms.soo.nonconvex.ga import GA

        algorithm = GA()
        # pymoo 0.6 wraps the tournament's tie-break in a closure (a seeding decorator) that
        # pickle cannot find by name; the same function, reached from module level, can be.
        selection = getattr(getattr(algorithm, "mating", None), "selection", None)
        if selection is not None and hasattr(selection, "func_comp"):
            selection.func_comp = _pymoo_tournament_comparison
        return algorithm

    def _fitness_row(self, trial: Trial) -> list[float]:
        """pymoo's fitness of a told trial: its values, ``+inf`` in each if it failed."""
        return list(np.atleast_1d(trial.value)) if trial.ok else [np.inf] * self.n_objectives

    def _next_generation(self) -> None:
        self._population = self._algorithm.ask()
        self._queue = list(range(len(self._population)))
        self._fitness = {}
        self._index_of = {}

    def _finish_generation_if_told(self) -> None:
        if self._population is not None and not self._queue and not self._index_of:
            F = np.array([self._fitness[i] for i in range(len(self._population))], dtype=float)
            self._population.set("F", F)
            self._algorithm.tell(infills=self._population)
            self._population = None

    def _known_fitness(self, params: Params) -> list[float]:
        key = config_key(params)
        return self._fitness_row(next(t for t in self._trials if config_key(t.params) == key))

    def _propose(self, n: int) -> list[Params]:
        out: list[Params] = []
        while len(out) < n:
            if self._population is None:
                self._next_generation()
            if not self._queue:  # handed out but not fully told: keep the caller busy
                out.append(self.space.sample(self.rng))
                continue
            i = self._queue.pop(0)
            params = self.space.from_unit(self._population[i].X)
            key = config_key(params)
            if key in self._index_of:  # two individuals decode to one configuration
                self._index_of[key].append(i)
            elif not self.is_new(params) and not any(
                config_key(t.params) == key for t in self._pending.values()
            ):  # evaluated before: reuse its value
                self._fitness[i] = self._known_fitness(params)
            else:
                self._index_of[key] = [i]
                out.append(params)
            self._finish_generation_if_told()
        return out

    def _observe(self, trials: list[Trial]) -> None:
        for t in trials:
            for i in self._index_of.pop(config_key(t.params), []):
                self._fitness[i] = self._fitness_row(t)
        self._finish_generation_if_told()


class _StandardNormal:
    """``randn(*shape)`` for ``cma`` from a numpy Generator, so that CMA-ES never touches
    numpy's global random state (a module-level class: picklable)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def __call__(self, *shape: int) -> np.ndarray:
        return self.rng.standard_normal(shape)


class CMAES(_Peer):
    """CMA-ES from the ``cma`` package (Hansen), driven by its ask/tell interface.

    CMA-ES searches the unit cube ``[0, 1]^d`` (hpo decodes each point, rounding integers and
    choosing categories by bin, as for pymoo's GA) from a uniformly random start with step
    size ``sigma0 = 0.3`` and ``cma``'s default population ``4 + floor(3 ln d)``. It asks a
    whole generation; ``ask`` hands its points out one by one and the generation is told to
    ``cma`` once every point has been told, in any order. While a generation is out but not
    fully told, further asks get uniformly random configurations (not used by CMA-ES). A failed
    trial ranks last in its generation (its fitness is the worst finite one plus 1). Points
    that decode to a configuration already evaluated reuse its value. When ``cma`` reports a
    termination criterion (step size or fitness range too small), it restarts from a new
    random start with the same settings. Configurations told without being asked are recorded
    but not given to CMA-ES. Normal samples come from the optimizer's seeded generator.
    """

    name = "cma-es"
    pickle_trusted = ("cma", "numpy.linalg:eigh")  # what its state holds
    #: Initial step size, as a fraction of the unit cube.
    sigma0 = 0.3

    def __init__(self, space: Space | Mapping[str, Any], *, seed: SeedLike = None) -> None:
        super().__init__(space, seed=seed)
        self._cma_rng = np.random.default_rng(self._library_seed)
        self._es: Any = None
        self._X: np.ndarray | None = None  # the generation out, shape (popsize, d)
        self._queue: list[int] = []  # indices of the generation not yet asked
        self._fitness: dict[int, float | None] = {}  # None: a failed trial
        self._index_of: dict[tuple, list[int]] = {}  # asked configuration -> individuals
        self.n_restarts = 0
        self._start()

    def _start(self) -> None:
        import cma

        x0 = self.rng.uniform(0.0, 1.0, size=self.space.dim)
        options = {
            "bounds": [0.0, 1.0],
            "randn": _StandardNormal(self._cma_rng),
            "seed": float("nan"),  # samples come from randn, never from numpy's global state
            "verbose": -9,
            "verb_disp": 0,
            "verb_log": 0,
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._es = cma.CMAEvolutionStrategy(x0, self.sigma0, options)

    def _next_generation(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self._es.stop():
                self.n_restarts += 1
                self._start()
            self._X = np.array(self._es.ask())
        self._queue = list(range(len(self._X)))
        self._fitness = {}
        self._index_of = {}

    def _finish_generation_if_told(self) -> None:
        if self._X is None or self._queue or self._index_of:
            return
        values = [self._fitness[i] for i in range(len(self._X))]
        finite = [v for v in values if v is not None]
        worst = max(finite) + 1.0 if finite else 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._es.tell(list(self._X), [worst if v is None else v for v in values])
        self._X = None

    def _propose(self, n: int) -> list[Params]:
        out: list[Params] = []
        attempts = 0
        while len(out) < n and attempts < 1000 * n:  # a finite space may run out
            attempts += 1
            if self._X is None:
                self._next_generation()
            if not self._queue:  # all handed out, not all told: keep the caller busy
                params = self.space.sample(self.rng)
                if self.is_new(params) and params not in out:
                    out.append(params)
                continue
            i = self._queue.pop(0)
            params = self.space.from_unit(np.clip(self._X[i], 0.0, 1.0))
            key = config_key(params)
            pending = {config_key(t.params) for t in self._pending.values()}
            if key in self._index_of:  # shares a configuration already out
                self._index_of[key].append(i)
            elif not self.is_new(params) and key not in pending:  # evaluated before
                done = next(t for t in self._trials if config_key(t.params) == key)
                self._fitness[i] = done.value if done.ok else None
            else:
                self._index_of[key] = [i]
                if key not in pending:
                    out.append(params)
            self._finish_generation_if_told()
        return out

    def _observe(self, trials: list[Trial]) -> None:
        for t in trials:
            for i in self._index_of.pop(config_key(t.params), []):
                self._fitness[i] = t.value if t.ok else None
        self._finish_generation_if_told()


# Multi-objective peers (issue 11).


class OptunaNSGAII(_OptunaPeer):
    """Optuna's ``NSGAIISampler`` with its defaults (population 50), for several objectives."""

    name = "optuna-nsga2"

    def _make_sampler(self, seed: int) -> Any:
        import optuna

        return optuna.samplers.NSGAIISampler(seed=seed)


class PymooNSGA2(PymooGA):
    """pymoo's ``NSGA2`` with its defaults (population 100), driven like :class:`PymooGA`:
    individuals handed out one by one, the next generation bred once all are told."""

    name = "pymoo-nsga2"
    supports_multi_objective = True

    def _make_algorithm(self) -> Any:
        from pymoo.algorithms.moo.nsga2 import NSGA2

        return NSGA2()


#: Peer optimizers by name, for :func:`hpo.optimizers.make_optimizer`.
PEERS: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (SkoptGP, OptunaGP, OptunaTPE, PymooGA, CMAES, OptunaNSGAII, PymooNSGA2)
}


def _pymoo_tournament_comparison(*args: Any, **kwargs: Any) -> Any:
    """pymoo's default GA tie-break (``comp_by_cv_and_fitness``), picklable by name."""
    from pymoo.algorithms.soo.nonconvex.ga import comp_by_cv_and_fitness

    return comp_by_cv_and_fitness(*args, **kwargs)
