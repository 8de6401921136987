import json
import subprocess
import sys
import warnings

import numpy as np
import pytest

from hpo import BayesianOptimization, Categorical, Integer, RandomSearch, Real, Space, minimize
from hpo.bench.records import RunRecord
from hpo.interop import from_optuna, from_skopt, to_optuna, to_skopt
from hpo.trial import TrialStatus

REPEAT = ("params", "distributions", "value")
SPACE = Space(
    {
        "lr": Real(1e-4, 1e-1, log=True),
        "units": Integer(1, 64, log=True),
        "layers": Categorical([(50,), (50, 50), None, "wide"]),
        "momentum": Real(0.1, 0.99, logit=True),
    }
)


def loss(p):
    if p["units"] % 7 == 0:
        raise RuntimeError("units divisible by 7")
    depth = len(p["layers"]) if isinstance(p["layers"], tuple) else 0
    return (np.log10(p["lr"]) + 2) ** 2 + np.log(p["units"]) / 4 + depth + p["momentum"]


@pytest.fixture(scope="module")
def run():
    opt = RandomSearch(SPACE, seed=0)
    for _ in range(30):
        params = opt.ask()
        try:
            value = loss(params)
        except RuntimeError as err:
            value = err
        opt.tell(params, value)
    opt.ask()  # a pending trial is not exported
    assert 0 < sum(t.status is TrialStatus.FAILED for t in opt.trials) < 30
    return opt


def told(opt):
    return [t for t in opt.trials if t.status is not TrialStatus.PENDING]


def same_history(a, b):
    assert [t.params for t in a] == [t.params for t in b]
    assert [t.value for t in a] == [t.value for t in b]
    assert [t.status for t in a] == [t.status for t in b]


def test_optuna_round_trip_keeps_params_values_and_failures(run):
    optuna = pytest.importorskip("optuna")
    study = to_optuna(run)
    trials = told(run)
    assert len(study.trials) == len(trials)
    states = [t.state for t in study.trials]
    expected = [
        optuna.trial.TrialState.COMPLETE if t.ok else optuna.trial.TrialState.FAIL for t in trials
    ]
    assert states == expected
    assert study.best_value == run.best.value
    failed = next(t for t in study.trials if t.state == optuna.trial.TrialState.FAIL)
    assert "divisible by 7" in failed.user_attrs["hpo_error"]
    dists = study.trials[0].distributions
    assert dists["lr"] == optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)
    assert dists["units"] == optuna.distributions.IntDistribution(1, 64, log=True)
    assert dists["layers"].choices == ("(50,)", "(50, 50)", None, "wide")
    same_history(from_optuna(study, RandomSearch(SPACE, seed=1)), trials)


def test_optunas_importances_and_plots_accept_the_exported_study(run):
    optuna = pytest.importorskip("optuna")
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    study = to_optuna(run)
    importances = optuna.importance.get_param_importances(study)
    assert set(importances) == set(SPACE) and sum(importances.values()) == pytest.approx(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's matplotlib backend is "experimental"
        for plot in ("plot_optimization_history", "plot_slice", "plot_param_importances"):
            getattr(optuna.visualization.matplotlib, plot)(study)
    matplotlib.pyplot.close("all")


def test_an_optuna_study_warm_starts_an_hpo_optimizer():
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = Space({"x": Real(-5.0, 5.0), "n": Integer(1, 4), "kind": Categorical(["a", "b"])})

    def objective(trial):
        x, n = trial.suggest_float("x", -5.0, 5.0), trial.suggest_int("n", 1, 4)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return -((x - 1) ** 2) - n - (kind == "b")  # maximized by Optuna

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(0))
    study.optimize(objective, n_trials=8)
    study.enqueue_trial({"x": 0.0, "n": 1, "kind": "a"})
    study.ask()  # a running trial is skipped
    opt = BayesianOptimization(space, seed=0)
    trials = from_optuna(study, opt)
    assert len(trials) == len(opt.trials) == 8
    assert [t.value for t in trials] == [-t.value for t in study.trials[:8]]  # minimized
    assert opt.best.params == study.best_params
    assert space.contains(opt.ask())  # and it goes on from there
    with pytest.raises(ValueError, match="'x'"):
        from_optuna(study, RandomSearch(Space({**dict(space), "x": Real(-1.0, 1.0)})))
    # Optuna may evaluate one configuration twice; hpo keeps one trial per configuration.
    again = study.trials[0]
    study.add_trial(optuna.trial.create_trial(**{k: getattr(again, k) for k in REPEAT}))
    assert from_optuna(study, opt) == []  # nothing new: all already told
    fresh = from_optuna(study, RandomSearch(space))
    assert len(fresh) == 8 and fresh[0].value == -study.trials[0].value
    into = to_optuna(opt, study=optuna.create_study(direction="maximize"))
    assert [t.value for t in into.trials] == [t.value for t in study.trials[:8]]


