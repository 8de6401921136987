"""Study definitions: building, loading TOML files, and refusing bad ones before any work."""

import sys
from pathlib import Path

import pytest

from hpo.bench.study import (
    OptimizerEntry,
    ProblemEntry,
    Study,
    StudyError,
    check_study,
    find_study,
    load_study,
    studies_dir,
)
from hpo.optimizers import optimizer_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GOOD = """
description = "a small study"
n_trials = 12
seeds = 3
problems = [
    "branin",
    "ackley:shift=0,dim=3",
    { problem = "hartmann3", n_trials = 5, seeds = [7, 9] },
]

[[optimizers]]
name = "random"

[[optimizers]]
label = "random-sobol"
name = "random"
options = { design = "sobol" }
"""


def write(tmp_path, text, name="study.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_build_normalizes_loose_entries():
    study = Study.build(
        ["random", {"label": "g3", "name": "grid", "options": {"points_per_axis": 3}}],
        ["branin", {"problem": "hartmann3", "seeds": 2}],
        seeds=[4, 1],
        n_trials=10,
    )
    assert study.optimizers == (
        OptimizerEntry("random", "random", {}),
        OptimizerEntry("g3", "grid", {"points_per_axis": 3}),
    )
    assert study.problems == (ProblemEntry("branin"), ProblemEntry("hartmann3", None, (0, 1)))
    assert study.seeds == (4, 1) and study.n_trials == 10


def test_runs_pair_every_optimizer_with_every_seed_and_problem():
    study = Study.build(
        ["random", "grid"], ["branin", {"problem": "hartmann3", "n_trials": 4, "seeds": 1}], 2, 9
    )
    runs = study.runs()
    assert [r.key for r in runs] == [
        ("random", "branin", 0),
        ("grid", "branin", 0),
        ("random", "branin", 1),
        ("grid", "branin", 1),
        ("random", "hartmann3", 0),
        ("grid", "hartmann3", 0),
    ]
    assert [r.n_trials for r in runs] == [9, 9, 9, 9, 4, 4]


def test_an_expensive_optimizer_can_run_the_first_seeds_only():
    study = Study.build(
        ["random", {"name": "grid", "max_seeds": 2}],
        ["branin", {"problem": "hartmann3", "seeds": [9, 4, 7]}],
        [3, 1, 0],
        5,
    )
    keys = {r.key for r in study.runs()}
    assert {s for o, p, s in keys if o == "random" and p == "branin"} == {3, 1, 0}
    assert {s for o, p, s in keys if o == "grid" and p == "branin"} == {3, 1}
    assert {s for o, p, s in keys if o == "grid" and p == "hartmann3"} == {9, 4}
    assert study.to_dict()["optimizers"][1]["max_seeds"] == 2
    with pytest.raises(StudyError, match=r"optimizers\[0\]\.max_seeds"):
        Study.build([{"name": "grid", "max_seeds": 0}], ["branin"], 3, 5)


def test_overrides_replace_every_budget_and_seed_list():
    study = Study.build(["random"], ["branin", {"problem": "hartmann3", "seeds": [5]}], 4, 20)
    small = study.with_overrides(seeds=2, n_trials=3)
    assert {(r.problem, r.seed, r.n_trials) for r in small.runs()} == {
        ("branin", 0, 3),
        ("branin", 1, 3),
        ("hartmann3", 0, 3),
        ("hartmann3", 1, 3),
    }
    assert study.with_overrides() == study


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"optimizers": ["random", "random"]}, "label 'random' is used twice"),
        ({"optimizers": []}, "at least one optimizer"),
        ({"optimizers": "random"}, "optimizers must be a list"),
        ({"optimizers": [{"name": "random", "option": {}}]}, "unknown key 'option'"),
        ({"optimizers": [{"name": 3}]}, r"optimizers\[0\]\.name"),
        ({"optimizers": [{"name": "random", "options": [1]}]}, r"optimizers\[0\]\.options"),
        ({"problems": []}, "at least one problem"),
        ({"problems": [3]}, r"problems\[0\]"),
        ({"problems": [{"problem": "branin", "n_trials": 0}]}, r"problems\[0\]\.n_trials"),
        ({"seeds": 0}, "seeds must be a positive integer"),
        ({"seeds": [1, -2]}, "non-negative"),
        ({"seeds": [1, 1]}, "repeated seed"),
        ({"seeds": [True]}, "non-negative integers"),
        ({"seeds": "3"}, "seeds must be"),
        ({"n_trials": 2.5}, "n_trials must be a positive integer"),
    ],
)
def test_build_refuses_malformed_definitions(kwargs, match):
    args = {"optimizers": ["random"], "problems": ["branin"], "seeds": 2, "n_trials": 5, **kwargs}
    with pytest.raises(StudyError, match=match):
        Study.build(**args)


def test_a_file_loads_into_a_study(tmp_path):
    study = load_study(write(tmp_path, GOOD))
    assert study.description == "a small study"
    assert [o.label for o in study.optimizers] == ["random", "random-sobol"]
    assert study.optimizers[1].options == {"design": "sobol"}
    assert study.problems[2] == ProblemEntry("hartmann3", 5, (7, 9))
    assert len(study.runs()) == 2 * (3 + 3 + 2)


