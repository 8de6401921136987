"""The documentation (docs/) keeps up with the code, checked without building it.

The build itself (``sphinx-build -W``, warnings as errors) runs in CI; these checks are cheap
and catch what a build would not: a public name missing from the reference, a subcommand or
optimizer missing from its guide, a contributor guide that points outside the repository.
"""

import re
from pathlib import Path

import pytest

import hpo
from hpo.cli import main
from hpo.optimizers import OPTIMIZERS

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"


def _autosummary_entries(text: str) -> set[str]:
    """Names listed under the ``.. autosummary::`` directives of a reST page."""
    names: set[str] = set()
    for block in re.findall(r"\.\. autosummary::\n((?:   .*\n|\n)+)", text):
        names.update(
            line.strip() for line in block.splitlines() if line.strip() and ":" not in line
        )
    return names


def test_every_public_name_is_in_the_api_reference():
    listed = _autosummary_entries((DOCS / "api" / "index.rst").read_text())
    assert set(hpo.__all__) <= listed, sorted(set(hpo.__all__) - listed)
    assert listed <= set(hpo.__all__), sorted(listed - set(hpo.__all__))


def test_every_optimizer_has_its_place_in_the_guide():
    text = (DOCS / "user_guide" / "optimizers.md").read_text()
    for name, cls in OPTIMIZERS.items():
        assert f"`{name}`" in text and f"~hpo.{cls.__name__}" in text, name


def test_every_subcommand_is_in_the_cli_guide(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    (choices,) = re.findall(r"\{([a-z,]+)\}", capsys.readouterr().out)[:1]
    text = (DOCS / "user_guide" / "cli.md").read_text()
    for command in choices.split(","):
        assert f"## `hpo {command}`" in text, command


def test_contributing_points_inside_the_repository():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    assert "../" not in text and "shared/" not in text
    links = re.findall(r"\]\(([^)#]+)", text)
    assert links, "CONTRIBUTING.md should link to the developer guide"
    for link in links:
        if not link.startswith("http"):
            assert (ROOT / link).exists(), link
