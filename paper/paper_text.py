"""The values and generated sentences of the paper, and the claims its prose makes.

:func:`paper_values` returns ``{placeholder: text}`` for ``paper.template.md``. Sentences
whose wording depends on the results (who ranks first, which differences are significant) are
generated here from the tables' long-form records; the few qualitative statements written in
the template are checked by :func:`_claims`, and the build fails with :class:`ClaimFailed`
when one no longer holds on the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from paper_data import Results
from paper_importance import agreement_values, importance_values

from hpo import Real
from hpo.bench.stats import ECDF_TARGETS, REGRET_FLOOR, cd_groups, ecdf_solved
from hpo.bench.summaries import ProblemTraces, common_seeds, study_optimizers
from hpo.bench.tables import Table
from hpo.problems import get_problem

__all__ = ["ClaimFailed", "paper_values"]

HPO = ("grid", "random", "bayes", "ga")


class ClaimFailed(RuntimeError):
    """A statement of the paper's prose does not hold on the committed results."""


# -- formatting -----------------------------------------------------------------------------
def fmt_p(p: float) -> str:
    """A p-value as the tables print it."""
    return f"{p:.1e}" if p < 1e-3 else f"{p:.3f}"


def fmt_rank(r: float) -> str:
    return f"{r:.2f}"


def fmt_ms(seconds: float) -> str:
    ms = 1e3 * seconds
    return f"{ms:.3g} ms" if ms < 1000 else f"{seconds:.3g} s"


def code(name: str) -> str:
    return f"`{name}`"


def join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


NUMBERS = "zero one two three four five six seven eight nine ten".split()