def test_skopt_round_trip_and_its_tools_accept_the_result(run):
    skopt = pytest.importorskip("skopt")
    result = to_skopt(run)
    complete = run.completed
    assert len(result.x_iters) == len(result.func_vals) == len(complete)
    assert result.fun == run.best.value
    portable = {(50,): "(50,)", (50, 50): "(50, 50)"}  # tuples as their repr
    assert result.x == [portable.get(v, v) for v in run.best.params.values()]
    assert [d.name for d in result.space.dimensions] == list(SPACE)
    same_history(from_skopt(result, RandomSearch(SPACE, seed=1)), complete)
    # scikit-optimize itself takes the result: a warm start, and its convergence plot.
    sk = skopt.Optimizer(result.space, n_initial_points=50, random_state=0)  # no GP fit
    sk.tell(result.x_iters, list(result.func_vals))
    assert sk.ask() in result.space
    import matplotlib

    matplotlib.use("Agg")
    from skopt.plots import plot_convergence

    plot_convergence(result)
    matplotlib.pyplot.close("all")


def test_a_skopt_run_warm_starts_an_hpo_optimizer():
    skopt = pytest.importorskip("skopt")
    dims = [skopt.space.Real(-2.0, 2.0, name="b"), skopt.space.Integer(1, 5, name="a")]
    sk = skopt.Optimizer(dims, random_state=0)
    for _ in range(6):
        x = sk.ask()
        result = sk.tell(x, x[0] ** 2 + x[1])
    space = Space({"a": Integer(1, 5), "b": Real(-2.0, 2.0)})  # another order: matched by name
    trials = from_skopt(result, RandomSearch(space, seed=0))
    assert [t.params for t in trials] == [{"b": x[0], "a": x[1]} for x in result.x_iters]
    assert [t.value for t in trials] == list(result.func_vals)


def test_a_result_and_a_journal_record_export_like_the_optimizer(run):
    pytest.importorskip("optuna")
    result = minimize(loss, SPACE, optimizer="random", n_trials=10, seed=0)
    study = to_optuna(result, SPACE)
    assert [t.params["units"] for t in study.trials] == [t.params["units"] for t in result.trials]
    with pytest.raises(TypeError, match="space"):
        to_optuna(result)
    with pytest.raises(TypeError, match="run"):
        to_optuna(42)
    # A journal stores trials as JSON (tuples become lists); the problem names the space.
    record = RunRecord(
        optimizer="random",
        problem="branin",
        seed=0,
        n_trials=3,
        optimum=None,
        trials=json.loads(json.dumps([t.to_dict() for t in minimize_branin()])),
        wall_time=0.0,
    )
    assert [t.value for t in to_optuna(record).trials] == [t["value"] for t in record.trials]
    record.problem, record.trials = (
        "unused",
        json.loads(json.dumps([t.to_dict() for t in run.trials])),
    )
    record.trials = [t for t in record.trials if t["status"] != "pending"]
    same_history(from_optuna(to_optuna(record, SPACE), RandomSearch(SPACE)), told(run))


def minimize_branin():
    from hpo.problems import get_problem

    problem = get_problem("branin")
    return minimize(problem, problem.space, optimizer="random", n_trials=3, seed=0).trials


def test_hpo_imports_without_optuna_and_skopt_and_says_what_to_install():
    code = (
        "import sys; sys.modules.update(optuna=None, skopt=None)\n"
        "import hpo, hpo.interop, hpo.sklearn\n"
        "try:\n    hpo.interop.to_optuna([], hpo.Space({'x': hpo.Real(0.0, 1.0)}))\n"
        "except ImportError as err:\n    print(err)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "optuna is needed here: install the peers extra" in out.stdout
