"""Bayesian optimization: what the contract suite does not check."""

import copy
import json
import math

import numpy as np
import pytest

from hpo import BayesianOptimization, Categorical, Integer, Real, Space, minimize
from hpo.gp import GPConfig
from hpo.gp.config import DEFAULTS_BEFORE_2026_12_01
from hpo.optimizers.random import RandomSearch

ON_FAILURE = {True: "worst", False: "ignore"}


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


BRANIN = Space({"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)})
BRANIN_MIN = 5 / (4 * math.pi)


def run(opt, f, n):
    for _ in range(n):
        p = opt.ask()
        opt.tell(p, f(p))
    return opt


@pytest.mark.slow
def test_beats_random_search_on_branin():
    bo = [run(BayesianOptimization(BRANIN, seed=s), branin, 25).best.value for s in range(3)]
    rs = [run(RandomSearch(BRANIN, seed=s), branin, 25).best.value for s in range(3)]
    assert np.median(bo) - BRANIN_MIN < 0.05
    assert np.median(bo) < np.median(rs)


def test_design_then_model_and_info_is_json_ready():
    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=4), branin, 7)
    sources = [t.info["source"] for t in opt.trials]
    assert sources[:4] == ["design"] * 4 and set(sources[4:]) == {"model"}
    info = opt.trials[-1].info
    assert info["acquisition"] == "logei" and math.isfinite(info["acquisition_value"])
    assert info["std"] >= 0 and info["n_observations"] == 6 and info["batch_position"] == 0
    json.dumps([t.to_dict() for t in opt.trials])
    assert opt.gp is not None and len(opt.gp.X_train) == 6
    assert set(opt.gp.hyperparameters) >= {"k1.constant", "k2.lengthscale_0", "noise"}


def test_categorical_and_integer_parameters_are_searched_exactly():
    space = Space({"c": Categorical(list("abcde")), "k": Integer(0, 20), "x": Real(0.0, 1.0)})

    def f(p):
        return (p["c"] != "d") + (p["k"] - 13) ** 2 / 50 + (p["x"] - 0.3) ** 2

    opt = run(BayesianOptimization(space, seed=1), f, 30)
    assert opt.best.params["c"] == "d" and abs(opt.best.params["k"] - 13) <= 1
    F = opt.features([{"c": "b", "k": 13, "x": 0.5}])
    assert F.shape == (1, 5 + 1 + 1)
    np.testing.assert_allclose(F[0, :5], [0, math.sqrt(0.5), 0, 0, 0])


def test_wide_integer_ranges_and_log_scales_work():
    space = Space({"n": Integer(1, 5000, log=True), "lr": Real(1e-5, 1e-1, log=True)})

    def f(p):
        return (math.log(p["n"]) - math.log(700)) ** 2 + (math.log10(p["lr"]) + 3) ** 2

    opt = run(BayesianOptimization(space, seed=0), f, 25)
    assert opt.best.value < 0.5


@pytest.mark.parametrize("batch", ["believer", "liar"])
def test_batches_are_distinct_and_fantasies_stay_out_of_the_model(batch):
    opt = run(BayesianOptimization(BRANIN, seed=2, batch=batch), branin, 8)
    proposals = opt.ask(4)
    assert len({tuple(p.values()) for p in proposals}) == 4
    assert [t.info["batch_position"] for t in opt.pending] == [0, 1, 2, 3]
    assert len(opt.gp.X_train) == 8
    more = opt.ask(2)  # the pending four are fantasized, so these differ from them
    assert not {tuple(p.values()) for p in more} & {tuple(p.values()) for p in proposals}


def test_failed_trials_stay_out_of_the_model():
    opt = BayesianOptimization(BRANIN, seed=0, n_initial=3)
    for i in range(10):
        p = opt.ask()
        opt.tell(p, float("nan") if i % 3 == 0 else branin(p))
    opt.ask()
    assert len(opt.gp.X_train) == len(opt.completed) == 6
    assert np.all(np.isfinite(opt.gp.y_train))


SQUARE = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})


def fails_left_of_03(p):
    """Raises for x < 0.3; the values left over point into that region (minimum at x = 0.1),
    so a model of the completed trials alone keeps proposing there."""
    if p["x"] < 0.3:
        raise MemoryError("out of memory")
    return (p["x"] - 0.1) ** 2 + (p["y"] - 0.5) ** 2


def run_catching(opt, f, n):
    for _ in range(n):
        p = opt.ask()
        try:
            value = f(p)
        except MemoryError as err:
            value = err
        opt.tell(p, value)
    return opt


