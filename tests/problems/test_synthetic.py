"""Every synthetic function, checked by one shared set of tests (after BoTorch's test suite).

Tolerances: f(x*) must equal f* to 1e-10 relative, or 1e-12 absolute where f* = 0 (relative
error means nothing there; Ackley's ``e - e`` leaves 4.4e-16). REFERENCE.md gives f* to at
least 11 significant digits; the loosest agreement, Hartmann3's, is 8.5e-12 relative.
"""

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from hpo.problems import dixon_szego, get_problem, scalable
from hpo.problems.synthetic import SHIFT_FRACTION, SHIFT_MARGIN, SyntheticFunction

FUNCTIONS = dixon_szego.FUNCTIONS + scalable.FUNCTIONS
SHIFTABLE = [cls for cls in FUNCTIONS if cls.shiftable]


def dims_of(cls):
    if cls.fixed_dim is not None:
        return [cls.fixed_dim]
    return [d for d in sorted({cls.default_dim, 1, 2, 5, 8, 10}) if cls.dim_rule(d) is None]


CASES = [(cls.key, dim) for cls in FUNCTIONS for dim in dims_of(cls)]
SHIFTED_CASES = [(cls.key, dim) for cls in SHIFTABLE for dim in dims_of(cls)]
IDS = [f"{key}-{dim}" for key, dim in CASES]
SHIFTED_IDS = [f"{key}-{dim}" for key, dim in SHIFTED_CASES]


def build(key, dim, **kwargs):
    return get_problem(key, dim=dim, **kwargs)


def close_to_optimum(values, f_star):
    return np.allclose(values, f_star, rtol=1e-10, atol=1e-12)


def fun_and_grad(x, p):
    """f(x) and its central-difference gradient, from one vectorized call."""
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    steps = np.diag(h)
    values = p.evaluate(np.vstack([x, x + steps, x - steps]))
    return values[0], (values[1 : 1 + x.size] - values[1 + x.size :]) / (2 * h)


def lowest_allowed(f_star):
    # Reference f* are rounded near the 11th digit; a true minimum may lie that far below.
    return f_star - 1e-9 * max(1.0, abs(f_star))


@pytest.mark.parametrize(("key", "dim"), CASES, ids=IDS)
def test_declared_data_has_the_documented_shapes(key, dim):
    p = build(key, dim)
    assert isinstance(p, SyntheticFunction)
    assert type(p.dim) is int and p.dim == dim
    assert type(p.optimum) is float
    assert p.bounds.shape == (dim, 2) and np.all(p.bounds[:, 0] < p.bounds[:, 1])
    assert p.minimizers.ndim == 2 and p.minimizers.shape[1] == dim
    assert not p.bounds.flags.writeable and not p.minimizers.flags.writeable
    assert list(p.space.names) == [f"x{i}" for i in range(dim)]
    for i, name in enumerate(p.space.names):
        assert (p.space[name].low, p.space[name].high) == tuple(p.bounds[i])
    inside = (p.minimizers >= p.bounds[:, 0]) & (p.minimizers <= p.bounds[:, 1])
    assert inside.all()
    assert "Reference:" in type(p).__doc__


@pytest.mark.parametrize(("key", "dim"), CASES, ids=IDS)
def test_value_at_every_minimizer_is_f_star(key, dim):
    p = build(key, dim)
    values = p.evaluate(p.minimizers)
    assert close_to_optimum(values, p.optimum), values - p.optimum
    for x in p.minimizers:
        value = p(dict(zip(p.space.names, map(float, x))))
        assert close_to_optimum(value, p.optimum)


# Shifted boxes in the largest dimension tried only: the function does not change with shift.
LARGEST = {key: dim for key, dim in SHIFTED_CASES}
RANDOM_CASES = [(*c, None) for c in CASES] + [(key, dim, 0) for key, dim in LARGEST.items()]
RANDOM_IDS = IDS + [f"{key}-{dim}-shifted" for key, dim in LARGEST.items()]


