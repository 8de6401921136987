"""Seconds per ask on the MLP space (2 wide linear integers, 1 wide log integer added) after
30 random observations of a synthetic objective; median of 5 asks (each on a copy)."""

import copy
import math
import sys
import time
import warnings

import numpy as np

from hpo import BayesianOptimization, Integer, Space
from hpo.problems import get_problem

warnings.simplefilter("ignore")

params = dict(get_problem("mlp_adam_iris_logloss").space.items())
params["max_iter"] = Integer(10, 100000, log=True)
space = Space(params)


def f(p):
    u = space.to_unit(p)
    return float(np.sum((u - 0.37) ** 2) + 0.3 * math.sin(7 * u[0]))


rng = np.random.default_rng(0)
configs = space.sample(rng, 30)
opt = BayesianOptimization(space, seed=0)
opt.tell(configs, [f(c) for c in configs])
opt.tell(opt.ask(), 0.5)
times = []
for _ in range(5):
    twin = copy.deepcopy(opt)
    t0 = time.perf_counter()
    p = twin.ask()
    times.append(time.perf_counter() - t0)
print(sys.argv[1], f"median ask {np.median(times):.3f} s", np.round(times, 3).tolist())
