"""GP features of a mixed space and the mixed acquisition search of Bayesian optimization."""

import itertools

import numpy as np
import pytest

from hpo import Categorical, Integer, Real, Space
from hpo.gp.acquisition import LogExpectedImprovement, acquisition_and_gradient
from hpo.gp.kernels import Constant, Matern
from hpo.gp.regression import GaussianProcess
from hpo.optimizers._bo_search import (
    MAX_ENUMERATED,
    FeatureMap,
    local_search,
    maximize_acquisition,
    maximize_mixed,
)

SPACE = Space(
    {
        "x": Real(-5.0, 10.0),
        "c": Categorical(["a", "b", "c"]),
        "lr": Real(1e-5, 1e-1, log=True),
        "k": Integer(0, 10),
    }
)
# columns of SPACE's GP features: x | c=a c=b c=c | lr | k
X_F, CAT_F, LR_F, K_F = 0, [1, 2, 3], 4, 5


def test_feature_layout():
    fmap = FeatureMap(SPACE)
    assert fmap.n_features == 6
    np.testing.assert_array_equal(fmap.real, [0, 2])
    np.testing.assert_array_equal(fmap.discrete, [1, 3])
    np.testing.assert_array_equal(fmap.real_features, [X_F, LR_F])


def test_reals_are_their_unit_coordinates():
    fmap = FeatureMap(SPACE)
    U = np.random.default_rng(0).random((50, 4))
    F = fmap(U)
    np.testing.assert_array_equal(F[:, X_F], U[:, 0])
    np.testing.assert_array_equal(F[:, LR_F], U[:, 2])


def test_integers_sit_at_the_centre_of_their_bin():
    fmap = FeatureMap(SPACE)
    k = SPACE["k"]
    U = np.random.default_rng(1).random((200, 4))
    F = fmap(U)
    values = k.decode(U[:, 3])
    # bins of width 1/11 over [-1/2, 10 + 1/2]: integer v has centre (v + 1/2) / 11
    np.testing.assert_allclose(F[:, K_F], (values + 0.5) / 11, rtol=0, atol=1e-15)
    # constant over each bin: the GP never models values between integers
    for v in range(11):
        inside = np.linspace(v / 11, (v + 1) / 11, 7)[1:-1]
        U2 = np.tile(U[0], (len(inside), 1))
        U2[:, 3] = inside
        assert np.ptp(fmap(U2)[:, K_F]) == 0


def test_log_integers_sit_inside_their_log_bin_at_their_own_coordinate():
    space = Space({"n": Integer(1, 100, log=True)})
    fmap = FeatureMap(space)
    u = np.linspace(0, 1, 301)[:, None]
    F = fmap(u)[:, 0]
    n = space["n"].decode(u[:, 0]).astype(float)
    # on the log scale integer n owns [log(n - 1/2), log(n + 1/2)] (space.py); its feature is
    # the coordinate of log(n) itself, inside that bin (not exactly its midpoint)
    lo, hi = np.log(0.5), np.log(100.5)
    np.testing.assert_allclose(F, (np.log(n) - lo) / (hi - lo), rtol=0, atol=1e-15)
    assert np.all((np.log(n - 0.5) - lo) / (hi - lo) < F)
    assert np.all(F < (np.log(n + 0.5) - lo) / (hi - lo))


def test_categoricals_are_one_hot_at_squared_distance_one():
    fmap = FeatureMap(SPACE)
    configs = [{"x": 0.0, "c": c, "lr": 1e-3, "k": 4} for c in "abc"]
    F = fmap(SPACE.to_unit_batch(configs))
    np.testing.assert_allclose(F[:, CAT_F], np.eye(3) / np.sqrt(2), rtol=0, atol=1e-15)
    for i, j in itertools.combinations(range(3), 2):
        assert np.sum((F[i] - F[j]) ** 2) == pytest.approx(1.0, abs=1e-15)
    # the other features do not depend on the choice
    rest = np.delete(F, CAT_F, axis=1)
    np.testing.assert_array_equal(rest, np.tile(rest[0], (3, 1)))


