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


def test_validate_with_budget_returns_the_canonical_form_with_the_budget_last():
    from hpo import Integer, Real, Space
    from hpo.fidelity import validate_with_budget

    space = Space({"lr": Real(1e-3, 1.0, log=True), "layers": Integer(1, 4)})
    fid = Fidelity("epochs", 1, 27)
    out = validate_with_budget(space, fid, {"epochs": 9.0, "layers": 2, "lr": 0.1})
    assert out == {"lr": 0.1, "layers": 2, "epochs": 9} and list(out) == ["lr", "layers", "epochs"]
    assert type(out["epochs"]) is int
    with pytest.raises(ValueError, match=r"'epochs' .*missing"):
        validate_with_budget(space, fid, {"lr": 0.1, "layers": 2})
    with pytest.raises(ValueError, match=r"'epochs' must be an integer in \[1, 27\]"):
        validate_with_budget(space, fid, {"lr": 0.1, "layers": 2, "epochs": 2.5})
    with pytest.raises(ValueError, match="full budget 27"):
        validate_with_budget(space, fid, {"lr": 0.1, "layers": 2, "epochs": 9}, full_only=True)
    with pytest.raises(ValueError, match="parameter 'layers'"):
        validate_with_budget(space, fid, {"lr": 0.1, "layers": 7, "epochs": 9})


def test_check_fidelity_and_eta():
    from hpo import Real, Space
    from hpo.fidelity import check_eta, check_fidelity

    space = Space({"x": Real(0.0, 1.0)})
    assert check_fidelity(None, space) is None
    with pytest.raises(TypeError, match=r"fidelity must be a hpo\.Fidelity"):
        check_fidelity(None, space, required=True)
    with pytest.raises(TypeError, match=r"fidelity must be a hpo\.Fidelity"):
        check_fidelity(("epochs", 1, 9), space)
    with pytest.raises(ValueError, match="'x' is a parameter of the space"):
        check_fidelity(Fidelity("x", 1, 9), space)
    assert check_eta(3.0) == 3 and type(check_eta(3.0)) is int and check_eta(2.5) == 2.5
    for bad in (1, 0.5, True, float("inf"), "3"):
        with pytest.raises(ValueError, match="eta must be"):
            check_eta(bad)


def test_float_ladder_for_the_multifidelity_problems():
    assert Fidelity("fidelity", 1 / 27, 1.0).ladder(3) == [1 / 27, 1 / 9, 1 / 3, 1.0]
