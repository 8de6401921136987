"""The genetic operators checked one by one against their theory."""

import numpy as np
import pytest

from hpo.optimizers.operators import (
    crowded_fitness,
    gaussian_mutation,
    line_crossover,
    nsga2_survival,
    polynomial_mutation,
    random_reset,
    reflect,
    sbx,
    self_adapt,
    tournament,
    uniform_crossover,
)

N_DRAWS = 20_000


def within(estimate, expected, n, sigmas=4.0):
    """Whether a frequency estimated from ``n`` draws matches a probability ``expected``."""
    return abs(estimate - expected) <= sigmas * np.sqrt(expected * (1 - expected) / n) + 1e-12


# -- tournament selection -------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("N", [2, 10])
def test_tournament_picks_the_best_with_probability_one_minus_miss_to_the_k(N, k, rng):
    fitness = rng.permutation(N).astype(float)
    winners = tournament(fitness, N_DRAWS, k, rng)
    p_best = np.mean(winners == np.argmin(fitness))
    assert within(p_best, 1 - (1 - 1 / N) ** k, N_DRAWS)


def test_tournament_rank_distribution_matches_theory(rng):
    # The r-th best (r = 1..N) wins when all k contestants rank >= r but not all > r:
    # P(r) = ((N - r + 1) / N)^k - ((N - r) / N)^k.
    N, k = 8, 3
    fitness = rng.normal(size=N)
    rank = np.argsort(np.argsort(fitness)) + 1
    counts = np.bincount(rank[tournament(fitness, N_DRAWS, k, rng)], minlength=N + 1)[1:]
    r = np.arange(1, N + 1)
    expected = ((N - r + 1) / N) ** k - ((N - r) / N) ** k
    assert all(within(c / N_DRAWS, p, N_DRAWS) for c, p in zip(counts, expected))


def test_tournament_minimizes_and_treats_failures_as_worst(rng):
    fitness = np.array([np.inf, 3.0, np.inf, -1.0, np.inf])
    winners = tournament(fitness, 5000, 2, rng)
    # With k = 2 an inf wins only against another inf: P = (3/5)^2.
    assert within(np.mean(np.isinf(fitness[winners])), 0.36, 5000)
    all_failed = tournament(np.full(4, np.inf), 8000, 2, rng)
    assert np.all(np.abs(np.bincount(all_failed, minlength=4) / 8000 - 0.25) < 0.03)


def test_tournament_refuses_bad_arguments(rng):
    with pytest.raises(ValueError, match="k \\(tournament size\\)"):
        tournament(np.ones(3), 2, 0, rng)
    with pytest.raises(ValueError, match="fitness"):
        tournament(np.ones((2, 2)), 2, 2, rng)


# -- simulated binary crossover ---------------------------------------------------------------
@pytest.mark.parametrize("eta", [0.0, 2.0, 15.0, 100.0])
def test_sbx_children_stay_in_the_unit_cube(eta, rng):
    A = rng.random((2000, 3))
    B = rng.random((2000, 3))
    A[:100], B[100:200] = 0.0, 1.0  # parents on the bounds
    C1, C2 = sbx(A, B, eta, rng, prob_var=1.0)
    for C in (C1, C2):
        assert np.all((C >= 0.0) & (C <= 1.0))


def test_sbx_pairs_are_symmetric_about_the_parents_mean_when_bounds_are(rng):
    # Parents symmetric about the centre: both sides see the same bound, so c1 + c2 = y1 + y2.
    a = rng.uniform(0.0, 0.5, (3000, 2))
    C1, C2 = sbx(a, 1.0 - a, 2.0, rng, prob_var=1.0)
    np.testing.assert_allclose(C1 + C2, 1.0, atol=1e-12)
    assert not np.allclose(C1, a) and not np.allclose(C1, 1.0 - a)


def test_sbx_children_are_symmetric_about_the_mean_in_distribution(rng):
    # Far from the bounds the truncation is negligible: child - mean is symmetric about 0.
    n = N_DRAWS
    A, B = np.full((n, 1), 0.40), np.full((n, 1), 0.46)
    C1, C2 = sbx(A, B, 10.0, rng, prob_var=1.0)
    offset = np.concatenate([C1, C2]).ravel() - 0.43
    assert abs(np.mean(offset)) < 4 * np.std(offset) / np.sqrt(2 * n)
    assert within(np.mean(offset > 0), 0.5, 2 * n)
    q = np.quantile(offset, [0.1, 0.25, 0.75, 0.9])
    np.testing.assert_allclose(q[:2], -q[::-1][:2], atol=0.002)