@pytest.mark.parametrize(("key", "dim", "shift"), RANDOM_CASES, ids=RANDOM_IDS)
def test_no_random_point_nor_local_search_beats_f_star(key, dim, shift):
    p = build(key, dim, shift=shift)
    rng = np.random.default_rng(0)
    X = rng.uniform(p.bounds[:, 0], p.bounds[:, 1], size=(100_000, dim))
    values = p.evaluate(X)
    assert values.shape == (100_000,) and np.all(np.isfinite(values))
    assert values.min() >= lowest_allowed(p.optimum)
    # Polish x* and the best random point inside the box: an f* that is not the least value
    # near them (such as Styblinski-Tang's misprinted -39.16599 d) is beaten here.
    starts = np.vstack([p.minimizers, X[np.argmin(values)]])
    for x0 in starts:
        res = minimize(fun_and_grad, x0, (p,), method="L-BFGS-B", jac=True, bounds=p.bounds)
        assert res.fun >= lowest_allowed(p.optimum), (x0, res.x, res.fun)


@pytest.mark.parametrize(("key", "dim"), CASES, ids=IDS)
def test_evaluate_agrees_with_call_and_returns_floats(key, dim):
    p = build(key, dim)
    rng = np.random.default_rng(1)
    X = rng.uniform(p.bounds[:, 0], p.bounds[:, 1], size=(20, dim))
    values = p.evaluate(X)
    assert isinstance(values, np.ndarray) and values.shape == (20,)
    assert values.dtype == np.float64
    for x, v in zip(X, values):
        out = p({name: float(xi) for name, xi in zip(p.space.names, x)})
        assert type(out) is float
        assert out == v
    sampled = p.space.sample(rng, 5)
    assert all(type(p(params)) is float for params in sampled)


@pytest.mark.parametrize(("key", "dim"), CASES, ids=IDS)
def test_name_rebuilds_the_same_problem(key, dim):
    p = build(key, dim)
    q = get_problem(p.name)
    assert q == p and q.name == p.name
    np.testing.assert_array_equal(q.bounds, p.bounds)
    X = np.random.default_rng(2).uniform(p.bounds[:, 0], p.bounds[:, 1], size=(10, dim))
    np.testing.assert_array_equal(q.evaluate(X), p.evaluate(X))


# Values worked out by hand at points other than x*, to catch formula slips that leave
# f(x*) intact (a wrong constant far from the optimum, a sign in a cross term).
HAND_VALUES = [
    ("branin", {}, (0.0, 0.0), 56.0 - 1.25 / math.pi),
    ("six_hump_camel", {}, (1.0, 1.0), 4.0 - 2.1 + 1.0 / 3.0 + 1.0),
    ("goldstein_price", {}, (0.0, 0.0), 600.0),
    ("goldstein_price", {}, (1.0, 1.0), (1 + 9 * 3) * (30 + 1 * 37)),
    ("ackley", {}, (1.0, 1.0), 20.0 * (1.0 - math.exp(-0.2))),
    ("rosenbrock", {"dim": 3}, (0.0, 0.0, 0.0), 2.0),
    ("rosenbrock", {}, (-1.0, 1.0), 4.0),
    ("rastrigin", {}, (0.5, 0.0), 20.25),
    ("levy", {"dim": 3}, (1.0, 1.0, 5.0), 1.0),
    ("levy", {"dim": 1}, (3.0,), 1.25),
    ("griewank", {}, (math.pi, 0.0), math.pi**2 / 4000.0 + 2.0),
    ("styblinski_tang", {}, (1.0, 1.0), -10.0),
    ("michalewicz", {}, (math.pi / 2, math.pi / 2), -(1.0 + 2.0**-10)),
    ("powell", {}, (1.0, 1.0, 1.0, 1.0), 122.0),
    ("dixon_price", {}, (1.0, 1.0), 2.0),
    ("zakharov", {}, (1.0, 1.0), 2.0 + 1.5**2 + 1.5**4),
]


