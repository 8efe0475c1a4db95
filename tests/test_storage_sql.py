"""The SQL store's own behaviour: connections, rows, SQL filters, damaged rows, locking."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import pytest
import sqlalchemy as sa

from postgres import URL_VARIABLE, backend_of, private_schema, release_once_blocked, server_url
from wladna_core.convert import unstructure
from wladna_core.errors import InvalidRecord
from wladna_core.hookspecs import hookimpl
from wladna_core.model import (
    Case,
    Child,
    Family,
    Identifier,
    IdentifierScheme,
    ProtectionConcern,
    Referral,
    TerritorialBody,
    Territory,
    TerritoryLevel,
    new_id,
)
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import (
    CaseQuery,
    ChildQuery,
    ConcurrencyConflict,
    Store,
    StoreEnvironment,
    StoreError,
    UnitOfWork,
    UnsupportedStoreURL,
    open_store,
)
from wladna_core.storage.sql import SqlStore, tables
from wladna_core.storage.sql.store import wladna_open_store
from wladna_core.testing import strategies as ws
from wladna_core.testing.conformance import ExampleCaseFile, example_case_file

ENVIRONMENT = StoreEnvironment.builtin()

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import pluggy

ON = ws.REFERENCE_DATE
E = TypeVar("E", bound=Exception)


class Communes:
    """A plug-in adding communes to Salé, one of them with a district of its own."""

    @hookimpl
    def wladna_territories(self) -> list[Territory]:
        return [
            Territory("MA-SAL-0101", TerritoryLevel.COMMUNE, "Salé Médina", parent="MA-SAL"),
            Territory("MA-SAL-0102", TerritoryLevel.COMMUNE, "Bettana", parent="MA-SAL"),
            Territory("MA-SAL-0101-01", TerritoryLevel.COMMUNE, "Quartier", parent="MA-SAL-0101"),
        ]


@pytest.fixture
def pm() -> pluggy.PluginManager:
    manager = make_plugin_manager(load_entrypoints=False)
    manager.register(Communes(), name="communes")
    return manager


@pytest.fixture(
    params=[
        "sqlite-file",
        "sqlite-memory",
        pytest.param("postgresql", marks=pytest.mark.postgresql),
    ]
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite-file":
        yield f"sqlite:///{tmp_path / 'wladna.db'}"
    elif request.param == "sqlite-memory":
        yield "sqlite://"
    else:
        with private_schema(server_url()) as schema_url:
            yield schema_url


@pytest.fixture
def store(url: str, pm: pluggy.PluginManager) -> Iterator[SqlStore]:
    with open_store(url, plugins=pm, clock=lambda: ON) as opened:
        assert isinstance(opened, SqlStore)
        yield opened


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'wladna.db'}"


def _save(store: Store, file: ExampleCaseFile) -> list[Any]:
    with store.unit_of_work() as uow:
        return [uow.repository(type(record)).add(record) for record in file.records]


def _refused(store: Store, read: Callable[[UnitOfWork], object], error: type[E]) -> E:
    """Return the error ``read`` raises in a unit of work, after checking it was rolled back."""
    uow = store.unit_of_work().__enter__()
    with pytest.raises(error) as raised:
        read(uow)
    assert not uow.active
    with pytest.raises(StoreError, match="rolled back because of an earlier error"):
        uow.__exit__(None, None, None)
    return raised.value


def _row(store: SqlStore, table: sa.Table, record_id: str) -> sa.Row[Any]:
    with store.engine.connect() as connection:
        return connection.execute(sa.select(table).where(table.c.id == record_id)).one()


class Statements:
    """The SQL statements a store's engine runs, as (statement, executemany) pairs."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seen: list[tuple[str, bool]] = []
        self._engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        _params: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        self.seen.append((" ".join(statement.split()), executemany))

    def close(self) -> None:
        sa.event.remove(self._engine, "before_cursor_execute", self._record)

    def matching(self, start: str) -> list[tuple[str, bool]]:
        return [(text, many) for text, many in self.seen if text.upper().startswith(start)]