@pytest.mark.parametrize("eta", [1.0, 15.0])
def test_sbx_spread_factor_follows_its_density(eta, rng):
    # Deb & Agrawal 1995: P(beta <= b) = 0.5 b^(eta + 1) for b <= 1 (contracting half).
    n = N_DRAWS
    A, B = np.full((n, 1), 0.495), np.full((n, 1), 0.505)  # bounds 50 spreads away
    C1, C2 = sbx(A, B, eta, rng, prob_var=1.0)
    beta = (np.abs(C2 - C1) / 0.01).ravel()
    for b in (0.5, 0.9, 1.0):
        assert within(np.mean(beta <= b), 0.5 * b ** (eta + 1), n)


def test_sbx_spread_shrinks_as_eta_grows(rng):
    # The spread factor beta concentrates at 1 (children on the parents) as eta grows.
    A, B = np.full((5000, 1), 0.3), np.full((5000, 1), 0.6)
    spreads = []
    for eta in (0.0, 2.0, 5.0, 15.0, 50.0):
        C1, C2 = sbx(A, B, eta, np.random.default_rng(0), prob_var=1.0)
        spreads.append(np.mean(np.abs(np.abs(C2 - C1) / 0.3 - 1.0)))
    assert np.all(np.diff(spreads) < 0)
    assert spreads[-1] < 0.05


def test_sbx_copies_genes_it_does_not_cross(rng):
    A, B = rng.random((50, 4)), rng.random((50, 4))
    C1, C2 = sbx(A, B, 15.0, rng, prob_var=0.0)
    assert np.array_equal(C1, A) and np.array_equal(C2, B)
    C1, C2 = sbx(A, A, 15.0, rng, prob_var=1.0)  # equal parents give equal children
    assert np.array_equal(C1, A) and np.array_equal(C2, A)
    with pytest.raises(ValueError, match="same shape"):
        sbx(A, B[:, :2], 15.0, rng)
    with pytest.raises(ValueError, match="eta"):
        sbx(A, B, -1.0, rng)


# -- polynomial mutation ----------------------------------------------------------------------
@pytest.mark.parametrize("eta", [0.0, 1.0, 20.0, 100.0])
def test_polynomial_mutation_stays_in_the_unit_cube(eta, rng):
    X = rng.random((3000, 4))
    X[:200], X[200:400] = 0.0, 1.0
    Y = polynomial_mutation(X, eta, 1.0, rng)
    assert np.all((Y >= 0.0) & (Y <= 1.0))
    assert np.mean(Y[400:] != X[400:]) > 0.99
    # On a bound, the steps that would leave the cube (half of them) stay on it.
    assert within(np.mean(Y[:400] == X[:400]), 0.5, 1600)


def test_polynomial_mutation_step_follows_its_density(rng):
    # Away from the bounds the step d has density 0.5 (eta + 1)(1 - |d|)^eta, E|d| = 1/(eta+2),
    # symmetric about 0 (Deb & Goyal 1996); at x = 0.5 the truncation is 0.5^(eta+1).
    eta, n = 20.0, N_DRAWS
    step = (polynomial_mutation(np.full((n, 1), 0.5), eta, 1.0, rng) - 0.5).ravel()
    assert np.mean(np.abs(step)) == pytest.approx(1 / (eta + 2), rel=0.03)
    assert within(np.mean(step > 0), 0.5, n)
    # P(|d| > t) = (1 - t)^(eta + 1)
    assert within(np.mean(np.abs(step) > 0.05), 0.95**21, n)


def test_polynomial_mutation_rate_and_eta(rng):
    X = rng.random((4000, 5))
    Y = polynomial_mutation(X, 20.0, 0.2, rng)
    assert within(np.mean(Y != X), 0.2, X.size)
    assert np.array_equal(polynomial_mutation(X, 20.0, 0.0, rng), X)
    per_gene = polynomial_mutation(X, 20.0, np.array([0, 0, 1, 1, 1.0]), rng)
    assert np.array_equal(per_gene[:, :2], X[:, :2]) and np.all(per_gene[:, 2:] != X[:, 2:])
    steps = [
        np.mean(np.abs(polynomial_mutation(X, eta, 1.0, np.random.default_rng(1)) - X))
        for eta in (0.0, 5.0, 20.0, 100.0)
    ]
    assert np.all(np.diff(steps) < 0)


