"""Sharp acquisition peak at n = 700 on Integer(1, 100000, log=True): hits out of 10 seeds."""

import sys

import numpy as np

from hpo import Integer, Real, Space
from hpo.optimizers import FeatureMap, maximize_mixed

space = Space({"x": Real(0.0, 1.0), "n": Integer(1, 100000, log=True)})
fmap = FeatureMap(space)
p = space["n"]
W = float(sys.argv[1]) if len(sys.argv) > 1 else 0.002


def f(F, gradient=False):
    n = p.decode(F[:, 1])
    # a broad hill in log n (so the search is guided towards 700) with a sharp peak on it
    hill = -((np.log(n) - np.log(700)) ** 2)
    a = hill + 5 * np.exp(-((np.log(n) - np.log(700)) ** 2) / (2 * W**2)) - (F[:, 0] - 0.3) ** 2
    if not gradient:
        return a, None
    dF = np.zeros_like(F)
    dF[:, 0] = -2 * (F[:, 0] - 0.3)
    return a, dF


hits = []
for seed in range(10):
    U, v, _, _ = maximize_mixed(f, fmap, np.random.default_rng(seed))
    hits.append(int(space.from_unit(U[0])["n"]))
print(f"W={W}: {sum(h == 700 for h in hits)} of 10 seeds at 700; found {hits}")
