"""``wladna demo``: fill a database with synthetic casework of the pilot cities, then summarise it.

The records are made by :mod:`wladna_core.demo` through the casework services, exactly as a
deployment makes them; progress shows on stderr (a bar on a terminal, a line every few seconds
in a log), the summary goes to stdout, and an HTML report is written next to the database when
the ``wladna-report-html`` plug-in is installed.

The demonstration's database is :data:`DEFAULT_DEMO_DB` (``wladna-demo.db``), not the
deployment's default ``wladna.db``: made-up children never mix with real records.  The summary
ends with the commands that read it, ``--db`` included.
"""

from __future__ import annotations

import contextlib
import importlib
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click
import rich.box
import rich.console
import rich.table

from wladna_core.cli.errors import ExitCode
from wladna_core.cli.options import DAY
from wladna_core.cli.output import stdout_console
from wladna_core.cli.progress import progress
from wladna_core.cli.stores import DEFAULT_DEMO_DB, check_keeps
from wladna_core.demo import (
    DEFAULT_CASES,
    PILOT_CITIES,
    SUMMARY_INDICATORS,
    DemoStoreNotEmpty,
    DemoSummary,
    plan_demo,
    run_demo,
)
from wladna_core.storage import StoreError
from wladna_core.storage.ports import redact_url
from wladna_core.storage.sql.engine import is_memory, parse_url

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from wladna_core.model import CaseStatus, ReferralStatus
    from wladna_core.reporting import Report, ReportTable
    from wladna_core.training_demo import TrainingSummary

__all__ = ["DEFAULT_DEMO_DB", "demo_command", "html_report_path", "next_steps", "training_steps"]

#: The plug-in module that renders a report as HTML, when installed.
HTML_PLUGIN: Final = "wladna_report_html"

_CITY_CODES: Final = tuple(city.code for city in PILOT_CITIES)
#: The codes of the pilot cities by what ``--city`` may give: the code, or the city's name.
_CITY_BY: Final = {
    **{city.code.casefold(): city.code for city in PILOT_CITIES},
    **{city.name.casefold(): city.code for city in PILOT_CITIES},
}


def _city_code(_ctx: click.Context, _param: click.Parameter, given: tuple[str, ...]) -> list[str]:
    """Return the codes of the cities ``--city`` names, by code or name, in any case."""
    codes = []
    for text in given:
        code = _CITY_BY.get(text.strip().casefold())
        if code is None:
            names = ", ".join(f"{city.code} ({city.name})" for city in PILOT_CITIES)
            msg = f"{text!r} is not a pilot city; name one by its code or its name: {names}"
            raise click.BadParameter(msg)
        codes.append(code)
    return codes


_CITY_NAMES: Final = {city.code: city.name for city in PILOT_CITIES}


def html_report_path(url: str) -> Path:
    """Return where the HTML report of the demonstration stored at ``url`` is written.

    Next to a SQLite file (``wladna-demo.db`` gives ``wladna-demo-report.html``); in the
    working directory for any other store.

    >>> html_report_path("sqlite:///data/wladna-demo.db").as_posix()
    'data/wladna-demo-report.html'
    >>> html_report_path("memory://").as_posix()
    'wladna-demo-report.html'

    :param url: the store's URL.
    """
    parsed = parse_url(url)
    if parsed is None or parsed.get_backend_name() != "sqlite" or is_memory(parsed):
        return Path("wladna-demo-report.html")
    database = Path(str(parsed.database))
    return database.with_name(f"{database.stem}-report.html")


