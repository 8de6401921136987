"""The genetic algorithm: generational and steady-state ask/tell, elitism, failures, warm
starts, duplicates and the recorded internals."""

import math
import time
from dataclasses import replace

import numpy as np
import pytest

from hpo import Categorical, GeneticAlgorithm, Integer, Real, SearchExhausted, Space, minimize
from hpo.optimizers.genetic import (
    CLASSIC,
    DEFAULT_BEFORE_2026_12_01,
    Variation,
    default_pop_size,
    diversity,
)


@pytest.fixture
def space():
    return Space(
        {
            "x": Real(-5.0, 5.0),
            "lr": Real(1e-4, 1e-1, log=True),
            "n": Integer(1, 20),
            "kind": Categorical(["a", "b", "c"]),
        }
    )


def loss(p):
    return (
        (p["x"] - 1) ** 2 + math.log10(p["lr"] / 1e-2) ** 2 + abs(p["n"] - 7) + (p["kind"] != "b")
    )


def run(opt, n, f=loss):
    for _ in range(n):
        p = opt.ask()
        opt.tell(p, f(p))
    return opt


def test_generations_are_handed_out_then_bred_once_fully_told(space):
    opt = GeneticAlgorithm(space, seed=0, pop_size=6)
    first = [*opt.ask(4), opt.ask(), opt.ask()]
    assert [t.info for t in opt.trials] == [
        {"generation": 0, "parents": [], "origin": "design"}
    ] * 6
    opt.tell(first[:5], [loss(p) for p in first[:5]])
    assert opt.history == [] and opt.generation == 0
    opt.tell(first[5], loss(first[5]))
    assert len(opt.history) == 1 and opt.history[0].offspring == list(range(6))
    children = opt.ask(6)
    infos = [t.info for t in opt.trials[6:]]
    assert all(i["generation"] == 1 and i["origin"] == "offspring" for i in infos)
    parents = {n for i in infos for n in i["parents"]}
    assert parents <= set(opt.history[0].population)
    assert len({repr(sorted(p.items())) for p in children}) == 6


def test_ask_beyond_the_generation_grows_it_with_children_of_the_same_parents(space):
    opt = GeneticAlgorithm(space, seed=1, pop_size=4)
    run(opt, 4)
    batch = opt.ask(7)  # the generation holds 4: three more children of generation 0
    assert len(batch) == 7 and len({repr(sorted(p.items())) for p in batch}) == 7
    assert all(t.info["generation"] == 1 for t in opt.trials[4:])
    opt.tell(batch[:6], [loss(p) for p in batch[:6]])
    assert len(opt.history) == 1  # one still pending: generation 1 goes on
    opt.tell(batch[6], loss(batch[6]))
    assert len(opt.history) == 2 and opt.history[1].offspring == list(range(4, 11))


@pytest.mark.parametrize("steady_state", [False, True])
def test_survival_keeps_the_best_pop_size_of_everything_told(space, steady_state):
    opt = run(GeneticAlgorithm(space, seed=2, pop_size=5, steady_state=steady_state), 40)
    values = sorted(t.value for t in opt.trials)
    assert [t.value for t in opt.population] == values[:5]
    assert opt.best is opt.population[0]
    for g in opt.history:  # elitism: the population never gets worse
        told = [t.value for t in opt.trials if t.number <= max(g.offspring)]
        np.testing.assert_array_equal(g.fitness, sorted(told)[:5])


def test_steady_state_breeds_one_child_per_ask_from_the_current_population(space):
    opt = GeneticAlgorithm(space, seed=3, pop_size=5, steady_state=True)
    run(opt, 5)
    for _ in range(12):
        current = {t.number for t in opt.population}
        p = opt.ask()
        info = opt.trials[-1].info
        assert info["origin"] == "offspring" and set(info["parents"]) <= current
        opt.tell(p, loss(p))
    assert [len(g.offspring) for g in opt.history] == [5, 5, 5]