@pytest.mark.parametrize(("key", "kwargs", "x", "expected"), HAND_VALUES)
def test_values_worked_out_by_hand(key, kwargs, x, expected):
    p = get_problem(key, **kwargs)
    assert p.evaluate(np.array([x]))[0] == pytest.approx(expected, rel=1e-13, abs=1e-13)


@pytest.mark.parametrize(("key", "dim"), SHIFTED_CASES, ids=SHIFTED_IDS)
def test_shifted_domain_keeps_minimizers_inside_and_moves_off_centre(key, dim):
    base = build(key, dim)
    width = base.bounds[:, 1] - base.bounds[:, 0]
    lo, hi = SHIFT_FRACTION
    for seed in range(100):
        p = build(key, dim, shift=seed)
        fraction = (p.bounds[:, 0] - base.bounds[:, 0]) / width
        assert np.all((np.abs(fraction) >= lo - 1e-12) & (np.abs(fraction) <= hi + 1e-12))
        np.testing.assert_allclose(p.bounds[:, 1] - p.bounds[:, 0], width, rtol=1e-12)
        rel = (p.minimizers - p.bounds[:, 0]) / width
        assert np.all((rel >= SHIFT_MARGIN - 1e-12) & (rel <= 1 - SHIFT_MARGIN + 1e-12))
        centre = p.bounds.mean(axis=1)
        assert p.evaluate(centre[None, :])[0] > p.optimum + 1e-6
        assert p.optimum == base.optimum
        np.testing.assert_array_equal(p.minimizers, base.minimizers)


@pytest.mark.parametrize(("key", "dim"), SHIFTED_CASES, ids=SHIFTED_IDS)
def test_shift_is_reproducible_per_seed_and_differs_between_seeds(key, dim):
    a, b, c = build(key, dim, shift=7), build(key, dim, shift=7), build(key, dim, shift=8)
    np.testing.assert_array_equal(a.bounds, b.bounds)
    assert a == b and a.name == b.name
    assert not np.array_equal(a.bounds, c.bounds) and a != c
    assert a.name.endswith("shift=7")
    # The function itself does not move.
    X = np.random.default_rng(3).uniform(a.bounds[:, 0], a.bounds[:, 1], size=(10, dim))
    np.testing.assert_array_equal(a.evaluate(X), build(key, dim).evaluate(X))


def test_unshifted_centred_functions_do_have_x_star_at_the_centre():
    # The bias the shift removes: without it, the centre is optimal.
    for key in ("ackley", "rastrigin", "griewank"):
        p = get_problem(key, dim=3)
        assert p.evaluate(p.bounds.mean(axis=1)[None, :])[0] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("key", [cls.key for cls in FUNCTIONS if not cls.shiftable])
def test_functions_without_centre_bias_refuse_a_shift(key):
    with pytest.raises(ValueError, match="shift"):
        get_problem(key, shift=0)