@pytest.fixture
def statements(store: SqlStore) -> Iterator[Statements]:
    watcher = Statements(store.engine)
    yield watcher
    watcher.close()


# Opening stores --------------------------------------------------------------------------------


def test_the_sql_plugin_opens_sqlite_and_postgresql_urls_only(pm: pluggy.PluginManager) -> None:
    for other in ("memory://", "mysql://someone@somewhere/db", "postgresql+asyncpg://h/db", "::"):
        assert (
            wladna_open_store(url=other, settings={}, plugins=pm, environment=ENVIRONMENT) is None
        )
    opened = wladna_open_store(url="sqlite://", settings={}, plugins=pm, environment=ENVIRONMENT)
    assert isinstance(opened, SqlStore)
    opened.close()


def test_open_store_refuses_a_scheme_no_store_knows(pm: pluggy.PluginManager) -> None:
    with pytest.raises(UnsupportedStoreURL, match="sqlite:///<path>"):
        open_store("mysql://someone@somewhere/db", plugins=pm)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"busy_timeout": -1}, "busy_timeout"),
        ({"busy_timeout": "30"}, "busy_timeout"),
        ({"busy_timeout": True}, "busy_timeout"),
        ({"busy_timeout": float("nan")}, "busy_timeout"),
        ({"auto_upgrade": "yes"}, "auto_upgrade"),
    ],
)
def test_settings_of_the_wrong_kind_are_refused_by_name(
    pm: pluggy.PluginManager, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        open_store("sqlite://", plugins=pm, settings=settings)


def test_sqlite_connections_use_wal_foreign_keys_the_busy_timeout_and_full_sync(
    sqlite_url: str, pm: pluggy.PluginManager
) -> None:
    with open_store(sqlite_url, plugins=pm, settings={"busy_timeout": 2.5}) as store:
        assert isinstance(store, SqlStore)
        with store.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() == 2500
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL


def test_each_in_memory_sqlite_store_is_a_database_of_its_own(pm: pluggy.PluginManager) -> None:
    file = example_case_file()
    with open_store("sqlite://", plugins=pm, clock=lambda: ON) as first:
        _save(first, file)
        with open_store("sqlite://", plugins=pm) as other, other.unit_of_work() as uow:
            assert uow.cases.count() == 0
        with first.unit_of_work() as uow:
            assert uow.cases.count() == 1


def test_an_unreachable_postgresql_server_is_named_without_its_password(
    pm: pluggy.PluginManager,
) -> None:
    url = "postgresql+psycopg://wladna:s3cret@127.0.0.1:1/wladna?connect_timeout=2"
    with pytest.raises(
        StoreError, match=r"cannot open the database .*127\.0\.0\.1:1/wladna"
    ) as error:
        open_store(url, plugins=pm)
    assert "s3cret" not in str(error.value)


def test_a_sqlite_file_in_a_missing_directory_is_refused_with_a_remedy(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    with pytest.raises(StoreError, match="existing directory"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'wladna.db'}", plugins=pm)


@pytest.mark.postgresql
def test_postgresql_urls_without_a_driver_use_psycopg(pm: pluggy.PluginManager) -> None:
    with private_schema(server_url()) as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        with open_store(plain, plugins=pm) as store:
            assert isinstance(store, SqlStore)
            assert store.dialect == "postgresql"
            assert store.engine.dialect.driver == "psycopg"


@pytest.mark.postgresql
def test_postgresql_keeps_records_as_jsonb() -> None:
    with (
        private_schema(server_url()) as url,
        open_store(url, plugins=make_plugin_manager(load_entrypoints=False)) as store,
    ):
        assert isinstance(store, SqlStore)
        with store.engine.connect() as connection:
            kinds = connection.execute(
                sa.text(
                    "SELECT DISTINCT data_type FROM information_schema.columns "
                    "WHERE column_name = 'record' AND table_schema = current_schema()"
                )
            ).scalars()
            assert set(kinds) == {"jsonb"}


# Rows --------------------------------------------------------------------------------------------


TABLES = {
    TerritorialBody: tables.bodies,
    Child: tables.children,
    Family: tables.families,
    Case: tables.cases,
    Referral: tables.referrals,
}


def test_the_record_column_holds_exactly_the_converters_form(store: SqlStore) -> None:
    saved = _save(store, example_case_file())
    for record in saved:
        row = _row(store, TABLES[type(record)], record.id)
        assert row.record == unstructure(record)
        assert row.version == record.version == 1


def test_search_columns_are_derived_from_the_record_and_the_gazetteer(store: SqlStore) -> None:
    file = example_case_file(territory="MA-SAL-0101-01")
    body, child, _family, case, referral = _save(store, file)
    region = store.gazetteer.region_of("MA-SAL")
    assert region is not None

    row = _row(store, tables.cases, case.id)
    assert (row.territory, row.province, row.region) == ("MA-SAL-0101-01", "MA-SAL", region.code)
    assert (row.number, row.status, row.risk) == (case.number, "registered", "medium")
    assert (row.child_id, row.body_id, row.opened_on) == (child.id, body.id, date(2025, 11, 3))
    row = _row(store, tables.children, child.id)
    assert (row.residence, row.province, row.region, row.sex) == (
        "MA-SAL",
        "MA-SAL",
        region.code,
        "female",
    )
    row = _row(store, tables.referrals, referral.id)
    assert (row.target_kind, row.programme, row.target_body_id) == ("programme", "tayssir", None)


def test_concerns_and_identifiers_are_rewritten_with_each_save(store: SqlStore) -> None:
    file = example_case_file()
    _body, child, _family, case, _referral = _save(store, file)
    with store.unit_of_work() as uow:
        uow.cases.update(attrs.evolve(case, concerns={ProtectionConcern.BEGGING}))
        uow.children.update(
            attrs.evolve(child, identifiers=(Identifier(IdentifierScheme.IDCS, "5555555555"),))
        )
    with store.unit_of_work() as uow:
        assert uow.cases.find(CaseQuery(concern=ProtectionConcern.NEGLECT)) == []
        assert [c.id for c in uow.cases.find(CaseQuery(concern="begging"))] == [case.id]
        assert uow.children.find(ChildQuery(identifier=("idcs", "1234567890"))) == []
        assert [c.id for c in uow.children.find(ChildQuery(identifier=("idcs", "5555555555")))] == [
            child.id
        ]
    with store.engine.connect() as connection:
        concerns = connection.execute(sa.select(tables.case_concerns)).all()
        identifiers = connection.execute(sa.select(tables.child_identifiers.c.value)).scalars()
        assert [tuple(row) for row in concerns] == [(case.id, "begging")]
        assert list(identifiers) == ["5555555555"]


# SQL filters -------------------------------------------------------------------------------------


def test_region_and_province_filters_are_indexed_equalities(
    store: SqlStore, statements: Statements
) -> None:
    _save(store, example_case_file())
    region = store.gazetteer.region_of("MA-SAL")
    assert region is not None
    statements.seen.clear()
    with store.unit_of_work() as uow:
        assert uow.cases.count(CaseQuery(territory=region.code)) == 1
        assert uow.cases.count(CaseQuery(territory="MA-SAL")) == 1
    counted = [text for text, _many in statements.matching("SELECT COUNT")]
    assert len(counted) == 2
    assert "WHERE cases.region =" in counted[0]
    assert "WHERE cases.province =" in counted[1]
    if store.dialect == "sqlite":
        with store.engine.connect() as connection:
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM cases WHERE cases.region = 'MA-04'"
            ).all()
        assert any("ix_cases_region" in str(step) for step in plan)


def test_commune_filters_select_the_commune_and_what_it_contains(store: SqlStore) -> None:
    cases = {}
    for serial, territory in enumerate(("MA-SAL-0101", "MA-SAL-0101-01", "MA-SAL-0102", "MA-SAL")):
        file = example_case_file(territory=territory, idcs=f"{serial + 1:010d}")
        cases[territory] = _save(store, file)[3].id
    with store.unit_of_work() as uow:
        found = {case.territory for case in uow.cases.find(CaseQuery(territory="MA-SAL-0101"))}
        assert found == {"MA-SAL-0101", "MA-SAL-0101-01"}
        assert uow.cases.count(CaseQuery(territory="MA-SAL-0101-01")) == 1
        assert uow.cases.count(CaseQuery(territory="MA-SAL")) == 4
        assert uow.cases.count(CaseQuery(territory="MA")) == 4


def test_a_filter_the_store_cannot_translate_is_refused_never_ignored(store: SqlStore) -> None:
    @attrs.frozen
    class OverdueCaseQuery(CaseQuery):
        overdue: bool | None = None

    _save(store, example_case_file())
    with store.unit_of_work() as uow:
        assert uow.cases.count(OverdueCaseQuery()) == 1
    refused = _refused(
        store, lambda uow: uow.cases.find(OverdueCaseQuery(overdue=True)), StoreError
    )
    assert "cannot search Case records by 'overdue'" in str(refused)


def test_add_many_writes_its_rows_with_one_executemany(
    store: SqlStore, statements: Statements
) -> None:
    children = [example_case_file(idcs=f"{serial + 1:010d}").child for serial in range(20)]
    with store.unit_of_work() as uow:
        uow.children.add_many(children)
    inserts = statements.matching("INSERT INTO CHILDREN")
    assert len(inserts) == 1
    if store.dialect == "sqlite":
        assert inserts[0][1] is True  # one executemany (psycopg batches it in a pipeline)
    assert len(statements.matching("INSERT INTO CHILD_IDENTIFIERS")) == 1


def _reads_adding(store: SqlStore, statements: Statements, count: int, first: int) -> int:
    """Return how many SELECT statements adding ``count`` case files takes, stored before."""
    files = [example_case_file(idcs=f"{first + serial:010d}") for serial in range(count)]
    with store.unit_of_work() as uow:
        uow.bodies.add_many([file.body for file in files])
    statements.seen.clear()
    with store.unit_of_work() as uow:
        uow.children.add_many([file.child for file in files])
        uow.families.add_many([file.family for file in files])
        # Half the cases come with the number another system gave them, half get one here.
        uow.cases.add_many(
            [
                attrs.evolve(file.case, number=f"IMP-{first + serial}") if serial % 2 else file.case
                for serial, file in enumerate(files)
            ]
        )
        uow.referrals.add_many([file.referral for file in files])
    return len(statements.matching("SELECT"))


def test_add_many_looks_up_what_the_rules_need_for_the_whole_batch_at_once(
    store: SqlStore, statements: Statements
) -> None:
    # The rules look up each new child's identifiers, each new case's number and referrals,
    # each record's child, family, body or case: read for the batch, never record by record,
    # which costs a round trip each on a database server.
    few = _reads_adding(store, statements, 2, first=1)
    many = _reads_adding(store, statements, 40, first=100)
    assert many == few


def test_iter_reads_one_batch_per_statement(store: SqlStore, statements: Statements) -> None:
    children = [example_case_file(idcs=f"{serial + 1:010d}").child for serial in range(5)]
    with store.unit_of_work() as uow:
        uow.children.add_many(children)
    statements.seen.clear()
    with store.unit_of_work() as uow:
        streamed = list(uow.children.iter(batch_size=2))
    assert [child.id for child in streamed] == sorted(child.id for child in children)
    selects = [text for text, _many in statements.matching("SELECT CHILDREN.ID")]
    assert len(selects) == 3
    assert all(
        "LIMIT" in text.upper() and "ORDER BY CHILDREN.ID" in text.upper() for text in selects
    )


def _files(count: int, first: int) -> list[ExampleCaseFile]:
    return [example_case_file(idcs=f"{first + serial:010d}") for serial in range(count)]


@pytest.mark.parametrize("count", [1, 3])
def test_a_case_naming_a_family_not_stored_is_refused_in_a_batch_of_any_size(
    store: SqlStore, statements: Statements, count: int
) -> None:
    files = _files(count, first=1)
    with store.unit_of_work() as uow:
        for file in files:
            for record in file.records[:3]:
                uow.repository(type(record)).add(record)
    statements.seen.clear()
    unknown = attrs.evolve(files[0].case, family_id=new_id())
    cases = [unknown, *(file.case for file in files[1:])]
    refused = _refused(store, lambda uow: uow.cases.add_many(cases), InvalidRecord)
    assert {(violation.code, violation.record) for violation in refused.violations} == {
        ("case.family_unknown", f"Case {unknown.id}")
    }
    # The households are only looked up, never read: the rule asks whether they exist.
    families = [text for text, _many in statements.seen if " FROM families" in text]
    assert families
    assert all(text.startswith("SELECT families.id FROM families") for text in families)
    with store.unit_of_work() as uow:
        assert [case.family_id for case in uow.cases.add_many(cases[1:])] == [
            file.family.id for file in files[1:]
        ]


def test_a_row_read_before_is_read_again_when_it_changes(store: SqlStore) -> None:
    # The store keeps the records it decoded, by their row's text: a row changed since (by
    # another process, a migration or a damage) is decoded again, never served from memory.
    child = _save(store, example_case_file())[1]
    with store.unit_of_work() as uow:
        assert uow.children.get(child.id) == child
    renamed = attrs.evolve(child, given_name="Zineb")
    _damage(store, child, unstructure(renamed))
    with store.unit_of_work() as uow:
        assert uow.children.get(child.id) == renamed
        assert uow.children.find() == [renamed]
    _damage(store, child, {**unstructure(child), "sex": "x"})
    refused = _refused(store, lambda uow: uow.children.get(child.id), InvalidRecord)
    assert {violation.path for violation in refused.violations} == {"$.sex"}


def test_a_record_read_again_from_the_same_row_is_the_same_record(store: SqlStore) -> None:
    child = _save(store, example_case_file())[1]
    with store.unit_of_work() as uow:
        first = uow.children.get(child.id)
    with store.unit_of_work() as uow:
        again = uow.children.get(child.id)
    assert again is first
    assert again == child


# Damaged rows ------------------------------------------------------------------------------------


def _damage(store: SqlStore, child: Child, record: Any) -> None:
    with store.engine.begin() as connection:
        table = tables.children
        connection.execute(table.update().where(table.c.id == child.id).values(record=record))


def test_a_row_that_no_longer_reads_as_a_record_names_its_table_id_and_problems(
    store: SqlStore,
) -> None:
    child = _save(store, example_case_file())[1]
    damaged = {**unstructure(child), "sex": "x", "birth_date": "2014-02-30"}
    _damage(store, child, damaged)
    refused = _refused(store, lambda uow: uow.children.get(child.id), InvalidRecord)
    found = {(violation.path, violation.code) for violation in refused.violations}
    assert found == {("$.sex", "input.enum"), ("$.birth_date", "input.date")}
    for violation in refused.violations:
        assert violation.record == f"Child {child.id} (table children)"
        assert "wladna db upgrade" in violation.remedy
    assert refused.__cause__ is None
    assert refused.__suppress_context__


def test_a_row_whose_columns_disagree_with_its_record_is_refused(store: SqlStore) -> None:
    child = _save(store, example_case_file())[1]
    _damage(store, child, {**unstructure(child), "version": 7})
    refused = _refused(store, lambda uow: uow.children.find(), InvalidRecord)
    assert refused.codes == {"store.row_mismatch"}
    assert refused.violations[0].record == f"Child {child.id} (table children)"


def test_a_sqlite_row_that_is_not_json_is_reported_not_raised_from_the_driver(
    sqlite_url: str, pm: pluggy.PluginManager
) -> None:
    with open_store(sqlite_url, plugins=pm, clock=lambda: ON) as store:
        assert isinstance(store, SqlStore)
        child = _save(store, example_case_file())[1]
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE children SET record = '{\"sex\": ' WHERE id = ?", (child.id,)
            )
        refused = _refused(store, lambda uow: uow.children.get(child.id), InvalidRecord)
    assert refused.codes == {"input.json"}
    assert refused.violations[0].record == f"Child {child.id} (table children)"


