"""Study figures of multi-objective problems, and the report that writes them."""

import numpy as np
import pytest

from hpo.bench.moplots import attainment_figure, fronts_figure, median_run
from hpo.bench.report import write_report
from hpo.bench.runner import run_study
from hpo.bench.summaries import study_traces


@pytest.fixture(scope="module")
def records():
    return run_study(["random", "ga"], ["zdt1:dim=2", "branin"], seeds=3, n_trials=10, n_jobs=1)


def test_median_run_is_the_middle_seed_by_final_regret(records):
    pt = study_traces(records)["zdt1:dim=2"]
    finals = {r.seed: r.hypervolume_regret()[-1] for r in pt.records["random"]}
    chosen = median_run(pt, "random")
    assert finals[chosen.seed] == sorted(finals.values())[1]


def test_figures_have_one_panel_per_two_objective_problem(records):
    study = study_traces(records)
    for fig in (fronts_figure(study), attainment_figure(study)):
        assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    single = study_traces([r for r in records if r.problem == "branin"])
    assert fronts_figure(single) is None and attainment_figure(single) is None


@pytest.mark.slow
def test_the_report_of_a_multi_objective_study(records, tmp_path):
    written = {p.name for p in write_report(records, tmp_path, formats=("png",))}
    assert {"pareto_fronts.png", "attainment.png", "convergence.png"} <= written
    summary = (tmp_path / "summary.md").read_text()
    assert "log10 HV regret" in summary and "log10 regret" in summary
    assert "hypervolume regret" in (tmp_path / "report.md").read_text()
    row = next(line for line in summary.splitlines() if line.startswith("| zdt1"))
    pt = study_traces(records)["zdt1:dim=2"]
    median = np.median(np.log10(pt.traces["random"][1][:, -1]))
    assert f"{median:.2f}" in row
