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
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` in the unit of work's transaction (a unit
  of work numbering many cases reserves several at a time, and gives back what it did not use
  before it commits);
- the records a batch of new records refers to (a case's child, family and body) are read in
  one statement per type before the rules check them, and a unit of work remembers the
  records it read by id or wrote;
- audit entries are rows of ``audit_entries``, inserted in the unit of work's transaction.  A
  unit of work appending to the trail first makes the others wait: on SQLite every unit of work
  holds the write lock already (``BEGIN IMMEDIATE``); on PostgreSQL it takes a
  transaction-level advisory lock (``pg_advisory_xact_lock``, one per schema), held until it
  commits or rolls back, before it reads the last entry.

A row that no longer reads back as a valid record raises
:class:`~wladna_core.errors.InvalidRecord` naming the table, the id and every problem found.

Settings (``open_store(url, settings=...)``): ``busy_timeout`` (SQLite: seconds a unit of work
waits for another one's write lock, default 30), ``auto_upgrade`` (default ``True``: an empty
or older database is migrated when the store opens; ``False`` refuses an older one),
``sqlite_synchronous`` (``"full"``, the default, or ``"normal"``: see
:data:`~wladna_core.storage.sql.engine.SQLITE_SYNCHRONOUS`) and ``allow_reset``.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final, Generic, cast

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from wladna_core.audit import AuditEntry
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
    REPOSITORY_NAMES,
    Aggregate,
    R,
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
from wladna_core.storage.sql.reporting import (
    SqlAggregate,
    SqlReport,
    case_report_columns,
    referral_report_columns,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence

    import pluggy
    from attrs import AttrsInstance

__all__ = ["SqlRepository", "SqlStore", "SqlUnitOfWork", "wladna_open_store"]

# Ids looked up per statement on SQLite: well below its limit on bound parameters.
_IDS_PER_STATEMENT: Final = 5000

Condition = sa.ColumnElement[bool]
Places = tuple[str | None, str | None]


def _among(
    dialect: str, column: sa.ColumnElement[str], values: Sequence[str]
) -> Iterator[Condition]:
    """Yield conditions selecting the rows whose ``column`` is one of ``values``, one per statement.

    PostgreSQL takes them all in one array parameter: one statement, prepared once whatever the
    number of values.  SQLite takes an ``IN`` list of at most ``_IDS_PER_STATEMENT`` of them.
    """
    if dialect == "postgresql":
        array = sa.bindparam("among", list(values), type_=postgresql.ARRAY(sa.String()))
        yield column == sa.any_(array)
        return
    for start in range(0, len(values), _IDS_PER_STATEMENT):
        yield column.in_(values[start : start + _IDS_PER_STATEMENT])


class SqlStore(Store):
    """A store in a SQLite or PostgreSQL database.

    Open it with :func:`~wladna_core.storage.open_store`.  Opening checks the database's schema
    revision and migrates an empty (or, by default, older) database; see
    :mod:`wladna_core.storage.sql.migrate`.

    :param url: the store URL as given.
    :param database: its parsed form (from :func:`~wladna_core.storage.sql.engine.parse_url`).
    :param plugins: the plug-in manager for rules, territories and case numbers.
    :param settings: ``busy_timeout``, ``auto_upgrade``, ``sqlite_synchronous``,
        ``allow_reset``.
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
        # SQLite lets one unit of work write at a time: a unit of work nested in another of the
        # same thread would wait for the lock its own thread holds, so it is refused at once.
        # An in-memory database is a single connection: its units of work take turns (_turn).
        self._sqlite = database.get_backend_name() == "sqlite"
        self._busy_timeout = checked.busy_timeout
        self._turn = threading.Lock() if is_memory(database) else None
        self._working = threading.local()
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

    def aggregate(self, query: Aggregate[R]) -> R:
        """Compute ``query`` in the database when it can be compiled to SQL (GROUP BY).

        A query offering ``compute_sql`` (:class:`~wladna_core.storage.sql.reporting.SqlAggregate`)
        runs its grouped statements in one read-only unit of work and fetches only grouped rows;
        any other query takes the reference path of :meth:`Store.aggregate`.
        """
        if not isinstance(query, SqlAggregate):
            return super().aggregate(query)
        self._check_open()
        with self._open_unit_of_work() as uow:
            result: R = query.compute_sql(SqlReport(uow, self))
            uow.rollback()
        return result

    def _reset(self) -> None:
        with self._taking_turn(), connected(self.engine) as connection:
            for table in reversed(tables.metadata.sorted_tables):
                connection.execute(table.delete())

    def _close(self) -> None:
        if self.engine.dialect.name == "sqlite" and not is_memory(self.engine.url):
            # SQLite advises it before closing: refresh the planner's statistics where they
            # are stale (approximately, within a bounded effort), so that reports keep using
            # the narrow indexes after the data has grown.
            with contextlib.suppress(sa.exc.DBAPIError), self.engine.begin() as connection:
                connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
                connection.exec_driver_sql("PRAGMA optimize")
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
        """Hold this thread's turn at writing to a SQLite store (nothing for PostgreSQL)."""
        if not self._sqlite:
            yield
            return
        if getattr(self._working, "active", False):
            msg = (
                f"{self!r} already has a unit of work open in this thread; SQLite lets one "
                "unit of work write at a time, so units of work on it cannot be nested. Finish "
                "the first one before opening the next"
            )
            raise StoreError(msg)
        if self._turn is not None and not self._turn.acquire(timeout=self._busy_timeout):
            msg = (
                f"{self!r} is busy: another thread's unit of work has held it for more than "
                f"{self._busy_timeout:g} s. Try again, or keep units of work short"
            )
            raise StoreError(msg)
        self._working.active = True
        try:
            yield
        finally:
            self._working.active = False
            if self._turn is not None:
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


@attrs.define
class _Reservation:
    """Case sequences a unit of work reserved: ``next`` to ``last`` are not handed out yet."""

    next: int
    last: int
    size: int


class SqlUnitOfWork(UnitOfWork):
    """A unit of work on a :class:`SqlStore`: one connection, one database transaction."""

    store: SqlStore

    def __init__(self, store: SqlStore) -> None:
        # Case sequences reserved in the counters, per province and year; what is left unused
        # is given back before commit.
        self._reserved: dict[tuple[str, int], _Reservation] = {}
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None
        self._turn: contextlib.ExitStack | None = None
        self._audit_locked = False
        # SQLite: the results of searches made since the unit of work last wrote (see
        # SqlRepository._select), and how many records they hold; emptied by every write.
        self._searches: dict[tuple[object, ...], list[Any]] = {}
        self._searched = 0
        super().__init__(store)

    def _repository(self, record_type: type[T]) -> SqlRepository[T]:
        return SqlRepository(self, record_type)

    def _forget_searches(self) -> None:
        """Forget the searches remembered (after a write, or when they hold too many records)."""
        self._searches.clear()
        self._searched = 0

    def _remember_search(self, key: tuple[object, ...], records: list[Any]) -> bool:
        """Remember the records a search found, unless they are too many; return whether."""
        if len(records) > _REMEMBERED:
            return False
        try:
            hash(key)
        except TypeError:  # a query holding unhashable values
            return False
        if self._searched + len(records) > _REMEMBERED:
            self._forget_searches()
        self._searches[key] = records
        self._searched += len(records)
        return True

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
        except (sa.exc.OperationalError, sa.exc.TimeoutError) as exc:
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
                self._give_back_unused_sequences()
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

    def _read_ahead(self, record_type: type, records: Sequence[object]) -> None:
        """Read the records that ``records`` refer to, one statement per record type."""
        references = _LAYOUTS[record_type].references
        # Only what the rules on these records read: a rule's needs name repositories.
        needed = {need for rule in self.store.rules.for_entity(record_type) for need in rule.needs}
        wanted: dict[type, set[str]] = {}
        for record in records:
            if type(record) is record_type:
                for referred_type, record_id in references(record):
                    if record_id is not None and REPOSITORY_NAMES[referred_type] in needed:
                        wanted.setdefault(referred_type, set()).add(record_id)
        for referred_type, record_ids in wanted.items():
            repository: Repository[Any] = self.repository(referred_type)
            if isinstance(repository, SqlRepository):
                repository._read_ahead(record_ids)
        batch = [record for record in records if type(record) is record_type]
        for search in _LAYOUTS[record_type].searches:
            if search.need in needed and batch:
                search.read_ahead(self, batch)

    def _next_case_sequence(self, province: str, year: int) -> int:
        # The first draw reserves one number; later draws of this unit of work reserve more
        # at a time (up to _RESERVE_MOST), so that numbering many cases takes few statements.
        # The counter row stays locked until the transaction ends, so nobody else draws in
        # between, and what is left unused is given back before commit: no gap is left.
        reservation = self._reserved.get((province, year))
        if reservation is not None and reservation.next <= reservation.last:
            reservation.next += 1
            return reservation.next - 1
        size = 1 if reservation is None else min(2 * reservation.size, _RESERVE_MOST)
        with self._translating():
            found = self.connection.execute(
                _RESERVE_SEQUENCES[self.store.dialect],
                {"province": province, "year": year, "size": size},
            )
            last = int(found.scalar_one())
        first = last - size + 1
        self._reserved[(province, year)] = _Reservation(next=first + 1, last=last, size=size)
        return first

    def _give_back_unused_sequences(self) -> None:
        unused = [
            {"match_province": province, "match_year": year, "last_sequence": reserved.next - 1}
            for (province, year), reserved in self._reserved.items()
            if reserved.next <= reserved.last
        ]
        self._reserved.clear()
        if unused:
            self.connection.execute(_GIVE_BACK_SEQUENCES, unused)

    # The audit trail ---------------------------------------------------------------------------

    def _audit_lock(self) -> None:
        # SQLite: BEGIN IMMEDIATE holds the database's write lock already.
        if self._audit_locked or self.store.dialect != "postgresql":
            return
        with self._translating():
            self.connection.execute(_AUDIT_LOCK)
        self._audit_locked = True

    def _audit_last(self) -> AuditEntry | None:
        with self._translating():
            row = self.connection.execute(_AUDIT_LAST).first()
        return None if row is None else _audit_entry(row)

    def _audit_insert(self, entries: Sequence[AuditEntry]) -> None:
        rows = [attrs.asdict(entry) for entry in entries]
        try:
            self.connection.execute(_AUDIT_INSERT, rows)
        except sa.exc.IntegrityError as exc:
            msg = (
                f"another unit of work appended audit entry {entries[0].seq} first "
                f"({_first_line(exc)}); nothing was saved. Do the work again"
            )
            raise StoreError(msg) from exc
        except sa.exc.OperationalError as exc:
            raise self._operational_error(exc) from exc

    def _audit_select(
        self,
        after_seq: int,
        *,
        record_id: str | None,
        actor_id: str | None,
        limit: int | None,
    ) -> list[AuditEntry]:
        statement = _audit_select_statement(
            by_record=record_id is not None,
            by_actor=actor_id is not None,
            limited=limit is not None,
        )
        parameters = {
            "after_seq": after_seq,
            "record_id": record_id,
            "actor_id": actor_id,
            "limit": limit,
        }
        with self._translating():
            rows = self.connection.execute(statement, parameters).all()
        return [_audit_entry(row) for row in rows]

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
            timeout = self.store._busy_timeout
            return StoreError(
                f"the SQLite database {where} is busy: another unit of work has been writing "
                f"for more than {timeout:g} s ({reason}); nothing was saved. Try again, keep "
                "units of work short, or raise the busy_timeout setting"
            )
        return StoreError(
            f"the database {where} failed: {reason}; nothing of this unit of work was saved. "
            "Check the database server and do the work again"
        )


_audit = tables.audit_entries
# Transaction-level advisory lock of the audit trail of the connection's schema: the two-key
# form, "wlAu" read as a number and the schema's name hashed, so that stores in different
# schemas of one database do not wait for each other.
_AUDIT_LOCK: Final = sa.select(
    sa.func.pg_advisory_xact_lock(
        sa.literal(int.from_bytes(b"wlAu", "big"), sa.Integer),
        sa.func.hashtext(sa.func.current_schema()),
    )
)
_AUDIT_COLUMNS: Final = tuple(_audit.c[field.name] for field in attrs.fields(AuditEntry))
_AUDIT_LAST: Final = sa.select(*_AUDIT_COLUMNS).order_by(_audit.c.seq.desc()).limit(1)
_AUDIT_INSERT: Final = _audit.insert()


@functools.cache
def _audit_select_statement(*, by_record: bool, by_actor: bool, limited: bool) -> sa.Select[Any]:
    """Build the read of audit entries after a seq, in order of seq (once per shape)."""
    statement = sa.select(*_AUDIT_COLUMNS).where(_audit.c.seq > sa.bindparam("after_seq"))
    if by_record:
        statement = statement.where(_audit.c.record_id == sa.bindparam("record_id"))
    if by_actor:
        statement = statement.where(_audit.c.actor_id == sa.bindparam("actor_id"))
    statement = statement.order_by(_audit.c.seq)
    if limited:
        statement = statement.limit(sa.bindparam("limit", type_=sa.Integer))
    return statement


def _audit_entry(row: sa.Row[Any]) -> AuditEntry:
    """Return the entry of a row as stored; SQLite gives back ``at`` without its zone (UTC)."""
    values = row._asdict()
    at = values["at"]
    if isinstance(at, datetime):
        values["at"] = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return AuditEntry(**values)


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


def _reserve_sequences(insert: Callable[[sa.Table], Any]) -> sa.Executable:
    counters = tables.case_number_counters
    statement = insert(counters).values(
        province=sa.bindparam("province"),
        year=sa.bindparam("year"),
        last_sequence=sa.bindparam("size", type_=sa.Integer),
    )
    reserved: sa.Executable = statement.on_conflict_do_update(
        index_elements=[counters.c.province, counters.c.year],
        set_={"last_sequence": counters.c.last_sequence + statement.excluded.last_sequence},
    ).returning(counters.c.last_sequence)
    return reserved


# Reserve the next `size` sequences of a province and year (the counter starts at 0) and return
# the last; the counter row stays locked until the unit of work ends, so two units of work never
# draw the same number.
_RESERVE_SEQUENCES: Final = {
    "sqlite": _reserve_sequences(sqlite.insert),
    "postgresql": _reserve_sequences(postgresql.insert),
}
_GIVE_BACK_SEQUENCES: Final = (
    tables.case_number_counters.update()
    .where(
        tables.case_number_counters.c.province == sa.bindparam("match_province"),
        tables.case_number_counters.c.year == sa.bindparam("match_year"),
    )
    .values(last_sequence=sa.bindparam("last_sequence"))
)
# The most case sequences reserved by one statement.
_RESERVE_MOST: Final = 1024


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
    filters: Mapping[str, _Filter]
    side: _SideTable | None = None
    #: The records a record refers to by id, which the rules read when it is written.
    references: Callable[[T], Iterable[tuple[type, str | None]]] = lambda _record: ()
    #: The searches the rules make for each record written, read for a batch at once.
    searches: tuple[_SearchAhead, ...] = ()


class _SearchAhead(abc.ABC):
    """A search the rules make for every record of a batch, read for the whole batch at once.

    The rules' context (:class:`~wladna_core.storage.context.StoreContext`) searches once per
    record (a child's identifiers, a case's referrals); against a database server each search
    is a round trip.  Read ahead, one statement per chunk of values, the answers are found among
    the unit of work's searches until it writes.
    """

    #: The repository the search reads, as rules name it in their needs.
    need: str

    @abc.abstractmethod
    def read_ahead(self, unit_of_work: SqlUnitOfWork, records: Sequence[Any]) -> None:
        """Read the answers of the searches for ``records`` into ``unit_of_work``'s searches."""


class _ChildrenWithIdentifier(_SearchAhead):
    """``ChildQuery(identifier=...)`` for each identifier of new children (duplicates rule)."""

    need = "children"

    def read_ahead(self, unit_of_work: SqlUnitOfWork, records: Sequence[Any]) -> None:
        keys = {
            (identifier.scheme, identifier.value)
            for child in records
            for identifier in child.identifiers
        }
        if not keys:
            return
        repository = cast("SqlRepository[Child]", unit_of_work.children)
        identifiers, children = tables.child_identifiers, tables.children
        schemes = sorted({scheme.value for scheme, _ in keys})
        values = sorted({value for _, value in keys})
        found: dict[tuple[str, str], dict[str, Child]] = {}
        columns = _STATEMENTS[Child].read_columns
        for among in _among(unit_of_work.store.dialect, identifiers.c.value, values):
            statement = (
                sa.select(identifiers.c.scheme, identifiers.c.value, *columns)
                .join_from(children, identifiers, identifiers.c.child_id == children.c.id)
                .where(identifiers.c.scheme.in_(schemes), among)
            )
            for row in repository._rows(statement):
                key = (row.scheme, row.value)
                if key in keys:
                    child = repository._read(row.id, row.version, row.record)
                    found.setdefault(key, {})[child.id] = child
        for scheme, value in keys:
            held = found.get((scheme, value), {})
            unit_of_work._remember_search(
                (Child, ChildQuery(identifier=(scheme, value)), None, None),
                [held[key] for key in sorted(held)],
            )


@attrs.frozen
class _ReferralsOfCase(_SearchAhead):
    """``ReferralQuery(case_id=...)`` for the case of each new record (open referrals rule)."""

    case_id: Callable[[Any], str]
    need = "referrals"

    def read_ahead(self, unit_of_work: SqlUnitOfWork, records: Sequence[Any]) -> None:
        case_ids = sorted({self.case_id(record) for record in records})
        repository = cast("SqlRepository[Referral]", unit_of_work.referrals)
        column = tables.referrals.c.case_id
        found: dict[str, list[Referral]] = {}
        for among in _among(unit_of_work.store.dialect, column, case_ids):
            statement = (
                sa.select(*_STATEMENTS[Referral].read_columns)
                .where(among)
                .order_by(tables.referrals.c.id)
            )
            for row in repository._rows(statement):
                referral = repository._read(row.id, row.version, row.record)
                found.setdefault(referral.case_id, []).append(referral)
        for case_id in case_ids:
            unit_of_work._remember_search(
                (Referral, ReferralQuery(case_id=case_id), None, None), found.get(case_id, [])
            )


class _Filter(abc.ABC):
    """How one field of a query becomes SQL: a condition on bound parameters, and their values.

    A condition depends only on the field's name and its :meth:`shape`, never on the value, so
    that a search statement is built once per combination of filters and reused.
    """

    def shape(self, _value: Any, _gazetteer: Gazetteer) -> str:
        """Return the form the condition takes for ``value`` (one form by default)."""
        return "="

    @abc.abstractmethod
    def condition(self, name: str, shape: str) -> Condition:
        """Return the condition, its parameters named ``name`` (or starting with it)."""

    def parameters(self, name: str, value: Any, _gazetteer: Gazetteer) -> dict[str, Any]:
        """Return the values of the condition's parameters."""
        return {name: getattr(value, "value", value)}


@attrs.frozen
class _Equal(_Filter):
    column: sa.Column[Any]

    def condition(self, name: str, _shape: str) -> Condition:
        return self.column == sa.bindparam(name)


@attrs.frozen
class _OneOf(_Filter):
    column: sa.Column[str]

    def condition(self, name: str, _shape: str) -> Condition:
        return self.column.in_(sa.bindparam(name, expanding=True))

    def parameters(self, name: str, value: Any, _gazetteer: Gazetteer) -> dict[str, Any]:
        return {name: sorted(member.value for member in value)}


@attrs.frozen
class _From(_Filter):
    column: sa.Column[date]

    def condition(self, name: str, _shape: str) -> Condition:
        return self.column >= sa.bindparam(name)


@attrs.frozen
class _To(_Filter):
    column: sa.Column[date]

    def condition(self, name: str, _shape: str) -> Condition:
        return self.column <= sa.bindparam(name)


@attrs.frozen
class _Within(_Filter):
    """A territory and everything inside it.

    A region or a province is an equality on the row's region or province column (set when the
    row was written); a territory below the provinces is a list of codes: it and what it holds.
    """

    code: sa.Column[str]
    province: sa.Column[str]
    region: sa.Column[str]

    def shape(self, value: str, gazetteer: Gazetteer) -> str:
        level = gazetteer.get(value).level
        if level is TerritoryLevel.REGION:
            return "region"
        return "province" if level.is_provincial else "subtree"

    def condition(self, name: str, shape: str) -> Condition:
        if shape == "region":
            return self.region == sa.bindparam(name)
        if shape == "province":
            return self.province == sa.bindparam(name)
        return self.code.in_(sa.bindparam(name, expanding=True))

    def parameters(self, name: str, value: str, gazetteer: Gazetteer) -> dict[str, Any]:
        if self.shape(value, gazetteer) == "subtree":
            return {name: sorted(territory_subtree(gazetteer, value))}
        return {name: value}


@attrs.frozen
class _CaseHasConcern(_Filter):
    def condition(self, name: str, _shape: str) -> Condition:
        concerns = tables.case_concerns
        return (
            sa.select(concerns.c.case_id)
            .where(
                concerns.c.case_id == tables.cases.c.id,
                concerns.c.concern == sa.bindparam(name),
            )
            .exists()
        )


@attrs.frozen
class _ChildHasIdentifier(_Filter):
    def condition(self, name: str, _shape: str) -> Condition:
        identifiers = tables.child_identifiers
        return (
            sa.select(identifiers.c.child_id)
            .where(
                identifiers.c.child_id == tables.children.c.id,
                identifiers.c.scheme == sa.bindparam(f"{name}_scheme"),
                identifiers.c.value == sa.bindparam(f"{name}_value"),
            )
            .exists()
        )

    def parameters(self, name: str, value: Any, _gazetteer: Gazetteer) -> dict[str, Any]:
        scheme, text = value
        return {f"{name}_scheme": scheme.value, f"{name}_value": text}


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
        **case_report_columns(case),
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
        **referral_report_columns(referral),
    }


def _family_references(family: Family) -> Iterable[tuple[type, str | None]]:
    return [(Child, member.child_id) for member in family.members]


def _case_references(case: Case) -> Iterable[tuple[type, str | None]]:
    return [(Child, case.child_id), (Family, case.family_id), (TerritorialBody, case.body_id)]


def _referral_references(referral: Referral) -> Iterable[tuple[type, str | None]]:
    return [
        (Case, referral.case_id),
        (TerritorialBody, referral.from_body),
        (TerritorialBody, referral.target.body_id),
    ]


_bodies, _children, _families = tables.bodies.c, tables.children.c, tables.families.c
_cases, _referrals = tables.cases.c, tables.referrals.c

_LAYOUTS: Final[Mapping[type, _Layout[Any]]] = {
    TerritorialBody: _Layout(
        tables.bodies,
        _body_columns,
        {
            "territory": _Within(_bodies.territory, _bodies.province, _bodies.region),
            "kind": _Equal(_bodies.kind),
            "active": _Equal(_bodies.active),
        },
    ),
    Child: _Layout(
        tables.children,
        _child_columns,
        {
            "residence": _Within(_children.residence, _children.province, _children.region),
            "sex": _Equal(_children.sex),
            "born_from": _From(_children.birth_date),
            "born_to": _To(_children.birth_date),
            "identifier": _ChildHasIdentifier(),
        },
        _SideTable(
            tables.child_identifiers, tables.child_identifiers.c.child_id, _child_identifier_rows
        ),
        searches=(_ChildrenWithIdentifier(),),
    ),
    Family: _Layout(
        tables.families,
        _family_columns,
        {
            "residence": _Within(_families.residence, _families.province, _families.region),
            "rsu_id": _Equal(_families.rsu_id),
        },
        references=_family_references,
    ),
    Case: _Layout(
        tables.cases,
        _case_columns,
        {
            "territory": _Within(_cases.territory, _cases.province, _cases.region),
            "body_id": _Equal(_cases.body_id),
            "status": _OneOf(_cases.status),
            "risk": _OneOf(_cases.risk),
            "concern": _CaseHasConcern(),
            "opened_from": _From(_cases.opened_on),
            "opened_to": _To(_cases.opened_on),
            "child_id": _Equal(_cases.child_id),
            "worker_id": _Equal(_cases.worker_id),
            "number": _Equal(_cases.number),
            "family_id": _Equal(_cases.family_id),
        },
        _SideTable(tables.case_concerns, tables.case_concerns.c.case_id, _case_concern_rows),
        references=_case_references,
        searches=(_ReferralsOfCase(lambda case: case.id),),
    ),
    Referral: _Layout(
        tables.referrals,
        _referral_columns,
        {
            "case_id": _Equal(_referrals.case_id),
            "from_body": _Equal(_referrals.from_body),
            "target_body_id": _Equal(_referrals.target_body_id),
            "status": _OneOf(_referrals.status),
            "made_from": _From(_referrals.made_on),
            "made_to": _To(_referrals.made_on),
            "service": _Equal(_referrals.service),
        },
        references=_referral_references,
        searches=(_ReferralsOfCase(lambda referral: referral.case_id),),
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


@attrs.frozen
class _Statements:
    """The statements a repository runs on its table, built once (SQLAlchemy caches them)."""

    read_columns: tuple[sa.ColumnElement[Any], ...]
    load: sa.Select[Any]
    insert: sa.Insert
    replace: sa.Update
    side_insert: sa.Insert | None
    side_delete: sa.Delete | None

    @classmethod
    def of(cls, layout: _Layout[Any]) -> _Statements:
        """Build the statements of ``layout``'s table."""
        table = layout.table
        # The record is read as JSON text and decoded by the converter, so that a damaged row
        # is reported with the record's paths rather than failing inside a driver.
        read_columns = (
            table.c.id,
            table.c.version,
            sa.cast(table.c.record, sa.Text).label("record"),
        )
        side = layout.side
        return cls(
            read_columns=read_columns,
            load=sa.select(*read_columns).where(table.c.id == sa.bindparam("record_id")),
            insert=table.insert(),
            # The SET clause is made of the parameters' keys: every column but the id.
            replace=table.update().where(
                table.c.id == sa.bindparam("match_id"),
                table.c.version == sa.bindparam("match_version"),
            ),
            side_insert=None if side is None else side.table.insert(),
            side_delete=(
                None
                if side is None
                else side.table.delete().where(side.owner == sa.bindparam("owner"))
            ),
        )


_STATEMENTS: Final = {
    record_type: _Statements.of(layout) for record_type, layout in _LAYOUTS.items()
}

#: The filters a search uses, in order, each with the form of its condition.
_Shape = tuple[tuple[str, str], ...]


def _where(record_type: type, shape: _Shape) -> list[Condition]:
    filters = _LAYOUTS[record_type].filters
    return [filters[field].condition(f"q_{field}", form) for field, form in shape]


@functools.lru_cache(maxsize=512)
def _search_statement(
    record_type: type, shape: _Shape, *, after: bool, limit: bool
) -> sa.Select[Any]:
    """Build the search of ``record_type`` records for ``shape``, in order of id (once)."""
    table = _LAYOUTS[record_type].table
    statement = sa.select(*_STATEMENTS[record_type].read_columns).where(*_where(record_type, shape))
    if after:
        statement = statement.where(table.c.id > sa.bindparam("q_after"))
    statement = statement.order_by(table.c.id)
    if limit:
        statement = statement.limit(sa.bindparam("q_limit", type_=sa.Integer))
    return statement


@functools.lru_cache(maxsize=512)
def _count_statement(record_type: type, shape: _Shape) -> sa.Select[Any]:
    """Build the count of ``record_type`` records for ``shape`` (once)."""
    table = _LAYOUTS[record_type].table
    return sa.select(sa.func.count()).select_from(table).where(*_where(record_type, shape))


# Records a repository keeps after reading or writing them, for rules that read the same
# records again and again (a case's child, family and body); emptied when full.
_REMEMBERED: Final = 4096


class SqlRepository(Repository[T]):
    """The records of one type in a :class:`SqlUnitOfWork`: rows of one table.

    Records it reads by id or writes are remembered until the unit of work ends, so that rules
    reading a case's child or body again do not query the database again.  What is remembered
    is what this unit of work read or wrote; a version-checked write still compares with the
    database, and forgets a record whose stored version moved.
    """

    unit_of_work: SqlUnitOfWork

    def __init__(self, unit_of_work: UnitOfWork, record_type: type[T]) -> None:
        super().__init__(unit_of_work, record_type)
        self._layout: _Layout[T] = _LAYOUTS[record_type]
        self._table = self._layout.table
        self._statements = _STATEMENTS[record_type]
        self._remembered: dict[str, T] = {}

    @property
    def _connection(self) -> sa.Connection:
        return self.unit_of_work.connection

    @property
    def store_dialect(self) -> str:
        """The database's kind: ``sqlite`` or ``postgresql``."""
        return self.unit_of_work.store.dialect

    def _translating(self) -> contextlib.AbstractContextManager[None]:
        return self.unit_of_work._translating(self.record_type.__name__)

    def _remember(self, records: Sequence[T]) -> None:
        # What is remembered is emptied when full; a batch is remembered whole, even a batch
        # larger than the bound, since the caller holds it anyway.
        if len(self._remembered) + len(records) > _REMEMBERED:
            self._remembered.clear()
        for record in records:
            self._remembered[record.id] = record

    def add_many(self, records: Iterable[T]) -> list[T]:
        """Store new records together; see :meth:`Repository.add_many`.

        The records they refer to (a case's child, family and body...) are read first, all at
        once, for the rules that check them.
        """
        batch = list(records)
        uow = self.unit_of_work
        with uow._guard():
            uow._read_ahead(self.record_type, batch)
        try:
            return super().add_many(batch)
        finally:
            if not uow.store._sqlite:
                # Without SQLite's write lock, searches read ahead are good for this batch only.
                uow._forget_searches()

    def _rows(self, statement: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
        """Return the rows of ``statement``, read in the unit of work's transaction."""
        with self._translating():
            return self._connection.execute(statement).all()

    def _read_ahead(self, record_ids: Collection[str]) -> None:
        """Read and remember the records with these ids, a chunk of ids per statement."""
        wanted = sorted(key for key in record_ids if key not in self._remembered)
        if not wanted:
            return
        id_column = self._table.c.id
        select = sa.select(*self._statements.read_columns)
        records: list[T] = []
        with self._translating():
            for among in _among(self.store_dialect, id_column, wanted):
                rows = self._connection.execute(select.where(among)).all()
                records.extend(self._read(row.id, row.version, row.record) for row in rows)
        self._remember(records)

    # Writing -----------------------------------------------------------------------------------

    def _existing_ids(self, record_ids: Collection[str]) -> Collection[str]:
        wanted = sorted(record_ids)
        found: set[str] = set()
        id_column = self._table.c.id
        with self._translating():
            for among in _among(self.store_dialect, id_column, wanted):
                statement = sa.select(id_column).where(among)
                found.update(self._connection.execute(statement).scalars())
        return found

    def _numbers_taken(self, numbers: Collection[str]) -> Collection[str]:
        wanted = sorted(numbers)
        found: set[str] = set()
        column = tables.cases.c.number
        with self._translating():
            for among in _among(self.store_dialect, column, wanted):
                statement = sa.select(column).where(among)
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
        records = [row.record for row in rows]
        self.unit_of_work._forget_searches()
        with self._translating():
            self._connection.execute(self._statements.insert, values)
            self._write_side_rows(records, replace=False)
        self._remember(records)

    def _replace(self, row: Row[T], expected_version: int) -> bool:
        values = {
            "match_id": row.id,
            "match_version": expected_version,
            "version": row.version,
            "record": _json_object(row.data),
            **self._layout.columns(row.record, self.unit_of_work.store),
        }
        loaded = self._remembered.get(row.id)
        self.unit_of_work._forget_searches()
        with self._translating():
            changed = self._connection.execute(self._statements.replace, values).rowcount
            if changed != 1:
                # Someone else saved it: what this unit of work remembers is out of date.
                self._remembered.pop(row.id, None)
                return False
            side = self._layout.side
            # The side rows of the version replaced are those of the record this unit of work
            # loaded at that version: rewrite them only when they change.
            unchanged = (
                side is not None
                and loaded is not None
                and loaded.version == expected_version
                and side.rows(loaded) == side.rows(row.record)
            )
            if not unchanged:
                self._write_side_rows([row.record], replace=True)
        self._remember([row.record])
        return True

    def _write_side_rows(self, records: Sequence[T], *, replace: bool) -> None:
        side, statements = self._layout.side, self._statements
        if side is None or statements.side_insert is None or statements.side_delete is None:
            return
        if replace:
            owners = [{"owner": record.id} for record in records]
            self._connection.execute(statements.side_delete, owners)
        rows = [row for record in records for row in side.rows(record)]
        if rows:
            self._connection.execute(statements.side_insert, rows)

    # Reading -----------------------------------------------------------------------------------

    def _load(self, record_id: str) -> T | None:
        remembered = self._remembered.get(record_id)
        if remembered is not None:
            return remembered
        with self._translating():
            found = self._connection.execute(
                self._statements.load, {"record_id": record_id}
            ).first()
        if found is None:
            return None
        record = self._read(found.id, found.version, found.record)
        self._remember([record])
        return record

    def _select(self, query: Query[T] | None, *, after: str | None, limit: int | None) -> list[T]:
        # On SQLite a unit of work holds the write lock from its start (BEGIN IMMEDIATE): until
        # it writes, the same search gives the same records, so they are not read twice (the
        # services and the rules often ask for a case's referrals in one unit of work).  Only
        # the first page of a search is remembered, and no more than _REMEMBERED records in
        # all: the later pages of Repository.iter are read once, and streaming stays flat.
        # On any database, the searches the rules make for a batch of new records are read
        # ahead for the whole batch (SqlUnitOfWork._read_ahead) and found here.
        uow = self.unit_of_work
        key = (self.record_type, query, after, limit)
        memo = after is None
        if memo and uow._searches:
            try:
                found = uow._searches.get(key)
            except TypeError:  # a query holding unhashable values: not remembered
                memo, found = False, None
            if found is not None:
                return list(found)
        records = self._read_search(query, after=after, limit=limit)
        if memo and uow.store._sqlite and uow._remember_search(key, records):
            return list(records)
        return records

    def _read_search(
        self, query: Query[T] | None, *, after: str | None, limit: int | None
    ) -> list[T]:
        shape, parameters = self._search(query)
        if after is not None:
            parameters["q_after"] = after
        if limit is not None:
            parameters["q_limit"] = limit
        statement = _search_statement(
            self.record_type, shape, after=after is not None, limit=limit is not None
        )
        with self._translating():
            rows = self._connection.execute(statement, parameters).all()
        return [self._read(row.id, row.version, row.record) for row in rows]

    def _count(self, query: Query[T] | None) -> int:
        shape, parameters = self._search(query)
        statement = _count_statement(self.record_type, shape)
        with self._translating():
            return int(self._connection.execute(statement, parameters).scalar_one())

    def _search(self, query: Query[T] | None) -> tuple[_Shape, dict[str, Any]]:
        """Return the shape of ``query``'s conditions and their parameters.

        :raises StoreError: if the query sets a filter this store cannot apply; it is never
            left out, which would return records that were not asked for.
        """
        if query is None:
            return (), {}
        gazetteer = self.store.gazetteer
        filters = self._layout.filters
        shape: list[tuple[str, str]] = []
        parameters: dict[str, Any] = {}
        for field in attrs.fields(cast("type[AttrsInstance]", type(query))):
            value = getattr(query, field.name)
            if value is None:
                continue
            found = filters.get(field.name)
            if found is None:
                msg = (
                    f"the SQL store cannot search {self.record_type.__name__} records by "
                    f"{field.name!r}; upgrade wladna_core, or leave this filter out"
                )
                raise StoreError(msg)
            name = f"q_{field.name}"
            shape.append((field.name, found.shape(value, gazetteer)))
            parameters.update(found.parameters(name, value, gazetteer))
        return tuple(shape), parameters

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
    "database was upgraded (wladna_core.storage.upgrade(url), or wladna db upgrade) and not "
    "edited by hand, and restore the row from a backup if it was damaged"
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
