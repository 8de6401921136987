"""A real-coded genetic algorithm for mixed search spaces, behind the ask/tell interface.

Individuals are points of the unit cube of the :class:`~hpo.Space`. With one objective, the
real and integer genes of half the pairs of parents are recombined on the line through them
(extended line recombination, Muhlenbein & Schlierkamp-Voosen 1993), of the other half by
SBX, and every child is mutated by an isotropic Gaussian step whose strength each individual
carries and adapts log-normally (self-adaptation, Schwefel 1977; Beyer & Schwefel 2002,
"Evolution strategies: a comprehensive introduction", sec. 4.1), with tournaments of three
and a small population: line recombination and the mutation are rotation invariant, which the
ill-conditioned, rotated landscapes of issue 17 reward, and SBX keeps the GA's strength on
separable functions. With several objectives (NSGA-II), and on request (:data:`CLASSIC`), the
operators are SBX and polynomial mutation, gene by gene (Deb's NSGA-II code). Integers are
then repaired by rounding (:meth:`~hpo.Space.snap`); categorical genes, as choice indices, are
crossed uniformly and mutated by random reset. The operators are the pure functions of
:mod:`hpo.optimizers.operators`.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hpo._seed import SeedLike
from hpo.fidelity import Fidelity
from hpo.optimizers.base import Optimizer, Proposal, config_key
from hpo.optimizers.design import DESIGNS, UnitDesign
from hpo.optimizers.operators import (
    crowded_fitness,
    gaussian_mutation,
    line_crossover,
    nsga2_survival,
    polynomial_mutation,
    random_reset,
    sbx,
    self_adapt,
    tournament,
    uniform_crossover,
)
from hpo.space import Space
from hpo.trial import Trial

__all__ = [
    "CLASSIC",
    "DEFAULT_BEFORE_2026_12_01",
    "Generation",
    "GeneticAlgorithm",
    "Variation",
    "diversity",
]

#: ``selection(fitness, n_select, k, rng) -> indices`` (see :func:`~.operators.tournament`).
Selection = Callable[[np.ndarray, int, int, np.random.Generator], np.ndarray]
#: ``crossover(A, B, eta, rng, prob) -> (C1, C2)`` (see :func:`~.operators.sbx`).
Crossover = Callable[..., tuple[np.ndarray, np.ndarray]]
#: ``mutation(X, eta, rate, rng) -> X'`` (see :func:`~.operators.polynomial_mutation`).
Mutation = Callable[[np.ndarray, float, Any, np.random.Generator], np.ndarray]

_MAX_ROUNDS = 20  # breeding rounds before falling back to random unseen configurations
_MAX_ENUMERATE = 100_000  # largest finite space searched exhaustively for unseen points


@dataclass(frozen=True)
class Variation:
    """Parameters of selection, crossover and mutation.

    Parameters
    ----------
    tournament_size : int, optional
        Contestants per tournament. ``None``: 3 with self-adaptive mutation, else 2 (binary
        tournaments).
    crossover_eta : float, default 15.0
        SBX distribution index (15 in pymoo and NSGA-II practice).
    mutation_eta : float, default 20.0
        Polynomial mutation distribution index.
    mutation_rate : float, optional
        Probability that a gene is mutated; ``None`` means ``1 / d`` for ``d`` genes.
    crossover_rate : float, default 0.5
        Probability that a real or integer gene is crossed by SBX (Deb's NSGA-II code); with
        ``recombination="line"``, that a pair of parents is recombined.
    recombination : {"sbx", "line", "mixed"}, optional
        Crossover of real and integer genes: SBX, gene by gene; extended line recombination
        (:func:`~hpo.optimizers.operators.line_crossover`, rotation invariant); or "mixed",
        each pair by one of the two, 1/2 each. ``None``: "mixed" with one objective, "sbx"
        with several (see :class:`GeneticAlgorithm`, Notes).
    self_adaptive : bool, optional
        Mutate real and integer genes by isotropic Gaussian steps whose strength each
        individual carries and adapts log-normally
        (:func:`~hpo.optimizers.operators.self_adapt`), instead of polynomial mutation.
        ``None``: see :class:`GeneticAlgorithm` (Notes).
    step_size : float, default 0.1
        Initial mutation strength of self-adaptive mutation (standard deviation in the unit
        cube), given to design points, random points and warm starts.
    elite_share : float, default 0.0
        Probability that the first parent of a pair is the best individual of the population
        instead of a tournament's winner: a larger share of offspring from the best, for small
        budgets.
    offspring : int, optional
        Children per generation after the first (lambda; the initial design has ``pop_size``
        points); ``None``: ``pop_size`` (mu = lambda). Fewer children per generation mean more
        generations, hence more selection, in the same budget.
    tau_scale : float, default 0.5
        Multiplies the learning rate ``tau = 1 / sqrt(2 d)`` of self-adaptive mutation (1.0
        before 2026-12-01).
    line_spread : float, default 0.25
        How far extended line recombination reaches beyond the parents
        (:func:`~hpo.optimizers.operators.line_crossover`'s ``spread``).
    gene_mutation : float, default 0.0
        With self-adaptive mutation, also mutate each real and integer gene with this
        probability by ``mutation`` (polynomial by default), gene by gene.
    line_share : float, default 0.5
        With ``recombination="mixed"``, the probability that a pair is recombined on a line
        (else by ``crossover``).
    initial_size : int, optional
        Points of generation 0 (the initial design); ``None``: ``pop_size``. A larger design
        samples the space more widely before selection starts; survival keeps its best
        ``pop_size``.
    design : {"lhs", "sobol", "uniform"}, default "lhs"
        The initial design (:class:`~hpo.optimizers.design.UnitDesign`): a Latin hypercube, a
        scrambled Sobol sequence, or independent uniform points.
    failure_shrink : float, default 0.9
        With self-adaptive mutation, multiply a surviving parent's mutation strength by this
        factor for every child of it that fails to enter the population (1: never, as before
        2026-12-01). A rule without a budget that shrinks the steps of a lineage whose
        offspring keep failing, as the success rule of evolution strategies does (Rechenberg
        1973; here per parent, as in the (1+1)-ES of Kern et al. 2004, "Learning probability
        distributions in continuous evolutionary algorithms", Natural Computing 3).
    success_grow : float, default 1.0
        With self-adaptive mutation, multiply the strength of a child that enters the
        population by this factor (1: never): the increase on success of the same rule.

    The fields from ``elite_share`` on are the knobs of the issue-17 ablations
    (``benchmarks/results/ga/issue17-followup.md`` and ``issue17-tonight.md``). Of them,
    ``failure_shrink = 0.9`` with ``tau_scale = 0.5`` became the default on 2026-12-01 (chosen
    on tuning instances, then checked on held-out BBOB instances and on held-out seeds of the
    GA suite); :data:`DEFAULT_BEFORE_2026_12_01` is the default before them.
    """

    tournament_size: int | None = None
    crossover_eta: float = 15.0
    mutation_eta: float = 20.0
    mutation_rate: float | None = None
    crossover_rate: float = 0.5
    recombination: str | None = None
    self_adaptive: bool | None = None
    step_size: float = 0.1
    elite_share: float = 0.0
    offspring: int | None = None
    tau_scale: float = 0.5
    line_spread: float = 0.25
    gene_mutation: float = 0.0
    line_share: float = 0.5
    initial_size: int | None = None
    design: str = "lhs"
    failure_shrink: float = 0.9
    success_grow: float = 1.0

    def __post_init__(self) -> None:
        k = self.tournament_size
        if k is not None and not (isinstance(k, int) and k >= 1):
            raise ValueError(
                f"tournament_size must be an integer >= 1, got {self.tournament_size!r}"
            )
        for name in ("crossover_eta", "mutation_eta"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("mutation_rate", "crossover_rate"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
        if self.recombination not in (None, "sbx", "line", "mixed"):
            raise ValueError(
                f'recombination must be "sbx", "line", "mixed" or None, got {self.recombination!r}'
            )
        if self.self_adaptive not in (None, True, False):
            raise ValueError(f"self_adaptive must be a bool or None, got {self.self_adaptive!r}")
        if not 0 < self.step_size <= 1:
            raise ValueError(f"step_size must lie in (0, 1], got {self.step_size!r}")
        if not 0 <= self.elite_share <= 1:
            raise ValueError(f"elite_share must lie in [0, 1], got {self.elite_share!r}")
        for name in ("gene_mutation", "line_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must lie in [0, 1], got {getattr(self, name)!r}")
        for name in ("tau_scale", "line_spread"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        for name in ("offspring", "initial_size"):
            n = getattr(self, name)
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
                raise ValueError(f"{name} must be an integer >= 1 or None, got {n!r}")
        if not 0 < self.failure_shrink <= 1:
            raise ValueError(f"failure_shrink must lie in (0, 1], got {self.failure_shrink!r}")
        if not 1 <= self.success_grow <= 10:
            raise ValueError(f"success_grow must lie in [1, 10], got {self.success_grow!r}")
        if self.design not in DESIGNS:
            raise ValueError(f"design must be one of {DESIGNS}, got {self.design!r}")


#: The GA before issue 17, still the multi-objective (NSGA-II) default: binary tournaments, SBX
#: and polynomial mutation, with :func:`default_pop_size`'s ``sqrt(budget)`` rule.
CLASSIC = Variation(tournament_size=2, recombination="sbx", self_adaptive=False)
#: The one-objective default from issue 17 until 2026-12-01: no success rule and the full
#: self-adaptation rate (the committed ``ga`` rows of ``benchmarks/results/landscapes``
#: before that date re-run with it). Several objectives (NSGA-II) do not use either field.
DEFAULT_BEFORE_2026_12_01 = Variation(failure_shrink=1.0, tau_scale=1.0)


@dataclass
class Generation:
    """The state of the search after one generation was evaluated, for study and plots.

    Attributes
    ----------
    number : int
        Generation index, from 0 (the initial population).
    offspring : list of int
        Trial numbers evaluated in this generation (warm starts told meanwhile included).
    population : list of int
        Trial numbers of the survivors, best first: the parents of the next generation.
    X : ndarray of shape (pop_size, n_dims)
        Unit-cube coordinates of the survivors.
    fitness : ndarray of shape (pop_size,) or (pop_size, n_objectives)
        Their objective values (vectors with several objectives), ``+inf`` for failed trials.
    diversity : float
        :func:`diversity` of ``X``.
    """

    number: int
    offspring: list[int]
    population: list[int]
    X: np.ndarray
    fitness: np.ndarray
    diversity: float = field(init=False)

    def __post_init__(self) -> None:
        self.diversity = diversity(self.X)


def diversity(X: np.ndarray) -> float:
    """Mean pairwise Euclidean distance of points in the unit cube, divided by ``sqrt(d)``.

    0 when all points coincide; about 0.4 for points drawn uniformly at random.

    Parameters
    ----------
    X : ndarray of shape (n_points, n_dims)
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n = X.shape[0]
    if n < 2:
        return 0.0
    sq = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    return float(np.sqrt(sq).sum() / (n * (n - 1)) / math.sqrt(X.shape[1]))


class _Excluded:
    """Keys a breeding round must avoid: the caller's set, read but never copied (copying it
    for every child made ``ask(n)`` quadratic), plus keys added during the round."""

    def __init__(self, base: set[tuple] | _Excluded, extra: Iterable[tuple] = ()) -> None:
        self._base, self._extra = base, set(extra)

    def __contains__(self, key: object) -> bool:
        return key in self._extra or key in self._base

    def add(self, key: tuple) -> None:
        self._extra.add(key)


def _auto_recombination(single_objective: bool) -> str:
    """The default crossover of real and integer genes: see :class:`GeneticAlgorithm`."""
    return "mixed" if single_objective else "sbx"


def default_pop_size(budget: int | None, n_objectives: int = 1, self_adaptive: bool = False) -> int:
    """Population size for an expected ``budget`` of trials: ``sqrt(budget)`` rounded, within
    ``[8, 16]``, and 14 (a budget of 200) when unknown. See :class:`GeneticAlgorithm`.

    With self-adaptive mutation (the single-objective default), ``budget / 20`` rounded within
    ``[6, 16]`` (about 20 generations), and 10 (a budget of 200) when unknown. Evidence:
    ``benchmarks/results/ga/defaults.md`` (the issue-17 section).

    With several objectives the population also has to spread along the front (NSGA-II):
    ``budget / 25`` (25 generations) within ``[20, 100]``, and 40 (a budget of 1,000) when
    unknown. Evidence: ``benchmarks/results/moo/nsga2.md`` (populations 20, 40 and 100 at
    1,000 evaluations)."""
    if n_objectives > 1:
        return 40 if budget is None else int(np.clip(round(budget / 25), 20, 100))
    if self_adaptive:
        return 10 if budget is None else int(np.clip(round(budget / 20), 6, 16))
    if budget is None:
        return 14
    return int(np.clip(round(math.sqrt(budget)), 8, 16))


class GeneticAlgorithm(Optimizer):
    """A genetic algorithm for real, log-scaled, integer and categorical parameters.

    Parameters
    ----------
    space : Space or dict
    seed : int, numpy.random.Generator or None
    fidelity : Fidelity, optional
        Evaluate at a budget: every asked configuration carries ``fidelity.high`` under
        ``fidelity.name`` (see :class:`~hpo.optimizers.Optimizer`).
    n_objectives : int, default 1
        Number of objectives, each minimized: with ``m > 1``, ``tell`` takes ``m`` floats per
        configuration and :attr:`pareto_front` holds the non-dominated trials (NSGA-II: see Notes).
    pop_size : int, optional
        Individuals per generation (mu = lambda). Default: :func:`default_pop_size`: with
        self-adaptive mutation (one objective) ``budget / 20`` within ``[6, 16]``, or 10
        without a budget; otherwise ``sqrt(budget)`` within ``[8, 16]``, or 14; with several
        objectives ``budget / 25`` within ``[20, 100]``, or 40.
    budget : int, optional
        Expected number of trials (passed by :func:`hpo.minimize`), to size the population.
    steady_state : bool, default False
        Breed one child per asked configuration from the population as it stands, instead of
        whole generations; for asynchronous or parallel evaluation.
    variation : Variation or dict, optional
        Selection, crossover and mutation parameters (:class:`Variation` defaults if omitted).
    selection, crossover, mutation : callable, optional
        The operators, as pure functions with the signatures of
        :func:`~hpo.optimizers.operators.tournament` (the default selection, called as
        ``selection(fitness, n_select, tournament_size, rng)``),
        :func:`~hpo.optimizers.operators.sbx` (``crossover(A, B, crossover_eta, rng,
        crossover_rate)``) and :func:`~hpo.optimizers.operators.polynomial_mutation`
        (``mutation(X, mutation_eta, mutation_rate, rng)``), or your own with the same
        signatures (as pymoo takes ``SBX()`` and ``PM()``). A crossover given here replaces
        the default recombination of real and integer genes, a mutation given here the
        default mutation (self-adaptive mutation is then off). Categorical genes are always
        crossed uniformly and mutated by random reset. An optimizer holding a callable from
        outside hpo saves, but :meth:`load` refuses it unless trusted (``pickle_trusted``).

    Notes
    -----
    **Generations.** Generation 0 is a Latin hypercube of ``pop_size`` points, minus the
    configurations told before the first ask (warm starts), which join it. ``ask()`` hands out
    the next unasked individual of the current generation and ``ask(n)`` up to ``n`` of them;
    should the generation hold fewer, it grows by extra children of the same parents (design
    points in generation 0), so ``ask(n)`` always returns ``n`` while the space has unseen
    configurations. Once every individual is told, survival keeps the best ``pop_size`` of
    parents and offspring together ((mu + lambda): elitist, the best trial is never lost) and
    the next generation is bred: binary tournaments pick two parents per pair of children.
    Configurations told without being asked after the start join the current generation.
    With ``steady_state=True`` a child is bred at each ask from the current population and a
    told trial replaces the worst member if better ((mu + 1)); :attr:`history` then records
    the population after every ``pop_size`` tells.

    **Several objectives (NSGA-II).** With ``n_objectives >= 2`` the algorithm is NSGA-II
    (Deb, Pratap, Agarwal & Meyarivan 2002): survival sorts parents and offspring together into
    non-dominated fronts and fills the population front by front, the last front by crowding
    distance (:func:`~hpo.optimizers.operators.nsga2_survival`); binary tournaments compare by
    rank, then crowding (the crowded-comparison operator,
    :func:`~hpo.optimizers.operators.crowded_fitness`); the variation operators are the same.
    A failed trial is dominated by every completed one (constrained domination), and among
    failed trials the oldest survives first. :attr:`population` is then ordered by rank and
    crowding.

    Children equal to anything asked or told are bred again (then replaced by random unseen
    configurations), so no configuration is evaluated twice. A failed trial gets fitness
    ``+inf``: it loses every tournament against a completed one and is the first to go.

    **Defaults with one objective** (issue 17): (mu + lambda) survival, a Latin hypercube
    start, tournaments of 3, ``pop_size = budget / 20`` within ``[6, 16]``; each pair of
    parents is recombined, with probability 1/2 each, by extended line recombination
    (:func:`~hpo.optimizers.operators.line_crossover`, ``w ~ U(-1/4, 5/4)``, the pair
    recombined with probability 1/2) or by SBX as below (gene by gene, which keeps the GA's
    strength on separable functions such as Styblinski-Tang), then every real
    and integer gene of a child moves by ``sigma N(0, 1)`` (reflected at the bounds), where the
    child's strength ``sigma`` is the geometric mean of its parents' times
    ``exp(tau N(0, 1))``, ``tau = 0.5 / sqrt(2 d)``, starting at ``step_size = 0.1`` (a tenth
    of each range); ``Trial.info["sigma"]`` records it. Each child that fails to enter the
    population multiplies the strengths of its surviving parents by 0.9
    (``Variation.failure_shrink``, a per-parent success rule). Chosen on the BBOB landscapes
    (:mod:`hpo.problems.bbob`, tuning instances 101-130) and checked on held-out instances and
    the GA suite: ``benchmarks/results/ga/defaults.md``, ``issue17-tonight.md``. **With
    several objectives**, and with ``variation=CLASSIC``: the population of ``pop_size``
    above, binary tournaments, SBX (``eta = 15``, each gene crossed with probability 1/2) and
    polynomial mutation (``eta = 20``, rate ``1/d``) as in Deb's NSGA-II code and pymoo.

    **Conditional spaces.** The genome keeps a gene for every parameter, inactive ones
    included, and crossover and mutation act on all of them, so a branch switched off and on
    again inherits its genes; but a configuration expresses only its active genes, and
    repeats are judged on those. Warm starts get the canonical unit coordinate for their
    inactive genes (:mod:`hpo.space`).

    **Internals.** Each proposal's ``Trial.info`` holds ``generation``, ``parents`` (trial
    numbers) and ``origin`` (``"design"``, ``"offspring"`` or ``"random"``); :attr:`history`
    lists a :class:`Generation` per evaluated generation.

    Examples
    --------
    >>> from hpo import Categorical, Real, Space
    >>> space = Space({"x": Real(-2.0, 2.0), "kind": Categorical(["a", "b"])})
    >>> opt = GeneticAlgorithm(space, seed=0, pop_size=10)
    >>> for _ in range(30):
    ...     p = opt.ask()
    ...     _ = opt.tell(p, p["x"] ** 2 + (p["kind"] == "b"))
    >>> len(opt.history)
    3
    """

    supports_multi_objective = True
    name = "ga"
    supports_conditional = True

    def __init__(
        self,
        space: Space | Mapping[str, Any],
        *,
        seed: SeedLike = None,
        fidelity: Fidelity | None = None,
        n_objectives: int = 1,
        pop_size: int | None = None,
        budget: int | None = None,
        steady_state: bool = False,
        variation: Variation | Mapping[str, Any] | None = None,
        selection: Selection = tournament,
        crossover: Crossover | None = None,
        mutation: Mutation | None = None,
    ) -> None:
        super().__init__(space, seed=seed, fidelity=fidelity, n_objectives=n_objectives)
        for option, operator in (
            ("selection", selection),
            ("crossover", crossover),
            ("mutation", mutation),
        ):
            if operator is not None and not callable(operator):
                raise TypeError(f"{option} must be a callable operator, got {operator!r}")
        self.selection = selection
        if budget is not None and (not isinstance(budget, int) or budget < 1):
            raise ValueError(f"budget must be a positive integer, got {budget!r}")
        if pop_size is not None and (not isinstance(pop_size, int) or pop_size < 2):
            raise ValueError(f"pop_size must be an integer >= 2, got {pop_size!r}")
        if isinstance(variation, Mapping):
            variation = Variation(**variation)
        self.steady_state = bool(steady_state)
        self.variation = variation or Variation()
        single = self.n_objectives == 1
        v = self.variation
        #: Whether real and integer genes are recombined on lines (else by ``crossover``).
        kind = (v.recombination or _auto_recombination(single)) if crossover is None else "sbx"
        self._line = kind in ("line", "mixed")
        #: With "mixed", each pair is recombined on a line or by ``crossover``, 1/2 each.
        self._mixed = kind == "mixed"
        self.crossover = sbx if crossover is None else crossover
        #: Whether mutation is self-adaptive Gaussian (else ``mutation``, polynomial by default).
        numeric = bool((~self.space.is_categorical).any())
        self._adaptive = (
            mutation is None
            and numeric
            and (v.self_adaptive if v.self_adaptive is not None else single)
        )
        self.mutation = polynomial_mutation if mutation is None else mutation
        self._k = v.tournament_size or (3 if self._adaptive else 2)
        if pop_size is None:
            pop_size = default_pop_size(budget, self.n_objectives, self._adaptive)
        self.pop_size = pop_size
        #: Points of generation 0.
        self._initial_size = v.initial_size or pop_size
        # Log-normal learning rate tau = 1 / sqrt(2 d) (Beyer & Schwefel 2002, sec. 4.1), times
        # tau_scale (0.5 by default: slower drift of the strengths, which the success rule
        # of failure_shrink shrinks instead).
        self._tau = v.tau_scale / math.sqrt(2.0 * max(1, int((~self.space.is_categorical).sum())))
        self._sigma: dict[int, float] = {}  # trial number -> its mutation strength
        #: One :class:`Generation` per evaluated generation.
        self.history: list[Generation] = []
        rate = self.variation.mutation_rate
        self._rate = 1.0 / self.space.dim if rate is None else rate
        self._n_choices = np.array(
            [p.n_values for p in self.space.values() if p.kind == "categorical"], dtype=np.int64
        )
        self._finite_size = self.space.n_configs
        self._design = UnitDesign(
            self.variation.design, self.space.dim, self.rng, block=self._initial_size
        )
        self._unit: dict[int, np.ndarray] = {}  # trial number -> unit coordinates
        self._genomes: dict[tuple, np.ndarray] = {}  # key -> genome of a conditional proposal
        self._parents: list[int] = []  # survivors, best first
        self._offspring: list[int] = []  # trials told in the current generation
        self._queue: deque[Proposal] = deque()  # bred, not yet asked
        self._bred = False  # whether the current generation was bred (or designed)
        self._crowded: tuple[tuple[int, ...], Any] = ((), None)  # parents, their fitness

    # -- public state -------------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Index of the generation being evaluated."""
        return len(self.history)

    @property
    def population(self) -> list[Trial]:
        """The current parents (survivors), best first."""
        return [self._trials[i] for i in self._parents]

    # -- ask ----------------------------------------------------------------------------
    def _propose(self, n: int) -> list[Proposal]:
        out: list[Proposal] = []
        keys: set[tuple] = set()  # of the proposals in ``out``
        while len(out) < n:
            if not self._bred:
                self._breed_generation(keys)  # the design for generation 0
            if not self._queue:
                if self._only_warm_starts_left(out):
                    self._advance()  # every member was a warm start: the generation is done
                    continue
                # Steady state, or a generation all handed out: one more child of the parents.
                self._queue.extend(self._breed(1, keys))
                if not self._queue:
                    break  # a finite space with nothing unseen left
            proposal = self._queue.popleft()
            key = config_key(proposal.params)
            if self.is_new(proposal.params) and key not in keys:  # a warm start may equal it
                out.append(proposal)
                keys.add(key)
        return out

    def _breed_generation(self, keys: set[tuple]) -> None:
        """Breed the current generation, less the warm starts already told into it."""
        self._bred = True
        lam = self.variation.offspring if self.generation > 0 else self._initial_size
        size = self.pop_size if lam is None else lam
        self._queue = deque(self._breed(size - len(self._offspring), keys))

    def _only_warm_starts_left(self, out: list[Proposal]) -> bool:
        """Whether the generation is complete without another ask: told entirely by warm
        starts, nothing pending or being handed out (never in steady state)."""
        return not (self.steady_state or self._pending or out) and bool(self._offspring)

    def _initial(self, n: int, keys: set[tuple]) -> list[Proposal]:
        """Up to ``n`` new points of the initial Latin hypercube design."""
        if n <= 0:
            return []
        U = self.space.snap(self._design.draw(n))
        out = self._unique(U, [{"generation": 0, "parents": [], "origin": "design"}] * n, keys)
        return out + self._fresh(n - len(out), keys, 0)

    def _breed(self, n: int, keys: set[tuple]) -> list[Proposal]:
        """Up to ``n`` new children of the current parents (design points before there are
        any), distinct from ``keys`` (left unchanged) and from the queue."""
        g = self.generation
        keys = _Excluded(keys, (config_key(p.params) for p in self._queue))
        if len(self._parents) < 2:
            return self._initial(n, keys) if g == 0 else self._fresh(n, keys, g)
        fitness = self._selection_fitness()
        children: list[Proposal] = []
        for _ in range(_MAX_ROUNDS):
            m = (n - len(children) + 1) // 2  # pairs of parents
            pick = self.selection(fitness, 2 * m, self._k, self.rng)
            if self.variation.elite_share > 0:  # first parents: the best, at this rate
                best = int(np.argmin(fitness))
                pick[:m] = np.where(self.rng.random(m) < self.variation.elite_share, best, pick[:m])
            a, b = [self._parents[i] for i in pick[:m]], [self._parents[i] for i in pick[m:]]
            U, sigma = self._vary(
                np.array([self._unit[i] for i in a]),
                np.array([self._unit[i] for i in b]),
                np.array([self._strength(i) for i in a + b]).reshape(2, -1),
            )
            infos = [
                {"generation": g, "parents": [int(x), int(y)], "origin": "offspring"}
                for x, y in zip(a + a, b + b)
            ]
            if self._adaptive:
                for info, s in zip(infos, sigma):
                    info["sigma"] = float(s)
            children += self._unique(U, infos, keys, limit=n - len(children))
            if len(children) >= n:
                return children
        return children + self._fresh(n - len(children), keys, g)

    def _strength(self, number: int) -> float:
        return self._sigma.get(number, self.variation.step_size)

    def _vary(self, UA: np.ndarray, UB: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cross and mutate pairs of parents ``(UA[i], UB[i])`` of strengths ``S[:, i]``; two
        children per pair, and the children's strengths (used if self-adaptive)."""
        v, rng = self.variation, self.rng
        C1, C2 = UA.copy(), UB.copy()
        num, cat = ~self.space.is_categorical, self.space.is_categorical
        # A child inherits the geometric mean of its parents' strengths, then varies it.
        sigma = np.tile(np.sqrt(S[0] * S[1]), 2)
        if num.any():
            if self._mixed:
                l1, l2 = line_crossover(
                    UA[:, num], UB[:, num], rng, v.crossover_rate, v.line_spread
                )
                s1, s2 = self.crossover(
                    UA[:, num], UB[:, num], v.crossover_eta, rng, v.crossover_rate
                )
                on_line = (rng.random(len(UA)) < v.line_share)[:, None]
                c1, c2 = np.where(on_line, l1, s1), np.where(on_line, l2, s2)
            elif self._line:
                c1, c2 = line_crossover(
                    UA[:, num], UB[:, num], rng, v.crossover_rate, v.line_spread
                )
            else:
                c1, c2 = self.crossover(
                    UA[:, num], UB[:, num], v.crossover_eta, rng, v.crossover_rate
                )
            if self._adaptive:
                sigma = np.minimum(self_adapt(sigma, self._tau, rng), 1.0)
                m = len(UA)
                C1[:, num] = gaussian_mutation(c1, sigma[:m], rng)
                C2[:, num] = gaussian_mutation(c2, sigma[m:], rng)
                if v.gene_mutation > 0:  # and gene by gene, polynomial mutation
                    C1[:, num] = self.mutation(C1[:, num], v.mutation_eta, v.gene_mutation, rng)
                    C2[:, num] = self.mutation(C2[:, num], v.mutation_eta, v.gene_mutation, rng)
            else:
                C1[:, num] = self.mutation(c1, v.mutation_eta, self._rate, rng)
                C2[:, num] = self.mutation(c2, v.mutation_eta, self._rate, rng)
        if cat.any():
            k = self._n_choices
            i1, i2 = uniform_crossover(self._index(UA[:, cat]), self._index(UB[:, cat]), rng)
            C1[:, cat] = (random_reset(i1, k, self._rate, rng) + 0.5) / k
            C2[:, cat] = (random_reset(i2, k, self._rate, rng) + 0.5) / k
        # Integer genes are repaired by rounding to the value whose bin holds them.
        return self.space.snap(np.vstack([C1, C2])), sigma

    def _index(self, U: np.ndarray) -> np.ndarray:
        return np.minimum(np.floor(U * self._n_choices), self._n_choices - 1).astype(np.int64)

    def _unique(
        self, U: np.ndarray, infos: list[dict], keys: set[tuple], limit: int | None = None
    ) -> list[Proposal]:
        """Proposals for the first ``limit`` rows of ``U`` never seen before, neither by the
        optimizer nor in ``keys`` (to which their keys are added)."""
        out: list[Proposal] = []
        for row, (params, info) in enumerate(zip(self.space.from_unit_batch(U), infos)):
            if limit is not None and len(out) >= limit:
                break
            key = config_key(params)
            if self.is_new(params) and key not in keys:
                keys.add(key)
                out.append(Proposal(params, dict(info)))
                if self.space.is_conditional:  # keep the inactive genes it does not express
                    self._genomes[key] = np.array(U[row], dtype=float)
        return out

    def _fresh(self, n: int, keys: set[tuple], g: int) -> list[Proposal]:
        """Up to ``n`` random unseen configurations (fewer when a finite space runs out)."""
        if n <= 0:
            return []
        info = {"generation": g, "parents": [], "origin": "random"}
        U = self.space.snap(self.rng.random((4 * n, self.space.dim)))
        out = self._unique(U, [info] * (4 * n), keys, limit=n)
        if len(out) < n and self._finite_size is not None and self._finite_size <= _MAX_ENUMERATE:
            k = max(p.n_values for p in self.space.values())
            axes = self.space.grid_axes(k)
            tree = self.space.grid(k) if self.space.is_conditional else None
            order = self.rng.permutation(self._finite_size)
            for i in order:
                if len(out) >= n:
                    break
                point = tree[i] if tree is not None else self.space.grid_point(int(i), axes)
                U = self.space.to_unit_batch([point])
                out += self._unique(U, [info], keys)
        return out

    # -- tell ---------------------------------------------------------------------------
    def _fitness(self, number: int) -> float | tuple[float, ...]:
        trial = self._trials[number]
        if trial.ok:
            return trial.value
        return math.inf if self.n_objectives == 1 else (math.inf,) * self.n_objectives

    def _selection_fitness(self) -> np.ndarray:
        """What tournaments minimize: the value, or with several objectives the position of
        each parent under NSGA-II's crowded-comparison operator (rank, then crowding)."""
        if self.n_objectives == 1:
            return np.array([self._fitness(i) for i in self._parents])
        # Rank and crowding of the population itself (recomputed after each survival), cached
        # while the parents stay the same (extra children of one generation reuse them).
        parents, cached = self._crowded
        if parents != tuple(self._parents):
            F = np.array([self._fitness(i) for i in self._parents], dtype=float)
            _, rank, crowding = nsga2_survival(F, len(F))
            parents, cached = tuple(self._parents), crowded_fitness(rank, crowding)
            self._crowded = (parents, cached)
        return cached

    def _observe(self, trials: list[Trial]) -> None:
        for trial in trials:
            genome = None
            if self.space.is_conditional:  # the genome it was bred as, inactive genes included
                genome = self._genomes.pop(self._key(trial.params), None)
            self._unit[trial.number] = (
                self.space.to_unit(trial.params) if genome is None else genome
            )
            if self._adaptive:
                self._sigma[trial.number] = float(trial.info.get("sigma", self.variation.step_size))
            self._offspring.append(trial.number)
            if self.steady_state:
                self._parents = self._survivors([*self._parents, trial.number])
                self._shrink_failed([trial.number])
                if len(self._offspring) == self.pop_size:
                    self._snapshot()
        if not self.steady_state and self._bred and not self._queue and not self._pending:
            self._advance()  # the generation is fully told

    def _survivors(self, pool: list[int]) -> list[int]:
        if self.n_objectives > 1:
            # NSGA-II survival on R_t = P_t u Q_t (Deb et al. 2002, sec. III-C), ties by age.
            pool = sorted(pool)
            F = np.array([self._fitness(i) for i in pool], dtype=float)
            keep, _, _ = nsga2_survival(F, self.pop_size)
            return [pool[k] for k in keep]
        # (mu + lambda) truncation: the best pop_size, older first among equal fitness.
        return sorted(pool, key=lambda i: (self._fitness(i), i))[: self.pop_size]

    def _advance(self) -> None:
        self._parents = self._survivors(self._parents + self._offspring)
        self._shrink_failed(self._offspring)
        self._snapshot()
        self._bred = False

    def _shrink_failed(self, children: list[int]) -> None:
        """``Variation.failure_shrink`` and ``success_grow``: for each child of ``children``
        left out of the population, shrink the strengths of its parents that survive; grow
        the strength of each child that entered it."""
        shrink, grow = self.variation.failure_shrink, self.variation.success_grow
        if (shrink == 1.0 and grow == 1.0) or not self._adaptive:
            return
        alive = set(self._parents)
        for child in children:
            if child in alive:
                if child in self._sigma and self._trials[child].info.get("parents"):
                    self._sigma[child] = min(self._sigma[child] * grow, 1.0)
                continue
            for parent in self._trials[child].info.get("parents", ()):
                if parent in alive and parent in self._sigma:
                    self._sigma[parent] *= shrink

    def _snapshot(self) -> None:
        X = np.array([self._unit[i] for i in self._parents]).reshape(-1, self.space.dim)
        fitness = np.array([self._fitness(i) for i in self._parents], dtype=float)
        self.history.append(
            Generation(self.generation, self._offspring, list(self._parents), X, fitness)
        )
        self._offspring = []
