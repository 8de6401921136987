"""Figures and the report of multi-fidelity studies (hpo.bench.mfreport)."""

from hpo.bench.mfreport import write_mf_report
from hpo.bench.report import summary_table, write_report


def test_the_report_of_a_multi_fidelity_study_writes_its_tables_and_figures(tmp_path, mf):
    recs = [mf.record("random", s, final=1.0) for s in range(2)]
    recs += [mf.record("asha@2w", s, workers=2, optimum=0.0) for s in range(2)]
    recs += [mf.record("asha", s, optimum=0.0) for s in range(2)]
    paths = write_report(recs, tmp_path, formats=("png",))
    names = {p.name for p in paths}
    assert {"mf_final.md", "mf_targets.csv", "mf_regret_cost.png", "report.md"} <= names
    assert "mf_regret_time.png" in names  # two worker counts
    assert "Final loss at full fidelity" in summary_table(recs)
    one = write_mf_report(recs[:2], tmp_path / "one", formats=())
    assert {p.name for p in one} >= {"mf_final.md", "report.md"}