@click.command("demo")
@click.option(
    "--db",
    metavar="URL",
    default=DEFAULT_DEMO_DB,
    show_default=True,
    help="The store to fill; it must be empty (see --force).",
)
@click.option(
    "--cases",
    type=click.IntRange(min=1),
    default=DEFAULT_CASES,
    show_default=True,
    help="How many case files to open.",
)
@click.option(
    "--city",
    "cities",
    metavar="CITY",
    callback=_city_code,
    multiple=True,
    help=(
        "A pilot city to include, by code or name (MA-SAL or Salé; repeat the option); all "
        f"eight when omitted: {', '.join(_CITY_CODES)}."
    ),
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The same seed gives the same data."
)
@click.option(
    "--today",
    type=DAY,
    default=None,
    help="The last day of the simulated casework (YYYY-MM-DD); today when omitted.",
)
@click.option(
    "--force", is_flag=True, help="Delete every record and audit entry of a non-empty store first."
)
def demo_command(
    *, db: str, cases: int, cities: list[str], seed: int, today: date | None, force: bool
) -> None:
    """Fill a store with synthetic casework of the pilot cities, then print a summary.

    Children, households and 12 to 18 months of casework (assessments, plans, referrals to the
    CAPE, to other bodies, to social programmes and to the judicial authority, follow-ups,
    closures, transfers, duplicates, reopenings) are made through the casework services, by
    the people whose job each step is.  Every name is made up.  SQLite commits do not wait
    for the disk: the data can be made again.
    """
    plan = plan_demo(
        cases=cases,
        cities=cities or None,
        seed=seed,
        today=today,
    )
    try:
        with progress("Casework", len(plan), unit="steps") as bar:
            summary = run_demo(plan, db, force=force, advance=bar.advance)
    except DemoStoreNotEmpty as error:
        click.echo(f"wladna: error: {error}", err=True)
        raise click.exceptions.Exit(ExitCode.USAGE) from None
    console = stdout_console(highlight=False)
    _print_summary(console, summary, db)
    if summary.training is not None:
        _print_training(console, summary.training)
    if summary.report is not None:
        written = _write_html(summary.report, db)
        if written is not None:
            console.print(f"HTML report written to {written}")
    with contextlib.suppress(StoreError):  # a store gone with the command: nothing to read
        check_keeps(db)
        console.print(next_steps(db, summary.today.isoformat()), soft_wrap=True)
        if summary.training is not None:
            steps = training_steps(db, summary.training, with_report=_training_indicators())
            console.print(steps, soft_wrap=True)


def training_steps(url: str, training: TrainingSummary, *, with_report: bool = True) -> str:
    """Return the commands that read the training half of the demonstration at ``url``.

    >>> from wladna_core.training_demo import TrainingSummary
    >>> print(training_steps("sqlite:///wladna-demo.db", TrainingSummary(
    ...     13, 26, 80, 1040, 900, 700, 17.5, (80,) * 13, 3, None)))
    The training programme:
      wladna training plan BI-01 --db sqlite:///wladna-demo.db
      wladna training report --db sqlite:///wladna-demo.db

    :param url: the store the demonstration was written to.
    :param training: what the training half stored.
    :param with_report: name ``wladna training report`` (when training indicators are
        installed).
    """
    db = shlex.quote(redact_url(url))
    lines = ["The training programme:", f"  wladna training plan BI-01 --db {db}"]
    if training.materials is not None:
        lines.append(f"  wladna training bag export --unit PE-RUE bag-pe-rue --db {db}")
    if with_report:
        lines.append(f"  wladna training report --db {db}")
    return "\n".join(lines)


def _training_indicators() -> bool:
    """Return whether indicators of the training programme are installed."""
    from wladna_core.plugins import make_plugin_manager  # noqa: PLC0415 (on use)
    from wladna_core.reporting import available_indicators  # noqa: PLC0415
    from wladna_core.training.cli.commands import INDICATOR_PREFIX  # noqa: PLC0415

    names = available_indicators(make_plugin_manager())
    return any(name.startswith(INDICATOR_PREFIX) for name in names)


def _print_training(console: rich.console.Console, training: TrainingSummary) -> None:
    sizes = training.per_session
    if not sizes:
        shown = "no"
    elif min(sizes) == max(sizes):
        shown = str(min(sizes))
    else:
        shown = f"{min(sizes)} to {max(sizes)}"
    gain = "-" if training.mean_gain is None else f"{training.mean_gain:+.1f} points"
    console.print(
        f"Training programme (shaped like the 2020 one): {training.sessions} remote sessions "
        f"over {training.days} days, {shown} participants each; {training.participants} staff "
        f"enrolled, {training.completed} of {training.enrolments} enrolments completed, test "
        f"scores {gain} on average, {training.evaluations} anonymous evaluations; "
        f"{training.gaps} bodies lack devices or broadband for remote sessions."
    )
    if training.materials is not None:
        console.print(f"Educational bags' files in {training.materials}")