@pytest.mark.parametrize(
    ("key", "kwargs", "message"),
    [
        ("ackley", {"dim": 0}, r"dim must be >= 1, got 0"),
        ("rosenbrock", {"dim": 1}, r"dim must be >= 2, got 1"),
        ("dixon_price", {"dim": -3}, r"dim must be >= 1"),
        ("powell", {"dim": 6}, r"dim must be a positive multiple of 4, got 6"),
        ("powell", {"dim": 0}, r"dim must be a positive multiple of 4"),
        ("michalewicz", {"dim": 3}, r"dim must be 2, 5 or 10"),
        ("branin", {"dim": 3}, r"dim must be 2 \(fixed size\), got 3"),
        ("hartmann6", {"dim": 3}, r"dim must be 6"),
        ("levy", {"dim": 2.5}, r"dim must be an integer"),
        ("levy", {"dim": True}, r"dim must be an integer"),
        ("ackley", {"shift": -1}, r"shift must be a non-negative seed"),
        ("ackley", {"shift": 1.5}, r"shift must be an integer"),
        ("ackley:shift=abc", {}, r"shift must be an integer"),
    ],
)
def test_bad_arguments_are_refused_naming_them(key, kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_problem(key, **kwargs)


def test_evaluate_refuses_a_wrong_shape():
    p = get_problem("hartmann3")
    with pytest.raises(ValueError, match=r"X must have shape \(n_points, 3\)"):
        p.evaluate(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="X must have shape"):
        p.evaluate(np.zeros(3))


def test_call_refuses_points_outside_the_domain_naming_the_parameter():
    p = get_problem("branin")
    with pytest.raises(ValueError, match="'x1'"):
        p({"x0": 0.0, "x1": -1.0})
    with pytest.raises(ValueError, match="'x1'"):
        p({"x0": 0.0})
    with pytest.raises(ValueError, match="'y'"):
        p({"x0": 0.0, "x1": 1.0, "y": 2.0})


def test_regret_uses_the_exact_optimum():
    p = get_problem("styblinski_tang", dim=3)
    assert p.optimum == -39.16616570377142 * 3
    assert p.regret(p.optimum + 0.5) == pytest.approx(0.5, abs=1e-12)


# Grids of k points per axis that contain x* (or, for Shekel, a point within 2e-4 of f*) on
# the reference domain, as the docstrings claim: the bias that ``shift`` removes.
GRID_HITS = {
    "ackley": 3,
    "rastrigin": 3,
    "griewank": 3,
    "zakharov": 4,
    "powell": 10,
    "rosenbrock": 6,
    "levy": 21,
    "goldstein_price": 5,
    "shekel5": 11,
    "shekel7": 11,
    "shekel10": 11,
}


def best_on_grid(p, k):
    axes = [np.array(axis) for axis in p.space.grid_axes(k)]
    X = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, p.dim)
    return p.evaluate(X).min()


@pytest.mark.parametrize(("key", "k"), GRID_HITS.items())
def test_small_grids_hit_x_star_unless_the_domain_is_shifted(key, k):
    p = get_problem(key)
    assert best_on_grid(p, k) - p.optimum <= 2e-4
    for seed in range(5):
        shifted = get_problem(key, shift=seed)
        assert best_on_grid(shifted, k) - p.optimum > 1e-6


@pytest.mark.parametrize("key", ["ackley", "rastrigin", "levy"])
@pytest.mark.parametrize("offset", [0.1, 0.25, 0.4])
def test_offset_moves_every_coordinate_by_exactly_that_fraction(key, offset):
    base = get_problem(key, dim=6)
    width = base.bounds[:, 1] - base.bounds[:, 0]
    for seed in range(20):
        p = get_problem(key, dim=6, shift=seed, offset=offset)
        moved = (p.bounds[:, 0] - base.bounds[:, 0]) / width
        np.testing.assert_allclose(np.abs(moved), offset, rtol=1e-12)
        rel = (p.minimizers - p.bounds[:, 0]) / width
        assert np.all((rel >= SHIFT_MARGIN - 1e-9) & (rel <= 1 - SHIFT_MARGIN + 1e-9))
        assert p.name == f"{key}:dim=6,shift={seed},offset={offset:g}"
        assert get_problem(p.name) == p  # the name rebuilds it
        assert p.evaluate(p.minimizers)[0] == pytest.approx(p.optimum, abs=1e-12)
    # The signs of the 10-30 % shift of the same seed (neither needs a flip at 0.1 here).
    drawn, exact = get_problem(key, dim=6, shift=3), get_problem(key, dim=6, shift=3, offset=0.1)
    np.testing.assert_array_equal(
        np.sign(drawn.bounds[:, 0] - base.bounds[:, 0]),
        np.sign(exact.bounds[:, 0] - base.bounds[:, 0]),
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shift": 0, "offset": 0.0}, r"offset must lie in \(0, 0.4\]"),
        ({"shift": 0, "offset": 0.45}, r"offset must lie in \(0, 0.4\]"),
        ({"shift": 0, "offset": "far"}, r"offset must be a number"),
        ({"offset": 0.2}, r"offset needs a shift"),
    ],
)
def test_bad_offsets_are_refused_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_problem("ackley", dim=3, **kwargs)
