import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpo import Categorical, Integer, Real, Space


# -- definitions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Real(1.0, 1.0), "low must be < high"),
        (lambda: Real(2.0, 1.0), "low must be < high"),
        (lambda: Real(0.0, 1.0, log=True), "log scale needs low > 0"),
        (lambda: Real(-1.0, 1.0, log=True), "log scale needs low > 0"),
        (lambda: Real(0.0, 1.0, logit=True), "logit scale needs"),
        (lambda: Real(-math.inf, 1.0), "finite"),
        (lambda: Real(0.0, math.nan), "finite"),
        (lambda: Real(1e-3, 1.0, log=True, logit=True), "at most one"),
        (lambda: Integer(5, 5), "low must be < high"),
        (lambda: Integer(0, 10, log=True), "log scale needs low > 0"),
        (lambda: Integer(0.5, 10), "low must be an integer"),
        (lambda: Integer(0, math.inf), "high must be an integer"),
        (lambda: Categorical([]), "must not be empty"),
        (lambda: Categorical(["a", "b", "a"]), "duplicate"),
        (lambda: Categorical([(1, 2), [1, 2]]), "duplicate"),
    ],
)
def test_invalid_parameter_is_refused_with_the_rule(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_non_numeric_bounds_are_a_type_error():
    with pytest.raises(TypeError, match="real numbers"):
        Real("0", 1)
    with pytest.raises(TypeError, match="list or tuple"):
        Categorical("abc")


def test_space_names_must_be_strings_and_values_parameters():
    with pytest.raises(ValueError, match="names must be non-empty strings, got 3"):
        Space({3: Real(0.0, 1.0)})
    with pytest.raises(TypeError, match="parameter 'x' must be a Real"):
        Space({"x": "0.0 to 1.0"})
    with pytest.raises(ValueError, match="at least one"):
        Space({})


def test_from_dict_names_the_parameter():
    with pytest.raises(ValueError, match="parameter 'lr': Real: log scale needs low > 0"):
        Space.from_dict({"lr": {"type": "real", "low": 0.0, "high": 1.0, "scale": "log"}})


def test_to_dict_from_dict_roundtrip_through_json(mixed_space):
    again = Space.from_dict(json.loads(json.dumps(mixed_space.to_dict())))
    assert again == mixed_space


# -- values and types --------------------------------------------------------------------
def test_sampled_values_are_python_types_inside_the_space(mixed_space, rng):
    for params in mixed_space.sample(rng, 200):
        assert type(params["learning_rate_init"]) is float
        assert type(params["max_iter"]) is int
        assert type(params["layers"]) is int
        assert type(params["hidden_layer_sizes"]) is tuple
        assert params["activation"] in ("relu", "tanh", None)
        assert mixed_space.contains(params)
        assert 1e-5 <= params["learning_rate_init"] <= 1e-1
        assert 100 <= params["max_iter"] <= 1000


def test_sampling_is_log_uniform_on_log_axes(rng):
    space = Space({"x": Real(1e-4, 1.0, log=True)})
    x = np.array([p["x"] for p in space.sample(rng, 20_000)])
    # each decade holds a quarter of the mass
    counts = np.histogram(np.log10(x), bins=[-4, -3, -2, -1, 0])[0] / len(x)
    assert np.allclose(counts, 0.25, atol=0.02)


def test_integers_and_choices_are_equally_likely(rng):
    space = Space({"n": Integer(1, 4), "c": Categorical(["a", "b", "c"])})
    draws = space.sample(rng, 30_000)
    n = np.bincount([p["n"] for p in draws])[1:] / len(draws)
    c = np.array([sum(p["c"] == k for p in draws) for k in "abc"]) / len(draws)
    assert np.allclose(n, 0.25, atol=0.015)
    assert np.allclose(c, 1 / 3, atol=0.015)


def test_validate_names_the_parameter_and_rule(mixed_space, rng):
    good = mixed_space.sample(rng)
    with pytest.raises(ValueError, match=r"parameter 'dropout' must lie in \[0.0, 0.5\]"):
        mixed_space.validate({**good, "dropout": 0.7})
    with pytest.raises(ValueError, match="parameter 'layers' must be an integer"):
        mixed_space.validate({**good, "layers": 2.5})
    with pytest.raises(ValueError, match="parameter 'activation' must be one of"):
        mixed_space.validate({**good, "activation": "gelu"})
    with pytest.raises(ValueError, match="parameter 'nope' is not in the space"):
        mixed_space.validate({**good, "nope": 1})
    missing = dict(good)
    del missing["momentum"]
    with pytest.raises(ValueError, match="parameter 'momentum' is missing"):
        mixed_space.validate(missing)
    with pytest.raises(ValueError, match="parameter 'learning_rate_init' must be finite"):
        mixed_space.validate({**good, "learning_rate_init": math.nan})


def test_validate_returns_canonical_python_values(mixed_space, rng):
    good = mixed_space.sample(rng)
    raw = {
        **good,
        "layers": np.int64(3),
        "max_iter": 200.0,
        "dropout": np.float32(0.25),
        "hidden_layer_sizes": [100, 100],  # as JSON gives it back
    }
    canon = mixed_space.validate(raw)
    assert type(canon["layers"]) is int and canon["layers"] == 3
    assert type(canon["max_iter"]) is int
    assert type(canon["dropout"]) is float
    assert canon["hidden_layer_sizes"] == (100, 100)


def test_bool_is_not_an_integer_choice():
    c = Categorical([1, 2])
    with pytest.raises(ValueError):
        c.canonical(True)


# -- unit cube round trips (property based) -----------------------------------------------
reals = st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(1e-3, 1e6), st.booleans()).map(
    lambda t: (
        Real(abs(t[0]) + 1e-3, abs(t[0]) + 1e-3 + t[1], log=True)
        if t[2]
        else Real(t[0], t[0] + t[1])
    )
)
integers = st.tuples(st.integers(-1000, 1000), st.integers(1, 5000), st.booleans()).map(
    lambda t: (
        Integer(abs(t[0]) + 1, abs(t[0]) + 1 + t[1], log=True)
        if t[2]
        else Integer(t[0], t[0] + t[1])
    )
)


