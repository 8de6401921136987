"""One GP per leaf of a conditional space's tree (hpo/optimizers/_bo_leaves.py)."""

import numpy as np
import pytest

from hpo import BayesianOptimization, Categorical, Integer, Real, Space
from hpo.gp.acquisition import acquisition_and_gradient, make_acquisition
from hpo.gp.config import GPConfig
from hpo.gp.regression import GaussianProcess
from hpo.optimizers._bo_conditional import branches
from hpo.optimizers._bo_leaves import (
    MIN_LEAF,
    LeafMap,
    _common_units,
    interleaved,
    maximize_by_leaf,
    random_proposal,
    supports_leaves,
)
from hpo.optimizers._bo_search import FeatureMap, maximize_acquisition
from hpo.optimizers.base import config_key
from hpo.problems import get_problem

from .conditional_fixtures import fitted, solver_like


def units(gp):
    return gp._standardization.std, float(gp._standardization.inverse(0.0))


def leaf_options(**kw):
    return dict(config=GPConfig(), deterministic=False, acquisition_name="logei", **kw)


def test_leaf_features_are_the_active_unfixed_parameters_only():
    space = solver_like(units=True)
    fmap = FeatureMap(space)
    names = {}
    for fixed in branches(fmap):
        view = LeafMap(fmap, fixed)
        solver = space.from_unit(view.fix(space._inactive_unit)[0])["solver"]
        names[solver] = [space.names[j] for j in sorted([*view.real, *view.discrete])]
        U = np.random.default_rng(1).random((30, space.dim))
        F = view(U)
        assert F.shape == (30, view.n_features)
        # the leaf's features are the whole-tree features of its columns, parents held
        np.testing.assert_array_equal(F, fmap(view.fix(U))[:, view.columns])
        assert 0 not in view.discrete  # the parent is fixed, not searched
    assert names == {
        "adam": ["alpha", "lr", "beta"],
        "sgd": ["alpha", "lr", "momentum"],
        "lbfgs": ["alpha", "units"],
    }


def test_rows_are_assigned_to_the_leaf_of_their_point():
    space = solver_like(units=True)
    fmap, gp, _, U = fitted(space, n=24)
    solvers = np.array([space.from_unit(u)["solver"] for u in U])
    seen = np.zeros(len(U), dtype=int)
    for fixed in branches(fmap):
        view = LeafMap(fmap, fixed)
        rows = view.members(gp.X_train)
        solver = space.from_unit(view.fix(space._inactive_unit)[0])["solver"]
        np.testing.assert_array_equal(rows, solvers == solver)
        seen += rows
    assert np.all(seen == 1)


def test_common_units_undo_the_standardization():
    rng = np.random.default_rng(3)
    X = rng.random((15, 2))
    y = 40.0 + 7.0 * np.sin(5 * X[:, 0])
    gp = GaussianProcess().fit(X, y, rng=rng)
    best = float(np.min(y))
    Z = rng.random((9, 2))
    mu, var = gp.predict(Z, return_var=True)  # original units
    sd = np.sqrt(var)
    ei = make_acquisition("ei", float(gp.standardize_y(best)))
    logei = make_acquisition("logei", float(gp.standardize_y(best)))
    lcb = make_acquisition("lcb", 0.0)
    a_ei, _ = acquisition_and_gradient(gp, ei, Z, False)
    a_log, _ = acquisition_and_gradient(gp, logei, Z, False)
    a_lcb, _ = acquisition_and_gradient(gp, lcb, Z, False)
    # EI in original units, from its definition (Jones et al. 1998, eq. 15)
    from scipy.stats import norm

    z = (best - mu) / sd
    direct = (best - mu) * norm.cdf(z) + sd * norm.pdf(z)
    np.testing.assert_allclose(_common_units("ei", a_ei, *units(gp)), direct, rtol=1e-6, atol=1e-12)
    keep = direct > 1e-8
    np.testing.assert_allclose(
        _common_units("logei", a_log, *units(gp))[keep], np.log(direct[keep]), rtol=1e-6, atol=1e-8
    )
    np.testing.assert_allclose(_common_units("lcb", a_lcb, *units(gp)), 2.0 * sd - mu, rtol=1e-8)


