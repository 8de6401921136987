"""Conditional search spaces (issue 13): construction, active sets, validation, round trips."""

import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hpo import Categorical, Integer, Real, Space
from hpo.optimizers.persistence import restricted_load


def solver_space() -> Space:
    return Space(
        {
            "solver": Categorical(["adam", "sgd", "lbfgs"]),
            "momentum": Real(0.0, 0.99, when={"solver": "sgd"}),
            "nesterov": Categorical([True, False], when={"solver": "sgd"}),
            "beta_1": Real(0.8, 0.999, when={"solver": "adam"}),
            "lr": Real(1e-5, 1e-1, log=True, when={"solver": ["adam", "sgd"]}),
            "layers": Integer(1, 3),
            "width2": Integer(8, 64, log=True, when={"layers": [2, 3]}),
            "width3": Integer(8, 64, when={"layers": 3, "solver": "adam"}),
            "dampening": Real(0.0, 0.5, when={"nesterov": False}),  # a chain: sgd, then False
        }
    )


# -- construction ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"a": Real(0.0, 1.0, when={"b": 1})}, "unknown parent 'b'"),
        ({"a": Categorical([0, 1], when={"a": 1})}, "depend on itself"),
        (
            {"a": Categorical([0, 1], when={"b": 1}), "b": Categorical([0, 1], when={"a": 0})},
            "cycle: 'a' -> 'b' -> 'a'|cycle: 'b' -> 'a' -> 'b'",
        ),
        ({"a": Real(0.0, 1.0), "b": Real(0.0, 1.0, when={"a": 0.5})}, "'a' must be a Categorical"),
        (
            {"a": Categorical(["x", "y"]), "b": Real(0.0, 1.0, when={"a": "z"})},
            "'z' is not a value",
        ),
        ({"a": Integer(1, 3), "b": Real(0.0, 1.0, when={"a": [2, 4]})}, "4 is not a value"),
        ({"a": Integer(1, 3), "b": Real(0.0, 1.0, when={"a": 1.5})}, "1.5 is not a value"),
    ],
)
def test_bad_conditions_are_refused_naming_them(params, message):
    with pytest.raises(ValueError, match=message) as err:
        Space(params)
    assert "'a'" in str(err.value) or "'b'" in str(err.value)


def test_a_longer_cycle_is_named_in_full():
    with pytest.raises(ValueError, match="cycle") as err:
        Space(
            {
                "a": Categorical([0, 1], when={"c": 0}),
                "b": Categorical([0, 1], when={"a": 0}),
                "c": Categorical([0, 1], when={"b": 0}),
            }
        )
    assert all(f"'{n}'" in str(err.value) for n in "abc")


@pytest.mark.parametrize("when", [{}, "solver", {"": 1}, {"solver": []}])
def test_malformed_when_is_refused(when):
    with pytest.raises((TypeError, ValueError), match="when"):
        Real(0.0, 1.0, when=when)


def test_repr_shows_conditions_and_flat_repr_is_unchanged():
    space = solver_space()
    assert "Real(0.0, 0.99, when={'solver': 'sgd'})" in repr(space)
    assert "when={'solver': ['adam', 'sgd']}" in repr(space)
    assert "when={'layers': 3, 'solver': 'adam'}" in repr(space)
    assert repr(Space({"x": Real(0.0, 1.0)})) == "Space({'x': Real(0.0, 1.0)})"
    assert not Space({"x": Real(0.0, 1.0)}).is_conditional and space.is_conditional


def test_conditions_take_part_in_equality():
    assert Real(0.0, 1.0, when={"a": 1}) != Real(0.0, 1.0)
    assert Categorical([0, 1], when={"a": 1}) != Categorical([0, 1])
    assert Categorical([0, 1], when={"a": 1}) == Categorical([0, 1], when={"a": [1]})


# -- active sets ------------------------------------------------------------------------------
def test_active_names_follow_parents_and_chains():
    space = solver_space()
    assert space.active_names({"solver": "lbfgs", "layers": 1}) == ["solver", "layers"]
    full = {n: None for n in space.names} | {"solver": "sgd", "nesterov": False, "layers": 3}
    assert space.active_names(full) == [
        "solver",
        "momentum",
        "nesterov",
        "lr",
        "layers",
        "width2",
        "dampening",
    ]
    full |= {"solver": "adam"}  # nesterov inactive, so its child dampening is too
    assert space.active_names(full) == ["solver", "beta_1", "lr", "layers", "width2", "width3"]
    assert space.active(full) == {k: full[k] for k in space.active_names(full)}


def test_validate_requires_exactly_the_active_set():
    space = solver_space()
    ok = {"solver": "sgd", "momentum": 0.9, "nesterov": True, "lr": 0.01, "layers": 1}
    assert space.validate(ok) == ok
    with pytest.raises(ValueError, match=r"'momentum' is missing.*solver == 'sgd'"):
        space.validate({k: v for k, v in ok.items() if k != "momentum"})
    with pytest.raises(ValueError, match=r"'beta_1' is inactive.*solver == 'adam'"):
        space.validate(ok | {"beta_1": 0.9})
    with pytest.raises(ValueError, match="'dampening' is missing"):
        space.validate(ok | {"nesterov": False})
    with pytest.raises(ValueError, match=r"'width2' is inactive.*layers in \[2, 3\]"):
        space.validate(ok | {"width2": 16})
    with pytest.raises(ValueError, match="'momentum' must lie in"):
        space.validate(ok | {"momentum": 2.0})
    assert space.validate(ok | {"layers": np.int64(2), "width2": 8.0})["width2"] == 8


