import numpy as np
import pytest
from scipy.optimize import minimize, rosen, rosen_der

from hpo import BayesianOptimization
from hpo.gp import regression
from hpo.gp._lbfgsb import minimize_lbfgsb, minimize_lbfgsb_batch
from hpo.optimizers import _bo_search
from hpo.problems import get_problem


def _rosen(x):
    return rosen(x), rosen_der(x)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "options", [{"maxiter": 200, "gtol": 1e-6, "ftol": 1e-9}, {"maxiter": 4, "gtol": 1e-4}]
)
def test_iterates_values_and_counts_equal_scipy_bit_for_bit(seed, options):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 25))
    x0 = rng.uniform(-2.0, 2.0, n)
    lower, upper = np.full(n, -1.5), np.full(n, rng.uniform(0.5, 2.0))
    ref = minimize(
        _rosen, x0, jac=True, method="L-BFGS-B", bounds=list(zip(lower, upper)), options=options
    )
    res = minimize_lbfgsb(_rosen, x0, lower, upper, **options)
    assert np.array_equal(res.x, ref.x)
    assert res.fun == ref.fun
    assert (res.nfev, res.nit, res.success) == (ref.nfev, ref.nit, ref.success)


def test_bounds_are_checked():
    with pytest.raises(ValueError, match="finite"):
        minimize_lbfgsb(_rosen, np.zeros(2), np.full(2, -np.inf), np.ones(2))
    with pytest.raises(ValueError, match="lower bound"):
        minimize_lbfgsb(_rosen, np.zeros(2), np.ones(2), np.zeros(2))


def _scipy_driver(fun, x0, lower, upper, **options):
    return minimize(
        fun, x0, jac=True, method="L-BFGS-B", bounds=list(zip(lower, upper)), options=options
    )


def _proposals(spec: str, n: int) -> list[dict]:
    problem = get_problem(spec)
    opt = BayesianOptimization(problem.space, seed=0)
    out = []
    for _ in range(n):
        p = opt.ask()
        out.append(p)
        opt.tell(p, problem(p))
    return out


def test_bayes_proposes_exactly_what_it_did_with_scipys_driver(monkeypatch):
    lean = _proposals("hartmann6", 14)
    monkeypatch.setattr(regression, "minimize_lbfgsb", _scipy_driver)
    monkeypatch.setattr(_bo_search, "minimize_lbfgsb", _scipy_driver)
    assert _proposals("hartmann6", 14) == lean


def test_batched_runs_are_each_the_single_run_from_their_start():
    rng = np.random.default_rng(3)
    n, k = 5, 7
    X0 = rng.uniform(-2.0, 2.0, (k, n))
    lower, upper = np.full(n, -1.5), np.full(n, 1.7)
    asked = []

    def batch(X, rows):
        asked.append(len(rows))
        assert len(X) == len(rows) and len(set(rows.tolist())) == len(rows)
        return np.array([rosen(x) for x in X]), np.array([rosen_der(x) for x in X])

    X, f, n_calls = minimize_lbfgsb_batch(batch, X0, lower, upper, maxiter=200, gtol=1e-6)
    for i in range(k):
        ref = minimize_lbfgsb(_rosen, X0[i], lower, upper, maxiter=200, gtol=1e-6)
        assert np.array_equal(X[i], ref.x)
        assert f[i] == ref.fun
    assert n_calls == len(asked)
    assert asked[0] == k and min(asked) < k  # runs that stopped are no longer evaluated