# -- categorical operators --------------------------------------------------------------------
def test_uniform_crossover_exchanges_genes_between_the_children(rng):
    A = rng.integers(0, 5, (3000, 3))
    B = rng.integers(5, 10, (3000, 3))  # disjoint values tell where a gene came from
    C1, C2 = uniform_crossover(A, B, rng)
    assert np.all((C1 == A) | (C1 == B)) and np.all((C1 == A) == (C2 == B))
    assert within(np.mean(C1 == B), 0.5, A.size)
    C1, _ = uniform_crossover(A, B, rng, prob=0.0)
    assert np.array_equal(C1, A)


def test_random_reset_draws_another_choice_uniformly(rng):
    n = N_DRAWS
    k = np.array([4, 1, 3])
    I = np.zeros((n, 3), dtype=np.int64)  # noqa: E741
    J = random_reset(I, k, 0.3, rng)
    assert np.all((J >= 0) & (J < k))
    assert np.all(J[:, 1] == 0)  # a single choice cannot change
    assert within(np.mean(J[:, 0] != 0), 0.3, n)
    changed = J[J[:, 0] != 0, 0]
    assert np.all(np.abs(np.bincount(changed, minlength=4)[1:] / changed.size - 1 / 3) < 0.03)
    assert np.array_equal(random_reset(J, k, 0.0, rng), J)


# -- NSGA-II survival and the crowded comparison ----------------------------------------------
def test_nsga2_survival_takes_fronts_in_order_then_crowding():
    inf = np.inf
    F = np.array([[1, 4], [2, 2], [4, 1], [2, 3], [3, 3], [5, 5], [inf, inf]], dtype=float)
    keep, rank, crowding = nsga2_survival(F, 4)
    assert list(rank) == [0, 0, 0, 1, 2, 3, inf]
    # front 0: the ends are infinitely crowded, (2, 2) gets 3/3 + 3/3 (Deb et al. 2002, III-B)
    assert crowding[0] == crowding[2] == inf and crowding[1] == pytest.approx(2.0)
    assert list(keep) == [0, 2, 1, 3]


def test_nsga2_survival_cuts_the_last_front_by_crowding_distance():
    F = np.array([[0, 4], [1, 3], [1.1, 2.9], [3, 1], [4, 0]], dtype=float)
    keep, rank, crowding = nsga2_survival(F, 3)
    assert not rank.any()
    # interior distances: (1.1 + 1.1) / 4, (2 + 2) / 4, (2.9 + 2.9) / 4
    assert crowding[1:4] == pytest.approx([0.55, 1.0, 1.45])
    assert list(keep) == [0, 4, 3]


def test_nsga2_survival_puts_failed_rows_last_oldest_first():
    inf, nan = np.inf, np.nan
    F = np.array([[inf, inf], [9, 9], [nan, 1.0], [inf, 0.0], [8, 10]], dtype=float)
    keep, rank, _ = nsga2_survival(F, 4)
    assert list(keep) == [1, 4, 0, 2] and list(rank[[0, 2, 3]]) == [inf] * 3
    assert list(nsga2_survival(F[[0, 2]], 1)[0]) == [0]  # no feasible row at all


def test_crowded_fitness_orders_by_rank_then_larger_distance_with_ties():
    fitness = crowded_fitness(np.array([1, 0, 0, 1, 0]), np.array([5.0, np.inf, 1.0, 5.0, 1.0]))
    assert list(fitness) == [2, 0, 1, 2, 1]


def test_crowded_binary_tournament_prefers_the_first_front(rng):
    rank = np.array([0, 0, 1, 1, 1, 1, 1, 1])
    crowding = np.array([np.inf, np.inf, np.inf, 1, 1, 1, 1, 1])
    winners = tournament(crowded_fitness(rank, crowding), N_DRAWS, 2, rng)
    # a rank-0 individual wins unless both contestants are from the other 6: 1 - (6/8)^2
    assert within(np.mean(winners < 2), 1 - (6 / 8) ** 2, N_DRAWS)