@settings(max_examples=200, deadline=None)
@given(param=reals, u=st.floats(0.0, 1.0))
def test_real_roundtrip_within_1e12_relative(param, u):
    space = Space({"x": param})
    x = space.from_unit(np.array([u]))["x"]
    assert param.low <= x <= param.high
    again = space.from_unit(space.to_unit({"x": x}))["x"]
    assert again == pytest.approx(x, rel=1e-12, abs=1e-12 * max(abs(param.low), abs(param.high)))


@settings(max_examples=200, deadline=None)
@given(param=integers, u=st.floats(0.0, 1.0))
def test_integer_roundtrip_is_exact(param, u):
    space = Space({"n": param})
    n = space.from_unit(np.array([u]))["n"]
    assert type(n) is int and param.low <= n <= param.high
    assert space.from_unit(space.to_unit({"n": n}))["n"] == n


@settings(max_examples=100, deadline=None)
@given(value=st.integers(-1000, 1000), width=st.integers(1, 1000))
def test_every_integer_round_trips(value, width):
    p = Integer(value, value + width)
    space = Space({"n": p})
    for v in {value, value + width, value + width // 2}:
        assert space.from_unit(space.to_unit({"n": v}))["n"] == v


@settings(max_examples=100, deadline=None)
@given(
    choices=st.lists(
        st.one_of(st.integers(), st.text(max_size=5), st.none(), st.tuples(st.integers(1, 300))),
        min_size=1,
        max_size=8,
        unique_by=repr,
    ),
    u=st.floats(0.0, 1.0),
)
def test_categorical_roundtrip_is_exact(choices, u):
    try:
        param = Categorical(choices)
    except ValueError:  # equal under == (e.g. 1 and (1,) are not, but 0 and False are)
        return
    space = Space({"c": param})
    c = space.from_unit(np.array([u]))["c"]
    assert any(c is choice for choice in param.choices)
    assert space.from_unit(space.to_unit({"c": c}))["c"] is c


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_snap_is_idempotent_and_keeps_the_configuration(mixed_space, seed):
    U = np.random.default_rng(seed).random((20, mixed_space.dim))
    snapped = mixed_space.snap(U)
    assert np.array_equal(mixed_space.snap(snapped), snapped)
    assert mixed_space.from_unit_batch(snapped) == mixed_space.from_unit_batch(U)


# -- grids -------------------------------------------------------------------------------
def test_grid_values_per_axis():
    assert Real(0.0, 1.0).grid(3) == [0.0, 0.5, 1.0]
    assert Real(1e-5, 1e-1, log=True).grid(5) == pytest.approx([1e-5, 1e-4, 1e-3, 1e-2, 1e-1])
    assert Integer(1, 3).grid(10) == [1, 2, 3]
    assert Integer(100, 1000, log=True).grid(3) == [100, 316, 1000]
    assert Categorical("abc".split("b")).grid(1) == ["a", "c"]


def test_grid_is_the_full_factorial(mixed_space):
    grid = mixed_space.grid(2)
    assert len(grid) == mixed_space.grid_size(2) == 2 * 2 * 2 * 2 * 2 * 3 * 3
    assert len({json.dumps(g, sort_keys=True) for g in grid}) == len(grid)
    assert all(mixed_space.contains(g) for g in grid)


def test_grid_rejects_bad_resolution(mixed_space):
    with pytest.raises(ValueError, match=r"k \(points per axis\) must be a positive integer"):
        mixed_space.grid(0)


def test_n_configs_counts_finite_spaces_and_is_none_for_a_continuum():
    finite = Space({"k": Integer(1, 4), "c": Categorical(["a", None, (1, 2)])})
    assert finite.n_configs == 12 == len(finite.grid(4))
    assert Space({"k": Integer(1, 4), "x": Real(0.0, 1.0)}).n_configs is None


# -- bounds a float can represent (issue 14) -------------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Real(-1.7e308, 1.7e308), "high - low must be a finite float"),
        (lambda: Real(1.7e308, np.nextafter(1.7e308, np.inf), log=True), "too close"),
        (lambda: Integer(0, 10**20), r"high must lie within \+/-2\*\*53"),
        (lambda: Integer(-(2**53) - 1, 0), r"low must lie within \+/-2\*\*53"),
        (lambda: Integer(0, 1e300), "high must lie within"),
    ],
)
def test_bounds_a_float_cannot_represent_are_refused(make, message):
    """Issue 14: Real(-1.7e308, 1.7e308) sampled only 1.7e308 (random search's second ask
    never returned); Integer(0, 10**20) asked -9223372036854775808."""
    with pytest.raises(ValueError, match=message):
        make()


