"""What the tests of the ``wladna`` command share: running it, stores of each kind, sample files."""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from casework import deploy
from postgres import private_schema, server_url
from wladna_core.audit import AuditEntry, AuditTrail
from wladna_core.cli import main
from wladna_core.storage import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: The kinds of SQL store every store-touching test of the command runs on.
SQL_KINDS = ("sqlite", "postgresql")


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``wladna ARGS`` in this process; a user's mistake never shows a traceback."""
    result = CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=True)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


@contextlib.contextmanager
def sql_store(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a SQL store of ``kind`` that does not exist yet.

    SQLite: a file in ``folder``, not created.  PostgreSQL: an empty schema of the test server
    (skipped, or failed in CI, without a server).
    """
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    with private_schema(server_url()) as url:
        yield url


@functools.cache
def sample_lines() -> bytes:
    """Return a JSON Lines file of a small deployment: bodies, children, households, cases."""
    dep = deploy()
    try:
        for _ in range(3):
            dep.case(with_family=True)
        exported = run("export", "--db", dep.wl.store.url, "--as", "tests")
        assert exported.exit_code == 0, exported.stderr
        return exported.stdout_bytes
    finally:
        dep.wl.close()


def filled(url: str) -> int:
    """Import :func:`sample_lines` into the store ``url``; return how many records it holds."""
    done = run("import", "-", "--db", url, "--as", "loader", stdin=sample_lines())
    assert done.exit_code == 0, done.stderr
    return len(sample_lines().splitlines())


def audit_of(url: str) -> list[AuditEntry]:
    """Return every entry of the audit trail of the store ``url``."""
    with open_store(url) as store:
        return AuditTrail(store).entries()
