"""The tree-structured Jenatton function (issue 13)."""

import numpy as np
import pytest

from hpo.problems import get_problem, list_problems
from hpo.problems.conditional import Jenatton


def test_registered_and_equal_to_its_optimum_at_the_minimizer():
    assert "jenatton" in list_problems()
    p = get_problem("jenatton")
    assert isinstance(p, Jenatton) and p.space.is_conditional and p.name == "jenatton"
    assert p(dict(p.minimizer)) == pytest.approx(p.optimum, abs=1e-15)
    assert p.optimum == 0.1


def test_no_configuration_beats_the_optimum_and_each_leaf_has_its_offset():
    p = get_problem("jenatton")
    values = [p(c) for c in p.space.sample(np.random.default_rng(0), 500)]
    assert min(values) > p.optimum
    leaf_min: dict[int, float] = {}
    for c in p.space.grid(2):  # the bounds 0 and 1 of every real: each leaf's corner
        leaf = 2 * c["x1"] + c.get("x2", c.get("x3"))
        leaf_min[leaf] = min(leaf_min.get(leaf, np.inf), p(c))
    assert [leaf_min[k] for k in range(4)] == pytest.approx([0.1, 0.2, 0.3, 0.4], abs=1e-15)


def test_the_flat_version_agrees_on_active_values_and_ignores_the_rest():
    tree, flat = get_problem("jenatton"), get_problem("jenatton:flat=True")
    assert not flat.space.is_conditional and flat.name == "jenatton:flat=True"
    for full in flat.space.sample(np.random.default_rng(1), 50):
        assert flat(full) == tree(tree.space.active(full))


def test_inactive_parameters_are_refused():
    p = get_problem("jenatton")
    with pytest.raises(ValueError, match="'x5' is inactive"):
        p({"x1": 0, "x2": 0, "x4": 0.0, "r8": 0.0, "x5": 0.3})


def test_a_study_journal_of_the_tree_holds_exactly_the_active_parameters(tmp_path):
    from hpo.bench.journal import load_journal
    from hpo.bench.runner import run_study

    path = tmp_path / "journal.jsonl"
    run_study(["random", "ga"], ["jenatton"], seeds=1, n_trials=12, journal=path, n_jobs=1)
    records = load_journal(path)
    space = get_problem("jenatton").space
    assert len(records) == 2
    for record in records:
        assert len(record.trials) == 12
        for trial in record.trials:  # Trial.to_dict() of each trial, read back from JSON
            assert space.validate(trial["params"]) == trial["params"]