def test_the_whole_unit_bin_of_a_choice_maps_to_its_one_hot():
    fmap = FeatureMap(SPACE)
    u = np.array([[0.5, 0.0, 0.5, 0.5], [0.5, 0.3333, 0.5, 0.5], [0.5, 0.34, 0.5, 0.5]])
    u = np.vstack([u, [0.5, 0.6666, 0.5, 0.5], [0.5, 0.67, 0.5, 0.5], [0.5, 1.0, 0.5, 0.5]])
    hot = np.argmax(fmap(u)[:, CAT_F], axis=1)
    np.testing.assert_array_equal(hot, [0, 0, 1, 1, 2, 2])


def test_a_single_choice_adds_no_feature():
    space = Space({"x": Real(0.0, 1.0), "only": Categorical(["one"]), "k": Integer(1, 3)})
    fmap = FeatureMap(space)
    assert fmap.n_features == 2
    F = fmap(np.array([[0.25, 0.9, 0.1]]))
    np.testing.assert_allclose(F, [[0.25, 1 / 6]])


def test_a_single_point_is_accepted():
    fmap = FeatureMap(SPACE)
    assert fmap(np.full(4, 0.5)).shape == (1, 6)


def test_reals_outside_the_cube_are_clipped():
    fmap = FeatureMap(SPACE)
    F = fmap(np.array([[-0.2, 0.5, 1.3, 0.5]]))
    assert F[0, X_F] == 0.0 and F[0, LR_F] == 1.0


# -- the chain rule maximize_mixed relies on ----------------------------------------------


def smooth_acquisition(F):
    """A nonlinear function of all features and its gradient in F."""
    w = np.linspace(0.5, 2.0, F.shape[1])
    a = np.sin(F @ w) + np.sum(F**3, axis=1)
    return a, np.cos(F @ w)[:, None] * w + 3 * F**2


def test_unit_gradient_is_the_feature_gradient_on_real_columns():
    """d a(fmap(U)) / dU_j = (da/dF)[real_features[j]] for a real j, 0 for a discrete one
    (inside a bin), checked by central differences."""
    fmap = FeatureMap(SPACE)
    rng = np.random.default_rng(2)
    U = SPACE.snap(rng.uniform(0.05, 0.95, (5, 4)))  # discrete coordinates at bin centres
    _, dF = smooth_acquisition(fmap(U))
    h = 1e-6
    for j in range(4):
        e = np.zeros(4)
        e[j] = h
        numeric = (smooth_acquisition(fmap(U + e))[0] - smooth_acquisition(fmap(U - e))[0]) / (
            2 * h
        )
        if j in fmap.real:
            feature = fmap.real_features[list(fmap.real).index(j)]
            np.testing.assert_allclose(numeric, dF[:, feature], rtol=1e-7, atol=1e-8)
        else:
            np.testing.assert_array_equal(numeric, 0.0)


# -- values tried for a discrete column ---------------------------------------------------


def test_every_value_of_small_discrete_columns_is_tried():
    fmap = FeatureMap(SPACE)
    current = np.array([0.5])
    np.testing.assert_allclose(fmap.values(1, current), [1 / 6, 1 / 2, 5 / 6])
    k = fmap.values(3, current)
    np.testing.assert_allclose(k, (np.arange(11) + 0.5) / 11)
    np.testing.assert_array_equal(SPACE["k"].decode(k), np.arange(11))


@pytest.mark.parametrize("log", [False, True])
def test_large_integer_ranges_try_a_spread_and_the_neighbours(log):
    p = Integer(1, 5000, log=log)
    space = Space({"n": p})
    fmap = FeatureMap(space)
    current = p.encode([1234, 2])
    tried = fmap.values(0, current)
    values = p.decode(tried)
    # every coordinate tried is a configuration, at the centre of its bin
    np.testing.assert_allclose(space.snap(tried[:, None])[:, 0], tried, atol=1e-15)
    assert len(set(values.tolist())) == len(values)
    assert {1232, 1233, 1235, 1236, 1, 3, 4} <= set(values.tolist())
    # evenly spread on the parameter's own scale: geometrically on a log scale
    even = np.geomspace if log else np.linspace
    spread = set(np.round(even(1, 5000, MAX_ENUMERATED)).astype(int).tolist())
    assert spread <= set(values.tolist())
    if log:  # the lower half of the log axis (a linear spread put 1 and 80 there, no more)
        assert np.sum(values[values <= np.sqrt(5000)] >= 4) >= 20
    assert len(values) <= MAX_ENUMERATED + 8


