"""The trust region of Bayesian optimization: TuRBO's side rules, the box, and its use."""

from __future__ import annotations

import numpy as np
import pytest

from hpo import BayesianOptimization, Real, Space
from hpo.optimizers._trust_region import (
    TrustRegion,
    make_trust_region,
    side_length,
    trust_box,
)


def test_successes_in_a_row_double_the_side_up_to_the_maximum():
    tr = TrustRegion()
    decreasing = [10.0, 9.0, 8.0, 7.0]  # one design point, then 3 successes
    assert side_length(decreasing, 1, tr, dim=2) == pytest.approx(1.6)  # min(2 * 0.8, 1.6)
    assert side_length(decreasing[:3], 1, tr, dim=2) == pytest.approx(0.8)  # only 2
    # six more successes: still capped at length_max
    assert side_length(list(range(20, 10, -1)), 1, tr, dim=2) == pytest.approx(1.6)


def test_failures_in_a_row_halve_the_side_and_any_success_resets_the_count():
    tr = TrustRegion(failure_tolerance=3)
    assert side_length([1.0, 2.0, 2.0, 2.0], 1, tr, dim=2) == pytest.approx(0.4)
    assert side_length([1.0, 2.0, 2.0, 0.5, 2.0], 1, tr, dim=2) == pytest.approx(0.8)
    # the default tolerance is ceil(max(4, d)): 4 failures in 2-d, 7 in 7-d
    assert side_length([1.0] + [2.0] * 4, 1, TrustRegion(), dim=2) == pytest.approx(0.4)
    assert side_length([1.0] + [2.0] * 6, 1, TrustRegion(), dim=7) == pytest.approx(0.8)
    assert side_length([1.0] + [2.0] * 7, 1, TrustRegion(), dim=7) == pytest.approx(0.4)


def test_small_improvements_and_failed_trials_count_as_failures():
    tr = TrustRegion(failure_tolerance=2)
    # 1e-3 |best| is 0.1 here: 99.95 does not improve enough, NaN and inf are failures
    assert side_length([100.0, 99.95, np.nan], 1, tr, dim=2) == pytest.approx(0.4)
    assert side_length([100.0, np.inf, 99.0], 1, tr, dim=2) == pytest.approx(0.8)
    loose = TrustRegion(failure_tolerance=2, min_improvement=0.0)
    assert side_length([100.0, 99.95, 99.9], 1, loose, dim=2) == pytest.approx(0.8)


def test_the_side_restarts_below_its_minimum():
    tr = TrustRegion(failure_tolerance=1, length_min=0.2)
    # 0.8 -> 0.4 -> 0.2 -> 0.1 < 0.2: restart at 0.8
    assert side_length([1.0, 2.0, 2.0], 1, tr, dim=2) == pytest.approx(0.2)
    assert side_length([1.0, 2.0, 2.0, 2.0], 1, tr, dim=2) == pytest.approx(0.8)


def test_box_follows_lengthscales_with_unit_product_and_is_clipped():
    center = np.array([0.5, 0.5, 0.95, 0.3])
    real = np.array([0, 1, 2])  # column 3 is discrete: [0, 1]
    lower, upper = trust_box(center, 0.4, np.array([1.0, 4.0, 2.0]), real)
    w = np.array([1.0, 4.0, 2.0]) / 2.0  # geometric mean 2
    assert np.prod(w) == pytest.approx(1.0)
    assert upper[0] - lower[0] == pytest.approx(0.4 * w[0])
    assert upper[1] - lower[1] == pytest.approx(0.4 * w[1])
    assert upper[2] == 1.0 and lower[2] == pytest.approx(0.95 - 0.2 * w[2])
    assert (lower[3], upper[3]) == (0.0, 1.0)
    cube_lower, cube_upper = trust_box(center, 0.4, None, real)
    assert np.allclose(cube_upper[:2] - cube_lower[:2], 0.4)


def test_bad_settings_are_rejected_with_the_parameter_named():
    with pytest.raises(ValueError, match="length_min <= length_init"):
        TrustRegion(length_init=2.0)
    with pytest.raises(ValueError, match="success_tolerance"):
        TrustRegion(success_tolerance=0)
    with pytest.raises(ValueError, match="global_every"):
        TrustRegion(global_every=-1)
    with pytest.raises(TypeError, match="trust_region"):
        make_trust_region("yes")
    with pytest.raises(ValueError, match="lengthscales"):
        trust_box(np.zeros(2), 0.5, np.array([1.0, -1.0]), np.array([0, 1]))
    space = Space({"x": Real(0.0, 1.0)})
    with pytest.raises(ValueError, match="trust_region"):
        BayesianOptimization(space, n_objectives=2, trust_region=True)
    assert make_trust_region(None) is None and make_trust_region(False) is None
    assert make_trust_region({"start": 5}) == TrustRegion(start=5)


