"""Every indicator gives the same report on the memory store, SQLite and PostgreSQL.

The memory store computes in Python (the reference path); the SQL stores compile each
indicator to grouped SQL.  On any records Hypothesis draws, for any allowed breakdown, filter,
period and deadlines, the reports must be equal.  Also checked here: the SQL path fetches only
grouped rows, and migration 0003 fills the report columns of rows stored before it.
"""

from __future__ import annotations

import statistics
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reporting_data
from postgres import private_schema, server_url
from wladna_core.deadlines import Deadlines, DueKind, overdue
from wladna_core.model import (
    Case,
    Child,
    Family,
    ProtectionConcern,
    Referral,
    RiskLevel,
    ServiceType,
    Sex,
    SocialProgramme,
    TerritorialBody,
)
from wladna_core.plugins import make_plugin_manager
from wladna_core.reporting import Period, build_report
from wladna_core.reporting.builtin import BUILTIN_INDICATORS
from wladna_core.reporting.engine import PERIOD_DIMENSIONS, lower_median
from wladna_core.storage import ALLOW_RESET, open_store
from wladna_core.storage.sql import migrate, tables
from wladna_core.storage.sql.reporting import SqlReport
from wladna_core.testing import strategies as ws
from wladna_core.testing.conformance import example_case_file

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    import pluggy

    from wladna_core.storage import Store
    from wladna_core.testing.strategies import CaseFile

ON = ws.REFERENCE_DATE
RECORD_TYPES = (TerritorialBody, Child, Family, Case, Referral)
PM = make_plugin_manager(load_entrypoints=False)


