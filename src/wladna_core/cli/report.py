"""``wladna report``: compute indicators in the store and write them as a table, CSV, JSON...

The figures are computed where the records are (grouped SQL on SQLite and PostgreSQL); no case
is read into memory.  ``--public`` suppresses small cells, for a report leaving the body.
Without an indicator named, every indicator that allows the ``--by`` dimensions is computed.

    wladna report cases_opened referrals --by province --by month --period 2026
    wladna report --format html --output report.html
    wladna report --list
"""

from __future__ import annotations

import difflib
import io
import re
from calendar import monthrange
from datetime import date
from typing import TYPE_CHECKING, Final

import click
import rich.console
import rich.table
from rich.cells import cell_len

from wladna_core.cli.errors import plugin_failure
from wladna_core.cli.options import DAY, db_option
from wladna_core.cli.output import figure, output_file, stdout_console, text_console
from wladna_core.cli.stores import check_exists
from wladna_core.errors import WladnaError
from wladna_core.plugins import PluginHookError, make_plugin_manager, renderers_from
from wladna_core.reporting import SUPPRESSED, Period, Privacy, Report
from wladna_core.reporting.build import available_indicators
from wladna_core.storage import StoreError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pluggy

__all__ = ["ReportOptionError", "in_option_terms", "parse_period", "parse_where", "report_command"]

# The library's parameters that the command's options set, as its messages name them.
_PARAMETERS: Final = re.compile(r"\b(on|period|by|where|threshold)=")


class ReportOptionError(WladnaError):
    """The report asked for cannot be made; the message names the command's options."""


def in_option_terms(message: str) -> str:
    """Return ``message`` naming the options of ``wladna report`` where it names parameters.

    >>> in_option_terms("end the period on or before on=; by= is repeated")
    'end the period on or before --on; --by is repeated'
    """
    return _PARAMETERS.sub(r"--\1", message)


_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> Period:
    """Return the period ``text`` names: ``2026``, ``2026-03`` or ``2026-01-01/2026-06-30``.

    >>> str(parse_period("2026-02"))
    '2026-02-01/2026-02-28'
    >>> try:
    ...     parse_period("2026-13")
    ... except click.BadParameter as refused:
    ...     print(refused.message)
    '2026-13' is not a period: there is no month 13

    :raises click.BadParameter: for anything else, or an end before the start (naming
        ``--period``).
    """
    try:
        if _YEAR.match(text):
            year = int(text)
            return Period(date(year, 1, 1), date(year, 12, 31))
        month = _MONTH.match(text)
        if month:
            year, number = int(month.group(1)), int(month.group(2))
            if not 1 <= number <= 12:
                msg = f"{text!r} is not a period: there is no month {number}"
                raise click.BadParameter(msg, param_hint="--period")
            return Period(date(year, number, 1), date(year, number, monthrange(year, number)[1]))
        start, sep, end = text.partition("/")
        if sep:
            return Period(DAY.convert(start, None, None), DAY.convert(end, None, None))
    except click.BadParameter as error:
        if error.param_hint is not None:
            raise
        msg = f"{text!r} is not a period: {error.message}"
        raise click.BadParameter(msg, param_hint="--period") from None
    except ValueError as error:
        msg = f"{text!r} is not a period: {error}"
        raise click.BadParameter(msg, param_hint="--period") from None
    msg = f"{text!r} is not a period; write 2026, 2026-03 or 2026-01-01/2026-06-30"
    raise click.BadParameter(msg, param_hint="--period")


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
    stdout_console().print(table)


def _as_rich(console: rich.console.Console, report: Report) -> None:
    for table in report.tables:
        # At least as wide as its title, which is never broken over lines.
        shown = rich.table.Table(
            title=table.title, title_justify="left", min_width=cell_len(table.title) + 4
        )
        for index, column in enumerate(table.columns):
            measure = index >= len(table.dimensions)
            shown.add_column(column, justify="right" if measure else "left")
        for row in table.rows:
            shown.add_row(
                *(figure(column, value) for column, value in zip(table.columns, row, strict=True))
            )
        console.print(shown)
    if report.privacy is Privacy.PUBLIC:
        console.print(
            f"{SUPPRESSED}: withheld (fewer than {report.threshold}, or would reveal such a cell)"
        )


def _check_format(plugins: pluggy.PluginManager, fmt: str) -> None:
    if fmt != "table" and fmt not in renderers_from(plugins):
        known = ", ".join(["table", *sorted(renderers_from(plugins))])
        hint = ""
        if fmt.startswith("html"):
            hint = " (html and html-ar come with the wladna-report-html plug-in: install it)"
        msg = f"unknown format {fmt!r}; the formats are {known}{hint}"
        raise click.BadParameter(msg, param_hint="--format")