def test_an_integer_range_of_exactly_max_enumerated_is_enumerated():
    p = Integer(0, MAX_ENUMERATED - 1)
    fmap = FeatureMap(Space({"n": p}))
    values = p.decode(fmap.values(0, p.encode([5])))
    np.testing.assert_array_equal(values, np.arange(MAX_ENUMERATED))


# -- maximize_mixed -----------------------------------------------------------------------

# A bump on the two reals whose centre and height depend on the integer and the choice;
# the best (k, c) is unique: k = 7, c = "b"; a decoy bump (k = 2, c = "c") is 0.1 lower.
# The discrete steps move one parameter at a time with the reals fixed, so they promise only
# a coordinate-wise maximum: bumps of neighbouring k overlap here (centres 0.04 apart, width
# 0.2). With narrow bumps (width 0.12, centres 0.06 apart) the search stops on a neighbour
# of k = 7 for about half of the seeds.
WIDTH = 0.2


def peak(k_unit, cat):
    """Centre (in the unit coordinates of x and lr) and height of the bump for (k, c)."""
    k = np.rint(k_unit * 11 - 0.5)
    choice = np.argmax(cat, axis=1)
    cx = 0.15 + 0.04 * k
    cy = np.choose(choice, [0.35, 0.55, 0.75])
    height = 1.0 - 0.02 * (k - 7) ** 2 - 0.1 * (choice != 1)
    height = np.where((k == 2) & (choice == 2), 0.9, height)
    return cx, cy, height


def bump(F, gradient=False):
    cx, cy, height = peak(F[:, K_F], F[:, CAT_F])
    r2 = (F[:, X_F] - cx) ** 2 + (F[:, LR_F] - cy) ** 2
    a = height * np.exp(-r2 / (2 * WIDTH**2))
    if not gradient:
        return a, None
    dF = np.zeros_like(F)
    dF[:, X_F] = -a * (F[:, X_F] - cx) / WIDTH**2
    dF[:, LR_F] = -a * (F[:, LR_F] - cy) / WIDTH**2
    # the discrete columns get a derivative too (never to be used: they do not move)
    dF[:, K_F] = 1e3
    return a, dF


def brute_force(fun, space, n_grid=201):
    """Every discrete combination times a fine grid over the reals; the best unit point."""
    fmap = FeatureMap(space)
    axes = []
    for p in space.values():
        if p.kind == "real":
            axes.append(np.linspace(0, 1, n_grid))
        elif p.kind == "integer":
            axes.append(p.encode(np.arange(p.low, p.high + 1)))
        else:
            axes.append((np.arange(p.n_values) + 0.5) / p.n_values)
    U = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, space.dim)
    a, _ = fun(fmap(U))
    i = int(np.argmax(a))
    return U[i], a[i]


@pytest.fixture(scope="module")
def brute():
    return brute_force(bump, SPACE)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_finds_the_brute_force_maximizer(seed, brute):
    best_u, best_a = brute
    fmap = FeatureMap(SPACE)
    U, values, _, _ = maximize_mixed(bump, fmap, np.random.default_rng(seed))
    found = SPACE.from_unit(U[0])
    expected = SPACE.from_unit(best_u)
    assert (found["k"], found["c"]) == (expected["k"], expected["c"]) == (7, "b")
    # the grid has steps of 1/200; the gradient steps land on the continuous maximum
    np.testing.assert_allclose(U[0, fmap.real], best_u[fmap.real], atol=1 / 200)
    np.testing.assert_allclose(U[0, fmap.real], [0.43, 0.55], atol=1e-5)
    assert values[0] >= best_a - 1e-12
    assert values[0] == pytest.approx(1.0, abs=1e-9)


