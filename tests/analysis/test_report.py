import pytest

from hpo.cli import main


@pytest.mark.slow
def test_hpo_analyze_writes_table_and_figures(tmp_path, capsys):
    trials = tmp_path / "trials.json"
    assert main(["run", "--optimizer", "random", "--problem", "ishigami", "--n-trials", "40",
                 "--json", str(trials)]) == 0  # fmt: skip
    out = tmp_path / "analysis"
    assert main(["analyze", str(trials), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "| parameter | forest first" in text
    table = (out / "importance.md").read_text()
    for name in ("x0", "x1", "x2"):
        assert f"| {name} |" in table
    for stem in ("convergence", "evaluations", "importance", "partial_dependence", "slice",
                 "parallel_coordinates"):  # fmt: skip
        assert (out / f"{stem}.png").stat().st_size > 1000


def test_hpo_analyze_refuses_a_missing_file(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.json"), "--out", str(tmp_path)]) == 2
    assert "no trials file" in capsys.readouterr().err
