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
import enum
import functools
import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from wladna_core.audit import AuditEntry
from wladna_core.errors import InvalidRecord, Severity, Violation
from wladna_core.hookspecs import hookimpl
from wladna_core.model import Child, Family, Gazetteer, Referral, TerritoryLevel
from wladna_core.storage.builtin_kinds import CHILD, REFERRAL
from wladna_core.storage.kinds import FieldType, Filter, ManyField, Match, RecordKind
from wladna_core.storage.ports import (
    REPOSITORY_NAMES,
    Aggregate,
    R,
    Repository,
    Row,
    Store,
    StoreEnvironment,
    StoreError,
    T,
    UnitOfWork,
)
from wladna_core.storage.query import ChildQuery, Query, ReferralQuery, territory_subtree
from wladna_core.storage.sql import tables
from wladna_core.storage.sql.engine import (
    READ_OPTION,
    SQL_SCHEMES,
    SqlSettings,
    is_memory,
    make_engine,
    parse_url,
)
from wladna_core.storage.sql.kinds import tables_of
from wladna_core.storage.sql.migrate import check_schema, connected, unreachable
from wladna_core.storage.sql.reporting import SqlAggregate, SqlReport

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence

    import pluggy

__all__ = [
    "SqlRepository",
    "SqlStore",
    "SqlUnitOfWork",
    "wladna_open_store",
    "wladna_store_schemes",
]

# Ids looked up per statement on SQLite: well below its limit on bound parameters.
_IDS_PER_STATEMENT: Final = 5000

Condition = sa.ColumnElement[bool]
Places = tuple[str | None, str | None]


@functools.lru_cache(maxsize=256)
def _among(dialect: str, column: sa.ColumnElement[str], name: str = "among") -> Condition:
    """Return the condition that ``column`` is one of the values of the parameter ``name``.

    PostgreSQL takes them all in one array parameter: one statement, prepared once whatever the
    number of values.  SQLite takes an expanding ``IN`` list of at most ``_IDS_PER_STATEMENT``
    of them (see :func:`_chunks`).  Made once per column, so that the statements using it are
    built once too, and each lookup only binds its values.
    """
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(sa.String())))
    return column.in_(sa.bindparam(name, expanding=True))


def _chunks(dialect: str, values: Sequence[str]) -> Iterator[list[str]]:
    """Yield ``values`` in the lists one statement of :func:`_among` takes: all, on PostgreSQL."""
    if dialect == "postgresql":
        yield list(values)
        return
    for start in range(0, len(values), _IDS_PER_STATEMENT):
        yield list(values[start : start + _IDS_PER_STATEMENT])


