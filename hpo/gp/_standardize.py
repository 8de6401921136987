"""Scale-free standardization of GP outputs, shared by the GP and the output warpings.

``y_s = (y / s - c) / r`` with ``s`` the power of two nearest below ``max |y|``, ``c`` the mean
and ``r`` the standard deviation of ``y / s``. Dividing by about ``max |y|`` first keeps every
intermediate below 2 in size: the mean and variance cannot overflow (``np.std`` of values
beyond about ``1e154`` does, since their squares do), and the test for constant outputs
compares the spread with the size of the values whatever their units, so that ``c * y + b``
is standardized like ``y`` for any ``c > 0``. Scaling by a power of two is exact, so on
ordinary values ``y_s`` is bit for bit ``(y - mean(y)) / std(y)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Standardization"]

#: Outputs whose standard deviation is at most this fraction of ``max |y|`` count as constant.
CONSTANT = 1e-12


@dataclass(frozen=True)
class Standardization:
    """The affine map ``y -> (y / scale - center) / spread`` and its inverse."""

    scale: float = 1.0
    center: float = 0.0
    spread: float = 1.0

    @classmethod
    def of(cls, y: np.ndarray) -> Standardization:
        """The standardization of finite values ``y``, shape ``(n,)`` (identity when empty
        or all zero; a unit spread when they are constant relative to ``max |y|``)."""
        y = np.asarray(y, dtype=float)
        top = float(np.max(np.abs(y))) if y.size else 0.0
        if not (top > 0 and np.isfinite(top)):
            return cls()
        scale = float(np.ldexp(1.0, np.frexp(top)[1] - 1))  # 2^k <= max |y| < 2^(k+1)
        z = y / scale
        center, spread = float(np.mean(z)), float(np.std(z))
        return cls(scale, center, spread if spread > CONSTANT * top / scale else 1.0)

    def __call__(self, y: np.ndarray | float) -> np.ndarray:
        return (np.asarray(y, dtype=float) / self.scale - self.center) / self.spread

    def inverse(self, ys: np.ndarray) -> np.ndarray:
        """Standardized values back to the units of ``y``."""
        return (np.asarray(ys, dtype=float) * self.spread + self.center) * self.scale

    @property
    def std(self) -> float:
        """The factor from standardized to original units (``scale * spread``)."""
        return self.scale * self.spread
