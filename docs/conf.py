"""Sphinx configuration of hpo's documentation.

Build (warnings are errors, as in CI)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The API reference is generated from the docstrings (autosummary + numpydoc); the notebooks of
``notebooks/`` are copied in at build time and rendered without being executed (see
``nb_execution_mode`` below).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # document this checkout, not another installed hpo
sys.path.insert(0, str(DOCS / "_ext"))

import apigen  # noqa: E402

import hpo  # noqa: E402

project = "hpo"
author = "the hpo developers"
copyright = "the hpo developers"
version = release = hpo.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "README.md"]
root_doc = "index"

# -- the notebooks -------------------------------------------------------------------------
# notebooks/*.ipynb are stored without outputs and executed by nbmake in the test suite. The
# docs render them as they are stored (code and text, no outputs): executing them here would
# add the whole notebook run (minutes on 2 cores, see docs/README.md) to every docs build and
# repeat work the test suite already does.
nb_execution_mode = "off"
_NOTEBOOKS = DOCS / "notebooks"
_NOTEBOOKS.mkdir(exist_ok=True)
for _nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
    _target = _NOTEBOOKS / _nb.name
    if not _target.exists() or _target.read_bytes() != _nb.read_bytes():
        shutil.copyfile(_nb, _target)

# -- MyST ----------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- autodoc, autosummary, numpydoc --------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # types are in the numpydoc "Parameters" sections
numpydoc_show_class_members = False  # autodoc's :members: lists them once
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Objects exported by ``hpo`` are documented once, at their public path (hpo.Space); the module
# pages (written by _ext/apigen.py) point to them instead of documenting them a second time.
_PUBLIC = {f"{getattr(hpo, n).__module__}.{n}": f"hpo.{n}" for n in hpo.__all__}
apigen.write_pages(DOCS / "api" / "modules", _PUBLIC)

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"hpo {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path: list[str] = []
html_show_sourcelink = False


# -- docstring fix-ups at build time -------------------------------------------------------
# Narrow, so that the source docstrings (owned by their modules) stay as they read in a
# terminal; each rule names the pattern it handles.
_NOTATION = re.compile(r"^Notation\b")
_FIELD = re.compile(r"^\s*:[^:`\s][^:`]*:(\s|$)")
_ROLE = re.compile(r":\w+:`~?([^`]+)`")  # :class:`Constant` -> Constant, in plain text


def _notation_as_literal(lines: list[str]) -> None:
    """Module docstrings open with a "Notation" glossary aligned in columns
    (``theta   : a log-hyperparameter``, continuation lines indented), which reST would read
    as stray indentation: show it as the preformatted block it is (markup removed)."""
    for i in range(len(lines) - 2):
        if _NOTATION.match(lines[i]) and set(lines[i + 1]) == {"-"}:
            lines[i + 1] = "-" * len(lines[i])  # an underline as long as its title
            end = i + 2
            while end < len(lines) and lines[end].strip():
                end += 1
            body = [_ROLE.sub(r"\1", line).replace("``", "") for line in lines[i + 2 : end]]
            lines[i + 2 : end] = [".. code-block:: text", "", *("    " + line for line in body)]
            return


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _indented_blocks_as_literal(lines: list[str]) -> None:
    """Module docstrings show pseudocode and formulas as a block indented under a paragraph
    that ends with a colon (``Each time a worker frees:``), as plain text reads; reST needs a
    double colon to take such a block literally, else it reports stray indentation."""
    for i in range(len(lines) - 2):
        line, blank, block = lines[i], lines[i + 1], lines[i + 2]
        if (
            line.rstrip().endswith(":")
            and not line.rstrip().endswith("::")
            and not line.lstrip().startswith("..")  # a directive
            and not _FIELD.match(line)  # a field list item, ":param x:"
            and not blank.strip()
            and block.strip()
            and _indent(block) > _indent(line)
        ):
            lines[i] = line.rstrip() + ":"


def _process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    if what == "module":
        _notation_as_literal(lines)
        _indented_blocks_as_literal(lines)
    elif what in ("data", "attribute"):
        # `#:` comments write |x| for an absolute value, which reST reads as a substitution.
        lines[:] = [line.replace("|", r"\|") for line in lines]


def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_{fit,score,...}_request methods (metadata routing) on every
    # estimator; their docstrings link to scikit-learn's own glossary and labels.
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _process_docstring, priority=400)
    app.connect("autodoc-skip-member", _skip_member)
