"""The SQL store: SQLite (``sqlite:///path``, ``sqlite://``) and PostgreSQL (``postgresql+psycopg://``).

Open it with :func:`wladna_core.storage.open_store`; this module is also the plug-in that answers
``wladna_open_store`` for those URLs.  What every store does the same way (validation, version
checks, case numbering) lives in :mod:`wladna_core.storage.ports`; this adapter only moves rows:

- a record is written as one row of its table (:mod:`wladna_core.storage.sql.tables`): the
  converter's form of the record in ``record``, and the columns searches filter on;
- :meth:`Repository.add_many <wladna_core.storage.Repository.add_many>` writes all its rows with
  one ``executemany``;
- an update is ``UPDATE ... WHERE id = :id AND version = :expected``: when no row matches,
  someone else saved the record first, and the ports raise
  :class:`~wladna_core.storage.ConcurrencyConflict`;
- searches are SQL ``WHERE`` clauses, streamed in order of id, ``batch_size`` rows at a time;
- case sequence numbers come from a counter row per province and year, incremented by an
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the unit of work's transaction.

A row that no longer reads back as a valid record raises
:class:`~wladna_core.errors.InvalidRecord` naming the table, the id and every problem found.

Settings (``open_store(url, settings=...)``): ``busy_timeout`` (SQLite: seconds a unit of work
waits for another one's write lock, default 30), ``auto_upgrade`` (default ``True``: an empty
or older database is migrated when the store opens; ``False`` refuses an older one) and
``allow_reset``.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Final, Generic, cast

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from wladna_core.errors import InvalidRecord, Severity, Violation
from wladna_core.hookspecs import hookimpl
from wladna_core.model import (
    Case,
    Child,
    Family,
    Gazetteer,
    Referral,
    TerritorialBody,
    TerritoryLevel,
)
from wladna_core.storage.ports import (
    Repository,
    Row,
    Store,
    StoreError,
    T,
    UnitOfWork,
)
from wladna_core.storage.query import (
    BodyQuery,
    CaseQuery,
    ChildQuery,
    FamilyQuery,
    Query,
    ReferralQuery,
    territory_subtree,
)
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.engine import (
    SqlSettings,
    is_memory,
    make_engine,
    parse_url,
)
from wladna_core.storage.sql.migrate import check_schema, connected, unreachable

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
    from datetime import date

    import pluggy
    from attrs import AttrsInstance

__all__ = ["SqlRepository", "SqlStore", "SqlUnitOfWork", "wladna_open_store"]

# Ids looked up per statement: well below SQLite's limit on bound parameters.
_IDS_PER_STATEMENT: Final = 5000

Condition = sa.ColumnElement[bool]
Places = tuple[str | None, str | None]


class SqlStore(Store):
    """A store in a SQLite or PostgreSQL database.

    Open it with :func:`~wladna_core.storage.open_store`.  Opening checks the database's schema
    revision and migrates an empty (or, by default, older) database; see
    :mod:`wladna_core.storage.sql.migrate`.

    :param url: the store URL as given.
    :param database: its parsed form (from :func:`~wladna_core.storage.sql.engine.parse_url`).
    :param plugins: the plug-in manager for rules, territories and case numbers.
    :param settings: ``busy_timeout``, ``auto_upgrade``, ``allow_reset``.
    :raises StoreError: if the database cannot be opened or its schema is refused.
    """

    def __init__(
        self,
        url: str,
        database: sa.URL,
        *,
        plugins: pluggy.PluginManager,
        settings: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(url, plugins=plugins, settings=settings)
        checked = SqlSettings(self.settings)
        try:
            self.engine: sa.Engine = make_engine(database, checked)
        except ImportError as exc:
            msg = (
                f"opening {database.render_as_string(hide_password=True)} needs the "
                f"{database.get_driver_name()} driver ({exc.name} is not installed); install "
                "wladna-core[postgresql]"
            )
            raise StoreError(msg) from exc
        self._places: dict[str, Places] = {}
        # SQLite lets one unit of work write at a time; an in-memory database is also a single
        # connection.  The lock makes units of work of this store take turns, and lets a
        # nested one fail at once instead of waiting for a lock its own thread holds.
        self._sqlite = database.get_backend_name() == "sqlite"
        self._turn = threading.Lock()
        self._turn_holder: int | None = None
        self._wait = checked.busy_timeout if is_memory(database) else None
        try:
            check_schema(self.engine, auto_upgrade=checked.auto_upgrade)
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def dialect(self) -> str:
        """The database's kind: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def _open_unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self)

    def _reset(self) -> None:
        with self._taking_turn(), connected(self.engine) as connection:
            for table in reversed(tables.metadata.sorted_tables):
                connection.execute(table.delete())

    def _close(self) -> None:
        self.engine.dispose()

    def places(self, code: str | None) -> Places:
        """Return the province and region codes of the territory ``code`` (``None`` if none).

        A code the gazetteer does not know has neither; rules report such codes.
        """
        if code is None:
            return (None, None)
        found = self._places.get(code)
        if found is None:
            found = _places_in(self.gazetteer, code)
            self._places[code] = found
        return found

    @contextlib.contextmanager
    def _taking_turn(self) -> Iterator[None]:
        if not self._sqlite:
            yield
            return
        me = threading.get_ident()
        if self._turn_holder == me:
            msg = (
                f"{self!r} already has a unit of work open in this thread; SQLite lets one "
                "unit of work write at a time, so units of work on it cannot be nested. Finish "
                "the first one before opening the next"
            )
            raise StoreError(msg)
        if self._wait is None:
            self._turn.acquire()
        elif not self._turn.acquire(timeout=self._wait):
            msg = (
                f"{self!r} is busy: another thread's unit of work has held it for more than "
                f"{self._wait:g} s. Try again, or keep units of work short"
            )
            raise StoreError(msg)
        self._turn_holder = me
        try:
            yield
        finally:
            self._turn_holder = None
            self._turn.release()


