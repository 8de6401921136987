import numpy as np
import pytest

from hpo import Categorical, Integer, Real, Space, minimize
from hpo.analysis import partial_dependence
from hpo.analysis.partial_dependence import PartialDependenceModel, averaged_posterior
from hpo.analysis.sobol import posterior_covariance, posterior_mean

SPACE = Space(
    {
        "lr": Real(1e-4, 1e-1, log=True),
        "layers": Integer(1, 5),
        "act": Categorical(["relu", "tanh", "gelu"]),
    }
)


def objective(p):
    return (
        (np.log10(p["lr"]) + 2.5) ** 2
        + 0.5 * p["layers"]
        + {"relu": 0, "tanh": 1, "gelu": 2}[p["act"]]
    )


@pytest.fixture(scope="module")
def model():
    result = minimize(objective, SPACE, optimizer="random", n_trials=80, seed=0)
    return PartialDependenceModel(result, space=SPACE, seed=0, n_samples=30)


def test_average_posterior_matches_the_joint_covariance(model):
    Z = np.repeat(model.base[None], 3, axis=0)
    Z[:, :, 0] = np.array([0.1, 0.5, 0.9])[:, None]
    mean, std = averaged_posterior(model.gp, Z)
    for g in range(3):
        cov = posterior_covariance(model.gp, Z[g])
        assert std[g] == pytest.approx(np.sqrt(cov.sum()) / Z.shape[1], rel=1e-6)
        assert mean[g] == pytest.approx(posterior_mean(model.gp, Z[g]).mean(), rel=1e-10)


def test_one_dimensional_in_the_space_own_terms(model):
    pd = model.one("lr", n_points=25)
    assert pd.values[0][0] == pytest.approx(1e-4) and pd.values[0][-1] == pytest.approx(1e-1)
    # log-spaced values: the minimum of the partial dependence near lr = 10^-2.5
    assert abs(np.log10(pd.values[0][int(np.argmin(pd.mean))]) + 2.5) < 0.3
    layers = model.one("layers")
    assert layers.values[0] == [1, 2, 3, 4, 5]
    assert np.all(np.diff(layers.mean) > 0)  # +0.5 per layer
    act = model.one("act")
    assert act.values[0] == ["relu", "tanh", "gelu"]
    assert np.all(np.diff(act.mean) > 0.5)
    assert (act.std > 0).all()


def test_two_dimensional(model):
    pd = model.two("lr", "act", n_points=8)
    assert pd.mean.shape == (8, 3) and pd.std.shape == (8, 3)
    # additive objective: the act effect is the same at every lr
    gaps = pd.mean[:, 2] - pd.mean[:, 0]
    assert np.ptp(gaps) < 0.5


def test_bad_names(model):
    with pytest.raises(ValueError, match="not in the space"):
        model.one("nope")
    with pytest.raises(ValueError, match="differ"):
        model.two("lr", "lr")
    with pytest.raises(ValueError, match="one or two"):
        partial_dependence(None, "a", "b", "c")