def _rendered(plugins: pluggy.PluginManager, report: Report, fmt: str) -> bytes:
    renderer = renderers_from(plugins)[fmt]
    try:
        try:
            # Renderers that know reports (the HTML plug-in) write the whole report at once.
            return renderer.render(report)  # type: ignore[arg-type]
        except (TypeError, AttributeError):
            pass
        parts = [renderer.render(table) for table in report.tables]
    except WladnaError:
        raise
    except Exception as error:
        raise plugin_failure(
            plugins, "wladna_renderers", error, f"its renderer {fmt!r} failed"
        ) from error
    if fmt == "json":
        return b"[" + b",".join(part.strip() for part in parts) + b"]\n"
    return b"\n".join(parts)


def _indicators_for(plugins: pluggy.PluginManager, by: Sequence[str]) -> tuple[str, ...]:
    """Return every indicator that allows the dimensions ``by``, for a report naming none."""
    indicators = available_indicators(plugins)
    found = tuple(
        name
        for name, indicator in sorted(indicators.items())
        if set(by) <= set(indicator.dimensions)
    )
    if not found:
        known = sorted({dimension for item in indicators.values() for dimension in item.dimensions})
        unknown = [dimension for dimension in by if dimension not in known]
        guesses = [
            f"--by {close[0]} for --by {dimension}"
            for dimension in unknown
            if (close := difflib.get_close_matches(dimension, known, n=1, cutoff=0.6))
        ]
        hint = f" (did you mean {', '.join(guesses)}?)" if guesses else ""
        msg = (
            f"no indicator allows --by {' --by '.join(by)}{hint}; name the indicators (wladna "
            "report --list shows the dimensions each allows)"
        )
        raise click.UsageError(msg)
    return found


def _window(period: Period | None, day: date) -> Period | None:
    """Return the period to count on the report's date ``day``: ``period`` ending by ``day``.

    A period still running on the report's date (``--period 2026`` during 2026) is counted up
    to that date, and stderr says so; one that starts after it is refused.
    """
    if period is None or period.end <= day:
        return period
    if period.start > day:
        msg = (
            f"the period {period} starts after the report's date {day.isoformat()}: nothing is "
            "known of those days yet; give an earlier --period, or a later --on"
        )
        raise click.BadParameter(msg, param_hint="--period")
    click.echo(
        f"wladna report: the period {period} ends after the report's date {day.isoformat()}: "
        f"counting {period.start.isoformat()} to {day.isoformat()}",
        err=True,
    )
    return Period(period.start, day)


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
    type=DAY,
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
    type=click.Path(dir_okay=False, allow_dash=True, path_type=str),
    default="-",
    show_default=True,
    help="The file to write; - for standard output.  A file appears only when complete.",
)
@click.option("--list", "list_only", is_flag=True, help="List the indicators and stop.")
@db_option
def report_command(  # noqa: PLR0917 (one argument per option)
    indicators: tuple[str, ...],
    by: tuple[str, ...],
    where: tuple[str, ...],
    period: str | None,
    on: date | None,
    public: bool,
    threshold: int | None,
    fmt: str,
    output: str,
    list_only: bool,
    db: str,
) -> None:
    """Compute INDICATORS over the store's records and write them.

    Each indicator gives one table, broken down by the --by dimensions; without INDICATORS,
    every indicator that allows them.  Run with --list to see the indicators and the
    dimensions each allows.  A store that does not exist is refused, never created.
    """
    from wladna_core.app import Wladna  # noqa: PLC0415 (opens the store on use)

    if list_only:
        _list_indicators()
        return
    chosen_period = parse_period(period) if period else None
    day = on
    filters = parse_where(where)
    plugins = make_plugin_manager()
    _check_format(plugins, fmt)
    names = indicators or _indicators_for(plugins, by)
    check_exists(db)
    with output_file(output) as out, Wladna.open(db, plugins=plugins) as wl:
        day = day or wl.today()
        try:
            report = wl.report(
                names,
                by=by,
                where=filters,
                period=_window(chosen_period, day),
                on=day,
                privacy=Privacy.PUBLIC if public else Privacy.INTERNAL,
                threshold=threshold,
            )
        except (PluginHookError, StoreError):
            raise
        except WladnaError as error:
            raise ReportOptionError(in_option_terms(str(error))) from error
        except Exception as error:
            raise plugin_failure(
                plugins, "wladna_indicators", error, "an indicator it offers failed"
            ) from error
        if fmt != "table":
            out.write(_rendered(plugins, report, fmt))
        elif output == "-":
            _as_rich(stdout_console(), report)
        else:
            text = io.TextIOWrapper(out, encoding="utf-8")
            _as_rich(text_console(text), report)
            text.flush()
            text.detach()  # the file is closed by output_file
