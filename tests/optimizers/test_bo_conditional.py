"""The branch-by-branch acquisition search (hpo/optimizers/_bo_conditional.py)."""

import numpy as np
import pytest

from hpo import BayesianOptimization, Categorical, Integer, Real, Space
from hpo.optimizers._bo_conditional import (
    BranchMap,
    branch_focus,
    branches,
    maximize_by_branch,
)
from hpo.optimizers._bo_search import FeatureMap, maximize_acquisition
from hpo.problems import get_problem

from .conditional_fixtures import fitted, solver_like


def test_branches_are_the_leaves_of_the_tree():
    jenatton = branches(FeatureMap(get_problem("jenatton").space))
    space = get_problem("jenatton").space
    leaves = set()
    for fixed in jenatton:
        u = space._inactive_unit.copy()
        for j, v in fixed.items():
            u[j] = v
        c = space.from_unit(u)
        leaves.add((c["x1"], c.get("x2"), c.get("x3")))
    assert leaves == {(0, 0, None), (0, 1, None), (1, None, 0), (1, None, 1)}
    assert len(branches(FeatureMap(solver_like()))) == 3
    flat = Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b"])})
    assert branches(FeatureMap(flat)) == []


def test_integer_parents_are_searched_not_enumerated():
    space = Space({"k": Integer(1, 3), "x": Real(0.0, 1.0, when={"k": 2})})
    assert branches(FeatureMap(space)) == []


def test_branch_map_holds_its_parents_whatever_the_points_hold():
    space = solver_like()
    fmap = FeatureMap(space)
    for fixed in branches(fmap):
        view = BranchMap(fmap, fixed)
        U = np.random.default_rng(0).random((20, space.dim))
        held = U.copy()
        held[:, 0] = fixed[0]
        np.testing.assert_array_equal(view(U), fmap(held))
        np.testing.assert_array_equal(view.active(U), fmap.active(held))
        assert 0 not in view.discrete
        assert {space.from_unit(u)["solver"] for u in view.fix(U)} == {
            space.from_unit(held[0])["solver"]
        }


def test_every_branch_is_searched_and_maxima_ranked():
    space = solver_like()
    fmap, gp, acq, _ = fitted(space)
    X, v, _, raw_v = maximize_by_branch(gp, acq, fmap, np.random.default_rng(1), n_restarts=3)
    assert len(X) == 9  # three local maxima per branch
    assert sorted(space.from_unit(u)["solver"] for u in X) == sorted(["adam", "sgd", "lbfgs"] * 3)
    assert np.all(np.diff(v) <= 0) and np.all(np.diff(raw_v) <= 0)
    # the values are the acquisition of the returned points
    from hpo.gp.acquisition import acquisition_and_gradient

    again, _ = acquisition_and_gradient(gp, acq, fmap(X), False)
    np.testing.assert_allclose(again, v, rtol=1e-9, atol=1e-12)
    # no worse than the search over the whole tree
    _, whole, _, _ = maximize_acquisition(gp, acq, fmap, np.random.default_rng(1), n_restarts=3)
    assert v[0] >= whole[0] - 1e-9


def test_flat_space_is_the_whole_tree_search():
    space = Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b", "c"]), "k": Integer(1, 5)})
    fmap, gp, acq, _ = fitted(space)
    a = maximize_by_branch(gp, acq, fmap, np.random.default_rng(2))
    b = maximize_acquisition(gp, acq, fmap, np.random.default_rng(2))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("option", ["branch", "leaf"])
def test_flat_space_proposals_do_not_depend_on_the_option(option):
    space = Space({"x": Real(-2.0, 2.0), "c": Categorical(["a", "b"])})

    def f(p):
        return (p["x"] - 0.3) ** 2 + (p["c"] == "b")

    runs = []
    for conditional in (option, "indicator"):
        opt = BayesianOptimization(space, seed=4, conditional=conditional, n_initial=4)
        for _ in range(7):
            p = opt.ask()
            opt.tell(p, f(p))
        runs.append([(t.params, t.info) for t in opt.trials])
    assert runs[0] == runs[1]


def test_branch_search_on_jenatton_is_valid_and_reproducible():
    problem = get_problem("jenatton")

    def run():
        opt = BayesianOptimization(problem.space, seed=5, conditional="branch")
        for _ in range(13):
            p = opt.ask()
            assert list(p) == problem.space.active_names(p)
            opt.tell(p, problem(p))
        return [t.params for t in opt.trials]

    assert run() == run()


def test_unknown_conditional_option_names_the_choices():
    with pytest.raises(ValueError, match=r"conditional must be one of .*branch"):
        BayesianOptimization(solver_like(), conditional="arc")


def test_focus_searches_only_the_branch_of_the_given_point():
    space = solver_like()
    fmap, gp, acq, _ = fitted(space)
    point = space.to_unit({"solver": "lbfgs", "alpha": 0.01})
    X, _, raw, _ = maximize_by_branch(
        gp, acq, fmap, np.random.default_rng(1), n_restarts=3, focus=point
    )
    assert {space.from_unit(u)["solver"] for u in np.vstack([X, raw])} == {"lbfgs"}


def test_every_other_model_proposal_stays_in_the_incumbents_branch():
    problem = get_problem("jenatton")
    opt = BayesianOptimization(problem.space, seed=2, conditional="branch", n_initial=5)
    for _ in range(11):
        focus = branch_focus(opt)
        incumbent = opt.best.params if opt.best is not None else None
        p = opt.ask()
        if opt.trials[-1].info.get("source") == "model" and focus is not None:
            leaf = {k: incumbent.get(k) for k in ("x1", "x2", "x3")}
            assert {k: p.get(k) for k in ("x1", "x2", "x3")} == leaf
        opt.tell(p, problem(p))
    n_model = sum(t.info.get("source") == "model" for t in opt.trials)
    assert n_model == 6
    assert branch_focus(opt) is None and branch_focus(opt, position=1) is not None
