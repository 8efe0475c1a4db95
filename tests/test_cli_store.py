"""The store a command names: refused when it would hold nothing, or is not a database; busy.

Commands that only read never create a store, and never wait for a writer; a store that keeps
nothing after the command (SQLite in memory, a new memory store) is refused; a file that is not
a database gives a message and exit status 3, never a traceback.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import attrs
import pytest
import sqlalchemy as sa

import wladna_core as wl
from cli_support import SQL_KINDS, audit_of, filled, run, sample_lines, sql_store
from wladna_core.app import Wladna
from wladna_core.audit import AuditDraft
from wladna_core.cli import ExitCode, transfer
from wladna_core.storage import StoreError, open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

READERS = [
    ["export"],
    ["report", "cases_opened"],
    ["audit", "verify"],
]


@pytest.fixture(params=SQL_KINDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgresql)
    with sql_store(request.param, tmp_path) as found:
        yield found


# Stores that do not exist ----------------------------------------------------------------------


@pytest.mark.parametrize("command", READERS, ids=lambda command: command[0])
def test_a_reading_command_refuses_a_sqlite_file_that_does_not_exist(
    command: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "wladna.db"
    result = run(*command, "--db", f"sqlite:///{missing}")
    assert result.exit_code == ExitCode.STORE
    assert f"there is no database at {missing} (no file there)" in result.stderr
    assert "is never created" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("command", READERS, ids=lambda command: command[0])
@pytest.mark.postgresql
def test_a_reading_command_refuses_a_postgresql_database_without_a_store(
    command: list[str], tmp_path: Path
) -> None:
    with sql_store("postgresql", tmp_path) as url:
        result = run(*command, "--db", url)
        assert result.exit_code == ExitCode.STORE
        assert "holds no wladna_core store yet (it has no schema)" in result.stderr
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                assert sa.inspect(connection).get_table_names() == []
        finally:
            engine.dispose()


def test_after_the_demo_a_plain_report_says_where_the_demo_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wladna-demo.db").write_bytes(b"")  # what `wladna demo` leaves, for this purpose
    result = run("report", "cases_opened", env={"WLADNA_DB": None})  # type: ignore[dict-item]
    assert result.exit_code == ExitCode.STORE
    assert "there is no database at wladna.db" in result.stderr
    assert "give --db sqlite:///wladna-demo.db" in result.stderr
    assert not (tmp_path / "wladna.db").exists()


def test_an_empty_existing_store_is_read(url: str) -> None:
    run("db", "upgrade", "--db", url)
    result = run("report", "cases_opened", "--db", url, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["count", "0"]


# Stores that keep nothing ----------------------------------------------------------------------


_NOTHING_KEPT = ["sqlite://", "sqlite:///", "sqlite:///:memory:", "memory://", "memory://fresh"]


@pytest.mark.parametrize(
    ("memory", "command"),
    [
        (memory, command)
        for memory in _NOTHING_KEPT
        for command in [["import", "-"], ["db", "upgrade"], *READERS]
        # A memory store has no schema: db upgrade says so (test_cli.py).
        if not (command == ["db", "upgrade"] and memory.startswith("memory://"))
    ],
)
def test_a_store_that_keeps_nothing_is_refused(memory: str, command: list[str]) -> None:
    result = run(*command, "--db", memory, stdin=sample_lines())
    assert result.exit_code == ExitCode.STORE
    assert "it is empty when the command starts and gone when it ends" in result.stderr
    assert "records stored" not in result.stderr


def test_a_memory_store_open_in_the_process_is_used() -> None:
    url = f"memory://cli-{uuid.uuid4().hex}"
    with open_store(url) as store:
        result = run("import", "-", "--db", url, stdin=sample_lines())
        assert result.exit_code == 0, result.stderr
        with store.unit_of_work() as uow:
            assert uow.children.count() == 3


# Files that are not databases ------------------------------------------------------------------


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is a list of children, not a database\n" * 200)


def _damaged(path: Path) -> None:
    filled(f"sqlite:///{path}")
    data = bytearray(path.read_bytes())
    data[0:16] = b"not SQLite at al"  # the header every SQLite file starts with
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("spoil", [_not_a_database, _damaged])
@pytest.mark.parametrize(
    "command",
    [["import", "-"], ["db", "upgrade"], *READERS],
    ids=" ".join,
)
def test_a_file_that_is_not_a_database_gives_exit_status_3(
    spoil: object, command: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "records.db"
    spoil(path)  # type: ignore[operator]
    before = path.read_bytes()
    result = run(*command, "--db", f"sqlite:///{path}", stdin=sample_lines())
    assert result.exit_code == ExitCode.STORE
    assert result.stderr.startswith(f"wladna: error: sqlite:///{path} is not a usable SQLite")
    assert "restored from a backup" in result.stderr
    assert path.read_bytes() == before


def test_a_database_damaged_inside_gives_exit_status_3(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    url = f"sqlite:///{path}"
    filled(url)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(path.read_bytes())
    for number in range(1, pages):  # every page but the first, which holds the schema
        data[number * page : number * page + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    result = run("export", "--db", url, "--as", "r.a")
    assert result.exit_code == ExitCode.STORE
    assert result.stderr.startswith("wladna: error: ")


# A busy database -------------------------------------------------------------------------------


class _Writer:
    """Another connection holding the database's write lock, as another process would."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute("CREATE TABLE IF NOT EXISTS other_work (n INTEGER)")
        self.connection.execute("INSERT INTO other_work VALUES (1)")
        self.holding = True

    def release(self) -> None:
        if self.holding:
            self.connection.execute("COMMIT")
            self.holding = False

    def close(self) -> None:
        self.release()
        self.connection.close()


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[tuple[str, _Writer]]:
    path = tmp_path / "store.db"
    url = f"sqlite:///{path}"
    filled(url)
    writer = _Writer(path)
    try:
        yield url, writer
    finally:
        writer.close()


