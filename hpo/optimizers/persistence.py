"""Saving and loading optimizers: pickle out, a restricted unpickler in.

A pickle names the functions it calls to rebuild its objects, and a plain ``pickle.load``
calls whatever a crafted file names (``os.system`` included) before anyone can look at the
result. :func:`restricted_load` admits only the globals an optimizer's state is made of:

* hpo's own classes and functions from the modules that hold optimizer state
  (:data:`HPO_MODULES`: spaces, trials, fidelities, optimizers, Gaussian processes, peers);
* numpy arrays, dtypes and scalar types, and the functions that rebuild them and the random
  generators (:data:`NUMPY_GLOBALS`); scipy's quasi-Monte Carlo engines;
* a few builtin and :mod:`collections` types, and ``getattr`` only to look up an enum member
  (how Python pickles ``TrialStatus.COMPLETE``) or one of a few named bound methods.

Anything else is refused with :class:`pickle.UnpicklingError` before it is called. An
optimizer whose state holds other libraries' objects (the peers wrap scikit-optimize and
pymoo) names them in its class attribute ``pickle_trusted``, which widens what loading *that*
class admits.
"""

from __future__ import annotations

import builtins
import collections
import enum
import io
import pickle
from collections.abc import Iterable
from typing import Any, BinaryIO

import numpy as np

__all__ = ["HPO_MODULES", "NUMPY_GLOBALS", "restricted_load"]

#: hpo modules whose classes and functions may appear in a saved optimizer (and submodules).
HPO_MODULES = (
    "hpo.space",
    "hpo.conditions",  # the activity structure of conditional spaces
    "hpo.trial",
    "hpo.fidelity",
    "hpo.exceptions",
    "hpo.optimizers",
    "hpo.gp",
    "hpo.peers",
)

_NUMPY_CORE = {"_reconstruct", "scalar", "_frombuffer"}
#: Exact numpy globals admitted (besides dtypes and scalar types of the ``numpy`` namespace).
NUMPY_GLOBALS = {
    "numpy": {"ndarray", "dtype"},
    "numpy._core.multiarray": _NUMPY_CORE,
    "numpy.core.multiarray": _NUMPY_CORE,
    "numpy._core.numeric": _NUMPY_CORE,
    "numpy.core.numeric": _NUMPY_CORE,
    "numpy.random._pickle": {"__generator_ctor", "__bit_generator_ctor", "__randomstate_ctor"},
    "numpy.random.bit_generator": {"SeedSequence", "__pyx_unpickle_SeedSequence"},
    "numpy.random._generator": {"Generator"},
    "numpy.random._pcg64": {"PCG64", "PCG64DXSM"},
    "numpy.random._mt19937": {"MT19937"},
    "numpy.random._philox": {"Philox"},
    "numpy.random._sfc64": {"SFC64"},
    "scipy.stats._qmc": {"Sobol", "LatinHypercube", "Halton"},
}
_BUILTIN_TYPES = {
    "bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int", "list",
    "range", "set", "slice", "str", "tuple",
}  # fmt: skip
_COLLECTIONS = {"OrderedDict", "defaultdict", "deque", "Counter"}


# Bound methods an admitted object keeps as an attribute (pickled as getattr(obj, name)).
_METHODS = {("scipy.stats._qmc", "LatinHypercube"): {"_random_lhs", "_random_oa_lhs"}}


def _safe_getattr(owner: Any, name: str, trusted: tuple[str, ...] = ()) -> Any:
    """``getattr`` as pickle uses it for enum members, the few bound methods of
    :data:`_METHODS` and objects of ``trusted`` packages, and nothing else
    (``getattr(optimizer, "save")`` would write files)."""
    if isinstance(owner, type) and issubclass(owner, enum.Enum) and name in owner.__members__:
        return owner[name]
    cls = type(owner)
    if name in _METHODS.get((cls.__module__, cls.__qualname__), ()) or (
        not name.startswith("__") and _in_package(cls.__module__, trusted)
    ):
        return getattr(owner, name)
    raise pickle.UnpicklingError(f"refused getattr({owner!r}, {name!r})")


def _in_package(module: str, packages: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: BinaryIO, trusted: Iterable[str]) -> None:
        super().__init__(file)
        self._trusted = tuple(trusted)

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name == "getattr":
            packages = tuple(t for t in self._trusted if ":" not in t)
            return lambda owner, attr: _safe_getattr(owner, attr, packages)
        if (module == "builtins" and name in _BUILTIN_TYPES) or (
            module == "collections" and name in _COLLECTIONS
        ):
            return getattr(builtins if module == "builtins" else collections, name)
        if name in NUMPY_GLOBALS.get(module, ()) or _in_package(module, HPO_MODULES):
            return super().find_class(module, name)
        if module == "numpy" or module == "numpy.dtypes":
            obj = super().find_class(module, name)
            if isinstance(obj, type) and issubclass(obj, (np.generic, np.dtype)):
                return obj
        if _in_package(module, (t for t in self._trusted if ":" not in t)) or (
            f"{module}:{name}" in self._trusted
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refused to load {module}.{name}: an hpo optimizer file holds only hpo's, "
            "numpy's and a few builtin objects"
        )


def restricted_load(data: bytes | BinaryIO, trusted: Iterable[str] = ()) -> Any:
    """Unpickle ``data`` admitting only the globals an optimizer's state is made of.

    Parameters
    ----------
    data : bytes or binary file
    trusted : iterable of str
        More globals to admit: ``"package"`` admits a package and its submodules,
        ``"module:name"`` one global.

    Raises
    ------
    pickle.UnpicklingError
        Naming the first global refused.
    """
    file = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    return _Unpickler(file, trusted).load()
