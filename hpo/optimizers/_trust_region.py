"""A trust region around the incumbent for Bayesian optimization (TuRBO's rules).

TuRBO (Eriksson, Pearce, Gardner, Turner & Poloczek 2019, "Scalable global optimization via
local Bayesian optimization", NeurIPS, section 2) proposes inside a hyperrectangle centred at
the best point observed, whose base side ``L`` grows after a run of successes and shrinks
after a run of failures, and whose sides follow the GP's lengthscales. Here the region only
restricts the acquisition search of :class:`hpo.BayesianOptimization` (its GP stays global,
fitted on every point, and the acquisition stays log-EI); TuRBO-1 fits a local GP and draws
Thompson samples instead.

Notation
--------
L : the base side of the region, in units of the unit cube of the space.
c : the incumbent (best completed trial) in the unit cube.
l : the kernel's lengthscales over the real parameters; ``w = l / mean(l)``, then
    ``w = w / prod(w)^(1/k)`` (k real parameters) so that ``prod(w) = 1`` and the region's
    volume is ``L^k`` before clipping.
Box : ``[clip(c - w L / 2, 0, 1), clip(c + w L / 2, 0, 1)]`` on the real columns; discrete
    columns keep ``[0, 1]`` (they are searched exactly over all their values).

Rules (the constants of the paper's section 2 and of its reference code,
``turbo/turbo_1.py`` of github.com/uber-research/TuRBO: ``length_init = 0.8``,
``length_min = 0.5**7``, ``length_max = 1.6``, ``succtol = 3``,
``failtol = ceil(max(4 / q, d / q))`` for batches of ``q``, here ``q = 1``):

* a trial is a *success* when its value ``y < y_best - 1e-3 |y_best|`` (the reference
  code's ``_adjust_length``), otherwise a *failure* (a failed trial is a failure);
* ``success_tolerance`` successes in a row double ``L`` (at most ``length_max``);
  ``failure_tolerance`` failures in a row halve it; each change resets the counters;
* when ``L < length_min`` the region restarts at ``length_init`` (TuRBO restarts the whole
  run with a new design; the global GP here keeps its data).

The side is a pure function of the history (:func:`side_length` replays it trial by trial),
so a saved and reloaded optimizer, or one that previews its next fit, proposes the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hpo.optimizers._local_model import model_step
from hpo.space import Space

#: The frames of the region: TuRBO's axes, or an active subspace's eigenvectors.
METRICS = ("axes", "active")
#: When a quadratic model's step (:mod:`hpo.optimizers._local_model`) is proposed.
LOCAL_MODELS = ("off", "alternate", "shrunk", "candidate", "always")

__all__ = [
    "LOCAL_MODELS",
    "METRICS",
    "TrustRegion",
    "auto_trust_region",
    "local_model_step",
    "make_trust_region",
    "side_length",
    "trust_box",
]


@dataclass(frozen=True)
class TrustRegion:
    """Settings of the trust region of :class:`hpo.BayesianOptimization`.

    Parameters
    ----------
    length_init, length_min, length_max : float
        Initial, restart-threshold and largest base side ``L`` (unit-cube units); TuRBO's
        0.8, ``2**-7`` and 1.6.
    success_tolerance : int, default 3
        Successes in a row that double ``L``.
    failure_tolerance : int, optional
        Failures in a row that halve ``L``; default ``ceil(max(4, d))`` (TuRBO, batch 1).
    min_improvement : float, default 1e-3
        A success improves on the best value by more than this fraction of its magnitude.
    global_every : int, default 0
        When positive, every ``global_every``-th model-based proposal searches the whole
        space instead (a global step interleaved with the local ones); 0 never does.
    start : int, default 0
        Number of model-based proposals made globally before the region applies (an
        initial global phase); the rules replay from the first proposal after it.
    metric : {"axes", "active"}, default "axes"
        ``"axes"``: TuRBO's box, aligned with the axes. ``"active"``: on spaces of reals
        only (others keep the axes), a box aligned with the eigenvectors of the GP mean's
        gradient outer products (an active subspace), searched with a GP fitted on inputs
        rotated into that frame (:mod:`hpo.optimizers._rotated_region`; one more GP fit
        per proposal); evidence in ``benchmarks/results/landscapes/ridge-*.md``.
    local_points : int, default 30
        With ``metric="active"``: the rotated GP is fitted on this many completed trials
        nearest the incumbent (a local model, as TuRBO's GP is local).
    local_power : float, default 2.0
        With ``metric="active"``: the rotated GP models ``(f - f_best)^local_power`` of those
        trials, not the output warping's values (2 turns a cone into a smooth bowl).
    local_model : {"off", "alternate", "shrunk", "candidate", "always"}, default "off"
        On spaces of reals, a derivative-free quadratic model of the objective's values on
        the trials nearest the incumbent, minimized in the box
        (:mod:`hpo.optimizers._local_model`; Powell 2009, BOBYQA): ``"always"`` proposes its
        step instead of the acquisition's at every local proposal, ``"alternate"`` at every
        second one, ``"shrunk"`` once the side is below ``length_init``, and
        ``"candidate"`` adds the step to the acquisition search's candidates (the
        acquisition judges it). When the model cannot be built (too few or badly spread
        points) or predicts no decrease, the acquisition's proposal is made.
    local_model_points : int, optional
        The model is fitted on this many trials nearest the incumbent; default
        ``p = (d + 1)(d + 2) / 2`` (a full quadratic's coefficients), ``p + d`` with
        ``local_model_min_r2 > 0``.
    local_model_min_r2 : float, default 0.0
        With more points than that, the least-squares model's step is only taken when its
        ``R^2`` on those points reaches this (a test that the function is locally quadratic).
    active_below : float, optional
        With ``metric="active"``: the rotated region applies only from the first proposal
        after which the base side ``L`` has been at or below this value (the axis-aligned
        box has shrunk, failing); until then the proposals are the axis-aligned region's.
        None applies it from the first proposal.

    Examples
    --------
    >>> TrustRegion().failure_tolerance_for(5)
    5
    """

    length_init: float = 0.8
    length_min: float = 0.5**7
    length_max: float = 1.6
    success_tolerance: int = 3
    failure_tolerance: int | None = None
    min_improvement: float = 1e-3
    global_every: int = 0
    start: int = 0
    metric: str = "axes"
    local_points: int = 30
    local_power: float = 2.0
    local_model: str = "off"
    local_model_points: int | None = None
    local_model_min_r2: float = 0.0
    active_below: float | None = None

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {self.metric!r}")
        if self.local_model not in LOCAL_MODELS:
            raise ValueError(f"local_model must be one of {LOCAL_MODELS}, got {self.local_model!r}")
        n = self.local_model_points
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 3):
            raise ValueError(f"local_model_points must be None or an integer >= 3, got {n!r}")
        r2 = self.local_model_min_r2
        if isinstance(r2, bool) or not isinstance(r2, (int, float)) or not 0 <= r2 < 1:
            raise ValueError(f"local_model_min_r2 must be a number in [0, 1), got {r2!r}")
        for name in ("length_init", "length_min", "length_max", "min_improvement", "local_power"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a non-negative number, got {value!r}")
        if not 0 < self.length_min <= self.length_init <= self.length_max:
            raise ValueError(
                "the sides must satisfy 0 < length_min <= length_init <= length_max, got "
                f"{self.length_min!r}, {self.length_init!r}, {self.length_max!r}"
            )
        if self.active_below is not None and (
            isinstance(self.active_below, bool)
            or not isinstance(self.active_below, (int, float))
            or not self.active_below > 0
        ):
            raise ValueError(
                f"active_below must be None or a positive number, got {self.active_below!r}"
            )
        if self.local_power == 0:
            raise ValueError("local_power must be positive, got 0")
        if isinstance(self.local_points, bool) or not isinstance(self.local_points, int):
            raise ValueError(f"local_points must be an integer >= 2, got {self.local_points!r}")
        if self.local_points < 2:
            raise ValueError(f"local_points must be an integer >= 2, got {self.local_points!r}")
        for name in ("success_tolerance", "failure_tolerance", "global_every", "start"):
            value = getattr(self, name)
            if value is None and name == "failure_tolerance":
                continue
            low = 1 if name.endswith("tolerance") else 0
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")

    def failure_tolerance_for(self, dim: int) -> int:
        """Failures in a row that halve the side in ``dim`` dimensions."""
        if self.failure_tolerance is not None:
            return self.failure_tolerance
        return math.ceil(max(4.0, float(dim)))  # TuRBO-1's failtol with batch size 1

    def is_global(self, k: int) -> bool:
        """Whether model-based proposal number ``k`` (from 0) searches the whole space."""
        if k < self.start:
            return True
        return self.global_every > 0 and (k - self.start) % self.global_every == 0


def auto_trust_region(space: Space, n_objectives: int = 1) -> bool:
    """What ``trust_region="auto"`` of :class:`hpo.BayesianOptimization` means for a space.

    True (TuRBO's rules) for one objective on a flat space whose parameters are all real or
    integer, the settings checked on held-out seeds (real spaces: the six-problem suite;
    integer and real: the paper study's MLP tasks; ``benchmarks/results/bo/
    trust-region-default.md``); False for several objectives (one incumbent has no meaning
    there), for conditional spaces (their committed results were measured without it), and
    for spaces with a categorical parameter (no held-out check covered them).

    On integer columns :func:`trust_box` keeps the whole range, so there the region bounds
    the real parameters only.

    Examples
    --------
    >>> from hpo import Categorical, Integer, Real, Space
    >>> auto_trust_region(Space({"x": Real(0.0, 1.0), "y": Real(-1.0, 1.0)}))
    True
    >>> auto_trust_region(Space({"x": Real(0.0, 1.0), "k": Integer(1, 5)}))
    True
    >>> auto_trust_region(Space({"x": Real(0.0, 1.0), "c": Categorical(["a", "b"])}))
    False
    >>> auto_trust_region(Space({"x": Real(0.0, 1.0)}), n_objectives=2)
    False
    """
    numeric = np.asarray(space.is_real) | np.asarray(space.is_integer)
    return n_objectives == 1 and not space.is_conditional and bool(np.all(numeric))


def make_trust_region(value: TrustRegion | Mapping[str, Any] | bool | None) -> TrustRegion | None:
    """The ``trust_region`` option of :class:`hpo.BayesianOptimization`: None or False (off),
    True (TuRBO's settings), a :class:`TrustRegion` or a mapping of its fields."""
    if value is None or value is False:
        return None
    if value is True:
        return TrustRegion()
    if isinstance(value, TrustRegion):
        return value
    if isinstance(value, Mapping):
        return TrustRegion(**value)
    raise TypeError(
        f"trust_region must be a bool, a TrustRegion or a mapping of its fields, got {value!r}"
    )


def side_length(values: Sequence[float], n_before: int, config: TrustRegion, dim: int) -> float:
    """The base side ``L`` after replaying a history through TuRBO's rules.

    Parameters
    ----------
    values : sequence of float
        The values of the finished trials in trial order (``inf`` or NaN for a
        failed trial).
    n_before : int
        How many of them precede the region (the initial design and the global phase):
        they only set the best value; the rules replay from ``values[n_before]`` on.
    config : TrustRegion
    dim : int
        Dimension of the space (sets the default failure tolerance).

    Returns
    -------
    float
        The side, in ``[length_min, length_max]``.
    """
    v = np.asarray(values, dtype=float)
    v = np.where(np.isnan(v), np.inf, v)
    best = float(np.min(v[:n_before])) if n_before > 0 else np.inf
    length = config.length_init
    successes = failures = 0
    fail_tol = config.failure_tolerance_for(dim)
    for y in v[n_before:]:
        # success: y < y_best - 1e-3 |y_best| (turbo_1.py, _adjust_length)
        threshold = best - config.min_improvement * abs(best) if np.isfinite(best) else np.inf
        if y < threshold:
            successes, failures = successes + 1, 0
        else:
            successes, failures = 0, failures + 1
        if successes == config.success_tolerance:  # expand
            length, successes = min(2.0 * length, config.length_max), 0
        elif failures == fail_tol:  # shrink
            length, failures = length / 2.0, 0
        if length < config.length_min:  # restart the region
            length, successes, failures = config.length_init, 0, 0
        best = min(best, y)
    return length


def trust_box(
    center: np.ndarray, length: float, lengthscales: np.ndarray | None, real: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The region ``[lower, upper]`` in the unit cube.

    Parameters
    ----------
    center : ndarray of shape (d,)
        The incumbent in the unit cube.
    length : float
        The base side ``L``.
    lengthscales : ndarray of shape (len(real),), optional
        The kernel's lengthscales of the real columns; None gives a cube of side ``L``.
    real : ndarray of int
        The real columns; the others get ``[0, 1]``.

    Returns
    -------
    lower, upper : ndarrays of shape (d,)
    """
    center = np.asarray(center, dtype=float)
    lower, upper = np.zeros_like(center), np.ones_like(center)
    if len(real) == 0:
        return lower, upper
    if lengthscales is None:
        w = np.ones(len(real))
    else:
        w = np.asarray(lengthscales, dtype=float)
        if w.shape != (len(real),) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(
                f"lengthscales must be {len(real)} positive finite numbers, got {lengthscales!r}"
            )
        # TuRBO's weights (turbo_1.py, _create_candidates): w = l / mean(l), then divided by
        # its geometric mean so that prod(w) = 1 (the volume of the box is L^k).
        w = w / w.mean()
        w = w / np.exp(np.mean(np.log(w)))
    half = w * length / 2.0
    lower[real] = np.clip(center[real] - half, 0.0, 1.0)
    upper[real] = np.clip(center[real] + half, 0.0, 1.0)
    return lower, upper


def local_model_step(
    config: TrustRegion,
    k: int,
    length: float,
    U: np.ndarray,
    values: np.ndarray,
    center: np.ndarray,
    box: tuple[np.ndarray, np.ndarray],
) -> np.ndarray | None:
    """The quadratic model's step of ``config.local_model`` for proposal ``k``, or None.

    Parameters
    ----------
    config : TrustRegion
    k : int
        The proposal's number among the model-based ones (from 0).
    length : float
        The region's base side now.
    U, values : ndarrays of shapes (n, d) and (n,)
        The completed trials in the unit cube and their values.
    center : ndarray of shape (d,)
        The incumbent in the unit cube.
    box : (lower, upper)
        The trust box of :func:`trust_box`.

    Returns
    -------
    ndarray of shape (d,) or None
        None when this proposal is not the model's (``"off"``, the odd ones of
        ``"alternate"``, an unshrunk side with ``"shrunk"``) or when the model gives no
        step (:func:`hpo.optimizers._local_model.model_step`); with ``"candidate"`` the
        step is for the acquisition search to judge.
    """
    mode = config.local_model
    if mode == "off" or (mode == "alternate" and k % 2 == 1):
        return None
    if mode == "shrunk" and length >= config.length_init:
        return None
    d = len(center)
    p = (d + 1) * (d + 2) // 2
    n_points = config.local_model_points or (p + d if config.local_model_min_r2 > 0 else p)
    return model_step(U, values, center, box[0], box[1], n_points, min_r2=config.local_model_min_r2)
