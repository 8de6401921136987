"""One way to turn a user's ``seed`` into a :class:`numpy.random.Generator`."""

from __future__ import annotations

import numbers

import numpy as np

SeedLike = int | np.random.Generator | None


def as_generator(seed: SeedLike) -> np.random.Generator:
    """Return a Generator for ``seed``: an int (or None, for fresh entropy) seeds PCG64, a
    Generator is used as it is (shared, not copied).

    Raises
    ------
    TypeError
        If ``seed`` is neither an int, a Generator nor None (``numpy.random.RandomState`` and
        the global state are refused on purpose: every random choice must flow from the seed).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy.random.Generator or None, got {seed!r}")


def spawn_seed(rng: np.random.Generator) -> int:
    """Draw an integer seed from ``rng``, for components (such as scipy's QMC engines or
    peer libraries) that take an int."""
    return int(rng.integers(2**31 - 1))
