"""Bayesian optimization on conditional spaces (issue 13): imputation plus activity indicators."""

import numpy as np
import pytest

from hpo import BayesianOptimization, Categorical, Integer, Real, Space
from hpo.optimizers._bo_search import FeatureMap
from hpo.problems import get_problem

N = 16  # 10 design points, then 6 model-based proposals


def run(space, objective, seed, n=N, **options):
    opt = BayesianOptimization(space, seed=seed, **options)
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, objective(params))
    return opt


def tree_space() -> Space:
    return Space(
        {
            "model": Categorical(["mlp", "svm", "forest"]),
            "solver": Categorical(["adam", "sgd"], when={"model": "mlp"}),
            "momentum": Real(0.0, 0.99, when={"solver": "sgd"}),
            "C": Real(1e-2, 1e2, log=True, when={"model": "svm"}),
            "depth": Integer(1, 3, when={"model": "forest"}),
            "trees": Integer(10, 200, log=True, when={"depth": [2, 3]}),
        }
    )


def test_jenatton_asks_exactly_the_active_parameters_and_valid_values():
    problem = get_problem("jenatton")
    opt = run(problem.space, problem, seed=0)
    model = [t for t in opt.trials if t.info.get("source") == "model"]
    assert model  # the GP proposed, not only the design
    for t in opt.trials:
        assert list(t.params) == problem.space.active_names(t.params)
        assert problem.space.validate(t.params) == t.params
    # several branches explored: the tree is searched, not one leaf
    assert len({(t.params["x1"], t.params.get("x2"), t.params.get("x3")) for t in opt.trials}) > 2


@pytest.mark.parametrize("conditional", ["leaf", "branch", "indicator", "impute"])
def test_reproducible_under_a_seed(conditional):
    problem = get_problem("jenatton")
    a = run(problem.space, problem, seed=3, n=13, conditional=conditional)
    b = run(problem.space, problem, seed=3, n=13, conditional=conditional)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_save_load_continues_identically(tmp_path):
    problem = get_problem("jenatton")
    opt = run(problem.space, problem, seed=1, n=12)
    opt.save(tmp_path / "bo.pkl")
    twin = BayesianOptimization.load(tmp_path / "bo.pkl")
    assert twin.conditional == "leaf"  # the default
    assert twin.ask() == opt.ask()


def test_feature_map_imputes_inactive_columns_and_adds_indicators():
    space = get_problem("jenatton").space
    fmap, impute = FeatureMap(space), FeatureMap(space, "impute")
    # one-hot x1, x2, x3 (2 each) + 6 reals; 8 conditional parameters (all but x1)
    assert impute.n_features == 12
    assert fmap.n_features == 12 + 8
    rng = np.random.default_rng(0)
    U = rng.random((50, space.dim))
    F = fmap(U)
    configs = space.from_unit_batch(U)
    # two points with the same configuration have the same features, whatever the
    # inactive columns hold
    np.testing.assert_array_equal(F, fmap(space.to_unit_batch(configs)))
    conditional = [n for n in space.names if n != "x1"]
    expected = np.array([[n in c for n in conditional] for c in configs], dtype=float)
    np.testing.assert_array_equal(F[:, -8:], expected)
    np.testing.assert_array_equal(impute(U), F[:, :12])
    # different branches differ in the indicators, not only in the one-hot of x1
    assert len({tuple(row) for row in expected}) == 4


def test_feature_map_activity_through_chains_and_integer_parents():
    space = tree_space()
    fmap = FeatureMap(space)
    configs = [
        {"model": "mlp", "solver": "sgd", "momentum": 0.5},
        {"model": "mlp", "solver": "adam"},
        {"model": "forest", "depth": 1},
        {"model": "forest", "depth": 3, "trees": 50},
        {"model": "svm", "C": 1.0},
    ]
    A = fmap.active(space.to_unit_batch(configs))
    for row, c in zip(A, configs):
        assert [n for n, a in zip(space.names, row) if a] == list(c)


def test_inactive_columns_do_not_move_the_features():
    """An inactive parameter's features are the imputed constant: a step in its column
    changes nothing (so the search's gradient in it, set to 0, is exact)."""
    space = get_problem("jenatton").space
    fmap = FeatureMap(space)
    u = space.to_unit({"x1": 0, "x2": 0, "x4": 0.3, "r8": 0.2})
    for j, name in enumerate(space.names):
        step = u.copy()
        step[j] = 0.9
        same = np.array_equal(fmap(step[None]), fmap(u[None]))
        assert same == (name in ("x5", "x6", "x7", "r9", "x3")), name


def test_tree_space_with_integer_parent_proposes_valid_configurations():
    space = tree_space()

    def objective(p):
        return {"mlp": 1.0, "svm": 0.5, "forest": 0.0}[p["model"]] + p.get("momentum", 0.0)

    opt = run(space, objective, seed=0, n=14)
    for t in opt.trials:
        assert list(t.params) == space.active_names(t.params)
        space.validate(t.params)


def test_finite_conditional_space_is_enumerated_without_duplicates():
    space = Space(
        {
            "a": Categorical(["x", "y"]),
            "b": Integer(1, 3, when={"a": "x"}),
            "c": Categorical([True, False], when={"a": "y"}),
        }
    )
    assert space.n_configs == 5
    opt = BayesianOptimization(space, seed=0, n_initial=2)
    seen = []
    for _ in range(5):
        p = opt.ask()
        seen.append(p)
        opt.tell(p, float(p.get("b", 0)))
    assert len({tuple(sorted(p.items())) for p in seen}) == 5


def test_bad_conditional_option_is_refused():
    with pytest.raises(ValueError, match="conditional"):
        BayesianOptimization(get_problem("jenatton").space, conditional="arc")


def test_flat_space_features_unchanged():
    space = Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b", "c"]), "k": Integer(1, 5)})
    fmap = FeatureMap(space)
    assert fmap.n_features == 5
    assert fmap.active(np.full((2, 3), 0.3)).all()
