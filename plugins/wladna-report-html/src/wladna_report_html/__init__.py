"""An HTML report for wladna: one self-contained page with a chart and a table per indicator.

The page has inline styles and inline SVG charts, no script and no link outside the file; its
labels are in French or in Arabic (right to left), or English.  Installing the distribution adds
the ``html`` and ``html-ar`` renderers (``wladna report --format html``); a program writes a
whole report with :func:`render_report`.

>>> from datetime import date
>>> from wladna_core.reporting import Period, Report, ReportTable
>>> table = ReportTable(
...     indicator="cases_opened",
...     title="Cases opened",
...     dimensions=("sex",),
...     measures=("count",),
...     body=(("female", 41), ("male", 38)),
...     totals=(79,),
... )
>>> report = Report(
...     title="Salé, 2026", tables=(table,), period=Period(date(2026, 1, 1), date(2026, 12, 31))
... )
>>> page = render_report(report, lang="fr").decode()
>>> "Dossiers ouverts" in page, "Filles" in page, "du 1er janvier 2026" in page
(True, True, True)
"""

from __future__ import annotations

from wladna_report_html.document import (
    MISSING,
    chart_measure,
    render,
    render_arabic,
    render_report,
    render_table,
)
from wladna_report_html.plugin import HTML, HTML_ARABIC

__all__ = [
    "HTML",
    "HTML_ARABIC",
    "MISSING",
    "__version__",
    "chart_measure",
    "render",
    "render_arabic",
    "render_report",
    "render_table",
]

__version__ = "0.1.0"