def test_results_are_snapped_sorted_and_their_values():
    fmap = FeatureMap(SPACE)
    U, values, raw, raw_values = maximize_mixed(
        bump, fmap, np.random.default_rng(0), n_raw=256, n_restarts=6
    )
    assert U.shape == (6, 4) and values.shape == (6,)
    np.testing.assert_array_equal(SPACE.snap(U), U)
    assert np.all(np.diff(values) <= 0)
    np.testing.assert_allclose(bump(fmap(U))[0], values, rtol=1e-12)
    assert raw.shape == (256, 4) and raw_values.shape == (256,)
    np.testing.assert_array_equal(SPACE.snap(raw), raw)
    assert np.all(np.diff(raw_values) <= 0)
    np.testing.assert_allclose(bump(fmap(raw))[0], raw_values)
    # the search only improves on the best raw candidates
    assert values[0] >= raw_values[0]


def test_same_rng_same_result():
    fmap = FeatureMap(SPACE)
    a = maximize_mixed(bump, fmap, np.random.default_rng(5), n_raw=128, n_restarts=3)
    b = maximize_mixed(bump, fmap, np.random.default_rng(5), n_raw=128, n_restarts=3)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_discrete_steps_reach_a_combination_the_raw_candidates_missed():
    """From a single poor start, the alternation of discrete and gradient steps climbs to
    the best (k, c) when the discrete part can be improved one coordinate at a time."""
    fmap = FeatureMap(SPACE)

    def separable(F, gradient=False):
        k = np.rint(F[:, K_F] * 11 - 0.5)
        choice = np.argmax(F[:, CAT_F], axis=1)
        a = -((F[:, X_F] - 0.3) ** 2) - (F[:, LR_F] - 0.6) ** 2
        a = a - 0.1 * (k - 7) ** 2 - 2.0 * (choice != 1)
        if not gradient:
            return a, None
        dF = np.zeros_like(F)
        dF[:, X_F], dF[:, LR_F] = -2 * (F[:, X_F] - 0.3), -2 * (F[:, LR_F] - 0.6)
        return a, dF

    start = SPACE.to_unit({"x": 9.0, "c": "c", "lr": 1e-5, "k": 0})
    U, values, raw, _ = maximize_mixed(
        separable, fmap, np.random.default_rng(0), n_raw=1, n_restarts=1, extra=start[None]
    )
    assert not any(
        (p["k"], p["c"]) == (7, "b") for p in SPACE.from_unit_batch(raw)
    )  # the answer was not among the candidates
    found = SPACE.from_unit(U[0])
    assert (found["k"], found["c"]) == (7, "b")
    np.testing.assert_allclose(U[0, [0, 2]], [0.3, 0.6], atol=1e-6)
    assert values[0] == pytest.approx(0.0, abs=1e-10)


def test_extra_candidates_are_clipped_snapped_and_kept_in_raw():
    fmap = FeatureMap(SPACE)
    extra = np.array([[1.4, 0.52, -0.3, 0.66]])
    _, _, raw, _ = maximize_mixed(bump, fmap, np.random.default_rng(0), n_raw=4, extra=extra)
    assert len(raw) == 5
    expected = SPACE.snap(np.clip(extra, 0, 1))[0]
    assert any(np.array_equal(row, expected) for row in raw)


def test_lengthscales_precondition_without_moving_the_maximizer():
    fmap = FeatureMap(SPACE)
    plain = maximize_mixed(bump, fmap, np.random.default_rng(3))
    # very different scales on the two reals; the discrete features' entries are ignored
    scaled = maximize_mixed(
        bump, fmap, np.random.default_rng(3), lengthscales=np.array([0.05, 9, 9, 9, 3.0, 9])
    )
    np.testing.assert_allclose(scaled[0][0], plain[0][0], atol=1e-5)
    assert SPACE.from_unit(scaled[0][0])["k"] == 7
    assert scaled[1][0] == pytest.approx(plain[1][0], abs=1e-9)
    # a scalar is broadcast to every feature
    scalar = maximize_mixed(bump, fmap, np.random.default_rng(3), lengthscales=0.3)
    np.testing.assert_allclose(scalar[0][0], plain[0][0], atol=1e-5)


