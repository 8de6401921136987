"""Grid, random and the GA on conditional spaces (issue 13); the others refuse them."""

import json

import numpy as np
import pytest

from hpo import (
    Categorical,
    GeneticAlgorithm,
    GridSearch,
    Integer,
    RandomSearch,
    Real,
    SearchExhausted,
    Space,
)

SUPPORTED = [GridSearch, RandomSearch, GeneticAlgorithm]


def tree_space() -> Space:
    return Space(
        {
            "model": Categorical(["mlp", "svm", "forest"]),
            "solver": Categorical(["adam", "sgd"], when={"model": "mlp"}),
            "momentum": Real(0.0, 0.99, when={"solver": "sgd"}),
            "alpha": Real(1e-5, 1e-1, log=True, when={"model": ["mlp", "svm"]}),
            "C": Real(1e-2, 1e2, log=True, when={"model": "svm"}),
            "trees": Integer(10, 200, log=True, when={"model": "forest"}),
        }
    )


def loss(params: dict) -> float:
    return sum(float(v) for v in params.values() if isinstance(v, (int, float)))


def run(cls, seed, n=40, space=None):
    opt = cls(space or tree_space(), seed=seed)
    asked = []
    try:
        for i in range(n):
            batch = opt.ask(3) if i % 4 == 0 else [opt.ask()]
            asked += batch
            opt.tell(batch, [loss(p) for p in batch])
    except SearchExhausted:
        pass
    return opt, asked


@pytest.mark.parametrize("cls", SUPPORTED)
def test_proposals_hold_exactly_the_active_parameters_and_are_distinct(cls):
    space = tree_space()
    _, asked = run(cls, seed=0)
    assert asked
    for params in asked:
        assert space.validate(params) == params  # in the space, nothing inactive, nothing missing
        assert list(params) == space.active_names(params)
    keys = {json.dumps(p, sort_keys=True) for p in asked}
    assert len(keys) == len(asked)
    assert {p["model"] for p in asked} == {"mlp", "svm", "forest"}


@pytest.mark.parametrize("cls", SUPPORTED)
def test_same_seed_same_proposals(cls):
    assert run(cls, seed=3)[1] == run(cls, seed=3)[1]
    assert run(cls, seed=3)[1] != run(cls, seed=4)[1]


@pytest.mark.parametrize("cls", SUPPORTED)
def test_a_finite_tree_is_visited_once_per_configuration(cls):
    space = Space(
        {
            "a": Categorical(["x", "y", "z"]),
            "b": Integer(1, 3, when={"a": ["x", "y"]}),
            "c": Categorical([0, 1], when={"b": 2}),
        }
    )
    _, asked = run(cls, seed=1, n=50, space=space)
    keys = {json.dumps(p, sort_keys=True) for p in asked}
    assert len(keys) == len(asked) == space.n_configs == 9


@pytest.mark.parametrize("cls", SUPPORTED)
def test_save_and_load_resume_a_conditional_run(cls, tmp_path):
    opt, _ = run(cls, seed=2, n=5)
    opt.save(tmp_path / "opt.pkl")
    again = cls.load(tmp_path / "opt.pkl")
    assert again.space == opt.space
    assert again.ask(4) == opt.ask(4)


def test_warm_starts_must_hold_the_active_set():
    opt = RandomSearch(tree_space(), seed=0)
    opt.tell({"model": "forest", "trees": 50}, 1.0)
    with pytest.raises(ValueError, match="'C' is inactive"):
        opt.tell({"model": "forest", "trees": 60, "C": 1.0}, 1.0)
    with pytest.raises(ValueError, match="'trees' is missing"):
        opt.tell({"model": "forest"}, 1.0)


def test_the_ga_keeps_inactive_genes_but_neither_expresses_nor_compares_them():
    space = tree_space()
    opt, _ = run(GeneticAlgorithm, seed=5, n=40)
    genomes = [opt._unit[t.number] for t in opt.trials if t.info.get("origin") == "offspring"]
    assert genomes and all(g.shape == (space.dim,) for g in genomes)
    # Some child carries a gene its configuration does not express, unlike a re-encoding.
    differs = [
        not np.array_equal(opt._unit[t.number], space.to_unit(t.params))
        for t in opt.trials
        if t.info.get("origin") == "offspring"
    ]
    assert any(differs)
    for t in opt.trials:
        assert space.from_unit(opt._unit[t.number]) == t.params


def test_optimizers_without_conditional_support_refuse_naming_issue_13():
    class FlatOnly(RandomSearch):  # bayes now handles them (test_bayes_conditional.py)
        supports_conditional = False

    with pytest.raises(NotImplementedError, match="issue 13"):
        FlatOnly(tree_space(), seed=0)
