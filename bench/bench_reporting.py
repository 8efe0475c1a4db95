"""Speed of the standard dashboard on a SQL store, against hand-written SQL and plain Python.

The dashboard: five indicators by province and month over the 24 months of a national
caseload (``caseload.py``: every province and prefecture, 2024 and 2025), each a table of
grouped rows and a totals row, exactly as ``build_report`` returns it:

- ``cases_opened``, ``closures_by_reason``, ``time_to_first_assessment`` (with the lower median
  of the days to assessment and the share within the deadline of each risk level),
  ``referrals`` (made, accepted, rejected, completed, acceptance rate) and
  ``referral_response_time`` (with the lower median of the days to an answer).  The stock
  indicators (``open_caseload``, ``overdue_actions``) are counted on one day and have no month
  dimension, so they are not part of a dashboard by month.

Four ways of computing it, on the same database and in the same run, on SQLite or (with
``--postgresql URL``) on PostgreSQL:

(a) ``wladna_core.reporting.build_report(store, ..., by=["province", "month"], ...)`` on the
    SQL store;
(b) hand-written SQL through the database's own driver (``sqlite3``, ``psycopg``): one
    ``SELECT ... GROUP BY`` per indicator, the totals of counts added up from the groups, one
    more ``SELECT`` for the total of each median; the lower median computed as a person who
    knows the database would: ``percentile_disc(0.5)`` on PostgreSQL, a small aggregate
    function registered on the ``sqlite3`` connection on SQLite;
(c) the naive way: stream every case and referral through the store's repositories
    (``Repository.iter``) and count in Python, as an application would without reports;
(c0) the floor of any counting in Python: ``SELECT`` only the needed columns of every case
    and referral with the driver (dates as ISO text), into Python, and count there.

The four results are checked equal before anything is timed.  Targets: (a)/(b) at most 1.2;
(a)/(c0) below 1 (the report in the database beats any counting in Python); (c)/(a) at least
10 ((c) is timed once, when it is checked: it is by far the slowest).  A second table times
each indicator alone, (a) against (b), to show where the time goes.
With several sizes (``--records 50000 200000 1000000``) a last table gives the two ratios of
(a) at each size.

The database holds N cases (default 1 000 000), their children and their referrals (about one
per case); households are left out, since no indicator here reads them.  It is built once and
kept under ``bench/results/cache/`` (or ``--cache-dir``), named by the number of cases, the
seed, the store's schema revision and the generator's version, so that reruns start at once.
It is filled through the store's own row builders: in one unit of work per chunk of records,
each record goes through ``SqlRepository._insert``, which makes its row (the converter's JSON
and the search and report columns) and writes the rows with one ``executemany``; what is left
out is only what ``add_many`` does before that (the rules and case numbering: the records are
drawn valid, numbered, at version 1).  Then ``ANALYZE`` gathers the statistics SQLite's query
planner chooses indexes with, as after any bulk load.

On PostgreSQL the same rows are copied from that SQLite file into a database of their own on
the server named by ``--postgresql`` (made there, named after the file, and kept for reruns):
the store makes the tables, ``COPY`` fills them, ``VACUUM ANALYZE`` follows.

Options: ``--quick`` (50 000 cases), ``--records N [N ...]`` (cases; several sizes run one
after the other), ``--rounds N``, ``--seed N``, ``--cache-dir PATH``, ``--postgresql URL``
(a SQLAlchemy URL of the server, e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
``--strict`` (exit with status 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import functools
import sqlite3
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import psycopg
import sqlalchemy as sa
from benchkit import RESULTS, best_times, print_table, write_results
from caseload import FIRST_DAY, GENERATOR_VERSION, LAST_DAY, bodies, caseload, provinces

from wladna_core.convert import unstructure
from wladna_core.deadlines import Deadlines, DueKind
from wladna_core.model import ClosureReason, ReferralStatus, RiskLevel
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Period, build_report
from wladna_core.storage import open_store
from wladna_core.storage.ports import Row
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.migrate import head_revision

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from datetime import date

    import pluggy

    from wladna_core.reporting import Report
    from wladna_core.storage.sql.store import SqlUnitOfWork

FULL: Final = 1_000_000
QUICK: Final = 50_000
INDICATORS: Final = (
    "cases_opened",
    "closures_by_reason",
    "time_to_first_assessment",
    "referrals",
    "referral_response_time",
)
BY: Final = ("province", "month")
PERIOD: Final = Period(FIRST_DAY, LAST_DAY)
ON: Final = LAST_DAY
CACHE: Final = RESULTS / "cache"
# Case files drawn and written per unit of work while the database is built.
CHUNK: Final = 20_000

#: A table as compared: its grouped rows (sorted) and its totals row.
Table = tuple[tuple[tuple[object, ...], ...], tuple[object, ...]]


# The database ------------------------------------------------------------------------------------


def database_path(cache: Path, cases: int, seed: int) -> Path:
    """Where the database of ``cases`` cases drawn from ``seed`` is kept."""
    return cache / f"reporting-{cases}-seed{seed}-schema{head_revision()}-g{GENERATOR_VERSION}.db"


def _plugins() -> pluggy.PluginManager:
    return make_plugin_manager(load_entrypoints=False)


def build_database(path: Path, cases: int, seed: int) -> float:
    """Fill a new SQLite store at ``path`` with ``cases`` case files; return the seconds taken.

    The file appears under its name only when complete.
    """
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    places = provinces(seed)
    sequences: dict[tuple[str, int], int] = {}
    store = open_store(
        f"sqlite:///{partial}", plugins=_plugins(), settings={"sqlite_synchronous": "normal"}
    )
    with store:
        _insert(store, [bodies(places)])
        written = 0
        for chunk in caseload(
            cases, seed=seed, chunk=CHUNK, places=places, families=False, sequences=sequences
        ):
            _insert(store, [chunk.children, chunk.cases, chunk.referrals])
            written += len(chunk.cases)
            print(
                f"\r  building {path.name}: {written} of {cases} cases "
                f"({time.perf_counter() - started:.0f} s)",
                end="",
                flush=True,
            )
        print()
        with store.unit_of_work() as uow:
            cast("SqlUnitOfWork", uow).connection.execute(
                tables.case_number_counters.insert(),
                [
                    {"province": province, "year": year, "last_sequence": last}
                    for (province, year), last in sorted(sequences.items())
                ],
            )
    with sqlite3.connect(partial) as connection:
        # What an administrator does after a bulk load: gather the statistics the query
        # planner chooses indexes with (migration 0004 does it on upgrade).
        connection.execute("ANALYZE")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    partial.replace(path)
    return time.perf_counter() - started


def _insert(store: Any, batches: Iterable[Sequence[Any]]) -> None:
    """Write records as the store writes them after its checks: ``_insert`` of their rows."""
    with store.unit_of_work() as uow:
        for records in batches:
            if records:
                uow.repository(type(records[0]))._insert(
                    [Row(record, unstructure(record)) for record in records]
                )


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.execute("PRAGMA query_only = ON")
    return connection


def _driver_url(url: sa.URL) -> str:
    """The URL of a database as psycopg takes it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