def test_lengthscales_are_taken_from_the_real_features(monkeypatch):
    """The gradient steps search in units of the lengthscales of the *real* features."""
    import hpo.optimizers._bo_search as bo_search

    seen = []
    original = bo_search.local_search

    def spy(fun, starts, maxiter=200, scale=None, **options):
        seen.append(scale)
        return original(fun, starts, maxiter, scale, **options)

    monkeypatch.setattr(bo_search, "local_search", spy)
    lengthscales = np.array([0.5, 1, 2, 3, 0.25, 4])
    maximize_mixed(
        bump,
        FeatureMap(SPACE),
        np.random.default_rng(0),
        n_raw=16,
        n_restarts=2,
        lengthscales=lengthscales,
    )
    assert seen
    for scale in seen:
        np.testing.assert_array_equal(scale, lengthscales[[X_F, LR_F]])
    seen.clear()
    maximize_mixed(bump, FeatureMap(SPACE), np.random.default_rng(0), n_raw=16, n_restarts=2)
    assert seen and all(scale is None for scale in seen)


def test_a_purely_discrete_space_is_searched_exactly():
    space = Space({"k": Integer(-3, 12), "c": Categorical([None, (1, 2), "z", 4.5])})
    fmap = FeatureMap(space)

    def f(F, gradient=False):
        k = np.rint(F[:, 0] * 16 - 0.5) - 3
        c = np.argmax(F[:, 1:], axis=1)
        a = -((k - 9) ** 2) * (1 + c) - 3 * (c != 3) + 0.5 * (k == -3) * (c == 0)
        return a, (np.zeros_like(F) if gradient else None)

    best_u, best_a = brute_force(f, space)
    U, values, _, _ = maximize_mixed(f, fmap, np.random.default_rng(0), n_raw=4, n_restarts=2)
    assert space.from_unit(U[0]) == space.from_unit(best_u) == {"k": 9, "c": 4.5}
    assert values[0] == best_a


def test_a_purely_real_space_is_searched_by_gradient():
    space = Space({"x": Real(0.0, 1.0), "y": Real(1.0, 100.0, log=True)})
    fmap = FeatureMap(space)
    target = np.array([0.2345, 0.8765])

    def f(F, gradient=False):
        a = -np.sum((F - target) ** 2, axis=1)
        return a, (-2 * (F - target) if gradient else None)

    U, values, _, _ = maximize_mixed(f, fmap, np.random.default_rng(0), n_raw=8, n_restarts=2)
    np.testing.assert_allclose(U[0], target, atol=1e-6)
    assert values[0] == pytest.approx(0.0, abs=1e-10)


# -- the gradient steps and the GP-acquisition entry point (moved from hpo.gp.acquisition) --
def test_preconditioned_search_reaches_the_maximum_in_fewer_steps():
    # a function of x / l with lengthscales 100 times apart, maximum inside the cube
    lengthscales = np.array([0.01, 0.03, 1.0, 1.0])
    target = np.array([0.31, 0.62, 0.45, 0.7])
    calls = {"plain": 0, "scaled": 0}

    def counted(key):
        def fun(X, gradient):
            calls[key] += 1
            z = (X - target) / lengthscales
            a = -np.log1p(np.sum(z**2, axis=1))
            da = -2 * z / lengthscales / (1 + np.sum(z**2, axis=1))[:, None]
            return a, (da if gradient else None)

        return fun

    starts = np.array([[0.2, 0.5, 0.1, 0.9], [0.4, 0.7, 0.8, 0.2]])
    X, _ = local_search(counted("scaled"), starts, scale=lengthscales)
    np.testing.assert_allclose(X, [target, target], atol=1e-4)
    local_search(counted("plain"), starts)
    assert calls["scaled"] < calls["plain"]
    # unit scales are the plain search
    same = local_search(counted("plain"), starts, scale=np.ones(4))
    np.testing.assert_array_equal(same[0], local_search(counted("plain"), starts)[0])


