"""Schema migrations of the SQL store: apply them, and say where a database stands.

The migrations are Alembic scripts shipped inside the package
(``wladna_core/storage/sql/migrations``).  :func:`upgrade` applies those a database lacks, in one
transaction, holding a lock so that two processes never migrate the same database at once
(PostgreSQL: an advisory lock; SQLite: the write lock of ``BEGIN IMMEDIATE``).  The revision a
database is at lives in its table ``wladna_schema_version`` (not Alembic's default
``alembic_version``, so that an application's own Alembic history can share the database).

A store checks the revision when it opens (:func:`check_schema`): an empty database is migrated,
an older one is migrated too unless the ``auto_upgrade`` setting is ``False``, and a database
migrated by a newer version of wladna_core is refused, since this version cannot know what the
newer one changed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.resources
import os
import pathlib
from typing import TYPE_CHECKING, Final

import sqlalchemy as sa

from wladna_core.storage.ports import StoreError, UnsupportedStoreURL

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = [
    "VERSION_TABLE",
    "check_schema",
    "current_revision",
    "current_revisions",
    "head_revision",
    "head_revisions",
    "upgrade",
]

#: The table holding the revision a database is at.
VERSION_TABLE: Final = "wladna_schema_version"
# pg_advisory_xact_lock key held while migrating: "wladna" read as a number.
_MIGRATION_LOCK: Final = int.from_bytes(b"wladna", "big")


def _script_location() -> pathlib.Path:
    location = importlib.resources.files("wladna_core.storage.sql") / "migrations"
    if not isinstance(location, pathlib.Path):  # pragma: no cover (zip installs only)
        msg = (
            "the migrations of wladna_core must be files on disk to run; install wladna-core "
            "as a regular (not zipped) package"
        )
        raise StoreError(msg)
    return location


def _location_of(module: str) -> pathlib.Path:
    """Return the directory of the migrations of a plug-in's kinds (a package of scripts)."""
    try:
        location = importlib.resources.files(module)
    except (ModuleNotFoundError, TypeError) as exc:
        msg = (
            f"a kind of record names its migrations {module!r}, which is not an importable "
            "package; fix the plug-in's RecordKind(migrations=...)"
        )
        raise StoreError(msg) from exc
    if not isinstance(location, pathlib.Path):  # pragma: no cover (zip installs only)
        msg = f"the migrations {module!r} must be files on disk; install the plug-in unzipped"
        raise StoreError(msg)
    return location


def _config(connection: sa.Connection | None = None, migrations: tuple[str, ...] = ()) -> Config:
    from alembic.config import Config  # noqa: PLC0415 (alembic is loaded only to migrate)

    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    # The core's scripts and those of the plug-ins' kinds of record: one history, several
    # branches, applied together ("heads").
    locations = [_script_location() / "versions", *map(_location_of, migrations)]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(map(str, locations)))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _scripts(migrations: tuple[str, ...] = ()) -> ScriptDirectory:
    from alembic.script import ScriptDirectory  # noqa: PLC0415 (loaded only to migrate)

    return ScriptDirectory.from_config(_config(migrations=migrations))


@functools.cache
def _known_revisions(migrations: tuple[str, ...] = ()) -> frozenset[str]:
    return frozenset(script.revision for script in _scripts(migrations).walk_revisions())