def _places_in(gazetteer: Gazetteer, code: str) -> Places:
    if code not in gazetteer:
        return (None, None)
    province = gazetteer.province_of(code)
    region = gazetteer.region_of(code)
    return (
        None if province is None else province.code,
        None if region is None else region.code,
    )


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on a :class:`SqlStore`: one connection, one database transaction."""

    store: SqlStore

    def __init__(self, store: SqlStore) -> None:
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None
        self._turn: contextlib.ExitStack | None = None
        super().__init__(store)

    def _repository(self, record_type: type[T]) -> SqlRepository[T]:
        return SqlRepository(self, record_type)

    @property
    def connection(self) -> sa.Connection:
        """The unit of work's connection, in its transaction.

        :raises StoreError: if the unit of work is not active.
        """
        if self._connection is None:
            self._require_active()
            msg = "the unit of work has no connection"  # pragma: no cover (active implies one)
            raise StoreError(msg)  # pragma: no cover
        return self._connection

    def _begin(self) -> None:
        turn = contextlib.ExitStack()
        turn.enter_context(self.store._taking_turn())
        engine = self.store.engine
        try:
            connection = engine.connect()
        except sa.exc.OperationalError as exc:
            turn.close()
            raise unreachable(engine, exc) from exc
        except BaseException:
            turn.close()
            raise
        try:
            with self._translating():
                self._transaction = connection.begin()
        except BaseException:
            connection.close()
            turn.close()
            raise
        self._connection = connection
        self._turn = turn

    def _commit(self) -> None:
        try:
            with self._translating():
                if self._transaction is not None:
                    self._transaction.commit()
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._release()

    def _release(self) -> None:
        connection, turn = self._connection, self._turn
        self._connection = self._transaction = self._turn = None
        try:
            if connection is not None:
                connection.close()
        finally:
            if turn is not None:
                turn.close()

    def _next_case_sequence(self, province: str, year: int) -> int:
        counters = tables.case_number_counters
        insert = postgresql.insert if self.store.dialect == "postgresql" else sqlite.insert
        statement = (
            insert(counters)
            .values(province=province, year=year, last_sequence=1)
            .on_conflict_do_update(
                index_elements=[counters.c.province, counters.c.year],
                set_={"last_sequence": counters.c.last_sequence + 1},
            )
            .returning(counters.c.last_sequence)
        )
        with self._translating():
            return int(self.connection.execute(statement).scalar_one())

    @contextlib.contextmanager
    def _translating(self, record_type: str = "record") -> Iterator[None]:
        """Turn the database's errors into :class:`StoreError` saying what happened."""
        try:
            yield
        except sa.exc.IntegrityError as exc:
            raise _integrity_error(record_type, exc) from exc
        except sa.exc.OperationalError as exc:
            raise self._operational_error(exc) from exc

    def _operational_error(self, exc: sa.exc.OperationalError) -> StoreError:
        where = self.store.engine.url.render_as_string(hide_password=True)
        reason = _first_line(exc)
        if self.store._sqlite and "locked" in reason:
            timeout = SqlSettings(self.store.settings).busy_timeout
            return StoreError(
                f"the SQLite database {where} is busy: another unit of work has been writing "
                f"for more than {timeout:g} s ({reason}); nothing was saved. Try again, keep "
                "units of work short, or raise the busy_timeout setting"
            )
        return StoreError(
            f"the database {where} failed: {reason}; nothing of this unit of work was saved. "
            "Check the database server and do the work again"
        )


