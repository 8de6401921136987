"""Tests of the rotated trust region (hpo/optimizers/_rotated_region.py)."""

from __future__ import annotations

import numpy as np
import pytest

from hpo import BayesianOptimization, Integer, Real, Space
from hpo.gp.acquisition import make_acquisition
from hpo.gp.regression import GaussianProcess
from hpo.optimizers._rotated_region import RotatedRegion, active_subspace_rotation, local_values
from hpo.optimizers._trust_region import TrustRegion


def _rotation(d: int, seed: int) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q


def test_the_active_subspace_finds_the_one_direction_a_function_varies_along():
    rng = np.random.default_rng(0)
    a = np.array([0.8, -0.6, 0.0])
    X = rng.random((40, 3))
    gp = GaussianProcess().fit(X, (X @ a) ** 2 + X @ a, rng=rng)
    R = active_subspace_rotation(gp, rng.random((200, 3)))
    assert np.allclose(R.T @ R, np.eye(3), atol=1e-10)
    # the last column (largest eigenvalue) is +-a; the others are orthogonal to it
    assert abs(R[:, -1] @ a) > 0.98
    assert np.all(np.abs(R[:, :-1].T @ a) < 0.2)


def test_the_region_maps_its_centre_and_inverts_inside_the_cube():
    R = _rotation(4, 1)
    center = np.array([0.4, 0.5, 0.6, 0.5])
    region = RotatedRegion(R, center, np.array([0.1, 0.05, 0.2, 0.02]))
    assert np.allclose(region.to_unit(np.full((1, 4), 0.5)), center)
    V = np.random.default_rng(2).random((20, 4))
    U = region.to_unit(V)
    assert np.all((U >= 0) & (U <= 1))
    assert np.allclose(region.to_search(U), V)  # the region lies inside the cube here
    # the side along column i of R is sides[i]: v_i from 0 to 1 moves u by sides[i] R[:, i]
    lo, hi = np.full(4, 0.5), np.full(4, 0.5)
    lo[2], hi[2] = 0.0, 1.0
    step = region.to_unit(hi[None])[0] - region.to_unit(lo[None])[0]
    assert np.allclose(step, 0.2 * R[:, 2])


def test_the_acquisition_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    R = _rotation(3, 4)
    X = rng.random((15, 3))
    y = np.sin(4 * X[:, 0]) + X[:, 1] * X[:, 2]
    gp = GaussianProcess().fit((X - 0.5) @ R, y, rng=rng)
    acq = make_acquisition("logei", float(np.min(gp.standardize_y(gp.y_train))))
    # large sides: some points leave the cube and are clipped (gradient zero there)
    region = RotatedRegion(R, X[np.argmin(y)], np.array([0.3, 0.8, 1.5]))
    fun = region.acquisition(gp, acq)
    V = rng.random((6, 3))
    _, grad = fun(V, True)
    h = 1e-6
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        numeric = (fun(V + e, False)[0] - fun(V - e, False)[0]) / (2 * h)
        assert np.allclose(grad[:, i], numeric, rtol=1e-4, atol=1e-6)


def test_local_values_square_a_cone_into_a_bowl_and_keep_the_order():
    x = np.linspace(-1.0, 1.0, 21)
    cone = 3.0 + 5.0 * np.abs(x)
    y = local_values(cone, 2.0)
    assert np.allclose(y, 25.0 * x**2)
    assert np.array_equal(np.argsort(y, kind="stable"), np.argsort(cone, kind="stable"))


def test_bad_settings_are_rejected_with_the_parameter_named():
    with pytest.raises(ValueError, match="metric"):
        TrustRegion(metric="ellipse")
    with pytest.raises(ValueError, match="local_points"):
        TrustRegion(local_points=1)
    with pytest.raises(ValueError, match="local_power"):
        TrustRegion(local_power=0.0)
    with pytest.raises(ValueError, match="values"):
        local_values(np.array([1.0, np.inf]), 2.0)
    with pytest.raises(ValueError, match="rotation"):
        RotatedRegion(np.ones((2, 2)), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="sides"):
        RotatedRegion(np.eye(2), np.zeros(2), np.array([1.0, 0.0]))


