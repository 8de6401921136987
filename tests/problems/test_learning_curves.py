"""Learning-curve problems with checkpoints (hpo/problems/learning_curves.py)."""

import numpy as np
import pytest

from hpo import Fidelity, Integer, Real, Space
from hpo.problems import get_problem, list_problems
from hpo.problems.learning_curves import CheckpointedProblem, LearningCurveProblem
from hpo.problems.mlp import EvaluationFailed


class Toy(CheckpointedProblem):
    """A model that is a number, halved plus a seeded wiggle each epoch; fails at epoch
    ``fail_at`` when ``a > 5``. Counts the epochs it really trains."""

    metric = "loss"
    space = Space({"a": Integer(1, 10), "b": Real(0.0, 1.0)})

    def __init__(self, **kwargs):
        super().__init__(kwargs.pop("max_epochs", 27), kwargs.pop("max_checkpoints", 8))
        self.epochs_run = 0

    def _new_model(self, config):
        return {"x": float(config["a"]), "rng": np.random.default_rng(int(100 * config["b"]))}

    def _train_epoch(self, model, epoch):
        self.epochs_run += 1
        if model["x"] > 5 / 2 ** (epoch - 1) and epoch == 4:
            raise FloatingPointError("diverged")
        model["x"] = model["x"] / 2 + model["rng"].uniform(0, 0.01)

    def _validation_losses(self, model, test=False):
        return {"loss": model["x"] + (1.0 if test else 0.0)}


CONFIG = {"a": 3, "b": 0.5}


def test_continuing_costs_the_difference_and_matches_a_direct_run():
    p, q = Toy(), Toy()
    assert p.cost({**CONFIG, "epochs": 9}) == 9.0  # before the call: what it would train
    loss9 = p({**CONFIG, "epochs": 9})
    assert p.cost({**CONFIG, "epochs": 9}) == 9.0  # after it: what it trained
    assert p.cost({**CONFIG, "epochs": 27}) == 18.0
    loss27 = p({**CONFIG, "epochs": 27})
    assert p.cost({**CONFIG, "epochs": 27}) == 18.0 and p.epochs_run == 27
    assert p.last_info["resumed_from"] == 9 and p.last_info["epochs_trained"] == 18
    assert q({**CONFIG, "epochs": 27}) == loss27  # bit for bit, by another path
    assert q({**CONFIG, "epochs": 9}) == loss9  # a budget already passed: recorded, free
    assert q.cost({**CONFIG, "epochs": 9}) == 0.0 and q.epochs_run == 27
    assert q.learning_curve(CONFIG) == p.learning_curve({**CONFIG, "epochs": 27})
    assert q({**CONFIG}) == loss27  # no budget: the full one


def test_checkpoints_are_bounded_and_least_recently_used_go_first():
    p = Toy(max_checkpoints=2)
    c0, c1, c2 = ({"a": a, "b": 0.1} for a in (1, 2, 3))
    p({**c0, "epochs": 3})
    p({**c1, "epochs": 3})
    p({**c0, "epochs": 2})  # a use: c1 is now the least recently used
    p({**c2, "epochs": 4})
    assert len(p._cache) == 2
    assert p.cost({**c1, "epochs": 6}) == 6.0  # dropped: trained again from scratch
    assert p.cost({**c0, "epochs": 6}) == 3.0
    configs = [c1]
    fresh = Toy()
    assert p({**configs[0], "epochs": 6}) == fresh({**configs[0], "epochs": 6})


def test_a_failure_is_a_failed_trial_remembered_with_its_epoch():
    p = Toy()
    bad = {"a": 9, "b": 0.2}
    assert p({**bad, "epochs": 3}) > 0
    with pytest.raises(EvaluationFailed, match="epoch 4: FloatingPointError: diverged"):
        p({**bad, "epochs": 9})
    assert p.cost({**bad, "epochs": 9}) == 1.0  # epoch 4 was run, and failed
    with pytest.raises(EvaluationFailed, match="epoch 4"):
        p({**bad, "epochs": 27})
    assert p.cost({**bad, "epochs": 27}) == 0.0 and p.epochs_run == 4  # known, not retried
    assert p({**bad, "epochs": 2}) > 0  # losses before the failure stay known


def test_test_loss_leaves_the_cache_alone():
    p = Toy()
    assert p.test_loss({**CONFIG, "epochs": 5}) == p({**CONFIG, "epochs": 5}) + 1.0
    assert p.cost({**CONFIG, "epochs": 5}) == 5.0


def test_bad_budgets_and_arguments_are_named():
    p = Toy()
    for budget in (0, 28, 2.5, "9"):
        with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 27\]"):
            p({**CONFIG, "epochs": budget})
    with pytest.raises(ValueError, match="max_checkpoints must be a positive integer"):
        Toy(max_checkpoints=0)
    with pytest.raises(ValueError, match="dataset must be one of"):
        LearningCurveProblem("adam", "diabetes", "logloss")
    with pytest.raises(ValueError, match="metric must be one of"):
        LearningCurveProblem("adam", "iris", "mse")


def test_registered_mlp_tasks():
    names = [n for n in list_problems() if n.startswith("lc_mlp_")]
    assert len(names) == 16 and "lc_mlp_adam_digits_logloss" in names
    p = get_problem("lc_mlp_sgd_wine_acc:seed=2,max_epochs=81")
    assert p.name == "lc_mlp_sgd_wine_acc:seed=2,max_epochs=81"
    assert p.fidelity == Fidelity("epochs", 1, 81) and p.optimum is None
    assert "tol" not in p.space and "validation_fraction" not in p.space
    assert get_problem(p.name).name == p.name


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_mlp_resumed_training_equals_direct_training(solver):
    p = get_problem(f"lc_mlp_{solver}_iris_logloss")
    q = get_problem(f"lc_mlp_{solver}_iris_logloss")
    config = p.space.sample(np.random.default_rng(0))
    config.update(learning_rate_init=0.01, batch_size=32)
    losses = [p({**config, "epochs": e}) for e in (1, 3, 9)]
    assert [p.cost({**config, "epochs": 9})] == [6.0]
    assert q({**config, "epochs": 9}) == losses[-1]
    assert q.learning_curve({**config, "epochs": 9})[2] == losses[1]
    assert losses[-1] < losses[0]  # it learns
    acc = get_problem(f"lc_mlp_{solver}_iris_acc")({**config, "epochs": 9})
    assert -1.0 <= acc < 0