def test_failed_trials_get_the_worst_fitness(space):
    calls = []

    def flaky(p):
        calls.append(p)
        return float("nan") if len(calls) % 3 == 0 else loss(p)

    opt = run(GeneticAlgorithm(space, seed=4, pop_size=6), 6, flaky)
    assert np.isinf(opt.history[0].fitness[-2:]).all()
    assert np.isfinite(opt.history[0].fitness[:4]).all()
    run(opt, 24, flaky)
    assert all(t.ok for t in opt.population)  # enough successes: failures never survive


def test_warm_starts_join_the_initial_population(space, rng):
    earlier = space.sample(rng, 3)
    opt = GeneticAlgorithm(space, seed=5, pop_size=6)
    opt.tell(earlier, [loss(p) for p in earlier])
    run(opt, 3)
    assert all(t.info["origin"] == "design" for t in opt.trials[3:])
    assert opt.history[0].offspring == list(range(6))

    many = GeneticAlgorithm(space, seed=5, pop_size=4)
    more = space.sample(rng, 6)
    many.tell(more, [loss(p) for p in more])
    many.ask()  # the initial population is complete: straight to generation 1
    assert many.trials[-1].info["generation"] == 1
    assert many.history[0].population == sorted(range(6), key=lambda i: loss(more[i]))[:4]


def test_no_configuration_is_proposed_twice_and_finite_spaces_run_out():
    space = Space({"a": Integer(0, 4), "b": Categorical(["x", "y", "z"])})
    opt = run(GeneticAlgorithm(space, seed=6, pop_size=4), 15, lambda p: p["a"])
    assert len({tuple(t.params.values()) for t in opt.trials}) == 15
    with pytest.raises(SearchExhausted):
        run(opt, 1, lambda p: p["a"])


def test_integers_are_rounded_and_categoricals_are_choices(space):
    opt = run(GeneticAlgorithm(space, seed=7, pop_size=6), 30)
    for t in opt.trials:
        assert space.validate(t.params) == t.params and type(t.params["n"]) is int
    kinds = {t.params["kind"] for t in opt.trials if t.info["origin"] == "offspring"}
    assert kinds <= {"a", "b", "c"}


@pytest.mark.parametrize("steady_state", [False, True])
def test_same_seed_same_run(space, steady_state):
    a = run(GeneticAlgorithm(space, seed=8, pop_size=5, steady_state=steady_state), 25)
    b = run(GeneticAlgorithm(space, seed=8, pop_size=5, steady_state=steady_state), 25)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.info for t in a.trials] == [t.info for t in b.trials]


def test_save_and_load_in_the_middle_of_a_generation(space, tmp_path):
    whole = run(GeneticAlgorithm(space, seed=9, pop_size=6), 20)
    opt = run(GeneticAlgorithm(space, seed=9, pop_size=6), 9)
    opt.save(tmp_path / "ga.pkl")
    resumed = run(GeneticAlgorithm.load(tmp_path / "ga.pkl"), 11)
    assert [t.params for t in resumed.trials] == [t.params for t in whole.trials]
    assert len(resumed.history) == len(whole.history) == 3


def test_diversity_measure():
    assert diversity(np.full((5, 3), 0.2)) == 0.0
    assert diversity(np.zeros((1, 3))) == 0.0
    assert diversity(np.array([[0.0, 0.0], [1.0, 1.0]])) == pytest.approx(1.0)
    uniform = diversity(np.random.default_rng(0).random((400, 6)))
    assert 0.38 < uniform < 0.42  # sqrt(d / 6) / sqrt(d) for large d, a little less


def test_search_converges_and_diversity_falls_on_a_sphere():
    space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(3)})
    best = [
        minimize(lambda p: sum(v * v for v in p.values()), space, "ga", 150, seed=s).best_value
        for s in range(5)
    ]
    assert np.median(best) < 0.05  # random search: about 1 in 150 draws (median)
    opt = run(GeneticAlgorithm(space, seed=0), 150, lambda p: sum(v * v for v in p.values()))
    assert opt.history[-1].diversity < 0.3 * opt.history[0].diversity


