import math

import numpy as np
import pytest
from scipy.optimize import _lbfgsb, minimize, rosen, rosen_der
from scipy.special import erfcx, ndtr

from hpo import BayesianOptimization, Categorical, Integer, Real, Space
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


def test_setulb_only_reads_the_gradient():
    # minimize_lbfgsb_batch hands setulb one float64 copy of g per evaluation, not one per
    # call: that is the same run only if setulb never writes into g
    n, m = 6, 10
    x, lower, upper = np.full(n, 0.3), np.full(n, -1.0), np.full(n, 2.0)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m)
    iwa, task = np.zeros(3 * n, dtype=np.int32), np.zeros(2, dtype=np.int32)
    ln_task, lsave = np.zeros(2, dtype=np.int32), np.zeros(4, dtype=np.int32)
    isave, dsave = np.zeros(44, dtype=np.int32), np.zeros(29)
    nbd = np.full(n, 2, dtype=np.int32)
    f, g = _rosen(x)
    calls = 0
    for _ in range(300):
        before = g.copy()
        _lbfgsb.setulb(
            m, x, lower, upper, nbd, f, g, 1e7, 1e-8, wa, iwa, task, lsave, isave, dsave, 20,
            ln_task,
        )  # fmt: skip
        calls += 1
        assert np.array_equal(g, before)
        if task[0] == 3:  # FG
            f, g = _rosen(x)
        elif task[0] != 1:  # not NEW_X: stopped
            break
    assert calls > 20


def _reference_batch(fun, X0, lower, upper, *, maxiter, gtol, ftol, maxcor=10, maxls=20):
    """minimize_lbfgsb_batch as it was before its loop was trimmed (a copy of g per call of
    setulb, attribute look-ups), to check that the trimmed loop makes the same runs."""
    from hpo.gp._lbfgsb import _EPS, _FG, _NEW_X, _Run

    X0 = np.clip(np.atleast_2d(np.asarray(X0, dtype=float)), lower, upper)
    k, n = X0.shape
    factr, nbd = ftol / _EPS, np.full(n, 2, dtype=np.int32)
    runs = [_Run(x0, maxcor) for x0 in X0]
    for i, run in enumerate(runs):
        run.index = i
    F, G = fun(X0.copy(), np.arange(k))
    for j, run in enumerate(runs):
        run.f, run.g = float(F[j]), np.array(G[j], dtype=np.float64)
    n_calls, active = 1, runs
    while active:
        asking = []
        for run in active:
            while True:
                run.g = run.g.astype(np.float64)
                _lbfgsb.setulb(
                    maxcor, run.x, lower, upper, nbd, run.f, run.g, factr, gtol, run.wa,
                    run.iwa, run.task, run.lsave, run.isave, run.dsave, maxls, run.ln_task,
                )  # fmt: skip
                if run.task[0] == _FG:
                    if (run.x == run.last_x).all():
                        continue
                    asking.append(run)
                    break
                if run.task[0] == _NEW_X:
                    run.nit += 1
                    if run.nit >= maxiter:
                        run.task[0], run.task[1] = 5, 504
                    continue
                run.done = True
                break
        if asking:
            X = np.array([run.x for run in asking])
            F, G = fun(X.copy(), np.array([run.index for run in asking]))
            n_calls += 1
            for j, run in enumerate(asking):
                run.last_x = run.x.copy()
                run.f, run.g = float(F[j]), G[j]
                run.nfev += 1
        active = [run for run in active if not run.done]
    return np.array([run.x for run in runs]), np.array([run.f for run in runs]), n_calls


def test_the_trimmed_batch_loop_makes_the_runs_of_the_reference_loop():
    rng = np.random.default_rng(5)
    n, k = 4, 9
    X0 = rng.uniform(-2.0, 2.0, (k, n))
    lower, upper = np.full(n, -1.5), np.full(n, 1.7)

    def batch(X, rows):
        return np.array([rosen(x) for x in X]), np.array([rosen_der(x) for x in X])

    for maxiter in (3, 200):
        opts = {"maxiter": maxiter, "gtol": 1e-6, "ftol": 1e-9}
        got = minimize_lbfgsb_batch(batch, X0, lower, upper, **opts)
        ref = _reference_batch(batch, X0, lower, upper, **opts)
        for a, b in zip(got, ref):
            assert np.array_equal(a, b)


def _reference_log_h(z):
    """hpo.gp.acquisition.log_h before its fast path for ``z > -1`` everywhere (a copy)."""
    from hpo.gp.acquisition import _LOG_SQRT_2PI, _LOG_SQRT_PI_2, _TAIL, _log1mexp, _phi

    z = np.asarray(z, dtype=float)
    out, grad = np.empty_like(z), np.empty_like(z)
    upper = z > -1.0
    if upper.any():
        zu = z[upper]
        cdf = ndtr(zu)
        h = _phi(zu) + zu * cdf
        out[upper], grad[upper] = np.log(h), cdf / h
        if upper.all():
            return out, grad
    mid = ~upper & (z > _TAIL)
    if mid.any():
        zm = z[mid]
        ex = erfcx(-zm / math.sqrt(2.0))
        u = np.log(ex * np.abs(zm)) + _LOG_SQRT_PI_2
        out[mid] = -0.5 * zm**2 - _LOG_SQRT_2PI + _log1mexp(u)
        r = math.sqrt(math.pi / 2.0) * ex
        grad[mid] = r / -np.expm1(np.minimum(u, -1e-300))
    tail = ~upper & ~mid
    if tail.any():
        zt = z[tail]
        q = 1.0 - 3.0 / zt**2 + 15.0 / zt**4
        out[tail] = -0.5 * zt**2 - _LOG_SQRT_2PI - 2.0 * np.log(np.abs(zt)) + np.log(q)
        grad[tail] = -zt - 2.0 / zt + (6.0 / zt**3 - 60.0 / zt**5) / q
    return out, grad


