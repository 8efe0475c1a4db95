"""The plug-in module: offers the ``html`` and ``html-ar`` renderers through ``wladna_renderers``.

The ``wladna`` entry point of this distribution names this module, so that installing the
distribution is all it takes for ``wladna report --format html`` to work.
"""

from __future__ import annotations

from typing import Final

from wladna_core.hookspecs import hookimpl
from wladna_core.renderers import Renderer

from wladna_report_html.document import render, render_arabic

__all__ = ["HTML", "HTML_ARABIC", "wladna_renderers"]

#: The HTML report in French: one page, a chart and a table per indicator.
HTML: Final = Renderer(
    name="html",
    media_type="text/html; charset=utf-8",
    suffix=".html",
    render=render,
    description="One self-contained HTML page with a chart and a table per indicator (French).",
)

#: The HTML report in Arabic, written right to left.
HTML_ARABIC: Final = Renderer(
    name="html-ar",
    media_type="text/html; charset=utf-8",
    suffix=".html",
    render=render_arabic,
    description="One self-contained HTML page with a chart and a table per indicator (Arabic).",
)


@hookimpl
def wladna_renderers() -> tuple[Renderer, ...]:
    """Offer the HTML report, in French (``html``) and in Arabic (``html-ar``)."""
    return (HTML, HTML_ARABIC)
