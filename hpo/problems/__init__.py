"""Problems to compare optimizers on: synthetic functions with known optima and MLP tasks.

``get_problem(name, **kwargs)`` builds one; ``list_problems()`` names them. A name may carry
its keyword arguments as a spec, ``"ackley:dim=5,shift=0"``, which is also the ``name`` of the
problem built, so that studies and journals can rebuild it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from hpo.problems.base import Problem

__all__ = ["Problem", "get_problem", "list_problems", "parse_spec", "register_problem"]

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
    if _REGISTRY.get(name, factory) is not factory:
        raise ValueError(f"register_problem: name {name!r} is already registered")
    _REGISTRY[name] = factory


def _load() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from hpo.problems import dixon_szego, multifidelity, multiobjective, scalable  # noqa: F401

        for key, factory in multiobjective.PROBLEMS.items():
            register_problem(key, factory)
        from hpo.problems import bbob

        for key, factory in bbob.PROBLEMS.items():
            register_problem(key, factory)

        try:
            from hpo.problems import mlp  # noqa: F401 - registers on import
        except ImportError:  # not written yet, or scikit-learn missing
            pass


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
