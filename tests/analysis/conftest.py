"""Shared trials: 500 random trials of the Ishigami and Sobol G functions."""

import numpy as np
import pytest

from hpo import RandomSearch
from hpo.problems import get_problem


def random_run(name: str, n: int, seed: int = 0) -> RandomSearch:
    p = get_problem(name)
    opt = RandomSearch(p.space, seed=seed)
    batch = opt.ask(n)
    X = np.array([[c[k] for k in p.space.names] for c in batch])
    opt.tell(batch, list(p.evaluate(X)))
    return opt


@pytest.fixture(scope="session")
def ishigami_run() -> RandomSearch:
    return random_run("ishigami", 500)


@pytest.fixture(scope="session")
def sobol_g_run() -> RandomSearch:
    return random_run("sobol_g", 500)