def test_the_widest_integer_range_decodes_inside_its_bounds():
    p = Integer(-(2**53), 2**53)
    values = p.decode(np.r_[0.0, 1.0, np.nextafter(1.0, 0.0), np.linspace(0, 1, 1001)])
    assert values.min() >= p.low and values.max() <= p.high
    assert values[0] == p.low and values[1] == p.high


_FINITE = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(a=_FINITE, b=_FINITE, u=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8))
def test_every_constructible_real_decodes_inside_and_round_trips(a, b, u):
    try:
        p = Real(min(a, b), max(a, b))
    except ValueError:
        return  # refused by a stated rule: equal bounds
    x = p.decode(np.array(u))
    assert np.all((p.low <= x) & (x <= p.high)) and np.all(np.isfinite(x))
    np.testing.assert_allclose(p.decode(p.encode(x)), x, rtol=1e-9, atol=1e-12 * (p.high - p.low))
    ends = p.decode(np.array([0.0, 1.0]))
    scale = max(abs(p.low), abs(p.high))  # t_low + 1 * (t_high - t_low) rounds at this scale
    np.testing.assert_allclose(ends, [p.low, p.high], rtol=0, atol=4e-16 * scale)


@settings(max_examples=200, deadline=None)
@given(a=st.floats(1e-300, 1e300), b=st.floats(1e-300, 1e300), u=st.lists(st.floats(0.0, 1.0)))
def test_every_constructible_log_real_encodes_finitely(a, b, u):
    try:
        p = Real(min(a, b), max(a, b), log=True)
    except ValueError:
        return
    x = p.decode(np.array(u, dtype=float))
    assert np.all((p.low <= x) & (x <= p.high))
    assert np.all(np.isfinite(p.encode([p.low, p.high, *x])))