def test_a_report_does_not_wait_for_a_writer(busy: tuple[str, _Writer]) -> None:
    url, writer = busy
    result = run("report", "cases_opened", "--format", "csv", "--db", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["count", "3"]
    assert writer.holding


def test_audit_verify_does_not_wait_for_a_writer(busy: tuple[str, _Writer]) -> None:
    url, writer = busy
    result = run("audit", "verify", "--db", url)
    assert result.exit_code == 0, result.stderr
    assert writer.holding


def test_export_reads_without_waiting_and_waits_only_to_audit(
    busy: tuple[str, _Writer], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, writer = busy
    drafts = transfer.audit_drafts
    held_while_reading: list[bool] = []

    def audit(*args: Any) -> list[AuditDraft]:
        # The records of the batch were read while the other writer held its lock; its audit
        # entries are written once the writer is done.
        held_while_reading.append(writer.holding)
        writer.release()
        return drafts(*args)

    monkeypatch.setattr(transfer, "audit_drafts", audit)
    result = run("export", "--db", url, "--as", "r.a")
    assert result.exit_code == 0, result.stderr
    assert held_while_reading[0] is True
    assert len(result.stdout.splitlines()) == len(sample_lines().splitlines())


def test_export_gives_up_on_a_writer_that_never_ends_with_a_message(
    busy: tuple[str, _Writer], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = busy
    monkeypatch.setattr("wladna_core.storage.sql.engine._DEFAULT_BUSY_TIMEOUT", 0.0)
    result = run("export", "--db", url, "--as", "r.a")
    assert result.exit_code == ExitCode.STORE
    assert "is busy" in result.stderr
    assert result.stdout == ""


def test_opening_a_busy_sqlite_store_does_not_wait(busy: tuple[str, _Writer]) -> None:
    url, writer = busy
    with Wladna.open(url, settings={"busy_timeout": 0}) as app:
        assert app.audit.verify().ok
    assert writer.holding


def test_opening_a_busy_sqlite_database_that_needs_its_schema_is_a_store_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.db"
    writer = _Writer(path)
    try:
        with pytest.raises(StoreError, match=r"is busy: another process has held its write lock"):
            Wladna.open(f"sqlite:///{path}", settings={"busy_timeout": 0})
    finally:
        writer.close()


# The read-only unit of work the reading commands use -------------------------------------------


@pytest.mark.parametrize(
    "kind", ["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def test_a_read_only_unit_of_work_reads_and_refuses_to_write(kind: str, tmp_path: Path) -> None:
    memory = contextlib.nullcontext(f"memory://cli-{uuid.uuid4().hex}")
    with (
        memory if kind == "memory" else sql_store(kind, tmp_path) as url,
        open_store(url) as store,
    ):
        child = wl.Child(sex=wl.Sex.FEMALE, birth_date=date(2014, 3, 8), given_name="Salma")
        with store.unit_of_work() as uow:
            uow.children.add(child)
        with store.unit_of_work(read_only=True) as reading:
            assert reading.children.get(child.id).given_name == "Salma"
        other = attrs.evolve(child, id=wl.new_id(), version=0)
        writes = [
            lambda uow: uow.children.add(other),
            lambda uow: uow.children.update(child),
            lambda uow: uow.audit.append([], at=datetime.now(UTC)),
        ]
        for write in writes:
            with (
                pytest.raises(StoreError, match="read_only=True and cannot write"),
                store.unit_of_work(read_only=True) as uow,
            ):
                write(uow)
        with store.unit_of_work() as uow:
            assert uow.children.count() == 1
            assert uow.children.get(child.id).version == 1


def test_a_read_only_unit_of_work_on_sqlite_may_be_open_while_the_thread_writes(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    filled(url)
    with open_store(url) as store, store.unit_of_work(read_only=True) as reading:
        seen = reading.children.count()
        with store.unit_of_work() as writing:
            writing.children.add(
                wl.Child(sex=wl.Sex.FEMALE, birth_date=date(2014, 3, 8), given_name="Amina")
            )
        # The reader keeps the state it began with.
        assert reading.children.count() == seen


def test_audit_of_an_export_follows_the_import_in_one_chain(url: str) -> None:
    held = filled(url)
    run("export", "--db", url, "--as", "r.a")
    assert [entry.seq for entry in audit_of(url)] == list(range(1, 2 * held + 1))
