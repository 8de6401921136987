import numpy as np
import pytest

from hpo import Categorical, Integer, Real, Space


@pytest.fixture(scope="session")
def mixed_space() -> Space:
    """A space with every kind of parameter, as in the README."""
    return Space(
        {
            "learning_rate_init": Real(1e-5, 1e-1, log=True),
            "momentum": Real(0.5, 0.99, logit=True),
            "dropout": Real(0.0, 0.5),
            "max_iter": Integer(100, 1000, log=True),
            "layers": Integer(1, 4),
            "hidden_layer_sizes": Categorical([(100,), (100, 100), (100, 100, 100)]),
            "activation": Categorical(["relu", "tanh", None]),
        }
    )


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
