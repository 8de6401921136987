"""What Bayesian optimization needs from a mixed space: GP features and an acquisition search.

Notation
--------
U : points of the unit cube of the space, shape ``(m, d)`` (one column per parameter).
F : GP features of those points, shape ``(m, p)``.

Features (the input transformation of Garrido-Merchan & Hernandez-Lobato 2020, "Dealing with
categorical and integer-valued variables in Bayesian optimization with Gaussian processes",
Neurocomputing 380): the kernel sees every point as the configuration it stands for.

* Real: its unit coordinate.
* Integer: the unit coordinate of its value (``space.snap``: the centre of its bin on a
  linear scale, inside it on a log scale), so the GP is constant over each integer and never
  models values between integers.
* Categorical with ``k`` choices: ``k`` one-hot columns scaled by ``1/sqrt(2)``, so two
  different choices lie at squared distance 1 and no order is assumed between them.

Acquisition search: reals by gradient (L-BFGS-B, :mod:`hpo.gp.acquisition`; when asked, in
units of the kernel's lengthscales), integers and categoricals by exact discrete search: each
discrete parameter in turn is set to its best value among all of its values (up to
:data:`MAX_ENUMERATED`; larger integer ranges try that many values spread over the range plus
the neighbours of the current one), alternating with the gradient steps on the reals until
nothing changes. This is a coordinate search: it finds a local maximum, and can stop one
integer away from the global one when the acquisition has a narrow peak in the reals that moves
with the integer (tests/optimizers/test_bo_search.py keeps to peaks that overlap).
"""

from __future__ import annotations

import numpy as np

from hpo.gp.acquisition import local_search, sobol
from hpo.space import Space

__all__ = ["MAX_ENUMERATED", "FeatureMap", "maximize_mixed"]

MAX_ENUMERATED = 64
_ROUNDS = 3


class FeatureMap:
    """The map from the unit cube of ``space`` to GP features (see the module notes)."""

    def __init__(self, space: Space) -> None:
        self.space = space
        self.real = np.flatnonzero(space.is_real)
        self.discrete = np.flatnonzero(~space.is_real)
        self._slices: list[tuple[int, int, int]] = []  # (column, first feature, width)
        width = 0
        for j, p in enumerate(space.values()):
            w = p.n_values if p.kind == "categorical" else 1
            w = 0 if w == 1 and p.kind == "categorical" else w  # one choice: no information
            self._slices.append((j, width, w))
            width += w
        self.n_features = width
        self.real_features = np.array([self._slices[j][1] for j in self.real], dtype=int)

    def __call__(self, U: np.ndarray) -> np.ndarray:
        U = self.space.snap(np.atleast_2d(U))
        F = np.zeros((len(U), self.n_features))
        for (j, start, w), p in zip(self._slices, self.space.values()):
            if p.kind == "categorical":
                if w:
                    idx = p.decode(U[:, j])
                    F[np.arange(len(U)), start + idx] = np.sqrt(0.5)
            else:
                F[:, start] = U[:, j]
        return F

    def values(self, j: int, current: np.ndarray) -> np.ndarray:
        """Unit coordinates to try for discrete column ``j``: all values, or a spread and
        the neighbours of each ``current`` coordinate. Shape ``(n_values,)``."""
        p = self.space[self.space.names[j]]
        if p.kind == "categorical":
            return (np.arange(p.n_values) + 0.5) / p.n_values
        if p.n_values <= MAX_ENUMERATED:
            return p.encode(np.arange(p.low, p.high + 1))
        spread = np.unique(np.round(np.linspace(p.low, p.high, MAX_ENUMERATED)))
        cur = p.decode(current)
        near = np.clip(np.concatenate([cur + k for k in (-2, -1, 1, 2)]), p.low, p.high)
        return p.encode(np.unique(np.concatenate([spread, near])))


def maximize_mixed(
    fun,
    fmap: FeatureMap,
    rng: np.random.Generator,
    *,
    n_raw: int = 1024,
    n_restarts: int = 10,
    extra: np.ndarray | None = None,
    lengthscales: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximize an acquisition over the unit cube of a mixed space.

    Parameters
    ----------
    fun : callable
        ``fun(F, gradient)`` on GP features returns ``(a, da/dF)`` (see
        :func:`hpo.gp.acquisition.acquisition_and_gradient`).
    fmap : FeatureMap
    rng : numpy.random.Generator
    n_raw, n_restarts : int
        Quasi-random candidates, and how many of the best start a local search.
    extra : ndarray of shape (k, d), optional
        More candidates (unit cube), such as perturbations of the incumbents.
    lengthscales : ndarray of shape (n_features,), optional
        The kernel's lengthscales over the GP features; the gradient steps on the reals
        search in units of them (the preconditioning of :func:`~hpo.gp.acquisition.local_search`).

    Returns
    -------
    U, values : ndarrays of shape (n_restarts, d) and (n_restarts,)
        Local maximizers (snapped to configurations), best first.
    raw, raw_values : ndarrays
        The raw candidates and their values, as fallbacks.
    """
    space, d = fmap.space, fmap.space.dim
    scale = None
    if lengthscales is not None:
        scale = np.broadcast_to(np.asarray(lengthscales, float), (fmap.n_features,))
        scale = scale[fmap.real_features]

    def on_unit(U: np.ndarray, gradient: bool = False):
        a, dF = fun(fmap(U), gradient)
        if not gradient:
            return a, None
        dU = np.zeros((len(U), d))
        dU[:, fmap.real] = dF[:, fmap.real_features]
        return a, dU

    raw = sobol(n_raw, d, rng)
    if extra is not None and len(extra):
        raw = np.vstack([raw, np.clip(extra, 0.0, 1.0)])
    raw = space.snap(raw)
    raw_values, _ = on_unit(raw)
    order = np.argsort(-raw_values)
    U = raw[order[:n_restarts]].copy()
    values = raw_values[order[:n_restarts]]
    for _ in range(_ROUNDS):
        if len(fmap.real):
            U, values = _real_step(on_unit, U, fmap.real, scale)
        if not len(fmap.discrete):
            break
        U, values, changed = _discrete_step(on_unit, fmap, U, values)
        if not changed:
            break
    best = np.argsort(-values, kind="stable")
    return space.snap(U[best]), values[best], raw[order], raw_values[order]


def _real_step(
    on_unit, U: np.ndarray, real: np.ndarray, scale: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """L-BFGS-B over the real columns (in units of ``scale``), the discrete ones fixed."""
    fixed = U.copy()

    def fun(Z: np.ndarray, gradient: bool):
        full = fixed.copy()
        full[:, real] = Z
        a, dU = on_unit(full, gradient)
        return a, None if dU is None else dU[:, real]

    Z, values = local_search(fun, U[:, real], scale=scale)
    out = fixed.copy()
    out[:, real] = Z
    return out, values


def _discrete_step(
    on_unit, fmap: FeatureMap, U: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Set each discrete column in turn to its best value, for every start at once."""
    changed = False
    for j in fmap.discrete:
        grid = fmap.values(j, U[:, j])
        trial = np.repeat(U, len(grid), axis=0)
        trial[:, j] = np.tile(grid, len(U))
        a, _ = on_unit(trial)
        a = a.reshape(len(U), len(grid))
        pick = np.argmax(a, axis=1)
        better = a[np.arange(len(U)), pick] > values + 1e-12
        if np.any(better):
            changed = True
            U[better, j] = grid[pick[better]]
            values[better] = a[better, pick[better]]
    return U, values, changed
