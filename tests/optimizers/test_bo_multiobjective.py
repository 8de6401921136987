"""BayesianOptimization with several objectives (hpo/optimizers/_bo_multiobjective.py):
ParEGO and EHVI beat random search on ZDT1, are reproducible, handle failures, batches and
pending trials, and survive a save/load round trip."""

import numpy as np
import pytest

from hpo import BayesianOptimization, RandomSearch, hypervolume
from hpo.problems import get_problem
from hpo.testing import MULTI_OBJECTIVE_CHECKS, multi_objective_case

STRATEGIES = ["parego", "ehvi", "hybrid"]


def _run(opt, problem, n):
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, problem(params))
    return opt


def _hypervolume(opt, problem):
    points = np.array([t.value for t in opt.completed], dtype=float)
    return hypervolume(points, problem.reference_point)


@pytest.mark.slow
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_beats_random_search_on_zdt1(strategy):
    problem = get_problem("zdt1", dim=4)
    random = [
        _hypervolume(
            _run(RandomSearch(problem.space, n_objectives=2, seed=s), problem, 40), problem
        )
        for s in range(3)
    ]
    bayes = [
        _hypervolume(
            _run(
                BayesianOptimization(problem.space, n_objectives=2, seed=s, mo_strategy=strategy),
                problem,
                40,
            ),
            problem,
        )
        for s in range(3)
    ]
    assert min(bayes) > np.median(random)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_reproducible_and_front_non_empty(strategy):
    problem = get_problem("zdt1", dim=4)

    def run(seed):
        opt = BayesianOptimization(problem.space, n_objectives=2, seed=seed, mo_strategy=strategy)
        return _run(opt, problem, 12)

    a, b, c = run(0), run(0), run(1)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.params for t in a.trials] != [t.params for t in c.trials]
    front = a.pareto_front
    assert front and all(len(t.value) == 2 for t in front)
    used = {t.info["strategy"] for t in a.trials if "strategy" in t.info}
    assert used == ({"ehvi", "parego"} if strategy == "hybrid" else {strategy})
    with pytest.raises(ValueError, match="no single best trial"):
        _ = a.best


def test_hybrid_gives_every_third_model_ask_to_parego(tmp_path):
    problem = get_problem("zdt1", dim=3)
    opt = _run(
        BayesianOptimization(problem.space, n_objectives=2, seed=5, mo_strategy="hybrid"),
        problem,
        9,
    )
    model = [t.info for t in opt.trials if "mo_round" in t.info]
    assert [i["mo_round"] for i in model] == list(range(len(model))) and len(model) >= 3
    for info in model:
        assert info["strategy"] == ("parego" if info["mo_round"] % 3 == 2 else "ehvi")
    opt.save(tmp_path / "opt.pkl")  # a reloaded optimizer goes on counting
    twin = BayesianOptimization.load(tmp_path / "opt.pkl")
    batch = twin.ask(2)
    assert [t.info["mo_round"] for t in twin.pending] == [len(model)] * 2 and len(batch) == 2


@pytest.mark.parametrize("check", list(MULTI_OBJECTIVE_CHECKS))
def test_contract_with_ehvi(check):
    case = multi_objective_case(BayesianOptimization, {"mo_strategy": "ehvi"})
    MULTI_OBJECTIVE_CHECKS[check](case)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_failed_pending_and_batches(strategy):
    problem = get_problem("zdt1", dim=4)
    opt = BayesianOptimization(problem.space, n_objectives=2, seed=3, mo_strategy=strategy)
    _run(opt, problem, 6)
    bad = opt.ask()
    opt.tell(bad, [float("nan"), 1.0])  # one NaN objective: the trial failed
    assert opt.trials[-1].status.name == "FAILED"
    pending = opt.ask(2)
    batch = opt.ask(3)
    keys = {repr(sorted(p.items())) for p in pending + batch}
    assert len(keys) == 5
    assert all(opt.trials[-1 - i].info["source"] == "model" for i in range(3))
    opt.tell(pending + batch, [problem(p) for p in pending + batch])
    assert len(opt.completed) == 11 and not opt.pending


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_save_load_round_trip(strategy, tmp_path):
    problem = get_problem("zdt1", dim=4)
    opt = _run(
        BayesianOptimization(problem.space, n_objectives=2, seed=4, mo_strategy=strategy),
        problem,
        8,
    )
    opt.save(tmp_path / "opt.pkl")
    twin = BayesianOptimization.load(tmp_path / "opt.pkl")
    assert twin.n_objectives == 2 and twin.mo_strategy == strategy
    assert twin.ask() == opt.ask()


def test_bad_options():
    space = get_problem("zdt1", dim=4).space
    with pytest.raises(ValueError, match="mo_strategy must be one of"):
        BayesianOptimization(space, n_objectives=2, mo_strategy="nsga")
    with pytest.raises(ValueError, match="'ehvi' handles two objectives"):
        BayesianOptimization(space, n_objectives=3, mo_strategy="ehvi")
    with pytest.raises(ValueError, match="reference_point must be 2 finite floats"):
        BayesianOptimization(space, n_objectives=2, reference_point=[1.0])


