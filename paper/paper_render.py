"""Fill the paper's template: values, numbered tables and figures, and references to them.

Placeholders are ``{{ name }}`` with ``name`` made of letters, digits and ``_ : . - /``, so
LaTeX braces in the mathematics never look like one. Four kinds:

``{{ value }}``
    A value computed by the build (a number, a list of names, a generated sentence).
``{{table:NAME}} caption``
    On a line of its own: "**Table k.** caption", then the table (Markdown) and its notes.
    An empty caption uses the table's title.
``{{figure:NAME}} caption``
    On a line of its own: the image ``figures/NAME.png`` and "**Figure k.** caption".
``{{tab:NAME}}``, ``{{fig:NAME}}``
    "Table k" or "Figure k", where ``k`` numbers the blocks in the order they appear.

Every placeholder must resolve: an unknown name, a block used twice or a reference to a block
that is not placed is a :class:`RenderError` listing all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hpo.bench.tables import Table, to_markdown

__all__ = ["RenderError", "render"]

_NAME = r"[A-Za-z0-9_:.\-/]+"
PLACEHOLDER = re.compile(r"\{\{\s*(" + _NAME + r")\s*\}\}")
BLOCK = re.compile(r"^\{\{\s*(table|figure):(" + _NAME + r")\s*\}\}[ \t]*(.*)$", re.MULTILINE)


class RenderError(ValueError):
    """The template does not match what the build produced."""


def _number_blocks(template: str) -> tuple[dict[str, int], dict[str, int], list[str]]:
    numbers: dict[str, dict[str, int]] = {"table": {}, "figure": {}}
    errors = []
    for m in BLOCK.finditer(template):
        kind, name = m.group(1), m.group(2)
        if name in numbers[kind]:
            errors.append(f"{kind} {name!r} is placed twice")
        numbers[kind].setdefault(name, len(numbers[kind]) + 1)
    return numbers["table"], numbers["figure"], errors


def render(
    template: str,
    values: Mapping[str, str],
    tables: Mapping[str, Table],
    figures: Mapping[str, str],
) -> str:
    """The template with every placeholder filled.

    Parameters
    ----------
    template : str
    values : mapping of str to str
    tables : mapping of str to Table
        Tables that blocks may place.
    figures : mapping of str to str
        Figure name to the path of its image, relative to the rendered file.

    Raises
    ------
    RenderError
        Listing every placeholder that does not resolve.
    """
    tab_no, fig_no, errors = _number_blocks(template)

    def block(m: re.Match) -> str:
        kind, name, caption = m.group(1), m.group(2), m.group(3).strip()
        if kind == "table":
            if name not in tables:
                errors.append(f"table {name!r} was not built")
                return m.group(0)
            table = tables[name]
            head = f"**Table {tab_no[name]}.** {caption or table.title}"
            return f"{head}\n\n{to_markdown(table, title=False).rstrip()}"
        if name not in figures:
            errors.append(f"figure {name!r} was not drawn")
            return m.group(0)
        label = f"Figure {fig_no[name]}"
        return f"![{label}]({figures[name]})\n\n**{label}.** {caption}".rstrip()

    def inline(m: re.Match) -> str:
        name = m.group(1)
        kind, _, ref = name.partition(":")
        if kind in ("tab", "fig") and ref:
            numbers = tab_no if kind == "tab" else fig_no
            if ref not in numbers:
                errors.append(f"{{{{{name}}}}} refers to a {kind} that is not placed")
                return m.group(0)
            return f"{'Table' if kind == 'tab' else 'Figure'} {numbers[ref]}"
        if name not in values:
            errors.append(f"no value {name!r}")
            return m.group(0)
        return str(values[name])

    # Values may themselves hold references ({{tab:...}}), so fill values before references.
    text = BLOCK.sub(block, template)
    text = PLACEHOLDER.sub(inline, text)
    text = PLACEHOLDER.sub(inline, text)
    if errors:
        problems = "\n  ".join(dict.fromkeys(errors))
        raise RenderError(f"the paper template does not resolve:\n  {problems}")
    return text
