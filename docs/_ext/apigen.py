"""Write one reStructuredText page per public module of hpo, for the API reference.

autosummary's recursive mode mis-resolves submodules that are also attributes of their
package (``hpo.space`` is imported by ``hpo/__init__.py``), so the module pages are written
here instead, before Sphinx reads its sources. Each page holds the module docstring, then
every object the module defines and exports (its ``__all__``). An object exported by ``hpo``
itself (``hpo.Space``) is documented once, under that name, and the module page points to it;
an object re-exported from another module points to where it is defined.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

#: Packages and modules of the reference; the submodules of a package are included.
ROOTS = (
    "hpo.space",
    "hpo.trial",
    "hpo.optimizers",
    "hpo.gp",
    "hpo.problems",
    "hpo.bench",
    "hpo.sklearn",
    "hpo.peers",
)


def module_names() -> list[str]:
    """The public modules under :data:`ROOTS` (no name part starts with ``_``)."""
    names: list[str] = []
    for root in ROOTS:
        names.append(root)
        module = importlib.import_module(root)
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=root + "."):
                if not any(part.startswith("_") for part in info.name.split(".")):
                    names.append(info.name)
    return names


def _exported(module) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__
        ]
    return list(names)


def module_page(name: str, public: dict[str, str]) -> str:
    """The page of module ``name``; ``public`` maps ``"module.Name"`` to ``"hpo.Name"``."""
    module = importlib.import_module(name)
    lines = [name, "=" * len(name), "", f".. automodule:: {name}", ""]
    for attr in _exported(module):
        obj = getattr(module, attr)
        home = getattr(obj, "__module__", name) if inspect.isclass(obj) or callable(obj) else name
        canonical = f"{home}.{attr}"
        role = "class" if inspect.isclass(obj) else "func" if callable(obj) else "data"
        if canonical in public:
            lines += [f"``{attr}``: see :{role}:`{public[canonical]}`.", ""]
        elif home != name:
            lines += [f"``{attr}``: see :{role}:`{canonical}`.", ""]
        elif role == "class":
            lines += [f".. autoclass:: {canonical}", "   :members:", "   :show-inheritance:", ""]
        elif role == "func":
            lines += [f".. autofunction:: {canonical}", ""]
        else:
            lines += [f".. autodata:: {canonical}", "   :no-value:", ""]
    return "\n".join(lines)


def write_pages(out_dir: Path, public: dict[str, str]) -> list[str]:
    """Write ``out_dir/<module>.rst`` for every module (only when changed); return the names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = module_names()
    for name in names:
        path = out_dir / f"{name}.rst"
        text = module_page(name, public)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return names