@pytest.mark.parametrize("avoid", [True, False])
def test_proposals_move_away_from_a_failing_region(avoid):
    # "ignore": the old behaviour, to show that the count can fail
    opt = BayesianOptimization(SQUARE, seed=0, n_initial=5, on_failure=ON_FAILURE[avoid])
    run_catching(opt, fails_left_of_03, 20)
    first = next(i for i, t in enumerate(opt.trials) if not t.ok)
    after = opt.trials[first + 1 :]
    inside = sum(t.params["x"] < 0.3 for t in after)
    if avoid:
        assert inside <= len(after) / 4
        assert np.isfinite(opt.best.value) and opt.best.params["x"] >= 0.3
    else:  # failures never enter the model, so it keeps proposing into the region
        assert inside >= 2 * len(after) / 3
    opt.ask()
    assert len(opt.gp.X_train) == len(opt.completed)  # fantasies stay out of opt.gp


def test_without_failures_the_failure_handling_changes_nothing():
    def trajectory(avoid):
        opt = BayesianOptimization(BRANIN, seed=3, n_initial=4, on_failure=ON_FAILURE[avoid])
        run(opt, branin, 9)
        batch = opt.ask(3)  # pending fantasies too
        opt.ask()
        opt.tell(batch, [branin(p) for p in batch])
        run(opt, branin, 2)
        return [(t.params, t.value, t.info) for t in opt.trials]

    assert trajectory(True) == trajectory(False)

    def with_failures(avoid):
        opt = BayesianOptimization(SQUARE, seed=0, n_initial=5, on_failure=ON_FAILURE[avoid])
        return [t.params for t in run_catching(opt, fails_left_of_03, 12).trials]

    assert with_failures(True) != with_failures(False)  # the switch is not inert


def test_deterministic_fixes_the_noise():
    opt = run(BayesianOptimization(BRANIN, seed=0, deterministic=True), branin, 8)
    opt.ask()
    assert not opt.gp.fit_noise and opt.gp.noise == pytest.approx(1e-6)


def test_never_repeats_a_configuration_of_a_small_space():
    space = Space({"a": Integer(0, 5), "b": Categorical(["x", "y", "z"])})
    result = minimize(lambda p: p["a"] + (p["b"] == "y"), space, "bayes", 30, seed=0)
    seen = [tuple(t.params.values()) for t in result.trials]
    assert len(set(seen[:18])) == 18 and result.stopped == "exhausted"


@pytest.mark.parametrize("warping", ["none", "yeo-johnson", "copula"])
@pytest.mark.parametrize("acquisition", ["logei", "ei", "pi", "lcb"])
def test_every_option_runs(warping, acquisition):
    opt = BayesianOptimization(BRANIN, seed=0, acquisition=acquisition, output_warping=warping)
    run(opt, branin, 7)
    assert math.isfinite(opt.trials[-1].info["acquisition_value"])


def test_heavy_tailed_values_do_not_break_the_model():
    space = Space({"x": Real(-5.0, 10.0), "y": Real(-5.0, 10.0)})

    def rosen(p):
        return 100 * (p["y"] - p["x"] ** 2) ** 2 + (1 - p["x"]) ** 2 + 1e-8

    opt = run(BayesianOptimization(space, seed=0), rosen, 20)
    assert np.all(np.isfinite(opt.gp.predict(opt.gp.X_train)))


def test_options_are_validated():
    with pytest.raises(ValueError, match="acquisition"):
        BayesianOptimization(BRANIN, acquisition="ucb")
    with pytest.raises(ValueError, match="batch"):
        BayesianOptimization(BRANIN, batch="random")
    with pytest.raises(ValueError, match="output_warping"):
        BayesianOptimization(BRANIN, output_warping="log")
    with pytest.raises(ValueError, match="n_initial"):
        BayesianOptimization(BRANIN, n_initial=0)


def test_predict_and_acquisition_value_shapes_and_units():
    space = Space({"x": Real(-2.0, 2.0)})
    opt = BayesianOptimization(space, seed=0, deterministic=True, output_warping="none")
    with pytest.raises(RuntimeError, match="completed trial"):
        opt.predict({"x": 0.0})
    run(opt, lambda p: (p["x"] - 0.5) ** 2, 8)
    told = [t.params for t in opt.completed]
    mean, std = opt.predict(told)
    assert mean.shape == std.shape == (8,)
    # without warping: the objective's units; an exact objective is interpolated
    np.testing.assert_allclose(mean, [t.value for t in opt.completed], atol=1e-3)
    assert np.all(std < 1e-2)
    far_mean, far_std = opt.predict({"x": -2.0})
    assert far_mean.shape == (1,) and far_std[0] > std.max()
    values = opt.acquisition_value([{"x": v} for v in np.linspace(-2, 2, 9)])
    assert values.shape == (9,) and np.all(np.isfinite(values))
    with pytest.raises(ValueError, match="'x'"):
        opt.predict({"x": 3.0})