def test_options_and_their_errors(space):
    opt = GeneticAlgorithm(space, seed=0, variation={"crossover_eta": 5, "mutation_rate": 0.5})
    assert opt.variation == Variation(crossover_eta=5, mutation_rate=0.5)
    assert opt.pop_size == default_pop_size(None, self_adaptive=True) == 10
    assert default_pop_size(None) == 14
    assert [default_pop_size(b) for b in (10, 50, 200, 500, 10_000)] == [8, 8, 14, 16, 16]
    sizes = [default_pop_size(b, self_adaptive=True) for b in (10, 100, 200, 250, 500, 10_000)]
    assert sizes == [6, 6, 10, 12, 16, 16]
    assert GeneticAlgorithm(space, budget=100).pop_size == 6
    assert GeneticAlgorithm(space, budget=100, variation=CLASSIC).pop_size == 10
    with pytest.raises(ValueError, match="recombination"):
        Variation(recombination="blend")
    with pytest.raises(ValueError, match="step_size"):
        Variation(step_size=0.0)
    with pytest.raises(ValueError, match="self_adaptive"):
        Variation(self_adaptive="yes")
    with pytest.raises(ValueError, match="pop_size"):
        GeneticAlgorithm(space, pop_size=1)
    with pytest.raises(ValueError, match="budget"):
        GeneticAlgorithm(space, budget=0)
    with pytest.raises(ValueError, match="tournament_size"):
        Variation(tournament_size=0)
    with pytest.raises(ValueError, match="mutation_rate"):
        Variation(mutation_rate=1.5)
    with pytest.raises(ValueError, match="crossover_eta"):
        Variation(crossover_eta=-1.0)


def test_a_large_batch_costs_linear_time():
    """Issue 14: ask(n) was quadratic (10k: 3 s, 40k: 52 s): each extra child copied the set
    of the keys of the batch so far."""
    space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})

    def seconds(n):
        best = math.inf
        for _ in range(2):
            opt = GeneticAlgorithm(space, seed=0, pop_size=8)
            start = time.perf_counter()
            assert len(opt.ask(n)) == n
            best = min(best, time.perf_counter() - start)
        return best

    small, large = seconds(1500), seconds(6000)
    assert large / small < 8  # linear: about 4; quadratic: about 16


def _first_wins(fitness, n_select, k, rng):
    """A user selection with tournament's signature: always the first individual."""
    return np.zeros(n_select, dtype=np.int64)


def test_operators_are_callables_and_the_defaults_are_operators_functions(space):
    from hpo.optimizers import operators

    opt = GeneticAlgorithm(space, seed=0, variation=CLASSIC)
    assert opt.selection is operators.tournament
    assert opt.crossover is operators.sbx and opt.mutation is operators.polynomial_mutation
    explicit = GeneticAlgorithm(
        space,
        seed=0,
        selection=operators.tournament,
        crossover=operators.sbx,
        mutation=operators.polynomial_mutation,
        variation={"tournament_size": 2},
    )
    assert [t.params for t in run(explicit, 40).trials] == [t.params for t in run(opt, 40).trials]

    calls = []

    def no_mutation(X, eta, rate, rng):
        calls.append((X.shape, eta, rate))
        return X

    custom = run(
        GeneticAlgorithm(space, seed=0, pop_size=8, selection=_first_wins, mutation=no_mutation), 24
    )
    assert calls and calls[0][1] == 20.0 and calls[0][2] == pytest.approx(1 / 4)
    parents = [t.info["parents"] for t in custom.trials if t.info.get("origin") == "offspring"]
    first = custom.history[0].population[0]
    assert parents and all(p == [first, first] for p in parents)
    with pytest.raises(TypeError, match="crossover must be a callable operator"):
        GeneticAlgorithm(space, crossover="sbx")


