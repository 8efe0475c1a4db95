"""Opening the store a command names, refusing one that would silently hold nothing.

A command that only reads (``export``, ``report``, ``audit verify``) refuses a store that does not
exist rather than create an empty one and report nothing: a SQLite file that is not there, a
database that holds no wladna_core store (no schema).  Every command refuses a store that keeps
nothing after the command ends: SQLite in memory (``sqlite://``), and a memory store
(``memory://``) unless it is open in the same process already (a program running the command).

>>> check_keeps("sqlite://")
Traceback (most recent call last):
...
wladna_core.storage.ports.StoreError: sqlite:// is a SQLite database in memory: ...
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

from wladna_core.storage import StoreError, open_store
from wladna_core.storage.memory import is_open as memory_store_is_open
from wladna_core.storage.ports import redact_url

if TYPE_CHECKING:
    import sqlalchemy as sa

    from wladna_core.storage import Store

__all__ = ["DEFAULT_DEMO_DB", "check_exists", "check_keeps", "open_existing", "open_lasting"]

#: Where ``wladna demo`` writes unless ``--db`` says otherwise: apart from the deployment's own
#: records (``wladna.db``), so that made-up children never mix with real ones.
DEFAULT_DEMO_DB: Final = "sqlite:///wladna-demo.db"

_HOW: Final = "name a store that lasts, e.g. sqlite:///path/to/file.db"


def _sql_url(db: str) -> sa.URL | None:
    # Loaded on use: the SQL layer (SQLAlchemy) is heavy, and a memory store does without it.
    from wladna_core.storage.sql.engine import parse_url  # noqa: PLC0415

    return parse_url(db)


def check_keeps(db: str) -> None:
    """Refuse a store that keeps nothing once the command ends.

    :param db: the store URL.
    :raises StoreError: for SQLite in memory, or a memory store that is not already open in this
        process (a new one is empty, and gone when the command ends).
    """
    shown = redact_url(db)
    if db.startswith("memory://"):
        if not memory_store_is_open(db):
            msg = (
                f"{shown} is a memory store: it is empty when the command starts and gone when "
                f"it ends, so nothing would be read or kept; {_HOW}"
            )
            raise StoreError(msg)
        return
    parsed = _sql_url(db)
    if parsed is None:
        return
    from wladna_core.storage.sql.engine import is_memory  # noqa: PLC0415 (heavy, on use)

    if is_memory(parsed):
        msg = (
            f"{shown} is a SQLite database in memory: it is empty when the command starts and "
            f"gone when it ends, so nothing would be read or kept; {_HOW}"
        )
        raise StoreError(msg)


def _demo_hint(db: str) -> str:
    """Say where ``wladna demo`` wrote, when its database is here and ``db`` is not it."""
    demo_file = DEFAULT_DEMO_DB.removeprefix("sqlite:///")
    if db != DEFAULT_DEMO_DB and Path(demo_file).is_file():
        return (
            f". The demonstration data of wladna demo is in {demo_file}: give "
            f"--db {DEFAULT_DEMO_DB} (or set WLADNA_DB={DEFAULT_DEMO_DB})"
        )
    return ""


def check_exists(db: str) -> None:
    """Refuse a store that does not exist yet, for a command that only reads it.

    A SQL database must exist and hold a wladna_core store (its schema); other stores are
    taken to exist.  Nothing is created.

    :param db: the store URL.
    :raises StoreError: naming what is missing and how to name the right store.
    """
    check_keeps(db)
    parsed = _sql_url(db)
    if parsed is None:
        return
    shown = redact_url(db)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        path = Path(parsed.database)
        if not path.is_file():
            what = "a directory" if path.is_dir() else "no file"
            msg = (
                f"there is no database at {path} ({what} there), and the store a command reads "
                f"from is never created: check --db ({shown}) or the variable WLADNA_DB"
                f"{_demo_hint(db)}"
            )
            raise StoreError(msg)
    from wladna_core.storage.sql import current_revision  # noqa: PLC0415 (heavy, on use)

    if current_revision(db) is None:
        msg = (
            f"the database {shown} holds no wladna_core store yet (it has no schema), and the "
            "store a command reads from is never created: check --db, or fill the store first "
            f"(wladna import, wladna db upgrade){_demo_hint(db)}"
        )
        raise StoreError(msg)


def same_store(first: str, second: str) -> bool:
    """Return whether two store URLs name one store: the same URL, or one SQLite file.

    SQLite paths are compared once resolved (``sqlite:///./a.db`` and ``sqlite:////abs/a.db``
    name one file); other URLs as written, passwords aside.
    """
    if redact_url(first) == redact_url(second):
        return True
    parsed = [_sql_url(url) for url in (first, second)]
    files = [
        Path(url.database).resolve()
        for url in parsed
        if url is not None and url.get_backend_name() == "sqlite" and url.database
    ]
    return len(files) == len(parsed) and files[0] == files[1]


def open_existing(db: str) -> Store:
    """Open the store ``db`` for a command that only reads it (see :func:`check_exists`).

    :param db: the store URL.
    :raises StoreError: if it does not exist, keeps nothing, or cannot be opened.
    """
    check_exists(db)
    return open_store(db)


def open_lasting(db: str) -> Store:
    """Open the store ``db`` for a command that writes to it (see :func:`check_keeps`).

    A SQL database is created, with its schema, if it does not exist.

    :param db: the store URL.
    :raises StoreError: if it keeps nothing, or cannot be opened.
    """
    check_keeps(db)
    return open_store(db)
