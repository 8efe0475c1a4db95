"""``wladna report``: compute indicators in the store and write them as a table, CSV, JSON...

The figures are computed where the records are (grouped SQL on SQLite and PostgreSQL); no case
is read into memory.  ``--public`` suppresses small cells, for a report leaving the body.

    wladna report cases_opened referrals --by province --by month --period 2026
    wladna report --list
"""

from __future__ import annotations

import re
import sys
from calendar import monthrange
from datetime import date
from typing import TYPE_CHECKING, BinaryIO

import click
import rich.console
import rich.table

from wladna_core.cli.options import db_option
from wladna_core.plugins import make_plugin_manager, renderers_from
from wladna_core.reporting import SUPPRESSED, Period, Privacy, Report
from wladna_core.reporting.build import available_indicators

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["parse_period", "parse_where", "report_command"]

_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> Period:
    """Return the period ``text`` names: ``2026``, ``2026-03`` or ``2026-01-01/2026-06-30``.

    :raises click.BadParameter: for anything else, or an end before the start.
    """
    try:
        if _YEAR.match(text):
            year = int(text)
            return Period(date(year, 1, 1), date(year, 12, 31))
        month = _MONTH.match(text)
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            return Period(date(year, number, 1), date(year, number, monthrange(year, number)[1]))
        start, sep, end = text.partition("/")
        if sep:
            return Period(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError as error:
        msg = f"{text!r} is not a period: {error}"
        raise click.BadParameter(msg) from None
    msg = f"{text!r} is not a period; write 2026, 2026-03 or 2026-01-01/2026-06-30"
    raise click.BadParameter(msg)


def parse_where(items: Sequence[str]) -> dict[str, object]:
    """Return the filters ``NAME=VALUE[,VALUE...]`` as a mapping of name to values.

    :raises click.BadParameter: for an item without ``=`` or without values.
    """
    filters: dict[str, object] = {}
    for item in items:
        name, sep, values = item.partition("=")
        chosen = [value.strip() for value in values.split(",") if value.strip()]
        if not sep or not name.strip() or not chosen:
            msg = f"{item!r}: write a filter as NAME=VALUE[,VALUE...], e.g. province=MA-SAL"
            raise click.BadParameter(msg, param_hint="--where")
        filters[name.strip()] = chosen
    return filters


def _list_indicators() -> None:
    table = rich.table.Table(title="wladna indicators", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("dimensions")
    for name, indicator in sorted(available_indicators(make_plugin_manager()).items()):
        table.add_row(name, indicator.title, ", ".join(indicator.dimensions))
    rich.console.Console(file=sys.stdout, soft_wrap=False).print(table)


def _as_rich(report: Report) -> None:
    console = rich.console.Console(file=sys.stdout, soft_wrap=False)
    for table in report.tables:
        shown = rich.table.Table(title=table.title, title_justify="left")
        for index, column in enumerate(table.columns):
            measure = index >= len(table.dimensions)
            shown.add_column(column, justify="right" if measure else "left")
        for row in table.rows:
            shown.add_row(*("" if value is None else str(value) for value in row))
        console.print(shown)
    if report.privacy is Privacy.PUBLIC:
        console.print(
            f"{SUPPRESSED}: withheld (fewer than {report.threshold}, or would reveal such a cell)"
        )


def _rendered(report: Report, fmt: str) -> bytes:
    renderers = renderers_from(make_plugin_manager())
    if fmt not in renderers:
        known = ", ".join(["table", *sorted(renderers)])
        msg = f"unknown format {fmt!r}; the formats are {known}"
        raise click.BadParameter(msg, param_hint="--format")
    renderer = renderers[fmt]
    try:
        # Renderers that know reports (the HTML plug-in) write the whole report at once.
        return renderer.render(report)  # type: ignore[arg-type]
    except (TypeError, AttributeError):
        pass
    parts = [renderer.render(table) for table in report.tables]
    if fmt == "json":
        return b"[" + b",".join(part.strip() for part in parts) + b"]\n"
    return b"\n".join(parts)


@click.command("report")
@click.argument("indicators", nargs=-1)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="DIMENSION",
    help="Break the figures down by a dimension (repeatable): province, region, month...",
)
@click.option(
    "--where",
    multiple=True,
    metavar="NAME=VALUES",
    help="Keep only some records (repeatable), e.g. --where province=MA-SAL,MA-RAB.",
)
@click.option("--period", metavar="PERIOD", help="2026, 2026-03 or 2026-01-01/2026-06-30.")
@click.option(
    "--on",
    "on",
    metavar="DATE",
    help="The report's date (YYYY-MM-DD); stocks are counted on it. Default: today.",
)
@click.option("--public", is_flag=True, help="Suppress small cells: the report leaves the body.")
@click.option(
    "--threshold", type=click.IntRange(min=1), help="Smallest count a public report shows."
)
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help="table (for people), or a renderer: csv, json, markdown, html (plug-in)...",
)
@click.option(
    "--output",
    "-o",
    type=click.File("wb"),
    default="-",
    help="Where to write (default: standard output).",
)
@click.option("--list", "list_only", is_flag=True, help="List the indicators and stop.")
@db_option
def report_command(  # noqa: PLR0917 (one argument per option)
    indicators: tuple[str, ...],
    by: tuple[str, ...],
    where: tuple[str, ...],
    period: str | None,
    on: str | None,
    public: bool,
    threshold: int | None,
    fmt: str,
    output: BinaryIO,
    list_only: bool,
    db: str,
) -> None:
    """Compute INDICATORS over the store's records and write them.

    Each indicator gives one table, broken down by the --by dimensions. Run with --list to see
    the indicators and the dimensions each allows.
    """
    from wladna_core.app import Wladna  # noqa: PLC0415 (opens the store on use)

    if list_only:
        _list_indicators()
        return
    if not indicators:
        msg = "name at least one indicator (wladna report --list shows them)"
        raise click.UsageError(msg)
    chosen_period = parse_period(period) if period else None
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        msg = f"{on!r} is not a date; write YYYY-MM-DD"
        raise click.BadParameter(msg, param_hint="--on") from None
    filters = parse_where(where)
    with Wladna.open(db) as wl:
        report = wl.report(
            indicators,
            by=by,
            where=filters,
            period=chosen_period,
            on=day,
            privacy=Privacy.PUBLIC if public else Privacy.INTERNAL,
            threshold=threshold,
        )
    if fmt == "table":
        _as_rich(report)
        return
    output.write(_rendered(report, fmt))