def test_log_h_equals_its_reference_copy_on_every_branch():
    from hpo.gp.acquisition import log_h

    rng = np.random.default_rng(2)
    for z in (rng.uniform(-0.99, 6.0, 37), rng.uniform(-2e3, 6.0, 37), np.array([0.5])):
        for got, ref in zip(log_h(z), _reference_log_h(z)):
            assert np.array_equal(got, ref)


_MIXED = Space(
    {
        "x": Real(-5.0, 10.0),
        "c": Categorical(["a", "b", "c"]),
        "lr": Real(1e-5, 1e-1, log=True),
        "k": Integer(1, 1000, log=True),
        "n": Integer(0, 5),
    }
)


def _stand_in(u):  # cheap, on the unit cube, with structure in every column
    return float(np.sum((u - 0.3) ** 2) + 0.3 * np.sin(7.0 * u[0]) + 0.2 * np.cos(5.0 * u[-1]))


@pytest.mark.parametrize("name", ["mlp", "mixed"])
def test_bayes_proposes_exactly_what_the_untrimmed_search_proposed(name, monkeypatch):
    # the MLP tasks' space (2 integers over 64 values, 7 reals) and a mixed one with a
    # categorical and a log integer; the default (independent) search runs both drivers
    space = get_problem("mlp_adam_iris_logloss").space if name == "mlp" else _MIXED

    def proposals():
        opt, out = BayesianOptimization(space, seed=1), []
        for _ in range(18):
            p = opt.ask()
            out.append(p)
            opt.tell(p, _stand_in(space.to_unit(p)))
        return out

    trimmed = proposals()
    from hpo.gp import acquisition

    monkeypatch.setattr(_bo_search, "minimize_lbfgsb_batch", _reference_batch)
    monkeypatch.setattr(acquisition, "log_h", _reference_log_h)
    assert proposals() == trimmed


# -- minimize_bfgs_box: the warm-started dense BFGS of GaussianProcess(warm_fit="bfgs") --


@pytest.mark.parametrize("seed", range(4))
def test_bfgs_box_reaches_scipy_minimum_with_and_without_active_bounds(seed):
    from hpo.gp._lbfgsb import minimize_bfgs_box

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    x0 = rng.uniform(-1.0, 0.4, n)
    for upper in (np.full(n, 2.0), np.full(n, 0.5)):  # the second holds x_0 at its bound
        lower = np.full(n, -1.5)
        ref = minimize(
            _rosen, x0, jac=True, method="L-BFGS-B", bounds=list(zip(lower, upper)),
            options={"gtol": 1e-8, "ftol": 1e-14},
        )  # fmt: skip
        res = minimize_bfgs_box(_rosen, x0, lower, upper, gtol=1e-6)
        assert res.success
        assert np.all((res.x >= lower) & (res.x <= upper))
        assert res.fun <= ref.fun + 1e-8
        np.testing.assert_allclose(res.x, ref.x, atol=1e-3)


def test_bfgs_box_warm_inverse_hessian_saves_evaluations_and_stops_at_once_when_stationary():
    from hpo.gp._lbfgsb import minimize_bfgs_box

    n = 6
    lower, upper = np.full(n, -2.0), np.full(n, 2.0)
    first = minimize_bfgs_box(_rosen, np.zeros(n), lower, upper, gtol=1e-6)
    cold = minimize_bfgs_box(_rosen, first.x + 0.02, lower, upper, gtol=1e-6)
    warm = minimize_bfgs_box(
        _rosen, first.x + 0.02, lower, upper, gtol=1e-6, hess_inv=first.hess_inv
    )
    assert warm.success and warm.nfev < cold.nfev
    np.testing.assert_allclose(warm.x, first.x, atol=1e-4)
    # a start whose projected gradient is below gtol: one evaluation, no step
    again = minimize_bfgs_box(_rosen, warm.x, lower, upper, gtol=1.0, hess_inv=warm.hess_inv)
    assert again.nfev == 1 and again.nit == 0 and np.array_equal(again.x, warm.x)


def test_bfgs_box_steps_back_from_points_it_cannot_evaluate():
    from hpo.gp._lbfgsb import minimize_bfgs_box

    def f(x):  # undefined beyond x_0 = 0.5, minimum at (0.4, 0.4)
        if x[0] > 0.5:
            return np.inf, np.full(2, np.nan)
        return float(np.sum((x - 0.4) ** 2)), 2 * (x - 0.4)

    res = minimize_bfgs_box(f, np.array([-3.0, -3.0]), np.full(2, -5.0), np.full(2, 5.0))
    assert res.success
    np.testing.assert_allclose(res.x, [0.4, 0.4], atol=1e-5)
    with pytest.raises(ValueError, match="hess_inv"):
        minimize_bfgs_box(f, np.zeros(2), np.full(2, -1.0), np.ones(2), hess_inv=np.eye(3))
