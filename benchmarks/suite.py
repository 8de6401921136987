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
