"""The classic workflow: tune an MLPClassifier on digits with 5-fold CV, by four optimizers.

The setting of scikit-optimize's ``BayesSearchCV`` example, with :class:`hpo.sklearn.SearchCV`:
50 iterations of 5-fold cross-validation on 80 % of the digits, over

- ``alpha``: real, log-uniform in [1e-6, 1e-1];
- ``learning_rate_init``: real, log-uniform in [1e-5, 1e-1] (``learning_rate`` is the name
  of the schedule, not of the rate);
- ``hidden_layer_sizes``: one of (100,), (100, 100), (100, 100, 100);
- ``max_iter``: integer, log-uniform in [100, 1000];

then the best parameters, the CV accuracy and the accuracy on the held-out 20 %, for grid
search, random search, Bayesian optimization and the genetic algorithm. Pixels are divided by
16 (their range), a fixed scaling that needs no fitting. With a budget of 50, grid search can
afford only 2 values per numeric axis (24 configurations).

    python examples/mlp_digits_searchcv.py                       # about 1 CPU-hour
    python examples/mlp_digits_searchcv.py --optimizers grid random --n-iter 8
    python examples/mlp_digits_searchcv.py --n-jobs 2            # folds in parallel
"""

from __future__ import annotations

import argparse
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from hpo import Categorical, Integer, Real, Space
from hpo.optimizers import optimizer_names
from hpo.sklearn import SearchCV

SPACE = Space(
    {
        "alpha": Real(1e-6, 1e-1, log=True),
        "learning_rate_init": Real(1e-5, 1e-1, log=True),
        "hidden_layer_sizes": Categorical([(100,), (100, 100), (100, 100, 100)]),
        "max_iter": Integer(100, 1000, log=True),
    }
)


def tune(optimizer: str, X_train, y_train, n_iter: int, n_jobs: int | None, seed: int):
    """One search; returns the fitted SearchCV and its wall time in seconds."""
    search = SearchCV(
        MLPClassifier(random_state=0),
        SPACE,
        optimizer=optimizer,
        n_iter=n_iter,
        cv=5,
        n_jobs=n_jobs,
        random_state=seed,
    )
    start = time.perf_counter()
    # One BLAS thread per fit: the small matrices of these networks gain nothing from more,
    # and threads fighting over busy cores cost a lot (joblib workers limit themselves).
    with threadpool_limits(limits=1):
        search.fit(X_train, y_train)
    return search, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--optimizers", nargs="+", default=["grid", "random", "bayes", "ga"])
    parser.add_argument("--n-iter", type=int, default=50)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    missing = [o for o in args.optimizers if o not in optimizer_names(include_peers=False)]
    if missing:
        parser.error(f"not available in this hpo: {missing}")

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.2, random_state=0, stratify=y
    )
    # Short max_iter values stop before convergence; that is part of the search, not news.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    rows = []
    for name in args.optimizers:
        search, seconds = tune(name, X_train, y_train, args.n_iter, args.n_jobs, args.seed)
        trials = search.optimizer_.trials
        overhead = sum(t.ask_time + t.tell_time for t in trials)
        test_accuracy = search.score(X_test, y_test)
        print(f"\n{name}: {len(trials)} configurations in {seconds:.0f} s")
        print(f"  best parameters: {search.best_params_}")
        print(f"  CV accuracy {search.best_score_:.4f}, test accuracy {test_accuracy:.4f}")
        rows.append((name, len(trials), search.best_score_, test_accuracy, seconds, overhead))

    print(
        "\n| optimizer | configurations | best CV accuracy | test accuracy | time (s) | "
        "optimizer time (s) |"
    )
    print("|---|---|---|---|---|---|")
    for name, n, cv_acc, test_acc, seconds, overhead in rows:
        print(f"| {name} | {n} | {cv_acc:.4f} | {test_acc:.4f} | {seconds:.0f} | {overhead:.2f} |")


if __name__ == "__main__":
    main()
