"""How the warm-started hyperparameter fit behaves after one more point (issue 16 follow-up).

For warm fits (no restarts) along ``bayes`` runs, compares from the same start and data:
L-BFGS-B at today's tolerance (gtol 1e-4), cheaper stopping rules (gtol 1e-2, ftol 1e-6),
and the projected BFGS of ``GPConfig(fit_warm="bfgs")`` carrying its inverse Hessian from
fit to fit: evaluations, and the log posterior lost against the gtol 1e-4 fit.

Usage::

    PYTHONPATH=$PWD python benchmarks/warm_fit_probe.py "levy:dim=6" 200 10   # n0=200
    PYTHONPATH=$PWD python benchmarks/warm_fit_probe.py hartmann6 0 70        # whole runs
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from hpo.gp import regression
from hpo.gp._lbfgsb import minimize_lbfgsb
from hpo.optimizers import make_optimizer
from hpo.problems import get_problem

RULES = {"gtol 1e-4": (1e-4, 2.220446049250313e-09), "gtol 1e-2": (1e-2, 2.220446049250313e-09)}
RULES["ftol 1e-6"] = (1e-4, 1e-6)


def main() -> None:
    warnings.simplefilter("ignore")
    problem = get_problem(sys.argv[1])
    n0, steps = int(sys.argv[2]), int(sys.argv[3])
    optimize = regression.GaussianProcess._optimize
    rows: list[dict] = []

    def probed(self, X, ys, rng, n_restarts, maxiter, skip_restarts=False, gtol=1e-4):
        warm = n_restarts == 0 and self._fit_density is not None
        if warm:
            bounds, work = self.eta_bounds, self.kernel.clone()
            start = np.clip(self.eta, bounds[:, 0], bounds[:, 1])

            def objective(eta):
                value, grad = self._log_density(work, eta, X, ys, prior=True, jitter_start=2)
                return -value, -grad

            row = {}
            for name, (g, f) in RULES.items():
                res = minimize_lbfgsb(objective, start, *bounds.T, maxiter=maxiter, gtol=g, ftol=f)
                row[name] = (res.nfev, res.fun)
        optimize(self, X, ys, rng, n_restarts, maxiter, skip_restarts, gtol)
        if warm:  # the fit itself ran BFGS (fit_warm="bfgs")
            row["bfgs"] = (self.n_fit_evals, objective(self.eta)[0])
            rows.append(row)

    regression.GaussianProcess._optimize = probed
    for seed in range(3):
        options = {"gp": {"fit_warm": "bfgs"}}
        opt = make_optimizer("bayes", problem.space, seed=seed, budget=n0 + steps, options=options)
        if n0:
            configs = problem.space.sample(np.random.default_rng(12345 + seed), n0)
            opt.tell(configs, [problem(c) for c in configs])
        for _ in range(steps):
            p = opt.ask()
            opt.tell(p, problem(p))
    print(f"{problem.name}: {len(rows)} warm fits")
    for name in [*RULES, "bfgs"]:
        evals = np.mean([r[name][0] for r in rows])
        loss = np.array([r[name][1] - r["gtol 1e-4"][1] for r in rows])
        print(
            f"{name:10s} evaluations {evals:5.1f}; log posterior lost against gtol 1e-4: "
            f"median {np.median(loss):.2e}, max {loss.max():.2e}"
        )


if __name__ == "__main__":
    main()