def head_revision() -> str:
    """Return the revision this version of wladna_core brings its own tables to."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover (the package always ships its migrations)
        msg = "wladna_core ships no migrations; the installation is broken, reinstall it"
        raise StoreError(msg)
    return head


def head_revisions(migrations: tuple[str, ...] = ()) -> frozenset[str]:
    """Return the revisions databases are brought to: the core's and each plug-in branch's.

    :param migrations: the modules of the plug-in kinds' migrations
        (:attr:`StoreEnvironment.migrations <wladna_core.storage.StoreEnvironment.migrations>`).
    """
    return frozenset(_scripts(migrations).get_heads())


def _heads_of(connection: sa.Connection) -> frozenset[str]:
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return frozenset(context.get_current_heads())


def _revision_of(connection: sa.Connection) -> str | None:
    """Return the revision of the core's own tables (``None`` if never migrated).

    A plug-in's migrations are a branch of their own (``down_revision = None``), so the core's
    revision stays one of the heads the database records.
    """
    core = _known_revisions()
    return next((head for head in sorted(_heads_of(connection)) if head in core), None)


def _migrate(
    connection: sa.Connection, revision: str | None, migrations: tuple[str, ...] = ()
) -> None:
    from alembic import command  # noqa: PLC0415 (alembic is loaded only to migrate)

    where = connection.engine.url.render_as_string(hide_password=True)
    try:
        if connection.dialect.name == "postgresql":
            if connection.execute(sa.select(sa.func.current_schema())).scalar() is None:
                msg = (
                    f"the database {where} has no schema to create the store's tables in: the "
                    "schema named by the URL's search_path does not exist. Create it first "
                    "(CREATE SCHEMA ...), or correct the URL's options=-csearch_path=..."
                )
                raise StoreError(msg)
            # Held until the transaction ends: a second process waits, then has nothing to do.
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
        command.upgrade(_config(connection, migrations), "heads")
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
        msg = (
            f"migrating the database {where} to schema revision {head_revision()} failed: "
            f"{reason}. Nothing was changed: the database stays at revision {revision}. Restore "
            "anything changed by hand in its tables, then upgrade again"
        )
        raise StoreError(msg) from exc


def _engine_for(url: str, settings: Mapping[str, object] | None) -> sa.Engine:
    from wladna_core.storage.sql.engine import (  # noqa: PLC0415 (engine imports this module)
        SQL_SCHEMES,
        SqlSettings,
        make_engine,
        parse_url,
    )

    parsed = parse_url(url)
    if parsed is None:
        raise UnsupportedStoreURL(url, SQL_SCHEMES)
    try:
        return make_engine(parsed, SqlSettings(settings or {}))
    except ImportError as exc:
        msg = (
            f"opening {parsed.render_as_string(hide_password=True)} needs the "
            f"{parsed.get_driver_name()} driver ({exc.name} is not installed); install "
            "wladna-core[postgresql]"
        )
        raise StoreError(msg) from exc


def upgrade(
    url: str,
    *,
    settings: Mapping[str, object] | None = None,
    migrations: tuple[str, ...] = (),
) -> None:
    """Bring the database at ``url`` to :func:`head_revisions`, creating the tables if needed.

    All missing migrations run in one transaction: if one fails, the database stays at its
    previous revision.  Running it on an up-to-date database does nothing.

    :param url: a SQLite or PostgreSQL store URL (see :func:`wladna_core.storage.open_store`).
    :param settings: the store settings (only ``busy_timeout`` matters here).
    :param migrations: the modules of the plug-in kinds' migrations, applied with the core's.
    :raises UnsupportedStoreURL: if ``url`` is not a SQL store URL.
    :raises StoreError: if the database cannot be reached, or was migrated by a newer
        wladna_core.
    """
    engine = _engine_for(url, settings)
    try:
        with connected(engine) as connection:
            revision = _revision_of(connection)
            _check_known(connection, _heads_of(connection), engine, migrations)
            _migrate(connection, revision, migrations)
    finally:
        engine.dispose()


def current_revisions(url: str, *, settings: Mapping[str, object] | None = None) -> tuple[str, ...]:
    """Return the revisions the database at ``url`` is at: the core's and each plug-in branch's.

    Empty if it was never migrated.

    :raises UnsupportedStoreURL: if ``url`` is not a SQL store URL.
    :raises StoreError: if the database cannot be reached.
    """
    engine = _engine_for(url, settings)
    try:
        with connected(engine, read_only=True) as connection:
            return tuple(sorted(_heads_of(connection)))
    finally:
        engine.dispose()


def current_revision(url: str, *, settings: Mapping[str, object] | None = None) -> str | None:
    """Return the revision the database at ``url`` is at; ``None`` if it was never migrated.

    :raises UnsupportedStoreURL: if ``url`` is not a SQL store URL.
    :raises StoreError: if the database cannot be reached.
    """
    engine = _engine_for(url, settings)
    try:
        with connected(engine, read_only=True) as connection:
            return _revision_of(connection)
    finally:
        engine.dispose()


def check_schema(
    engine: sa.Engine, *, auto_upgrade: bool, migrations: tuple[str, ...] = ()
) -> None:
    """Make sure the database of ``engine`` is at :func:`head_revisions`, as a store opens it.

    An empty database is migrated.  An older one is migrated if ``auto_upgrade``, else refused.

    :param migrations: the modules of the plug-in kinds' migrations, applied with the core's.
    :raises StoreError: if the database is refused, or cannot be reached.
    """
    # Read in a read transaction first: opening an up-to-date store never waits for a writer.
    # Up to date means every branch: the core's and each plug-in kind's.
    expected = head_revisions(migrations)
    with connected(engine, read_only=True) as connection:
        if _heads_of(connection) == expected:
            return
    with connected(engine) as connection:
        heads = _heads_of(connection)
        if heads == expected:
            return
        revision = _revision_of(connection)
        _check_known(connection, heads, engine, migrations)
        if heads and not auto_upgrade:
            where = engine.url.render_as_string(hide_password=True)
            msg = (
                f"the database {where} is at schema revision {revision}, and this version of "
                f"wladna_core needs revision {head_revision()}; back the database up, then upgrade "
                f"it with wladna_core.storage.upgrade(url) or `wladna db upgrade {where}` (or "
                "open it with the setting auto_upgrade=True)"
            )
            raise StoreError(msg)
        _migrate(connection, revision, migrations)


def _check_known(
    connection: sa.Connection,
    heads: frozenset[str],
    engine: sa.Engine,
    migrations: tuple[str, ...],
) -> None:
    where = engine.url.render_as_string(hide_password=True)
    unknown = sorted(heads - _known_revisions(migrations))
    if unknown:
        revision = ", ".join(unknown)
        msg = (
            f"the database {where} is at schema revision {revision}, which this version of "
            "wladna_core and its installed plug-ins do not know: the tables of a plug-in's kinds "
            "of record that is not installed (the revision is named after it), or a newer "
            "version of wladna_core, migrated it. Upgrade wladna_core and install "
            "the plug-ins whose kinds it holds to open it; never open it with an older version"
        )
        raise StoreError(msg)
    if not heads:
        present = set(sa.inspect(connection).get_table_names())
        ours = {"cases", "children", "families", "bodies", "referrals"} & present
        if ours:
            msg = (
                f"the database {where} has tables named like wladna_core's "
                f"({', '.join(sorted(ours))}) but no {VERSION_TABLE} table, so wladna_core "
                "cannot tell what they hold; use another database (or schema) for the store"
            )
            raise StoreError(msg)


@contextlib.contextmanager
def connected(engine: sa.Engine, *, read_only: bool = False) -> Iterator[sa.Connection]:
    """Yield a connection of ``engine`` in a transaction, committed when the block ends.

    :param read_only: begin a read transaction (SQLite: a deferred ``BEGIN``, which never waits
        for a writer); the block must not write.
    :raises StoreError: if the database cannot be reached, is busy, or is not a database; the
        message names it.
    """
    from wladna_core.storage.sql.engine import READ_OPTION  # noqa: PLC0415 (engine imports us)

    try:
        connection = engine.connect()
        if read_only:
            connection = connection.execution_options(**{READ_OPTION: True})
    except sa.exc.DBAPIError as exc:
        raise unreachable(engine, exc) from exc
    try:
        with connection, connection.begin():
            yield connection
    except sa.exc.DBAPIError as exc:
        raise unreachable(engine, exc) from exc


_BUSY: Final = ("database is locked", "database table is locked", "database is busy")
_NOT_A_DATABASE: Final = ("file is not a database", "database disk image is malformed")


def unreachable(engine: sa.Engine, exc: sa.exc.SQLAlchemyError) -> StoreError:
    """Return the error saying that the database of ``engine`` cannot be used, and why.

    A SQLite database another process is writing to, and a file that is not a SQLite database
    (or a damaged one), are told apart from a database that cannot be reached.
    """
    where = engine.url.render_as_string(hide_password=True)
    cause = getattr(exc, "orig", None) or exc
    reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    if engine.dialect.name == "sqlite" and reason in _BUSY:
        return StoreError(
            f"the SQLite database {where} is busy: another process has held its write lock for "
            f"longer than the busy timeout ({reason}); nothing was done. Try again once it has "
            "finished, or raise the busy_timeout setting"
        )
    if engine.dialect.name == "sqlite" and reason in _NOT_A_DATABASE:
        return StoreError(
            f"{where} is not a usable SQLite database ({reason}): check that the URL names the "
            "store's database file; a damaged database must be restored from a backup"
        )
    return StoreError(
        f"cannot open the database {where}: {reason}. Check that the server is running and "
        "that the URL names an existing database (SQLite: an existing directory) that this "
        "user may write"
    )