# Locking and concurrency -------------------------------------------------------------------------


def test_units_of_work_on_sqlite_cannot_be_nested_and_say_so_at_once(
    sqlite_url: str, pm: pluggy.PluginManager
) -> None:
    for url in (sqlite_url, "sqlite://"):
        with open_store(url, plugins=pm, settings={"busy_timeout": 30}) as store:
            started = time.monotonic()
            with store.unit_of_work():
                nested = store.unit_of_work()
                with pytest.raises(StoreError, match="cannot be nested"):
                    nested.__enter__()
            assert time.monotonic() - started < 5
            with store.unit_of_work() as uow:  # the store is usable afterwards
                assert uow.bodies.count() == 0


def test_a_sqlite_writer_waits_for_another_store_then_gives_up_with_a_clear_error(
    sqlite_url: str, pm: pluggy.PluginManager
) -> None:
    with (
        open_store(sqlite_url, plugins=pm) as first,
        open_store(sqlite_url, plugins=pm, settings={"busy_timeout": 0.2}) as second,
    ):
        with first.unit_of_work():
            waiting = second.unit_of_work()
            with pytest.raises(StoreError, match=r"is busy.*busy_timeout"):
                waiting.__enter__()
        with second.unit_of_work() as uow:
            assert uow.bodies.count() == 0