#: The comment a benchmark database on PostgreSQL is given once it is completely filled.
FILLED: Final = "filled by bench_reporting"


def postgresql_database(server: str, path: Path) -> tuple[sa.URL, float | None]:
    """A PostgreSQL database holding the same rows as the SQLite database at ``path``.

    The database is made on the server of ``server`` (a SQLAlchemy URL; its own database is only
    connected to), named after ``path``, and kept there like the SQLite file, so that reruns
    start at once.  Its tables are made by the store (its migrations), then filled with
    ``COPY``, table by table, from the SQLite file; then ``VACUUM ANALYZE``, as after any bulk
    load (the statistics the planner chooses with, the visibility map index-only scans need).
    It is marked filled by a comment once complete; one found unmarked is made again.

    :returns: the database's URL and the seconds taken to fill it (``None`` if it was there).
    """
    given = sa.make_url(server)
    name = "wladna_bench_" + path.stem.replace("-", "_")
    target = given.set(database=name)
    with psycopg.connect(_driver_url(given), autocommit=True) as admin:
        found = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
        if found is not None and found[0] == FILLED:
            print(f"  reusing the PostgreSQL database {name}")
            return target, None
        if found is not None:
            admin.execute(f'DROP DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    open_store(target.render_as_string(hide_password=False), plugins=_plugins()).close()
    source = _connect(path)
    try:
        with psycopg.connect(_driver_url(target)) as connection:
            for (table,) in source.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            ).fetchall():
                (present,) = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone() or (
                    0,
                )
                if present:
                    continue  # made by the store itself when it opened
                columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
                names = ", ".join(f'"{column}"' for column in columns)
                copied = 0
                with connection.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in source.execute(f'SELECT {names} FROM "{table}"'):
                        copy.write_row(row)
                        copied += 1
                print(f"  copied {copied} rows of {table} ({time.perf_counter() - started:.0f} s)")
        with psycopg.connect(_driver_url(target), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
            connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{FILLED}'")
    finally:
        source.close()
    return target, time.perf_counter() - started


# (a) the library ---------------------------------------------------------------------------------


def with_library(store: Any, plugins: pluggy.PluginManager, names: Sequence[str]) -> Report:
    """The dashboard as the library computes it."""
    return build_report(store, names, by=BY, period=PERIOD, on=ON, plugins=plugins)


def library_tables(report: Report) -> dict[str, Table]:
    """The tables of a report, as compared."""
    return {
        table.indicator: (tuple(table.body), tuple(table.totals or ())) for table in report.tables
    }


# (b) hand-written SQL ----------------------------------------------------------------------------

_WINDOW = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}
_REASONS = tuple(reason.value for reason in ClosureReason)


