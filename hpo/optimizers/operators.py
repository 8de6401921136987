"""Variation and selection operators of the genetic algorithm, as pure numpy functions.

Each operator takes arrays and a :class:`numpy.random.Generator` and returns new arrays; none
keeps state, so each can be studied and tested alone. Continuous genes live in the unit cube
``[0, 1]^d`` of :class:`~hpo.Space` (integer genes too, before they are rounded); categorical
genes are choice indices.

Notation (Deb & Agrawal 1995; Deb & Goyal 1996):

==========  =================================================================================
``eta``     distribution index: large values keep children close to their parents
``u``       a uniform draw in ``[0, 1)``, one per gene
``y1, y2``  the smaller and the larger parent value of one gene, ``y1 < y2``
``beta``    spread factor ``|c2 - c1| / |y2 - y1|`` of a pair of children
``rate``    probability that a gene is mutated
``sigma``   an individual's Gaussian mutation strength (standard deviation in the unit cube)
``tau``     learning rate of the log-normal self-adaptation of ``sigma``
==========  =================================================================================

Besides SBX and polynomial mutation, two rotation-invariant operators for single-objective
search: :func:`line_crossover` (extended line recombination, Muhlenbein & Schlierkamp-Voosen
1993) and :func:`gaussian_mutation` with :func:`self_adapt` (isotropic Gaussian mutation whose
strength each individual carries and adapts log-normally: Schwefel 1977; Beyer & Schwefel
2002, "Evolution strategies: a comprehensive introduction", Natural Computing 1, sec. 4.1).
"""

from __future__ import annotations

import numpy as np

from hpo.moo.dominance import crowding_distance, non_dominated_sort

__all__ = [
    "crowded_fitness",
    "gaussian_mutation",
    "line_crossover",
    "nsga2_survival",
    "polynomial_mutation",
    "random_reset",
    "reflect",
    "sbx",
    "self_adapt",
    "tournament",
    "uniform_crossover",
]

_EPS = 1e-14  # parents closer than this in a gene are copied, not crossed (SBX divides by y2-y1)


