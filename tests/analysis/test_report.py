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


def test_hpo_analyze_of_two_objectives_draws_the_front(tmp_path, capsys):
    import json

    from hpo.moo import is_non_dominated
    from hpo.optimizers import RandomSearch
    from hpo.problems import get_problem

    p = get_problem("zdt1:dim=3")
    opt = RandomSearch(p.space, n_objectives=2, seed=0)
    for params in opt.ask(20):
        opt.tell(params, p(params))
    opt.tell(opt.ask(), [float("nan"), 1.0])  # a failed trial
    record = {"problem": "zdt1:dim=3", "optimizer": "random",
              "trials": [t.to_dict() for t in opt.trials]}  # fmt: skip
    trials = tmp_path / "trials.json"
    trials.write_text(json.dumps(record))
    out = tmp_path / "analysis"
    assert main(["analyze", str(trials), "--out", str(out)]) == 0
    assert "Pareto front" in capsys.readouterr().out
    front = (out / "front.md").read_text()
    points = [t.value for t in opt.trials if t.ok]
    n_front = int(is_non_dominated(points).sum())
    assert f"Pareto front: {n_front} of 20 completed trials (1 failed)" in front
    assert len([line for line in front.splitlines() if line.startswith("| ") and
                line[2].isdigit()]) == n_front  # fmt: skip
    table = (out / "importance.md").read_text()
    assert "## Objective f1" in table and "## Objective f2" in table
    assert table.count("| x0 |") == 2
    assert (out / "pareto_front.png").stat().st_size > 1000
    assert not (out / "convergence.png").exists()  # no single loss to converge


def test_single_loss_figures_point_to_the_front():
    from hpo import plot
    from hpo.optimizers import RandomSearch
    from hpo.problems import get_problem

    p = get_problem("zdt1:dim=3")
    opt = RandomSearch(p.space, n_objectives=2, seed=0)
    for params in opt.ask(6):
        opt.tell(params, p(params))
    with pytest.raises(ValueError, match="plot_pareto_front"):
        plot.plot_evaluations(opt)
    assert plot.plot_pareto_front(opt).axes