def test_threads_updating_one_sqlite_case_take_turns_and_lose_nothing(
    url: str, pm: pluggy.PluginManager
) -> None:
    threads_count, rounds = 4, 5
    with open_store(url, plugins=pm, clock=lambda: ON) as store:
        case = _save(store, example_case_file())[3]
        conflicts: list[ConcurrencyConflict] = []
        failures: list[BaseException] = []

        def work(worker: int) -> None:
            try:
                for round_ in range(rounds):
                    while True:
                        try:
                            with store.unit_of_work() as uow:
                                stored = uow.cases.get(case.id)
                                note = f"{stored.worker_id or ''}|{worker}.{round_}"
                                uow.cases.update(attrs.evolve(stored, worker_id=note[-100:]))
                            break
                        except ConcurrencyConflict as conflict:
                            conflicts.append(conflict)
            except BaseException as exc:
                failures.append(exc)

        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads_count)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=120)
        assert failures == []
        with store.unit_of_work() as uow:
            final = uow.cases.get(case.id)
    assert final.version == 1 + threads_count * rounds
    if store.dialect == "sqlite":
        # BEGIN IMMEDIATE: a load and save in one unit of work never interleave with another.
        assert conflicts == []


@pytest.mark.postgresql
def test_two_units_of_work_adding_one_id_at_once_store_it_once(pm: pluggy.PluginManager) -> None:
    file = example_case_file()
    with (
        private_schema(server_url()) as url,
        open_store(url, plugins=pm, clock=lambda: ON) as store,
    ):
        added = threading.Event()
        release = threading.Event()
        failures: list[BaseException] = []
        holder: list[int] = []

        def first() -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.bodies.add(file.body)
                    holder.append(backend_of(uow))
                    added.set()
                    release.wait(timeout=60)
            except BaseException as exc:
                failures.append(exc)
                added.set()

        thread = threading.Thread(target=first)
        thread.start()
        assert added.wait(timeout=60)
        assert failures == []
        # The first commits once the second waits on its row, not before.
        release_once_blocked(url, holder[0], release)
        refused = _refused(
            store,
            lambda uow: uow.bodies.add(attrs.evolve(file.body, name="CPPE de Salé (bis)")),
            StoreError,
        )
        assert "stored a TerritorialBody with the same id first" in str(refused)
        thread.join(timeout=60)
        assert failures == []
        with store.unit_of_work() as uow:
            assert uow.bodies.get(file.body.id).name == "CPPE de Salé"