@settings(max_examples=300, deadline=None)
@given(
    a=st.integers(-(2**53), 2**53),
    b=st.integers(-(2**53), 2**53),
    u=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8),
)
def test_every_constructible_integer_decodes_to_integers_inside(a, b, u):
    if a == b:
        return
    p = Integer(min(a, b), max(a, b))
    x = p.decode(np.array(u))
    assert np.all((p.low <= x) & (x <= p.high))
    # Values round-trip exactly while a unit coordinate resolves a bin of the range.
    if p.high - p.low < 2**40 and max(abs(p.low), abs(p.high)) < 2**45:
        assert np.array_equal(p.decode(p.encode(x)), x)
        assert p.decode(p.encode([p.low, p.high])).tolist() == [p.low, p.high]


# -- categorical choices (issue 14) ----------------------------------------------------------
def test_nan_choices_are_refused_at_construction():
    """Categorical([1.0, nan]) was accepted, and then its own asks were refused by tell."""
    for choices in ([1.0, math.nan], [(1, math.nan)], [np.float64("nan")]):
        with pytest.raises(ValueError, match="holds NaN"):
            Categorical(choices)


def test_numpy_array_choices_are_stored_as_tuples():
    """They failed with numpy's "truth value of an array is ambiguous"."""
    p = Categorical([np.array([1, 2]), np.array([3]), np.array([[1, 2], [3, 4]])])
    assert p.choices == ((1, 2), (3,), ((1, 2), (3, 4)))
    assert p.canonical(np.array([3])) == (3,) and type(p.choices[0][0]) is int
    space = Space({"c": p})
    params = space.sample(np.random.default_rng(0))
    assert space.validate(params) == params


# -- scikit-optimize's spellings (issue 15) -------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ((1, 10), Integer(1, 10)),
        ((np.int64(1), 10), Integer(1, 10)),
        ((0.0, 1.0), Real(0.0, 1.0)),
        ((1e-5, 1e-1, "log-uniform"), Real(1e-5, 1e-1, log=True)),
        ((1, 1000, "log-uniform"), Integer(1, 1000, log=True)),
        ((0.0, 1.0, "uniform"), Real(0.0, 1.0)),
        (["relu", "tanh"], Categorical(["relu", "tanh"])),
        ([1, 2, 3], Categorical([1, 2, 3])),
        ([(50,), (50, 50)], Categorical([(50,), (50, 50)])),
        ([True, False], Categorical([True, False])),
        (Real(1e-5, 1e-1, prior="log-uniform"), Real(1e-5, 1e-1, log=True)),
        (Integer(1, 100, prior="log-uniform"), Integer(1, 100, log=True)),
        (Real(0.0, 1.0, prior="uniform"), Real(0.0, 1.0)),
    ],
)
def test_skopt_spellings_mean_their_hpo_equivalents(spec, expected):
    assert Space({"x": spec})["x"] == expected


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        ((0, 1.0), r"Integer\(0, 1\) or Real\(0.0, 1.0\)"),
        ((1, 10.0, "log-uniform"), r"Integer\(1, 10, log=True\)"),
        (("a", "b"), r"Categorical\(\['a', 'b'\]\)"),
        ((1, 10, "normal"), r"Real\(1, 10, log=True\)"),
        ((1, 10.0), r"Integer\(1, 10\) or Real\(1.0, 10.0\)"),
        ((1, 2, 3, 4), r"Categorical\(\[1, 2, 3, 4\]\)"),
        ([1, 10], r"Integer\(1, 10\) for a range, Categorical\(\[1, 10\]\) for choices"),
        ([1e-5, 1e-1, "log-uniform"], r"Real\(1e-05, 0.1, log=True\) for a range"),
    ],
)
def test_ambiguous_spellings_are_refused_showing_the_hpo_spelling(spec, shown):
    with pytest.raises(ValueError, match=rf"parameter 'x': .*write {shown}"):
        Space({"x": spec})


def test_prior_must_be_skopts_and_agree_with_log():
    with pytest.raises(ValueError, match="prior must be 'uniform' or 'log-uniform'"):
        Real(1.0, 2.0, prior="normal")
    with pytest.raises(ValueError, match="contradicts"):
        Integer(1, 9, log=True, prior="uniform")