class _Decoded:
    """The records last read by id from their rows' JSON text, to read the same text for free.

    Every unit of work reads the records it needs from the database (another process may have
    changed them), but a row whose text is the one read before holds the same record: decoding
    and checking it again would give an equal, immutable record.  At most ``most`` records are
    kept, the least recently read dropped first.  Safe to share between threads.
    """

    def __init__(self, most: int = 4096) -> None:
        self._most = most
        self._records: dict[tuple[type, str], tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, record_type: type, record_id: str, text: str) -> Any | None:
        """Return the record read from exactly ``text`` before, or ``None``."""
        key = (record_type, record_id)
        with self._lock:
            found = self._records.pop(key, None)
            if found is None:
                return None
            self._records[key] = found  # now the most recently read
        return found[1] if found[0] == text else None

    def keep(self, record_type: type, record_id: str, text: str, record: object) -> None:
        """Keep ``record``, read from ``text``."""
        key = (record_type, record_id)
        with self._lock:
            self._records.pop(key, None)
            self._records[key] = (text, record)
            if len(self._records) > self._most:
                for oldest in list(self._records)[: self._most // 4]:
                    del self._records[oldest]


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
        environment: StoreEnvironment | None = None,
        plugins: pluggy.PluginManager | None = None,
        settings: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(url, environment=environment, plugins=plugins, settings=settings)
        self._check_kinds_have_tables()
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
        self._decoded = _Decoded()
        # SQLite lets one unit of work write at a time: a unit of work nested in another of the
        # same thread would wait for the lock its own thread holds, so it is refused at once.
        # An in-memory database is a single connection: its units of work take turns (_turn).
        self._sqlite = database.get_backend_name() == "sqlite"
        self._busy_timeout = checked.busy_timeout
        self._turn = threading.Lock() if is_memory(database) else None
        self._working = threading.local()
        try:
            check_schema(
                self.engine,
                auto_upgrade=checked.auto_upgrade,
                migrations=self.environment.migrations,
            )
        except BaseException:
            self.engine.dispose()
            raise

    def _check_kinds_have_tables(self) -> None:
        """Refuse a kind of record whose tables no migration creates: it could not be kept."""
        homeless = [
            kind.name
            for kind in self.kinds.values()
            if kind.migrations is None and tables.BUILTIN_TABLES.get(kind.name) is None
        ]
        if homeless:
            msg = (
                f"the SQL store cannot keep the kinds of record {', '.join(sorted(homeless))}: "
                "no migration creates their tables. The plug-in declaring them names its "
                "migrations in RecordKind(migrations=...); see 'Adding a kind of record' in the "
                "plug-in guide"
            )
            raise StoreError(msg)

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
        reading = self._open_unit_of_work()
        reading.read_only = True
        with reading as uow:
            result: R = query.compute_sql(SqlReport(uow, self))
            uow.rollback()
        return result

    def _reset(self) -> None:
        with self._taking_turn(), connected(self.engine) as connection:
            for kind in self.kinds.values():
                if kind.name not in tables.BUILTIN_TABLES:
                    layout = _layout(kind)
                    for side in layout.sides:
                        connection.execute(side.table.delete())
                    connection.execute(layout.table.delete())
            for table in reversed(tables.metadata.sorted_tables):
                connection.execute(table.delete())

    def _close(self) -> None:
        if self.engine.dialect.name == "sqlite" and not is_memory(self.engine.url):
            # SQLite advises it before closing: refresh the planner's statistics where they
            # are stale (approximately, within a bounded effort), so that reports keep using
            # the narrow indexes after the data has grown.  Not at all while another process
            # writes: closing never waits for the write lock.
            with contextlib.suppress(sa.exc.DBAPIError), self.engine.connect() as connection:
                cursor = connection.connection.cursor()  # outside any transaction
                try:
                    cursor.execute("PRAGMA busy_timeout = 0")
                finally:
                    cursor.close()
                with connection.begin():
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
        reader = self.read_only and self.store._turn is None
        if not reader:
            # A read-only unit of work on a SQLite file never takes the write lock, so it needs
            # no turn (an in-memory database's single connection always does).
            turn.enter_context(self.store._taking_turn())
        engine = self.store.engine
        try:
            connection = engine.connect()
            if self.read_only:
                connection = connection.execution_options(**_READ_ONLY[self.store.dialect])
        except (sa.exc.DBAPIError, sa.exc.TimeoutError) as exc:
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
        references = self.store.kinds[record_type].references
        # Only what the rules on these records read: a rule's needs name repositories.
        needed = {need for rule in self.store.rules.for_entity(record_type) for need in rule.needs}
        wanted: dict[type, set[str]] = {}
        for record in records:
            if type(record) is record_type:
                for referred_type, record_id in references(record):
                    if record_id is not None and REPOSITORY_NAMES.get(referred_type) in needed:
                        wanted.setdefault(referred_type, set()).add(record_id)
        for referred_type, record_ids in wanted.items():
            repository: Repository[Any] = self.repository(referred_type)
            if not isinstance(repository, SqlRepository):
                continue
            if referred_type in _EXISTENCE_AHEAD:
                repository._read_ahead_ids(record_ids)
            else:
                repository._read_ahead(record_ids)
        batch = [record for record in records if type(record) is record_type]
        for search in _SEARCHES_AHEAD.get(self.store.kinds[record_type].name, ()):
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

    def _lock(self, kind: str, record_id: str) -> None:
        # SQLite: BEGIN IMMEDIATE holds the database's write lock already.
        if self.store.dialect != "postgresql":
            return
        # A transaction-level advisory lock keyed by a hash of the kind and id, computed here
        # so that an id the database could not take as text (a NUL) still locks.  Two records
        # of one hash wait for each other, which is rare and harmless.
        digest = hashlib.blake2b(
            f"{kind}\x1f{record_id}".encode("utf-8", "surrogatepass"), digest_size=4
        ).digest()
        with self._translating():
            self.connection.execute(
                _RECORD_LOCK, {"key": int.from_bytes(digest, "big", signed=True)}
            )

    def _audit_lock(self) -> None:
        # SQLite: BEGIN IMMEDIATE holds the database's write lock already.
        if self._audit_locked or self.store.dialect != "postgresql":
            return
        with self._translating():
            self.connection.execute(_AUDIT_LOCK)
        self._audit_locked = True

    def _audit_last(self) -> AuditEntry | None:
        entries = self._audit_read(_AUDIT_LAST, {})
        return entries[0] if entries else None

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
        return self._audit_read(statement, parameters)

    def _audit_read(
        self, statement: sa.Select[Any], parameters: Mapping[str, Any]
    ) -> list[AuditEntry]:
        """Read audit entries as stored, whatever a row changed in the database holds.

        A row whose values the driver cannot turn into Python values (a time of ``infinity``
        or of the year 20000, text that is not UTF-8) is read again with every column as the
        database writes it, so that verification can report it instead of failing.
        """
        with self._translating():
            try:
                rows = self.connection.execute(statement, parameters).all()
                return [_audit_entry(row) for row in rows]
            except (sa.exc.DBAPIError, ValueError, TypeError, OverflowError) as unreadable:
                if isinstance(unreadable, sa.exc.DBAPIError) and not _unreadable_row(unreadable):
                    raise
            raw = _raw_audit_statement(statement, sqlite=self.store._sqlite)
            return [
                _raw_audit_entry(row, sqlite=self.store._sqlite)
                for row in self.connection.execute(raw, parameters).all()
            ]

    @contextlib.contextmanager
    def _translating(self, record_type: str = "record") -> Iterator[None]:
        """Turn the database's errors into :class:`StoreError` saying what happened."""
        try:
            yield
        except sa.exc.IntegrityError as exc:
            raise _integrity_error(record_type, exc) from exc
        except sa.exc.DatabaseError as exc:
            raise self._operational_error(exc) from exc

    def _operational_error(self, exc: sa.exc.DatabaseError) -> StoreError:
        where = self.store.engine.url.render_as_string(hide_password=True)
        reason = _first_line(exc)
        if self.store._sqlite and "locked" in reason:
            timeout = self.store._busy_timeout
            return StoreError(
                f"the SQLite database {where} is busy: another unit of work has been writing "
                f"for more than {timeout:g} s ({reason}); nothing was saved. Try again, keep "
                "units of work short, or raise the busy_timeout setting"
            )
        if getattr(exc.orig, "sqlstate", None) in _CONTENTION:
            # PostgreSQL undid this unit of work for another one running at the same time.
            return StoreError(
                f"the database {where} undid this unit of work, which ran at the same time as "
                f"another one needing the same rows ({reason}); nothing of it was saved. Do the "
                "work again"
            )
        return StoreError(
            f"the database {where} failed: {reason}; nothing of this unit of work was saved. "
            "Check the database server and do the work again"
        )


# SQLSTATEs of a transaction undone for a concurrent one: serialization failure, deadlock.
_CONTENTION: Final = frozenset({"40001", "40P01"})

# How a read-only unit of work begins its transaction: SQLite with a plain (deferred) BEGIN,
# which takes no lock until it reads and never waits for a writer in WAL mode (see
# engine.READ_OPTION); PostgreSQL as a read-only transaction reading one snapshot.
_READ_ONLY: Final[dict[str, dict[str, Any]]] = {
    "sqlite": {READ_OPTION: True},
    "postgresql": {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True},
}

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
# Transaction-level advisory lock of one record (UnitOfWork.lock): "wlRc" read as a number, and
# a hash of the record's kind and id.
_RECORD_LOCK: Final = sa.select(
    sa.func.pg_advisory_xact_lock(
        sa.literal(int.from_bytes(b"wlRc", "big"), sa.Integer),
        sa.bindparam("key", type_=sa.Integer),
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


def _unreadable_row(exc: sa.exc.DBAPIError) -> bool:
    """Whether the driver failed on a value it read (not on the database or the statement)."""
    if isinstance(exc, sa.exc.DataError):
        return True  # PostgreSQL: a time psycopg cannot load ("timestamp too large")
    return isinstance(exc, sa.exc.OperationalError) and "decode" in str(exc.orig).lower()


_AUDIT_NAMES: Final = tuple(field.name for field in attrs.fields(AuditEntry))
_AUDIT_INTEGERS: Final = frozenset({"seq", "version"})
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _raw_audit_statement(statement: sa.Select[Any], *, sqlite: bool) -> sa.Select[Any]:
    """``statement`` selecting every column as the database writes it, to read any row.

    SQLite: each value's storage class and its bytes.  PostgreSQL: each value as text, and
    the time also as seconds since 1970 (exact, ``Infinity`` for infinite times).
    """
    columns: list[sa.ColumnElement[Any]] = []
    for name in _AUDIT_NAMES:
        column = _audit.c[name]
        if sqlite:
            columns += [sa.func.typeof(column), sa.cast(column, sa.LargeBinary)]
        else:
            columns.append(sa.cast(column, sa.Text))
    if not sqlite:
        columns.append(sa.cast(sa.extract("epoch", _audit.c.at), sa.Text))
    return statement.with_only_columns(*columns, maintain_column_froms=True)


def _raw_audit_entry(row: sa.Row[Any], *, sqlite: bool) -> AuditEntry:
    """Build the entry of a row read by :func:`_raw_audit_statement`: any value is kept."""
    values: dict[str, Any] = {}
    if sqlite:
        for index, name in enumerate(_AUDIT_NAMES):
            values[name] = _sqlite_value(row[2 * index], row[2 * index + 1])
        values["at"] = _stored_time(values["at"])
    else:
        for index, name in enumerate(_AUDIT_NAMES):
            text = row[index]
            values[name] = _whole_number(text) if name in _AUDIT_INTEGERS else text
        values["at"] = _epoch_time(row[len(_AUDIT_NAMES)], values["at"])
    return AuditEntry(**values)


def _whole_number(text: str | None) -> object:
    try:
        return None if text is None else int(text)
    except ValueError:
        return text  # a column retyped in the database: verification reports the row


def _sqlite_value(storage: str | None, data: bytes | None) -> object:
    if data is None or storage == "null":
        return None
    if storage == "integer":
        return int(data)
    if storage == "real":
        return float(data)
    if storage == "text":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return bytes(data)  # not text: verification reports the row
    return bytes(data)


def _stored_time(value: object) -> object:
    """Return the time SQLite keeps as text (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), or ``value``."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _epoch_time(seconds: str | None, text: object) -> object:
    """Return the time PostgreSQL gives in seconds since 1970, or ``text`` if no datetime can be."""
    if seconds is None:
        return None
    try:
        micros = int(Decimal(seconds) * 1_000_000)
        return _EPOCH + timedelta(microseconds=micros)
    except (ArithmeticError, ValueError, OverflowError):
        return text  # infinity, or beyond the years a datetime holds


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


# How each kind of record maps to rows ----------------------------------------------------


@attrs.frozen
class _SideTable:
    """A table of the items a record holds many of, one row each, rewritten at each write."""

    table: sa.Table
    field: ManyField

    @property
    def owner(self) -> sa.Column[str]:
        """The column holding the owner's id."""
        return cast("sa.Column[str]", self.table.c[self.field.owner])

    def rows(self, record: Any) -> list[dict[str, Any]]:
        """Return the rows of ``record``'s items."""
        names = [name for name, _type in self.field.columns]
        rows = []
        for position, item in enumerate(self.field.items(record)):
            row = {self.field.owner: record.id, **dict(zip(names, item, strict=True))}
            if self.field.positional:
                row["position"] = position
            rows.append(row)
        return rows


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
        schemes = sorted({scheme.value for scheme, _ in keys})
        values = sorted({value for _, value in keys})
        found: dict[tuple[str, str], dict[str, Child]] = {}
        dialect = unit_of_work.store.dialect
        statement = _children_with_identifiers(dialect)
        for chunk in _chunks(dialect, values):
            for row in repository._rows(statement, {"among": chunk, "schemes": schemes}):
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
        found: dict[str, list[Referral]] = {}
        dialect = unit_of_work.store.dialect
        statement = _referrals_of_cases(dialect)
        for chunk in _chunks(dialect, case_ids):
            for row in repository._rows(statement, {"among": chunk}):
                referral = repository._read(row.id, row.version, row.record)
                found.setdefault(referral.case_id, []).append(referral)
        for case_id in case_ids:
            unit_of_work._remember_search(
                (Referral, ReferralQuery(case_id=case_id), None, None), found.get(case_id, [])
            )


@functools.cache
def _children_with_identifiers(dialect: str) -> sa.Select[Any]:
    """Select the children carrying one of the identifiers ``among`` in one of ``schemes``."""
    identifiers, children = tables.child_identifiers, tables.children
    return (
        sa.select(identifiers.c.scheme, identifiers.c.value, *_statements(CHILD).read_columns)
        .join_from(children, identifiers, identifiers.c.child_id == children.c.id)
        .where(
            identifiers.c.scheme.in_(sa.bindparam("schemes", expanding=True)),
            _among(dialect, identifiers.c.value),
        )
    )


@functools.cache
def _referrals_of_cases(dialect: str) -> sa.Select[Any]:
    """Select the referrals of the cases ``among``, in order of id."""
    referrals = tables.referrals
    return (
        sa.select(*_statements(REFERRAL).read_columns)
        .where(_among(dialect, referrals.c.case_id))
        .order_by(referrals.c.id)
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
        return {name: _plain(value)}


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


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
        return {name: sorted(str(_plain(member)) for member in value)}


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
class _Contains(_Filter):
    """One of the items of a record's side table equals the value (a tuple of its columns)."""

    side: _SideTable
    owner_id: sa.Column[str]

    def condition(self, name: str, _shape: str) -> Condition:
        table = self.side.table
        values = [column for column, _type in self.side.field.columns]
        return (
            sa.select(self.side.owner)
            .where(
                self.side.owner == self.owner_id,
                *(table.c[column] == sa.bindparam(f"{name}_{column}") for column in values),
            )
            .exists()
        )

    def parameters(self, name: str, value: Any, _gazetteer: Gazetteer) -> dict[str, Any]:
        values = [column for column, _type in self.side.field.columns]
        items = value if isinstance(value, tuple) else (value,)
        if len(items) != len(values):
            msg = (
                f"the filter {name.removeprefix('q_')!r} compares {len(values)} value(s) "
                f"({', '.join(values)}), got {value!r}"
            )
            raise ValueError(msg)
        return {
            f"{name}_{column}": _plain(item) for column, item in zip(values, items, strict=True)
        }


@attrs.frozen
class _ContainsAny(_Filter):
    """One of the items of a one-column side table is one of the values.

    Written ``id IN (SELECT owner FROM side WHERE value IN (...))``, so that the database looks
    each value up in the side table's index and never walks the records' table.
    """

    side: _SideTable
    owner_id: sa.Column[str]

    def condition(self, name: str, _shape: str) -> Condition:
        table = self.side.table
        [(column, _type)] = self.side.field.columns
        chosen = sa.select(self.side.owner).where(
            table.c[column].in_(sa.bindparam(name, expanding=True))
        )
        return self.owner_id.in_(chosen)

    def parameters(self, name: str, value: Any, _gazetteer: Gazetteer) -> dict[str, Any]:
        return {name: sorted(_plain(member) for member in value)}


@attrs.frozen(eq=False)
class _Layout:
    """Where the records of one kind go: their table, columns, side tables and filters."""

    kind: RecordKind[Any]
    table: sa.Table
    filters: Mapping[str, _Filter]
    sides: tuple[_SideTable, ...]
    # Each declared field's column, getter and whether it is a territory, for every row written.
    _fields: tuple[tuple[str, Callable[[Any], object], bool], ...] = attrs.field(
        init=False,
        default=attrs.Factory(
            lambda layout: tuple(
                (field.name, field.get, field.type is FieldType.TERRITORY)
                for field in layout.kind.fields
            ),
            takes_self=True,
        ),
    )

    def columns(self, record: Any, store: SqlStore) -> dict[str, Any]:
        """Return the values of the declared columns of ``record``'s row.

        Each is :meth:`Field.value <wladna_core.storage.kinds.Field.value>`: what the field's
        getter returns, an enum member as its value.
        """
        values: dict[str, Any] = {}
        for name, get, territory in self._fields:
            value = get(record)
            if isinstance(value, enum.Enum):
                value = value.value
            values[name] = value
            if territory:
                values["province"], values["region"] = store.places(cast("str | None", value))
        return values


#: The records the built-in rules only ask the existence of (``case.family_unknown`` asks
#: whether a case's family exists): only their ids are read ahead.  A rule reading one of them
#: still gets it, read then.
_EXISTENCE_AHEAD: Final = frozenset({Family})

#: The searches the built-in rules make for each new record of a built-in kind, by kind name:
#: an optimisation of this adapter for the core's own rules (a kind without any is kept alike).
_SEARCHES_AHEAD: Final[Mapping[str, tuple[_SearchAhead, ...]]] = {
    "child": (_ChildrenWithIdentifier(),),
    "case": (_ReferralsOfCase(lambda case: case.id),),
    "referral": (_ReferralsOfCase(lambda referral: referral.case_id),),
}


def _filter(layout_table: sa.Table, sides: Mapping[str, _SideTable], item: Filter) -> _Filter:
    if item.match in (Match.CONTAINS, Match.CONTAINS_ANY):
        found = _Contains if item.match is Match.CONTAINS else _ContainsAny
        return found(sides[item.field], layout_table.c.id)
    column = layout_table.c[item.field]
    if item.match is Match.WITHIN:
        return _Within(column, layout_table.c.province, layout_table.c.region)
    if item.match is Match.ONE_OF:
        return _OneOf(column)
    if item.match is Match.FROM:
        return _From(column)
    if item.match is Match.TO:
        return _To(column)
    return _Equal(column)


@functools.cache
def _layout(kind: RecordKind[Any]) -> _Layout:
    """Return how records of ``kind`` map to rows (the built-in kinds' tables are the core's)."""
    kind_tables = tables.BUILTIN_TABLES.get(kind.name)
    if kind_tables is None or kind_tables.kind != kind:
        kind_tables = tables_of(kind)
    sides = {item.name: _SideTable(kind_tables.side[item.name], item) for item in kind.many}
    filters = {name: _filter(kind_tables.table, sides, item) for name, item in kind.filters.items()}
    return _Layout(kind, kind_tables.table, filters, tuple(sides.values()))


@attrs.frozen(eq=False)
class _Statements:
    """The statements a repository runs on its table, built once (SQLAlchemy caches them)."""

    read_columns: tuple[sa.ColumnElement[Any], ...]
    load: sa.Select[Any]
    insert: sa.Insert
    replace: sa.Update
    side_insert: tuple[sa.Insert, ...]
    side_delete: tuple[sa.Delete, ...]

    @classmethod
    def of(cls, layout: _Layout) -> _Statements:
        """Build the statements of ``layout``'s table."""
        table = layout.table
        # The record is read as JSON text and decoded by the converter, so that a damaged row
        # is reported with the record's paths rather than failing inside a driver.
        read_columns = (
            table.c.id,
            table.c.version,
            sa.cast(table.c.record, sa.Text).label("record"),
        )
        return cls(
            read_columns=read_columns,
            load=sa.select(*read_columns).where(table.c.id == sa.bindparam("record_id")),
            insert=table.insert(),
            # The SET clause is made of the parameters' keys: every column but the id.
            replace=table.update().where(
                table.c.id == sa.bindparam("match_id"),
                table.c.version == sa.bindparam("match_version"),
            ),
            side_insert=tuple(side.table.insert() for side in layout.sides),
            side_delete=tuple(
                side.table.delete().where(side.owner == sa.bindparam("owner"))
                for side in layout.sides
            ),
        )


@attrs.frozen
class _BulkInsert:
    """An INSERT compiled once for a dialect and a set of columns, run through the driver.

    SQLAlchemy processes every row's parameters of an ``executemany`` one by one; for the
    thousands of rows of a bulk load, the same work — each column's own bind processor (JSON,
    dates...) — is done here, and the rows handed to the driver's ``executemany`` as they are.
    """

    sql: str
    # The columns in the order the statement takes them, each with its processor or None.
    columns: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    positional: bool

    @classmethod
    def of(cls, statement: sa.Insert, dialect: sa.Dialect, keys: tuple[str, ...]) -> _BulkInsert:
        """Compile ``statement`` for ``dialect``, taking the columns ``keys``."""
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        table = statement.table
        positional = compiled.positiontup is not None
        order = tuple(compiled.positiontup) if positional else keys  # type: ignore[arg-type]
        columns = tuple(
            (key, table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) for key in order
        )
        return cls(compiled.string, columns, positional)

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Return the rows' parameters as the driver takes them, each value processed."""
        columns = self.columns
        if self.positional:
            return [
                tuple(
                    value if process is None or value is None else process(value)
                    for key, process in columns
                    for value in (row[key],)
                )
                for row in rows
            ]
        return [
            {
                key: value if process is None or value is None else process(value)
                for key, process in columns
                for value in (row[key],)
            }
            for row in rows
        ]


_BULK: Final[dict[tuple[int, str, tuple[str, ...]], tuple[sa.Insert, _BulkInsert]]] = {}


def _insert_many(
    connection: sa.Connection, statement: sa.Insert, rows: list[dict[str, Any]]
) -> None:
    """Insert ``rows`` (all with the same keys) with ``statement``, as one ``executemany``."""
    dialect = connection.dialect
    keys = tuple(rows[0])
    key = (id(statement), dialect.name, keys)
    found = _BULK.get(key)
    if found is None or found[0] is not statement:
        found = (statement, _BulkInsert.of(statement, dialect, keys))
        _BULK[key] = found
    bulk = found[1]
    connection.exec_driver_sql(bulk.sql, bulk.parameters(rows))


@functools.cache
def _statements(kind: RecordKind[Any]) -> _Statements:
    return _Statements.of(_layout(kind))


@attrs.frozen(eq=False)
class _ByIds:
    """A kind's lookups by a list of ids (the parameter ``among``), made once per dialect."""

    ids: sa.Select[Any]
    records: sa.Select[Any]


@functools.lru_cache(maxsize=256)
def _by_ids(kind: RecordKind[Any], dialect: str) -> _ByIds:
    id_column = _layout(kind).table.c.id
    among = _among(dialect, id_column)
    return _ByIds(
        ids=sa.select(id_column).where(among),
        records=sa.select(*_statements(kind).read_columns).where(among),
    )


@functools.cache
def _numbers_among(dialect: str) -> sa.Select[Any]:
    """Select the case numbers that are among those of the parameter ``among``."""
    column = tables.cases.c.number
    return sa.select(column).where(_among(dialect, column))


#: The filters a search uses, in order, each with the form of its condition.
_Shape = tuple[tuple[str, str], ...]


def _where(kind: RecordKind[Any], shape: _Shape) -> list[Condition]:
    filters = _layout(kind).filters
    return [filters[field].condition(f"q_{field}", form) for field, form in shape]


@functools.lru_cache(maxsize=512)
def _search_statement(
    kind: RecordKind[Any], shape: _Shape, *, after: bool, limit: bool
) -> sa.Select[Any]:
    """Build the search of ``kind``'s records for ``shape``, in order of id (once)."""
    table = _layout(kind).table
    statement = sa.select(*_statements(kind).read_columns).where(*_where(kind, shape))
    if after:
        statement = statement.where(table.c.id > sa.bindparam("q_after"))
    statement = statement.order_by(table.c.id)
    if limit:
        statement = statement.limit(sa.bindparam("q_limit", type_=sa.Integer))
    return statement


@functools.lru_cache(maxsize=512)
def _count_statement(kind: RecordKind[Any], shape: _Shape) -> sa.Select[Any]:
    """Build the count of ``kind``'s records for ``shape`` (once)."""
    table = _layout(kind).table
    return sa.select(sa.func.count()).select_from(table).where(*_where(kind, shape))


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
        self._kind = unit_of_work.store.kinds[record_type]
        self._layout = _layout(self._kind)
        self._table = self._layout.table
        self._statements = _statements(self._kind)
        self._remembered: dict[str, T] = {}
        # Ids of records this unit of work found stored without reading them (records are
        # never deleted but by a reset of the whole store, outside any unit of work).
        self._stored_ids: set[str] = set()

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
        once, for the rules that check them.  A single record is not read ahead: the rules'
        lookups of its references, one each, are the same statements.
        """
        batch = list(records)
        uow = self.unit_of_work
        if len(batch) > 1:
            with uow._guard():
                uow._read_ahead(self.record_type, batch)
        try:
            return super().add_many(batch)
        finally:
            if not uow.store._sqlite:
                # Without SQLite's write lock, searches read ahead are good for this batch only.
                uow._forget_searches()

    def _rows(
        self, statement: sa.Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Sequence[sa.Row[Any]]:
        """Return the rows of ``statement``, read in the unit of work's transaction."""
        with self._translating():
            return self._connection.execute(statement, parameters).all()

    def _read_ahead(self, record_ids: Collection[str]) -> None:
        """Read and remember the records with these ids, a chunk of ids per statement."""
        wanted = sorted(key for key in record_ids if key not in self._remembered)
        if not wanted:
            return
        dialect = self.store_dialect
        statement = _by_ids(self._kind, dialect).records
        records: list[T] = []
        with self._translating():
            for chunk in _chunks(dialect, wanted):
                rows = self._connection.execute(statement, {"among": chunk}).all()
                records.extend(self._read(row.id, row.version, row.record) for row in rows)
        self._remember(records)

    def _read_ahead_ids(self, record_ids: Collection[str]) -> None:
        """Find which of these ids are stored, for :meth:`_exists`, a chunk per statement."""
        wanted = [
            key for key in record_ids if key not in self._remembered and key not in self._stored_ids
        ]
        if wanted:
            self._stored_ids.update(self._existing_ids(wanted))

    def _exists(self, record_id: str) -> bool:
        if record_id in self._remembered or record_id in self._stored_ids:
            return True
        if self._existing_ids((record_id,)):
            self._stored_ids.add(record_id)
            return True
        return False

    # Writing -----------------------------------------------------------------------------------

    def _existing_ids(self, record_ids: Collection[str]) -> Collection[str]:
        return self._found(_by_ids(self._kind, self.store_dialect).ids, record_ids)

    def _numbers_taken(self, numbers: Collection[str]) -> Collection[str]:
        return self._found(_numbers_among(self.store_dialect), numbers)

    def _found(self, statement: sa.Select[Any], values: Collection[str]) -> set[str]:
        """Return the values among ``values`` that ``statement`` finds (one column selected)."""
        dialect = self.store_dialect
        found: set[str] = set()
        with self._translating():
            for chunk in _chunks(dialect, sorted(values)):
                found.update(self._connection.execute(statement, {"among": chunk}).scalars())
        return found

    def _insert(self, rows: Sequence[Row[T]]) -> None:
        store = self.unit_of_work.store
        columns = self._layout.columns
        values = [
            {
                "id": row.id,
                "version": row.version,
                "record": row.json_payload(),
                **columns(row.record, store),
            }
            for row in rows
        ]
        records = [row.record for row in rows]
        self.unit_of_work._forget_searches()
        with self._translating():
            _insert_many(self._connection, self._statements.insert, values)
            self._write_side_rows(records, replace=False)
        self._remember(records)

    def _replace(self, row: Row[T], expected_version: int) -> bool:
        values = {
            "match_id": row.id,
            "match_version": expected_version,
            "version": row.version,
            "record": row.json_payload(),
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
            sides = self._layout.sides
            # The side rows of the version replaced are those of the record this unit of work
            # loaded at that version: rewrite them only when they change.
            unchanged = (
                loaded is not None
                and loaded.version == expected_version
                and all(side.rows(loaded) == side.rows(row.record) for side in sides)
            )
            if not unchanged:
                self._write_side_rows([row.record], replace=True)
        self._remember([row.record])
        return True

    def _write_side_rows(self, records: Sequence[T], *, replace: bool) -> None:
        statements = self._statements
        for side, insert, delete in zip(
            self._layout.sides, statements.side_insert, statements.side_delete, strict=True
        ):
            if replace:
                owners = [{"owner": record.id} for record in records]
                self._connection.execute(delete, owners)
            rows = [row for record in records for row in side.rows(record)]
            if rows:
                _insert_many(self._connection, insert, rows)

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
        record = self._read(found.id, found.version, found.record, keep=True)
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
            self._kind, shape, after=after is not None, limit=limit is not None
        )
        with self._translating():
            rows = self._connection.execute(statement, parameters).all()
        return [self._read(row.id, row.version, row.record) for row in rows]

    def _count(self, query: Query[T] | None) -> int:
        shape, parameters = self._search(query)
        statement = _count_statement(self._kind, shape)
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
        for field, value in query.set_filters():
            found = filters.get(field)
            if found is None:
                msg = (
                    f"the SQL store cannot search {self.record_type.__name__} records by "
                    f"{field!r}: the kind {self._kind.name!r} declares no such filter; declare "
                    "it, or leave this filter out"
                )
                raise StoreError(msg)
            name = f"q_{field}"
            shape.append((field, found.shape(value, gazetteer)))
            parameters.update(found.parameters(name, value, gazetteer))
        return tuple(shape), parameters

    def _read(self, record_id: str, version: int, text: str | None, *, keep: bool = False) -> T:
        """Return the record of a row, or raise :class:`InvalidRecord` naming the row.

        :param keep: keep the record decoded for the next unit of work reading the same row
            (records read one by one, by id: a case's child, a service's case); searches and
            streams are not kept, so that streaming holds one batch in memory.
        """
        from wladna_core.convert import loads  # noqa: PLC0415 (convert imports the model)

        decoded = self.unit_of_work.store._decoded
        if text is not None:
            known = decoded.get(self.record_type, record_id, text)
            if known is not None and known.version == version:
                return cast("T", known)
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
        if keep and text is not None:
            decoded.keep(self.record_type, record_id, text, record)
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


# The plug-in -----------------------------------------------------------------------------------


@hookimpl
def wladna_open_store(
    url: str,
    settings: Mapping[str, object],
    plugins: pluggy.PluginManager,
    environment: StoreEnvironment,
) -> SqlStore | None:
    """Open a :class:`SqlStore` for ``sqlite:`` and ``postgresql:`` URLs; ``None`` otherwise."""
    database = parse_url(url)
    if database is None:
        return None
    return SqlStore(url, database, environment=environment, plugins=plugins, settings=settings)


@hookimpl
def wladna_store_schemes() -> tuple[str, ...]:
    """Declare the SQL store's URLs: SQLite files, SQLite in memory and PostgreSQL."""
    return SQL_SCHEMES
