"""Connecting to SQLite and PostgreSQL: URLs, settings, and the engine each store uses.

SQLite connections are set up when they open (the ``connect`` event): write-ahead logging
(``journal_mode=WAL``, for files), foreign keys enforced, a busy timeout, and full ``fsync`` at
each commit (``synchronous=FULL``; the ``sqlite_synchronous`` setting can relax it to
``NORMAL`` for throw-away databases such as the demonstration's).  A unit of work on SQLite
begins with ``BEGIN IMMEDIATE``: it takes the database's single write lock at once, so that a
unit of work never fails half-way because another one wrote since it read; others wait for it
(up to the busy timeout).  A read-only unit of work (``store.unit_of_work(read_only=True)``)
begins with a plain ``BEGIN`` instead (the connection's :data:`READ_OPTION` execution option):
it takes no lock until it reads, and in WAL mode it never waits for a writer.

PostgreSQL is reached through psycopg 3 (``postgresql+psycopg://``; ``postgresql://`` means the
same).  Units of work run at ``READ COMMITTED`` (:data:`POSTGRES_ISOLATION`), set on every
connection whatever default the server, database or role was given
(``default_transaction_isolation``): the version-checked ``UPDATE`` of
:mod:`wladna_core.storage.sql.store`, which detects concurrent changes, and the audit trail,
whose units of work read its last entry once they hold its lock, are made for it.  At a
stricter level, concurrent writers would fail with the server's serialization errors where they
must take turns or get a :class:`~wladna_core.storage.ConcurrencyConflict`.  A read-only unit of
work reads one snapshot (``REPEATABLE READ``).  To keep
the tables in a schema of their own, put it in the URL:
``postgresql+psycopg://app@db/wladna?options=-csearch_path%3Dwladna`` (the schema must exist).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import msgspec
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

from wladna_core.storage.ports import ALLOW_RESET, StoreError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "AUTO_UPGRADE",
    "BUSY_TIMEOUT",
    "POSTGRES_ISOLATION",
    "READ_OPTION",
    "SETTINGS",
    "SQLITE_SYNCHRONOUS",
    "SQL_SCHEMES",
    "SqlSettings",
    "is_memory",
    "make_engine",
    "parse_url",
]

#: The URL schemes the SQL store opens.
SQL_SCHEMES: Final = (
    "sqlite:///<path>",
    "sqlite://",
    "postgresql+psycopg://<user>@<host>/<database>",
)

#: Setting: seconds a SQLite unit of work waits for another one's write lock (default 30).
BUSY_TIMEOUT: Final = "busy_timeout"
#: Setting: whether opening a database of an older schema upgrades it (default ``True``);
#: ``False`` refuses to open it until ``wladna db upgrade`` has run.
AUTO_UPGRADE: Final = "auto_upgrade"
#: Setting: how SQLite makes commits durable, ``"full"`` (the default) or ``"normal"``.
#: With ``"normal"`` (in WAL mode) a commit does not wait for the disk: a power cut or a crash
#: of the machine may lose the last units of work committed, but never corrupts the database.
#: Meant for data that can be made again (``wladna demo``), never for real records.
SQLITE_SYNCHRONOUS: Final = "sqlite_synchronous"
#: Execution option of a SQLite connection: ``True`` begins its transactions with a plain
#: (deferred) ``BEGIN``, for reading only; otherwise they begin with ``BEGIN IMMEDIATE``.
READ_OPTION: Final = "wladna_read"
#: The isolation level of a PostgreSQL store's units of work (read-only ones excepted), set on
#: every connection so that the server's ``default_transaction_isolation`` never changes it.
POSTGRES_ISOLATION: Final = "READ COMMITTED"
#: Every setting the SQL store reads.
SETTINGS: Final = (ALLOW_RESET, AUTO_UPGRADE, BUSY_TIMEOUT, SQLITE_SYNCHRONOUS)

_DEFAULT_BUSY_TIMEOUT: Final = 30.0
_SYNCHRONOUS_MODES: Final = {"full": "FULL", "normal": "NORMAL"}
_SQLITE_DRIVERS: Final = frozenset({"sqlite", "sqlite+pysqlite"})
_POSTGRES_DRIVERS: Final = frozenset({"postgresql", "postgresql+psycopg"})

_ENCODER: Final = msgspec.json.Encoder()


def dump_json(data: Any) -> str:
    """Return the JSON text of the converter's form of a record: compact, UTF-8 as written."""
    return _ENCODER.encode(data).decode("utf-8")


