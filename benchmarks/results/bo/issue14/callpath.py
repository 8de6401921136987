"""Count entries into the acquisition-search module during one BO ask (calls into it from a
frame of another module), and list the hpo modules it calls out to."""

import collections
import sys

import numpy as np

from hpo import BayesianOptimization, Categorical, Integer, Real, Space

space = Space({"x": Real(0, 1), "n": Integer(1, 100000, log=True), "c": Categorical(["a", "b"])})
opt = BayesianOptimization(space, seed=0, n_initial=5)
for _ in range(6):
    p = opt.ask()
    opt.tell(p, (p["x"] - 0.3) ** 2 + np.log(p["n"]) / 10 + (p["c"] == "a"))
SEARCH = sys.argv[1]
entries, outs = collections.Counter(), collections.Counter()


def prof(frame, event, arg):
    if event != "call":
        return
    callee = frame.f_globals.get("__name__", "")
    caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
    if callee == SEARCH and caller != SEARCH:
        entries[(caller, frame.f_code.co_name)] += 1
    if caller == SEARCH and callee != SEARCH and callee.startswith("hpo"):
        outs[(callee, frame.f_code.co_name)] += 1


sys.setprofile(prof)
opt.ask()
sys.setprofile(None)
print("entries into", SEARCH, dict(entries))
print("calls out of it into hpo:", dict(outs))
