"""hpo.testing: the contract's checks pass on a sound optimizer and catch broken ones."""

import numpy as np
import pytest

from hpo import Optimizer, RandomSearch
from hpo.testing import (
    CHECKS,
    MULTI_OBJECTIVE_CHECKS,
    OptimizerCase,
    check_optimizer,
    multi_objective_case,
)


class FixedBatch(Optimizer):
    """Broken: ignores what is pending, proposing the space's centre again and again."""

    def _propose(self, n):
        return [self.space.from_unit(np.full(self.space.dim, 0.5)) for _ in range(n)]


class Unseeded(RandomSearch):
    """Broken: draws from fresh entropy, whatever the seed."""

    def _propose(self, n):
        return self.space.sample(np.random.default_rng(), n)


class NumpyScalars(RandomSearch):
    """Broken: hands out numpy floats."""

    def _propose(self, n):
        return [
            {k: np.float64(v) if isinstance(v, float) else v for k, v in p.items()}
            for p in super()._propose(n)
        ]


def test_a_sound_optimizer_passes_every_check():
    assert check_optimizer(RandomSearch) == list(CHECKS)
    assert check_optimizer(RandomSearch, {"design": "sobol"}, skip=["save_load"]) == [
        name for name in CHECKS if name != "save_load"
    ]


@pytest.mark.parametrize(
    ("cls", "check"),
    [
        (FixedBatch, "batches_distinct_and_pending"),
        (Unseeded, "reproducible"),
        (NumpyScalars, "proposals_in_space"),
    ],
)
def test_broken_optimizers_fail_the_check_that_names_their_defect(cls, check):
    with pytest.raises(AssertionError, match=f"{cls.__name__} fails check '{check}'"):
        check_optimizer(cls, checks={check: CHECKS[check]})


def test_own_checks_and_cases_can_be_added():
    seen = []

    def check_budget_is_passed(case):
        seen.append(case.make().design.block)

    ran = check_optimizer(
        RandomSearch,
        checks={"budget": check_budget_is_passed},
        case=OptimizerCase(RandomSearch, {"design": "lhs"}, n_trials=7),
    )
    assert ran == ["budget"] and seen == [7]


def test_unknown_skips_are_refused():
    with pytest.raises(ValueError, match=r"unknown checks \['save'\]"):
        check_optimizer(RandomSearch, skip=["save"])


class WholeHistoryFront(RandomSearch):
    """Broken: calls every completed trial Pareto-optimal."""

    @property
    def pareto_front(self):
        return self.completed


class FirstValueOnly(RandomSearch):
    """Broken: keeps the first objective only, dropping the others."""

    def tell(self, params, value, *, error=None):
        told = super().tell(params, value, error=error)
        for trial in [told] if not isinstance(told, list) else told:
            if trial.ok:
                trial.value = trial.value[:1]
        return told


def test_a_sound_multi_objective_optimizer_passes_every_multi_objective_check():
    case = multi_objective_case(RandomSearch)
    assert case.n_objectives == 2
    ran = check_optimizer(RandomSearch, case=case, checks=MULTI_OBJECTIVE_CHECKS)
    assert ran == list(MULTI_OBJECTIVE_CHECKS) and set(CHECKS) < set(ran)


@pytest.mark.parametrize(
    ("cls", "check"), [(WholeHistoryFront, "pareto_front"), (FirstValueOnly, "vector_values")]
)
def test_broken_multi_objective_optimizers_fail_the_check_naming_the_defect(cls, check):
    with pytest.raises(AssertionError, match=f"{cls.__name__} fails check '{check}'"):
        check_optimizer(
            cls, case=multi_objective_case(cls), checks={check: MULTI_OBJECTIVE_CHECKS[check]}
        )
