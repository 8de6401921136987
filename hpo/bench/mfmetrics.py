"""Metrics of multi-fidelity runs: the incumbent at full fidelity against cost and time.

A multi-fidelity run's trials are evaluated at different budgets, so a loss at 1 epoch and a
loss at 27 are not comparable: every metric here follows the *incumbent at full fidelity*,
the lowest loss among the trials evaluated at ``fidelity.high`` so far, against

- the total cost spent, in full-training equivalents (cost / ``fidelity.high``), and
- the simulated wall time (virtual time, in the same unit) per count of virtual workers.

A run's final result is its ``meta["final_loss"]``: the loss at full fidelity of its
recommendation (see :mod:`hpo.bench.mfrun`). Labels of runs with ``k > 1`` workers end in
``"@<k>w"`` (:mod:`hpo.bench.study`); :func:`base_label` strips it. The tables are in
:mod:`hpo.bench.mftables`, the figures and the report in :mod:`hpo.bench.mfreport`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

import numpy as np

from hpo.bench.records import RunRecord

__all__ = [
    "base_label",
    "best_at",
    "cost_to_reach",
    "final_loss",
    "full_fidelity_trace",
    "is_multi_fidelity",
    "within_budget",
]

_WORKERS = re.compile(r"^(.*)@(\d+)w$")


def is_multi_fidelity(records: Sequence[RunRecord]) -> bool:
    """Whether the records come from a study with a cost budget or virtual workers."""
    return any(r.max_cost is not None or r.workers is not None for r in records)


def base_label(label: str) -> str:
    """``"asha@8w"`` -> ``"asha"``; other labels unchanged."""
    match = _WORKERS.match(label)
    return match.group(1) if match else label


def _unit(record: RunRecord) -> float:
    return 1.0 if record.fidelity is None else float(record.fidelity["high"])


def full_fidelity_trace(record: RunRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(cost, time, best)`` after each simulated trial, in the order the trials ended.

    Returns
    -------
    cost : ndarray of shape (n,)
        Total cost spent when each trial ended, in full-training equivalents.
    time : ndarray of shape (n,)
        Its simulated end time, in the same unit.
    best : ndarray of shape (n,)
        The lowest loss among the complete trials at full fidelity ended so far (``inf``
        before the first).
    """
    unit = _unit(record)
    name = None if record.fidelity is None else record.fidelity["name"]
    ran = [t for t in record.trials if t.get("end") is not None]
    ran.sort(key=lambda t: (t["end"], t["number"]))
    cost = np.cumsum([t.get("cost", 0.0) for t in ran]) / unit
    end = np.array([t["end"] for t in ran], dtype=float) / unit
    values = [
        t["value"]
        if t["status"] == "complete" and (name is None or t["params"].get(name) == unit)
        else np.inf
        for t in ran
    ]
    best = np.minimum.accumulate(np.array(values, dtype=float)) if ran else np.array([])
    return cost.astype(float), end, best


def best_at(record: RunRecord, x: np.ndarray, axis: str = "cost") -> np.ndarray:
    """The full-fidelity incumbent's loss at each point of ``x`` (cost or simulated time,
    in full-training equivalents); ``inf`` before the first full-fidelity result."""
    cost, end, best = full_fidelity_trace(record)
    xs = cost if axis == "cost" else end
    idx = np.searchsorted(xs, np.asarray(x, dtype=float), side="right")
    return np.concatenate([[np.inf], best])[idx]


def final_loss(record: RunRecord) -> float:
    """The loss at full fidelity of the run's recommendation, NaN if it has none."""
    value = record.meta.get("final_loss")
    return float("nan") if value is None else float(value)


def cost_to_reach(record: RunRecord, target: float, axis: str = "cost") -> float:
    """The cost (or simulated time) at which the full-fidelity incumbent first reached a loss
    ``<= target``, in full-training equivalents; ``inf`` if never."""
    cost, end, best = full_fidelity_trace(record)
    hit = np.flatnonzero(best <= target)
    if not len(hit):
        return float("inf")
    return float((cost if axis == "cost" else end)[hit[0]])


def within_budget(record: RunRecord, budget: float) -> RunRecord:
    """``record`` as the same run stopped at a total cost of ``budget`` full-training
    equivalents would have made it.

    :func:`hpo.simulate.run` starts a trial only while the cost of the trials started before
    it (in start order, which is trial order) is below its ``max_cost``; the trials started
    before that point, their costs and their simulated end times do not depend on what starts
    later, so a run with a larger budget holds the smaller run's trials. Its ``final_loss`` is
    the best complete loss at the highest budget told when that is ``fidelity.high`` (the
    recommendation :mod:`hpo.bench.mfrun` reports), else NaN (it would need an evaluation).
    """
    limit = budget * _unit(record)
    ran = sorted(
        (t for t in record.trials if t.get("start") is not None), key=lambda t: t["number"]
    )
    spent, kept = 0.0, set()
    for t in ran:
        if spent >= limit:
            break
        kept.add(t["number"])
        spent += t.get("cost", 0.0)
    trials = [t for t in record.trials if t["number"] in kept]
    name = None if record.fidelity is None else record.fidelity["name"]
    told = [t for t in trials if t["status"] in ("complete", "failed")]
    meta = {k: v for k, v in record.meta.items() if k not in ("final_loss", "test_loss")}
    meta["final_loss"] = float("nan")
    if told:
        top = max(t["params"].get(name, _unit(record)) if name else 1.0 for t in told)
        done = [
            t["value"]
            for t in told
            if t["status"] == "complete" and (name is None or t["params"].get(name) == top)
        ]
        if done and (name is None or top == _unit(record)):
            meta["final_loss"] = float(min(done))
    return dataclasses.replace(record, trials=trials, meta=meta, max_cost=limit)


def _groups(records: Sequence[RunRecord]) -> dict[str, dict[str, list[RunRecord]]]:
    """``{problem: {label: [records by seed]}}`` in the order of first appearance."""
    out: dict[str, dict[str, list[RunRecord]]] = {}
    for r in sorted(records, key=lambda r: r.seed):
        out.setdefault(r.problem, {}).setdefault(r.optimizer, []).append(r)
    return out


def _ordered(labels: Sequence[str], order: Sequence[str] | None) -> list[str]:
    if not order:
        return list(labels)
    return [o for o in order if o in labels] + [o for o in labels if o not in order]
