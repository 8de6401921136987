import math
import sys
import time

import numpy as np

from hpo import BayesianOptimization, Real, Space

BRANIN = Space({"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)})


def branin(p):
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


N = int(sys.argv[1]) if len(sys.argv) > 1 else 15


def traj(c, b, seed=0, **kw):
    opt = BayesianOptimization(BRANIN, seed=seed, **kw)
    for _ in range(N):
        p = opt.ask()
        opt.tell(p, c * branin(p) + b)
    return np.array([[t.params["x1"], t.params["x2"]] for t in opt.trials]), min(
        branin(t.params) for t in opt.trials
    ) - 5 / (4 * math.pi)


t0 = time.time()
ref, r = traj(1.0, 0.0)
print("ref regret", r, time.time() - t0)
for c, b in [
    (1e-20, 0.0),
    (1e-20, 3e-20),
    (1e-15, 0.0),
    (1e-15, -2e-15),
    (1e-3, 5.0),
    (1e20, 0.0),
    (1e20, -7e20),
]:
    X, r = traj(c, b)
    differs = next((i for i in range(N) if np.any(np.abs(X[i] - ref[i]) > 1e-6)), None)
    dx = np.max(np.abs(X - ref))
    print(f"c={c:g} b={b:g}: max |dx| {dx:.3g}, first differing trial {differs}, regret {r:.4g}")