def test_one_objective_defaults_are_self_adaptive_line_recombination_and_k3(space):
    opt = run(GeneticAlgorithm(space, seed=0, budget=100), 40)
    assert opt._adaptive and opt._mixed and opt._k == 3
    sigmas = [t.info["sigma"] for t in opt.trials if t.info["origin"] == "offspring"]
    assert sigmas and all(s > 0 for s in sigmas) and len(set(sigmas)) > 1
    assert all("sigma" not in t.info for t in opt.trials if t.info["origin"] == "design")
    # categorical-only spaces keep the classic GA (nothing to move by Gaussian steps)
    cats = GeneticAlgorithm(Space({"c": Categorical(list("abcdef"))}), seed=0)
    assert not cats._adaptive and cats._k == 2 and cats.pop_size == 14


def test_self_adaptation_shrinks_the_steps_near_an_optimum():
    space = Space({f"x{i}": Real(-5.0, 5.0) for i in range(4)})
    opt = run(
        GeneticAlgorithm(space, seed=0, budget=300), 300, lambda p: sum(v * v for v in p.values())
    )
    last = [opt.trials[i].info.get("sigma", 0.1) for i in opt.history[-1].population]
    assert np.median(last) < 0.1 / 3  # from step_size 0.1: the population learned to refine
    assert opt.best.value < 0.05


def test_classic_variation_is_the_ga_before_issue_17(space):
    opt = GeneticAlgorithm(space, seed=0, variation=CLASSIC)
    assert not opt._adaptive and not opt._line and not opt._mixed and opt._k == 2
    line = GeneticAlgorithm(space, seed=0, variation={"recombination": "line"})
    assert line._line and not line._mixed
    assert all("sigma" not in t.info for t in run(opt, 40).trials)


def test_ablation_knobs_are_checked_naming_the_field():
    for field, bad in [
        ("elite_share", 1.5),
        ("elite_share", -0.1),
        ("offspring", 0),
        ("offspring", True),
        ("tau_scale", -1.0),
        ("line_spread", -0.5),
        ("gene_mutation", 2.0),
        ("line_share", -0.1),
        ("initial_size", 0),
        ("initial_size", 2.5),
        ("design", "grid"),
        ("failure_shrink", 0.0),
        ("failure_shrink", 1.5),
    ]:
        with pytest.raises(ValueError, match=field):
            Variation(**{field: bad})


def test_offspring_sets_the_size_of_every_generation_after_the_design(space):
    opt = run(GeneticAlgorithm(space, seed=0, pop_size=6, variation={"offspring": 2}), 20)
    sizes = [len(g.offspring) for g in opt.history]
    assert sizes[0] == 6 and sizes[1:] == [2] * (len(sizes) - 1) and len(sizes) == 8
    assert all(len(g.population) == 6 for g in opt.history)  # (mu + lambda): mu stays


def test_elite_share_one_makes_the_best_a_parent_of_every_pair(space):
    opt = run(GeneticAlgorithm(space, seed=0, pop_size=6, variation={"elite_share": 1.0}), 36)
    # In every generation, each child's first parent is the best survivor of the one before.
    children = [t for t in opt.trials if t.info["origin"] == "offspring"]
    by_gen = {}
    for t in children:
        by_gen.setdefault(t.info["generation"], []).append(t.info["parents"][0])
    assert len(by_gen) == 5
    for g, firsts in by_gen.items():
        assert firsts == [opt.history[g - 1].population[0]] * len(firsts)