def test_log_ei_maximizer_beats_a_dense_grid_and_equals_the_generic_search():
    rng = np.random.default_rng(12345)
    X = rng.random((15, 2))
    gp = GaussianProcess(Constant(1.0) * Matern([0.3, 0.5]), noise=1e-5).fit(
        X, np.sin(5 * X[:, 0]) + X[:, 1], optimize=False
    )
    acq = LogExpectedImprovement(float(gp.standardize_y(gp.y_train).min()))
    space = Space({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)})
    fmap = FeatureMap(space)
    U, values, _, _ = maximize_acquisition(
        gp, acq, fmap, np.random.default_rng(0), n_raw=256, n_restarts=5
    )
    dense = np.stack(np.meshgrid(np.linspace(0, 1, 201), np.linspace(0, 1, 201)), -1)
    assert (
        values[0] >= acquisition_and_gradient(gp, acq, dense.reshape(-1, 2), False)[0].max() - 1e-6
    )
    assert np.all(np.diff(values) <= 0)
    generic = maximize_mixed(
        lambda F, g: acquisition_and_gradient(gp, acq, F, g),
        fmap,
        np.random.default_rng(0),
        n_raw=256,
        n_restarts=5,
    )
    np.testing.assert_array_equal(generic[0], U)


def test_a_sharp_peak_on_a_wide_log_integer_is_found_on_every_seed():
    """Issue 14: on Integer(1, 100000, log=True) a linear spread, +-2 neighbours and three
    rounds stopped at 694 or 698 on 4 of 10 seeds; geometric spread and rounds until nothing
    changes reach 700 on all of them."""
    space = Space({"x": Real(0.0, 1.0), "n": Integer(1, 100000, log=True)})
    fmap, p = FeatureMap(space), space["n"]

    def f(F, gradient=False):
        r2 = (np.log(p.decode(F[:, 1])) - np.log(700)) ** 2
        a = -r2 + 5 * np.exp(-r2 / (2 * 0.001**2)) - (F[:, 0] - 0.3) ** 2
        if not gradient:
            return a, None
        dF = np.zeros_like(F)
        dF[:, 0] = -2 * (F[:, 0] - 0.3)
        return a, dF

    found = [
        space.from_unit(maximize_mixed(f, fmap, np.random.default_rng(seed))[0][0])["n"]
        for seed in range(10)
    ]
    assert found == [700] * 10


def test_the_features_of_a_space_of_reals_are_its_clipped_unit_points():
    space = Space({"a": Real(0.0, 1.0), "b": Real(1e-3, 10.0, log=True), "c": Real(-5.0, 5.0)})
    fmap = FeatureMap(space)
    U = np.random.default_rng(0).uniform(-0.2, 1.2, (40, 3))
    slow = space.snap(U)  # the general path: snap, then one column per real
    assert np.array_equal(fmap(U), slow)


def test_independent_runs_reach_each_starts_maximum_with_fewer_rounds():
    # two bumps with lengthscales far apart: stacked, the slow start holds the fast one back
    targets = np.array([[0.3, 0.6, 0.4], [0.7, 0.2, 0.8]])
    widths = np.array([[0.05, 0.4, 0.2], [0.3, 0.02, 0.5]])
    calls = {"stacked": 0, "independent": 0}

    def counted(key):
        def fun(X, gradient, rows=None):
            calls[key] += 1
            near = np.argmin(np.abs(X[:, :1] - targets[:, 0]), axis=1)
            z = (X - targets[near]) / widths[near]
            a = -np.log1p(np.sum(z**2, axis=1))
            da = -2 * z / widths[near] / (1 + np.sum(z**2, axis=1))[:, None]
            return a, (da if gradient else None)

        return fun

    starts = np.array([[0.25, 0.5, 0.5], [0.75, 0.25, 0.7], [0.35, 0.7, 0.3]])
    expected = targets[[0, 1, 0]]
    for batch in ("stacked", "independent"):
        X, values = local_search(counted(batch), starts, batch=batch)
        np.testing.assert_allclose(X, expected, atol=1e-3)
        assert np.all(values > -1e-6)
    assert calls["independent"] < calls["stacked"]


