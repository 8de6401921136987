import pytest

from hpo import Fidelity
from hpo.problems import get_problem


def test_ladder_is_geometric_from_low_to_high():
    assert Fidelity("epochs", 1, 27).ladder(3) == [1, 3, 9, 27]
    assert Fidelity("epochs", 1, 81).ladder(3) == [1, 3, 9, 27, 81]
    assert Fidelity("fraction", 0.1, 1.0).ladder(2) == [0.125, 0.25, 0.5, 1.0]


def test_integer_rounding_never_repeats_a_rung():
    ladder = Fidelity("epochs", 1, 5).ladder(1.5)
    assert ladder == sorted(set(ladder)) and ladder[-1] == 5 and ladder[0] >= 1


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("", 1, 2), "name"),
        (("e", 2, 1), "0 < low < high"),
        (("e", 0, 1), "0 < low < high"),
        (("e", 1, float("inf")), "finite"),
        (("e", True, 3), "number"),
    ],
)
def test_bad_fidelities_are_refused_with_the_rule(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Fidelity(*args)


def test_contains_and_cast():
    fid = Fidelity("epochs", 1, 27)
    assert fid.contains(9) and not fid.contains(9.5) and not fid.contains(28)
    assert fid.cast(100) == 27 and fid.cast(2.6) == 3


def test_a_problem_without_fidelity_costs_one_per_evaluation():
    problem = get_problem("branin")
    assert problem.fidelity is None
    assert problem.cost({"x0": 0.0, "x1": 0.0}) == 1.0
