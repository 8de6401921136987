import numpy as np
import pytest

from hpo.analysis import SURROGATES, importance, sensitivity

from .conftest import random_run


@pytest.fixture(scope="module")
def run():
    return random_run("ishigami", 150, seed=3)


@pytest.mark.parametrize("surrogate", SURROGATES)
def test_deterministic_under_a_seed(run, surrogate):
    opts = {"n_base": 256} if surrogate == "gp" else None
    a = importance(run, surrogate=surrogate, seed=7, options=opts)
    b = importance(run, surrogate=surrogate, seed=7, options=opts)
    assert a == b
    assert list(a) == ["x0", "x1", "x2"]
    assert all(v >= 0 for v in a.values())


def test_first_order_is_not_normalized(run):
    s = sensitivity(run, surrogate="forest", seed=0)
    total_first = sum(s.first.values())
    assert total_first < 0.95  # Ishigami: a quarter of its variance is the x0-x2 interaction
    assert sum(s.normalized().values()) == pytest.approx(1.0)
    assert s.first_band is None  # one function decomposed: no spread over trees
    assert "x0 x x2" in s.table()
    one = sensitivity(run, surrogate="forest", seed=0, options={"stages": 1})
    for name in one.first:
        lo, hi = one.first_band[name]
        assert lo <= one.first[name] + 1e-12 and lo <= hi


def test_importance_equals_the_first_order_of_sensitivity(run):
    s = sensitivity(run, surrogate="forest", seed=1)
    imp = importance(run, surrogate="forest", seed=1)
    assert imp == pytest.approx({k: max(v, 0.0) for k, v in s.first.items()}, abs=1e-12)


def test_bad_arguments(run):
    with pytest.raises(ValueError, match="surrogate"):
        importance(run, surrogate="xgboost")
    with pytest.raises(ValueError, match="options"):
        importance(run, surrogate="ped", options={"n_trees": 3})
    with pytest.raises(ValueError, match="n_pairs"):
        sensitivity(run, n_pairs=-1)
    few = random_run("ishigami", 3)
    with pytest.raises(ValueError, match="at least 4"):
        importance(few)


def test_forest_options_apply(run):
    a = sensitivity(run, surrogate="forest", options={"n_trees": 4}, n_pairs=0)
    assert np.isfinite(list(a.first.values())).all()
    with pytest.raises(ValueError, match="stages"):
        importance(run, options={"stages": 3})