def next_steps(url: str, today: str) -> str:
    """Return what the summary ends with: the commands that read the demonstration at ``url``.

    >>> print(next_steps("sqlite:///wladna-demo.db", "2026-03-31"))
    Read it with --db sqlite:///wladna-demo.db (or WLADNA_DB=sqlite:///wladna-demo.db), e.g.:
      wladna report cases_opened referrals --by province --on 2026-03-31 --db sqlite:///wladna-demo.db
      wladna audit verify --db sqlite:///wladna-demo.db

    :param url: the store the demonstration was written to.
    :param today: the last day of its casework, ``YYYY-MM-DD``.
    """
    db = shlex.quote(redact_url(url))
    return (
        f"Read it with --db {db} (or WLADNA_DB={db}), e.g.:\n"
        f"  wladna report cases_opened referrals --by province --on {today} --db {db}\n"
        f"  wladna audit verify --db {db}"
    )


def _print_summary(console: rich.console.Console, summary: DemoSummary, url: str) -> None:
    cities = ", ".join(_CITY_NAMES.get(code, code) for code in summary.cities)
    console.print(
        f"Demonstration data in {redact_url(url)}: {summary.planned} case files opened in "
        f"{cities}, {summary.start.isoformat()} to {summary.today.isoformat()}, "
        f"{summary.steps} steps through the casework services."
    )
    console.print(
        f"Stored: {summary.case_total} cases (the {summary.planned} opened, "
        f"{summary.transferred} more opened where a case was transferred to another city, "
        f"{summary.duplicates} more opened twice and marked duplicate), "
        f"{summary.children} children, "
        f"{summary.families} households, {summary.bodies} bodies, "
        f"{summary.referral_total} referrals."
    )
    if summary.casefile:
        labels = {
            "care_arrangement": "care arrangements",
            "service_delivery": "services delivered",
            "incident": "incidents",
            "approval": "approvals",
        }
        shown = ", ".join(
            f"{count} {labels.get(name, name)}" for name, count in summary.casefile.items()
        )
        console.print(f"Case file: {shown}.")
    console.print(_count_table("Cases by status", summary.cases, summary.case_total))
    console.print(_count_table("Referrals by status", summary.referrals, summary.referral_total))
    if summary.warnings:
        shown = ", ".join(f"{code} {count}" for code, count in summary.warnings.items())
        console.print(f"Warnings returned to the case workers: {shown}.")
    if summary.report is not None:
        console.print(_indicator_table(summary.report))
    if summary.audit_ok:
        console.print(f"Audit trail verified: {summary.audit_entries} entries, chain intact.")
    else:
        console.print(f"Audit trail NOT verified after {summary.audit_entries} entries.")


def _count_table(
    title: str, counts: Mapping[CaseStatus, int] | Mapping[ReferralStatus, int], total: int
) -> rich.table.Table:
    table = rich.table.Table(title=title, box=rich.box.SIMPLE, title_justify="left")
    table.add_column("status")
    table.add_column("count", justify="right")
    for status, count in counts.items():
        table.add_row(status.value, str(count))
    table.add_row("total", str(total), style="bold")
    return table


def _indicator_table(report: Report) -> rich.table.Table:
    tables = {table.indicator: table for table in report.tables}
    table = rich.table.Table(
        title="Indicators by city (on the last day)", box=rich.box.SIMPLE, title_justify="left"
    )
    table.add_column("city")
    columns = [
        (tables[name], measure, heading)
        for name, measure, heading in SUMMARY_INDICATORS
        if name in tables and measure in tables[name].measures
    ]
    for _, _, heading in columns:
        table.add_column(heading, justify="right")
    cities = sorted({row[0] for found, _, _ in columns for row in found.body}, key=str)
    for code in cities:
        cells = [_cell(found, measure, code) for found, measure, _ in columns]
        table.add_row(_CITY_NAMES.get(str(code), str(code)), *cells)
    table.add_row(
        "all", *(_cell(found, measure, None) for found, measure, _ in columns), style="bold"
    )
    return table


def _cell(table: ReportTable, measure: str, key: object) -> str:
    """Return the figure of ``measure`` for the city ``key`` (the totals for ``None``)."""
    index = table.measures.index(measure)
    if key is None:
        values = table.totals
    else:
        rows = [row[1:] for row in table.body if row[0] == key]
        values = rows[0] if rows else None
    value = None if values is None else values[index]
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0%}" if "rate" in measure or "share" in measure else f"{value:.1f}"
    return str(value)


def _write_html(report: Report, url: str) -> Path | None:
    try:
        plugin = importlib.import_module(HTML_PLUGIN)
    except ImportError:
        return None
    path = html_report_path(url)
    path.write_bytes(plugin.render_report(report, lang="fr"))
    return path