def test_case_numbers_come_from_a_counter_per_province_and_year(store: SqlStore) -> None:
    for serial, (territory, opened) in enumerate(
        (
            ("MA-SAL", date(2025, 11, 3)),
            ("MA-SAL-0102", date(2025, 11, 4)),
            ("MA-RAB", date(2025, 1, 2)),
        )
    ):
        _save(
            store,
            example_case_file(territory=territory, opened_on=opened, idcs=f"{serial + 1:010d}"),
        )
    with store.engine.connect() as connection:
        counters = connection.execute(
            sa.select(tables.case_number_counters).order_by("province", "year")
        ).all()
    assert [tuple(row) for row in counters] == [("MA-RAB", 2025, 1), ("MA-SAL", 2025, 2)]


def test_a_rolled_back_unit_of_work_gives_its_case_number_back(store: SqlStore) -> None:
    first, second = example_case_file(idcs="0000000001"), example_case_file(idcs="0000000002")
    uow = store.unit_of_work()
    with uow:
        for record in first.records:
            uow.repository(type(record)).add(record)
        uow.rollback()
    saved = _save(store, second)[3]
    assert isinstance(saved, Case)
    assert saved.number == "SAL-2025-000001"


# The PostgreSQL test server ----------------------------------------------------------------------


def test_an_unreachable_test_server_fails_the_test_in_ci_and_skips_it_elsewhere() -> None:
    unreachable = {URL_VARIABLE: "postgresql+psycopg://postgres:pw@127.0.0.1:1/test"}
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is required in CI: cannot conn"):
        server_url({**unreachable, "CI": "true"})
    with pytest.raises(pytest.skip.Exception, match="not available: cannot connect") as skipped:
        server_url({**unreachable, "CI": "0"})
    assert ":pw@" not in str(skipped.value)
    with pytest.raises(pytest.skip.Exception, match=f"set {URL_VARIABLE}"):
        server_url({})
    with pytest.raises(pytest.fail.Exception, match=f"set {URL_VARIABLE}"):
        server_url({"CI": "yes"})


