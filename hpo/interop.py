"""Runs to and from Optuna and scikit-optimize, to keep their dashboards, plots and warm starts.

============================  ==============================================================
function                      what it does
============================  ==============================================================
``to_optuna(run)``            an Optuna study holding the run's trials (``create_trial``):
                              complete ones with their value, failed ones in state ``FAIL``
``from_optuna(study, opt)``   tells ``opt`` the study's complete and failed trials
``to_skopt(run)``             a scikit-optimize ``OptimizeResult`` (``x_iters``,
                              ``func_vals``, ``x``, ``fun``, ``space``) of the complete trials
``from_skopt(result, opt)``   tells ``opt`` the result's evaluations
============================  ==============================================================

A *run* is an :class:`~hpo.Optimizer`, a :class:`~hpo.Result` or a list of
:class:`~hpo.Trial` (both with ``space=``), or a study journal's
:class:`~hpo.bench.records.RunRecord` (its problem's space unless ``space=`` is given).
Values are minimized, as in hpo (a ``maximize`` study gets them negated both ways).

Parameters map one to one: ``Real`` to ``FloatDistribution`` / ``skopt.space.Real`` and
``Integer`` to ``IntDistribution`` / ``skopt.space.Integer`` (log scales kept; a logit scale,
which neither library has, is exported as linear), ``Categorical`` to
``CategoricalDistribution`` / ``skopt.space.Categorical``. Choices that are not ``None``,
``bool``, ``int``, ``float`` or ``str`` (the tuples of ``hidden_layer_sizes``) are exported as
their ``repr``, which both libraries store and plot, and read back as the choice itself.
scikit-optimize has no failed evaluations: they are left out of an ``OptimizeResult``.

Optuna and scikit-optimize are optional (``pip install "hpo[peers]"``), imported when called.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from hpo.optimizers.base import Optimizer, config_key
from hpo.space import Parameter, Params, Space
from hpo.trial import Result, Trial, TrialStatus

__all__ = ["from_optuna", "from_skopt", "to_optuna", "to_skopt"]

logger = logging.getLogger("hpo")

_PLAIN = (type(None), bool, int, float, str)


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(
            f"{module} is needed here: install the peers extra with pip install 'hpo[peers]'"
        ) from err


def _history(run: Any, space: Space | None) -> tuple[Space, list[Trial]]:
    """The space and the told (complete or failed) trials of a run, params made canonical."""
    if isinstance(run, Optimizer):
        space, trials = space or run.space, run.trials
    elif isinstance(run, Result) or isinstance(run, Sequence):
        trials = run.trials if isinstance(run, Result) else list(run)
    elif hasattr(run, "problem") and hasattr(run, "trials"):  # a journal's RunRecord
        trials = [Trial.from_dict(t) for t in run.trials]
        if space is None:
            from hpo.problems import get_problem

            space = get_problem(run.problem).space
    else:
        raise TypeError(f"run: expected an Optimizer, a Result, trials or a RunRecord, got {run!r}")
    if space is None:
        raise TypeError("space: needed to export a Result or a list of trials")
    space = space if isinstance(space, Space) else Space(space)
    told = [t for t in trials if t.status is not TrialStatus.PENDING]
    return space, [
        Trial(t.number, space.validate(t.params), t.value, t.status, t.error) for t in told
    ]


def _portable(choice: Any) -> Any:
    """A choice as Optuna and scikit-optimize can store it (``repr`` of a tuple)."""
    return choice if isinstance(choice, _PLAIN) else repr(choice)


def _decode(space: Space, params: dict[str, Any]) -> Params:
    """Read exported choices back (``"(50, 50)"`` is the tuple ``(50, 50)``)."""
    out = dict(params)
    for name, value in params.items():
        p = space[name] if name in space else None
        if p is not None and p.kind == "categorical":
            out[name] = {_portable(c): c for c in p.choices}.get(value, value)
    return out


def _tell_once(optimizer: Optimizer, params: list[Params], values: list[Any]) -> list[Trial]:
    """Tell each configuration once: its first evaluation (hpo keeps one trial per
    configuration; a study may hold repeats), skipping those the optimizer was already told."""
    seen = {config_key(t.params) for t in optimizer.trials if t.status is not TrialStatus.PENDING}
    batch = []
    for p, v in zip([optimizer.space.validate(p) for p in params], values):
        if config_key(p) not in seen:
            seen.add(config_key(p))
            batch.append((p, v))
    if len(batch) < len(params):
        logger.info("warm start: %d repeated configurations skipped", len(params) - len(batch))
    return optimizer.tell([p for p, _ in batch], [v for _, v in batch]) if batch else []


# -- Optuna -----------------------------------------------------------------------------
def optuna_distribution(param: Parameter) -> Any:
    """The Optuna distribution of an hpo parameter."""
    dist = _require("optuna").distributions
    if param.kind == "real":
        return dist.FloatDistribution(param.low, param.high, log=param.log)
    if param.kind == "integer":
        return dist.IntDistribution(param.low, param.high, log=param.log)
    return dist.CategoricalDistribution([_portable(c) for c in param.choices])


def to_optuna(run: Any, space: Space | None = None, *, study: Any = None) -> Any:
    """Export a run to an Optuna study.

    Parameters
    ----------
    run : Optimizer, Result, list of Trial or RunRecord
    space : Space, optional
        Needed for a Result or a list of trials; by default the optimizer's, or the space of
        the journal record's problem.
    study : optuna.Study, optional
        Where to add the trials (with a storage for ``optuna-dashboard``, say); a new
        in-memory ``minimize`` study by default.

    Returns
    -------
    optuna.Study
        One trial per told trial, in order: ``COMPLETE`` with its value, or ``FAIL``; the hpo
        trial number and failure reason in ``user_attrs`` (``hpo_number``, ``hpo_error``).
    """
    optuna = _require("optuna")
    space, trials = _history(run, space)
    study = study or optuna.create_study(direction="minimize")
    sign = -1.0 if study.direction == optuna.study.StudyDirection.MAXIMIZE else 1.0
    for t in trials:
        params = {n: _portable(v) for n, v in t.params.items()}
        study.add_trial(
            optuna.trial.create_trial(
                state=optuna.trial.TrialState.COMPLETE if t.ok else optuna.trial.TrialState.FAIL,
                value=sign * t.value if t.ok else None,
                params=params,
                distributions={n: optuna_distribution(space[n]) for n in params},
                user_attrs={"hpo_number": t.number, "hpo_error": t.error},
            )
        )
    return study


def from_optuna(study: Any, optimizer: Optimizer) -> list[Trial]:
    """Warm-start ``optimizer`` with the complete and failed trials of an Optuna study.

    Returns the trials told: other states (pruned, running) are skipped, and so is a repeated
    configuration (hpo keeps its first evaluation). A trial outside the optimizer's space is
    a ``ValueError`` naming the parameter.
    """
    state = _require("optuna").trial.TrialState
    sign = -1.0 if study.direction.name == "MAXIMIZE" else 1.0
    trials = [t for t in study.trials if t.state in (state.COMPLETE, state.FAIL)]
    params = [_decode(optimizer.space, t.params) for t in trials]
    values = [
        sign * t.value
        if t.state == state.COMPLETE
        else RuntimeError(f"optuna trial {t.number}: FAIL")
        for t in trials
    ]
    return _tell_once(optimizer, params, values)


# -- scikit-optimize --------------------------------------------------------------------
def skopt_dimension(name: str, param: Parameter) -> Any:
    """The scikit-optimize dimension of an hpo parameter."""
    sk = _require("skopt.space")
    prior = "log-uniform" if getattr(param, "log", False) else "uniform"
    if param.kind == "real":
        return sk.Real(param.low, param.high, prior=prior, name=name)
    if param.kind == "integer":
        return sk.Integer(param.low, param.high, prior=prior, name=name)
    return sk.Categorical([_portable(c) for c in param.choices], name=name)


def to_skopt(run: Any, space: Space | None = None) -> Any:
    """Export the complete trials of a run as a scikit-optimize ``OptimizeResult``.

    ``x_iters`` lists each configuration in the order of ``space``; ``func_vals`` their
    values; ``x`` and ``fun`` the best; ``space`` a ``skopt.Space``. Failed trials are left out.
    """
    skopt = _require("skopt")
    space, trials = _history(run, space)
    done = [t for t in trials if t.ok]
    for t in done:
        if len(t.params) != len(space):
            missing = sorted(set(space) - set(t.params))
            raise ValueError(
                f"scikit-optimize needs every parameter: trial {t.number} lacks {missing}"
            )
    dims = skopt.Space([skopt_dimension(n, p) for n, p in space.items()])
    x_iters = [[_portable(t.params[n]) for n in space] for t in done]
    return skopt.utils.create_result(x_iters, np.array([t.value for t in done]), space=dims)


def from_skopt(result: Any, optimizer: Optimizer) -> list[Trial]:
    """Warm-start ``optimizer`` with the evaluations of a scikit-optimize ``OptimizeResult``.

    Dimensions are matched by name when the result's space names them all, else by position.
    Non-finite values become failed trials; a repeated configuration is told once (its first
    evaluation). Returns the trials told.
    """
    dims = getattr(result.get("space"), "dimensions", None) or []
    names = [d.name for d in dims]
    if not dims or None in names:
        names = list(optimizer.space)
    params = [_decode(optimizer.space, dict(zip(names, x))) for x in result.x_iters]
    values = [float(v) for v in result.func_vals]
    return _tell_once(optimizer, params, values)