def tournament(fitness: np.ndarray, n_select: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Tournament selection: each winner is the fittest of ``k`` individuals drawn at random.

    Contestants are drawn uniformly *with replacement*, so a unique best individual of a
    population of ``N`` wins a tournament with probability ``1 - (1 - 1/N)^k``. Fitness is
    minimized; among equal fitness (failed trials all have ``+inf``) the contestant drawn first
    wins, which is a uniform choice among them.

    Parameters
    ----------
    fitness : ndarray of shape (n_individuals,)
        Lower is better; ``+inf`` is allowed.
    n_select : int
        Number of tournaments (winners returned).
    k : int
        Tournament size, ``k >= 1``; ``k = 1`` is uniform random selection.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_select,)
        Indices of the winners into ``fitness``.
    """
    fitness = np.asarray(fitness, dtype=float)
    if fitness.ndim != 1 or fitness.size == 0:
        raise ValueError(f"fitness must be a non-empty 1-d array, got shape {fitness.shape}")
    if k < 1:
        raise ValueError(f"k (tournament size) must be a positive integer, got {k!r}")
    contestants = rng.integers(fitness.size, size=(n_select, k))
    best = np.argmin(fitness[contestants], axis=1)  # first minimum: ties go to the first drawn
    return contestants[np.arange(n_select), best]


def _sbx_betaq(beta: np.ndarray, u: np.ndarray, eta: float) -> np.ndarray:
    # Bounded SBX (Deb & Agrawal 1995, with the bound correction of Deb's NSGA-II code, as in
    # pymoo's cross_sbx): the polynomial spread density is truncated at the bound and
    # renormalised by alpha = 2 - beta^-(eta + 1); inverting its CDF at u gives
    #   betaq = (u alpha)^(1/(eta+1))              if u <= 1/alpha
    #   betaq = (1 / (2 - u alpha))^(1/(eta+1))    otherwise.
    alpha = 2.0 - beta ** -(eta + 1.0)
    low = u <= 1.0 / alpha
    inner = np.where(low, u * alpha, 1.0 / np.maximum(2.0 - u * alpha, _EPS))
    return inner ** (1.0 / (eta + 1.0))


def sbx(
    A: np.ndarray,
    B: np.ndarray,
    eta: float,
    rng: np.random.Generator,
    prob_var: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulated binary crossover (SBX) of continuous genes in the unit cube.

    Each gene is crossed with probability ``prob_var`` (otherwise copied); a crossed gene gives
    the pair of children ``c1, c2 = (y1 + y2)/2 -/+ betaq (y2 - y1)/2``, whose spread factor
    ``betaq`` follows the density ``0.5 (eta + 1) beta^eta`` (contracting, ``beta <= 1``) and
    ``0.5 (eta + 1) / beta^(eta + 2)`` (expanding), truncated so that children stay in
    ``[0, 1]``. Then each crossed gene goes to either child with probability 1/2.

    Parameters
    ----------
    A, B : ndarray of shape (n_pairs, n_genes)
        The two parents of each pair, values in ``[0, 1]``.
    eta : float
        Distribution index, ``eta >= 0``: larger keeps children closer to their parents.
    rng : numpy.random.Generator
    prob_var : float, default 0.5
        Probability that a gene is crossed (0.5 in Deb's NSGA-II code and pymoo).

    Returns
    -------
    C1, C2 : ndarray of shape (n_pairs, n_genes)
        The children, in ``[0, 1]``.

    Notes
    -----
    When the parents lie symmetrically about the centre of the box, both sides use the same
    ``beta`` and the children of a pair are exactly symmetric about the parents' mean; near a
    bound, the child on that side is pulled in, so children are symmetric about the mean only in
    distribution far from the bounds.
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape != B.shape:
        raise ValueError(f"A and B must have the same shape, got {A.shape} and {B.shape}")
    if eta < 0:
        raise ValueError(f"eta must be non-negative, got {eta!r}")
    crossed = (rng.random(A.shape) < prob_var) & (np.abs(A - B) > _EPS)
    u = rng.random(A.shape)
    swap = rng.random(A.shape) < 0.5
    y1, y2 = np.minimum(A, B), np.maximum(A, B)
    delta = np.where(crossed, y2 - y1, 1.0)  # 1.0 where not crossed, to avoid dividing by 0
    # beta at each bound: the spread that would put a child exactly on it.
    beta_low = 1.0 + 2.0 * y1 / delta
    beta_high = 1.0 + 2.0 * (1.0 - y2) / delta
    c1 = 0.5 * ((y1 + y2) - _sbx_betaq(beta_low, u, eta) * delta)
    c2 = 0.5 * ((y1 + y2) + _sbx_betaq(beta_high, u, eta) * delta)
    c1, c2 = np.clip(c1, 0.0, 1.0), np.clip(c2, 0.0, 1.0)  # round-off only
    C1 = np.where(crossed, np.where(swap, c2, c1), A)
    C2 = np.where(crossed, np.where(swap, c1, c2), B)
    return C1, C2


def polynomial_mutation(
    X: np.ndarray, eta: float, rate: float | np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Polynomial mutation of continuous genes in the unit cube, in Deb's bounded form.

    Each gene is mutated with probability ``rate`` by ``x' = x + deltaq`` with

    * ``u < 1/2``: ``deltaq = (2u + (1 - 2u)(1 - x)^(eta+1))^(1/(eta+1)) - 1`` (a step down),
    * ``u >= 1/2``: ``deltaq = 1 - (2(1 - u) + 2(u - 1/2) x^(eta+1))^(1/(eta+1))`` (a step up),

    so ``u = 0`` lands on 0, ``u -> 1`` on 1, and a step never leaves ``[0, 1]`` (Deb & Goyal
    1996; the bounded form of Deb's NSGA-II code, as in pymoo's ``mut_pm``).

    Parameters
    ----------
    X : ndarray of shape (n_individuals, n_genes)
        Values in ``[0, 1]``.
    eta : float
        Distribution index, ``eta >= 0``: larger gives smaller steps.
    rate : float or ndarray of shape (n_genes,)
        Probability that a gene is mutated (a per-gene array allows 0 for genes to keep).
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_individuals, n_genes)
        A mutated copy of ``X``.
    """
    X = np.asarray(X, dtype=float)
    if eta < 0:
        raise ValueError(f"eta must be non-negative, got {eta!r}")
    mutate = rng.random(X.shape) < rate
    u = rng.random(X.shape)
    # Polynomial mutation, bounded form (Deb & Goyal 1996; NSGA-II code), x in [0, 1]:
    power = eta + 1.0
    down = (2.0 * u + (1.0 - 2.0 * u) * (1.0 - X) ** power) ** (1.0 / power) - 1.0
    up = 1.0 - (2.0 * (1.0 - u) + 2.0 * (u - 0.5) * X**power) ** (1.0 / power)
    deltaq = np.where(u < 0.5, down, up)
    return np.where(mutate, np.clip(X + deltaq, 0.0, 1.0), X)


def reflect(X: np.ndarray) -> np.ndarray:
    """Fold values back into ``[0, 1]`` by reflection at the bounds (``-0.1 -> 0.1``,
    ``1.2 -> 0.8``), periodically for steps longer than the box; keeps a mutation's step
    length, where clipping would pile points on the faces of the box.

    Parameters
    ----------
    X : ndarray
        Any shape.

    Returns
    -------
    ndarray of the same shape, values in ``[0, 1]``.
    """
    X = np.mod(np.asarray(X, dtype=float), 2.0)  # period 2 of the reflection
    return np.clip(np.where(X > 1.0, 2.0 - X, X), 0.0, 1.0)