def test_global_phase_and_interleaving():
    tr = TrustRegion(start=2, global_every=3)
    assert [tr.is_global(k) for k in range(7)] == [True, True, True, False, False, True, False]
    assert not any(TrustRegion().is_global(k) for k in range(5))


def _run(trust_region, seed=3, n=16):
    space = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})
    opt = BayesianOptimization(space, seed=seed, n_initial=5, trust_region=trust_region)
    for _ in range(n):
        p = opt.ask()
        opt.tell(p, (p["x"] - 0.3) ** 2 + 10 * (p["y"] + 0.7) ** 2)
    return opt


def test_bayes_proposes_inside_the_region_and_reproducibly(monkeypatch):
    a = _run(True)
    b = _run(TrustRegion())
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    model = [t for t in a.trials if t.info.get("source") == "model"]
    assert model and all(0 < t.info["trust_region"] <= 1.6 for t in model)
    off = _run(None)
    assert "trust_region" not in off.trials[-1].info
    assert [t.params for t in off.trials] != [t.params for t in a.trials]
    # without lengthscales the region is a cube of side L around the incumbent of its time
    monkeypatch.setattr("hpo.optimizers.bayes._lengthscales", lambda gp: None)
    cube = _run(TrustRegion(length_init=0.2, length_max=0.2))
    for t in cube.trials:
        if t.info.get("source") != "model":
            continue
        before = [s for s in cube.trials[: t.number] if s.value is not None]
        center = cube.space.to_unit(min(before, key=lambda s: s.value).params)
        assert np.all(np.abs(cube.space.to_unit(t.params) - center) <= t.info["trust_region"] / 2)


def test_acquisition_search_stays_in_the_box():
    from hpo.optimizers._bo_search import FeatureMap, maximize_mixed

    space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    fmap, rng = FeatureMap(space), np.random.default_rng(0)

    def fun(F, gradient):  # a peak at (0.9, 0.9), outside the box
        a = -np.sum((F - 0.9) ** 2, axis=1)
        return a, (-2 * (F - 0.9) if gradient else None)

    lower, upper = np.array([0.1, 0.2]), np.array([0.4, 0.5])
    extra = np.array([[0.95, 0.95]])  # clipped into the box
    U, _, raw, _ = maximize_mixed(fun, fmap, rng, n_raw=64, extra=extra, box=(lower, upper))
    for X in (U, raw):
        assert np.all(X >= lower - 1e-12) and np.all(X <= upper + 1e-12)
    assert np.allclose(U[0], upper)  # the box's corner nearest the peak


def test_a_saved_optimizer_proposes_the_same_inside_its_region(tmp_path):
    from hpo.optimizers import Optimizer

    opt = _run(TrustRegion(global_every=3), n=9)
    opt.save(tmp_path / "opt.pkl")
    twin = Optimizer.load(tmp_path / "opt.pkl")
    assert twin.trust_region == TrustRegion(global_every=3)
    assert opt.ask(2) == twin.ask(2)
    # global_every=3: model proposals 0, 3, ... search the whole space
    regions = [t.info.get("trust_region", "design") for t in opt.trials[5:9]]
    assert regions[0] is None and regions[3] is None and regions[1] > 0 and regions[2] > 0


@pytest.mark.parametrize("conditional", ["indicator", "branch"])
def test_conditional_spaces_search_inside_the_region(conditional):
    from hpo import Categorical

    space = Space(
        {"s": Categorical(["a", "b"]), "x": Real(0.0, 1.0, when={"s": "a"}), "y": Real(0, 1)}
    )
    opt = BayesianOptimization(
        space, seed=0, conditional=conditional, trust_region=True, n_initial=4
    )
    for _ in range(8):
        p = opt.ask()
        opt.tell(p, p["y"] + p.get("x", 0.5))
    assert all(t.info["trust_region"] > 0 for t in opt.trials[4:])


# -- the default, trust_region="auto" (since 2026-12-01) --------------------------------------
def _mixed_space() -> Space:
    from hpo import Categorical, Integer

    return Space(
        {
            "x": Real(-2.0, 2.0),
            "lr": Real(1e-4, 1e-1, log=True),
            "k": Integer(1, 20),
            "act": Categorical(["relu", "tanh", "gelu"]),
        }
    )


