import numpy as np
import pytest
from scipy import stats as sps

from hpo.bench.stats import (
    ECDF_TARGETS,
    NEMENYI_Q05,
    REGRET_FLOOR,
    average_ranks,
    cd_groups,
    ecdf_solved,
    floor_regret,
    friedman_test,
    holm,
    log10_regret,
    nemenyi_cd,
    nemenyi_q,
    normalized_score,
    quantiles,
    wilcoxon_signed_rank,
    win_tie_loss,
)


def test_floor_regret_keeps_inf_and_nan_and_raises_zero_and_negatives():
    r = np.array([0.0, -1e-15, 1e-3, np.inf, np.nan])
    out = floor_regret(r)
    np.testing.assert_array_equal(out[:4], [REGRET_FLOOR, REGRET_FLOOR, 1e-3, np.inf])
    assert np.isnan(out[4])
    np.testing.assert_allclose(log10_regret(r)[:3], [-12, -12, -3])
    with pytest.raises(ValueError, match="floor"):
        floor_regret(r, floor=0.0)


def test_quantiles_match_numpy_on_finite_data(rng):
    x = rng.normal(size=(7, 5))
    for got, q in zip(quantiles(x), (0.5, 0.25, 0.75)):
        np.testing.assert_allclose(got, np.quantile(x, q, axis=0))
    np.testing.assert_allclose(quantiles(x, (0.1,), axis=1)[0], np.quantile(x, 0.1, axis=1))


def test_quantiles_treat_inf_as_a_value_and_ignore_nan():
    med, q25, q75 = quantiles(np.array([1.0, 2.0, np.inf]))
    assert (med, q25, q75) == (2.0, 1.5, np.inf)
    assert quantiles(np.array([1.0, np.inf, np.inf]))[0] == np.inf
    assert quantiles(np.array([np.nan, 1.0, 3.0]))[0] == 2.0
    assert np.isnan(quantiles(np.array([np.nan, np.nan]))[0])
    with pytest.raises(ValueError, match="q must"):
        quantiles(np.ones(3), (1.5,))


def test_normalized_score_by_hand():
    s = np.array([[1.0, 0.5, 0.5], [2.0, 1.0, 0.0]])
    score = normalized_score(s, best_known=0.0, random_median=[2.0, 1.0])
    # (S - 0) / (R - 0); no reference for the third trial
    np.testing.assert_allclose(score[:, :2], [[0.5, 0.5], [1.0, 1.0]])
    assert np.all(np.isnan(score[:, 2]))
    # random search already at the best known loss: undefined
    assert np.isnan(normalized_score(np.array([1.0]), 1.0, [1.0])[0])
    with pytest.raises(ValueError, match="random_median"):
        normalized_score(s, 0.0, np.ones((2, 3)))


def test_median_of_normalized_score_is_score_of_median(rng):
    s = rng.uniform(1, 2, size=(5, 4))
    r = np.full(4, 3.0)
    np.testing.assert_allclose(
        np.median(normalized_score(s, 0.5, r), axis=0),
        normalized_score(np.median(s, axis=0), 0.5, r),
    )


def test_average_ranks_by_hand_and_against_rankdata(rng):
    ranks, mean = average_ranks(np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 1.0]]))
    np.testing.assert_array_equal(ranks, [[1, 2, 3], [2.5, 2.5, 1]])
    np.testing.assert_allclose(mean, [1.75, 2.25, 2.0])
    s = rng.integers(0, 4, size=(9, 5)).astype(float)
    np.testing.assert_allclose(average_ranks(s)[0], np.vstack([sps.rankdata(r) for r in s]))
    with pytest.raises(ValueError, match="NaN"):
        average_ranks(np.array([[1.0, np.nan]]))


def test_friedman_without_ties_by_hand():
    # every problem ranks the methods 1, 2, 3: R = (1, 2, 3), N = 4, k = 3
    # chi2 = 12 * 4 / (3 * 4) * (1 + 4 + 9 - 3 * 16 / 4) = 8; F = 3 * 8 / (4 * 2 - 8) = inf
    res = friedman_test(np.tile([0.1, 0.2, 0.3], (4, 1)))
    assert res.statistic == pytest.approx(8.0)
    assert res.pvalue == pytest.approx(np.exp(-4.0))  # chi2 with 2 dof: sf(x) = exp(-x / 2)
    assert res.f_statistic == np.inf and res.f_pvalue == 0.0


@pytest.mark.parametrize("ties", [False, True])
def test_friedman_matches_scipy(rng, ties):
    for n, k in [(5, 3), (12, 4), (20, 8)]:
        s = rng.integers(0, 3, size=(n, k)).astype(float) if ties else rng.normal(size=(n, k))
        res = friedman_test(s)
        ref = sps.friedmanchisquare(*s.T)
        assert res.statistic == pytest.approx(ref.statistic, rel=1e-10)
        assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
        # Iman-Davenport F_F = (N - 1) chi2 / (N (k - 1) - chi2)
        f = (n - 1) * ref.statistic / (n * (k - 1) - ref.statistic)
        assert res.f_statistic == pytest.approx(f, rel=1e-10)
        assert res.f_pvalue == pytest.approx(sps.f.sf(f, k - 1, (k - 1) * (n - 1)), rel=1e-8)


def test_friedman_all_ties_and_bad_shapes():
    res = friedman_test(np.ones((4, 3)))
    assert np.isnan(res.statistic) and res.pvalue == 1.0
    with pytest.raises(ValueError, match="3 methods"):
        friedman_test(np.ones((4, 2)))
    with pytest.raises(ValueError, match="2-D"):
        friedman_test(np.ones(4))