def test_user_reference_point_and_three_objectives_with_parego():
    problem = get_problem("dtlz2", n_objectives=3) if _has_dtlz2_m() else None
    if problem is None:
        pytest.skip("dtlz2 without an n_objectives option")
    opt = _run(BayesianOptimization(problem.space, n_objectives=3, seed=0), problem, 10)
    assert opt.mo_strategy == "parego" and all(len(t.value) == 3 for t in opt.pareto_front)
    two = get_problem("zdt1", dim=4)
    opt = BayesianOptimization(
        two.space, n_objectives=2, seed=0, mo_strategy="ehvi", reference_point=(1.1, 11.0)
    )
    assert _run(opt, two, 8).reference_point == (1.1, 11.0)


def _has_dtlz2_m():
    try:
        get_problem("dtlz2", n_objectives=3)
    except (TypeError, ValueError):
        return False
    return True


def test_single_objective_inspection_refuses_several_objectives():
    problem = get_problem("zdt1", dim=4)
    opt = _run(BayesianOptimization(problem.space, n_objectives=2, seed=0), problem, 6)
    with pytest.raises(NotImplementedError, match="model one objective"):
        opt.predict(opt.trials[0].params)


def _fitted_ehvi_state(seed=0, n=15, dim=4):
    """A ZDT1 run of ``n`` evaluations and its two GPs, front and reference point."""
    from hpo.moo import is_non_dominated
    from hpo.optimizers import _bo_multiobjective as mo

    problem = get_problem("zdt1", dim=dim)
    opt = _run(
        BayesianOptimization(problem.space, n_objectives=2, seed=seed, mo_strategy="ehvi"),
        problem,
        n,
    )
    U = opt.space.to_unit_batch([t.params for t in opt.completed])
    Y = np.array([t.value for t in opt.completed], dtype=float)
    gps = []
    for j in range(2):
        gp = opt.gp_config.make_gp(opt.fmap.n_features, opt.deterministic)
        gps.append(gp.fit(opt.fmap(U), Y[:, j], rng=np.random.default_rng(0)))
    return opt, gps, Y[is_non_dominated(Y)], mo._reference(opt, Y)


def test_log_ehvi_gradient_on_gp_features_matches_finite_differences():
    from hpo.optimizers._bo_multiobjective import _log_ehvi_on_features

    opt, gps, front, reference = _fitted_ehvi_state()
    fun = _log_ehvi_on_features(gps, front, reference)
    F = np.random.default_rng(1).random((25, opt.fmap.n_features))
    value, dF = fun(F, True)
    assert np.all(np.isfinite(value)) and dF.shape == F.shape
    h = 1e-6
    for k in range(F.shape[1]):
        e = np.zeros(F.shape[1])
        e[k] = h
        fd = (fun(F + e, False)[0] - fun(F - e, False)[0]) / (2 * h)
        np.testing.assert_allclose(dF[:, k], fd, rtol=1e-4, atol=1e-5)


def test_gradient_search_finds_at_least_the_scored_maximum(monkeypatch):
    from hpo.optimizers import _bo_multiobjective as mo

    opt, gps, front, reference = _fitted_ehvi_state(seed=2)
    fun = mo._log_ehvi_on_features(gps, front, reference)
    values = {}
    for search in ("scored", "gradient"):
        monkeypatch.setattr(mo, "EHVI_SEARCH", search)
        opt.rng = np.random.default_rng(3)
        params, value = mo._best_candidate(opt, gps, front, reference, set())
        assert opt.is_new(params)
        recomputed = fun(opt.features([params]), False)[0][0]
        assert recomputed == pytest.approx(value, rel=1e-9, abs=1e-9)
        values[search] = value
    assert values["gradient"] >= values["scored"] - 1e-9


def test_kriging_believer_collapses_the_variance_and_extends_the_front():
    from hpo.optimizers._bo_multiobjective import _believe

    opt, gps, front, _ = _fitted_ehvi_state(seed=4)
    target = {name: 0.5 for name in opt.space.names}
    Fp = opt.features([target])
    before = [gp.predict(Fp, return_var=True)[1][0] for gp in gps]
    believed, new_front = _believe(opt, gps, front, Fp, copy_models=True)
    after = [gp.predict(Fp, return_var=True)[1][0] for gp in believed]
    assert all(a < 0.25 * b for a, b in zip(after, before))  # down to the noise level
    assert [gp.predict(Fp, return_var=True)[1][0] for gp in gps] == before  # copies
    mean = np.array([gp.predict(Fp)[0] for gp in gps])
    dominated = np.any(np.all(front <= mean, axis=1) & np.any(front < mean, axis=1))
    assert dominated or any(np.allclose(p, mean) for p in new_front)


@pytest.mark.parametrize("strategy", ["ehvi", "hybrid"])
def test_batch_members_are_distinct_and_fantasized_in_order(strategy):
    problem = get_problem("zdt1", dim=4)
    opt = _run(
        BayesianOptimization(problem.space, n_objectives=2, seed=6, mo_strategy=strategy),
        problem,
        10,
    )
    batch = opt.ask(4)
    assert len({repr(sorted(p.items())) for p in batch}) == 4
    infos = [t.info for t in opt.pending]
    if infos[0]["strategy"] == "ehvi":
        assert [i["batch_position"] for i in infos] == [0, 1, 2, 3]
    opt.tell(batch, [problem(p) for p in batch])
    assert len(opt.completed) == 14