def test_independent_search_of_a_mixed_space_keeps_each_starts_discrete_values():
    space = Space({"x": Real(0.0, 1.0), "k": Integer(0, 3), "c": Categorical(["a", "b"])})
    fmap = FeatureMap(space)

    def fun(F, gradient):  # a peak in x at 0.3 u_k + 0.1, higher for larger k
        k = F[:, 1]
        a = -((F[:, 0] - (0.3 * k + 0.1)) ** 2) + 0.1 * k
        da = np.zeros_like(F)
        da[:, 0] = -2 * (F[:, 0] - (0.3 * k + 0.1))
        return a, (da if gradient else None)

    for batch in ("stacked", "independent"):
        U, values, _, _ = maximize_mixed(
            fun, fmap, np.random.default_rng(0), n_raw=64, n_restarts=4, batch=batch
        )
        best = space.from_unit(U[0])
        peak = 0.3 * fmap(U[:1])[0, 1] + 0.1
        assert best["k"] == 3 and best["x"] == pytest.approx(peak, abs=1e-4)
        np.testing.assert_allclose(values, fun(fmap(U), False)[0])
    with pytest.raises(ValueError, match="batch"):
        maximize_mixed(fun, fmap, np.random.default_rng(0), batch="parallel")


def test_the_features_equal_the_general_path_of_snap_and_one_column_at_a_time():
    space = Space(
        {
            "x": Real(0.0, 1.0),
            "k": Integer(1, 1000, log=True),
            "c": Categorical(["a", "b", "c"]),
            "n": Integer(0, 5),
            "one": Categorical(["only"]),
            "y": Real(1e-3, 1.0, log=True),
        }
    )
    fmap = FeatureMap(space)
    U = np.random.default_rng(1).uniform(-0.1, 1.1, (50, space.dim))
    S = space.snap(U)
    F = np.zeros((50, fmap.n_features))
    for (j, start, w), p in zip(fmap._slices, space.values()):
        if p.kind == "categorical":
            if w:
                F[np.arange(50), start + p.decode(S[:, j])] = np.sqrt(0.5)
        else:
            F[:, start] = S[:, j]
    assert np.array_equal(fmap(U), F)


# -- integers="relaxed": large integers in the gradient steps ---------------------------


def _smooth_in_integer(space, centre):
    """A smooth bump over the features of (x, n, m): n (800 values) and m (5 values)
    enter as their feature coordinates; its gradient is exact in every feature."""
    fmap = FeatureMap(space)

    def fun(F, gradient=False):
        d = F - centre
        a = np.exp(-0.5 * np.sum((d / 0.15) ** 2, axis=1))
        return a, (None if not gradient else -a[:, None] * d / 0.15**2)

    return fmap, fun


@pytest.mark.parametrize("seed", range(3))
def test_relaxed_integers_reach_the_discrete_search_maximum_on_a_smooth_bump(seed):
    space = Space({"x": Real(0.0, 1.0), "n": Integer(1, 800), "m": Integer(0, 4)})
    centre = np.array([0.3, 0.6134, 0.5])  # n about 491, between values of the spread
    fmap, fun = _smooth_in_integer(space, centre)
    found = {}
    for integers in ("discrete", "relaxed"):
        U, v, _, _ = maximize_mixed(
            fun, fmap, np.random.default_rng(seed), n_raw=64, integers=integers,
            batch="independent",
        )  # fmt: skip
        found[integers] = (space.from_unit(U[0]), v[0])
        assert np.array_equal(U, space.snap(U))  # configurations, not relaxed points
        np.testing.assert_allclose(fun(fmap(U))[0], v)  # values of the snapped points
    best_n = max(range(1, 801), key=lambda n: -abs(space["n"].encode(np.array([n]))[0] - 0.6134))
    assert abs(found["relaxed"][0]["n"] - best_n) <= 1
    assert found["relaxed"][1] >= found["discrete"][1] - 1e-3