def test_check_study_builds_everything_and_canonicalizes_specs(tmp_path):
    study = check_study(load_study(write(tmp_path, GOOD)))
    assert [p.problem for p in study.problems] == ["branin", "ackley:dim=3,shift=0", "hartmann3"]
    d = study.to_dict()
    assert d["problems"][1] == {
        "problem": "ackley:dim=3,shift=0",
        "n_trials": 12,
        "seeds": [0, 1, 2],
    }
    assert d["optimizers"][1] == {
        "label": "random-sobol",
        "name": "random",
        "options": {"design": "sobol"},
        "max_seeds": None,
    }


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("n_trials = [", "malformed TOML"),
        ("n_trials = 3\nseeds = 2\nproblems = ['branin']\nfoo = 1\n", "unknown key 'foo'"),
        ("n_trials = 3\nseeds = 2\n[[optimizers]]\nname = 'random'\n", "missing key 'problems'"),
        (GOOD.replace("n_trials = 12", 'n_trials = "12"'), "n_trials must be a positive integer"),
        (GOOD.replace("seeds = 3", "seeds = 3.0"), "seeds must be"),
        (GOOD.replace('options = { design = "sobol" }', "options = 3"), "options must be a table"),
    ],
)
def test_bad_files_are_refused_with_one_line_naming_the_file(tmp_path, text, match):
    path = write(tmp_path, text)
    with pytest.raises(StudyError, match=match) as info:
        load_study(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message


def test_a_missing_file_is_a_study_error(tmp_path):
    with pytest.raises(StudyError, match="cannot read"):
        load_study(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("optimizers", "problems", "match"),
    [
        (["nope"], ["branin"], "optimizer 'nope': unknown name 'nope'"),
        (["random"], ["nope:dim=2"], "problem 'nope:dim=2': unknown name 'nope'"),
        (["random"], ["ackley:dim=0"], "problem 'ackley:dim=0'"),
        (["random"], ["branin", "branin"], "'branin' appears twice"),
        ([{"name": "random", "options": {"colour": 1}}], ["branin"], "no option 'colour'"),
        ([{"name": "random", "options": {"design": "x"}}], ["branin"], "optimizer 'random' on"),
    ],
)
def test_check_study_refuses_unknown_names_and_bad_options(optimizers, problems, match):
    with pytest.raises(StudyError, match=match):
        check_study(Study.build(optimizers, problems, 1, 5))


def test_a_missing_peer_library_names_the_extra(monkeypatch):
    from hpo import peers

    monkeypatch.setattr(peers, "available", lambda name: False)
    with pytest.raises(StudyError, match=r"optimizer 'optuna-tpe'.*peers\]"):
        check_study(Study.build(["random", "optuna-tpe"], ["branin"], 1, 5))


def test_studies_are_found_by_name_or_path(tmp_path):
    assert find_study("quick") == studies_dir() / "quick.toml"
    path = write(tmp_path, GOOD)
    assert find_study(str(path)) == path
    with pytest.raises(StudyError, match=r"known: .*paper.*quick"):
        find_study("no-such-study")


def test_the_built_in_studies_ship_inside_the_package():
    import hpo

    package = Path(hpo.__file__).resolve().parent
    assert studies_dir().parent == package / "bench"
    assert {p.name for p in studies_dir().glob("*.toml")} >= {"quick.toml", "paper.toml"}
    repo = package.parent
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():  # a source checkout: declared as package data, and one copy only
        data = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
        assert "studies/*.toml" in data["hpo.bench"]
        link = repo / "benchmarks" / "studies"
        assert link.resolve() == studies_dir()


@pytest.mark.parametrize(
    ("seeds", "match"),
    [
        ([2**63], r"at most 2\*\*63 - 1"),
        (10**12, "seeds must be at most 100,000"),
    ],
)
def test_seeds_that_cannot_be_stored_are_refused(seeds, match):
    with pytest.raises(StudyError, match=match):
        Study.build(["random"], ["branin"], seeds, 5)
    assert Study.build(["random"], ["branin"], [2**63 - 1], 5).seeds == (2**63 - 1,)


def test_a_budget_beyond_what_a_record_can_hold_is_refused():
    with pytest.raises(StudyError, match="n_trials must be at most 1,000,000"):
        Study.build(["random"], ["branin"], 1, 10**12)
    study = Study.build(["random"], ["branin"], 1, 5)
    with pytest.raises(StudyError, match="n_trials must be at most"):
        study.with_overrides(n_trials=10**7)


@pytest.mark.parametrize("name", ["quick", "paper"])
def test_the_shipped_studies_are_valid(name):
    study = load_study(find_study(name))
    labels = {o.label for o in study.optimizers}
    assert {"grid", "random", "bayes", "ga"} <= labels
    specs = [p.spec for p in study.problems]
    assert any("shift=" in spec for spec in specs)
    if name == "paper":
        assert {"skopt-gp", "optuna-gp", "optuna-tpe", "pymoo-ga"} <= labels
        assert study.seeds == tuple(range(20))
        # every centre-optimum function comes with a shifted-domain variant
        for spec in specs:
            if spec.split(":")[0] in ("ackley", "rastrigin", "griewank", "zakharov", "powell"):
                twin = spec + (",shift=0" if ":" in spec else ":shift=0")  # powell:shift=0
                assert twin in specs or "shift=0" in spec
        assert any(spec.startswith("mlp_") for spec in specs)
    names = set(optimizer_names())
    if all(o.name in names for o in study.optimizers):
        check_study(study)


def test_multi_fidelity_peers_get_the_problem_fidelity():
    from hpo.bench.study import optimizer_options
    from hpo.problems import get_problem

    problem = get_problem("augmented_hartmann")
    assert optimizer_options("optuna-hyperband", {}, problem)["fidelity"] == problem.fidelity
    assert optimizer_options("hyperband", {}, problem)["fidelity"] == problem.fidelity
    assert "fidelity" not in optimizer_options("optuna-hyperband", {}, get_problem("branin"))