# -- rotation-invariant operators: reflection, line recombination, self-adaptation ----------
def test_reflect_folds_back_into_the_unit_interval():
    x = np.array([-0.1, 0.0, 0.3, 1.0, 1.2, 2.3, -1.6])
    assert np.allclose(reflect(x), [0.1, 0.0, 0.3, 1.0, 0.8, 0.3, 0.4])


def test_line_crossover_children_lie_on_the_parents_line(rng):
    A, B = rng.uniform(0.3, 0.7, (500, 4)), rng.uniform(0.3, 0.7, (500, 4))
    C1, C2 = line_crossover(A, B, rng, prob=1.0, spread=0.25)
    for P, Q, C in ((A, B, C1), (B, A, C2)):
        w = np.sum((C - P) * (Q - P), axis=1) / np.sum((Q - P) ** 2, axis=1)
        inside = np.all((P + 1.25 * (Q - P) >= 0) & (P + 1.25 * (Q - P) <= 1), axis=1) & np.all(
            (P - 0.25 * (Q - P) >= 0) & (P - 0.25 * (Q - P) <= 1), axis=1
        )  # no reflection needed: the child is exactly on the segment
        assert np.allclose(C[inside], P[inside] + w[inside, None] * (Q - P)[inside])
        assert np.all((w[inside] >= -0.25) & (w[inside] <= 1.25))
        # w ~ U(-0.25, 1.25): mean 0.5, variance 1.5^2 / 12
        assert abs(w[inside].mean() - 0.5) < 4 * np.sqrt(1.5**2 / 12 / inside.sum())


def test_line_crossover_commutes_with_rotations_about_the_centre(rng):
    # Rotate the parents about the cube's centre: the children rotate with them (same draws),
    # while SBX, which crosses coordinates one by one, does not.
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    A, B = 0.5 + 0.1 * rng.normal(size=(50, 3)), 0.5 + 0.1 * rng.normal(size=(50, 3))
    rot = lambda X: 0.5 + (X - 0.5) @ Q.T  # noqa: E731
    C1, _ = line_crossover(A, B, np.random.default_rng(1), spread=0.1)
    R1, _ = line_crossover(rot(A), rot(B), np.random.default_rng(1), spread=0.1)
    assert np.allclose(R1, rot(C1))
    S1, _ = sbx(A, B, 15.0, np.random.default_rng(1), 1.0)
    T1, _ = sbx(rot(A), rot(B), 15.0, np.random.default_rng(1), 1.0)
    assert not np.allclose(T1, rot(S1))


def test_line_crossover_copies_pairs_it_does_not_recombine(rng):
    A, B = rng.random((2000, 3)), rng.random((2000, 3))
    C1, C2 = line_crossover(A, B, rng, prob=0.3)
    copied = np.all(C1 == A, axis=1) & np.all(C2 == B, axis=1)
    assert within(copied.mean(), 0.7, len(A))
    with pytest.raises(ValueError, match="spread"):
        line_crossover(A, B, rng, spread=-1.0)


def test_self_adaptation_is_log_normal(rng):
    sigma = np.full(N_DRAWS, 0.2)
    z = np.log(self_adapt(sigma, 0.3, rng) / 0.2)
    assert abs(z.mean()) < 4 * 0.3 / np.sqrt(N_DRAWS)
    assert abs(z.std() - 0.3) < 0.01
    assert np.all(self_adapt(sigma, 0.0, rng) == sigma)
    with pytest.raises(ValueError, match="tau"):
        self_adapt(sigma, -1.0, rng)


def test_gaussian_mutation_has_the_individual_strengths_and_stays_in_the_cube(rng):
    X = np.full((N_DRAWS, 2), 0.5)
    sigma = np.where(np.arange(N_DRAWS) % 2 == 0, 0.01, 0.05)
    Y = gaussian_mutation(X, sigma, rng)
    assert np.all((Y >= 0) & (Y <= 1))
    for s in (0.01, 0.05):  # far from the bounds: plain Gaussian steps
        step = (Y - X)[sigma == s]
        assert abs(step.std() - s) < 0.03 * s
    wide = gaussian_mutation(X, np.full(N_DRAWS, 3.0), rng)  # steps longer than the box
    assert np.all((wide >= 0) & (wide <= 1))