def line_crossover(
    A: np.ndarray,
    B: np.ndarray,
    rng: np.random.Generator,
    prob: float = 1.0,
    spread: float = 0.25,
) -> tuple[np.ndarray, np.ndarray]:
    """Extended line recombination: children on the line through both parents.

    ``c1 = a + w1 (b - a)`` and ``c2 = b + w2 (a - b)``, one ``w ~ U(-spread, 1 + spread)`` per
    child (Muhlenbein & Schlierkamp-Voosen 1993, "Predictive models for the breeder genetic
    algorithm", Evolutionary Computation 1(1), extended line recombination with ``d = 0.25``).
    Unlike SBX, which crosses each coordinate alone, the step is a multiple of ``b - a``, so the
    operator commutes with rotations and scalings of the search space: on a rotated
    ill-conditioned function it follows the directions the population spreads along.

    Parameters
    ----------
    A, B : ndarray of shape (n_pairs, n_genes)
        Parents, values in ``[0, 1]``.
    rng : numpy.random.Generator
    prob : float, default 1.0
        Probability that a pair is recombined (otherwise the children copy the parents).
    spread : float, default 0.25
        How far beyond the parents ``w`` reaches, ``spread >= 0``.

    Returns
    -------
    C1, C2 : ndarray of shape (n_pairs, n_genes)
        The children, reflected into ``[0, 1]`` (:func:`reflect`).
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape != B.shape:
        raise ValueError(f"A and B must have the same shape, got {A.shape} and {B.shape}")
    if not spread >= 0:
        raise ValueError(f"spread must be non-negative, got {spread!r}")
    n = A.shape[0]
    crossed = (rng.random(n) < prob)[:, None]
    w1, w2 = rng.uniform(-spread, 1.0 + spread, size=(2, n, 1))
    C1 = np.where(crossed, reflect(A + w1 * (B - A)), A)
    C2 = np.where(crossed, reflect(B + w2 * (A - B)), B)
    return C1, C2


def self_adapt(sigma: np.ndarray, tau: float, rng: np.random.Generator) -> np.ndarray:
    """Log-normal self-adaptation of mutation strengths: ``sigma' = sigma exp(tau N(0, 1))``.

    Beyer & Schwefel (2002), sec. 4.1 (the log-normal operator of Schwefel 1977), with one
    draw per individual; they recommend ``tau`` proportional to ``1 / sqrt(d)``. Selection then
    keeps the strengths that produced good children, so the population learns its step size.

    Parameters
    ----------
    sigma : ndarray of shape (n_individuals,)
        Positive strengths.
    tau : float
        Learning rate, ``tau >= 0``.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_individuals,)
    """
    sigma = np.asarray(sigma, dtype=float)
    if tau < 0:
        raise ValueError(f"tau must be non-negative, got {tau!r}")
    return sigma * np.exp(tau * rng.standard_normal(sigma.shape))


def gaussian_mutation(X: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Isotropic Gaussian mutation ``x' = x + sigma N(0, I)``, reflected into ``[0, 1]``.

    Every gene moves (unlike :func:`polynomial_mutation`'s rate), by a step whose distribution
    is the same in every direction, so the operator is rotation invariant (Beyer & Schwefel
    2002, sec. 4.1).

    Parameters
    ----------
    X : ndarray of shape (n_individuals, n_genes)
        Values in ``[0, 1]``.
    sigma : ndarray of shape (n_individuals,)
        Each individual's mutation strength.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_individuals, n_genes)
        A mutated copy of ``X``, in ``[0, 1]``.
    """
    X = np.asarray(X, dtype=float)
    sigma = np.asarray(sigma, dtype=float).reshape(-1, 1)
    return reflect(X + sigma * rng.standard_normal(X.shape))