def test_acquisition_value_is_what_the_next_ask_assigns(mixed_space):
    opt = BayesianOptimization(mixed_space, seed=2)
    run(opt, lambda p: p["dropout"] + p["layers"] / 4 + (p["activation"] == "relu"), 9)
    opt.ask(2)  # pending trials: their fantasies are part of the proposing model
    twin = copy.deepcopy(opt)
    proposal = twin.ask()
    value = opt.acquisition_value(proposal)[0]
    assert value == pytest.approx(twin.trials[-1].info["acquisition_value"], rel=1e-12)
    assert opt.ask() == proposal  # evaluating changed nothing: same proposal next


def test_inspection_between_asks_leaves_the_trajectory_unchanged():
    grid = [{"x1": x1, "x2": 7.5} for x1 in np.linspace(-5, 10, 7)]

    def trajectory(inspect):
        opt = BayesianOptimization(BRANIN, seed=4, n_initial=3)
        for i in range(9):
            if inspect and i >= 1:  # in the design phase too, and right after tells
                opt.predict(grid)
                opt.acquisition_value(grid)
            p = opt.ask()
            if inspect and i % 3 == 1:
                opt.predict(grid)  # with a pending trial
            opt.tell(p, branin(p))
        return [(t.params, t.info) for t in opt.trials]

    assert trajectory(True) == trajectory(False)


def test_the_next_ask_reuses_the_fit_made_for_inspection(monkeypatch):
    from hpo.gp.regression import GaussianProcess

    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=4), branin, 6)
    fits = []
    original = GaussianProcess.fit
    monkeypatch.setattr(
        GaussianProcess, "fit", lambda gp, *a, **k: fits.append(1) or original(gp, *a, **k)
    )
    opt.predict({"x1": 0.0, "x2": 5.0})
    opt.acquisition_value({"x1": 0.0, "x2": 5.0})
    assert len(fits) == 1 and opt.gp is not None and len(opt.gp.X_train) == 5
    opt.ask()
    assert len(fits) == 1 and len(opt.gp.X_train) == 6  # adopted, not refitted


def test_an_optimizer_saved_before_the_failure_handling_loads_and_runs(tmp_path):
    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=3), branin, 4)
    del opt._preview, opt.on_failure, opt.gp_config  # as written by the previous version
    opt.save(tmp_path / "old.pkl")
    loaded = BayesianOptimization.load(tmp_path / "old.pkl")
    assert loaded.on_failure == "worst" and loaded._preview is None
    assert loaded.gp_config == GPConfig()
    run(loaded, branin, 2)
    # a version with the private switch turned off, and a preview as a plain tuple
    opt.__dict__.pop("on_failure", None)
    opt.__dict__.update(_avoid_failures=False, _preview=(1, 2, 3, 4, 5, 6, 7))
    opt.save(tmp_path / "older.pkl")
    loaded = BayesianOptimization.load(tmp_path / "older.pkl")
    assert loaded.on_failure == "ignore" and loaded._preview is None
    run(loaded, branin, 1)


@pytest.mark.parametrize("dim", [3, 12])
def test_many_real_parameters_are_searched_in_lengthscale_units(dim, monkeypatch):
    from hpo.optimizers import bayes

    seen = []
    original = bayes.maximize_acquisition

    def spy(*args, **kwargs):
        seen.append(kwargs["lengthscales"])
        return original(*args, **kwargs)

    monkeypatch.setattr(bayes, "maximize_acquisition", spy)
    space = Space({f"x{i}": Real(0.0, 1.0) for i in range(dim)})
    run(BayesianOptimization(space, seed=0, n_initial=3), lambda p: sum(p.values()), 4)
    if dim >= GPConfig().precondition_min_reals:
        assert seen and all(ls.shape == (dim,) and np.all(ls > 0) for ls in seen)
    else:
        assert seen and all(ls is None for ls in seen)


# -- issue 14: scale-free values, huge values, declared options ------------------------------
def _trajectory(c, b, n=15, **options):
    opt = run(BayesianOptimization(BRANIN, seed=0, **options), lambda p: c * branin(p) + b, n)
    return np.array([[t.params["x1"], t.params["x2"]] for t in opt.trials])


