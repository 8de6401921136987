"""Fitted hyperparameters of the quadratic GP under two fit rules, one rotated-ellipsoid run.

For each rule: one 100-evaluation run (d = 5, instance 161, seed 161) of
bayes + GPConfig(quadratic=True, <fit rule>) + output_warping="likelihood", recording after
each trial the hyperparameters of the fit that proposed it (the model of the last ask) and
its log posterior per point. Then, on each run's own data at n = 12, 16, ..., 40: the log
posterior the rule's fit reached against a fit with 30 starts (the warm start, the prior's
mode, 28 prior draws), i.e. how far the rule's fit is from the MAP, and against one L-BFGS-B
run started from the other rule's fit at the same n (is the other run's mode better here?).
Evidence in ``benchmarks/results/landscapes/quadr.md``, section 2.

    PYTHONPATH=$PWD python benchmarks/quadratic_fit_modes.py 161 \
        > benchmarks/results/landscapes/quadr-fit-diag.jsonl
"""

import copy
import json
import sys

import numpy as np

from hpo.bench.runner import execute_run
from hpo.bench.study import RunSpec
from hpo.gp.config import GPConfig

INSTANCE = int(sys.argv[1]) if len(sys.argv) > 1 else 161
SPEC = f"bbob_ellipsoid_rotated:dim=5,instance={INSTANCE}"
RULES = {
    "prior-centre": {"quadratic": True, "fit_restarts": "prior-centre", "fit_warm": "bfgs"},
    "safeguarded": {"quadratic": True, "fit_restarts": "safeguarded", "fit_warm": "lbfgsb"},
}
CHECK = (12, 16, 20, 24, 28, 32, 36, 40)


kept = {}
for rule, gp_opts in RULES.items():
    rows, snap = [], {}

    def cb(trial, opt, rows=rows, snap=snap):
        gp = getattr(opt, "gp", None)
        if gp is None or gp.X_train is None:
            return
        n = len(gp.X_train)
        rows.append(
            {
                "n": n,
                "value": trial.value,
                "density": gp._fit_density,
                "eta": [round(float(e), 4) for e in gp.eta],
            }
        )
        if n in CHECK:
            snap[n] = copy.deepcopy(gp)

    opts = {"gp": gp_opts, "output_warping": "likelihood"}
    rec = execute_run(RunSpec(rule, "bayes", opts, SPEC, INSTANCE, 100), callbacks=[cb])
    vals = np.array([t["value"] for t in rec.trials])
    regret = np.minimum.accumulate(vals) - rec.optimum
    kernel_names = list(snap[CHECK[-1]].kernel.names) if snap else []
    print(
        json.dumps(
            {
                "rule": rule,
                "instance": INSTANCE,
                "kernel_names": kernel_names,
                "final_log10_regret": float(np.log10(regret[-1])),
                "log10_regret_at": {k: float(np.log10(regret[k - 1])) for k in (20, 40, 60, 100)},
                "fits": rows,
            }
        ),
        flush=True,
    )
    kept[rule] = snap

cfg = GPConfig(quadratic=True, fit_restarts="always", fit_warm="lbfgsb")
for rule, snap in kept.items():
    for n, gp in sorted(snap.items()):
        X, y = gp.X_train, gp.y_train
        multi = cfg.make_gp(X.shape[1], gp.fit_noise is False)
        multi.kernel = gp.kernel.clone()  # warm start at the rule's own fit
        multi.noise = gp.noise
        multi.fit(X, y, rng=np.random.default_rng(0), n_restarts=29)
        other = next(r for r in kept if r != rule)
        cross = cfg.make_gp(X.shape[1], gp.fit_noise is False)
        cross.kernel = kept[other][n].kernel.clone()  # the other rule's fit at the same n
        cross.noise = kept[other][n].noise
        cross.fit(X, y)  # one L-BFGS-B run from there
        print(
            json.dumps(
                {
                    "cross_density": cross._fit_density,
                    "cross_eta": [round(float(e), 3) for e in cross.eta],
                    "rule": rule,
                    "n": n,
                    "rule_density": gp._fit_density,
                    "multistart_density": multi._fit_density,
                    "rule_eta": [round(float(e), 3) for e in gp.eta],
                    "multistart_eta": [round(float(e), 3) for e in multi.eta],
                }
            ),
            flush=True,
        )