def spelled(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


# -- protocol -------------------------------------------------------------------------------
def _protocol(res: Results) -> dict[str, str]:
    study = res.header["study"]
    env = res.header["environment"]
    libs = env["libraries"]
    syn = [p for p in study["problems"] if p["problem"] in res.synthetic]
    budgets = sorted({p["n_trials"] for p in syn})
    seeds = sorted({s for p in syn for s in p["seeds"]})
    opts = [o["label"] for o in study["optimizers"]]
    peers = [o for o in opts if o not in HPO]
    capped = [o for o in study["optimizers"] if o["max_seeds"] is not None]
    dims = sorted({len(r.trials[0]["params"]) for r in res.records if r.optimum is not None})
    shifted = [p for p in res.synthetic if "shift=" in p]
    centred = [p for p in res.synthetic if _shifted_name(p) in shifted]
    n_evals = sum(len(r.trials) for r in res.records)
    v: dict[str, str] = {
        "budget": "/".join(map(str, budgets)),
        "n_seeds": str(len(seeds)),
        "seed_range": f"{seeds[0]}-{seeds[-1]}",
        "n_problems": str(len(res.synthetic)),
        "n_problems_word": spelled(len(res.synthetic)),
        "n_shifted": str(len(shifted)),
        "centred_problems": join([code(p) for p in centred]),
        "centred_count": spelled(len(centred)).capitalize(),
        "unshifted_sentence": _unshifted_sentence(res, shifted),
        "dims": f"{dims[0]} to {dims[-1]}",
        "n_optimizers": str(len(opts)),
        "hpo_optimizers": join([code(o) for o in opts if o in HPO]),
        "peers": join([code(o) for o in peers]),
        "n_runs": f"{len(res.records):,}",
        "n_evaluations": f"{n_evals:,}",
        "run_hours": f"{sum(r.wall_time for r in res.records) / 3600:.1f}",
        "capped_sentence": " ".join(
            f"{code(o['label'])} ran the first {o['max_seeds']} seeds of each problem only "
            f"(still paired with the others on those)."
            for o in capped
        ),
        "hpo_version": res.header["hpo_version"],
        "python": env["python"],
        "cpu": env["cpu"],
        "cpu_count": str(env["cpu_count"]),
        "platform": env["platform"],
    }
    for key, lib in (
        ("numpy", "numpy"),
        ("scipy", "scipy"),
        ("sklearn", "scikit-learn"),
        ("optuna", "optuna"),
        ("skopt", "scikit-optimize"),
        ("pymoo", "pymoo"),
        ("matplotlib", "matplotlib"),
    ):
        v[f"v_{key}"] = str(libs.get(lib))
    mlp = [p for p in study["problems"] if res.mlp is not None and p["problem"] in res.mlp]
    if mlp:
        v["mlp_problems"] = join([code(p["problem"]) for p in mlp])
        v["mlp_tasks"] = (
            f"{spelled(len(mlp))} multilayer-perceptron tuning task{'s' * (len(mlp) != 1)}"
        )
        v["mlp_seeds"] = "/".join(sorted({str(len(p["seeds"])) for p in mlp}))
        v["mlp_budget"] = "/".join(sorted({str(p["n_trials"]) for p in mlp}))
        mlp_records = [r for r in res.records if r.optimum is None]
        v["mlp_dim"] = str(len(mlp_records[0].trials[0]["params"]))
        n_mlp_seeds = min(len(p["seeds"]) for p in mlp)
        # the smallest two-sided exact Wilcoxon p with n pairs: all signs alike, 2 / 2^n
        v["mlp_min_p"] = f"{2.0 / 2**n_mlp_seeds:.4g}"
    return v


# -- ranks and tests ------------------------------------------------------------------------
def _final(records: list[dict[str, Any]], key: str = "fraction") -> list[dict[str, Any]]:
    last = max(r[key] for r in records)
    return [r for r in records if r[key] == last]


def _rank_values(tables: Mapping[str, Table], suffix: str = "") -> dict[str, str]:
    ranks = _final(tables["ranks" + suffix].data)
    ranks.sort(key=lambda r: r["mean_rank"])
    fr = _final(tables["friedman" + suffix].data)[0]
    v = {
        "rank_list": join([f"{code(r['optimizer'])} {fmt_rank(r['mean_rank'])}" for r in ranks]),
        "rank_first": code(ranks[0]["optimizer"]),
        "rank_first_value": fmt_rank(ranks[0]["mean_rank"]),
        "rank_second": code(ranks[1]["optimizer"]),
        "rank_last": code(ranks[-1]["optimizer"]),
        "friedman_chi2": f"{fr['friedman_chi2']:.1f}",
        "friedman_p": fmt_p(fr["p"]),
        "friedman_verdict": "rejects" if fr["p"] < fr["alpha"] else "does not reject",
        "iman_f": f"{fr['iman_davenport_f']:.2f}",
        "iman_p": fmt_p(fr["p_f"]),
        "cd": f"{fr['cd']:.2f}",
        "friedman_k": str(fr["n_optimizers"]),
        "friedman_n": str(fr["n_problems"]),
    }
    mean = np.array([r["mean_rank"] for r in ranks])
    names = [r["optimizer"] for r in ranks]
    groups = cd_groups(mean, fr["cd"])
    best = names[0]
    worse = [names[i] for i in range(1, len(names)) if mean[i] - mean[0] >= fr["cd"]]
    tied = [names[i] for i in range(1, len(names)) if mean[i] - mean[0] < fr["cd"]]
    v["cd_sentence"] = (
        f"{code(best)} is significantly better than {join([code(n) for n in worse])} "
        f"(rank differences of at least CD = {fr['cd']:.2f}); its difference from "
        f"{join([code(n) for n in tied])} is within the critical difference."
        if worse
        else f"No optimizer's average rank differs from {code(best)}'s by the critical "
        f"difference (CD = {fr['cd']:.2f})."
    )
    v["cd_groups"] = join(["{" + ", ".join(code(names[i]) for i in g) + "}" for g in groups], "and")
    by_f = defaultdict(list)
    for r in tables["ranks" + suffix].data:
        by_f[r["fraction"]].append(r)
    v["rank_by_budget"] = join(
        [
            f"{code(min(rs, key=lambda r: r['mean_rank'])['optimizer'])} at {f:.0%}"
            for f, rs in sorted(by_f.items())
        ]
    )
    return {k + suffix: s for k, s in v.items()}


def _final_medians(pt: ProblemTraces) -> dict[str, float]:
    """Median final value of each optimizer over the seeds they all ran (as Table 2 bolds:
    medians over 10 seeds and over 20 do not compare)."""
    common = common_seeds(pt)
    return {o: float(np.median(v[np.isin(s, common), -1])) for o, (s, v) in pt.traces.items()}


def _wins(res: Results) -> str:
    """Problems on which each optimizer has the lowest median final regret (ties shared)."""
    wins: dict[str, int] = defaultdict(int)
    for pt in res.synthetic.values():
        med = _final_medians(pt)
        low = min(med.values())
        for o, m in med.items():
            if m == low:
                wins[o] += 1
    order = sorted(wins, key=lambda o: -wins[o])
    return join([f"{code(o)} on {wins[o]}" for o in order])


def _grid_wins(res: Results, tables: Mapping[str, Table]) -> dict[str, Any]:
    """The problems on which grid search has the lowest median final regret, and why.

    A sentence for the template, and ``_grid_single_point``: whether on each of them the grid
    was one point (the centre of the box), the same final regret for every seed."""
    points = {r["problem"]: r["grid_points_per_axis"] for r in tables["problems"].data}
    won, single = [], True
    for problem, pt in res.synthetic.items():
        if "grid" not in pt.traces:
            continue
        finals = {o: v[:, -1] for o, (_, v) in pt.traces.items()}
        medians = _final_medians(pt)
        if medians["grid"] == min(medians.values()):
            won.append(problem)
            single &= points.get(problem) == 1 and np.ptp(finals["grid"]) == 0
    if not won:
        return {"grid_win_sentence": "", "_grid_single_point": True, "_grid_won": []}
    sentence = (
        f"Grid search's lowest median on {join([code(p) for p in won])} is the value of its "
        "grid's single point, the centre of the box, at every seed: the centre lies close to "
        "Levy's minimizer $\\mathbf{x}^* = (1, \\dots, 1)$ in $[-10, 10]^d$, and Levy ran on "
        "its reference domain only."
    )
    return {"grid_win_sentence": sentence, "_grid_single_point": single, "_grid_won": won}


def _pairs(tables: Mapping[str, Table], opts: list[str]) -> dict[str, str]:
    """For ``bayes`` and ``ga``: against each other optimizer, on how many problems the
    Holm-corrected Wilcoxon test finds it better and worse."""
    v = {}
    n = len({r["problem"] for r in tables["pairwise"].data})
    for a in ("bayes", "ga"):
        if a not in opts:
            continue
        parts = []
        for b in opts:
            if b != a:
                better, _, worse = _pair_counts(tables, a, b)
                parts.append(f"{code(b)} {better}/{worse}")
        v[f"pairs_{a}"] = (
            f"against each other optimizer, the number of problems (of {n}) on which "
            f"{code(a)} is significantly better/worse is {join(parts)}."
        )
    return v


def _pair_counts(tables: Mapping[str, Table], a: str, b: str) -> tuple[int, int, int]:
    """(a better, no difference, b better) over problems, from the pairwise summary."""
    for s in tables["pairwise_summary"].data:
        if (s["a"], s["b"]) == (a, b):
            return s["a_better"], s["no_difference"], s["b_better"]
        if (s["a"], s["b"]) == (b, a):
            return s["b_better"], s["no_difference"], s["a_better"]
    raise KeyError((a, b))


def _ecdf(res: Results) -> dict[str, str]:
    """Fraction of (problem, seed, target) triples solved at the final budget (as the ECDF
    figure computes it: problems every optimizer ran, runs padded to the longest budget)."""
    opts = study_optimizers(res.synthetic)
    n = max(pt.budget for pt in res.synthetic.values())
    frac = {}
    for o in opts:
        runs = [
            np.pad(pt.traces[o][1], ((0, 0), (0, n - pt.budget)), mode="edge")
            for pt in res.synthetic.values()
        ]
        frac[o] = float(ecdf_solved(np.vstack(runs), ECDF_TARGETS)[-1])
    order = sorted(opts, key=lambda o: -frac[o])
    return {
        "ecdf_list": join([f"{code(o)} {frac[o]:.2f}" for o in order]),
        "ecdf_first": code(order[0]),
        "n_targets": str(len(ECDF_TARGETS)),
        "target_range": (
            f"1e{np.log10(ECDF_TARGETS.max()):.0f} to 1e{np.log10(ECDF_TARGETS.min()):.0f}"
        ),
        "_ecdf": frac,  # type: ignore[dict-item]
    }


# -- the domain shift -----------------------------------------------------------------------
def _unshifted_sentence(res: Results, shifted: Sequence[str]) -> str:
    """The problems of the study that take a shifted domain but ran on their reference one."""
    kept = []
    for p in res.synthetic:
        if "shift=" in p or _shifted_name(p) in shifted:
            continue
        try:
            get_problem(_shifted_name(p))
        except ValueError:
            continue  # a function without a shifted variant (its optimum is off-centre)
        kept.append(p)
    if not kept:
        return ""
    return (
        f"{join([code(p) for p in kept])}, whose optima are also points of a regular grid, "
        "run on their reference domains only."
    )


def _shifted_name(problem: str) -> str:
    """The spec of ``problem`` on the domain shifted with seed 0 (``powell`` ->
    ``powell:shift=0``, ``ackley:dim=5`` -> ``ackley:dim=5,shift=0``)."""
    return problem + (",shift=0" if ":" in problem else ":shift=0")


def _shift(res: Results, tables: Mapping[str, Table]) -> dict[str, Any]:
    """Grid search's final regret on each reference domain against its shifted twin."""
    final = {(r["problem"], r["optimizer"]): r["median"] for r in tables["regret_final"].data}
    pairs = []
    for p in res.synthetic:
        if "shift=" in p or _shifted_name(p) not in res.synthetic:
            continue
        pairs.append((p, _shifted_name(p)))
    parts, hits = [], 0
    for ref, moved in pairs:
        if (ref, "grid") not in final:
            continue
        a, b = final[ref, "grid"], final[moved, "grid"]
        if a <= np.log10(REGRET_FLOOR):
            hits += 1
        parts.append(f"{code(ref)} {a:.2f} against {b:.2f}")
    v: dict[str, Any] = {"shift_grid": join(parts), "_shift_pairs": pairs}
    if pairs and "grid" in study_optimizers(res.synthetic):
        ref = _rank_on(res, [a for a, _ in pairs], "grid")
        moved = _rank_on(res, [b for _, b in pairs], "grid")
        v["shift_sentence"] = (
            f"Over these {count(len(pairs), 'pair')}, grid search's mean rank among the "
            f"{len(study_optimizers(res.synthetic))} optimizers is {ref:.2f} on the reference "
            f"domains and {moved:.2f} on the shifted ones"
            + (
                f"; it reaches the regret floor on {count(hits, 'reference domain')}."
                if hits
                else "; it reaches the regret floor on none of the reference domains, because "
                "its grid at this budget does not contain their optima."
            )
        )
        v["_grid_shift_ranks"] = (ref, moved)
    else:
        v["shift_sentence"] = ""
    return v


def _rank_on(res: Results, problems: Sequence[str], opt: str) -> float:
    """Mean rank of ``opt`` (by median final regret) over ``problems``."""
    from scipy.stats import rankdata

    opts = study_optimizers(res.synthetic)
    ranks = []
    for p in problems:
        med = [np.median(res.synthetic[p].traces[o][1][:, -1]) for o in opts]
        ranks.append(rankdata(med)[opts.index(opt)])
    return float(np.mean(ranks))


# -- overhead -------------------------------------------------------------------------------
def _overhead(res: Results, tables: Mapping[str, Table]) -> dict[str, str]:
    v: dict[str, str] = {}
    timing = {r["optimizer"]: r for r in tables["timing_all"].data}
    order = sorted(timing, key=lambda o: timing[o]["median_ms"])
    v["study_timing"] = join([f"{code(o)} {timing[o]['median_ms']:.3g} ms" for o in order])
    v["study_timing_slowest"] = code(order[-1])
    oh = res.overhead
    if oh is None:
        return v
    s = oh["settings"]
    v.update(
        oh_repeats=str(s["repeats"]),
        oh_warmup=str(s["warmup"]),
        oh_objective=f"`{s['objective']}`",
        oh_n=join([str(n) for n in s["n_sweep"]]),
        oh_d=join([str(d) for d in s["d_sweep"]]),
        oh_d_fixed=str(s["d_fixed"]),
        oh_n_fixed=str(s["n_fixed"]),
        oh_caps=join([f"{code(o)} at n <= {c}" for o, c in s["caps"].items()]),
        oh_seconds=f"{oh['elapsed_s']:.0f}",
        oh_load_before=f"{oh['load_before'][0]:.2f}",
        oh_load_after=f"{oh['load_after'][0]:.2f}",
        oh_date=oh["date"],
        oh_command=f"`{oh['command']}`",
        oh_commit=f"`{(oh.get('source', {}).get('commit') or 'unknown')[:7]}`",
    )
    for sweep in ("n", "d"):
        slopes = {o: sl for o, sl in oh["slopes"][sweep].items() if sl is not None}
        order = sorted(slopes, key=lambda o: -slopes[o])
        v[f"oh_slopes_{sweep}"] = join([f"{code(o)} {slopes[o]:.2f}" for o in order])
    for o, cells in oh["n"].items():
        xs = sorted(cells, key=int)
        key = o.replace("-", "_")
        v[f"oh_{key}_first"] = fmt_ms(cells[xs[0]]["median"])
        v[f"oh_{key}_last"] = fmt_ms(cells[xs[-1]]["median"])
        v[f"oh_{key}_last_n"] = xs[-1]
        if len(xs) > 1:
            prev, last = cells[xs[-2]]["median"], cells[xs[-1]]["median"]
            v[f"oh_{key}_prev_n"] = xs[-2]
            v[f"oh_{key}_last_factor"] = f"{last / prev:.1f}"
            below = [cells[x]["median"] for x in xs[:-1]]
            v[f"oh_{key}_low"] = fmt_ms(min(below))
            v[f"oh_{key}_high"] = fmt_ms(max(below))
    return v


# -- MLP tasks ------------------------------------------------------------------------------
def _mlp(res: Results, tables: Mapping[str, Table]) -> dict[str, str]:
    if res.mlp is None:
        return {}
    v: dict[str, str] = {}
    loss = _final(tables["mlp_loss"].data, "evaluations")
    best = []
    for p in res.mlp:
        rows = [r for r in loss if r["problem"] == p]
        low = min(r["median"] for r in rows)
        winners = [code(r["optimizer"]) for r in rows if r["median"] == low]
        best.append(f"{join(winners)} on {code(p)} ({low:.4g})")
    v["mlp_best"] = join(best)
    if "mlp_score" in tables:
        score = _final(tables["mlp_score"].data, "evaluations")
        parts = []
        for p in res.mlp:
            rows = sorted((r for r in score if r["problem"] == p), key=lambda r: r["median"])
            parts.append(
                f"on {code(p)}, "
                + join([f"{code(r['optimizer'])} {r['median']:.2f}" for r in rows])
            )
        v["mlp_scores"] = "; ".join(parts)
    refs = res.references
    if refs:
        from_bayes = sum("bayes" in r.get("best_known_source", "") for r in refs.values())
        pools = sorted({r["n_pool"] for r in refs.values()})
        runs = sorted({r["n_bayes_runs"] for r in refs.values()})
        v["ref_sentence"] = (
            f"opt comes from reference runs made apart from the study "
            f"(`benchmarks/mlp_reference.py`: {'/'.join(map(str, pools))} random configurations "
            f"and {'/'.join(map(str, runs))} `bayes` runs per task, on seeds the study does not "
            f"use); on {from_bayes} of {count(len(refs), 'task')} the best known loss was found "
            f"by one of those `bayes` runs"
        )
    gen = tables["generalization"].data
    parts = []
    for p in res.mlp:
        rows = [r for r in gen if r["problem"] == p]
        low = min(rows, key=lambda r: r["test_median"])
        gaps = [r["gap_median"] for r in rows]
        parts.append(
            f"on {code(p)} the lowest median test loss is {code(low['optimizer'])}'s "
            f"({low['test_median']:.4g}) and the median test-minus-CV gap ranges from "
            f"{min(gaps):+.3g} to {max(gaps):+.3g}"
        )
    v["mlp_generalization"] = "; ".join(parts)
    timing = tables["mlp_timing"].data
    shares = defaultdict(list)
    eval_ms = []
    for r in timing:
        total = r["total_optimizer_s"] + r["total_eval_s"]
        shares[r["optimizer"]].append(r["total_optimizer_s"] / total)
        eval_ms.append(r["median_eval_ms"])
    order = sorted(shares, key=lambda o: -max(shares[o]))

    def pct(values: list[float]) -> str:
        lo, hi = f"{100 * min(values):.1f}", f"{100 * max(values):.1f}"
        return f"{lo} %" if lo == hi else f"{lo}-{hi} %"

    v["mlp_shares"] = join([f"{code(o)} {pct(shares[o])}" for o in order])
    v["mlp_eval_ms"] = f"{min(eval_ms):.0f} to {max(eval_ms):.0f} ms"
    return v


# -- method constants, read from the code that ran ----------------------------------------
PYMOO_POP = 100  # pymoo 0.6's GA default pop_size (hpo/peers.py); checked against the header


def _methods(res: Results) -> dict[str, str]:
    from hpo.gp.priors import LENGTHSCALE_PRIOR, NOISE_PRIOR, SIGNAL_PRIOR
    from hpo.optimizers.genetic import CLASSIC, default_pop_size

    budget = res.header["study"]["problems"][0]["n_trials"]
    var = CLASSIC  # the GA the study ran (the one-objective default since issue 17: 4.10)
    return {
        "prior_ls_mu": f"{LENGTHSCALE_PRIOR.mu:g}",
        "prior_ls_sigma": f"{LENGTHSCALE_PRIOR.sigma:g}",
        "prior_c_mu": f"{SIGNAL_PRIOR.mu:g}",
        "prior_c_sigma": f"{SIGNAL_PRIOR.sigma:g}",
        "prior_noise_median": f"10^{{{np.log10(np.exp(NOISE_PRIOR.mu)):.0f}}}",
        "prior_noise_sigma": f"{NOISE_PRIOR.sigma:g}",
        "ga_pop": str(default_pop_size(budget)),
        "ga_k": str(var.tournament_size),
        "ga_cx_rate": f"{var.crossover_rate:g}",
        "ga_eta_c": f"{var.crossover_eta:g}",
        "ga_eta_m": f"{var.mutation_eta:g}",
    }


def _grid(tables: Mapping[str, Table]) -> dict[str, str]:
    """Points per axis of grid search by dimension, from the grid runs of the journal."""
    by_dim: dict[int, set[int]] = defaultdict(set)
    for r in tables["problems"].data:
        if r["grid_points_per_axis"] is not None:
            by_dim[r["dim"]].add(r["grid_points_per_axis"])
    if not by_dim:
        return {"grid_sizes": "no grid runs"}
    by_k: dict[int, list[int]] = defaultdict(list)
    for d, ks in sorted(by_dim.items()):
        for k in ks:
            by_k[k].append(d)
    parts = [
        f"{count(k, 'point')} per axis for $d = {', '.join(map(str, ds))}$"
        + (" (the centre of the box)" if k == 1 else " (the corners)" if k == 2 else "")
        for k, ds in sorted(by_k.items(), reverse=True)
    ]
    return {"grid_sizes": join(parts)}


# -- claims ---------------------------------------------------------------------------------
def _n_reals(problem: str) -> int:
    """How many real parameters the space of ``problem`` has."""
    space = get_problem(problem).space
    return sum(isinstance(space[name], Real) for name in space.names)


def _claims(res: Results, tables: Mapping[str, Table], v: Mapping[str, Any]) -> list[str]:
    """The qualitative statements of the template, each with the check that backs it; the
    failures' messages."""
    opts = study_optimizers(res.synthetic)
    ranks = {r["optimizer"]: r["mean_rank"] for r in _final(tables["ranks"].data)}
    checks: list[tuple[str, Callable[[], bool]]] = []
    if {"bayes", "random", "grid"} <= set(opts):
        checks.append(
            (
                "bayes ranks better than random and grid",
                lambda: ranks["bayes"] < ranks["random"] and ranks["bayes"] < ranks["grid"],
            )
        )
    if {"ga", "random"} <= set(opts):
        checks.append(("ga ranks better than random", lambda: ranks["ga"] < ranks["random"]))
    checks.append(
        (
            "no problem of the study has ten or more real parameters (no preconditioning)",
            lambda: all(_n_reals(p) < 10 for p in {r.problem for r in res.records}),
        )
    )
    if v.get("grid_win_sentence"):
        checks.append(
            (
                "grid search wins only where its grid is the single centre point, on Levy",
                lambda: (
                    v["_grid_single_point"]
                    and all(
                        p.startswith("levy") and _shifted_name(p) not in res.synthetic
                        for p in v["_grid_won"]
                    )
                ),
            )
        )
    budget = res.header["study"]["problems"][0]["n_trials"]
    pymoo = res.header["environment"]["libraries"].get("pymoo") or ""
    if "pymoo-ga" in opts:
        checks.append(
            (
                f"pymoo's GA (pymoo 0.6, population {PYMOO_POP}) never breeds within the budget",
                lambda: pymoo.startswith("0.6") and budget <= PYMOO_POP,
            )
        )
    if res.mlp is not None:
        checks.append(
            (
                "the MLP tasks are MLPClassifier (adam) tasks scored by log-loss",
                lambda: all(p.startswith("mlp_adam_") and p.endswith("_logloss") for p in res.mlp),
            )
        )
    if res.overhead is not None and "bayes" in res.overhead["slopes"]["n"]:
        sl = res.overhead["slopes"]["n"]
        checks.append(
            (
                "the overhead of bayes grows with n more slowly than cubically (slope < 3)",
                lambda: sl["bayes"] < 3,
            )
        )
    if res.overhead is not None and "bayes" in res.overhead["n"]:
        cells = res.overhead["n"]["bayes"]
        xs = sorted(cells, key=int)
        t = [cells[x]["median"] for x in xs]
        slope = res.overhead["slopes"]["n"]["bayes"]
        checks.append(
            (
                "bayes: below the largest n, the step time is not monotone in n",
                lambda: any(b < a for a, b in pairwise(t[:-1])),
            )
        )
        checks.append(
            (
                "bayes: the last step in n grows faster than the fitted slope implies",
                lambda: t[-1] / t[-2] > (int(xs[-1]) / int(xs[-2])) ** slope,
            )
        )
    if res.overhead is not None:
        checks.append(
            (
                "the overhead was measured on committed code (overhead.json: source)",
                lambda: res.overhead["source"]["hpo_modified"] is False,
            )
        )
    failed = []
    for message, check in checks:
        try:
            ok = check()
        except (KeyError, ValueError, IndexError) as err:
            ok, message = False, f"{message} (cannot check: {err!r})"
        if not ok:
            failed.append(message)
    return failed


# -- discussion -----------------------------------------------------------------------------
#: Landscape of each function (Surjanovic & Bingham): a few local minima, or many.
FEW_MINIMA = ("branin", "hartmann3", "hartmann6", "rosenbrock", "zakharov", "powell")
MANY_MINIMA = ("levy", "styblinski_tang", "ackley", "rastrigin", "griewank")


def group_ranks(res: Results, keys: Sequence[str]) -> tuple[list[str], dict[str, float]]:
    """Problems whose function is one of ``keys``, and each optimizer's mean rank on them
    (ranks of the paired medians at the final budget)."""
    from hpo.bench.stats import average_ranks
    from hpo.bench.summaries import median_scores

    opts = study_optimizers(res.paired)
    scores, problems = median_scores(res.paired, opts)
    rows = [i for i, p in enumerate(problems) if p.split(":")[0] in keys]
    if not rows:
        return [], {}
    _, mean = average_ranks(scores[rows])
    return [problems[i] for i in rows], dict(zip(opts, map(float, mean)))


def _discussion(res: Results, tables: Mapping[str, Table]) -> dict[str, Any]:
    v: dict[str, Any] = {}
    for name, keys in (("few", FEW_MINIMA), ("many", MANY_MINIMA)):
        problems, ranks = group_ranks(res, keys)
        order = sorted(ranks, key=ranks.get)
        v[f"n_{name}"] = str(len(problems))
        v[f"{name}_problems"] = join([code(p) for p in problems])
        v[f"{name}_ranks"] = join([f"{code(o)} {ranks[o]:.2f}" for o in order])
        v[f"_{name}_ranks"] = ranks
    # what a run costs: the optimizer's total time per run, and an evaluation's
    per_run = defaultdict(list)
    evals = []
    for pt in res.synthetic.values():
        for o, runs in pt.records.items():
            per_run[o] += [float(r.optimizer_time().sum()) for r in runs]
            evals += [t["eval_time"] or 0.0 for r in runs for t in r.trials]
    med = {o: float(np.median(t)) for o, t in per_run.items()}
    order = sorted(med, key=med.get)
    v["run_cost"] = join([f"{code(o)} {fmt_ms(med[o])}" for o in order])
    v["synthetic_eval_us"] = f"{1e6 * np.median(evals):.0f}"
    v["_run_cost"] = med
    return v


def _abstract(res: Results, v: Mapping[str, Any]) -> dict[str, str]:
    out = {
        "abstract_ranks": (
            f"Over the {v['friedman_n']} synthetic problems {v['rank_first']} has the best "
            f"average rank of the {v['friedman_k']} optimizers ({v['rank_first_value']}; "
            f"Friedman p = {v['friedman_p']}), followed by {v['rank_second']}."
        )
    }
    oh = res.overhead
    if oh is not None and "bayes" in oh["n"] and "mlp_eval_ms" in v:
        cells = oh["n"]["bayes"]
        xs = sorted(cells, key=int)
        out["abstract_overhead"] = (
            f"The overhead of `bayes` grows with the number of observations n with a log-log "
            f"slope of {oh['slopes']['n']['bayes']:.2f}, from {fmt_ms(cells[xs[0]]['median'])} "
            f"per step at n = {xs[0]} to {fmt_ms(cells[xs[-1]]['median'])} at n = {xs[-1]}, "
            f"against {v['mlp_eval_ms']} for one cross-validated MLP evaluation."
        )
    else:
        out["abstract_overhead"] = ""
    return out


def _complete(v: Mapping[str, Any], res: Results) -> dict[str, str]:
    if "rank_list_complete" not in v:
        return {"complete_sentence": "Every optimizer ran every seed; see Section 4.2."}
    main = [o for o in study_optimizers(res.paired)]
    sub = study_optimizers(res.complete)
    left_out = [o for o in main if o not in sub]
    return {
        "complete_sentence": (
            f"Leaving out {join([code(o) for o in left_out])}, the {v['friedman_k_complete']} "
            f"optimizers that ran all {v['n_seeds']} seeds rank {v['rank_list_complete']} on "
            f"their medians over all seeds (Friedman p = {v['friedman_p_complete']}, "
            f"CD = {v['cd_complete']}). {v['cd_sentence_complete']}"
        )
    }


def paper_values(res: Results, tables: Mapping[str, Table]) -> dict[str, str]:
    """Every value of the template, after checking its claims.

    Raises
    ------
    ClaimFailed
        Listing the claims that do not hold.
    """
    opts = study_optimizers(res.synthetic)
    v: dict[str, Any] = {}
    v.update(_protocol(res))
    v.update(_rank_values(tables))
    if "ranks_complete" in tables:
        v.update(_rank_values(tables, "_complete"))
        paired_seeds = sorted({len(s) for pt in res.paired.values() for s, _ in pt.traces.values()})
        v["paired_seeds"] = "/".join(map(str, paired_seeds))
    v["wins"] = _wins(res)
    v.update(_grid_wins(res, tables))
    v.update(_pairs(tables, opts))
    v.update(_ecdf(res))
    v.update(_shift(res, tables))
    v.update(_overhead(res, tables))
    v.update(_mlp(res, tables))
    v.update(importance_values(res, tables.get("mlp_importance")))  # the importance section
    v.update(agreement_values())
    v.update(_methods(res))
    v.update(_grid(tables))
    v.update(_abstract(res, v))
    v.update(_complete(v, res))
    v.setdefault("paired_seeds", str(v["n_seeds"]))
    v.update(_discussion(res, tables))
    failed = _claims(res, tables, v)
    if failed:
        raise ClaimFailed(
            "claims of the paper that the data no longer support:\n  " + "\n  ".join(failed)
        )
    return {k: str(x) for k, x in v.items() if not k.startswith("_")}