def test_numbers_drawn_in_bulk_leave_no_gap_for_the_next_unit_of_work(store: SqlStore) -> None:
    files = [example_case_file(idcs=f"{serial + 1:010d}") for serial in range(6)]
    with store.unit_of_work() as uow:
        for file in files[:5]:
            uow.bodies.add(file.body)
            uow.children.add(file.child)
            uow.families.add(file.family)
        first = uow.cases.add_many([file.case for file in files[:5]])
    last = _save(store, files[5])[3]
    numbers = [case.number for case in first] + [last.number]
    assert numbers == [f"SAL-2025-{sequence:06d}" for sequence in range(1, 7)]
    with store.engine.connect() as connection:
        counter = connection.execute(sa.select(tables.case_number_counters.c.last_sequence))
        assert counter.scalar_one() == 6


def test_threads_share_an_in_memory_sqlite_store_by_taking_turns(pm: pluggy.PluginManager) -> None:
    with open_store("sqlite://", plugins=pm, settings={"busy_timeout": 0.2}) as store:
        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            with store.unit_of_work():
                holding.set()
                release.wait(timeout=60)

        holder = threading.Thread(target=hold)
        holder.start()
        assert holding.wait(timeout=60)
        waiting = store.unit_of_work()
        with pytest.raises(StoreError, match=r"is busy: another thread's unit of work"):
            waiting.__enter__()
        release.set()
        holder.join(timeout=60)
        with store.unit_of_work() as uow:
            assert uow.bodies.count() == 0
