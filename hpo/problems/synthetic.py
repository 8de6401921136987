"""Synthetic test functions with known optima: what one is, and how its domain may be shifted.

A test function is declarative data (domain, f*, minimizers; formula and reference in the
docstring) plus one vectorized evaluation, after BoTorch's ``test_functions/synthetic.py``.
The functions themselves live in two catalogues, registered with
:func:`hpo.problems.get_problem`:

- :mod:`hpo.problems.dixon_szego`: the fixed-dimension classics of the Dixon-Szegő set
  (Branin, Six-Hump Camel, Goldstein-Price, Hartmann 3 and 6, Shekel 5, 7 and 10);
- :mod:`hpo.problems.scalable`: functions of any dimension ``dim`` (Ackley, Rosenbrock, ...).

Shifting the domain
-------------------
Where x* sits at the centre of the box (Ackley, Rastrigin, Griewank) or on a point that small
regular grids contain (0 in Zakharov's ``[-5, 10]`` is on the 4-point grid, 1 in Rosenbrock's
``[-5, 10]`` on the 6-point one, (0, -1) in Goldstein-Price's ``[-2, 2]^2`` on the 5-point
one, (4, 4, 4, 4) in Shekel's box is within 2e-4 of f* on the 11-point one), a grid or a
centred design scores by construction. ``shift=s`` (an int) removes that advantage: it draws,
with ``numpy.random.default_rng(s)``, for each coordinate ``i`` a fraction
``u_i ~ Uniform[0.1, 0.3]`` and a sign ``+/-1`` with equal probability, and moves the box by
``sign_i u_i (high_i - low_i)``. The function is unchanged, only the domain moves. When the
drawn sign would leave a minimizer closer than 10 % of the width to an edge (or outside), the
other sign is used, so every x* stays well inside and the box centre is no minimizer.

``offset=f`` (with ``shift``) says how far: every coordinate then moves by exactly ``f`` of
its width, ``0 < f <= 0.4``, the signs drawn as above from the seed ``shift``; with x* at the
centre, ``f = 0.4`` puts it 10 % of the width from a corner of the box (the off-centre funnels
of issue 16). Without ``offset`` the boxes are those above, unchanged.

Only functions whose every minimizer allows this and that stay above f* on the whole of R^d
(so a moved box holds no lower point) offer ``shift``; the others refuse it with a
``ValueError``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from hpo.problems.base import Problem
from hpo.space import Real, Space

__all__ = ["SHIFT_FRACTION", "SHIFT_MARGIN", "SyntheticFunction", "shifted_bounds"]

#: Range of |fraction of the width| a shift moves each coordinate of the box by.
SHIFT_FRACTION = (0.1, 0.3)
#: Least distance, as a fraction of the width, from a minimizer to an edge of a shifted box.
SHIFT_MARGIN = 0.1


def shifted_bounds(
    bounds: np.ndarray, minimizers: np.ndarray, seed: int, offset: float | None = None
) -> np.ndarray:
    """Move a box at random, keeping every minimizer well inside (see the module docstring).

    Parameters
    ----------
    bounds : ndarray of shape (dim, 2)
        Lower and upper bounds of the box.
    minimizers : ndarray of shape (n_minimizers, dim)
        Points that must stay at least ``SHIFT_MARGIN`` of the width away from every edge.
    seed : int
        Seed of ``numpy.random.default_rng``.
    offset : float, optional
        Move every coordinate by exactly this fraction of its width (signs still drawn);
        ``None`` draws each fraction from ``SHIFT_FRACTION``.

    Returns
    -------
    ndarray of shape (dim, 2)
    """
    rng = np.random.default_rng(seed)
    dim = bounds.shape[0]
    width = bounds[:, 1] - bounds[:, 0]
    fraction = rng.uniform(*SHIFT_FRACTION, size=dim) * rng.choice((-1.0, 1.0), size=dim)
    if offset is not None:  # same draws as without it, so the signs are the same ones
        fraction = np.sign(fraction) * offset

    def fits(frac: np.ndarray) -> np.ndarray:
        # Position of each minimizer in the moved box, as a fraction of the width.
        rel = (minimizers - bounds[:, 0]) / width - frac
        tol = 0.0 if offset is None else 1e-9  # offset = 0.4 lands exactly on the margin
        return np.all((rel >= SHIFT_MARGIN - tol) & (rel <= 1.0 - SHIFT_MARGIN + tol), axis=0)

    fraction = np.where(fits(fraction), fraction, -fraction)
    if not np.all(fits(fraction)):
        raise RuntimeError("shifted_bounds: no shift keeps every minimizer inside the box")
    return bounds + (fraction * width)[:, None]


def _check_int(name: str, value: Any, owner: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{owner}: {name} must be an integer, got {value!r}")
    return int(value)


class SyntheticFunction(Problem):
    """A test function with a known global minimum over a box.

    Subclasses declare data as class attributes and implement :meth:`_evaluate`; the
    constructor checks the arguments and builds the space, bounds and name.

    Parameters
    ----------
    dim : int, optional
        Dimension, for functions that scale (``default_dim`` when omitted). A fixed-size
        function accepts only its own dimension.
    shift : int, optional
        Seed of a random move of the domain (see :func:`shifted_bounds`); ``None`` keeps the
        reference domain. Only for functions with ``shiftable = True``.
    offset : float, optional
        With ``shift``: move every coordinate by exactly this fraction of the width,
        ``0 < offset <= 0.4`` (see the module docstring); ``None`` draws 10-30 % each.

    Attributes
    ----------
    name : str
        The spec that rebuilds this problem, such as ``"ackley:dim=5,shift=0"`` (arguments at
        their default are left out).
    space : Space
        ``Real`` parameters ``x0 .. x{dim-1}`` over the (possibly shifted) domain.
    bounds : ndarray of shape (dim, 2)
        The same domain as an array of lower and upper bounds.
    optimum : float
        The global minimum f*.
    minimizers : ndarray of shape (n_minimizers, dim)
        Known global minimizers (all of them where there are finitely many).
    dim : int

    Class attributes a subclass declares: ``key`` (registry name), ``domain`` (one
    ``(low, high)`` pair per coordinate, or a single pair shared by all), ``f_star``,
    ``x_star`` (a tuple of points, or one number repeated on every coordinate),
    ``fixed_dim`` or ``default_dim`` / ``min_dim``, and ``shiftable``. Where f* or x* depend
    on the dimension, :meth:`optimum_for` and :meth:`minimizers_for` are overridden.

    Examples
    --------
    >>> from hpo.problems import get_problem
    >>> p = get_problem("ackley", dim=3, shift=0)
    >>> p.name, p.optimum, p.minimizers.shape
    ('ackley:dim=3,shift=0', 0.0, (1, 3))
    >>> bool(abs(p.evaluate(p.minimizers)[0]) < 1e-12)
    True
    >>> round(p({"x0": 1.0, "x1": 1.0, "x2": 1.0}), 6)  # 20 (1 - exp(-0.2))
    3.625385
    """

    key: ClassVar[str] = ""
    domain: ClassVar[tuple[tuple[float, float], ...]] = ()
    f_star: ClassVar[float] = 0.0
    x_star: ClassVar[float | tuple[tuple[float, ...], ...]] = ()
    fixed_dim: ClassVar[int | None] = None
    default_dim: ClassVar[int] = 2
    min_dim: ClassVar[int] = 1
    shiftable: ClassVar[bool] = False

    def __init__(
        self, dim: int | None = None, shift: int | None = None, offset: float | None = None
    ) -> None:
        self.dim = self._resolve_dim(dim)
        self.optimum = float(self.optimum_for(self.dim))
        self.minimizers = _frozen(self.minimizers_for(self.dim))
        domain = self.domain * self.dim if len(self.domain) == 1 else self.domain
        bounds = np.array(domain, dtype=float)
        if shift is not None:
            if not self.shiftable:
                raise ValueError(
                    f"{self.key}: shift is offered only where x* sits at the centre of the box "
                    f"or on a small grid; {self.key} has no such bias, got shift={shift!r}"
                )
            shift = _check_int("shift", shift, self.key)
            if shift < 0:
                raise ValueError(f"{self.key}: shift must be a non-negative seed, got {shift}")
            if offset is not None:
                if isinstance(offset, bool) or not isinstance(offset, numbers.Real):
                    raise ValueError(f"{self.key}: offset must be a number, got {offset!r}")
                if not 0 < offset <= 0.5 - SHIFT_MARGIN:  # x* at the centre stays inside
                    raise ValueError(f"{self.key}: offset must lie in (0, 0.4], got {offset!r}")
                offset = float(offset)
            bounds = shifted_bounds(bounds, self.minimizers, shift, offset)
        elif offset is not None:
            raise ValueError(f"{self.key}: offset needs a shift (the seed of its signs)")
        self.shift, self.offset = shift, offset
        self.bounds = _frozen(bounds)
        self.space = Space({f"x{i}": Real(lo, hi) for i, (lo, hi) in enumerate(bounds)})
        args = []
        if self.fixed_dim is None and self.dim != self.default_dim:
            args.append(f"dim={self.dim}")
        if shift is not None:
            args.append(f"shift={shift}")
        if offset is not None:
            args.append(f"offset={offset:g}")
        self.name = self.key + (":" + ",".join(args) if args else "")

    @classmethod
    def _resolve_dim(cls, dim: int | None) -> int:
        if dim is None:
            return cls.fixed_dim if cls.fixed_dim is not None else cls.default_dim
        dim = _check_int("dim", dim, cls.key)
        if cls.fixed_dim is not None and dim != cls.fixed_dim:
            raise ValueError(f"{cls.key}: dim must be {cls.fixed_dim} (fixed size), got {dim}")
        rule = cls.dim_rule(dim)
        if rule:
            raise ValueError(f"{cls.key}: dim must be {rule}, got {dim}")
        return dim

    @classmethod
    def dim_rule(cls, dim: int) -> str | None:
        """The rule ``dim`` breaks (worded to follow "dim must be"), or ``None``."""
        return None if dim >= cls.min_dim else f">= {cls.min_dim}"

    @classmethod
    def optimum_for(cls, dim: int) -> float:
        """f* in dimension ``dim``."""
        return cls.f_star

    @classmethod
    def minimizers_for(cls, dim: int) -> np.ndarray:
        """Global minimizers in dimension ``dim``, an array of shape (n_minimizers, dim)."""
        if isinstance(cls.x_star, numbers.Real):
            return np.full((1, dim), float(cls.x_star))
        return np.array(cls.x_star, dtype=float)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """Evaluate many points at once.

        The function is defined on all of R^dim; the domain only says where f* is known.

        Parameters
        ----------
        X : array-like of shape (n_points, dim)

        Returns
        -------
        ndarray of shape (n_points,)
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"{self.key}: X must have shape (n_points, {self.dim}), got {X.shape}")
        return self._evaluate(X)

    def _evaluate(self, X: np.ndarray) -> np.ndarray:
        """The formula, for ``X`` of shape (n_points, dim); returns shape (n_points,)."""
        raise NotImplementedError

    def __call__(self, params: Mapping[str, Any]) -> float:
        """Evaluate one configuration ``{"x0": ..., "x1": ...}`` inside the domain.

        Raises
        ------
        ValueError
            Naming the parameter that is missing, unknown or outside the domain.
        """
        values = self.space.validate(params)
        x = np.array([[values[name] for name in self.space.names]])
        return float(self._evaluate(x)[0])

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.name == other.name  # type: ignore[attr-defined]
            and np.array_equal(self.bounds, other.bounds)  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.name))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a
