"""Conditional search spaces: which parameters are active in a configuration.

A parameter built with ``when={"parent": value}`` (or a list of values, or several parents,
all of which must hold) is *active* only when each parent is itself active and takes one of
the listed values. The conditions of a :class:`~hpo.Space` form a forest (a directed acyclic
graph, in general) over its parameters; :class:`Conditions` checks it once, when the space is
built, and answers the questions the space and the optimizers ask of it:

* which parameters are active in a (possibly partial) configuration;
* the configurations of a grid, enumerated over the tree so that two configurations never
  differ only in inactive values, and how many there are, without building them.

Parents must be :class:`~hpo.Categorical` or :class:`~hpo.Integer` parameters of the same
space; a value a parent cannot take, an unknown parent and a cycle are refused with a
``ValueError`` naming them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpo.space import Parameter

__all__ = ["Conditions"]


def _same(a: Any, b: Any) -> bool:
    """Equality of values that keeps ``True`` apart from ``1`` (as choices do)."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


class Conditions:
    """The activity structure of a space's parameters.

    Parameters
    ----------
    params : mapping of str to Parameter
        The parameters of the space, in column order; each with its ``when`` (or ``None``).

    Attributes
    ----------
    when : dict of str to dict of str to tuple
        ``{child: {parent: (canonical values...)}}`` for every conditional parameter.
    order : tuple of str
        The parameter names in a topological order (parents before children), ties kept in
        column order.
    """

    def __init__(self, params: Mapping[str, Parameter]) -> None:
        self.names = tuple(params)
        self.when: dict[str, dict[str, tuple[Any, ...]]] = {}
        for name, p in params.items():
            if p.when:
                self.when[name] = {
                    parent: self._checked(name, p, parent, values, params)
                    for parent, values in p.when.items()
                }
        self.order = self._topological_order()
        self.parents = frozenset(q for cond in self.when.values() for q in cond)

    def __bool__(self) -> bool:
        return bool(self.when)

    @staticmethod
    def _checked(
        name: str,
        p: Parameter,
        parent: str,
        values: tuple[Any, ...],
        params: Mapping[str, Parameter],
    ) -> tuple[Any, ...]:
        where = f"Space: parameter {name!r}: when={{{parent!r}: ...}}"
        if parent == name:
            raise ValueError(f"{where}: a parameter cannot depend on itself (a cycle)")
        if parent not in params:
            raise ValueError(f"{where}: unknown parent {parent!r}; the space has {list(params)}")
        q = params[parent]
        if q.kind not in ("categorical", "integer"):
            raise ValueError(
                f"{where}: the parent {parent!r} must be a Categorical or an Integer, got {q!r}"
            )
        out = []
        for v in values:
            try:
                out.append(q.canonical(v))
            except ValueError as err:
                raise ValueError(
                    f"{where}: {v!r} is not a value of the parent {parent!r} ({err})"
                ) from None
        return tuple(out)

    def _topological_order(self) -> tuple[str, ...]:
        """Kahn's algorithm, taking the earliest ready column each time; a cycle is named."""
        remaining = {n: set(self.when.get(n, ())) for n in self.names}
        order: list[str] = []
        while remaining:
            ready = [n for n in self.names if n in remaining and not remaining[n]]
            if not ready:
                cycle = self._find_cycle(remaining)
                raise ValueError(
                    "Space: the conditions form a cycle: " + " -> ".join(map(repr, cycle))
                )
            order.append(ready[0])
            del remaining[ready[0]]
            for deps in remaining.values():
                deps.discard(ready[0])
        return tuple(order)

    @staticmethod
    def _find_cycle(remaining: dict[str, set[str]]) -> list[str]:
        """A cycle among the parameters left (each has a parent left): follow parents."""
        node = next(iter(remaining))
        path: list[str] = []
        while node not in path:
            path.append(node)
            node = min(remaining[node])
        cycle = path[path.index(node) :]
        return [*reversed(cycle), cycle[-1]]

    # -- activity -----------------------------------------------------------------------
    def is_active(self, name: str, config: Mapping[str, Any], active: set[str]) -> bool:
        """Whether ``name`` is active given the ``active`` parents and their values in
        ``config`` (canonical values)."""
        cond = self.when.get(name)
        if cond is None:
            return True
        return all(
            parent in active and parent in config and any(_same(config[parent], v) for v in values)
            for parent, values in cond.items()
        )

    def active_set(self, config: Mapping[str, Any]) -> set[str]:
        """The names active in ``config`` (missing ones included: a parent missing from
        ``config`` is active or not by its own condition, its children inactive)."""
        active: set[str] = set()
        for name in self.order:
            if self.is_active(name, config, active):
                active.add(name)
        return active

    def describe(self, name: str) -> str:
        """The condition of ``name`` in words, for error messages."""
        parts = [
            f"{parent} == {values[0]!r}" if len(values) == 1 else f"{parent} in {list(values)!r}"
            for parent, values in self.when.get(name, {}).items()
        ]
        return " and ".join(parts) or "always"

    # -- the tree of a grid -------------------------------------------------------------
    def enumerate(self, axes: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
        """Every configuration of the grid with these ``axes`` (values per name), inactive
        parameters left out; lexicographic in :attr:`order`, the last varying fastest.
        Distinct configurations only: inactive axes are never branched on."""
        out: list[dict[str, Any]] = []

        def walk(i: int, config: dict[str, Any], active: set[str]) -> None:
            if i == len(self.order):
                out.append({n: config[n] for n in self.names if n in active})
                return
            name = self.order[i]
            if not self.is_active(name, config, active):
                walk(i + 1, config, active)
                return
            for v in axes[name]:
                config[name] = v
                walk(i + 1, config, active | {name})
            del config[name]

        walk(0, {}, set())
        return out

    def count(
        self, axes: Mapping[str, Sequence[Any]], length: Callable[[str], int] | None = None
    ) -> int:
        """``len(self.enumerate(axes))`` without building the configurations: branch on the
        parents only and multiply the axis lengths of the active leaves (``length(name)``,
        default ``len(axes[name])``; only the parents' axes are read otherwise)."""
        length = length or (lambda name: len(axes[name]))
        parents = [n for n in self.order if n in self.parents]
        leaves = [n for n in self.order if n not in self.parents]

        def walk(i: int, config: dict[str, Any], active: set[str]) -> int:
            if i == len(parents):
                return math.prod(length(n) for n in leaves if self.is_active(n, config, active))
            name = parents[i]
            if not self.is_active(name, config, active):
                return walk(i + 1, config, active)
            total = 0
            for v in axes[name]:
                config[name] = v
                total += walk(i + 1, config, active | {name})
            del config[name]
            return total

        return walk(0, {}, set())