def _within_deadline(days: str, risk: str) -> str:
    """Condition "days within the first-assessment deadline of the case's risk level"."""
    deadlines = Deadlines()
    return " OR ".join(
        f"({risk} = '{level.value}' AND {days} <= "
        f"{deadlines.days(DueKind.FIRST_ASSESSMENT, level)})"
        for level in RiskLevel
    )


class LowerMedian:
    """The lower median as a SQLite aggregate function, as anyone would write it by hand."""

    def __init__(self) -> None:
        self.values: list[int] = []

    def step(self, value: int | None) -> None:
        """Take one value."""
        if value is not None:
            self.values.append(value)

    def finalize(self) -> int | None:
        """Return the ``(n + 1) // 2``-th smallest value."""
        self.values.sort()
        return self.values[(len(self.values) - 1) // 2] if self.values else None


class HandSql:
    """Hand-written SQL for one database: its statements, and a DB-API connection to run them.

    The statements are the same on both databases but for three things each writes its own
    way: a month's key, the lower median, and the parameters' style.  SQLite groups by the
    date's ISO text cut down to the month and computes the median with :class:`LowerMedian`,
    registered on the connection; PostgreSQL groups by ``date_trunc`` and computes the median
    with ``percentile_disc(0.5)``, which is the lower median.
    """

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect
        if dialect == "sqlite":
            connection.create_aggregate("lower_median", 1, LowerMedian)
            self.window: dict[str, object] = dict(_WINDOW)
        else:
            self.window = {"start": PERIOD.start, "end": PERIOD.end}
        if dialect == "sqlite":
            self.statements = _statements(self, ":start", ":end")
        else:
            self.statements = _statements(self, "%(start)s", "%(end)s")

    def month(self, column: str) -> str:
        """The month of a date column, grouped by."""
        if self.dialect == "sqlite":
            return f"substr({column}, 1, 7)"
        return f"date_trunc('month', {column}::timestamp)"

    def month_label(self, value: Any) -> str | None:
        """The label of a month as fetched (``2026-01``)."""
        if value is None or isinstance(value, str):
            return value
        return cast("str", value.strftime("%Y-%m"))

    def median(self, column: str) -> str:
        """The lower median of a column over a group."""
        if self.dialect == "sqlite":
            return f"lower_median({column})"
        return f"percentile_disc(0.5) WITHIN GROUP (ORDER BY {column})"

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        """Run one statement; its rows, with the month (second column, if any) labelled."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.statements[name], self.window)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        if name.endswith("_median"):
            return [tuple(row) for row in fetched]
        return [(row[0], self.month_label(row[1]), *row[2:]) for row in fetched]


def _statements(hand: HandSql, start: str, end: str) -> dict[str, str]:
    """The statements, written for ``hand``'s database."""
    month, median = hand.month, hand.median
    return {
        "cases_opened": f"""
SELECT province, {month("opened_on")} AS month, count(*)
FROM cases
WHERE opened_on BETWEEN {start} AND {end}
GROUP BY province, month
""",
        "closures_by_reason": f"""
SELECT province, {month("closed_on")} AS month, count(*),
       {", ".join(f"count(*) FILTER (WHERE closure_reason = '{reason}')" for reason in _REASONS)}
FROM cases
WHERE closed_on BETWEEN {start} AND {end}
GROUP BY province, month
""",
        "time_to_first_assessment": f"""
SELECT province, {month("assessed_on")} AS month, count(*),
       {median("days_to_assessment")},
       count(*) FILTER (WHERE {_within_deadline("days_to_assessment", "risk")})
FROM cases
WHERE assessed_on BETWEEN {start} AND {end}
GROUP BY province, month
""",
        "time_to_first_assessment_median": f"""
SELECT {median("days_to_assessment")}
FROM cases
WHERE assessed_on BETWEEN {start} AND {end}
""",
        "referrals": f"""
SELECT c.province, {month("r.made_on")} AS month, count(*),
       count(*) FILTER (WHERE r.status IN ('accepted', 'completed')
                        OR (r.status = 'cancelled' AND r.responded_on IS NOT NULL)),
       count(*) FILTER (WHERE r.status = 'rejected'),
       count(*) FILTER (WHERE r.status = 'completed')
FROM referrals AS r LEFT JOIN cases AS c ON c.id = r.case_id
WHERE r.made_on BETWEEN {start} AND {end}
GROUP BY c.province, month
""",
        "referral_response_time": f"""
SELECT c.province, {month("r.responded_on")} AS month, count(*),
       {median("r.days_to_response")}
FROM referrals AS r LEFT JOIN cases AS c ON c.id = r.case_id
WHERE r.responded_on BETWEEN {start} AND {end}
GROUP BY c.province, month
""",
        "referral_response_time_median": f"""
SELECT {median("days_to_response")}
FROM referrals
WHERE responded_on BETWEEN {start} AND {end}
""",
    }


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _sorted(rows: Iterable[tuple[object, ...]]) -> tuple[tuple[object, ...], ...]:
    return tuple(sorted(rows, key=lambda row: tuple((value is None, value) for value in row[:2])))


def _summed(rows: Sequence[tuple[Any, ...]], width: int) -> list[int]:
    return [sum(row[2 + index] for row in rows) for index in range(width)]


def by_hand(hand: HandSql, names: Sequence[str]) -> dict[str, Table]:
    """The dashboard computed with hand-written SQL."""
    found: dict[str, Table] = {}
    for name in names:
        found[name] = _BY_HAND[name](hand)
    return found


def _hand_counts(hand: HandSql, name: str) -> Table:
    rows = hand.rows(name)
    return _sorted(rows), tuple(_summed(rows, len(rows[0]) - 2 if rows else 0))


def _hand_cases_opened(hand: HandSql) -> Table:
    return _hand_counts(hand, "cases_opened")


def _hand_closures(hand: HandSql) -> Table:
    return _hand_counts(hand, "closures_by_reason")


def _hand_assessment(hand: HandSql) -> Table:
    rows = hand.rows("time_to_first_assessment")
    ((median,),) = hand.rows("time_to_first_assessment_median")
    body = [(*row[:5], _share(row[4], row[2])) for row in rows]
    assessed, within = sum(row[2] for row in rows), sum(row[4] for row in rows)
    return _sorted(body), (assessed, median, within, _share(within, assessed))


def _hand_referrals(hand: HandSql) -> Table:
    rows = hand.rows("referrals")
    body = [(*row, _share(row[3], row[3] + row[4])) for row in rows]
    made, accepted, rejected, completed = _summed(rows, 4)
    return _sorted(body), (
        made,
        accepted,
        rejected,
        completed,
        _share(accepted, accepted + rejected),
    )


def _hand_response(hand: HandSql) -> Table:
    rows = hand.rows("referral_response_time")
    ((median,),) = hand.rows("referral_response_time_median")
    return _sorted(rows), (sum(row[2] for row in rows), median)


_BY_HAND: Final[dict[str, Callable[[HandSql], Table]]] = {
    "cases_opened": _hand_cases_opened,
    "closures_by_reason": _hand_closures,
    "time_to_first_assessment": _hand_assessment,
    "referrals": _hand_referrals,
    "referral_response_time": _hand_response,
}


# (c) in Python -----------------------------------------------------------------------------------


def _lower_median(values: list[int]) -> int | None:
    return sorted(values)[(len(values) - 1) // 2] if values else None


#: What the counting reads of a case: id, province, risk, opened, closed, closure reason,
#: assessed (dates as ISO text) and the days to assessment.
CaseTuple = tuple[Any, ...]
#: What it reads of a referral: case id, status, made, answered, days to the answer.
ReferralTuple = tuple[Any, ...]


def in_python(hand: HandSql) -> dict[str, Table]:
    """The dashboard counted in Python over the narrow columns of every row fetched by SQL.

    Dates are fetched as ISO text on both databases (PostgreSQL writes them so at no cost), so
    that the counting compares and cuts text, its cheapest way.
    """

    def iso(column: str) -> str:
        return column if hand.dialect == "sqlite" else f"{column}::text"

    cases = hand.connection.cursor()
    referrals = hand.connection.cursor()
    try:
        cases.execute(
            f"SELECT id, province, risk, {iso('opened_on')}, {iso('closed_on')}, closure_reason, "
            f"{iso('assessed_on')}, days_to_assessment FROM cases"
        )
        referrals.execute(
            f"SELECT case_id, status, {iso('made_on')}, {iso('responded_on')}, days_to_response "
            "FROM referrals"
        )
        return counted(cases, referrals)
    finally:
        cases.close()
        referrals.close()


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def with_records(store: Any) -> dict[str, Table]:
    """The dashboard counted in Python over the records streamed by the store's repositories.

    The way an application counts with the library but without its reports: every case and
    referral read as a record (``Repository.iter``), its province looked up in the gazetteer.
    """
    gazetteer = store.gazetteer

    @functools.cache
    def province(code: str) -> str | None:
        found = gazetteer.province_of(code) if code in gazetteer else None
        return None if found is None else found.code

    def cases(uow: Any) -> Iterator[CaseTuple]:
        for case in uow.cases.iter():
            closure, assessment = case.closure, case.assessment
            reason = None if closure is None or closure.reason is None else closure.reason.value
            assessed_on = None if assessment is None else assessment.on
            yield (
                case.id,
                province(case.territory),
                case.risk.value,
                case.opened_on.isoformat(),
                None if closure is None else closure.on.isoformat(),
                reason,
                _iso(assessed_on),
                None if assessed_on is None else (assessed_on - case.opened_on).days,
            )

    def referrals(uow: Any) -> Iterator[ReferralTuple]:
        for referral in uow.referrals.iter():
            answered = referral.responded_on
            yield (
                referral.case_id,
                referral.status.value,
                referral.made_on.isoformat(),
                _iso(answered),
                None if answered is None else (answered - referral.made_on).days,
            )

    with store.unit_of_work() as uow:
        return counted(cases(uow), referrals(uow))


def counted(
    case_rows: Iterable[CaseTuple], referral_rows: Iterable[ReferralTuple]
) -> dict[str, Table]:
    """The dashboard counted in Python over every case, then every referral."""
    start, end = _WINDOW["start"], _WINDOW["end"]
    allowed = {
        level.value: Deadlines().days(DueKind.FIRST_ASSESSMENT, level) for level in RiskLevel
    }
    opened: dict[tuple[Any, str], int] = defaultdict(int)
    closures: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0] * (1 + len(_REASONS)))
    assessed: dict[tuple[Any, str], list[int]] = defaultdict(list)
    within: dict[tuple[Any, str], int] = defaultdict(int)
    reason_index = {reason: 1 + index for index, reason in enumerate(_REASONS)}
    province_of: dict[str, Any] = {}
    for (
        case_id,
        province,
        risk,
        opened_on,
        closed_on,
        reason,
        assessed_on,
        days,
    ) in case_rows:
        province_of[case_id] = province
        if start <= opened_on <= end:
            opened[province, opened_on[:7]] += 1
        if closed_on is not None and start <= closed_on <= end:
            counts = closures[province, closed_on[:7]]
            counts[0] += 1
            if reason is not None:
                counts[reason_index[reason]] += 1
        if assessed_on is not None and start <= assessed_on <= end:
            key = (province, assessed_on[:7])
            assessed[key].append(days)
            within[key] += days <= allowed[risk]
    referrals: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    answered: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for case_id, status, made_on, responded_on, days in referral_rows:
        province = province_of.get(case_id)
        if start <= made_on <= end:
            counts = referrals[province, made_on[:7]]
            counts[0] += 1
            counts[1] += status in {"accepted", "completed"} or (
                status == "cancelled" and responded_on is not None
            )
            counts[2] += status == ReferralStatus.REJECTED.value
            counts[3] += status == ReferralStatus.COMPLETED.value
        if responded_on is not None and start <= responded_on <= end:
            answered[province, responded_on[:7]].append(days)

    def totals(groups: Iterable[list[int]], width: int) -> list[int]:
        summed = [0] * width
        for counts in groups:
            for index, value in enumerate(counts):
                summed[index] += value
        return summed

    all_days = [days for values in assessed.values() for days in values]
    all_within = sum(within.values())
    made, accepted, rejected, completed = totals(referrals.values(), 4)
    return {
        "cases_opened": (
            _sorted((*key, count) for key, count in opened.items()),
            (sum(opened.values()),),
        ),
        "closures_by_reason": (
            _sorted((*key, *counts) for key, counts in closures.items()),
            tuple(totals(closures.values(), 1 + len(_REASONS))),
        ),
        "time_to_first_assessment": (
            _sorted(
                (*key, len(days), _lower_median(days), within[key], within[key] / len(days))
                for key, days in assessed.items()
            ),
            (len(all_days), _lower_median(all_days), all_within, _share(all_within, len(all_days))),
        ),
        "referrals": (
            _sorted(
                (*key, *counts, _share(counts[1], counts[1] + counts[2]))
                for key, counts in referrals.items()
            ),
            (made, accepted, rejected, completed, _share(accepted, accepted + rejected)),
        ),
        "referral_response_time": (
            _sorted((*key, len(days), _lower_median(days)) for key, days in answered.items()),
            (
                sum(len(days) for days in answered.values()),
                _lower_median([days for values in answered.values() for days in values]),
            ),
        ),
    }


# Running -----------------------------------------------------------------------------------------


def _check_same(expected: dict[str, Table], found: dict[str, Table], who: str) -> None:
    for name, table in expected.items():
        if found.get(name) != table:
            rows, totals = found.get(name, ((), ()))
            msg = (
                f"{who} gives another {name} table than build_report: "
                f"{len(rows)} rows (build_report {len(table[0])}), totals {totals} "
                f"(build_report {table[1]})"
            )
            raise AssertionError(msg)


def _row(
    comparison: str,
    slower: float,
    faster: float,
    target: float | None,
    *,
    at_least: bool = False,
    below: bool = False,
) -> dict[str, Any]:
    ratio = slower / faster
    met = None
    if target is not None:
        met = ratio >= target if at_least else ratio < target if below else ratio <= target
    row: dict[str, Any] = {
        "comparison": comparison,
        "ratio": ratio,
        "target": target,
        "met": met,
        "seconds": {"numerator": slower, "denominator": faster},
    }
    if at_least and target is not None:
        row["target_text"] = f">= {target:g}"
    if below and target is not None:
        row["target_text"] = f"< {target:g}"
    return row


def measure(
    store: Any, hand: HandSql, plugins: pluggy.PluginManager, rounds: int
) -> tuple[dict[str, float], dict[str, dict[str, float]], int]:
    """Check the four ways agree, then time them; also each indicator alone, (a) against (b).

    :returns: the best seconds of each way, those of each indicator, and the grouped rows.
    """
    expected = library_tables(with_library(store, plugins, INDICATORS))
    _check_same(expected, by_hand(hand, INDICATORS), "hand-written SQL")
    _check_same(expected, in_python(hand), "Python over every row")
    # The naive way is timed once, as it is checked: it is the slowest by far (a minute or
    # more at a million cases), and its target is a ratio of ten.
    started = time.perf_counter()
    records = with_records(store)
    records_seconds = time.perf_counter() - started
    _check_same(expected, records, "Python over every record")
    groups = sum(len(rows) for rows, _totals in expected.values())
    dashboard = best_times(
        {
            "library": lambda: with_library(store, plugins, INDICATORS),
            "by hand": lambda: by_hand(hand, INDICATORS),
            "python": lambda: in_python(hand),
        },
        rounds=rounds,
    )
    dashboard["records"] = records_seconds
    each = {
        name: best_times(
            {
                "library": functools.partial(with_library, store, plugins, [name]),
                "by hand": functools.partial(by_hand, hand, [name]),
            },
            rounds=rounds,
        )
        for name in INDICATORS
    }
    return dashboard, each, groups