def test_relaxed_integers_leave_small_integer_spaces_as_they_were():
    space = Space({"x": Real(0.0, 1.0), "m": Integer(0, 40)})  # at most MAX_ENUMERATED values
    fmap, fun = _smooth_in_integer(space, np.array([0.3, 0.5]))
    runs = [
        maximize_mixed(fun, fmap, np.random.default_rng(1), n_raw=64, integers=integers)
        for integers in ("discrete", "relaxed")
    ]
    for a, b in zip(*runs):
        assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="integers"):
        maximize_mixed(fun, fmap, np.random.default_rng(1), integers="continuous")


def test_relaxed_search_runs_in_bayes_and_proposes_configurations():
    from hpo import BayesianOptimization
    from hpo.gp.config import GPConfig

    space = Space({"x": Real(0.0, 1.0), "n": Integer(1, 500, log=True)})
    opt = BayesianOptimization(
        space, seed=0, gp=GPConfig(search_integers="relaxed", search_spread=16)
    )
    for _ in range(12):
        p = opt.ask()
        assert isinstance(p["n"], int) and 1 <= p["n"] <= 500
        opt.tell(p, (p["x"] - 0.3) ** 2 + (np.log(p["n"]) - 3.0) ** 2)
    with pytest.raises(ValueError, match="search_integers"):
        GPConfig(search_integers="continuous")


def test_relaxed_spread_adds_a_spread_to_the_neighbours():
    from hpo.optimizers import _bo_search

    space = Space({"x": Real(0.0, 1.0), "k": Integer(10, 250)})
    fmap = FeatureMap(space)
    current = space["k"].encode(np.array([100]))
    near = space["k"].decode(_bo_search._near(fmap, 1, current))
    assert sorted(near.tolist()) == [98, 99, 100, 101, 102]  # the default: neighbours only
    wide = space["k"].decode(_bo_search._near(fmap, 1, current, 16))
    assert {10, 250}.issubset(wide.tolist()) and set(near.tolist()).issubset(wide.tolist())
    assert len(wide) == len(np.unique(wide)) == 5 + 16
    log = Space({"k": Integer(1, 1000, log=True)})
    values = log["k"].decode(_bo_search._near(FeatureMap(log), 0, log["k"].encode([500]), 8))
    assert {1, 3, 7, 19, 1000}.issubset(values.tolist())  # geometric on a log scale


def test_relaxed_spread_lets_a_start_jump_across_the_range():
    """A bump at n about 700, the raw candidates all near n = 10: the neighbours-only search
    stays at the nearer local maximum of a second bump, the spread reaches the higher one."""
    space = Space({"x": Real(0.0, 1.0), "n": Integer(1, 800)})
    fmap = FeatureMap(space)
    far = np.array([0.5, space["n"].encode(np.array([700]))[0]])

    def fun(F, gradient=False):
        near_bump = 0.5 * np.exp(-0.5 * np.sum(((F - [0.5, 0.0]) / 0.05) ** 2, axis=1))
        far_bump = np.exp(-0.5 * np.sum(((F - far) / 0.05) ** 2, axis=1))
        a = near_bump + far_bump
        g = None
        if gradient:
            g = -near_bump[:, None] * (F - [0.5, 0.0]) / 0.05**2
            g -= far_bump[:, None] * (F - far) / 0.05**2
        return a, g

    extra = np.array([[0.5, 0.0]])
    found = {}
    for spread in (0, 16):
        U, v, _, _ = maximize_mixed(
            fun, fmap, np.random.default_rng(0), n_raw=2, n_restarts=1, extra=extra,
            integers="relaxed", spread=spread, batch="independent",
        )  # fmt: skip
        found[spread] = space.from_unit(U[0])["n"], v[0]
    assert found[16][1] > 0.9 and abs(found[16][0] - 700) <= 2
    assert found[16][1] > found[0][1]
    with pytest.raises(ValueError, match="spread"):
        maximize_mixed(fun, fmap, np.random.default_rng(0), integers="relaxed", spread=-1)
