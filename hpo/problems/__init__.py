"""Problems to compare optimizers on: synthetic functions with known optima and MLP tasks.

``get_problem(name, **kwargs)`` builds one; ``list_problems()`` names them. A name may carry
its keyword arguments as a spec, ``"ackley:dim=5,shift=0"``, which is also the ``name`` of the
problem built, so that studies and journals can rebuild it.

The built-in problems are listed in one explicit :data:`CATALOGUE` of modules, each defining
``PROBLEMS``, a dict of name -> factory; a new family of problems is one more line there.
Modules do not register themselves on import, and a module of the catalogue that fails to
import is an error naming it (never a silent gap in :func:`list_problems`).
:func:`register_problem` adds users' own problems.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from typing import Any

from hpo.problems.base import Problem

__all__ = [
    "CATALOGUE",
    "Problem",
    "get_problem",
    "list_problems",
    "parse_spec",
    "register_problem",
]

#: The modules of built-in problems, each with a ``PROBLEMS`` dict of name -> factory.
CATALOGUE: tuple[str, ...] = (
    "hpo.problems.dixon_szego",  # Branin, Hartmann, Shekel, ... (fixed dimension)
    "hpo.problems.scalable",  # Ackley, Rosenbrock, Levy, ... (any dimension)
    "hpo.problems.bbob",  # the BBOB noiseless landscapes (rotated, ill-conditioned, ...)
    "hpo.problems.mlp",  # scikit-learn MLP tuning tasks
    "hpo.problems.multifidelity",  # Augmented Branin and Hartmann (a fidelity s)
    "hpo.problems.learning_curves",  # MLP learning curves, epochs as the fidelity
    "hpo.problems.cnn",  # a CNN on digits in PyTorch (optional torch)
    "hpo.problems.multiobjective",  # ZDT, DTLZ2, Branin-Currin (known Pareto fronts)
    "hpo.problems.mlp_multiobjective",  # MLP log-loss against size or fit time (2 objectives)
    "hpo.problems.sensitivity",  # Ishigami and Sobol-G (analytic Sobol indices)
    "hpo.problems.conditional",  # Jenatton et al.'s tree (a conditional space)
)

_REGISTRY: dict[str, Callable[..., Problem]] = {}
_LOADED = False


def register_problem(name: str, factory: Callable[..., Problem]) -> None:
    """Make ``factory(**kwargs)`` available as :func:`get_problem` ``(name, **kwargs)``.

    Raises
    ------
    ValueError
        If ``name`` is not a snake_case identifier (specs use ``:``, ``,`` and ``=`` as
        separators), or is already taken by another factory.
    """
    if not (isinstance(name, str) and name.isidentifier() and name == name.lower()):
        raise ValueError(f"register_problem: name must be a snake_case identifier, got {name!r}")
    _load()  # a user's name must not shadow a built-in one
    _add(name, factory)


def _add(name: str, factory: Callable[..., Problem]) -> None:
    if _REGISTRY.get(name, factory) is not factory:
        raise ValueError(f"register_problem: name {name!r} is already registered")
    _REGISTRY[name] = factory


def catalogue_problems(module_name: str) -> dict[str, Callable[..., Problem]]:
    """The ``PROBLEMS`` of one module of the catalogue.

    Raises
    ------
    ImportError
        If the module cannot be imported (the message names it and the catalogue).
    TypeError
        If it defines no ``PROBLEMS`` dict of name -> factory.
    """
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ImportError(
            f"hpo.problems.CATALOGUE lists {module_name!r}, which failed to import: {err}"
        ) from err
    problems = getattr(module, "PROBLEMS", None)
    if not isinstance(problems, dict) or not all(callable(f) for f in problems.values()):
        raise TypeError(f"{module_name}: PROBLEMS must be a dict of name -> factory")
    return problems


def _load() -> None:
    global _LOADED
    if not _LOADED:
        for module_name in CATALOGUE:
            for name, factory in catalogue_problems(module_name).items():
                _add(name, factory)
        _LOADED = True


def list_problems() -> list[str]:
    """Names of the registered problems."""
    _load()
    return sorted(_REGISTRY)


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name:key=value,key=value"`` into the name and keyword arguments (values are
    Python literals: numbers, strings, ``None``, booleans)."""
    name, _, rest = spec.partition(":")
    kwargs: dict[str, Any] = {}
    for item in filter(None, (s.strip() for s in rest.split(","))):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"problem spec {spec!r}: expected key=value, got {item!r}")
        try:
            kwargs[key.strip()] = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            kwargs[key.strip()] = raw.strip()
    return name.strip(), kwargs


def get_problem(name: str, **kwargs: Any) -> Problem:
    """Build a registered problem.

    Parameters
    ----------
    name : str
        A name from :func:`list_problems`, optionally with arguments: ``"levy:dim=6"``.
    **kwargs
        Arguments of the problem (for instance ``dim``, ``shift``), merged with those of the
        spec.

    Raises
    ------
    ValueError
        For an unknown name or arguments the problem does not take.
    """
    _load()
    base, spec_kwargs = parse_spec(name)
    if base not in _REGISTRY:
        raise ValueError(f"problem: unknown name {base!r}; choose one of {list_problems()}")
    try:
        return _REGISTRY[base](**{**spec_kwargs, **kwargs})
    except TypeError as err:
        raise ValueError(f"problem {base!r}: {err}") from None