def test_nemenyi_q_table_and_its_studentized_range_origin():
    assert nemenyi_q(2) == 1.960 and nemenyi_q(10) == 3.164
    # Demsar's q_alpha is the studentized range quantile (infinite dof) over sqrt(2)
    for k, q in NEMENYI_Q05.items():
        assert sps.studentized_range.ppf(0.95, k, np.inf) / np.sqrt(2) == pytest.approx(q, abs=6e-4)
    assert nemenyi_q(11) == pytest.approx(sps.studentized_range.ppf(0.95, 11, np.inf) / np.sqrt(2))
    assert nemenyi_q(11) > nemenyi_q(10)
    assert nemenyi_q(3, alpha=0.10) < nemenyi_q(3)
    with pytest.raises(ValueError, match="k must"):
        nemenyi_q(1)


def test_nemenyi_cd_formula_and_demsar_example():
    for k, q in NEMENYI_Q05.items():
        for n in (1, 7, 30):
            assert nemenyi_cd(k, n) == pytest.approx(q * np.sqrt(k * (k + 1) / (6 * n)))
    # Demsar 2006, section 3.2.2: 4 classifiers on 14 data sets, CD = 1.25
    assert nemenyi_cd(4, 14) == pytest.approx(1.25, abs=0.005)
    with pytest.raises(ValueError, match="n must"):
        nemenyi_cd(3, 0)


def test_cd_groups_by_hand():
    # sorted ranks 1.0 (a), 1.5 (b), 2.2 (c), 3.9 (d) with CD 1.3: {a, b, c}, then {c} alone
    # is inside it, {d} alone is dropped
    assert cd_groups(np.array([1.5, 3.9, 1.0, 2.2]), 1.3) == [(2, 0, 3)]
    assert cd_groups(np.array([1.0, 2.0, 3.0]), 1.5) == [(0, 1), (1, 2)]
    assert cd_groups(np.array([1.0, 3.0]), 0.5) == []


def test_wilcoxon_by_hand():
    # differences 1, 2, -3, 4: r+ = 7, r- = 3; of the 16 sign patterns, 5 have r+ <= 3
    res = wilcoxon_signed_rank(np.array([1.0, 2.0, -3.0, 4.0]), np.zeros(4))
    assert (res.statistic, res.r_plus, res.r_minus, res.n) == (3.0, 7.0, 3.0, 4)
    assert res.pvalue == pytest.approx(2 * 5 / 16)
    zero = wilcoxon_signed_rank(np.ones(5), np.ones(5))
    assert zero.pvalue == 1.0 and zero.n == 0
    # two runs that never succeeded tie instead of giving inf - inf
    inf = wilcoxon_signed_rank(np.array([np.inf, 1.0, 2.0]), np.array([np.inf, 2.0, 3.0]))
    assert inf.n == 2


@pytest.mark.parametrize("n", [6, 15, 30])
def test_wilcoxon_matches_scipy_exact_without_ties(rng, n):
    x = rng.normal(size=n)
    y = x + rng.normal(0.4, 1.0, size=n)
    res, ref = wilcoxon_signed_rank(x, y), sps.wilcoxon(x, y, method="exact")
    assert res.statistic == ref.statistic
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-10)


@pytest.mark.parametrize("n", [7, 10])
def test_wilcoxon_matches_scipy_permutation_with_ties_and_zeros(rng, n):
    x = rng.integers(0, 4, size=n).astype(float)
    y = rng.integers(0, 4, size=n).astype(float)
    assert np.any(x == y)  # zeros present
    # for n <= 13 with ties scipy enumerates every sign pattern: an exact permutation test
    res, ref = wilcoxon_signed_rank(x, y), sps.wilcoxon(x, y)
    assert res.statistic == ref.statistic
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-10)


def test_wilcoxon_large_samples_agree_with_scipy_normal_approximation(rng):
    x, y = rng.normal(size=600), rng.normal(0.05, 1.0, size=600)
    res, ref = wilcoxon_signed_rank(x, y), sps.wilcoxon(x, y, method="asymptotic")
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-8)
    x, y = x[:200], y[:200]  # exact count against the normal approximation
    res, ref = wilcoxon_signed_rank(x, y), sps.wilcoxon(x, y, method="asymptotic")
    assert res.pvalue == pytest.approx(ref.pvalue, abs=5e-3)


def test_holm_by_hand():
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm([0.5, 0.6]), [1.0, 1.0])
    out = holm([0.01, np.nan, 0.02])
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.02])
    assert np.isnan(out[1])
    assert holm([]).size == 0


def test_win_tie_loss():
    assert win_tie_loss([1.0, 2.0, 3.0, np.inf], [2.0, 2.0, 1.0, np.inf]) == (1, 2, 1)
    with pytest.raises(ValueError, match="shape"):
        win_tie_loss([1.0], [1.0, 2.0])


def test_ecdf_by_hand():
    regret = np.array([[10.0, 1.0, 0.1], [np.inf, 0.3, 0.3]])
    # targets 5 and 0.5: run 1 solves none, one, both; run 2 none, both, both
    np.testing.assert_allclose(ecdf_solved(regret, np.array([5.0, 0.5])), [0.0, 0.75, 1.0])
    assert ECDF_TARGETS.size == 51
    np.testing.assert_allclose(ECDF_TARGETS[[0, 5, -1]], [1e2, 1e1, 1e-8])
    with pytest.raises(ValueError, match="2-D"):
        ecdf_solved(np.ones(3))
