"""The six-problem synthetic suite on which hpo's Bayesian optimization and genetic algorithm
were tuned and compared with their peers (``compare_bo.py``, ``compare_ga.py``): the suite
named in the Bayesian-optimization issue, shared so that both comparisons run on the same
problems."""

SUITE = (
    "branin",
    "hartmann6",
    "ackley:dim=5,shift=0",
    "rosenbrock:dim=4",
    "levy:dim=6",
    "styblinski_tang:dim=4",
)

#: Off-centre funnels (issue 16, item 3): families of shifted boxes, ``{s}`` the box's seed
#: (seed ``s`` runs on box ``s``); ``offset`` is how far x* sits from the centre, as a share
#: of the width (``hpo/problems/synthetic.py``). Used by ``compare_funnels.py``.
FUNNELS = (
    "ackley:dim=5,shift={s}",
    "ackley:dim=5,shift={s},offset=0.4",
    "rastrigin:dim=5,shift={s},offset=0.25",
    "levy:dim=5,shift={s},offset=0.25",
    "ackley:dim=10,shift={s},offset=0.25",
)


def parse_seeds(text: str) -> list[int]:
    """Seeds from the command line: a range ``"0-9"`` (both ends included) or a list ``"1,5"``."""
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]
