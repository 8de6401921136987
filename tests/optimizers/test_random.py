import time

import numpy as np
import pytest
from scipy.stats import qmc

from hpo import Categorical, Integer, RandomSearch, Real, SearchExhausted, Space
from hpo.optimizers.base import MAX_BATCH
from hpo.optimizers.design import UnitDesign


@pytest.mark.parametrize("design", ["uniform", "sobol", "lhs"])
def test_designs_fill_the_cube_uniformly(design):
    space = Space({f"x{i}": Real(0.0, 1.0) for i in range(3)})
    opt = RandomSearch(space, seed=0, design=design, budget=256)
    U = space.to_unit_batch(opt.ask(256))
    assert U.min() >= 0 and U.max() <= 1
    # each axis: every tenth of [0, 1] gets its share
    for j in range(3):
        counts = np.histogram(U[:, j], bins=10, range=(0, 1))[0]
        assert counts.min() > 10


def test_quasi_random_designs_have_lower_discrepancy_than_uniform():
    rng = np.random.default_rng(0)
    disc = {
        kind: np.mean(
            [qmc.discrepancy(UnitDesign(kind, 4, rng, block=128).draw(128)) for _ in range(5)]
        )
        for kind in ("uniform", "sobol", "lhs")
    }
    assert disc["sobol"] < disc["uniform"]
    assert disc["lhs"] < disc["uniform"]


def test_lhs_blocks_stratify_every_axis():
    points = UnitDesign("lhs", 3, np.random.default_rng(1), block=20).draw(20)
    for j in range(3):
        assert sorted(np.floor(points[:, j] * 20).astype(int)) == list(range(20))


def test_log_parameters_are_log_uniform():
    opt = RandomSearch(Space({"lr": Real(1e-6, 1e-1, log=True)}), seed=0)
    x = np.log10([p["lr"] for p in opt.ask(5000)])
    assert abs(np.median(x) - (-3.5)) < 0.1


def test_unknown_design_is_refused():
    with pytest.raises(ValueError, match="design must be one of"):
        RandomSearch(Space({"x": Real(0.0, 1.0)}), design="halton")


def test_finite_space_is_covered_without_repeats_then_exhausted():
    space = Space({"n": Integer(0, 9), "c": Categorical(["a", "b", "c"])})
    opt = RandomSearch(space, seed=3)
    seen = [repr(p) for p in opt.ask(30)]
    assert len(set(seen)) == 30
    with pytest.raises(SearchExhausted):
        opt.ask()


def test_a_batch_is_the_sequence_of_single_asks():
    """Proposals are drawn in vectorized chunks, consuming the design as single draws do."""
    space = Space({"x": Real(0.0, 1.0), "n": Integer(0, 9), "c": Categorical(["a", "b"])})
    for design in ("uniform", "sobol", "lhs"):
        batch = RandomSearch(space, seed=4, design=design).ask(150)
        one = RandomSearch(space, seed=4, design=design)
        singles = [one.ask() for _ in range(150)]
        assert batch == singles


def test_absurd_batches_are_refused_at_once_and_finite_ones_bounded():
    """Issue 14: ask(10**18) hung and ask(10**6) took 51 s."""
    opt = RandomSearch(Space({"x": Real(0.0, 1.0)}), seed=0)
    start = time.perf_counter()
    for n in (10**18, MAX_BATCH + 1):
        with pytest.raises(ValueError, match="n must be at most 100,000 configurations per ask"):
            opt.ask(n)
    assert time.perf_counter() - start < 0.5 and not opt.trials
    finite = RandomSearch(Space({"c": Categorical(["a", "b"]), "n": Integer(0, 2)}), seed=0)
    assert len(finite.ask(10**18)) == 6  # bounded by what is left of the finite space
    with pytest.raises(SearchExhausted):
        finite.ask(10**18)


def test_a_continuum_that_decodes_to_few_values_ends_instead_of_hanging():
    lo = 1.0
    hi = float(np.nextafter(np.nextafter(lo, 2.0), 2.0))  # three floats in [lo, hi]
    opt = RandomSearch(Space({"x": Real(lo, hi)}), seed=0)
    seen = []
    with pytest.raises(SearchExhausted):
        for _ in range(5):
            seen.append(opt.ask()["x"])
    assert 1 <= len(set(seen)) == len(seen) <= 3
