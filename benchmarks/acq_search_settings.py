"""Do the acquisition-search settings find different maxima? (issue 16)

On the same GP states (Hartmann6 runs of ``bayes`` with the default before 2026-12-01,
seeds 0-3, after 15, 25 and 36 evaluations: 12 states), maximize the acquisition with
several search settings from the same raw candidates and compare the best acquisition value
found with that default's (stacked L-BFGS-B, 10 starts), and how far each setting's ends are
from stationary points (the largest gradient entry over the starts' final points,
coordinates on a bound excluded). The two settings with a looser gradient tolerance
(``GPConfig.search_gtol``) were added by the follow-up of issue 16.

Usage::

    PYTHONPATH=$PWD python benchmarks/acq_search_settings.py
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from hpo import BayesianOptimization
from hpo.gp.acquisition import acquisition_and_gradient
from hpo.gp.config import DEFAULTS_BEFORE_2026_12_01
from hpo.optimizers._bo_search import maximize_acquisition
from hpo.problems import get_problem

SETTINGS = {
    "stacked10": {"n_restarts": 10, "batch": "stacked"},
    "stacked5-ftol6": {"n_restarts": 5, "batch": "stacked", "ftol": 1e-6},
    "indep10": {"n_restarts": 10, "batch": "independent"},
    "indep5-ftol6": {"n_restarts": 5, "batch": "independent", "ftol": 1e-6},
    # issue 16 follow-up: the search's projected-gradient tolerance (GPConfig.search_gtol)
    "indep10-gtol2": {"n_restarts": 10, "batch": "independent", "gtol": 1e-2},
    "indep10-gtol1": {"n_restarts": 10, "batch": "independent", "gtol": 1e-1},
}


def main() -> None:
    warnings.simplefilter("ignore")
    problem = get_problem("hartmann6")
    best: dict[str, list[float]] = {k: [] for k in SETTINGS}
    grads: dict[str, list[float]] = {k: [] for k in SETTINGS}
    for seed in range(4):
        old_default = DEFAULTS_BEFORE_2026_12_01
        opt = BayesianOptimization(problem.space, seed=seed, gp=old_default)
        for step in range(36):
            p = opt.ask()
            opt.tell(p, problem(p))
            if step not in (14, 24, 35):
                continue
            state = copy.deepcopy(opt)
            state.ask()  # fits the GP of this state
            gp, acq = state.gp, state._make_acquisition(state.gp)
            for key, options in SETTINGS.items():
                rng = np.random.default_rng(7)
                U, v, _, _ = maximize_acquisition(gp, acq, state.fmap, rng, **options)
                best[key].append(v[0])
                _, g = acquisition_and_gradient(gp, acq, state.fmap(U), True)
                inside = (U > 1e-6) & (U < 1 - 1e-6)
                grads[key].append(float(np.max(np.abs(g * inside))))
    ref = np.array(best["stacked10"])
    for key in SETTINGS:
        v = np.array(best[key])
        print(
            f"{key:16s} best acquisition minus stacked10's: median {np.median(v - ref):+.2e}, "
            f"lower by > 1e-3 on {(v < ref - 1e-3).sum()} of {len(v)}, higher by > 1e-3 on "
            f"{(v > ref + 1e-3).sum()}; median largest |gradient| at the ends "
            f"{np.median(grads[key]):.1e}"
        )


if __name__ == "__main__":
    main()
