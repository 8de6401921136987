"""The ask/tell contract (hpo.testing's checks), run on every optimizer in the registry (new
ones included) and on every installed peer."""

import pytest

from hpo.optimizers import OPTIMIZERS
from hpo.peers import PEERS, available
from hpo.testing import CHECKS, OptimizerCase

# Grid search sized by the budget alone would cover only the 9 categorical combinations here.
OPTIONS = {"grid": {"points_per_axis": 3}}
# Peer adapters (optional extra) honour the same contract, except saving (Optuna) and the
# guarantee of not revisiting a finite space; they run where their library is installed.
PEER_SKIPS = {"save_load", "finite_space", "raise_errors"}
SKIPS = {
    name: PEER_SKIPS - ({"save_load"} if name in ("skopt-gp", "pymoo-ga") else set())
    for name in PEERS
}


def _param(name):
    if name in OPTIMIZERS:
        return name
    if not available(name):
        return pytest.param(name, marks=pytest.mark.skip(reason=f"{name}: pip install '.[peers]'"))
    return pytest.param(name, marks=[pytest.mark.peers, pytest.mark.slow])


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", [_param(n) for n in sorted(OPTIMIZERS) + sorted(PEERS)])
def test_contract(name, check):
    if check in SKIPS.get(name, ()):
        pytest.skip(f"{name} does not promise {check!r} (see hpo.peers)")
    cls = OPTIMIZERS.get(name) or PEERS[name]
    CHECKS[check](OptimizerCase(cls, OPTIONS.get(name, {})))
