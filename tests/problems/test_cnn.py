"""The CNN learning-curve problem (hpo/problems/cnn.py); skipped without PyTorch."""

import pickle
import sys

import pytest

from hpo import Fidelity
from hpo.problems import get_problem, list_problems

CHEAP = {"lr": 3e-3, "weight_decay": 1e-5, "channels": 4, "dropout": 0.2, "batch_size": 128}


def test_listed_and_a_clear_error_without_torch(monkeypatch):
    assert {"lc_cnn_digits_logloss", "lc_cnn_digits_acc"} <= set(list_problems())
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match=r"pip install \"hpo\[torch\]\""):
        get_problem("lc_cnn_digits_logloss")


@pytest.mark.slow
def test_resumed_training_equals_direct_training_and_leaves_torch_state_alone():
    torch = pytest.importorskip("torch")
    p = get_problem("lc_cnn_digits_logloss:max_epochs=4")
    assert p.fidelity == Fidelity("epochs", 1, 4) and p.name.endswith(":max_epochs=4")
    torch.manual_seed(123)
    before = torch.get_rng_state()
    threads, strict = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    losses = [p({**CHEAP, "epochs": e}) for e in (1, 2, 4)]
    assert p.cost({**CHEAP, "epochs": 4}) == 2.0
    assert torch.equal(torch.get_rng_state(), before)  # the caller's random state untouched
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == (
        threads,
        strict,
    )
    q = pickle.loads(pickle.dumps(get_problem("lc_cnn_digits_logloss:max_epochs=4")))
    assert q({**CHEAP, "epochs": 4}) == losses[-1]  # bit for bit, trained in one go
    assert q.learning_curve({**CHEAP, "epochs": 2}) == losses[:2]
    assert losses[-1] < losses[0] < 2.5  # it learns (chance level is log 10 = 2.3)
    acc = get_problem("lc_cnn_digits_acc:max_epochs=4")({**CHEAP, "epochs": 4})
    assert -1.0 <= acc < -0.5


def test_bad_arguments_are_named():
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="metric must be one of"):
        from hpo.problems.cnn import CNNProblem

        CNNProblem("mse")
    with pytest.raises(ValueError, match="max_epochs must be at least 2"):
        get_problem("lc_cnn_digits_acc:max_epochs=1")
