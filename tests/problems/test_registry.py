"""The problem registry: names, specs that rebuild a problem, and errors that name the culprit."""

import numpy as np
import pytest

import hpo.problems as problems
from hpo.problems import (
    Problem,
    dixon_szego,
    get_problem,
    list_problems,
    parse_spec,
    register_problem,
    scalable,
)

SYNTHETIC = {
    "ackley": 2,
    "branin": 2,
    "dixon_price": 2,
    "goldstein_price": 2,
    "griewank": 2,
    "hartmann3": 3,
    "hartmann6": 6,
    "levy": 2,
    "michalewicz": 2,
    "powell": 4,
    "rastrigin": 2,
    "rosenbrock": 2,
    "shekel10": 4,
    "shekel5": 4,
    "shekel7": 4,
    "six_hump_camel": 2,
    "styblinski_tang": 2,
    "zakharov": 2,
}


@pytest.fixture
def private_registry(monkeypatch):
    """A copy of the registry, so tests may register without leaking into others."""
    problems.list_problems()  # load the built-in problems first
    monkeypatch.setattr(problems, "_REGISTRY", dict(problems._REGISTRY))


def test_every_synthetic_function_is_listed_with_its_default_dimension():
    names = list_problems()
    assert names == sorted(names)
    assert set(SYNTHETIC) <= set(names)
    for name, dim in SYNTHETIC.items():
        p = get_problem(name)
        assert isinstance(p, Problem) and p.dim == dim and p.name == name


def test_each_catalogue_class_is_registered_under_its_key():
    for cls in dixon_szego.FUNCTIONS + scalable.FUNCTIONS:
        assert type(get_problem(cls.key)) is cls


def test_name_is_a_canonical_spec_that_rebuilds_the_problem():
    p = get_problem("ackley", dim=5, shift=0)
    assert p.name == "ackley:dim=5,shift=0"
    q = get_problem(p.name)
    assert q == p
    np.testing.assert_array_equal(q.bounds, p.bounds)
    X = np.random.default_rng(0).uniform(p.bounds[:, 0], p.bounds[:, 1], size=(8, 5))
    np.testing.assert_array_equal(q.evaluate(X), p.evaluate(X))


@pytest.mark.parametrize(
    ("spec", "kwargs", "name"),
    [
        ("ackley", {"dim": 2}, "ackley"),  # arguments at their default are left out
        ("powell", {"dim": 4}, "powell"),
        ("branin", {"dim": 2}, "branin"),
        ("rastrigin:shift=3,dim=5", {}, "rastrigin:dim=5,shift=3"),  # fixed key order
        (" levy : dim = 3 ", {}, "levy:dim=3"),
        ("ackley:dim=5", {"shift": 1}, "ackley:dim=5,shift=1"),  # spec and kwargs merge
        ("ackley:dim=5", {"dim": 3}, "ackley:dim=3"),  # kwargs win
        ("goldstein_price", {"shift": 4}, "goldstein_price:shift=4"),
        ("shekel7:shift=2", {}, "shekel7:shift=2"),
    ],
)
def test_names_leave_out_defaults_and_keep_one_key_order(spec, kwargs, name):
    assert get_problem(spec, **kwargs).name == name


def test_parse_spec_reads_python_literals():
    assert parse_spec("ackley") == ("ackley", {})
    assert parse_spec("ackley:dim=5,shift=None") == ("ackley", {"dim": 5, "shift": None})
    assert parse_spec("mlp:dataset=iris,lr=1e-3") == ("mlp", {"dataset": "iris", "lr": 1e-3})
    with pytest.raises(ValueError, match="expected key=value, got 'dim'"):
        parse_spec("ackley:dim")


def test_unknown_names_and_arguments_are_refused_naming_them():
    with pytest.raises(ValueError, match=r"unknown name 'akley'.*'ackley'"):
        get_problem("akley")
    with pytest.raises(ValueError, match=r"problem 'ackley'.*'foo'"):
        get_problem("ackley", foo=1)
    with pytest.raises(ValueError, match=r"problem 'branin'.*'m'"):
        get_problem("branin:m=3")


@pytest.mark.usefixtures("private_registry")
def test_register_problem_checks_the_name_and_refuses_to_overwrite():
    class Constant(Problem):
        name = "constant"

        def __call__(self, params):
            return 1.0

    register_problem("constant", Constant)
    register_problem("constant", Constant)  # the same factory again is harmless
    assert "constant" in list_problems()
    assert isinstance(get_problem("constant"), Constant)
    with pytest.raises(ValueError, match="'constant' is already registered"):
        register_problem("constant", lambda: Constant())
    for bad in ("", "a:b", "a,b", "a=b", "two words", "Ackley", 3):
        with pytest.raises(ValueError, match="snake_case identifier"):
            register_problem(bad, Constant)


def test_regret_is_value_minus_optimum_or_none():
    assert get_problem("branin").regret(1.0) == pytest.approx(1.0 - 5 / (4 * np.pi), rel=1e-15)
    assert Problem().regret(1.0) is None


# -- the catalogue (issue 14) ---------------------------------------------------------------
def test_every_problem_of_every_catalogue_module_is_listed():
    from hpo.problems import mlp

    names = set(list_problems())
    for module in (dixon_szego, scalable, mlp):
        assert module.__name__ in problems.CATALOGUE
        assert set(module.PROBLEMS) <= names
    assert set(mlp.PROBLEM_NAMES) <= names


@pytest.fixture
def fresh_catalogue(monkeypatch):
    monkeypatch.setattr(problems, "_REGISTRY", {})
    monkeypatch.setattr(problems, "_LOADED", False)


@pytest.mark.usefixtures("fresh_catalogue")
def test_a_module_of_the_catalogue_that_fails_to_import_is_an_error_naming_it(monkeypatch):
    """It used to vanish silently behind `except ImportError: pass`."""
    monkeypatch.setattr(problems, "CATALOGUE", (*problems.CATALOGUE, "hpo.problems.no_such"))
    with pytest.raises(ImportError, match=r"CATALOGUE lists 'hpo\.problems\.no_such'"):
        list_problems()
    with pytest.raises(ImportError, match="no_such"):
        get_problem("branin")


@pytest.mark.usefixtures("fresh_catalogue")
def test_a_catalogue_module_without_problems_is_refused(monkeypatch):
    monkeypatch.setattr(problems, "CATALOGUE", ("hpo.problems.base",))
    with pytest.raises(TypeError, match=r"hpo\.problems\.base: PROBLEMS must be a dict"):
        list_problems()


@pytest.mark.usefixtures("private_registry")
def test_users_cannot_shadow_a_built_in_problem():
    with pytest.raises(ValueError, match="'branin' is already registered"):
        register_problem("branin", Problem)
