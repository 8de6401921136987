"""Off-centre funnels (issue 16, item 3): ``bayes`` variants against Optuna's GPSampler and
BoTorch on shifted Ackley, Rastrigin and Levy boxes, in one process.

A family is a problem spec with ``{s}`` for the box's seed, such as
``"ackley:dim=5,shift={s},offset=0.25"`` (``hpo/problems/synthetic.py``: every coordinate of
the box moved by ``offset`` of its width, signs drawn from ``s``; without ``offset``, by
10-30 %). Seed ``s`` runs on box ``s``, so every optimizer meets the same boxes with the same
seeds (paired). A variant is ``label=optimizer[+option=value...]``: ``bayes`` takes
:class:`hpo.BayesianOptimization` options, and ``gp.FIELD=value`` sets a
:class:`hpo.gp.GPConfig` field (values are Python literals, or a name from
``hpo.gp.priors`` for ``gp.lengthscale_prior``); ``optuna-gp`` is Optuna's GPSampler through
hpo's adapter; ``botorch`` the vanilla LogEI loop of ``benchmarks/botorch_peer.py``.

Cells run one after the other with one BLAS thread, each ``--budget`` evaluations; a JSON line
per cell (best-so-far regret after every 5 evaluations, optimizer time) is appended to
``benchmarks/results/bo/funnels-<tag>.jsonl``, and cells already there are skipped (resume).
``--summarize`` writes ``funnels-<tag>.md``: per family and variant, the fraction of seeds
with final regret < 1, the median final regret, and paired one-sided Wilcoxon tests against
``--ref``.

Usage::

    PYTHONPATH=$PWD python benchmarks/compare_funnels.py --tag main --seeds 0-9 \\
        --families "ackley:dim=5,shift={s}" "rastrigin:dim=5,shift={s},offset=0.25" \\
        --variant base=bayes --variant optuna=optuna-gp --variant botorch=botorch
    PYTHONPATH=$PWD python benchmarks/compare_funnels.py --tag main --summarize --ref base

The committed results (``benchmarks/results/bo/funnels-*.md`` hold their summary commands;
``funnels-issue16.md`` reads them):

- ``main``: seeds 0-9, families ``"ackley:dim=5,shift={s}"``, ``"ackley:dim=5,shift={s},
  offset=0.4"``, ``"rastrigin:dim=5,shift={s},offset=0.25"``, ``"levy:dim=5,shift={s},
  offset=0.25"``, ``"ackley:dim=10,shift={s},offset=0.25"``, ``--variant base=bayes``, then
  per d = 5 family ``--variant optuna=optuna-gp --variant botorch=botorch``; the ``init2d``
  rows are the ``init10`` runs of ``ablation``, copied.
- ``ablation``: seeds 0-9, the first four families, ``--variant hv=bayes+gp.lengthscale_prior=
  dimension_scaled_lengthscale_prior``, ``wnone=bayes+output_warping=none``,
  ``wcop=bayes+output_warping=copula``, ``initN=bayes+n_initial=N`` (10, 15, 20),
  ``tight=bayes+gp.lengthscale_prior=tight_lengthscale_prior`` and their combinations as
  labelled (``base`` rows copied from ``main``).
- ``after``: seeds 10-19, the five families, ``base=bayes``, ``init2d=bayes+n_initial=10``
  (20 for Ackley-10), ``optuna=optuna-gp``; then ``botorch=botorch`` on the two Ackley-5
  families.
- ``noise-probe``: seeds 0-9, the Ackley-5 and Levy-5 families, ``"bt-noise=bayes+
  noise_prior=(-4.0,1.0)"`` and the same with ``+gp.lengthscale_prior=
  dimension_scaled_lengthscale_prior`` (``bt-noise-hv``); ``base``, ``init2d`` and
  ``botorch`` rows copied from ``main``. ``noise_prior=(mu, sigma)`` is a probe of this
  script, not an option of ``bayes``: it replaces ``hpo.gp.priors.NOISE_PRIOR`` for the cell.
- ``holdout``: seeds 70-79, families ``hartmann6``, ``levy:dim=6`` (``n_initial=12``),
  ``ackley:dim=5,shift=0`` (10), ``rosenbrock:dim=4``, ``styblinski_tang:dim=4`` (8),
  ``branin`` (``base`` only: 2d = 4 < the default 5).
- ``diagnosis``: ``--diagnose``, seeds 0-9, the two Ackley-5 families, ``base`` and
  ``init2d`` (``n_initial=10``).

``--diagnose`` writes, for ``bayes`` variants, per-run diagnostics instead (how close the
initial design came to x*, how far the model's proposals moved from the incumbent, the
shortest fitted lengthscale): ``funnels-diagnosis.jsonl``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread: the machine's cores are shared

import argparse  # noqa: E402
import ast  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.stats import wilcoxon  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from suite import FUNNELS, parse_seeds  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "bo"


def parse_variant(text: str) -> tuple[str, str, dict]:
    """``label=optimizer+opt=value+gp.field=value`` -> (label, optimizer, options)."""
    label, _, rest = text.partition("=")
    name, *items = rest.split("+")
    options: dict = {}
    for item in items:
        key, _, raw = item.partition("=")
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        if key.startswith("gp."):
            options.setdefault("gp", {})[key[3:]] = value
        else:
            options[key] = value
    return label, name, options


def _resolve_gp(gp: dict) -> dict:
    from hpo.gp import priors

    gp = dict(gp)
    prior = gp.get("lengthscale_prior")
    if isinstance(prior, str):
        gp["lengthscale_prior"] = getattr(priors, prior)
    return gp


def run_cell(name: str, options: dict, spec: str, seed: int, budget: int) -> dict:
    from hpo.gp import priors
    from hpo.problems import get_problem

    problem = get_problem(spec)
    options = dict(options)
    # A probe, not an option of bayes: ``noise_prior=(mu, sigma)`` replaces the module's
    # noise-variance prior (hpo.gp.priors.NOISE_PRIOR, read when a GP builds its prior)
    # for this cell only.
    noise = options.pop("noise_prior", None)
    saved = priors.NOISE_PRIOR
    if noise is not None:
        priors.NOISE_PRIOR = priors.LogNormal(*noise)
    try:
        return _run_cell(name, options, problem, seed, budget)
    finally:
        priors.NOISE_PRIOR = saved


def _run_cell(name: str, options: dict, problem, seed: int, budget: int) -> dict:
    from threadpoolctl import threadpool_limits

    from hpo.optimizers import make_optimizer

    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "botorch":
            from botorch_peer import BotorchLogEI

            opt = BotorchLogEI(problem.space, seed=seed)
        else:
            opts = dict(options)
            if "gp" in opts:
                opts["gp"] = _resolve_gp(opts["gp"])
            opt = make_optimizer(name, problem.space, seed=seed, budget=budget, options=opts)
        spent, values = 0.0, []
        for _ in range(budget):
            t0 = time.perf_counter()
            p = opt.ask()
            spent += time.perf_counter() - t0
            v = problem(p)
            values.append(v)
            t0 = time.perf_counter()
            opt.tell(p, v)
            spent += time.perf_counter() - t0
    best = np.minimum.accumulate(values) - problem.optimum
    return {"regret": [float(f"{r:.6g}") for r in best[4::5]], "time": spent}


def diagnose(spec: str, seed: int, options: dict, budget: int) -> dict:
    """Why a ``bayes`` run stays on the plateau: how close its initial design came to x*
    (RMS distance in the unit cube), how far its model proposals moved from the incumbent,
    and the shortest fitted lengthscale, per run."""
    from threadpoolctl import threadpool_limits

    from hpo.optimizers import make_optimizer
    from hpo.optimizers.bayes import _lengthscales
    from hpo.problems import get_problem

    p = get_problem(spec)
    x_star = (p.minimizers[0] - p.bounds[:, 0]) / (p.bounds[:, 1] - p.bounds[:, 0])
    best, incumbent, moves, shortest, values, to_star = np.inf, None, [], [], [], []
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opt = make_optimizer("bayes", p.space, seed=seed, budget=budget, options=options)
        for i in range(budget):
            x = opt.ask()
            v, u = p(x), np.asarray(p.space.to_unit(x))
            if i >= opt.n_initial and opt.gp is not None:
                moves.append(float(np.sqrt(np.mean((u - incumbent) ** 2))))
                shortest.append(float(np.min(_lengthscales(opt.gp))))
            if v < best:
                best, incumbent = v, u
            values.append(v)
            to_star.append(float(np.sqrt(np.mean((u - x_star) ** 2))))
            opt.tell(x, v)
    n0 = opt.n_initial
    return {
        "final": float(best - p.optimum),
        "design_best": float(min(values[:n0]) - p.optimum),
        "design_closest": float(min(to_star[:n0])),
        "median_move": float(np.median(moves)),
        "local_share": float(np.mean(np.array(moves) < 0.1)),
        "median_shortest_lengthscale": float(np.median(shortest)),
    }


def summarize_diagnosis(rows: list[dict], command: str, plateau: float = 15.0) -> str:
    """The ``--diagnose`` rows grouped by outcome (left on the plateau or not), medians."""
    lines = [
        "# Why bayes runs stay on the plateau: per-run diagnostics",
        "",
        "```",
        command,
        "```",
        "",
        f"Runs grouped by outcome (final regret >= {plateau:g}: left on the plateau). Medians "
        "over the runs of a group: `design closest`: RMS distance (unit cube) from x* to the "
        "closest initial design point; `move`: RMS distance of the model's proposals from the "
        "incumbent (median per run); `local`: share of them within 0.1 of it; `shortest ls`: "
        "the shortest fitted lengthscale (median over the run's model steps).",
        "",
        "| variant | outcome | runs | design closest | design best regret | move | local "
        "| shortest ls |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for v in dict.fromkeys(r["variant"] for r in rows):
        runs = [r for r in rows if r["variant"] == v]
        for name, group in (
            (f"plateau (>= {plateau:g})", [r for r in runs if r["final"] >= plateau]),
            ("funnel found", [r for r in runs if r["final"] < plateau]),
        ):
            if group:
                m = {k: np.median([r[k] for r in group]) for k in group[0] if k[0] in "dml"}
                lines.append(
                    f"| {v} | {name} | {len(group)} | {m['design_closest']:.3f} "
                    f"| {m['design_best']:.1f} | {m['median_move']:.3f} | {m['local_share']:.2f} "
                    f"| {m['median_shortest_lengthscale']:.3f} |"
                )
    return "\n".join(lines) + "\n"


def summarize(
    rows: list[dict], labels: list[str], ref: str | None, command: str, plateau: float = 15.0
) -> str:
    families = list(dict.fromkeys(r["family"] for r in rows))
    lines = [
        "# Off-centre funnels: final regret after the budget, paired seeds (seed s on box s)",
        "",
        "```",
        command,
        "```",
        "",
        f"`< 1`: seeds with final regret below 1; `>= {plateau:g}`: seeds left on the plateau "
        f"(final regret at least {plateau:g}: Ackley's value far from x* is about 20); p: "
        "one-sided paired Wilcoxon test that the variant's regret is lower (`<`) or higher "
        f"(`>`) than `{ref}`'s.",
        "",
    ]
    by = {(r["variant"], r["family"], r["seed"]): r for r in rows}
    for fam in families:
        seeds = sorted({r["seed"] for r in rows if r["family"] == fam})
        have = [lab for lab in labels if all((lab, fam, s) in by for s in seeds)]
        if not have:
            continue
        lines += [
            f"## `{fam}`, seeds {seeds[0]}-{seeds[-1]} ({len(seeds)})",
            "",
            f"| variant | < 1 | >= {plateau:g} | median final regret | mean "
            "| median at half budget | p (<) | p (>) | median time s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for lab in have:
            final = np.array([by[(lab, fam, s)]["regret"][-1] for s in seeds])
            half = np.array(
                [
                    by[(lab, fam, s)]["regret"][len(by[(lab, fam, s)]["regret"]) // 2 - 1]
                    for s in seeds
                ]
            )
            times = [by[(lab, fam, s)]["time"] for s in seeds]
            p_lo = p_hi = ""
            if ref in have and lab != ref:
                base = np.array([by[(ref, fam, s)]["regret"][-1] for s in seeds])
                if np.any(final != base):
                    p_lo = f"{wilcoxon(final, base, alternative='less').pvalue:.3g}"
                    p_hi = f"{wilcoxon(final, base, alternative='greater').pvalue:.3g}"
                else:
                    p_lo = p_hi = "1 (same)"
            lines.append(
                f"| {lab} | {int(np.sum(final < 1))}/{len(seeds)} "
                f"| {int(np.sum(final >= plateau))}/{len(seeds)} | {np.median(final):.3g} "
                f"| {np.mean(final):.3g} | {np.median(half):.3g} | {p_lo} | {p_hi} "
                f"| {np.median(times):.2f} |"
            )
        lines.append("")
    # Pooled over all families.
    lines += [
        "## All families pooled",
        "",
        "| variant | < 1 | median final regret |",
        "|---|---:|---:|",
    ]
    for lab in labels:
        final = [r["regret"][-1] for r in rows if r["variant"] == lab]
        if final:
            lines.append(
                f"| {lab} | {int(np.sum(np.array(final) < 1))}/{len(final)} "
                f"| {np.median(final):.3g} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", required=True)
    parser.add_argument("--seeds", default=None, help="default 0-9; with --summarize: all")
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--families", nargs="+", default=None, help="default suite.FUNNELS")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--summarize", action="store_true")
    parser.add_argument("--ref", default=None)
    parser.add_argument("--labels", nargs="*", default=None, help="order of the summary rows")
    parser.add_argument("--plateau", type=float, default=15.0)
    parser.add_argument(
        "--diagnose", action="store_true", help="per-run diagnostics of bayes variants instead"
    )
    parser.add_argument(
        "--md", default=None, help="with --summarize: the file written (default funnels-TAG.md)"
    )
    args = parser.parse_args(argv)
    journal = RESULTS / f"funnels-{args.tag}.jsonl"
    rows = [json.loads(x) for x in journal.read_text().splitlines()] if journal.exists() else []
    if args.summarize:
        if args.seeds is not None:  # only these seeds (and --families, if given)
            keep = set(parse_seeds(args.seeds))
            rows = [r for r in rows if r["seed"] in keep]
        if args.families is not None:
            rows = [r for r in rows if r["family"] in args.families]
        labels = args.labels or list(dict.fromkeys(r["variant"] for r in rows))
        command = "python benchmarks/compare_funnels.py " + shlex.join(
            sys.argv[1:] if argv is None else argv
        )
        if rows and "design_closest" in rows[0]:
            text = summarize_diagnosis(rows, command, args.plateau)
        else:
            text = summarize(rows, labels, args.ref, command, args.plateau)
        (RESULTS / (args.md or f"funnels-{args.tag}.md")).write_text(text)
        print(text)
        return 0
    args.seeds = args.seeds or "0-9"
    args.families = args.families or list(FUNNELS)
    done = {(r["variant"], r["family"], r["seed"]) for r in rows}
    variants = [parse_variant(v) for v in args.variant]
    if args.diagnose:
        with open(journal, "a") as out:
            for fam in args.families:
                for seed in parse_seeds(args.seeds):
                    for label, _, options in variants:
                        if (label, fam, seed) in done:
                            continue
                        cell = diagnose(fam.format(s=seed), seed, options, args.budget)
                        row = {"variant": label, "family": fam, "seed": seed, **cell}
                        out.write(json.dumps(row) + "\n")
                        out.flush()
        return 0
    with open(journal, "a") as out:
        for seed in parse_seeds(args.seeds):
            for fam in args.families:
                for label, name, options in variants:
                    if (label, fam, seed) in done:
                        continue
                    spec = fam.format(s=seed)
                    cell = run_cell(name, options, spec, seed, args.budget)
                    row = {
                        "variant": label,
                        "family": fam,
                        "problem": spec,
                        "seed": seed,
                        "optimizer": name,
                        "options": options,
                        **cell,
                    }
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    print(
                        f"{label:10s} {spec:40s} regret {cell['regret'][-1]:8.3f} "
                        f"time {cell['time']:.1f}s",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
