"""A table of the multi-objective problems of a study: one optimizer against the others,
final hypervolume regret paired by seed.

For each problem with several objectives and each optimizer ``b`` compared with the
``baseline`` ``a``: the median final hypervolume regret of both over the seeds they share,
how many of those seeds ``a`` has the lower regret (wins), the same (ties) or a higher one
(losses), and the two-sided Wilcoxon signed-rank p-value of the paired differences
(:func:`hpo.bench.stats.wilcoxon_signed_rank`; 1 when every pair ties).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hpo.bench.stats import wilcoxon_signed_rank, win_tie_loss
from hpo.bench.summaries import ProblemTraces
from hpo.bench.tables import Table

__all__ = ["baseline_records", "baseline_table"]


def baseline_records(
    study: Mapping[str, ProblemTraces], baseline: str, others: Sequence[str]
) -> list[dict[str, Any]]:
    """One record per (multi-objective problem with a known maximal hypervolume, other
    optimizer): ``problem, baseline, other, n_seeds, baseline_median, other_median, wins,
    ties, losses, p`` (regrets as they are, floored at the study's regret floor)."""
    out = []
    for problem, pt in study.items():
        if not (pt.multi_objective and pt.has_optimum) or baseline not in pt.traces:
            continue
        sa, va = pt.traces[baseline]
        for other in others:
            if other not in pt.traces:
                continue
            sb, vb = pt.traces[other]
            common, ia, ib = np.intersect1d(sa, sb, return_indices=True)
            if common.size == 0:
                continue
            x, y = va[ia, -1], vb[ib, -1]
            wins, ties, losses = win_tie_loss(x, y)
            p = wilcoxon_signed_rank(x, y).pvalue if np.any(x != y) else 1.0
            out.append(
                dict(
                    problem=problem,
                    baseline=baseline,
                    other=other,
                    n_seeds=int(common.size),
                    baseline_median=float(np.median(x)),
                    other_median=float(np.median(y)),
                    wins=wins,
                    ties=ties,
                    losses=losses,
                    p=float(p),
                )
            )
    return out


def baseline_table(
    study: Mapping[str, ProblemTraces], baseline: str, others: Sequence[str], name: str = "moo"
) -> Table | None:
    """:func:`baseline_records` laid out as a table, one row per problem; None when the
    study has no multi-objective problem that ``baseline`` and one of ``others`` ran."""
    data = baseline_records(study, baseline, others)
    if not data:
        return None
    present = [o for o in others if any(r["other"] == o for r in data)]
    header = ["problem", "seeds", baseline]
    for o in present:
        header += [o, f"{baseline} wins/ties/losses vs {o}", "p"]
    rows, bold = [], set()
    for i, problem in enumerate(dict.fromkeys(r["problem"] for r in data)):
        recs = {r["other"]: r for r in data if r["problem"] == problem}
        first = next(iter(recs.values()))
        row = [problem, str(first["n_seeds"]), f"{first['baseline_median']:.4g}"]
        medians = [first["baseline_median"]]
        for o in present:
            r = recs.get(o)
            if r is None:
                row += ["-", "-", "-"]
                continue
            row += [f"{r['other_median']:.4g}", f"{r['wins']}/{r['ties']}/{r['losses']}"]
            row.append(f"{r['p']:.2g}")
            medians.append(r["other_median"])
        best = min(medians)
        columns = [2] + [3 + 3 * j for j in range(len(present))]
        bold |= {(i, c) for c, m in zip(columns, medians) if m == best}
        rows.append(row)
    notes = [
        "Median over the seeds both optimizers ran of the final hypervolume regret (maximal "
        "hypervolume minus the hypervolume of every point evaluated), lowest in bold; "
        f"wins/ties/losses of {baseline} seed by seed; p: two-sided Wilcoxon signed-rank test "
        "of the paired regrets (1 when all tie)."
    ]
    title = f"Final hypervolume regret: {baseline} against {', '.join(present)}"
    return Table(name, title, header, rows, data, notes, bold)