@pytest.mark.slow
def test_the_trajectory_is_invariant_to_rescaling_and_shifting_the_objective():
    """Before the fix, Branin times 1e-15 (or 1e-20) was modelled as a constant from the
    first model proposal on (final regret 6.1 instead of 0.0014 after 30 trials)."""
    reference = _trajectory(1.0, 0.0)
    for c, b in [(1e-20, 3e-20), (1e-15, 0.0), (1e20, -7e20)]:
        np.testing.assert_allclose(_trajectory(c, b), reference, rtol=0, atol=1e-3)


@pytest.mark.parametrize("warping", ["none", "yeo-johnson"])
@pytest.mark.parametrize("big", [2e154, 1.7e308])
def test_huge_values_with_failures_and_pending_trials(warping, big):
    """Before the fix, with output_warping="none", an ask with a pending trial raised "X and
    y must be finite", and single asks went to the corners of the box."""
    space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    opt = BayesianOptimization(space, seed=0, n_initial=4, output_warping=warping)
    for i in range(6):
        p = opt.ask()
        bowl = (p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2
        opt.tell(p, math.nan if i in (1, 4) else big if i == 2 else bowl)
    first = opt.ask()
    assert 0 < first["x"] < 1 or 0 < first["y"] < 1  # not a corner of the box
    assert all(math.isfinite(first[k]) for k in first)
    assert opt.trials[-1].info["source"] == "model" and math.isfinite(opt.trials[-1].info["mean"])
    second = opt.ask()  # with a pending trial
    batch = opt.ask(3)
    assert len({config_key(p) for p in [first, second, *batch]}) == 5


def config_key(p):
    return tuple(sorted(p.items()))


def test_on_failure_is_validated_and_ignore_never_fantasizes():
    with pytest.raises(ValueError, match="on_failure must be one of"):
        BayesianOptimization(SQUARE, on_failure="best")
    opt = BayesianOptimization(SQUARE, seed=0, n_initial=3, on_failure="ignore")
    run_catching(opt, fails_left_of_03, 6)
    assert any(not t.ok for t in opt.trials)
    fitted, _, y = opt._fit_ahead()
    assert len(opt._proposal_model(fitted, y).X_train) == len(opt.completed)


def test_gp_config_injects_kernel_prior_and_precondition(monkeypatch):
    from hpo.gp import Constant, Matern
    from hpo.gp.priors import LogNormal, dimension_scaled_lengthscale_prior
    from hpo.optimizers import bayes

    kernel = Constant(1.0) * Matern([0.5, 0.5], 1.5)
    opt = run(
        BayesianOptimization(BRANIN, seed=0, n_initial=3, gp=GPConfig(kernel=kernel)), branin, 4
    )
    opt.ask()
    assert opt.gp.kernel.k2.nu == 1.5 and opt.gp.kernel is not kernel
    np.testing.assert_array_equal(kernel.k2.lengthscale, [0.5, 0.5])  # the given one untouched
    config = GPConfig(lengthscale_prior=dimension_scaled_lengthscale_prior)
    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=3, gp=config), branin, 4)
    opt.ask()
    assert opt.gp.prior.priors[1] == dimension_scaled_lengthscale_prior(2)
    fixed = GPConfig(lengthscale_prior=LogNormal(1.0, 0.5))
    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=3, gp=fixed), branin, 4)
    opt.ask()
    assert opt.gp.prior.priors[1:3] == (LogNormal(1.0, 0.5),) * 2
    seen = []
    original = bayes.maximize_acquisition

    def spy(*args, **kwargs):
        seen.append(kwargs["lengthscales"])
        return original(*args, **kwargs)

    monkeypatch.setattr(bayes, "maximize_acquisition", spy)
    always = GPConfig(precondition_min_reals=1)
    run(BayesianOptimization(BRANIN, seed=0, n_initial=3, gp=always), branin, 4)
    assert seen and all(ls.shape == (2,) for ls in seen)


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"kernel": "matern"}, TypeError, "kernel must be"),
        ({"lengthscale_prior": 1.5}, TypeError, "lengthscale_prior must be"),
        ({"precondition_min_reals": 0}, ValueError, "precondition_min_reals must be"),
        ({"precondition_min_reals": True}, ValueError, "precondition_min_reals must be"),
        ({"fit_restarts": "never"}, ValueError, "fit_restarts must be"),
        ({"search_starts": 0}, ValueError, "search_starts must be"),
        ({"search_batch": "parallel"}, ValueError, "search_batch must be one of"),
    ],
)
def test_gp_config_refuses_bad_options(options, error, match):
    with pytest.raises(error, match=match):
        GPConfig(**options)


