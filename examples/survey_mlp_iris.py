"""The survey's worked example, an MLPClassifier search on iris, as a new user writes it.

As written, it searches ``learning_rate`` as a real number, but that is the name of
MLPClassifier's step-size schedule ("constant", "invscaling" or "adaptive"): ``SearchCV``
refuses the space before any fit, naming ``learning_rate_init``, the number that was meant.
With ``--fixed`` it searches ``learning_rate_init`` and finishes. The tuples of
``hidden_layer_sizes`` are what scikit-optimize 0.10.2's ``BayesSearchCV`` cannot take
("can only convert an array of size 1 to a Python scalar"). The README shows both runs.

    python examples/survey_mlp_iris.py            # stops at once with the survey's bug
    python examples/survey_mlp_iris.py --fixed    # the corrected search (100 fits)
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier

from hpo import Categorical, Real
from hpo.sklearn import SearchCV


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixed", action="store_true", help="search learning_rate_init")
    args = parser.parse_args(argv)

    X, y = load_iris(return_X_y=True)
    space = {
        "learning_rate": Real(1e-4, 1e-1, log=True),
        "hidden_layer_sizes": Categorical([(50,), (100,), (50, 50)]),
        "alpha": Real(1e-5, 1e-1, log=True),
    }
    if args.fixed:
        space["learning_rate_init"] = space.pop("learning_rate")
    model = MLPClassifier(max_iter=1000, random_state=0)
    search = SearchCV(model, space, n_iter=20, random_state=0)
    search.fit(X, y)
    print(search.best_params_, round(search.best_score_, 3))


if __name__ == "__main__":
    main()
