import numpy as np
import pytest

from hpo.analysis.ped_anova import ped_anova


def test_categorical_index_equals_the_indicator_variance_fraction():
    # With a categorical axis (no smoothing) and many trials, the first-order index of
    # b = 1[y in the top 10 %] is Var(E[b | level]) / Var(b) (Watanabe et al. 2023, Thm 1).
    rng = np.random.default_rng(0)
    k, n = 4, 40000
    level = rng.integers(0, k, n)
    y = level + rng.random(n) * 3.0  # lower levels more often among the best
    X = ((level + 0.5) / k)[:, None]
    s = ped_anova(X, y, np.array([k]), np.array([True]), quantile=0.1)[0]
    b = (y <= np.sort(y)[int(np.ceil(0.1 * n)) - 1]).astype(float)
    cond = np.array([b[level == i].mean() for i in range(k)])
    share = np.bincount(level, minlength=k) / n
    exact = np.sum(share * (cond - b.mean()) ** 2) / b.var()
    assert s == pytest.approx(exact, rel=0.02)


def test_irrelevant_axes_score_low():
    rng = np.random.default_rng(1)
    X = rng.random((3000, 4))
    y = (X[:, 0] - 0.3) ** 2
    s = ped_anova(X, y, np.zeros(4, int), np.zeros(4, bool))
    assert s[0] > 0.3 and s[1:].max() < 0.02


def test_bad_quantile():
    with pytest.raises(ValueError, match="quantile"):
        ped_anova(
            np.zeros((5, 1)), np.arange(5.0), np.zeros(1, int), np.zeros(1, bool), quantile=1.0
        )
