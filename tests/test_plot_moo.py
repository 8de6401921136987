"""Figures of multi-objective runs (hpo/plot_moo.py, re-exported by hpo.plot)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from hpo import RandomSearch, minimize
from hpo.plot import plot_attainment, plot_fronts, plot_hypervolume
from hpo.plot_moo import _staircase, objective_points
from hpo.problems import get_problem

PROBLEM = get_problem("zdt1:dim=2")


@pytest.fixture(scope="module")
def runs():
    return {
        opt: [
            minimize(PROBLEM, PROBLEM.space, opt, 12, seed=s, options={"n_objectives": 2})
            for s in range(3)
        ]
        for opt in ("random", "ga")
    }


def test_objective_points_of_every_kind_of_run(runs):
    result = runs["random"][0]
    F = objective_points(result)
    assert F.shape == (12, 2)
    np.testing.assert_array_equal(objective_points(result.trials), F)
    np.testing.assert_array_equal(objective_points(F), F)
    opt = RandomSearch(PROBLEM.space, n_objectives=2, seed=0)
    p = opt.ask()
    opt.tell(p, [float("nan"), 1.0])  # failed: a NaN row keeps the evaluation order
    assert np.isnan(objective_points(opt)).all()
    with pytest.raises(TypeError, match="run must be"):
        objective_points(3.0)


def test_staircase_bounds_the_dominated_region():
    xs, ys = _staircase(np.array([[0.5, 0.2], [0.2, 0.6]]), (1.0, 1.0))
    assert list(zip(xs, ys)) == [(0.2, 1.0), (0.2, 0.6), (0.5, 0.6), (0.5, 0.2), (1.0, 0.2)]
    xs, ys = _staircase(np.array([[0.5, 2.0]]), (1.0, 1.0))  # above the box: no drop from r
    assert list(zip(xs, ys)) == [(0.5, 2.0), (1.0, 2.0)]


def test_fronts_attainment_and_hypervolume_figures_draw(runs):
    fig = plot_fronts({k: v[0] for k, v in runs.items()}, problem=PROBLEM)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "true front" in labels and any(lab.startswith("ga (") for lab in labels)
    fig = plot_attainment(runs, problem=PROBLEM, percentiles=(50,))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][-2:] == ["random", "ga"]
    fig = plot_hypervolume(
        runs, reference_point=PROBLEM.reference_point, max_hypervolume=PROBLEM.max_hypervolume
    )
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    for line in ax.get_lines():  # the median regret never increases
        assert np.all(np.diff(line.get_ydata()) <= 1e-15)
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_fronts_need_two_objectives():
    with pytest.raises(ValueError, match="two objectives"):
        plot_fronts(np.ones((3, 3)))


def test_hypervolume_without_a_maximum_is_drawn_rising_on_a_linear_axis(runs):
    fig = plot_hypervolume({"ga": runs["ga"]}, reference_point=PROBLEM.reference_point)
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    assert ax.get_yscale() == "linear" and np.all(np.diff(line.get_ydata()) >= 0)
