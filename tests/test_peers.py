"""Adapters of peer libraries (scikit-optimize, Optuna, pymoo): what the contract suite in
tests/optimizers/test_contract.py does not check."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from hpo import Categorical, Integer, Real, Space
from hpo.optimizers import make_optimizer
from hpo.peers import PEERS, available, require

LIBRARY = {
    "skopt-gp": "skopt",
    "optuna-gp": "optuna",
    "optuna-tpe": "optuna",
    "pymoo-ga": "pymoo",
    "cma-es": "cma",
    "optuna-nsga2": "optuna",
    "pymoo-nsga2": "pymoo",
}
NAMES = sorted(LIBRARY)

SPACE = Space(
    {
        "lr": Real(1e-9, 1e-6, log=True),
        "momentum": Real(0.001, 0.999, logit=True),
        "dropout": Real(0.0, 0.5),
        "units": Integer(1, 1000, log=True),
        "layers": Integer(-2, 3),
        "sizes": Categorical([(100,), (100, 100), None, "auto", 7]),
    }
)
LOW = {"lr": 1e-9, "momentum": 0.001, "dropout": 0.0, "units": 1, "layers": -2, "sizes": (100,)}
HIGH = {"lr": 1e-6, "momentum": 0.999, "dropout": 0.5, "units": 1000, "layers": 3, "sizes": 7}


def objective(p):
    return (
        (math.log10(p["lr"]) + 7.5) ** 2
        + (p["momentum"] - 0.9) ** 2
        + p["dropout"]
        + math.log(p["units"]) / 10
        + abs(p["layers"])
        + (0.0 if p["sizes"] is None else 1.0)
    )


def build(name, space=SPACE, seed=0):
    pytest.importorskip(LIBRARY[name])
    return make_optimizer(name, space, seed=seed)


def run(opt, n):
    for _ in range(n):
        params = opt.ask()
        opt.tell(params, objective(params))
    return [t.params for t in opt.trials]


def test_every_peer_is_registered_under_its_name():
    assert sorted(PEERS) == NAMES
    for name, cls in PEERS.items():
        assert cls.name == name


# -- the space as each library sees it ----------------------------------------------------


@pytest.mark.peers
def test_skopt_sees_unit_reals_native_integers_and_choice_indices():
    opt = build("skopt-gp")
    dims = opt._opt.space.dimensions
    assert [d.name for d in dims] == list(SPACE.names)
    for d in dims[:3]:
        assert (d.low, d.high, d.prior) == (0.0, 1.0, "uniform")
    assert (dims[3].low, dims[3].high, dims[3].prior) == (1, 1000, "log-uniform")
    assert (dims[4].low, dims[4].high, dims[4].prior) == (-2, 3, "uniform")
    assert tuple(dims[5].categories) == (0, 1, 2, 3, 4)


@pytest.mark.peers
@pytest.mark.parametrize("name", ["optuna-gp", "optuna-tpe"])
def test_optuna_sees_unit_reals_native_integers_and_choice_indices(name):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    opt = build(name)
    assert list(opt._dists) == list(SPACE.names)
    for key in ("lr", "momentum", "dropout"):
        assert opt._dists[key] == FloatDistribution(0.0, 1.0)
    assert opt._dists["units"] == IntDistribution(1, 1000, log=True)
    assert opt._dists["layers"] == IntDistribution(-2, 3)
    assert opt._dists["sizes"] == CategoricalDistribution([0, 1, 2, 3, 4])


@pytest.mark.peers
def test_pymoo_searches_the_unit_cube():
    opt = build("pymoo-ga")
    problem = opt._algorithm.problem
    assert problem.n_var == SPACE.dim and problem.n_obj == 1
    np.testing.assert_array_equal(problem.xl, np.zeros(SPACE.dim))
    np.testing.assert_array_equal(problem.xu, np.ones(SPACE.dim))
    # every proposal is the hpo decoding of one individual of the population
    proposals = opt.ask(5)
    X = opt._population.get("X")
    decoded = [SPACE.from_unit(x) for x in X]
    assert all(p in decoded for p in proposals)


@pytest.mark.peers
@pytest.mark.parametrize("name", NAMES)
def test_native_vectors_round_trip_exactly(name):
    opt = build(name)
    configs = [LOW, HIGH, *SPACE.sample(np.random.default_rng(0), 20)]
    for params in configs:
        row = opt._to_native(params)
        assert row[3:5] == [params["units"], params["layers"]]
        assert all(type(v) is int for v in row[3:])
        assert all(type(v) is float and 0.0 <= v <= 1.0 for v in row[:3])
        back = opt._from_native(row)
        assert back == SPACE.from_unit(SPACE.to_unit(params))
        for key in ("units", "layers", "sizes"):
            assert back[key] == params[key] and type(back[key]) is type(params[key])
        for key in ("lr", "momentum", "dropout"):
            assert back[key] == pytest.approx(params[key], rel=2e-15, abs=0)


@pytest.mark.peers
@pytest.mark.parametrize("name", NAMES)
def test_log_and_logit_reals_reach_their_bounds(name):
    opt = build(name)
    assert opt._to_native(LOW)[:3] == [0.0, 0.0, 0.0]
    assert opt._to_native(HIGH)[:3] == [1.0, 1.0, 1.0]
    for bound, row in ((LOW, [0.0, 0.0, 0.0, 1, -2, 0]), (HIGH, [1.0, 1.0, 1.0, 1000, 3, 4])):
        params = opt._from_native(row)
        assert SPACE.validate(params) == params
        for key in ("lr", "momentum", "dropout"):
            # hpo's own decoding: to about 1e-15 relative (space.py)
            assert params[key] == pytest.approx(bound[key], rel=2e-15, abs=0)
        assert {k: params[k] for k in ("units", "layers", "sizes")} == {
            k: bound[k] for k in ("units", "layers", "sizes")
        }


@pytest.mark.peers
@pytest.mark.parametrize("name", NAMES)
def test_choice_indices_come_back_as_the_choice_objects(name):
    opt = build(name)
    row = opt._to_native(LOW)
    for i, choice in enumerate(SPACE["sizes"].choices):
        row[5] = i
        value = opt._from_native(row)["sizes"]
        assert value == choice and type(value) is type(choice)
    row[5] = 2
    assert opt._from_native(row)["sizes"] is None
    row[5] = 1
    assert opt._from_native(row)["sizes"] == (100, 100)


@pytest.mark.peers
@pytest.mark.parametrize("name", NAMES)
def test_proposals_have_python_types(name):
    opt = build(name)
    seen = set()
    for params in run(opt, 6):
        assert SPACE.validate(params) == params
        assert type(params["units"]) is int and type(params["layers"]) is int
        assert type(params["lr"]) is float and type(params["momentum"]) is float
        assert not any(isinstance(v, np.generic) for v in params.values())
        assert params["sizes"] is None or type(params["sizes"]) in (tuple, str, int)
        seen.add(repr(params["sizes"]))
    json.dumps([t.params for t in opt.trials])
    assert len(seen) > 1


# -- what reaches the library -------------------------------------------------------------


@pytest.mark.peers
@pytest.mark.parametrize("name", ["optuna-gp", "optuna-tpe"])
def test_optuna_receives_results_failures_and_warm_starts(name):
    import optuna

    opt = build(name)
    a, b = opt.ask(2)
    opt.tell(a, 1.5)
    opt.tell(b, float("nan"))
    opt.tell(HIGH, 0.25)  # not asked: a warm start at the upper bounds
    trials = opt._study.trials
    assert [t.state for t in trials] == [
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.FAIL,
        optuna.trial.TrialState.COMPLETE,
    ]
    assert trials[0].value == 1.5 and trials[1].value is None and trials[2].value == 0.25
    assert trials[2].params == dict(zip(SPACE.names, [1.0, 1.0, 1.0, 1000, 3, 4]))
    assert not opt._asked


@pytest.mark.peers
def test_skopt_keeps_failures_out_of_its_model_and_takes_warm_starts():
    opt = build("skopt-gp")
    a, b = opt.ask(2)
    opt.tell(a, 1.5)
    opt.tell(b, None)
    opt.tell(LOW, 0.25)
    assert opt._opt.yi == [1.5, 0.25]
    assert opt._opt.Xi == [opt._to_native(a), [0.0, 0.0, 0.0, 1, -2, 0]]


@pytest.mark.peers
def test_skopt_pending_points_are_not_proposed_again():
    opt = build("skopt-gp")
    first = opt.ask(3)
    second = opt.ask(3)  # skopt alone would forget the first three
    keys = {repr(sorted(p.items())) for p in first + second}
    assert len(keys) == 6
    assert opt._opt.Xi == []  # the lies were told to a copy, not to the optimizer


@pytest.mark.peers
def test_pymoo_breeds_when_the_whole_population_is_told():
    opt = build("pymoo-ga", Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}))
    size = opt._algorithm.pop_size
    assert size == 100
    first = opt.ask(size)
    population = opt._population
    extra = opt.ask(2)  # all handed out, none told: random configurations keep us busy
    assert opt._population is population and len(extra) == 2
    values = [p["x"] + p["y"] for p in first]
    opt.tell(first[:-1], values[:-1])
    assert opt._population is population  # one individual still untold
    opt.tell(first[-1], float("inf"))  # a failure: the worst fitness
    assert opt._population is None
    F = population.get("F")[:, 0]
    assert F[-1] == np.inf and np.isfinite(F[:-1]).all()
    second = opt.ask(5)
    assert opt._population is not None and opt._population is not population
    assert all(in_unit_square(p) for p in second)


def in_unit_square(p):
    return set(p) == {"x", "y"} and 0.0 <= p["x"] <= 1.0 and 0.0 <= p["y"] <= 1.0


@pytest.mark.peers
@pytest.mark.parametrize("name", ["optuna-gp", "optuna-tpe"])
def test_optuna_adapters_cannot_be_saved(name, tmp_path):
    opt = build(name)
    with pytest.raises(NotImplementedError, match=f"{name}.*cannot be saved"):
        opt.save(tmp_path / "opt.pkl")


@pytest.mark.peers
@pytest.mark.parametrize(("name", "before", "after"), [("skopt-gp", 3, 2), ("pymoo-ga", 98, 5)])
def test_picklable_adapters_resume_where_they_stopped(name, before, after, tmp_path):
    """The module notes: "Saving works where the library's objects can be pickled
    (scikit-optimize, pymoo)". pymoo's population is 100: its run is saved two individuals
    before the end of generation 0 and resumed into the bred generation 1."""
    opt = build(name, seed=3)
    run(opt, before)
    opt.save(tmp_path / "opt.pkl")
    resumed = type(opt).load(tmp_path / "opt.pkl")
    assert run(resumed, after) == run(opt, after)


# -- seeds ----------------------------------------------------------------------------------


@pytest.mark.peers
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_proposals(name):
    def trajectory(seed):
        opt = build(name, seed=seed)
        run(opt, 4)
        batch = opt.ask(3)
        return [t.params for t in opt.trials[:4]] + batch

    a, b, c = trajectory(11), trajectory(11), trajectory(12)
    assert a == b
    assert a != c


@pytest.mark.peers
@pytest.mark.slow
def test_optuna_gp_is_reproducible_past_its_startup_trials():
    space = Space({"x": Real(-1.0, 1.0), "k": Integer(0, 5)})

    def trajectory(seed):
        opt = build("optuna-gp", space, seed)
        for _ in range(11):  # Optuna's GPSampler fits its GP from the 11th trial on
            p = opt.ask()
            opt.tell(p, p["x"] ** 2 + (p["k"] - 2) ** 2)
        return [t.params for t in opt.trials]

    a, b = trajectory(0), trajectory(0)
    assert a == b
    assert len({repr(p) for p in a}) == 11


# -- a missing library ----------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_library_names_itself_and_the_install_command(name, monkeypatch):
    monkeypatch.setitem(sys.modules, LIBRARY[name], None)  # what "not installed" looks like
    assert not available(name)
    message = rf"optimizer '{name}' needs {LIBRARY[name]}: .*pip install -e \"\.\[peers\]\""
    with pytest.raises(ImportError, match=message):
        require(name)
    with pytest.raises(ImportError, match=message):
        PEERS[name](SPACE, seed=0)
    with pytest.raises(ImportError, match=message):
        make_optimizer(name, SPACE, seed=0)


def test_available_does_not_import_the_library():
    code = (
        "import sys\n"
        "from hpo.peers import available\n"
        "print([available(n) for n in ('skopt-gp', 'optuna-gp', 'optuna-tpe', 'pymoo-ga')])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('optuna', 'skopt', 'pymoo')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1] == "[]"


def test_hpo_never_imports_the_peer_libraries():
    code = (
        "import sys\n"
        "import hpo, hpo.optimizers, hpo.bench, hpo.peers\n"
        "from hpo.optimizers import optimizer_names\n"
        "names = optimizer_names()\n"
        "assert 'optuna-tpe' in names, names\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('optuna', 'skopt', 'pymoo')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- CMA-ES ---------------------------------------------------------------------------------


@pytest.mark.peers
def test_cma_es_searches_the_unit_cube_one_generation_at_a_time():
    space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(6)})
    opt = build("cma-es", space)
    es = opt._es
    assert es.popsize == 4 + int(3 * math.log(6))  # cma's default population
    assert es.sigma0 == 0.3
    assert list(es.boundary_handler.bounds) == [0.0, 1.0] or np.allclose(
        es.boundary_handler.bounds, [[0.0], [1.0]]
    )
    first = opt.ask(es.popsize)
    X = opt._X
    assert X.shape == (es.popsize, 6) and np.all((X >= 0.0) & (X <= 1.0))
    assert first == [space.from_unit(x) for x in X]
    extra = opt.ask(2)  # all handed out, none told: random configurations keep us busy
    assert opt._X is X and len(extra) == 2
    told = []
    es.tell = lambda solutions, values: told.append((np.array(solutions), list(values)))
    values = [sum(p.values()) for p in first]
    for i in reversed(range(1, len(first))):  # in any order
        opt.tell(first[i], values[i])
    assert not told and opt._X is X  # one still untold
    opt.tell(first[0], float("nan"))  # a failure ranks last
    ((solutions, fitness),) = told
    np.testing.assert_array_equal(solutions, X)
    assert fitness[1:] == values[1:] and fitness[0] == max(values[1:]) + 1.0
    assert opt._X is None
    opt.tell(extra, [0.0, 1.0])  # random fillers are not told to CMA-ES
    assert len(told) == 1


@pytest.mark.peers
def test_cma_es_never_touches_numpys_global_random_state():
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy state is the point
    run(build("cma-es", seed=5), 25)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


@pytest.mark.peers
def test_cma_es_converges_on_a_sphere():
    space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(3)})
    opt = build("cma-es", space, seed=1)
    center = np.array([1.0, -2.0, 0.5])
    for _ in range(600):
        p = opt.ask()
        opt.tell(p, float(np.sum((np.array(list(p.values())) - center) ** 2)))
    assert opt.best.value < 1e-6  # random search would be near 1e-1 here


@pytest.mark.peers
def test_cma_es_restarts_when_cma_stops():
    space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(3)})
    opt = build("cma-es", space, seed=1)
    for _ in range(200):
        opt.tell(opt.ask(), 1.0)  # flat: cma's tolflatfitness criterion fires
    assert opt.n_restarts >= 1
    assert len({repr(t.params) for t in opt.trials}) == 200


@pytest.mark.peers
def test_cma_es_resumes_where_it_stopped(tmp_path):
    opt = build("cma-es", seed=3)
    run(opt, 9)  # in the middle of its second generation (population 9 in 6-D)
    opt.save(tmp_path / "opt.pkl")
    resumed = type(opt).load(tmp_path / "opt.pkl")
    assert run(resumed, 7) == run(opt, 7)


def test_hpo_never_imports_cma():
    code = (
        "import sys\n"
        "import hpo.peers, hpo.problems\n"
        "hpo.problems.get_problem('bbob_sphere')\n"
        "from hpo.peers import available\n"
        "assert available('cma-es')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cma'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- conditional spaces (issue 13) --------------------------------------------------------

TREE = Space(
    {
        "model": Categorical(["svc", "mlp", "tree"]),
        "C": Real(1e-3, 1e3, log=True, when={"model": "svc"}),
        "solver": Categorical(["adam", "sgd"], when={"model": "mlp"}),
        "momentum": Real(0.0, 0.99, when={"solver": "sgd"}),  # a chain: model -> solver
        "depth": Integer(1, 8, when={"model": ["tree", "mlp"]}),
    }
)


def tree_objective(p):
    branch = {"svc": 0.3, "mlp": 0.1, "tree": 0.5}[p["model"]]
    return branch + p.get("momentum", 0.5) + 0.01 * p.get("depth", 0)


@pytest.mark.peers
@pytest.mark.parametrize("name", ["optuna-gp", "optuna-tpe"])
def test_optuna_peers_propose_exactly_the_active_set_on_a_tree(name):
    opt = build(name, space=TREE, seed=3)
    seen_branches = set()
    for _ in range(25):
        params = opt.ask()
        assert set(params) == set(TREE.active_names(params))
        assert TREE.validate(params) == params
        seen_branches.add((params["model"], params.get("solver")))
        opt.tell(params, tree_objective(params))
    assert {("svc", None), ("tree", None), ("mlp", "sgd"), ("mlp", "adam")} <= seen_branches


@pytest.mark.peers
def test_optuna_tpe_suggests_only_active_parameters_parents_first():
    opt = build("optuna-tpe", space=TREE, seed=1)
    for _ in range(15):
        params = opt.ask()
        opt.tell(params, tree_objective(params))
    for ours, theirs in zip(opt.trials, opt._study.trials):
        assert list(theirs.params) == [n for n in TREE.conditions.order if n in ours.params]
        assert list(theirs.distributions) == list(theirs.params)


@pytest.mark.peers
def test_optuna_gp_searches_the_flattened_tree():
    opt = build("optuna-gp", space=TREE, seed=1)
    params = opt.ask()
    opt.tell(params, tree_objective(params))
    assert set(opt._study.trials[0].params) == set(TREE.names)  # inactive values asked too


@pytest.mark.peers
@pytest.mark.parametrize("name", ["optuna-gp", "optuna-tpe"])
def test_optuna_peers_take_warm_starts_on_a_tree(name):
    opt = build(name, space=TREE)
    warm = {"model": "mlp", "solver": "sgd", "momentum": 0.99, "depth": 8}
    opt.tell(warm, 0.25)
    frozen = opt._study.trials[0]
    assert frozen.value == 0.25
    if name == "optuna-tpe":  # define-by-run: exactly the active parameters
        assert frozen.params == {"model": 1, "solver": 1, "momentum": 1.0, "depth": 8}
    else:  # flattened: the inactive ones at their imputed coordinate
        assert set(frozen.params) == set(TREE.names)
        assert frozen.params["momentum"] == 1.0 and frozen.params["depth"] == 8
    params = opt.ask()
    assert TREE.validate(params) == params


@pytest.mark.peers
def test_optuna_tpe_on_a_tree_is_reproducible_and_finds_the_best_branch():
    def best_of(seed):
        opt = build("optuna-tpe", space=TREE, seed=seed)
        for _ in range(40):
            params = opt.ask()
            opt.tell(params, tree_objective(params))
        return [t.params for t in opt.trials], opt.best

    first, best = best_of(7)
    again, _ = best_of(7)
    assert first == again
    # the minimum 0.11 is at model=mlp, solver=sgd, momentum=0, depth=1
    assert best.params["model"] == "mlp" and best.params["solver"] == "sgd"
    assert best.value < 0.4


@pytest.mark.peers
def test_optuna_tpe_keeps_its_flat_behaviour_on_a_flat_space():
    a = run(build("optuna-tpe", seed=4), 12)
    opt = build("optuna-tpe", seed=4)
    b = run(opt, 12)
    assert a == b
    assert all(list(t.params) == list(SPACE.names) for t in opt._study.trials)


# -- several objectives (issue 11) ----------------------------------------------------------

UNIT2 = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})


@pytest.mark.peers
@pytest.mark.parametrize("name", ["optuna-gp", "optuna-nsga2"])
def test_optuna_minimizes_every_objective_and_receives_vectors(name):
    import optuna

    opt = make_optimizer(name, UNIT2, seed=0, options={"n_objectives": 2})
    assert opt._study.directions == [optuna.study.StudyDirection.MINIMIZE] * 2
    a, b = opt.ask(2)
    opt.tell(a, [0.5, 2.0])
    opt.tell(b, [1.0, float("nan")])  # one NaN objective: a failed trial
    opt.tell({"x": 1.0, "y": 0.0}, (0.25, 2.5))  # a warm start
    trials = opt._study.trials
    assert trials[0].values == [0.5, 2.0] and trials[2].values == [0.25, 2.5]
    assert trials[1].state == optuna.trial.TrialState.FAIL
    assert [t.number for t in opt.pareto_front] == [0, 2]


@pytest.mark.peers
def test_pymoo_nsga2_breeds_on_objective_vectors():
    opt = make_optimizer("pymoo-nsga2", UNIT2, seed=0, options={"n_objectives": 2})
    size = opt._algorithm.pop_size
    first = opt.ask(size)
    opt.tell(first[:-1], [[p["x"], 1.0 - p["x"] + p["y"]] for p in first[:-1]])
    opt.tell(first[-1], [float("inf"), 0.0])  # failed: +inf in every objective for pymoo
    population = opt._algorithm.pop
    F = np.array([opt._fitness_row(t) for t in opt.trials])
    assert F.shape == (size, 2) and np.isinf(F[-1]).all() and np.isfinite(F[:-1]).all()
    second = opt.ask(3)
    assert opt._population is not None and population is not None
    assert all(in_unit_square(p) for p in second)


@pytest.mark.peers
@pytest.mark.parametrize("name", ["pymoo-ga", "cma-es"])
def test_single_objective_peers_refuse_several_objectives(name):
    with pytest.raises(ValueError, match="n_objectives"):
        make_optimizer(name, UNIT2, seed=0, options={"n_objectives": 2})
