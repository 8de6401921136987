"""A small convolutional network in PyTorch on scikit-learn's digits, epochs as the fidelity.

Problems
--------
``lc_cnn_digits_logloss`` and ``lc_cnn_digits_acc`` (needs ``pip install "hpo[torch]"``; the
problems are listed without it, and building one raises ``ImportError``). Keywords: ``seed``
(default 0), ``max_epochs`` (default 27), ``max_checkpoints`` (default 64).

The network: ``conv3x3(1 -> c) - ReLU - conv3x3(c -> 2c) - ReLU - maxpool 2 - dropout -
linear(2c * 4 * 4 -> 10)`` on the 8x8 images, trained with Adam (``weight_decay`` as an L2
penalty) on minibatches, on the CPU with one thread and deterministic algorithms. The data,
splits, standardization, checkpoints and cost are those of
:mod:`hpo.problems.learning_curves`; the loss is the validation cross-entropy (``logloss``) or
minus the validation accuracy (``acc``).

Space: ``lr`` log 1e-4..1e-1, ``weight_decay`` log 1e-6..1e-2, ``channels`` (c) Integer
4..12, ``dropout`` 0..0.5, ``batch_size`` Integer 32..128 (log).

Determinism: the initial weights come from ``seed``, and epoch ``e`` draws its shuffling and
dropout masks from ``seed`` and ``e`` alone, inside :func:`torch.random.fork_rng` so that the
caller's random state is left alone; the thread count and the deterministic-algorithms flag
are set for the duration of a call and restored after. A configuration's loss at a budget is
therefore the same whether trained directly or resumed from a checkpoint, run after run.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

from hpo.problems.learning_curves import CheckpointedProblem, _standardized, spec_name
from hpo.space import Integer, Real, Space

__all__ = ["CNNProblem", "cnn_space"]

METRICS = ("acc", "logloss")


def cnn_space() -> Space:
    """The CNN's search space (see the module docstring)."""
    return Space(
        {
            "lr": Real(1e-4, 1e-1, log=True),
            "weight_decay": Real(1e-6, 1e-2, log=True),
            "channels": Integer(4, 12),
            "dropout": Real(0.0, 0.5),
            "batch_size": Integer(32, 128, log=True),
        }
    )


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError('the CNN problems need PyTorch: pip install "hpo[torch]"') from None
    return torch


@contextlib.contextmanager
def _deterministic(torch: Any) -> Iterator[None]:
    """One CPU thread and deterministic algorithms for the duration, then as before."""
    threads, strict = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(strict)
        torch.set_num_threads(threads)


class CNNProblem(CheckpointedProblem):
    """A small CNN on digits whose budget is its number of epochs.

    Parameters
    ----------
    metric : {"logloss", "acc"}
    seed : int, default 0
        Seed of the data splits, the initial weights and every epoch's shuffling and dropout.
    max_epochs : int, default 27
    max_checkpoints : int, default 64

    Examples
    --------
    >>> from hpo.problems import get_problem
    >>> p = get_problem("lc_cnn_digits_logloss")  # doctest: +SKIP
    >>> p({"lr": 3e-3, "weight_decay": 1e-4, "channels": 8, "dropout": 0.1,
    ...    "batch_size": 32, "epochs": 3}) < 1.0  # doctest: +SKIP
    True
    """

    optimum = None
    dataset = "digits"

    def __init__(
        self,
        metric: str = "logloss",
        *,
        seed: int = 0,
        max_epochs: int = 27,
        max_checkpoints: int = 64,
    ) -> None:
        self._torch = _torch()
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        super().__init__(max_epochs, max_checkpoints)
        self.space = cnn_space()
        self.metric, self.seed = metric, seed
        self.name = spec_name(f"lc_cnn_digits_{metric}", seed, max_epochs)

    def __getstate__(self) -> dict[str, Any]:  # torch is imported again, not pickled
        state = dict(self.__dict__)
        del state["_torch"]
        state.pop("_tensors", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._torch = _torch()

    @functools.cached_property
    def _tensors(self) -> tuple[Any, ...]:
        """``(X_fit, y_fit, X_valid, y_valid, X_test, y_test)`` as tensors, images 1x8x8."""
        torch = self._torch
        parts = _standardized(self.dataset, self.seed)
        out = []
        for i, a in enumerate(parts):
            if i % 2 == 0:
                out.append(torch.tensor(np.asarray(a).reshape(-1, 1, 8, 8), dtype=torch.float32))
            else:
                out.append(torch.tensor(np.asarray(a), dtype=torch.int64))
        return tuple(out)

    def _new_model(self, config: dict[str, Any]) -> dict[str, Any]:
        torch = self._torch
        nn = torch.nn
        c = config["channels"]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            net = nn.Sequential(
                nn.Conv2d(1, c, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(c, 2 * c, 3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.Dropout(config["dropout"]),
                nn.Linear(2 * c * 4 * 4, 10),
            )
        adam = torch.optim.Adam(
            net.parameters(), lr=config["lr"], weight_decay=config["weight_decay"]
        )
        return {"net": net, "adam": adam, "batch_size": config["batch_size"]}

    def _train_epoch(self, model: dict[str, Any], epoch: int) -> None:
        torch = self._torch
        X, y = self._tensors[:2]
        net, adam, size = model["net"], model["adam"], model["batch_size"]
        with _deterministic(torch), torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed * 100_003 + epoch)  # this epoch's shuffle and dropout
            net.train()
            order = torch.randperm(len(y))
            for start in range(0, len(y), size):
                batch = order[start : start + size]
                adam.zero_grad()
                loss = torch.nn.functional.cross_entropy(net(X[batch]), y[batch])
                loss.backward()
                adam.step()

    def _validation_losses(self, model: dict[str, Any], test: bool = False) -> dict[str, float]:
        torch = self._torch
        X, y = self._tensors[4:6] if test else self._tensors[2:4]
        net = model["net"]
        with _deterministic(torch), torch.no_grad():
            net.eval()
            logits = net(X)
            loss = torch.nn.functional.cross_entropy(logits, y)
            accuracy = (logits.argmax(dim=1) == y).double().mean()
        return {"acc": -float(accuracy), "logloss": float(loss)}


#: Registry names and factories (see :data:`hpo.problems.CATALOGUE`).
PROBLEMS = {f"lc_cnn_digits_{metric}": functools.partial(CNNProblem, metric) for metric in METRICS}
