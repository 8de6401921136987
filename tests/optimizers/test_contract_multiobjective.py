"""The ask/tell contract with several objectives (issue 11 item 1): hpo.testing's
MULTI_OBJECTIVE_CHECKS on every optimizer that declares multi-objective support, and the
refusal of the others."""

import pytest

from hpo import Real, minimize
from hpo.optimizers import MULTI_FIDELITY_OPTIMIZERS, OPTIMIZERS, make_optimizer
from hpo.testing import MULTI_OBJECTIVE_CHECKS, mixed_space, multi_objective_case

OPTIONS = {"grid": {"points_per_axis": 3}}
MULTI = sorted(name for name, cls in OPTIMIZERS.items() if cls.supports_multi_objective)


def test_grid_random_and_ga_support_several_objectives():
    assert {"grid", "random", "ga", "bayes"} <= set(MULTI)


@pytest.mark.parametrize("check", list(MULTI_OBJECTIVE_CHECKS))
@pytest.mark.parametrize("name", MULTI)
def test_contract_with_two_objectives(name, check):
    MULTI_OBJECTIVE_CHECKS[check](multi_objective_case(OPTIMIZERS[name], OPTIONS.get(name)))


@pytest.mark.parametrize("name", MULTI)
def test_three_objectives_and_one_still_work(name):
    case = multi_objective_case(OPTIMIZERS[name], {**OPTIONS.get(name, {}), "n_objectives": 3})
    result = minimize(
        lambda p: [*case.objective(p), p["momentum"]],
        case.space,
        case.cls,
        12,
        seed=0,
        options=dict(case.options),
    )
    assert result.n_objectives == 3 and all(len(t.value) == 3 for t in result.pareto_front)
    one = make_optimizer(
        name, mixed_space(), seed=0, options={**OPTIONS.get(name, {}), "n_objectives": 1}
    )
    assert one.n_objectives == 1 and one.best is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_n_objectives_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="n_objectives must be a positive integer"):
        OPTIMIZERS["random"](mixed_space(), n_objectives=bad)


def test_optimizers_without_support_refuse_with_a_clear_error():
    for cls in MULTI_FIDELITY_OPTIMIZERS.values():
        assert not cls.supports_multi_objective
    from hpo.optimizers.base import Optimizer

    class OneObjective(Optimizer):
        def _propose(self, n):
            return self.space.sample(self.rng, n)

    with pytest.raises(ValueError, match="OneObjective optimizes one objective"):
        OneObjective({"x": Real(0.0, 1.0)}, n_objectives=2)


def test_minimize_records_a_wrong_length_as_a_failed_trial():
    result = minimize(
        lambda p: [p["x"]],
        {"x": Real(0.0, 1.0)},
        "random",
        3,
        seed=0,
        options={"n_objectives": 2},
    )
    assert result.n_failed == 3 and result.pareto_front == []
    assert "not 2 real numbers" in result.trials[0].error
    assert "n_objectives=2" in repr(result)


def test_minimize_with_thread_workers_checks_vectors_in_the_workers():
    space = {"x": Real(0.0, 1.0)}
    result = minimize(
        lambda p: [p["x"], 1.0 - p["x"] ** 0.5] if p["x"] > 0.2 else "bad",
        space,
        "random",
        8,
        seed=1,
        options={"n_objectives": 2},
        n_workers=2,
        executor="thread",
    )
    failed = [t for t in result.trials if not t.ok]
    assert all("not 2 real numbers" in t.error for t in failed)
    assert len(result.pareto_front) == len(result.trials) - len(failed)  # all on one curve
