"""The HTML report: one self-contained page, a section per indicator with a chart and a table.

The page needs nothing but itself: the styles are inline, the charts are inline SVG, and there
is no script and no link to anything outside the file, so it opens the same offline, in an
e-mail attachment or printed.  Every piece of text from the report is escaped.

>>> from wladna_core.reporting import ReportTable
>>> table = ReportTable(
...     indicator="cases_opened",
...     title="Cases opened",
...     dimensions=("province",),
...     measures=("count",),
...     body=(("MA-SAL", 12), ("MA-RAB", 7)),
...     totals=(19,),
... )
>>> page = render_table(table, lang="ar").decode()
>>> '<html lang="ar" dir="rtl">' in page, "<svg" in page, "سلا" in page
(True, True, True)
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Final

from wladna_core.renderers import cell_value
from wladna_core.reporting import SUPPRESSED, Privacy, Report, ReportTable

from wladna_report_html.charts import Bar, bar_chart
from wladna_report_html.labels import (
    check_language,
    dimension_label,
    format_date,
    format_number,
    indicator_definition,
    indicator_title,
    is_share,
    measure_label,
    report_title,
    ui,
    value_label,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wladna_core.renderers import Tabular

__all__ = ["MISSING", "chart_measure", "render", "render_arabic", "render_report", "render_table"]

#: How a cell without a value (and not withheld) is shown.
MISSING: Final = "\u2013"  # an en dash

# Characters that neither HTML nor XML (the SVG) may carry: C0 and C1 controls, lone
# surrogates and the two non-characters of the first plane.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_STYLE: Final = """
:root { color: #1f2328; background: #ffffff; }
body { font-family: "DejaVu Sans", "Noto Sans", "Noto Naskh Arabic", Tahoma, Arial, sans-serif;
  font-size: 15px; line-height: 1.45; max-width: 62rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; color: #0b3d6b; }
h2 { font-size: 1.25rem; margin: 2rem 0 .4rem; color: #0b3d6b;
  border-block-end: 2px solid #0072b2; padding-block-end: .2rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
.privacy { background: #f3f6fa; border-inline-start: 4px solid #0072b2; padding: .4rem .8rem; }
.definition { color: #444c56; margin-top: 0; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444c56; font-size: .9rem; }
svg text { fill: #1f2328; }
table { border-collapse: collapse; margin: .5rem 0 1rem; min-width: 50%; }
caption { text-align: start; font-weight: bold; padding-block-end: .3rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: start; }
thead th { background: #eef2f6; }
tfoot th, tfoot td { font-weight: bold; background: #f6f8fa; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
[dir="rtl"] td.n { text-align: left; }
td.suppressed, td.missing { color: #6e7781; }
abbr { text-decoration: none; }
nav ol { padding-inline-start: 1.5rem; }
footer { margin-top: 2.5rem; font-size: .9rem; }
@media print { section { break-inside: avoid; } }
"""


def _page(lang: str, title: str, header: str, sections: Sequence[str]) -> bytes:
    direction = "rtl" if lang == "ar" else "ltr"
    nav = ""
    if len(sections) > 1:
        nav = f'<nav aria-labelledby="contents"><h2 id="contents">{ui("contents", lang)}</h2><ol>'
        nav += "".join(f"<li>{link}</li>" for link in _links(sections))
        nav += "</ol></nav>"
    legend = (
        f'<footer><h2>{ui("legend", lang)}</h2><dl class="facts">'
        f"<dt>{escape(SUPPRESSED)}</dt><dd>{ui('suppressed', lang)}</dd>"
        f"<dt>{MISSING}</dt><dd>{ui('missing', lang)}</dd></dl></footer>"
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<header>{header}</header>\n{nav}\n<main>\n"
        + "\n".join(sections)
        + f"\n</main>\n{legend}\n</body>\n</html>\n"
    )
    return _FORBIDDEN.sub("\ufffd", page).encode("utf-8")


_HEADING = re.compile(r'<section id="([^"]+)"[^>]*>\s*<h2[^>]*>(.*?)</h2>', re.DOTALL)


def _links(sections: Sequence[str]) -> list[str]:
    links = []
    for section in sections:
        match = _HEADING.match(section)
        if match:
            links.append(f'<a href="#{match[1]}">{match[2]}</a>')
    return links


def render_report(report: Report, lang: str = "fr") -> bytes:
    """Return the whole ``report`` as one HTML page, one section per table, in UTF-8.

    The page is wholly in ``lang``: the built-in indicators' titles and definitions, the
    dimensions and their values (territories by their name in that language) and the page's
    own words; only what the caller wrote (a title of its own, a plug-in's indicator) shows as
    given.  The page starts with the report's title, period, computation date, filters and
    privacy level; each table of the report gets a section with its chart and its table; a legend
    explains the signs for withheld and missing values.

    :param report: the report to write.
    :param lang: ``fr`` (the default), ``ar`` (right to left) or ``en``.
    :raises ValueError: for another language, or a NaN or infinite figure in a table.
    """
    check_language(lang)
    title = report_title(report.title, lang)
    facts = [
        (
            ui("period", lang),
            ui(
                "period_range",
                lang,
                start=format_date(report.period.start, lang),
                end=format_date(report.period.end, lang),
            )
            if report.period is not None
            else ui("all_records", lang),
        )
    ]
    if report.generated_on is not None:
        facts.append((ui("generated_on", lang), format_date(report.generated_on, lang)))
    if report.filters:
        facts.append(
            (
                ui("filters", lang),
                "; ".join(
                    ui(
                        "filter",
                        lang,
                        name=dimension_label(key, lang),
                        value=value_label(str(value), lang, key),
                    )
                    for key, value in report.filters.items()
                ),
            )
        )
    if report.privacy is Privacy.PUBLIC:
        privacy = ui("public", lang, threshold=report.threshold or 5)
    else:
        privacy = ui("internal", lang)
    header = (
        f'<h1 dir="auto">{escape(title)}</h1><dl class="facts">'
        + "".join(
            f'<dt>{escape(term)}</dt><dd dir="auto">{escape(text)}</dd>' for term, text in facts
        )
        + f'</dl><p class="privacy">{escape(privacy)}</p>'
    )
    sections = [
        _section(table, lang, number) for number, table in enumerate(report.tables, start=1)
    ]
    return _page(lang, title, header, sections)


def render_table(table: Tabular, lang: str = "fr") -> bytes:
    """Return one table as an HTML page: a chart and the table for a report table.

    A :class:`~wladna_core.reporting.ReportTable` gets its chart, translated labels and
    formatted figures; any other :class:`~wladna_core.renderers.Tabular` gets a plain table.

    :param table: the table to write.
    :param lang: ``fr`` (the default), ``ar`` (right to left) or ``en``.
    :raises ValueError: for another language, or a NaN or infinite figure.
    """
    check_language(lang)
    title = (
        indicator_title(table.indicator, table.title, lang)
        if isinstance(table, ReportTable)
        else table.title
    )
    header = f'<h1 dir="auto">{escape(title)}</h1>'
    return _page(lang, title, header, [_section(table, lang, 1)])


def render(subject: Tabular | Report, lang: str = "fr") -> bytes:
    """Write a whole :class:`~wladna_core.reporting.Report`, or one table, as an HTML page.

    This is the function of the ``html`` renderer: it takes a report as well as the
    :class:`~wladna_core.renderers.Tabular` every renderer takes.

    :param subject: a report (one section per table) or one table.
    :param lang: ``fr`` (the default), ``ar`` (right to left) or ``en``.
    :raises ValueError: for another language, or a NaN or infinite figure.
    """
    if isinstance(subject, Report):
        return render_report(subject, lang)
    return render_table(subject, lang)


def render_arabic(subject: Tabular | Report) -> bytes:
    """Write a report or a table as an HTML page in Arabic (the ``html-ar`` renderer)."""
    return render(subject, "ar")


def chart_measure(table: ReportTable) -> int:
    """Return the position of the measure a table's chart shows.

    A ``share`` table shows its first measure that holds shares (``rate``, ``share``...; see
    :func:`~wladna_report_html.labels.is_share`); any other table shows its first measure.
    """
    if table.unit == "share":
        for index, name in enumerate(table.measures):
            if is_share(name, table.unit):
                return index
    return 0


def _section(table: Tabular, lang: str, number: int) -> str:
    section_id = f"indicator-{number}"
    if not isinstance(table, ReportTable):
        title = table.title
        figure = ""
        definition = ""
        grid = _plain_table(table, lang)
    else:
        title = indicator_title(table.indicator, table.title, lang)
        text = indicator_definition(table.indicator, table.definition, lang)
        definition = f'<p class="definition" dir="auto">{escape(text)}</p>' if text else ""
        figure = _figure(table, lang, f"chart-{number}", title)
        grid = _report_table(table, lang, title)
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-title">'
        f'<h2 id="{section_id}-title" dir="auto">{escape(title)}</h2>'
        f"{definition}{figure}{grid}</section>"
    )


def _figure(table: ReportTable, lang: str, chart_id: str, title: str) -> str:
    measure = chart_measure(table) if table.measures else None
    keys = len(table.dimensions)
    bars: list[Bar] = []
    series: dict[tuple[str, ...], int] = {}
    share = measure is not None and is_share(table.measures[measure], table.unit)
    measure_name = measure_label(table.measures[measure], lang) if measure is not None else ""
    for row_number, row in enumerate(table.body if measure is not None else ()):
        labels = [
            _dimension_text(value, lang, name)
            for value, name in zip(row[:keys], table.dimensions, strict=True)
        ]
        assert measure is not None  # the loop runs only when there is a measure
        value = row[keys + measure]
        suppressed = (row_number, measure) in table.suppressed
        text = _measure_text(table, row_number, measure, value, lang)
        length = None if suppressed else _length(value)
        if keys >= 2:
            rest = tuple(labels[1:])
            colour = series.setdefault(rest, len(series))
            bars.append(Bar(" · ".join(rest), length, text, group=labels[0], series=colour))
        else:
            bars.append(Bar(labels[0] if labels else measure_name, length, text))
    dimensions = ui("and", lang).join(dimension_label(name, lang) for name in table.dimensions)
    description = (
        ui("chart_of", lang, measure=measure_name, dimension=dimensions)
        if dimensions
        else ui("chart_total", lang, measure=measure_name)
    )

    def tick_text(value: float) -> str:
        if share:
            return format_number(round(Decimal(repr(value)) * 100), lang) + (
                "\u202f%" if lang == "fr" else "%"
            )
        return format_number(Decimal(repr(value)), lang)

    svg = bar_chart(
        bars,
        title=ui("chart", lang, title=title),
        description=description,
        chart_id=chart_id,
        tick_text=tick_text,
        share=share,
        rtl=lang == "ar",
        empty_text=ui("no_rows", lang),
    )
    return f'<figure>{svg}<figcaption dir="auto">{escape(description)}</figcaption></figure>'


def _length(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        length = float(value)
    except OverflowError:
        return None
    return length if math.isfinite(length) else None


def _dimension_text(value: object, lang: str, dimension: str) -> str:
    if isinstance(value, date):
        return format_date(value, lang)
    plain = cell_value(value)
    if plain is None:
        return ui("unknown", lang)
    if isinstance(plain, bool):
        return ui("yes" if plain else "no", lang)
    return value_label(str(plain), lang, dimension)


def _measure_text(table: ReportTable, row: int, measure: int, value: object, lang: str) -> str:
    if (row, measure) in table.suppressed:
        return SUPPRESSED
    try:
        plain = cell_value(value)
    except ValueError as error:
        where = "totals" if row == -1 else f"row {row}"
        msg = f"table {table.indicator!r}, {where}, {table.measures[measure]!r}: {error}"
        raise ValueError(msg) from None
    if plain is None:
        return MISSING
    if isinstance(plain, bool):
        return ui("yes" if plain else "no", lang)
    if isinstance(plain, int | float):
        return format_number(plain, lang, share=is_share(table.measures[measure], table.unit))
    return plain


def _measure_cell(table: ReportTable, row: int, measure: int, value: object, lang: str) -> str:
    text = _measure_text(table, row, measure, value, lang)
    if text == SUPPRESSED and (row, measure) in table.suppressed:
        meaning = escape(ui("suppressed", lang))
        return f'<td class="n suppressed"><abbr title="{meaning}">{text}</abbr></td>'
    if value is None:
        meaning = escape(ui("missing", lang))
        return f'<td class="n missing"><abbr title="{meaning}">{MISSING}</abbr></td>'
    plain = cell_value(value)
    numeric = isinstance(plain, int | float) and not isinstance(plain, bool)
    return f'<td class="n">{escape(text)}</td>' if numeric else f"<td>{escape(text)}</td>"


def _report_table(table: ReportTable, lang: str, title: str) -> str:
    keys = len(table.dimensions)
    head = "".join(
        f'<th scope="col">{escape(dimension_label(name, lang))}</th>' for name in table.dimensions
    ) + "".join(
        f'<th scope="col">{escape(measure_label(name, lang))}</th>' for name in table.measures
    )
    rows = []
    for number, row in enumerate(table.body):
        cells = "".join(
            f'<th scope="row">{escape(_dimension_text(value, lang, name))}</th>'
            for value, name in zip(row[:keys], table.dimensions, strict=True)
        )
        cells += "".join(
            _measure_cell(table, number, index, value, lang)
            for index, value in enumerate(row[keys:])
        )
        rows.append(f"<tr>{cells}</tr>")
    foot = ""
    if table.totals is not None:
        label = f'<th scope="row" colspan="{keys}">{ui("total", lang)}</th>' if keys else ""
        cells = "".join(
            _measure_cell(table, -1, index, value, lang) for index, value in enumerate(table.totals)
        )
        foot = f"<tfoot><tr>{label}{cells}</tr></tfoot>"
    caption = escape(ui("table", lang, title=title))
    return (
        f'<table><caption dir="auto">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>{foot}</table>"
    )


def _plain_table(table: Tabular, lang: str) -> str:
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in table.columns)
    rows = []
    for row in table.rows:
        cells = []
        for value in row:
            plain = cell_value(value)
            if plain is None:
                cells.append(f"<td>{MISSING}</td>")
            elif isinstance(plain, int | float) and not isinstance(plain, bool):
                cells.append(f'<td class="n">{format_number(plain, lang)}</td>')
            else:
                cells.append(f"<td>{escape(str(plain))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