def _run(space: Space, seed: int, n: int, trust_region: TrustRegion) -> list[dict]:
    opt = BayesianOptimization(space, seed=seed, n_initial=5, trust_region=trust_region)
    out = []
    for _ in range(n):
        params = opt.ask()
        x = np.array(list(params.values()), dtype=float)
        opt.tell(params, float(abs(x[0] + x[1] - 0.3) * 10 + (x[0] - x[1]) ** 2))
        out.append(params)
    return out


def test_bayes_with_the_active_metric_is_reproducible_and_stays_in_the_space():
    space = Space({"a": Real(-1.0, 1.0), "b": Real(-1.0, 1.0), "c": Real(0.0, 2.0)})
    active = TrustRegion(metric="active")
    first, second = _run(space, 7, 14, active), _run(space, 7, 14, active)
    assert first == second
    assert all(space.validate(p) == p for p in first)
    # the option changes the proposals (it is not TuRBO's box under another name)
    plain = _run(space, 7, 14, TrustRegion())
    assert plain[:5] == first[:5] and plain != first


def test_a_space_with_an_integer_keeps_the_axes():
    space = Space({"a": Real(-1.0, 1.0), "b": Real(-1.0, 1.0), "k": Integer(1, 9)})
    active = _run(space, 3, 10, TrustRegion(metric="active"))
    assert active == _run(space, 3, 10, TrustRegion())


def test_batches_and_failed_trials_are_believed_in_the_rotated_search():
    space = Space({"a": Real(-1.0, 1.0), "b": Real(-1.0, 1.0)})
    opt = BayesianOptimization(
        space, seed=5, n_initial=4, trust_region=TrustRegion(metric="active", local_points=6)
    )
    for params in opt.ask(4):
        opt.tell(params, params["a"] ** 2 + abs(params["b"]))
    opt.tell(opt.ask(), None)  # a failed trial: believed the worst
    batch = opt.ask(3)  # members 1 and 2 see the fantasies of the earlier ones
    assert len({tuple(p.values()) for p in batch}) == 3
    assert all(space.validate(p) == p for p in batch)


def test_active_below_is_validated_with_its_name():
    for bad in (0.0, -1.0, True, "0.1"):
        with pytest.raises(ValueError, match="active_below"):
            TrustRegion(metric="active", active_below=bad)
    assert TrustRegion(metric="active", active_below=0.2).active_below == 0.2


def test_a_gate_never_reached_keeps_the_axis_aligned_proposals_exactly():
    space = Space({"a": Real(-1.0, 1.0), "b": Real(-1.0, 1.0), "c": Real(0.0, 2.0)})
    plain = _run(space, 7, 14, TrustRegion())
    # the side never falls below length_min (it restarts), so a smaller gate never opens
    gated = _run(space, 7, 14, TrustRegion(metric="active", active_below=1e-6))
    assert gated == plain


def test_the_gate_opens_once_the_side_has_shrunk_to_it_and_stays_open():
    from hpo.optimizers._rotated_region import rotation_open

    space = Space({"a": Real(-1.0, 1.0), "b": Real(-1.0, 1.0)})
    tr = TrustRegion(metric="active", active_below=0.4, failure_tolerance=1)
    opt = BayesianOptimization(space, seed=2, n_initial=3, trust_region=tr)
    for params in opt.ask(3):
        opt.tell(params, 1.0 + params["a"] ** 2)
    assert not rotation_open(opt)  # no trial replayed yet: L = 0.8
    opt.tell(opt.ask(), 10.0)  # a failure halves L to 0.4
    assert rotation_open(opt)
    for _ in range(3):  # three successes double it back to 0.8: the gate stays open
        opt.tell(opt.ask(), -float(len(opt.completed)))
    assert rotation_open(opt)