def uniform_crossover(
    A: np.ndarray, B: np.ndarray, rng: np.random.Generator, prob: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform crossover: each gene of a pair of parents is exchanged with probability ``prob``.

    Parameters
    ----------
    A, B : ndarray of shape (n_pairs, n_genes)
        Any dtype (choice indices for categorical genes).
    rng : numpy.random.Generator
    prob : float, default 0.5

    Returns
    -------
    C1, C2 : ndarray of shape (n_pairs, n_genes)
        Every gene of ``C1`` comes from ``A`` or ``B``, and ``C2`` holds the other one.
    """
    A, B = np.asarray(A), np.asarray(B)
    if A.shape != B.shape:
        raise ValueError(f"A and B must have the same shape, got {A.shape} and {B.shape}")
    swap = rng.random(A.shape) < prob
    return np.where(swap, B, A), np.where(swap, A, B)


def random_reset(
    I: np.ndarray,  # noqa: E741 - I for indices, as in the notation of the module
    n_choices: np.ndarray,
    rate: float | np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Random-reset mutation of categorical genes.

    Each gene is reset with probability ``rate`` to a choice drawn uniformly among the *other*
    ``k - 1`` choices, so a reset always changes the gene (a gene with one choice never does).

    Parameters
    ----------
    I : ndarray of int, shape (n_individuals, n_genes)
        Choice indices, ``0 <= I[:, j] < n_choices[j]``.
    n_choices : ndarray of int, shape (n_genes,)
        Number of choices ``k`` of each gene.
    rate : float or ndarray of shape (n_genes,)
        Probability that a gene is reset.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (n_individuals, n_genes)
    """
    I = np.asarray(I, dtype=np.int64)  # noqa: E741
    k = np.broadcast_to(np.asarray(n_choices, dtype=np.int64), I.shape)
    reset = (rng.random(I.shape) < rate) & (k > 1)
    # I + 1 + (a uniform integer in [0, k - 2]), modulo k: uniform over the k - 1 others.
    offset = 1 + np.floor(rng.random(I.shape) * np.maximum(k - 1, 1)).astype(np.int64)
    return np.where(reset, (I + offset) % k, I)


def nsga2_survival(F: np.ndarray, n_survive: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NSGA-II's elitist survival: fronts first, then crowding (Deb et al. 2002, sec. III-C).

    Deb, Pratap, Agarwal & Meyarivan (2002), "A fast and elitist multiobjective genetic
    algorithm: NSGA-II", IEEE TEC 6(2). The pool ``R_t = P_t u Q_t`` (parents and offspring) is
    sorted into fronts ``F_1, F_2, ...`` (sec. III-A); ``P_{t+1}`` takes whole fronts while
    ``|P_{t+1}| + |F_i| <= N`` and fills the rest with the members of the next front of largest
    crowding distance ``i_distance`` (sec. III-B), i.e. sorted by the crowded-comparison
    operator ``i <_n j  iff  i_rank < j_rank or (i_rank = j_rank and i_distance > j_distance)``.

    Rows with a non-finite value are *infeasible* (failed trials) and handled by constrained
    domination (Deb et al. 2002, sec. VI, with a constraint violation that is equal for all of
    them): every feasible row dominates them, so they come after every front, oldest (lowest
    index) first.

    Parameters
    ----------
    F : ndarray of shape (n_points, n_objectives)
        Objective vectors of the pool (minimized), ``inf`` or NaN rows for failed trials.
    n_survive : int
        Size ``N`` of the next population.

    Returns
    -------
    survivors : ndarray of int, shape (min(N, n_points),)
        Indices into ``F``, in crowded-comparison order (best first; ties by index).
    rank : ndarray of shape (n_points,)
        Front of each row, from 0 (``inf`` for infeasible rows).
    crowding : ndarray of shape (n_points,)
        Crowding distance of each row within its front (0 for infeasible rows).
    """
    F = np.asarray(F, dtype=float)
    n = len(F)
    feasible = np.flatnonzero(np.all(np.isfinite(F), axis=1))
    rank = np.full(n, np.inf)
    crowding = np.zeros(n)
    for r, front in enumerate(non_dominated_sort(F[feasible]) if feasible.size else []):
        members = feasible[front]
        rank[members] = r
        crowding[members] = crowding_distance(F[members])
    # lexsort: the last key is the primary one: rank, then -crowding, then index.
    order = np.lexsort((np.arange(n), -crowding, rank))
    return order[:n_survive], rank, crowding


def crowded_fitness(rank: np.ndarray, crowding: np.ndarray) -> np.ndarray:
    """A scalar fitness whose order is the crowded-comparison operator ``<_n``.

    Deb et al. (2002), sec. III-B: ``i <_n j`` iff ``i_rank < j_rank`` or equal ranks and
    ``i_distance > j_distance``. Returned as the dense position of ``(rank, -distance)``, so
    that :func:`tournament` (which minimizes) is NSGA-II's crowded binary tournament, equal
    pairs being ties.

    Parameters
    ----------
    rank, crowding : ndarray of shape (n_individuals,)

    Returns
    -------
    ndarray of float, shape (n_individuals,)
    """
    keys = np.column_stack([np.asarray(rank, dtype=float), -np.asarray(crowding, dtype=float)])
    _, dense = np.unique(keys, axis=0, return_inverse=True)  # unique sorts rows lexicographically
    return dense.reshape(-1).astype(float)