def run_size(count: int, options: argparse.Namespace) -> dict[str, Any]:
    """Build (or reuse) the database of ``count`` cases, measure, print; return the results."""
    path = database_path(options.cache_dir, count, options.seed)
    built: float | None = None
    if path.exists():
        print(f"  reusing {path}")
    else:
        built = build_database(path, count, options.seed)
        print(f"  built {path} in {built:.0f} s ({path.stat().st_size / 2**20:.0f} MiB)")
    plugins = _plugins()
    filled: float | None = None
    if options.postgresql:
        url, filled = postgresql_database(options.postgresql, path)
        if filled is not None:
            print(f"  filled the PostgreSQL database {url.database} in {filled:.0f} s")
        store_url = url.render_as_string(hide_password=False)
        hand = HandSql(psycopg.connect(_driver_url(url), autocommit=True), "postgresql")
        database = "PostgreSQL"
    else:
        store_url = f"sqlite:///{path}"
        hand = HandSql(_connect(path), "sqlite")
        database = "SQLite"
    try:
        with open_store(store_url, plugins=plugins) as store:
            dashboard, each, groups = measure(store, hand, plugins, options.rounds)
    finally:
        hand.connection.close()

    rows = [
        _row(
            "(a) build_report / hand-written SQL", dashboard["library"], dashboard["by hand"], 1.2
        ),
        # The narrow columns of every row, fetched by raw SQL and counted in Python, are the
        # floor of any counting in Python: a report in the database must beat it.
        _row(
            "(a) build_report / Python over narrow rows",
            dashboard["library"],
            dashboard["python"],
            1,
            below=True,
        ),
        # The target of (c) is checked against the records streamed through the library, the
        # way an application counts without reports.
        _row(
            "(c) Python over all records / build_report",
            dashboard["records"],
            dashboard["library"],
            10,
            at_least=True,
        ),
    ]
    print_table(
        f"Dashboard on {database}: {len(INDICATORS)} indicators by province and month, "
        f"{count} cases, best of {options.rounds} interleaved rounds",
        rows,
    )
    shown = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in dashboard.items())
    print(f"  {shown}; {groups} grouped rows")
    breakdown = [
        _row(f"    {name}", times["library"], times["by hand"], None)
        for name, times in each.items()
    ]
    print_table(f"Each indicator alone on {database}: build_report / hand-written SQL", breakdown)
    for row, times in zip(breakdown, each.values(), strict=True):
        print(
            f"  {row['comparison'].strip()}: build_report {times['library']:.3f} s, "
            f"by hand {times['by hand']:.3f} s"
        )
    return {
        "database": database,
        "cases": count,
        "file": str(path),
        "build_seconds": built,
        "postgresql_fill_seconds": filled,
        "grouped_rows": groups,
        "seconds": dashboard,
        "rows": rows,
        "each_indicator": breakdown,
        "median_ratio_each": statistics.median(row["ratio"] for row in breakdown),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_reporting", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK} cases instead of {FULL}")
    parser.add_argument(
        "--records", type=int, nargs="+", help="number of cases (several: one run each)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best kept)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the records")
    parser.add_argument("--cache-dir", type=Path, default=CACHE, help="where databases are kept")
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="run on PostgreSQL: a database of its own is made and kept on this URL's server",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    options = parser.parse_args(argv)
    counts = options.records or [QUICK if options.quick else FULL]

    runs = [run_size(count, options) for count in counts]
    if len(runs) > 1:
        print(f"\nDashboard on {runs[0]['database']}, by size")
        header = f"{'cases':>10} {'(a)/(b) hand SQL':>17} {'(a)/narrow Python':>18} {'(a) s':>8}"
        print(header)
        print("-" * len(header))
        for run in runs:
            ratios = [row["ratio"] for row in run["rows"]]
            print(
                f"{run['cases']:>10} {ratios[0]:>17.2f} {ratios[1]:>18.2f} "
                f"{run['seconds']['library']:>8.3f}"
            )
    result = write_results(
        "reporting",
        {
            "seed": options.seed,
            "rounds": options.rounds,
            "indicators": list(INDICATORS),
            "runs": runs,
        },
    )
    print(f"results written to {result}")
    missed = [row["comparison"] for run in runs for row in run["rows"] if row["met"] is False]
    return 1 if options.strict and missed else 0
