"""Space-filling designs in the unit cube, drawn point by point.

Random search uses them for its proposals; Bayesian optimization and the genetic algorithm
for their initial points, and the acquisition search for its raw candidates (:func:`sobol`):
every Sobol sequence of hpo is drawn here.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import qmc

from hpo._seed import spawn_seed

__all__ = ["DESIGNS", "UnitDesign", "sobol"]

DESIGNS = ("uniform", "sobol", "lhs")


class UnitDesign:
    """A stream of points in ``[0, 1]^d``.

    Parameters
    ----------
    kind : {"uniform", "sobol", "lhs"}
        ``"uniform"``: independent uniform points. ``"sobol"``: a scrambled Sobol sequence
        (Owen scrambling; balanced at powers of two). ``"lhs"``: Latin hypercube blocks of
        ``block`` points, each stratifying every axis into ``block`` equal slices.
    dim : int
        Dimension ``d``.
    rng : numpy.random.Generator
    block : int, default 32
        Size of a Latin hypercube block (the budget, when known).
    """

    def __init__(self, kind: str, dim: int, rng: np.random.Generator, block: int = 32) -> None:
        if kind not in DESIGNS:
            raise ValueError(f"design must be one of {DESIGNS}, got {kind!r}")
        if block < 1:
            raise ValueError(f"block must be a positive integer, got {block!r}")
        self.kind, self.dim, self.block = kind, dim, block
        self._rng = rng
        self._buffer = np.empty((0, dim))
        self._engine: qmc.QMCEngine | None = None
        if kind == "sobol":
            self._engine = qmc.Sobol(dim, scramble=True, rng=spawn_seed(rng))
        elif kind == "lhs":
            self._engine = qmc.LatinHypercube(dim, rng=spawn_seed(rng))

    def draw(self, n: int) -> np.ndarray:
        """The next ``n`` points, an array of shape ``(n, dim)``."""
        if self.kind == "uniform":
            return self._rng.random((n, self.dim))
        if self.kind == "sobol":
            with warnings.catch_warnings():  # balance at powers of two is not needed here
                warnings.simplefilter("ignore", UserWarning)
                return self._engine.random(n)
        while len(self._buffer) < n:
            self._buffer = np.vstack([self._buffer, self._engine.random(self.block)])
        points, self._buffer = self._buffer[:n], self._buffer[n:]
        return points


def sobol(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """The first ``n`` points of a new scrambled Sobol sequence in ``[0, 1]^dim`` (seeded
    from ``rng``), shape ``(n, dim)``: the raw candidates of an acquisition search."""
    return UnitDesign("sobol", dim, rng).draw(n)