def test_gp_config_refuses_a_prior_for_a_custom_kernel_and_gp_must_be_a_config():
    from hpo.gp import Matern
    from hpo.gp.priors import LogNormal

    with pytest.raises(ValueError, match="default kernel only"):
        GPConfig(kernel=Matern([1.0]), lengthscale_prior=LogNormal(0.0, 1.0))
    with pytest.raises(TypeError, match="gp must be a GPConfig"):
        BayesianOptimization(BRANIN, gp=[1])
    with pytest.raises(TypeError, match="unexpected keyword"):
        BayesianOptimization(BRANIN, gp={"kernels": None})
    # a study file gives the fields as a table
    opt = BayesianOptimization(BRANIN, gp={"precondition_min_reals": 2})
    assert opt.gp_config == GPConfig(precondition_min_reals=2)


def test_output_warping_accepts_a_callable():
    calls = []

    def log_warp(values):
        calls.append(len(values))
        return np.log(values)

    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=3, output_warping=log_warp), branin, 5)
    assert calls and opt.gp is not None
    np.testing.assert_allclose(
        opt.gp.y_train, np.log([t.value for t in opt.completed][: len(opt.gp.y_train)])
    )
    bad = BayesianOptimization(BRANIN, seed=0, n_initial=3, output_warping=lambda v: v[:1])
    run(bad, branin, 3)
    with pytest.raises(ValueError, match="output_warping must map"):
        bad.ask()
    with pytest.raises(ValueError, match="output_warping must be one of"):
        BayesianOptimization(BRANIN, output_warping="log")


def test_safeguarded_restarts_run_every_start_at_each_multiple_of_full_fit_every():
    from hpo.gp.config import FULL_FIT_EVERY

    opt = BayesianOptimization(BRANIN, seed=0, n_initial=3, gp={"fit_restarts": "safeguarded"})
    starts = {}
    for _ in range(14):
        p = opt.ask()
        if opt.gp is not None:
            starts[len(opt.gp.y_train)] = opt.gp.n_fit_starts
        opt.tell(p, branin(p))
    full = [n for n in starts if n % FULL_FIT_EVERY == 0]
    assert full and all(starts[n] == 3 for n in full)  # the safeguard: every start
    assert any(starts[n] == 1 for n in starts if n % FULL_FIT_EVERY)  # skips in between


def test_refit_every_fits_the_hyperparameters_every_k_points_and_updates_in_between():
    opt = BayesianOptimization(BRANIN, seed=0, n_initial=3, gp={"refit_every": 3})
    fitted = []
    for _ in range(12):
        p = opt.ask()
        if opt.gp is not None:
            assert len(opt.gp.y_train) == len(opt.completed)  # conditioned on every point
            fitted.append(opt._fitted_on)
        opt.tell(p, branin(p))
    assert sorted(set(fitted)) == [3, 6, 9, 12][: len(set(fitted))]
    with pytest.raises(ValueError, match="refit_every must be"):
        GPConfig(refit_every=0)


def test_the_fast_preset_is_a_config_whose_fields_can_be_overridden():
    fast = GPConfig.fast(search_starts=3)
    assert (fast.fit_restarts, fast.search_starts, fast.refit_every) == ("safeguarded", 3, 2)
    assert fast.fit_gtol > GPConfig().fit_gtol and fast.search_ftol > GPConfig().search_ftol
    opt = run(BayesianOptimization(BRANIN, seed=0, n_initial=3, gp=fast), branin, 6)
    assert opt.best.value < 60
    for name in ("fit_gtol", "search_ftol"):
        with pytest.raises(ValueError, match=f"{name} must be"):
            GPConfig(**{name: 0.0})


def test_the_old_default_from_a_study_file_proposes_with_the_stacked_search(monkeypatch):
    """What the study files pin for their committed journals: every fit restart and the
    stacked search; the default runs the starts of the search independently."""
    import hpo.optimizers._bo_search as bo_search

    batches = []
    original = bo_search.local_search

    def spy(fun, starts, maxiter=200, scale=None, **options):
        batches.append(options.get("batch"))
        return original(fun, starts, maxiter, scale, **options)

    monkeypatch.setattr(bo_search, "local_search", spy)
    old = DEFAULTS_BEFORE_2026_12_01
    pinned = run(BayesianOptimization(BRANIN, seed=0, n_initial=3, gp=old), branin, 5)
    assert set(batches) == {"stacked"} and pinned.gp.n_fit_starts == 3
    batches.clear()
    run(BayesianOptimization(BRANIN, seed=0, n_initial=3), branin, 5)
    assert set(batches) == {"independent"}
    assert (GPConfig().fit_restarts, GPConfig().search_batch) == ("prior-centre", "independent")