def test_every_leaf_is_searched_and_maxima_ranked():
    space = solver_like(units=True)
    fmap, gp, acq, _ = fitted(space, n=24)
    X, v, raw, raw_v = maximize_by_leaf(
        gp, acq, fmap, np.random.default_rng(1), n_restarts=3, **leaf_options()
    )
    assert sorted(space.from_unit(u)["solver"] for u in X) == sorted(["adam", "sgd", "lbfgs"] * 3)
    assert np.all(np.diff(v) <= 0) and np.all(np.diff(raw_v) <= 0)
    assert len(raw) == len(raw_v) > len(X)
    again = maximize_by_leaf(
        gp, acq, fmap, np.random.default_rng(1), n_restarts=3, **leaf_options()
    )
    np.testing.assert_array_equal(again[0], X)


def test_a_leaf_with_few_rows_is_searched_with_the_whole_tree_gp():
    space = solver_like(units=True)
    fmap = FeatureMap(space)
    rng = np.random.default_rng(4)
    U = space.snap(rng.random((20, space.dim)))
    U[:, 0] = np.where(np.arange(20) < MIN_LEAF - 1, 5 / 6, 1 / 6)  # lbfgs: 3 rows, adam
    y = np.sin(7 * U[:, 1]) + U[:, 0]
    gp = GaussianProcess().fit(fmap(U), y, rng=rng)
    acq = make_acquisition("logei", float(np.min(gp.standardize_y(gp.y_train))))
    X, v, _, _ = maximize_by_leaf(gp, acq, fmap, np.random.default_rng(1), **leaf_options())
    lbfgs = np.array([space.from_unit(u)["solver"] == "lbfgs" for u in X])
    assert lbfgs.any()
    # the lbfgs maxima are the whole-tree GP's acquisition, in the values' units
    a, _ = acquisition_and_gradient(gp, acq, fmap(X[lbfgs]), False)
    np.testing.assert_allclose(v[lbfgs], _common_units("logei", a, *units(gp)), rtol=1e-9)


@pytest.mark.parametrize(
    "space",
    [
        Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b", "c"]), "k": Integer(1, 5)}),
        Space({"k": Integer(1, 3), "x": Real(0.0, 1.0, when={"k": 2})}),  # integer parent
    ],
)
def test_spaces_without_categorical_leaves_are_searched_whole(space):
    fmap, gp, acq, _ = fitted(space, n=10)
    assert not (supports_leaves(fmap) and branches(fmap))
    a = maximize_by_leaf(gp, acq, fmap, np.random.default_rng(2), **leaf_options())
    b = maximize_acquisition(gp, acq, fmap, np.random.default_rng(2))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_leaf_gps_on_jenatton_are_valid_reproducible_and_find_the_optimum():
    problem = get_problem("jenatton")

    def run():
        opt = BayesianOptimization(problem.space, seed=0, conditional="leaf")
        for _ in range(25):
            p = opt.ask()
            assert list(p) == problem.space.active_names(p)
            opt.tell(p, problem(p))
        return opt

    a, b = run(), run()
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    sources = [t.info.get("source") for t in a.trials[10:]]  # after the design
    assert sources == ["model", "random"] * 7 + ["model"]  # RANDOM_EVERY = 2
    assert a.best.value < 0.1 + 1e-3  # f* = 0.1


def test_interleaving_counts_the_batch_and_skips_spaces_without_leaves():
    problem = get_problem("jenatton")
    opt = BayesianOptimization(problem.space, seed=1, n_initial=5)
    for _ in range(6):
        p = opt.ask()
        opt.tell(p, problem(p))
    # one model-based trial so far: the next is random, the one after it (in a batch) not
    assert interleaved(opt) and not interleaved(opt, position=1)
    batch = opt.ask(4)
    assert [opt.trials[-4 + i].info["source"] for i in range(4)] == ["random", "model"] * 2
    assert len({tuple(sorted(p.items())) for p in batch}) == 4
    flat = BayesianOptimization(Space({"x": Real(0.0, 1.0)}), seed=0)
    assert not interleaved(flat) and not interleaved(flat, position=1)
    integer_parent = Space({"k": Integer(1, 3), "x": Real(0.0, 1.0, when={"k": 2})})
    assert not interleaved(BayesianOptimization(integer_parent, seed=0), position=1)


def test_random_proposals_are_new_valid_configurations():
    problem = get_problem("jenatton")
    opt = BayesianOptimization(problem.space, seed=3)
    seen = set()
    for _ in range(20):
        params, info = random_proposal(opt, seen)
        assert info == {"source": "random"}
        assert problem.space.validate(params) == params
        key = config_key(params)
        assert key not in seen
        seen.add(key)