# -- the unit cube, sampling and grids ---------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(u=st.lists(st.floats(0.0, 1.0), min_size=9, max_size=9))
def test_decoding_gives_valid_configurations_that_round_trip(u):
    space = solver_space()
    params = space.from_unit(np.array(u))
    assert space.validate(params) == params
    assert list(params) == space.active_names(params)
    U = space.to_unit(params)
    assert U.shape == (space.dim,)
    assert space.from_unit(U) == params
    # Inactive columns hold the canonical coordinate, active ones agree with u after snapping.
    inactive = [j for j, n in enumerate(space.names) if n not in params]
    np.testing.assert_array_equal(U[inactive], space.snap(np.full(space.dim, 0.5))[inactive])


def test_sampling_never_returns_inactive_parameters_and_covers_the_branches():
    space = solver_space()
    configs = space.sample(np.random.default_rng(0), 300)
    assert all(space.validate(c) == c for c in configs)
    assert {c["solver"] for c in configs} == {"adam", "sgd", "lbfgs"}
    assert any("dampening" in c for c in configs) and any("width3" in c for c in configs)


def test_the_grid_enumerates_the_tree_without_duplicates():
    space = Space(
        {
            "a": Categorical(["x", "y", "z"]),
            "b": Integer(1, 3, when={"a": ["x", "y"]}),
            "c": Categorical([0, 1], when={"b": 2}),
            "r": Real(0.0, 1.0, when={"a": "z"}),
        }
    )
    grid = space.grid(4)
    keys = [json.dumps(g, sort_keys=True) for g in grid]
    assert len(set(keys)) == len(grid) == space.grid_size(4) == 2 * (1 + 2 + 1) + 4
    assert all(space.validate(g) == g for g in grid)
    finite = Space({k: p for k, p in space.items() if k != "r"})
    assert finite.n_configs == len(finite.grid(3)) == 2 * 4 + 1


# -- serialization ----------------------------------------------------------------------------
def test_to_dict_round_trips_through_json_with_conditions():
    space = solver_space()
    again = Space.from_dict(json.loads(json.dumps(space.to_dict())))
    assert again == space and repr(again) == repr(space)
    assert space.to_dict()["momentum"]["when"] == {"solver": ["sgd"]}
    tuples = Space(
        {"h": Categorical([(100,), (100, 100)]), "d": Real(0.0, 1.0, when={"h": (100, 100)})}
    )
    assert Space.from_dict(json.loads(json.dumps(tuples.to_dict()))) == tuples


def test_a_conditional_space_loads_through_the_restricted_unpickler():
    space = solver_space()
    again = restricted_load(pickle.dumps(space))
    assert again == space and again.is_conditional
    params = {"solver": "lbfgs", "layers": 1}
    assert again.validate(params) == params


@st.composite
def conditional_spaces(draw) -> Space:
    """Random forests of conditions: each parameter may depend on an earlier discrete one
    (sometimes on two: both must hold), on one or several of its values."""
    params: dict = {}
    for i in range(draw(st.integers(2, 6))):
        discrete = [n for n, p in params.items() if p.kind != "real"]
        when = None
        if discrete and draw(st.booleans()):
            parents = draw(st.lists(st.sampled_from(discrete), min_size=1, max_size=2, unique=True))
            when = {}
            for q in parents:
                values = params[q].grid(10)
                picked = draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
                when[q] = picked if len(picked) > 1 else picked[0]
        kind = draw(st.sampled_from(["real", "integer", "categorical"]))
        if kind == "real":
            params[f"p{i}"] = Real(0.0, 1.0, when=when)
        elif kind == "integer":
            params[f"p{i}"] = Integer(0, draw(st.integers(1, 3)), when=when)
        else:
            params[f"p{i}"] = Categorical(["a", "b", "c"][: draw(st.integers(2, 3))], when=when)
    return Space(params)


@settings(max_examples=60, deadline=None)
@given(space=conditional_spaces(), seed=st.integers(0, 2**16))
def test_random_trees_round_trip_and_grid_without_duplicates(space, seed):
    assert Space.from_dict(json.loads(json.dumps(space.to_dict()))) == space
    for params in space.sample(np.random.default_rng(seed), 20):
        assert space.validate(params) == params
        assert space.from_unit(space.to_unit(params)) == params
    grid = space.grid(2)
    assert len(grid) == space.grid_size(2)
    assert len({json.dumps(g, sort_keys=True) for g in grid}) == len(grid)
    assert all(space.validate(g) == g for g in grid)
    if space.n_configs is not None:
        assert space.n_configs == len(space.grid(4))