class SqlSettings:
    """The settings of a SQL store, checked.

    :param settings: the mapping given to :func:`~wladna_core.storage.open_store`; keys other
        than :data:`SETTINGS` are left to other components.
    :raises StoreError: if a setting has a value of the wrong kind.
    """

    __slots__ = ("auto_upgrade", "busy_timeout", "sqlite_synchronous")

    def __init__(self, settings: Mapping[str, object]) -> None:
        timeout = settings.get(BUSY_TIMEOUT, _DEFAULT_BUSY_TIMEOUT)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout < 0
        ):
            msg = f"the setting {BUSY_TIMEOUT!r} is a number of seconds >= 0, got {timeout!r}"
            raise StoreError(msg)
        auto_upgrade = settings.get(AUTO_UPGRADE, True)
        if not isinstance(auto_upgrade, bool):
            msg = f"the setting {AUTO_UPGRADE!r} is True or False, got {auto_upgrade!r}"
            raise StoreError(msg)
        synchronous = settings.get(SQLITE_SYNCHRONOUS, "full")
        if not isinstance(synchronous, str) or synchronous not in _SYNCHRONOUS_MODES:
            msg = (
                f"the setting {SQLITE_SYNCHRONOUS!r} is 'full' (the default: every commit "
                f"reaches the disk) or 'normal', got {synchronous!r}"
            )
            raise StoreError(msg)
        #: Seconds a SQLite unit of work waits for the write lock.
        self.busy_timeout = float(timeout)
        #: Whether an older schema is upgraded when the store opens.
        self.auto_upgrade = auto_upgrade
        #: SQLite's ``synchronous`` pragma: ``FULL`` or ``NORMAL``.
        self.sqlite_synchronous: str = _SYNCHRONOUS_MODES[synchronous]


def parse_url(url: str) -> sa.URL | None:
    """Return the SQLAlchemy URL of a SQL store URL, or ``None`` if it is not one.

    ``postgresql://`` is read as ``postgresql+psycopg://``, the only PostgreSQL driver the store
    is tested with.  Other drivers are not the SQL store's (``None``).
    """
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return None
    if parsed.drivername in _SQLITE_DRIVERS:
        return parsed
    if parsed.drivername in _POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg")
    return None


def is_memory(url: sa.URL) -> bool:
    """Return whether ``url`` is an in-memory SQLite database (``sqlite://``)."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: sa.URL, settings: SqlSettings) -> sa.Engine:
    """Return an engine for ``url`` (from :func:`parse_url`), its connections set up.

    Nothing is connected yet; the first unit of work connects.
    """
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, settings)
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        # Set on every connection, whatever default_transaction_isolation the server, the
        # database or the role gives: the version-checked UPDATE and the audit trail's lock
        # are made for READ COMMITTED (see the module's docstring).
        isolation_level=POSTGRES_ISOLATION,
        json_serializer=dump_json,
        json_deserializer=msgspec.json.decode,
    )


def _sqlite_engine(url: sa.URL, settings: SqlSettings) -> sa.Engine:
    memory = is_memory(url)
    options: dict[str, Any] = {
        "json_serializer": dump_json,
        "json_deserializer": msgspec.json.decode,
        # A connection is used by one unit of work at a time, not always in the same thread.
        "connect_args": {"check_same_thread": False},
    }
    if memory:
        # One connection, so that every unit of work sees the same database; the store lets
        # one unit of work at a time use it.
        options["poolclass"] = StaticPool
    engine = sa.create_engine(url, **options)
    busy_ms = round(settings.busy_timeout * 1000)
    synchronous = settings.sqlite_synchronous

    @event.listens_for(engine, "connect")
    def set_up(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # The store emits BEGIN itself (below): the sqlite3 module's own transaction
        # handling does not begin transactions before SELECT or DDL statements.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def begin_immediate(connection: sa.Connection) -> None:
        reading = connection.get_execution_options().get(READ_OPTION) is True
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine
