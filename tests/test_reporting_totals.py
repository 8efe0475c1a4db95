"""Totals added up from the rows, joins left out, and period buckets cut out of SQLite's text.

The dashboard's speed rests on three shortcuts of the reporting path; each must give exactly
what the long way gives:

- the totals of a table whose measures are counts are the sums of its rows, computed once
  (:meth:`Declared.additive`, :meth:`Declared.totals`); anything else (a median, caseload bands,
  a breakdown by concern, an indicator not declared) is still computed over every record;
- a statement joins the children (and a referral's case) only when it reads their fields;
- on SQLite a period's bucket is cut out of the ISO text of the date, and equals the bucket
  PostgreSQL extracts and the key Python computes; a month or a year is grouped by its text
  and read as that key;
- the lower median is one aggregate of the database (``percentile_disc`` on PostgreSQL, a
  function registered on SQLite), equal to the one Python computes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from postgres import private_schema, server_url
from test_reporting_stores import _examples, fill, requests
from wladna_core import hookimpl
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Indicator, build_report
from wladna_core.reporting.build import _declared, _shown, available_indicators, period_label
from wladna_core.reporting.builtin import BUILTIN_INDICATORS
from wladna_core.reporting.engine import (
    CASES,
    PERIOD_DIMENSIONS,
    Count,
    Median,
    Part,
    declared,
    happened,
    lower_median,
    period_key,
)
from wladna_core.storage import ALLOW_RESET, open_store
from wladna_core.storage.sql.reporting import (
    SqlReport,
    case_source,
    period_bucket,
    period_grouping,
    period_partition,
    referral_source,
)
from wladna_core.testing import strategies as ws

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import pluggy

    from wladna_core.reporting.engine import Records, Row
    from wladna_core.storage import Store
    from wladna_core.testing.strategies import CaseFile

ON = ws.REFERENCE_DATE
PM = make_plugin_manager(load_entrypoints=False)
BUILTIN = {indicator.name: indicator for indicator in BUILTIN_INDICATORS}


def _open(url: str, pm: pluggy.PluginManager = PM) -> Store:
    return open_store(url, plugins=pm, settings={ALLOW_RESET: True}, clock=lambda: ON)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    with _open("memory://" if request.param == "memory" else "sqlite://") as opened:
        yield opened


# Totals ------------------------------------------------------------------------------------


@_examples(15)
@given(files=ws.many_case_files(min_size=0, max_size=8), data=st.data())
def test_the_totals_row_is_the_figure_computed_without_dimensions(
    store: Store, files: tuple[CaseFile, ...], data: st.DataObject
) -> None:
    """Added up from the rows or computed again, the totals are the table without dimensions."""
    fill(store, files)
    request = data.draw(requests(files), label="request")
    for indicator in BUILTIN_INDICATORS:
        by, where = request["asked"][indicator.name]
        asked = {
            "where": where,
            "period": request["period"],
            "on": ON,
            "plugins": PM,
            "deadlines": request["deadlines"],
        }
        table = build_report(store, [indicator.name], by=by, **asked).table(indicator.name)
        whole = build_report(store, [indicator.name], **asked).table(indicator.name)
        assert table.totals == (whole.body[0] if by else None), (indicator.name, by)


@pytest.mark.parametrize(
    ("name", "by", "additive"),
    [
        ("cases_opened", ("province", "month"), True),
        ("closures_by_reason", ("province", "month"), True),
        ("referrals", ("province", "month"), True),
        ("open_caseload", ("province", "sex"), True),
        ("cases_opened", ("province", "concern"), False),
        ("time_to_first_assessment", ("province", "month"), False),
        ("referral_response_time", ("province",), False),
    ],
)
def test_only_counts_without_a_concern_breakdown_are_added_up(
    name: str, by: tuple[str, ...], *, additive: bool
) -> None:
    computation = _declared(BUILTIN[name])
    assert computation is not None
    assert computation.additive(by) is additive


def test_the_caseload_bands_of_workers_are_not_added_up() -> None:
    computation = _declared(BUILTIN["caseload_per_worker"])
    assert computation is not None
    assert not computation.additive(("province",))


def _constant(_records: Records, query: Any) -> list[Row]:
    """Rows whose sum is not the total: 5 in each of two rows, 7 in all."""
    return [("MA-RAB", 5), ("MA-SAL", 5)] if query.by else [(7,)]


class _Undeclared:
    @hookimpl
    def wladna_indicators(self) -> Sequence[Indicator]:
        return [
            Indicator(
                name="constant",
                title="A constant",
                definition="Five in each province, seven in all.",
                unit="count",
                measures=("count",),
                dimensions=("province",),
                counts="cases",
                compute=_constant,
            ),
            Indicator.declare(
                declared(
                    Part(
                        CASES,
                        happened("opened_on"),
                        "opened_on",
                        (Count("count"), Median("days", "days_open")),
                    )
                ),
                name="opened_with_median",
                title="Cases opened, with a median",
                definition="The number of cases opened, and the median of their days open.",
                unit="count",
                dimensions=("province",),
                counts="cases",
            ),
        ]


def test_an_indicator_not_declared_has_its_totals_computed() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(_Undeclared(), name="undeclared")
    offered = available_indicators(pm)
    assert _declared(offered["constant"]) is None
    with _open("memory://", pm) as store:
        report = build_report(store, ["constant"], by=["province"], on=ON, plugins=pm)
    assert report.table("constant").totals == (7,)


def test_a_declared_indicator_with_a_median_is_not_added_up() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(_Undeclared(), name="undeclared")
    computation = _declared(available_indicators(pm)["opened_with_median"])
    assert computation is not None
    assert not computation.additive(("province",))


# Joins -------------------------------------------------------------------------------------


def _tables(from_clause: sa.FromClause) -> set[str]:
    return {str(table) for table in sa.sql.util.find_tables(from_clause)}


def test_the_children_are_joined_only_for_their_fields() -> None:
    source = case_source()
    assert _tables(source.from_for(["province", "opened_on", "closure_reason"])) == {"cases"}
    assert _tables(source.from_for(["province", "age_band"])) == {"cases", "children"}
    assert _tables(source.from_for(["sex"])) == {"cases", "children"}


def test_a_referral_joins_its_case_only_for_the_case_fields() -> None:
    source = referral_source()
    assert _tables(source.from_for(["made_on", "status", "responded_on"])) == {"referrals"}
    assert _tables(source.from_for(["made_on", "province"])) == {"referrals", "cases"}
    assert _tables(source.from_for(["case_status"])) == {"referrals", "cases"}
    assert _tables(source.from_for(["sex"])) == {"referrals", "cases", "children"}


# Period buckets ----------------------------------------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    made = sa.create_engine("sqlite://" if request.param == "sqlite" else server_url())
    try:
        yield made
    finally:
        made.dispose()


@given(days=st.lists(st.dates(date(1900, 1, 1), date(2999, 12, 31)), min_size=1, max_size=20))
def test_a_period_bucket_is_the_key_python_computes(engine: sa.Engine, days: list[date]) -> None:
    dialect = engine.dialect.name
    rows = sa.union_all(
        *(sa.select(sa.literal(day, sa.Date).label("day")) for day in days)
    ).subquery("report_days")
    buckets = [period_bucket(name, rows.c.day, dialect) for name in PERIOD_DIMENSIONS]
    with engine.connect() as connection:
        found = connection.execute(sa.select(rows.c.day, *buckets)).all()
    assert sorted(tuple(row) for row in found) == sorted(
        (day, *(period_key(name, day) for name in PERIOD_DIMENSIONS)) for day in days
    )


@given(days=st.lists(st.dates(date(1900, 1, 1), date(2999, 12, 31)), min_size=1, max_size=20))
def test_a_period_partition_parts_days_as_their_bucket_does(
    engine: sa.Engine, days: list[date]
) -> None:
    dialect = engine.dialect.name
    rows = sa.union_all(
        *(sa.select(sa.literal(day, sa.Date).label("day")) for day in days)
    ).subquery("report_days")
    for name in PERIOD_DIMENSIONS:
        statement = sa.select(
            period_partition(name, rows.c.day, dialect), period_bucket(name, rows.c.day, dialect)
        )
        with engine.connect() as connection:
            found = connection.execute(statement).all()
        # One bucket for each partition, and one partition for each bucket.
        assert len({tuple(row) for row in found}) == len({row[0] for row in found})
        assert len({row[0] for row in found}) == len({row[1] for row in found})


def test_a_period_bucket_of_another_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="'week' is not a period dimension"):
        period_bucket("week", sa.column("day", sa.Date), "sqlite")


@given(days=st.lists(st.dates(date(1900, 1, 1), date(2999, 12, 31)), min_size=1, max_size=20))
def test_a_period_grouping_reads_as_the_key_python_computes(
    engine: sa.Engine, days: list[date]
) -> None:
    dialect = engine.dialect.name
    rows = sa.union_all(
        *(sa.select(sa.literal(day, sa.Date).label("day")) for day in days)
    ).subquery("report_days")
    for name in PERIOD_DIMENSIONS:
        grouped, reader = period_grouping(name, rows.c.day, dialect)
        with engine.connect() as connection:
            found = connection.execute(sa.select(grouped).group_by(grouped)).scalars().all()
        keys = found if reader is None else [reader(value) for value in found]
        # One group for each key, read as the key Python computes.
        assert sorted(keys) == sorted({period_key(name, day) for day in days})


def test_a_period_is_grouped_by_text_on_sqlite_and_by_its_start_on_postgresql() -> None:
    day = sa.column("day", sa.Date)
    _grouped, reader = period_grouping("month", day, "sqlite")
    assert reader is not None
    assert (reader("2026-03"), reader(None)) == (202603, None)
    assert period_grouping("quarter", day, "sqlite")[1] is None
    for name, expected in (("month", 202611), ("quarter", 20264), ("year", 2026)):
        _grouped, reader = period_grouping(name, day, "postgresql")
        assert reader is not None
        assert (reader(datetime(2026, 11, 1)), reader(None)) == (expected, None)
    assert period_grouping("month", day, "mysql")[1] is None


# The lower median ---------------------------------------------------------------------------


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def sql_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "sqlite":
        with _open("sqlite://") as opened:
            yield opened
        return
    # A schema of its own: the server's default one is shared by every other test.
    with private_schema(server_url()) as url, _open(url) as opened:
        yield opened


@given(
    values=st.lists(
        st.tuples(st.sampled_from("ab"), st.none() | st.integers(-(2**40), 2**40)), max_size=30
    )
)
def test_the_median_aggregate_is_the_lower_median(
    sql_store: Store, values: list[tuple[str, int | None]]
) -> None:
    selects = [
        sa.select(
            sa.literal(group, sa.String).label("g"), sa.literal(value, sa.BigInteger).label("v")
        )
        for group, value in values
    ] or [
        sa.select(
            sa.literal("a", sa.String).label("g"), sa.literal(0, sa.BigInteger).label("v")
        ).where(sa.false())
    ]
    rows = (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery("values")
    with sql_store.unit_of_work() as uow:
        report = SqlReport(uow, sql_store)  # type: ignore[arg-type]
        median = report.lower_median(rows.c.v)
        assert median is not None
        found = report.execute(sa.select(rows.c.g, median).group_by(rows.c.g))
        (whole,) = report.execute(sa.select(median))
    groups = {group for group, _value in values}
    expected = {
        group: lower_median(v for g, v in values if g == group and v is not None)
        for group in groups
    }
    assert dict(found) == expected
    assert whole[0] == lower_median(v for _g, v in values if v is not None)


@given(
    rows=st.lists(
        st.tuples(
            st.none() | st.sampled_from(["MA-RAB", "MA-SAL", "MA-TNG"]),
            st.none() | st.sampled_from([202401, 202402, 202512]),
            st.integers(0, 9),
        ),
        unique_by=lambda row: row[:2],
    )
)
def test_rows_are_shown_in_order_of_their_keys_missing_keys_last(
    rows: list[tuple[str | None, int | None, int]],
) -> None:
    shown = _shown(("province", "month"), rows)
    expected = sorted(
        ((province, period_label("month", month), count) for province, month, count in rows),
        key=lambda row: [(value is None, value) for value in row[:2]],
    )
    assert shown == expected
