import numpy as np
import pytest
from matplotlib.figure import Figure

from hpo import Categorical, Integer, Real, Space, minimize, plot
from hpo.analysis import as_trials, sensitivity
from hpo.optimizers import RandomSearch

SPACE = Space(
    {
        "lr": Real(1e-4, 1e-1, log=True),
        "layers": Integer(1, 4),
        "act": Categorical(["relu", "tanh"]),
    }
)


def objective(p):
    if p["layers"] == 4 and p["act"] == "tanh":
        return float("nan")  # a failed trial
    return (np.log10(p["lr"]) + 2.5) ** 2 + 0.3 * p["layers"] + (p["act"] == "tanh")


@pytest.fixture(scope="module")
def result():
    return minimize(objective, SPACE, optimizer="random", n_trials=60, seed=0)


@pytest.fixture(scope="module")
def optimizer(result):
    opt = RandomSearch(SPACE, seed=0)
    for t in result.trials:
        opt.tell(t.params, t.value if t.ok else float("nan"))
    return opt


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]


def test_convergence_of_several_runs_against_trials_and_time(result, optimizer):
    fig = plot.plot_convergence([result, optimizer], labels=["a", "b"])
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 2
    y = lines[0].get_ydata()
    assert np.all(np.diff(y[np.isfinite(y)]) <= 0)  # best so far never rises
    assert ax.get_xlabel() == "trials"
    fig = plot.plot_convergence(result, against="time")
    assert fig.axes[0].get_xlabel() == "time (s)"
    with pytest.raises(ValueError, match="against"):
        plot.plot_convergence(result, against="cost")


def test_evaluations_marks_failed_trials_and_uses_the_scales(optimizer):
    fig = plot.plot_evaluations(optimizer)
    ax_lr, _, _ = fig.axes
    assert ax_lr.get_xscale() == "log"
    assert "relu" in _texts(fig) and "tanh" in _texts(fig)
    n_failed = len(as_trials(optimizer).failed)
    assert n_failed > 0
    failed = [c for c in ax_lr.collections if c.get_label() == "failed"]
    assert len(failed) == 1 and len(failed[0].get_offsets()) == n_failed


def test_importance_bars(result):
    s = sensitivity(result, space=SPACE, surrogate="forest", n_pairs=0)
    fig = plot.plot_importance(s)
    (ax,) = fig.axes
    assert {t.get_text() for t in ax.get_yticklabels()} == set(SPACE.names)
    fig = plot.plot_importance(result, space=SPACE, surrogate="ped")
    assert isinstance(fig, Figure)


def test_partial_dependence_matrix(result):
    fig = plot.plot_partial_dependence(result, space=SPACE, n_samples=20)
    assert len(fig.axes) == 6  # 3 diagonal + 3 below it, nothing above
    diag_lr, _lr_layers, _diag_layers, lr_act, layers_act, diag_act = fig.axes
    # a column shares its parameter's axis; only the outer panels carry values
    assert diag_lr.get_shared_x_axes().joined(diag_lr, lr_act)
    assert layers_act.get_shared_y_axes().joined(layers_act, lr_act)
    assert not any(t.get_visible() for t in layers_act.get_yticklabels())
    assert any(t.get_visible() for t in lr_act.get_yticklabels())
    lo, hi = diag_act.get_xlim()  # the end levels of a categorical stay inside the panel
    assert lo < 0 and hi > 1
    fig = plot.plot_partial_dependence(result, ["lr"], space=SPACE, n_samples=10)
    assert len(fig.axes) == 1


def test_slice_and_parallel_coordinates(result, optimizer):
    fig = plot.plot_slice(optimizer)
    assert len(fig.axes) == 3 and fig.axes[0].get_xscale() == "log"
    fig = plot.plot_parallel_coordinates(result, space=SPACE)
    (ax,) = fig.axes
    n_complete = len(result.trials) - result.n_failed
    assert len(ax.get_lines()) == n_complete + 1 + 3  # trials, the best again, 3 axes


def test_search_cv():
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    from hpo.sklearn import SearchCV

    X, y = load_iris(return_X_y=True)
    search = SearchCV(
        SVC(), {"C": Real(1e-2, 1e2, log=True)}, optimizer="random", n_iter=6, random_state=0
    )
    search.fit(X, y)
    assert isinstance(plot.plot_evaluations(search), Figure)
    assert isinstance(plot.plot_convergence(search), Figure)


def test_pareto_front_plot_highlights_the_non_dominated_trials():
    from hpo import GeneticAlgorithm
    from hpo.plot import plot_pareto_front
    from hpo.problems import get_problem

    problem = get_problem("zdt1:dim=4")
    opt = GeneticAlgorithm(problem.space, n_objectives=2, seed=0)
    for _ in range(40):
        params = opt.ask()
        opt.tell(params, problem(params))
    opt.tell(opt.ask(), [float("nan"), 1.0])  # one failed trial, reported in the title
    fig = plot_pareto_front(opt, problem=problem)
    ax = fig.axes[0]
    assert ax.get_title() == "40 completed, 1 failed"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "true front",
        "reference point",
        "evaluations",
        f"front ({len(opt.pareto_front)})",
    ]
    front = ax.collections[-1].get_offsets()
    assert len(front) == len(opt.pareto_front)
    with pytest.raises(ValueError, match="two objectives"):
        plot_pareto_front([_three_objective_trial()])


def _three_objective_trial():
    from hpo.trial import Trial, TrialStatus

    trial = Trial(number=0, params={"x": 0.0})
    trial.value, trial.status = (1.0, 2.0, 3.0), TrialStatus.COMPLETE
    return trial