def _mixed_loss(p) -> float:
    act = {"relu": 0.0, "tanh": 0.3, "gelu": 0.1}[p["act"]]
    return (p["x"] - 0.3) ** 2 + (np.log10(p["lr"]) + 2.5) ** 2 + 0.05 * abs(p["k"] - 7) + act


def _solver_loss(p) -> float:
    solver = {"adam": 0.0, "sgd": 0.2, "lbfgs": 0.1}[p["solver"]]
    return np.log10(p["alpha"]) ** 2 / 10 + solver + (np.log10(p.get("lr", 1e-2)) + 2) ** 2


def _case(name):
    from hpo.problems import get_problem

    from .conditional_fixtures import solver_like

    if name == "mixed":
        return _mixed_space(), _mixed_loss
    if name == "conditional":
        return solver_like(), _solver_loss
    problem = get_problem(name)
    return problem.space, problem


def _proposal_hash(name: str, steps: int = 16, **options) -> str:
    """sha256 of a seed-0 run's proposals, floats by their exact hex."""
    import hashlib

    space, loss = _case(name)
    # the GP fit before its default changed (fit-2026-12-01b.md), as MAIN ran it
    options.setdefault("gp", {"fit_restarts": "safeguarded", "fit_warm": "lbfgsb"})
    opt = BayesianOptimization(space, seed=0, **options)
    h = hashlib.sha256()
    for _ in range(steps):
        p = opt.ask()
        exact = sorted((k, v.hex() if isinstance(v, float) else v) for k, v in p.items())
        h.update(repr(exact).encode())
        opt.tell(p, loss(p))
    return h.hexdigest()[:16]


# The proposals of main at a396a35, before "auto" (trust_region=None was the default), by the
# hash above on the machine of the test suite.
MAIN = {
    "branin": "b4626332e2d8328c",
    "hartmann6": "c8e4d3d73619eb5a",
    "mixed": "e2ac3ceb9a9ac341",
    "conditional": "fb24b907866cb30b",
}


@pytest.mark.reference_numerics
@pytest.mark.parametrize("off", [False, None])
@pytest.mark.parametrize("name", ["branin", "hartmann6"])
def test_off_proposes_exactly_as_the_default_before_auto(name, off):
    assert _proposal_hash(name, trust_region=off) == MAIN[name]


@pytest.mark.reference_numerics
@pytest.mark.parametrize("name", ["mixed", "conditional"])
def test_auto_keeps_the_whole_space_on_mixed_and_conditional_spaces(name):
    space, _ = _case(name)
    assert BayesianOptimization(space).trust_region is None
    assert _proposal_hash(name) == MAIN[name]
    # an explicit True still applies the region there (only the real columns are bounded)
    assert _proposal_hash(name, trust_region=True) != MAIN[name]


def test_auto_is_turbos_region_on_integer_and_real_spaces_and_off_with_a_categorical():
    from hpo import Categorical, Integer

    numeric = Space({"x": Real(-2.0, 2.0), "k": Integer(1, 20)})
    assert BayesianOptimization(numeric).trust_region == TrustRegion()
    with_choice = Space({"x": Real(-2.0, 2.0), "c": Categorical(["a", "b"])})
    assert BayesianOptimization(with_choice).trust_region is None
    assert BayesianOptimization(numeric, trust_region=False).trust_region is None


def test_auto_is_turbos_region_for_one_objective_on_a_real_space():
    space = Space({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})
    assert BayesianOptimization(space).trust_region == TrustRegion()
    assert BayesianOptimization(space, trust_region="auto").trust_region == TrustRegion()
    assert [t.params for t in _run("auto").trials] == [t.params for t in _run(True).trials]
    # several objectives: off, and the default does not raise
    assert BayesianOptimization(space, n_objectives=2).trust_region is None
    with pytest.raises(ValueError, match="trust_region must be 'auto'"):
        BayesianOptimization(space, trust_region="on")


def test_a_saved_default_round_trips_and_an_old_one_resumes_without_a_region(tmp_path):
    from hpo.optimizers import Optimizer

    opt = _run("auto", n=8)
    opt.save(tmp_path / "opt.pkl")
    twin = Optimizer.load(tmp_path / "opt.pkl")
    assert twin.trust_region == TrustRegion()
    assert opt.ask(2) == twin.ask(2)
    # saved before the field existed (or before "auto"): it searched the whole space, and
    # resumes as the same run with trust_region=None would
    ran_off = _run(None, n=8)
    state = dict(ran_off.__dict__)
    del state["trust_region"]
    old = BayesianOptimization.__new__(BayesianOptimization)
    old.__setstate__(state)
    assert old.trust_region is None
    assert old.ask(2) == _run(None, n=8).ask(2)
