"""Write one reStructuredText page per public module of hpo, for the API reference.

autosummary's recursive mode mis-resolves submodules that are also attributes of their
package (``hpo.space`` is imported by ``hpo/__init__.py``), so the module pages are written
here instead, before Sphinx reads its sources, for every public module: a new module gets its
page without any change to the docs. Each page holds the module docstring, then
every object the module defines and exports (its ``__all__``). An object exported by ``hpo``
itself (``hpo.Space``) is documented once, under that name, and the module page points to it;
an object re-exported from another module points to where it is defined.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

#: Modules left out: the command line has its own guide page (its options are not an API).
EXCLUDED = frozenset({"hpo.cli"})


def module_names(package: str = "hpo") -> list[str]:
    """Every public module of ``package`` (no part of its name starts with ``_``), except
    :data:`EXCLUDED` and modules hidden behind a name of the package (``hpo.minimize`` is the
    function): their objects are documented under the package's names."""
    root = importlib.import_module(package)
    names: list[str] = []
    for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or info.name in EXCLUDED:
            continue
        parent = importlib.import_module(".".join(parts[:-1]))
        module = importlib.import_module(info.name)
        if getattr(parent, parts[-1], module) is not module:
            continue
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
    """Write ``out_dir/<module>.rst`` for every module (only when changed), remove the pages of
    modules that are gone, and return the module names."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = module_names()
    for stale in set(out_dir.glob("*.rst")) - {out_dir / f"{name}.rst" for name in names}:
        stale.unlink()  # a module that was removed or renamed
    for name in names:
        path = out_dir / f"{name}.rst"
        text = module_page(name, public)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return names