def _first_line(exc: sa.exc.DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _integrity_error(record_type: str, exc: sa.exc.IntegrityError) -> StoreError:
    reason = _first_line(exc)
    if "number" in reason:
        return StoreError(
            f"a case number was given to another case by a unit of work that committed first "
            f"({reason}); nothing was saved. Do the work again"
        )
    return StoreError(
        f"another unit of work stored a {record_type} with the same id first ({reason}); "
        "nothing was saved. Give the new record a new id"
    )


# How each record type maps to rows --------------------------------------------------------


@attrs.frozen
class _SideTable:
    """A table of the sets a record holds many of, one row per item, rewritten at each write."""

    table: sa.Table
    owner: sa.Column[str]
    rows: Callable[[Any], list[dict[str, Any]]]


@attrs.frozen
class _Layout(Generic[T]):
    """Where the records of one type go: their table, columns, side table and filters."""

    table: sa.Table
    columns: Callable[[T, SqlStore], dict[str, Any]]
    filters: Mapping[str, Callable[[Any, Gazetteer], Condition]]
    side: _SideTable | None = None


def _within(
    code: sa.Column[str], province: sa.Column[str], region: sa.Column[str]
) -> Callable[[str, Gazetteer], Condition]:
    """Build the filter "in this territory or inside it" for a table's territory columns."""

    def condition(value: str, gazetteer: Gazetteer) -> Condition:
        territory = gazetteer.get(value)
        if territory.level is TerritoryLevel.REGION:
            return region == territory.code
        if territory.level.is_provincial:
            return province == territory.code
        return code.in_(sorted(territory_subtree(gazetteer, territory.code)))

    return condition


def _equal(column: sa.Column[Any]) -> Callable[[Any, Gazetteer], Condition]:
    def condition(value: Any, _gazetteer: Gazetteer) -> Condition:
        return cast("Condition", column == getattr(value, "value", value))

    return condition


def _one_of(column: sa.Column[str]) -> Callable[[frozenset[Any], Gazetteer], Condition]:
    def condition(values: frozenset[Any], _gazetteer: Gazetteer) -> Condition:
        return column.in_(sorted(value.value for value in values))

    return condition


def _from(column: sa.Column[date]) -> Callable[[date, Gazetteer], Condition]:
    def condition(value: date, _gazetteer: Gazetteer) -> Condition:
        return column >= value

    return condition


def _to(column: sa.Column[date]) -> Callable[[date, Gazetteer], Condition]:
    def condition(value: date, _gazetteer: Gazetteer) -> Condition:
        return column <= value

    return condition


def _body_columns(body: TerritorialBody, store: SqlStore) -> dict[str, Any]:
    province, region = store.places(body.territory)
    return {
        "kind": body.kind.value,
        "territory": body.territory,
        "province": province,
        "region": region,
        "active": body.active,
    }


def _child_columns(child: Child, store: SqlStore) -> dict[str, Any]:
    province, region = store.places(child.residence)
    return {
        "sex": child.sex.value,
        "birth_date": child.birth_date,
        "residence": child.residence,
        "province": province,
        "region": region,
    }


def _child_identifier_rows(child: Child) -> list[dict[str, Any]]:
    return [
        {
            "child_id": child.id,
            "position": position,
            "scheme": item.scheme.value,
            "value": item.value,
        }
        for position, item in enumerate(child.identifiers)
    ]


def _family_columns(family: Family, store: SqlStore) -> dict[str, Any]:
    province, region = store.places(family.residence)
    return {
        "residence": family.residence,
        "province": province,
        "region": region,
        "rsu_id": family.rsu_id,
    }


def _case_columns(case: Case, store: SqlStore) -> dict[str, Any]:
    province, region = store.places(case.territory)
    return {
        "number": case.number,
        "child_id": case.child_id,
        "body_id": case.body_id,
        "family_id": case.family_id,
        "territory": case.territory,
        "province": province,
        "region": region,
        "status": case.status.value,
        "risk": case.risk.value,
        "opened_on": case.opened_on,
        "closed_on": None if case.closure is None else case.closure.on,
        "worker_id": case.worker_id,
    }


def _case_concern_rows(case: Case) -> list[dict[str, Any]]:
    return [{"case_id": case.id, "concern": concern.value} for concern in sorted(case.concerns)]


def _referral_columns(referral: Referral, _store: SqlStore) -> dict[str, Any]:
    target = referral.target
    return {
        "case_id": referral.case_id,
        "from_body": referral.from_body,
        "target_kind": target.kind.value,
        "target_body_id": target.body_id,
        "programme": None if target.programme is None else target.programme.value,
        "service": referral.service.value,
        "status": referral.status.value,
        "urgency": referral.urgency.value,
        "made_on": referral.made_on,
        "response_due": referral.response_due,
        "responded_on": referral.responded_on,
        "closed_on": referral.closed_on,
    }


def _child_has_identifier(value: tuple[Any, str], _gazetteer: Gazetteer) -> Condition:
    identifiers = tables.child_identifiers
    scheme, text = value
    return (
        sa.select(identifiers.c.child_id)
        .where(
            identifiers.c.child_id == tables.children.c.id,
            identifiers.c.scheme == scheme.value,
            identifiers.c.value == text,
        )
        .exists()
    )


def _case_has_concern(value: Any, _gazetteer: Gazetteer) -> Condition:
    concerns = tables.case_concerns
    return (
        sa.select(concerns.c.case_id)
        .where(concerns.c.case_id == tables.cases.c.id, concerns.c.concern == value.value)
        .exists()
    )


_bodies, _children, _families = tables.bodies.c, tables.children.c, tables.families.c
_cases, _referrals = tables.cases.c, tables.referrals.c

_LAYOUTS: Final[Mapping[type, _Layout[Any]]] = {
    TerritorialBody: _Layout(
        tables.bodies,
        _body_columns,
        {
            "territory": _within(_bodies.territory, _bodies.province, _bodies.region),
            "kind": _equal(_bodies.kind),
            "active": _equal(_bodies.active),
        },
    ),
    Child: _Layout(
        tables.children,
        _child_columns,
        {
            "residence": _within(_children.residence, _children.province, _children.region),
            "sex": _equal(_children.sex),
            "born_from": _from(_children.birth_date),
            "born_to": _to(_children.birth_date),
            "identifier": _child_has_identifier,
        },
        _SideTable(
            tables.child_identifiers, tables.child_identifiers.c.child_id, _child_identifier_rows
        ),
    ),
    Family: _Layout(
        tables.families,
        _family_columns,
        {
            "residence": _within(_families.residence, _families.province, _families.region),
            "rsu_id": _equal(_families.rsu_id),
        },
    ),
    Case: _Layout(
        tables.cases,
        _case_columns,
        {
            "territory": _within(_cases.territory, _cases.province, _cases.region),
            "body_id": _equal(_cases.body_id),
            "status": _one_of(_cases.status),
            "risk": _one_of(_cases.risk),
            "concern": _case_has_concern,
            "opened_from": _from(_cases.opened_on),
            "opened_to": _to(_cases.opened_on),
            "child_id": _equal(_cases.child_id),
            "worker_id": _equal(_cases.worker_id),
            "number": _equal(_cases.number),
        },
        _SideTable(tables.case_concerns, tables.case_concerns.c.case_id, _case_concern_rows),
    ),
    Referral: _Layout(
        tables.referrals,
        _referral_columns,
        {
            "case_id": _equal(_referrals.case_id),
            "from_body": _equal(_referrals.from_body),
            "target_body_id": _equal(_referrals.target_body_id),
            "status": _one_of(_referrals.status),
            "made_from": _from(_referrals.made_on),
            "made_to": _to(_referrals.made_on),
            "service": _equal(_referrals.service),
        },
    ),
}

#: The query class of each record type, whose fields the layouts' filters translate.
QUERY_TYPES: Final[Mapping[type, type[Query[Any]]]] = {
    TerritorialBody: BodyQuery,
    Child: ChildQuery,
    Family: FamilyQuery,
    Case: CaseQuery,
    Referral: ReferralQuery,
}


class SqlRepository(Repository[T]):
    """The records of one type in a :class:`SqlUnitOfWork`: rows of one table."""

    unit_of_work: SqlUnitOfWork

    def __init__(self, unit_of_work: UnitOfWork, record_type: type[T]) -> None:
        super().__init__(unit_of_work, record_type)
        self._layout: _Layout[T] = _LAYOUTS[record_type]
        self._table = self._layout.table
        # The record is read as JSON text and decoded by the converter, so that a damaged row
        # is reported with the record's paths rather than failing inside a driver.
        self._read_columns = (
            self._table.c.id,
            self._table.c.version,
            sa.cast(self._table.c.record, sa.Text).label("record"),
        )

    @property
    def _connection(self) -> sa.Connection:
        return self.unit_of_work.connection

    def _translating(self) -> contextlib.AbstractContextManager[None]:
        return self.unit_of_work._translating(self.record_type.__name__)

    # Writing -----------------------------------------------------------------------------------

    def _existing_ids(self, record_ids: Collection[str]) -> Collection[str]:
        wanted = sorted(record_ids)
        found: set[str] = set()
        id_column = self._table.c.id
        with self._translating():
            for start in range(0, len(wanted), _IDS_PER_STATEMENT):
                chunk = wanted[start : start + _IDS_PER_STATEMENT]
                statement = sa.select(id_column).where(id_column.in_(chunk))
                found.update(self._connection.execute(statement).scalars())
        return found

    def _insert(self, rows: Sequence[Row[T]]) -> None:
        store = self.unit_of_work.store
        columns = self._layout.columns
        values = [
            {
                "id": row.id,
                "version": row.version,
                "record": _json_object(row.data),
                **columns(row.record, store),
            }
            for row in rows
        ]
        with self._translating():
            self._connection.execute(self._table.insert(), values)
            self._write_side_rows([row.record for row in rows], replace=False)

    def _replace(self, row: Row[T], expected_version: int) -> bool:
        table = self._table
        statement = (
            table.update()
            .where(table.c.id == row.id, table.c.version == expected_version)
            .values(
                version=row.version,
                record=_json_object(row.data),
                **self._layout.columns(row.record, self.unit_of_work.store),
            )
        )
        with self._translating():
            changed = self._connection.execute(statement).rowcount
            if changed != 1:
                return False
            self._write_side_rows([row.record], replace=True)
        return True

    def _write_side_rows(self, records: Sequence[T], *, replace: bool) -> None:
        side = self._layout.side
        if side is None:
            return
        if replace:
            owners = [record.id for record in records]
            self._connection.execute(side.table.delete().where(side.owner.in_(owners)))
        rows = [row for record in records for row in side.rows(record)]
        if rows:
            self._connection.execute(side.table.insert(), rows)

    # Reading -----------------------------------------------------------------------------------

    def _load(self, record_id: str) -> T | None:
        statement = sa.select(*self._read_columns).where(self._table.c.id == record_id)
        with self._translating():
            found = self._connection.execute(statement).first()
        return None if found is None else self._read(found.id, found.version, found.record)

    def _select(self, query: Query[T] | None, *, after: str | None, limit: int | None) -> list[T]:
        id_column = self._table.c.id
        statement = sa.select(*self._read_columns).where(*self._conditions(query))
        if after is not None:
            statement = statement.where(id_column > after)
        statement = statement.order_by(id_column)
        if limit is not None:
            statement = statement.limit(limit)
        with self._translating():
            rows = self._connection.execute(statement).all()
        return [self._read(row.id, row.version, row.record) for row in rows]

    def _count(self, query: Query[T] | None) -> int:
        statement = (
            sa.select(sa.func.count()).select_from(self._table).where(*self._conditions(query))
        )
        with self._translating():
            return int(self._connection.execute(statement).scalar_one())

    def _conditions(self, query: Query[T] | None) -> list[Condition]:
        """Translate ``query``'s filters into SQL; refuse any filter this store cannot apply."""
        if query is None:
            return []
        gazetteer = self.store.gazetteer
        filters = self._layout.filters
        conditions: list[Condition] = []
        for field in attrs.fields(cast("type[AttrsInstance]", type(query))):
            value = getattr(query, field.name)
            if value is None:
                continue
            translate = filters.get(field.name)
            if translate is None:
                # Never fall back to "no filter": it would return records not asked for.
                msg = (
                    f"the SQL store cannot search {self.record_type.__name__} records by "
                    f"{field.name!r}; upgrade wladna_core, or leave this filter out"
                )
                raise StoreError(msg)
            conditions.append(translate(value, gazetteer))
        return conditions

    def _read(self, record_id: str, version: int, text: str | None) -> T:
        """Return the record of a row, or raise :class:`InvalidRecord` naming the row."""
        from wladna_core.convert import loads  # noqa: PLC0415 (convert imports the model)

        name = self.record_type.__name__
        where = f"{name} {record_id} (table {self._table.name})"
        try:
            record = loads(text if text is not None else "null", self.record_type)
        except InvalidRecord as exc:
            problems = [
                attrs.evolve(violation, record=where, remedy=_ROW_REMEDY)
                for violation in exc.violations
            ]
            raise InvalidRecord(name, problems) from None
        if record.id != record_id or record.version != version:
            message = (
                f"the row's id and version columns ({record_id}, {version}) disagree with its "
                f"record ({record.id}, {record.version})"
            )
            raise InvalidRecord(name, [_row_violation("store.row_mismatch", "$", where, message)])
        return record


_ROW_REMEDY: Final = (
    "the stored row is not a record this version of wladna_core accepts: check that the "
    "database was upgraded (wladna db upgrade) and not edited by hand, and restore the row "
    "from a backup if it was damaged"
)


def _row_violation(code: str, path: str, where: str, message: str) -> Violation:
    return Violation(
        code=code,
        path=path,
        message=message,
        severity=Severity.ERROR,
        record=where,
        remedy=_ROW_REMEDY,
    )


def _json_object(data: Mapping[str, Any]) -> dict[str, Any]:
    return data if isinstance(data, dict) else dict(data)


# The plug-in -----------------------------------------------------------------------------------


@hookimpl
def wladna_open_store(
    url: str, settings: Mapping[str, object], plugins: pluggy.PluginManager
) -> SqlStore | None:
    """Open a :class:`SqlStore` for ``sqlite:`` and ``postgresql:`` URLs; ``None`` otherwise."""
    database = parse_url(url)
    if database is None:
        return None
    return SqlStore(url, database, plugins=plugins, settings=settings)