def _examples(most: int) -> settings:
    return settings(
        max_examples=max(1, min(most, settings().max_examples)),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


EXAMPLES = _examples(15)


def _open(url: str) -> Store:
    return open_store(url, plugins=PM, settings={ALLOW_RESET: True}, clock=lambda: ON)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def sql_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A SQLite (in memory) or PostgreSQL (private schema) store, for the whole test."""
    if request.param == "sqlite":
        with _open("sqlite://") as store:
            yield store
        return
    with private_schema(server_url()) as url, _open(url) as store:
        yield store


@pytest.fixture
def memory_store() -> Iterator[Store]:
    with _open("memory://") as store:
        yield store


def fill(store: Store, files: Sequence[CaseFile]) -> None:
    """Empty ``store``, then add every record of ``files``, type by type."""
    store.reset()
    by_type: dict[type, list[Any]] = {kind: [] for kind in RECORD_TYPES}
    for file in files:
        for record in file.records:
            by_type[type(record)].append(record)
    with store.unit_of_work() as uow:
        for kind in RECORD_TYPES:
            uow.repository(kind).add_many(by_type[kind])


def _codes(kind: Any) -> list[str]:
    return [member.value for member in kind]


def _filter_values(files: Sequence[CaseFile], dimension: str) -> list[str]:
    gazetteer = files[0].gazetteer if files else None
    if dimension == "body":
        return sorted({body.id for file in files for body in file.bodies}) or ["none"]
    if dimension in ("region", "province") and gazetteer is not None:
        places = {getattr(gazetteer, f"{dimension}_of")(file.case.territory) for file in files}
        return sorted(place.code for place in places if place is not None) or ["MA-04"]
    return {
        "region": ["MA-04"],
        "province": ["MA-SAL"],
        "risk": _codes(RiskLevel),
        "status": ["registered", "assessment", "closed", "pending", "accepted", "rejected"],
        "concern": _codes(ProtectionConcern),
        "sex": _codes(Sex),
        "age_band": ["0-5", "6-11", "12-17"],
        "service": _codes(ServiceType),
        "programme": _codes(SocialProgramme),
    }[dimension]


@st.composite
def requests(draw: st.DrawFn, files: Sequence[CaseFile]) -> dict[str, Any]:
    """Draw the dimensions, filter, period and deadlines of one report per built-in indicator."""
    asked: dict[str, Any] = {}
    for indicator in BUILTIN_INDICATORS:
        by = draw(
            st.lists(st.sampled_from(indicator.dimensions), max_size=2, unique=True),
            label=f"{indicator.name} by",
        )
        filterable = [d for d in indicator.dimensions if d not in PERIOD_DIMENSIONS]
        where: dict[str, list[str]] = {}
        for dimension in draw(st.lists(st.sampled_from(filterable), max_size=1, unique=True)):
            values = _filter_values(files, dimension)
            where[dimension] = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2))
        asked[indicator.name] = (by, where)
    start = draw(st.dates(date(2020, 1, 1), ON))
    period = draw(st.none() | st.builds(Period, st.just(start), st.dates(start, ON)))
    days = st.integers(0, 30)
    deadlines = draw(
        st.just(Deadlines())
        | st.builds(
            Deadlines,
            first_assessment=st.fixed_dictionaries(dict.fromkeys(RiskLevel, days)),
            referral_response=st.fixed_dictionaries(dict.fromkeys(RiskLevel, days)),
        )
    )
    return {"asked": asked, "period": period, "deadlines": deadlines}


def _report(store: Store, name: str, request: dict[str, Any], pm: pluggy.PluginManager = PM) -> Any:
    by, where = request["asked"][name]
    return build_report(
        store,
        [name],
        by=by,
        where=where,
        period=request["period"],
        on=ON,
        plugins=pm,
        deadlines=request["deadlines"],
    )


@EXAMPLES
@given(files=ws.many_case_files(min_size=0, max_size=8), data=st.data())
def test_every_indicator_gives_the_same_report_in_sql_and_in_memory(
    memory_store: Store, sql_store: Store, files: tuple[CaseFile, ...], data: st.DataObject
) -> None:
    fill(memory_store, files)
    fill(sql_store, files)
    request = data.draw(requests(files), label="request")
    for indicator in BUILTIN_INDICATORS:
        expected = _report(memory_store, indicator.name, request)
        assert _report(sql_store, indicator.name, request) == expected, indicator.name


@_examples(10)
@given(files=ws.many_case_files(min_size=0, max_size=6))
def test_overdue_actions_count_what_the_deadlines_module_lists_as_overdue(
    memory_store: Store, files: tuple[CaseFile, ...]
) -> None:
    fill(memory_store, files)
    deadlines = Deadlines()
    with memory_store.unit_of_work() as uow:
        items = overdue(uow.cases.iter(), uow.referrals.iter(), on=ON, deadlines=deadlines)
    report = build_report(memory_store, ["overdue_actions"], on=ON, plugins=PM, deadlines=deadlines)
    table = report.table("overdue_actions")
    kinds = [item.kind for item in items]
    assert table.body[0] == (
        kinds.count(DueKind.FIRST_ASSESSMENT),
        kinds.count(DueKind.REFERRAL_RESPONSE),
        kinds.count(DueKind.FIRST_ASSESSMENT) + kinds.count(DueKind.REFERRAL_RESPONSE),
    )


@_examples(10)
@given(files=ws.many_case_files(min_size=0, max_size=6))
def test_the_rows_of_a_count_add_up_to_its_total_without_a_concern_breakdown(
    memory_store: Store, files: tuple[CaseFile, ...]
) -> None:
    fill(memory_store, files)
    report = build_report(memory_store, ["cases_opened"], by=["province", "sex"], on=ON, plugins=PM)
    table = report.table("cases_opened")
    counts = [row[-1] for row in table.body]
    assert all(isinstance(count, int) for count in counts)
    assert table.totals == (sum(counts),) == (len(files),)  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 400), max_size=30))
def test_the_median_is_the_lower_middle_value(values: list[int]) -> None:
    expected = statistics.median_low(values) if values else None
    assert lower_median(values) == expected


def _add(store: Store, records: Sequence[Any]) -> None:
    store.reset()
    with store.unit_of_work() as uow:
        for record in records:
            uow.repository(type(record)).add(record)


def test_the_sql_store_fetches_grouped_rows_only(
    sql_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many cases are stored, a report by province fetches one row per province."""
    files = [example_case_file(idcs=f"20000000{n:02d}") for n in range(12)]
    _add(sql_store, [record for file in files for record in file.records])
    statements: list[str] = []
    fetched: list[int] = []
    execute = SqlReport.execute

    def counting(self: SqlReport, statement: Any) -> list[Any]:
        rows = execute(self, statement)
        fetched.append(len(rows))
        return rows

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    monkeypatch.setattr(SqlReport, "execute", counting)
    engine: sa.Engine = sql_store.engine  # type: ignore[attr-defined]
    sa.event.listen(engine, "after_cursor_execute", record)
    try:
        report = build_report(sql_store, ["cases_opened"], by=["province"], on=ON, plugins=PM)
    finally:
        sa.event.remove(engine, "after_cursor_execute", record)
    assert report.table("cases_opened").body == (("MA-SAL", 12),)
    assert report.table("cases_opened").totals == (12,)
    # One grouped statement by province (the totals of counts are its rows added up); nothing
    # else is read, and the children, whose fields are not asked for, are not joined.
    assert fetched == [1]
    selects = [text for text in statements if text.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert "GROUP BY" in selects[0]
    assert "children" not in selects[0]


def test_migration_0003_fills_the_report_columns_of_rows_stored_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with _open(url) as store:
        _add(store, reporting_data.records())
        # The database holds the plug-ins' kinds too (the training programme's): their
        # migrations are part of its history.
        migrations = store.environment.migrations
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            command.downgrade(migrate._config(connection, migrations), "0002")
        with engine.begin() as connection:
            assert "days_open" not in {
                column["name"] for column in sa.inspect(connection).get_columns("cases")
            }
            command.upgrade(migrate._config(connection, migrations), "heads")
        with engine.connect() as connection:
            cases = connection.execute(
                sa.select(
                    tables.cases.c.opened_on,
                    tables.cases.c.assessed_on,
                    tables.cases.c.closure_reason,
                    tables.cases.c.days_to_assessment,
                    tables.cases.c.days_open,
                ).order_by(tables.cases.c.opened_on)
            ).all()
            referrals = connection.execute(
                sa.select(tables.referrals.c.made_on, tables.referrals.c.days_to_response).order_by(
                    tables.referrals.c.made_on
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in cases] == [
        (date(2025, 6, 1), date(2025, 6, 11), "goals_achieved", 10, 183),
        (date(2025, 10, 1), date(2025, 10, 2), None, 1, None),
        (date(2025, 11, 3), None, None, None, None),
    ]
    assert [tuple(row) for row in referrals] == [
        (date(2025, 7, 1), 10),
        (date(2025, 10, 5), 3),
        (date(2025, 11, 13), None),
    ]


def test_a_period_ending_before_the_report_date_counts_stocks_on_its_last_day(
    memory_store: Store,
) -> None:
    _add(memory_store, reporting_data.records())
    # Case C closed on 2025-12-01: open on 30 November, not on the report's date.
    november = Period(date(2025, 11, 1), date(2025, 11, 30))
    report = build_report(memory_store, ["open_caseload"], period=november, on=ON, plugins=PM)
    assert report.table("open_caseload").body == ((3,),)
    report = build_report(memory_store, ["open_caseload"], on=ON, plugins=PM)
    assert report.table("open_caseload").body == ((2,),)
