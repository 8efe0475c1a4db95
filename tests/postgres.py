"""The PostgreSQL server of the test run, and a private schema for each test that needs one.

The server is named by ``WLADNA_TEST_POSTGRES_URL`` (``nox -s tests`` sets
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` unless it is set already).  When the
variable is unset or the server cannot be reached, the tests that need it are skipped, with the
reason, on a developer's machine, and they FAIL in continuous integration (``CI`` set to a true
value): CI must never pass without having tested PostgreSQL.

Each test gets a schema of its own, ``wladna_test_<random>``, created empty and dropped with
everything in it when the test ends.  The store URL selects it with
``options=-csearch_path=<schema>``, so any number of tests and test runs share one database
without seeing each other's records, and a process started by a test reaches the same schema
from the URL alone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Final

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

URL_VARIABLE: Final = "WLADNA_TEST_POSTGRES_URL"
_FALSE_WORDS: Final = frozenset({"", "0", "false", "no", "off"})
_CONNECT_TIMEOUT_SECONDS: Final = 5


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Return whether the tests run in continuous integration (``CI`` set to a true value)."""
    return environ.get("CI", "").strip().lower() not in _FALSE_WORDS


def _unavailable(reason: str, environ: Mapping[str, str]) -> None:
    if in_ci(environ):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def libpq_url(url: str) -> str:
    """Return ``url`` (a store URL) as psycopg itself reads it (``postgresql://...``)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def server_url(environ: Mapping[str, str] = os.environ) -> str:
    """Return the test server's store URL, after checking that it answers.

    Skips the calling test when the server is not available, or fails it in CI.
    """
    url = environ.get(URL_VARIABLE, "").strip()
    if not url:
        _unavailable(
            f"set {URL_VARIABLE}, e.g. to postgresql+psycopg://postgres@127.0.0.1/test", environ
        )
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=_CONNECT_TIMEOUT_SECONDS):
            pass
    except psycopg.Error as exc:
        shown = sa.make_url(url).render_as_string(hide_password=True)
        _unavailable(f"cannot connect to {shown} ({URL_VARIABLE}): {exc}".strip(), environ)
    return url


def in_schema(url: str, schema: str) -> str:
    """Return ``url`` with its connections' ``search_path`` set to ``schema``."""
    parsed = sa.make_url(url)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@contextlib.contextmanager
def private_schema(url: str) -> Iterator[str]:
    """Create an empty schema on the server of ``url``; yield a store URL using it; drop it."""
    schema = f"wladna_test_{secrets.token_hex(6)}"
    with psycopg.connect(libpq_url(url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield in_schema(url, schema)
    finally:
        with psycopg.connect(libpq_url(url), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def schema_of(url: str) -> str:
    """Return the schema a URL made by :func:`in_schema` selects."""
    options = urllib.parse.unquote(str(sa.make_url(url).query["options"]))
    return options.removeprefix("-csearch_path=")


def backend_of(unit_of_work: object) -> int:
    """Return the process id of the server backend serving a SQL unit of work's transaction."""
    connection: sa.Connection = unit_of_work.connection  # type: ignore[attr-defined]
    return int(connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def release_once_blocked(
    url: str, holder: int, release: threading.Event, timeout: float = 60
) -> threading.Thread:
    """Set ``release`` once a backend waits on a lock the backend ``holder`` holds.

    A test that holds a lock in one unit of work, then starts another that must wait on it,
    lets the first go on only once the second truly waits: releasing after a fixed delay would
    let a slow machine start the second after the first committed.  After ``timeout`` seconds
    without a waiter, ``release`` is set all the same (and the test sees what happened).
    """

    def watch() -> None:
        deadline = time.monotonic() + timeout
        try:
            with psycopg.connect(libpq_url(url), autocommit=True) as connection:
                while time.monotonic() < deadline:
                    waiting = connection.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE %s = ANY(pg_blocking_pids(pid))",
                        (holder,),
                    ).fetchone()
                    if waiting is not None and waiting[0]:
                        return
                    time.sleep(0.02)
        finally:
            release.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher
