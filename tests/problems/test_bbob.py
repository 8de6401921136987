"""The BBOB functions of hpo/problems/bbob.py: optimum, instances, transformations, and the
same formulas as the BBOB 2009 reference code (``cma.bbobbenchmarks``, Hansen, Ros & Finck),
fed the same random matrices."""

import numpy as np
import pytest

from hpo.problems import get_problem, list_problems
from hpo.problems.bbob import (
    FUNCTIONS,
    BBOBFunction,
    lambda_alpha,
    random_rotation,
    t_asy,
    t_osz,
)

DIMS = (2, 3, 7)
IDS = [cls.key for cls in FUNCTIONS]


def points(d, n=500, seed=0):
    return np.random.default_rng(seed).uniform(-5.0, 5.0, size=(n, d))


@pytest.mark.parametrize("cls", FUNCTIONS, ids=IDS)
@pytest.mark.parametrize("dim", DIMS)
def test_f_opt_at_x_opt_and_above_it_elsewhere(cls, dim):
    for instance in (1, 2, 17):
        p = cls(dim=dim, instance=instance)
        assert p.minimizers.shape == (1, dim)
        np.testing.assert_array_equal(p.minimizers[0], p.x_opt)
        assert np.all(np.abs(p.x_opt) <= 5.0)  # inside the search box
        assert abs(p.evaluate(p.minimizers)[0] - p.optimum) <= 1e-12
        assert p(dict(zip(p.space.names, p.x_opt.tolist()))) == pytest.approx(p.optimum, abs=1e-12)
        values = p.evaluate(points(dim, seed=instance))
        assert np.all(values > p.optimum)
        # small moves away from x_opt never go below f_opt either
        near = p.x_opt + 1e-3 * np.random.default_rng(instance).standard_normal((200, dim))
        assert np.all(p.evaluate(near) >= p.optimum - 1e-12)


@pytest.mark.parametrize("cls", FUNCTIONS, ids=IDS)
def test_instances_are_seeded_and_differ(cls):
    a, b, c = cls(dim=4, instance=5), cls(dim=4, instance=5), cls(dim=4, instance=6)
    X = points(4, n=20)
    np.testing.assert_array_equal(a.evaluate(X), b.evaluate(X))
    assert a.optimum == b.optimum and np.array_equal(a.x_opt, b.x_opt)
    assert not np.array_equal(a.x_opt, c.x_opt)
    assert not np.allclose(a.evaluate(X) - a.optimum, c.evaluate(X) - c.optimum)


@pytest.mark.parametrize("cls", FUNCTIONS, ids=IDS)
def test_registered_under_its_key_with_a_spec_that_rebuilds_it(cls):
    assert cls.key in list_problems()
    p = get_problem(f"{cls.key}:dim=5,instance=3")
    assert type(p) is cls and p.name == f"{cls.key}:dim=5,instance=3"
    assert get_problem(p.name) == p
    assert get_problem(cls.key).name == cls.key  # dim 2, instance 0
    assert get_problem(f"{cls.key}:instance=1").name == f"{cls.key}:instance=1"
    assert p.space.names == tuple(f"x{i}" for i in range(5))
    np.testing.assert_array_equal(p.bounds, np.tile([-5.0, 5.0], (5, 1)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dim": 1}, "dim must be >= 2"),
        ({"dim": 2.5}, "dim must be an integer"),
        ({"instance": -1}, "instance must be a non-negative seed"),
        ({"instance": "a"}, "instance must be an integer"),
        ({"instance": True}, "instance must be an integer"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        get_problem("bbob_discus", **kwargs)


def test_f_opt_is_drawn_as_in_coco():
    f_opts = np.array([cls(dim=3, instance=i).optimum for cls in FUNCTIONS for i in range(40)])
    assert np.all(np.abs(f_opts) <= 1000.0)
    np.testing.assert_allclose(f_opts, np.round(f_opts, 2), rtol=0, atol=1e-9)
    assert 0.3 < np.mean(f_opts > 0) < 0.7 and np.median(np.abs(f_opts)) > 10.0


# -- transformations ------------------------------------------------------------------------


def test_t_osz_is_an_increasing_bijection_fixing_0_and_plus_minus_1():
    x = np.linspace(-10, 10, 20001)
    y = t_osz(x)
    assert np.all(np.diff(y) > 0)
    np.testing.assert_allclose(t_osz(np.array([-1.0, 0.0, 1.0])), [-1.0, 0.0, 1.0], atol=0)
    # by hand at x = e: xh = 1, exp(1 + 0.049 (sin 10 + sin 7.9))
    assert t_osz(np.array([np.e]))[0] == pytest.approx(
        np.exp(1 + 0.049 * (np.sin(10) + np.sin(7.9)))
    )
    assert t_osz(np.array([-np.e]))[0] == pytest.approx(
        -np.exp(1 + 0.049 * (np.sin(5.5) + np.sin(3.1)))
    )


def test_t_asy_and_lambda_by_hand():
    X = np.array([[4.0, 4.0, 4.0], [-4.0, -1.0, 0.0]])
    np.testing.assert_allclose(t_asy(X, 0.5)[0], [4.0, 4.0 ** (1 + 0.25 * 2), 4.0 ** (1 + 0.5 * 2)])
    np.testing.assert_array_equal(t_asy(X, 0.5)[1], X[1])
    np.testing.assert_allclose(lambda_alpha(100.0, 3), [1.0, 100.0**0.25, 10.0])


def test_random_rotations_are_orthogonal_and_unbiased():
    rng = np.random.default_rng(0)
    Rs = [random_rotation(rng, 4) for _ in range(400)]
    for R in Rs[:10]:
        np.testing.assert_allclose(R @ R.T, np.eye(4), atol=1e-12)
    # Haar measure: E[R] = 0 (a plain QR without the sign fix biases the diagonal)
    assert np.abs(np.mean(Rs, axis=0)).max() < 0.15


# -- the BBOB 2009 reference code, fed the same instance ------------------------------------


def reference(p: BBOBFunction, X: np.ndarray) -> np.ndarray:
    """``cma.bbobbenchmarks`` (row vectors: it computes ``x @ M`` for our ``M x``) with our
    x_opt, f_opt and matrices put in place of its own."""
    bn = pytest.importorskip("cma.bbobbenchmarks")
    f = getattr(bn, f"F{p.fid}")(1)
    f._evalfull(X.copy())  # sizes its arrays for this shape
    f.fopt = p.optimum
    f.xopt = p.x_opt.copy()
    f.arrxopt = np.resize(p.x_opt, X.shape)
    if p.fid in (6, 13, 15, 16, 23, 24):
        f.linearTF = p.M.T
    if p.fid in (10, 11, 12, 14, 15, 16):
        f.rotation = p.R.T
    if p.fid == 5:
        f.scales = -p.s  # the 2009 code computes x . (-s) + 5 sum |s|
    if p.fid == 24:
        f.arrscales = np.resize(2.0 * np.sign(p.x_opt), X.shape)
    if p.fid == 7:
        f.linearTF = (lambda_alpha(10.0, p.dim)[:, None] * p.R).T
        f.rotation = p.Q.T
    if p.fid in (9, 19):
        f.linearTF = p.scale * p.R.T
    if p.fid in (17, 18):
        f.rotation, f.linearTF = p.R.T, p.M.T
    if p.fid in (21, 22):
        f.rotation, f.xlocal, f.arrscales, f.peakvalues = p.R.T, p.y @ p.R.T, p.C, p.w
    return f._evalfull(X.copy())[1]


@pytest.mark.parametrize("cls", FUNCTIONS, ids=IDS)
@pytest.mark.parametrize("dim", (2, 5, 10))
def test_values_equal_the_bbob_2009_reference_code(cls, dim):
    """Random points of the box, and points near x_opt where the transformations matter
    (except for f7: see the next test)."""
    p = cls(dim=dim, instance=4)
    rng = np.random.default_rng(1)
    near = p.x_opt + 0.1 * rng.standard_normal((60 if p.fid != 7 else 0, dim))
    X = np.vstack([points(dim, n=60), near])
    X = np.clip(X, -5.0, 5.0)
    ours, theirs = p.evaluate(X), reference(p, X)
    np.testing.assert_allclose(ours - p.optimum, theirs - p.optimum, rtol=1e-9, atol=1e-9)


def test_step_ellipsoid_floor_term_uses_zh_1_before_rounding():
    """[H09, f7] and COCO's f_step_ellipsoid.c take |zh_1| before rounding; the 2009 Python
    code rounds it first (a view of the rounded array), so near x_opt the two differ. Where
    zt = 0 the value is 0.1 |zh_1| / 1e4 exactly."""
    p = get_problem("bbob_step_ellipsoid:dim=4,instance=2")
    zh = np.array([0.02, -0.01, 0.03, 0.0])  # |10 zh_i| < 0.5: every zt_i rounds to 0
    # zh = Lambda^10 R (x - x_opt)  =>  x = x_opt + R^T (zh / lambda)
    x = p.x_opt + p.R.T @ (zh / lambda_alpha(10.0, 4))
    assert p.evaluate(x[None])[0] - p.optimum == pytest.approx(0.1 * 0.02 / 1e4, rel=1e-6)


# -- the study files of issue 17 ------------------------------------------------------------


@pytest.mark.parametrize(("name", "factor"), [("landscapes", 20), ("landscapes-50d", 50)])
def test_the_landscapes_studies(name, factor):
    from hpo.bench.study import find_study, load_study

    study = load_study(find_study(name))
    assert {o.name for o in study.optimizers} == {
        "random",
        "bayes",
        "ga",
        "optuna-tpe",
        "optuna-gp",
        "cma-es",
    }
    instances: dict[tuple[str, int], set[int]] = {}
    for entry in study.problems:
        p = get_problem(entry.spec)
        assert isinstance(p, BBOBFunction) and p.name == entry.spec
        assert entry.n_trials == factor * p.dim
        assert entry.seeds == (p.instance,)  # one run per instance, COCO-style
        instances.setdefault((p.key, p.dim), set()).add(p.instance)
    classes = {key for key, _ in instances}
    assert {
        "bbob_ellipsoid",
        "bbob_ellipsoid_rotated",
        "bbob_discus",
        "bbob_bent_cigar",
        "bbob_sharp_ridge",
        "bbob_attractive_sector",
        "bbob_step_ellipsoid",
        "bbob_rosenbrock_rotated",
        "bbob_schaffer_f7",
        "bbob_gallagher101",
        "bbob_gallagher21",
    } <= classes
    assert {dim for _, dim in instances} == {5, 10}
    assert all(len(v) >= 10 for v in instances.values())
    assert len(instances) == len(classes) * 2
