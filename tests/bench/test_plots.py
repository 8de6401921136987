import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.figure import Figure

from hpo.bench import plots
from hpo.bench.records import RunRecord
from hpo.bench.summaries import study_traces


def rec(opt, problem, seed, values, optimum):
    trials = [
        dict(number=i, params={}, value=v, status="complete" if v is not None else "failed",
             error=None, ask_time=1e-3 * (1 + i), tell_time=1e-3, eval_time=1e-2, info={})
        for i, v in enumerate(values)
    ]  # fmt: skip
    return RunRecord(opt, problem, seed, len(values), optimum, trials, 1.0)


@pytest.fixture(scope="module")
def study():
    """Three optimizers, a problem with f* (grid hits it exactly) and a real task, 3 seeds."""
    records = []
    for s in range(3):
        for k, opt in enumerate(("grid", "bayes", "my-variant")):
            regret = [10.0 ** (1 - (k + 1) * t / 4 - 0.1 * s) for t in range(12)]
            if opt == "grid":
                regret[6:] = [0.0] * 6
            values = [0.4 + r for r in regret]
            values[3] = None
            records.append(rec(opt, "branin", s, values, 0.4))
            records.append(
                rec(opt, "mlp:data=iris", s, [1 / (t + k + s + 1) for t in range(12)], None)
            )
    return study_traces(records)


REFS = {"mlp:data=iris": {"best_known": 0.0, "random_median": 1 / np.arange(1, 13)}}


def test_known_optimizers_have_fixed_colours_and_others_a_stable_distinct_one():
    colors = plots.optimizer_colors(["bayes", "random", "zz", "aa"])
    assert list(colors) == ["bayes", "random", "zz", "aa"]
    assert colors["bayes"] == plots.OPTIMIZER_COLORS["bayes"]
    assert colors["random"] == plots.OPTIMIZER_COLORS["random"]
    assert plots.optimizer_colors(["zz"])["zz"] == plots.optimizer_colors(["bayes", "zz"])["zz"]
    unknown = [f"variant-{i}" for i in range(8)]
    fallback = plots.optimizer_colors(unknown)
    assert fallback == plots.optimizer_colors(list(reversed(unknown)))  # order-free
    assert len(set(fallback.values())) == 8
    assert not set(fallback.values()) & set(plots.OPTIMIZER_COLORS.values())
    assert all(mcolors.is_color_like(c) for c in fallback.values())


def _line_colors(ax):
    return {line.get_color() for line in ax.get_lines()}


def test_convergence_panels_axes_and_colours(study):
    colors = plots.optimizer_colors(["grid", "bayes", "my-variant"])
    fig = plots.convergence_figure(study, references=REFS)
    regret_ax, loss_ax = [ax for ax in fig.axes if ax.get_visible()]
    assert regret_ax.get_title() == "branin" and regret_ax.get_yscale() == "log"
    assert loss_ax.get_yscale() == "linear" and "loss" in loss_ax.get_ylabel()
    assert set(colors.values()) <= _line_colors(regret_ax)
    # the grid reaches the floor, never 0, on the log axis
    grid_line = next(line for line in regret_ax.get_lines() if line.get_color() == colors["grid"])
    assert np.nanmin(grid_line.get_ydata()) == pytest.approx(1e-12)
    texts = [t.get_text() for t in loss_ax.texts]
    assert any("best known" in t for t in texts)
    legend_texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend_texts == ["grid", "bayes", "my-variant"]
    timed = plots.convergence_figure(study, x="time")
    assert all(ax.get_xscale() == "log" for ax in timed.axes if ax.get_visible())
    with pytest.raises(ValueError, match="x must"):
        plots.convergence_figure(study, x="trials")


def test_figures_absent_when_the_study_cannot_support_them(study):
    single = study_traces([rec("bayes", "p", 0, [1.0, 0.5], None)])
    assert plots.rank_figure(single) is None
    assert plots.ecdf_figure(single) is None
    assert plots.score_figure(study, None) is None
    assert isinstance(plots.boxplot_figure(single), Figure)


def test_cd_diagram_draws_one_bar_per_group():
    fig = plots.cd_diagram(["a", "b", "c", "d"], np.array([1.5, 3.9, 1.0, 2.2]), cd=1.3)
    (ax,) = fig.axes
    bars = [line for line in ax.get_lines() if line.get_linewidth() > 3]
    assert len(bars) == 1  # c, a and d are within CD; b stands alone
    (bar,) = bars
    np.testing.assert_allclose(bar.get_xdata(), [1.0, 2.2], atol=0.1)  # c to d
    labels = {t.get_text() for t in ax.texts}
    assert {"c (1.00)", "a (1.50)", "d (2.20)", "b (3.90)", "CD = 1.30"} <= labels
    with pytest.raises(ValueError, match="one rank per name"):
        plots.cd_diagram(["a", "b"], np.array([1.0]), cd=1.0)


@pytest.mark.slow
def test_every_figure_writes_non_empty_png_and_pdf(study, tmp_path):
    figures = {
        "convergence": plots.convergence_figure(study, references=REFS),
        "time": plots.convergence_figure(study, x="time"),
        "score": plots.score_figure(study, REFS),
        "ranks": plots.rank_figure(study),
        "boxes": plots.boxplot_figure(study),
        "cd": plots.cd_diagram(["grid", "bayes", "my-variant"], np.array([2.5, 2.0, 1.5]), 1.9),
        "ecdf": plots.ecdf_figure(study),
    }
    for name, fig in figures.items():
        formats = ("png", "pdf") if name in ("convergence", "cd") else ("png",)
        paths = plots.save_figure(fig, tmp_path / name, formats)
        assert [p.suffix for p in paths] == [f".{f}" for f in formats]
        for path in paths:
            head = path.read_bytes()[:8]
            assert head.startswith(b"\x89PNG" if path.suffix == ".png" else b"%PDF")
            assert path.stat().st_size > 5000


def test_ecdf_counts_problems_with_a_known_optimum(study):
    fig = plots.ecdf_figure(study)
    (ax,) = fig.axes
    assert "over 1 problem, 51 regret targets 1e2 .. 1e-8" in ax.get_title()
    ys = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    # the grid ends below every target on each seed: everything solved
    assert ys["grid"][-1] == 1.0 and ys["bayes"][-1] < 1.0
    assert all(np.all(np.diff(y) >= 0) for y in ys.values())
