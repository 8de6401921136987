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

- ``trdefault`` (2026-12-01, the trust region as ``bayes``'s default): seeds 0-19 on the
  first family and 10-19 on the other four, ``base=bayes+trust_region=False``, ``tr=bayes``;
  the peers' rows copied from ``main`` and ``after`` (``copied_from``); ``fit1`` probe rows
  on 10-19 of the first family. ``trdefault-tune``: seeds 100-119 of the first family, the
  probes of ``funnels-trdefault.md``. ``trdefault-holdout``: seeds 300-319 of the 6-problem
  suite, ``base``, ``tr``, ``fit1=bayes+fit=single``.

- ``fitb`` (2026-12-01, the fit's flip; ``fit-2026-12-01b.md``): seeds 0-19 and 100-119 of
  the first family, ``today=bayes+gp.fit_restarts=safeguarded+gp.fit_warm=lbfgsb`` and
  ``cand=bayes+gp.fit_restarts=prior-centre+gp.fit_warm=bfgs`` (the option that replaces
  the probe ``fit=single`` while the fit would restart). ``fitb-holdout``: seeds 800-819 of
  the 6-problem suite, the same two. ``fitb-merge``: seeds 880-899 of the suite, both with
  ``gp.search_gtol=0.01+gp.search_integers=relaxed`` (the search defaults of the ``mlp``
  branch), labelled ``srch`` and ``both``.

Script-only probes (popped from a variant's options before ``bayes`` is built):
``noise_prior=(mu, sigma)``, ``kernel=rbf``, ``ls_min=x``, ``starts=boltzmann``,
``fit=single`` / ``single-mode`` and ``design=botorch`` (see ``run_cell``); ``botorch``
takes ``topn=True`` and ``matern=True`` (``botorch_peer.py``).

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
import functools  # noqa: E402
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
RAW_SAMPLES = 512  # botorch_peer.py's optimize_acqf(raw_samples=512)


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
    from hpo.gp import GaussianProcess, GPConfig, priors
    from hpo.optimizers import bayes as bayes_module
    from hpo.problems import get_problem

    problem = get_problem(spec)
    options = dict(options)
    # A probe, not an option of bayes: ``noise_prior=(mu, sigma)`` replaces the module's
    # noise-variance prior (hpo.gp.priors.NOISE_PRIOR, read when a GP builds its prior)
    # for this cell only.
    noise = options.pop("noise_prior", None)
    # Another probe: ``kernel="rbf"`` makes the GP's kernel c * RBF(l) (BoTorch's default
    # SingleTaskGP kernel is an RBF since BoTorch 0.12) with the same priors and bounds as
    # the default c * Matern-5/2(l), through GPConfig.make_gp for this cell only.
    kernel = options.pop("kernel", None)
    # And ``starts="boltzmann"``: the acquisition search's starts chosen as BoTorch's
    # optimize_acqf chooses them (_boltzmann_search), for this cell only.
    starts = options.pop("starts", None) if name == "bayes" else None
    # And ``fit="single"``: every hyperparameter fit is one L-BFGS-B run from the prior's
    # centre (each log-hyperparameter at its prior's mu), no warm start and no restarts;
    # ``fit="single-mode"`` starts at the prior's mode (mu - sigma^2 on the log scale), as
    # BoTorch 0.18.1's SingleTaskGP initializes its hyperparameters: a fresh single-start fit
    # at every step, as botorch_peer.py fits.
    fit = options.pop("fit", None) if name == "bayes" else None
    saved, saved_make = priors.NOISE_PRIOR, GPConfig.make_gp
    saved_search = bayes_module.maximize_acquisition
    saved_optimize = GaussianProcess._optimize
    if fit is not None:
        if fit not in ("single", "single-mode"):
            raise ValueError(f"fit probe must be 'single' or 'single-mode', got {fit!r}")
        GaussianProcess._optimize = functools.partialmethod(
            _single_start, original=saved_optimize, at_mode=fit == "single-mode"
        )
    if noise is not None:
        priors.NOISE_PRIOR = priors.LogNormal(*noise)
    # And ``ls_min=x``: the default kernel with its lengthscales bounded below by x (default
    # 5e-3; BoTorch's SingleTaskGP bounds them at 0.025).
    ls_min = options.pop("ls_min", None)
    if kernel is not None or ls_min is not None:
        if kernel not in (None, "rbf"):
            raise ValueError(f"kernel probe must be 'rbf', got {kernel!r}")
        GPConfig.make_gp = functools.partialmethod(
            _make_probe_gp, rbf=kernel == "rbf", ls_min=5e-3 if ls_min is None else ls_min
        )
    if starts is not None:
        if starts != "boltzmann":
            raise ValueError(f"starts probe must be 'boltzmann', got {starts!r}")
        bayes_module.maximize_acquisition = _boltzmann_search
    try:
        return _run_cell(name, options, problem, seed, budget)
    finally:
        priors.NOISE_PRIOR, GPConfig.make_gp = saved, saved_make
        bayes_module.maximize_acquisition = saved_search
        GaussianProcess._optimize = saved_optimize


def _single_start(gp, X, ys, rng, n_restarts, maxiter, *args, original, at_mode: bool):
    """GaussianProcess._optimize from one start only: the prior's centre or mode."""
    prior = gp._prior()
    if prior is not None:
        eta = prior.mode(gp.eta)
        if at_mode:
            sigma = np.array([0.0 if q is None else q.sigma for q in prior.priors])
            eta = eta - sigma**2
        gp.eta = np.clip(eta, gp.eta_bounds[:, 0], gp.eta_bounds[:, 1])
    return original(gp, X, ys, rng, 0, maxiter, False, *args[1:])


def _boltzmann_search(gp, acquisition, fmap, rng, *, n_restarts=10, extra=None, **options):
    """hpo's acquisition search from the starts BoTorch's ``optimize_acqf`` would take
    (BoTorch 0.18.1, ``gen_batch_initial_conditions`` with ``initialize_q_batch``):
    ``RAW_SAMPLES`` scrambled-Sobol points in the box (no perturbations of the incumbents),
    ``n_restarts`` of them drawn without replacement with weights ``exp(z)``, ``z`` the
    standardized acquisition values (``boltzmann_sample``, eta = 1), the best one always
    among them. The gradient steps are hpo's (``maximize_mixed`` from those starts only)."""
    from hpo.gp.acquisition import acquisition_and_gradient
    from hpo.optimizers._bo_search import maximize_mixed
    from hpo.optimizers.design import sobol

    d = fmap.space.dim
    lower, upper = options.get("box") or (np.zeros(d), np.ones(d))
    raw = fmap.space.snap(lower + (upper - lower) * sobol(RAW_SAMPLES, d, rng))
    a, _ = acquisition_and_gradient(gp, acquisition, fmap(raw), False)
    w = np.exp((a - a.mean()) / a.std()) if a.std() > 0 else np.ones(len(a))
    pick = rng.choice(len(raw), size=n_restarts, replace=False, p=w / w.sum())
    if np.argmax(a) not in pick:
        pick[-1] = np.argmax(a)

    def fun(F: np.ndarray, gradient: bool):
        return acquisition_and_gradient(gp, acquisition, F, gradient)

    options.pop("n_raw", None)
    return maximize_mixed(
        fun, fmap, rng, n_raw=0, n_restarts=n_restarts, extra=raw[pick], **options
    )


def _make_probe_gp(
    config, n_features: int, deterministic: bool, rbf: bool = False, ls_min: float = 5e-3
):
    """GPConfig.make_gp with c * RBF(l) in place of c * Matern-5/2(l) (``rbf``) and/or the
    lengthscales bounded below by ``ls_min``; priors as the default kernel's (lengthscales:
    ``config.lengthscale_prior`` if set)."""
    from hpo.gp import GaussianProcess, priors
    from hpo.gp.config import EXACT_NOISE
    from hpo.gp.kernels import RBF, Constant, Matern

    ls = config.lengthscale_prior
    ls = ls if ls is None or isinstance(ls, priors.LogNormal) else ls(n_features)
    bounds = (ls_min, 2e2)
    ones = np.ones(n_features)
    stationary = RBF(ones, bounds) if rbf else Matern(ones, 2.5, bounds)
    kernel = Constant(1.0, bounds=(1e-2, 1e2)) * stationary
    return GaussianProcess(
        kernel=kernel,
        noise=EXACT_NOISE if deterministic else 1e-4,
        fit_noise=not deterministic,
        noise_bounds=(EXACT_NOISE, 1.0),
        prior=priors.default_prior(n_features, n_features, not deterministic, lengthscale=ls),
    )


def _run_cell(name: str, options: dict, problem, seed: int, budget: int) -> dict:
    from threadpoolctl import threadpool_limits

    from hpo.optimizers import make_optimizer

    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "botorch":
            from botorch_peer import BotorchLogEI

            opt = BotorchLogEI(problem.space, seed=seed, **options)
        else:
            opts = dict(options)
            design = opts.pop("design", None)
            if "gp" in opts:
                opts["gp"] = _resolve_gp(opts["gp"])
            opt = make_optimizer(name, problem.space, seed=seed, budget=budget, options=opts)
        spent, values = 0.0, []
        if name != "botorch" and design is not None:
            # A probe: the initial design of botorch_peer.py (torch's scrambled Sobol seeded
            # by the seed), told to bayes before its first ask, in place of its own.
            if design != "botorch":
                raise ValueError(f"design probe must be 'botorch', got {design!r}")
            from botorch_peer import BotorchLogEI

            for u in BotorchLogEI(problem.space, seed=seed, n_initial=opt.n_initial)._design:
                p = problem.space.from_unit(u)
                values.append(problem(p))
                opt.tell(p, values[-1])
        for _ in range(budget - len(values)):
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