@pytest.mark.parametrize("design", ["lhs", "sobol", "uniform"])
def test_initial_size_and_design_set_generation_zero(space, design):
    variation = {"initial_size": 15, "design": design}
    opt = run(GeneticAlgorithm(space, seed=0, pop_size=6, variation=variation), 27)
    assert [len(g.offspring) for g in opt.history] == [15, 6, 6]
    assert all(t.info["origin"] == "design" for t in opt.trials[:15])
    assert all(len(g.population) == 6 for g in opt.history)
    # the best 6 of the 15 design points are the first parents
    first = sorted(range(15), key=lambda i: (opt.trials[i].value, i))[:6]
    assert opt.history[0].population == first
    # a Latin hypercube of 15 points puts one in each fifteenth of every axis
    if design == "lhs":
        u = np.array([space.to_unit(t.params) for t in opt.trials[:15]])[:, 0]
        assert sorted(np.floor(u * 15).astype(int)) == list(range(15))


@pytest.mark.parametrize("steady_state", [False, True])
def test_failure_shrink_shrinks_the_parents_of_failed_children(space, steady_state):
    factor = 0.5
    opt = GeneticAlgorithm(
        space,
        seed=1,
        pop_size=6,
        steady_state=steady_state,
        variation={"failure_shrink": factor},
    )
    run(opt, 60)
    alive = set(opt.history[-1].population)
    # Replay the rule: each parent's strength is the one it was born with times the factor to
    # the number of its children that failed to enter the population while it was alive.
    failures = dict.fromkeys(alive, 0)
    survivors_after = {}  # child -> the population right after the child was judged
    for g in opt.history:
        for child in g.offspring:
            survivors_after[child] = set(g.population)
    for child, pop in survivors_after.items():
        if child not in pop:
            for parent in opt.trials[child].info.get("parents", ()):
                if parent in failures:
                    failures[parent] += 1
    if not steady_state:  # in steady state a snapshot lags the per-tell populations
        for i in alive:
            born = opt.trials[i].info.get("sigma", opt.variation.step_size)
            assert opt._sigma[i] == pytest.approx(born * factor ** failures[i])
    assert any(n > 0 for n in failures.values())
    assert min(opt._sigma[i] for i in alive) < opt.variation.step_size * factor
    # without the rule (failure_shrink=1, the default before 2026-12-01) every strength stays
    # as it was born
    plain = GeneticAlgorithm(
        space, seed=1, pop_size=6, steady_state=steady_state, variation=DEFAULT_BEFORE_2026_12_01
    )
    run(plain, 60)
    for i, s in plain._sigma.items():
        assert s == plain.trials[i].info.get("sigma", plain.variation.step_size)


def test_the_default_since_2026_12_01_has_the_success_rule_and_a_slower_tau(space):
    v = Variation()
    assert (v.failure_shrink, v.tau_scale, v.success_grow) == (0.9, 0.5, 1.0)
    before = DEFAULT_BEFORE_2026_12_01
    assert (before.failure_shrink, before.tau_scale) == (1.0, 1.0)
    # tau = tau_scale / sqrt(2 d) over the 3 numeric genes (Beyer & Schwefel 2002, sec. 4.1)
    assert GeneticAlgorithm(space, seed=0)._tau == pytest.approx(0.5 / math.sqrt(6))
    assert GeneticAlgorithm(space, seed=0, variation=before)._tau == pytest.approx(1 / math.sqrt(6))
    # neither field acts without self-adaptive mutation: the classic GA and NSGA-II are as before
    runs = [
        run(GeneticAlgorithm(space, seed=3, variation=replace(CLASSIC, **fields)), 40)
        for fields in ({}, {"failure_shrink": 1.0, "tau_scale": 1.0})
    ]
    assert [t.params for t in runs[0].trials] == [t.params for t in runs[1].trials]
    # with it, the proposals differ from the default before 2026-12-01
    new, old = (
        run(GeneticAlgorithm(space, seed=3, variation=v), 40)
        for v in (Variation(), DEFAULT_BEFORE_2026_12_01)
    )
    assert [t.params for t in new.trials] != [t.params for t in old.trials]
