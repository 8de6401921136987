"""hpo.testing: the contract's checks pass on a sound optimizer and catch broken ones."""

import numpy as np
import pytest

from hpo import Optimizer, RandomSearch
from hpo.testing import CHECKS, OptimizerCase, check_optimizer


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
