"""Failed trials, one huge value, then single asks and an ask with a pending trial."""

import warnings

from hpo import BayesianOptimization, Real, Space

warnings.simplefilter("ignore")
space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
for big in (1e100, 2e154, 1e300, 1.7e308):
    opt = BayesianOptimization(space, seed=0, n_initial=4)
    for i in range(6):
        p = opt.ask()
        v = (
            float("nan")
            if i in (1, 4)
            else (big if i == 2 else (p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2)
        )
        opt.tell(p, v)
    singles = []
    for _ in range(3):
        p = opt.ask()
        singles.append((round(p["x"], 3), round(p["y"], 3)))
        opt.tell(p, (p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2)
    try:
        a = opt.ask()
        b = opt.ask()  # the second ask has a pending trial
        pending = "ok"
    except ValueError as e:
        pending = f"ValueError: {e}"
    print(f"big={big:.3g}: single asks {singles}; ask with pending: {pending}")
