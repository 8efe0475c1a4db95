"""Sphinx configuration of the wladna_core documentation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

try:
    import wladna_core
except ImportError as error:
    raise RuntimeError(
        "The docs are built from the installed package: install wladna_core first "
        "(`nox -s docs` does it, or `pip install -e .` and the `docs` dependency group)."
    ) from error

# The rule catalogue page is written from this function; without it there is no docs build.
from wladna_core.rules import catalogue

project = "wladna_core"
author = "wladna_core maintainers"
copyright = "wladna_core maintainers"
release = wladna_core.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3

nitpicky = False
autodoc_typehints = "description"
# Annotations naming a class imported for type checking only, which autodoc cannot resolve by
# itself: ``CaseWork.casefile`` returns the case file's services, not the test strategies' bundle.
autodoc_type_aliases = {"CaseFile": "wladna_core.casefile.work.CaseFile"}
autodoc_member_order = "bysource"

html_theme = "furo"
html_title = f"wladna_core {release}"
html_static_path = ["_static"]


def write_rules_catalogue(app: Sphinx) -> None:
    """Write ``rules_catalogue.md`` from the rules the code ships, so that the page cannot drift."""
    lines = [
        "# Rule catalogue",
        "",
        "This page is generated from the code (`wladna_core.rules.catalogue()`) at every build of",
        "the documentation: it lists every built-in rule with its stable code.",
        "",
        "| Code | Severity | Entity | Description |",
        "| --- | --- | --- | --- |",
    ]
    for rule in catalogue():
        cells = (f"`{rule.code}`", rule.severity.value, rule.entity.__name__, rule.description)
        lines.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    text = "\n".join(lines) + "\n"
    target = Path(app.srcdir) / "rules_catalogue.md"
    # Rewriting an unchanged page would make Sphinx read it again at every build.
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def markdown_cell(text: str) -> str:
    """Escape ``text`` for one cell of a Markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def setup(app: Sphinx) -> dict[str, object]:
    """Generate the pages that come from the code before Sphinx reads the sources."""
    app.connect("builder-inited", write_rules_catalogue)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
