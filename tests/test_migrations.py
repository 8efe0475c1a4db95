from __future__ import annotations

import importlib.resources
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from postgres import in_schema, private_schema, server_url
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import Store, StoreError, UnsupportedStoreURL, open_store
from wladna_core.storage import upgrade as upgrade_any_store
from wladna_core.storage.sql import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    migrate,
    tables,
    upgrade,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each engine, never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wladna.db'}"
        return
    with private_schema(server_url()) as url:
        yield url


def _differences(url: str) -> list[object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
            )
            return list(compare_metadata(context, tables.metadata))
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _open(url: str, **settings: object) -> Store:
    return open_store(url, plugins=make_plugin_manager(load_entrypoints=False), settings=settings)


def test_a_database_never_migrated_has_no_revision(database_url: str) -> None:
    assert current_revision(database_url) is None


def test_upgrade_creates_exactly_the_tables_the_store_describes(database_url: str) -> None:
    upgrade(database_url)

    assert current_revision(database_url) == head_revision()
    assert _differences(database_url) == []
    assert _table_names(database_url) == {*tables.metadata.tables, VERSION_TABLE}


def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)

    assert current_revision(database_url) == head_revision()
    assert _differences(database_url) == []


def test_the_storage_upgrade_function_migrates_sql_stores_and_ignores_memory_stores(
    database_url: str,
) -> None:
    upgrade_any_store("memory://")
    upgrade_any_store(database_url)

    assert current_revision(database_url) == head_revision()


def test_opening_an_empty_database_migrates_it(database_url: str) -> None:
    with _open(database_url):
        pass

    assert current_revision(database_url) == head_revision()


def test_the_revision_lives_in_the_store_s_own_version_table(database_url: str) -> None:
    upgrade(database_url)

    assert "alembic_version" not in _table_names(database_url)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    engine.dispose()
    assert stored == [(head_revision(),)]


def test_a_database_migrated_by_a_newer_wladna_core_is_refused(database_url: str) -> None:
    upgrade(database_url)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    engine.dispose()

    with pytest.raises(StoreError, match=r"revision 9999.*newer version of wladna_core"):
        _open(database_url)
    with pytest.raises(StoreError, match=r"revision 9999"):
        upgrade(database_url)


def test_tables_of_the_store_without_a_revision_are_refused_rather_than_guessed(
    database_url: str,
) -> None:
    engine = sa.create_engine(database_url)
    tables.metadata.create_all(engine)
    engine.dispose()

    with pytest.raises(StoreError, match=rf"no {VERSION_TABLE} table"):
        _open(database_url)


def test_migrations_can_be_undone_down_to_an_empty_database_and_applied_again(
    database_url: str,
) -> None:
    upgrade(database_url)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        command.downgrade(migrate._config(connection), "base")
    engine.dispose()

    assert _table_names(database_url) <= {VERSION_TABLE}
    assert current_revision(database_url) is None

    upgrade(database_url)
    assert _differences(database_url) == []


def test_upgrade_refuses_urls_of_other_stores() -> None:
    with pytest.raises(UnsupportedStoreURL, match="memory://"):
        upgrade("memory://")
    with pytest.raises(UnsupportedStoreURL):
        current_revision("mysql://someone@somewhere/db")


def test_upgrade_of_an_unreachable_database_says_which_and_why(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no such directory' / 'wladna.db'}"

    with pytest.raises(StoreError, match=r"cannot open the database .*wladna\.db: unable to open"):
        upgrade(url)


def test_the_migrations_are_shipped_inside_the_package() -> None:
    migrations = importlib.resources.files("wladna_core.storage.sql") / "migrations"

    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert (migrations / "versions" / "0001_initial.py").is_file()
    assert list((migrations / "versions").glob(f"{head_revision()}_*.py"))


def test_the_migrations_refuse_to_run_outside_the_upgrade_function(tmp_path: Path) -> None:
    config = migrate._config()
    config.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'wladna.db'}")

    with pytest.raises(RuntimeError, match=r"wladna db upgrade"):
        command.upgrade(config, "head")


@pytest.mark.postgresql
def test_processes_upgrading_one_postgresql_database_at_once_do_not_collide() -> None:
    with private_schema(server_url()) as url:
        failures: list[BaseException] = []

        def run() -> None:
            try:
                upgrade(url)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert failures == []
        assert current_revision(url) == head_revision()
        assert _differences(url) == []


# A revision after the shipped head, to see how a store opens a database of an older schema.

_NEWER = "9001"
_NEWER_REVISION = '''"""Add a column, as a later version of wladna_core might."""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("cases", sa.Column("note_for_test", sa.String(20), nullable=True))


def downgrade():
    op.drop_column("cases", "note_for_test")
'''


@pytest.fixture
def newer_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make wladna_core believe it ships a revision 9001 after the real head."""
    shipped = Path(str(importlib.resources.files("wladna_core.storage.sql") / "migrations"))
    scripts = tmp_path / "migrations"
    shutil.copytree(shipped, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    newer = _NEWER_REVISION.replace("{head}", head_revision())
    (scripts / "versions" / f"{_NEWER}_note.py").write_text(newer, encoding="utf-8")
    monkeypatch.setattr(migrate, "_script_location", lambda: scripts)
    migrate._scripts.cache_clear()
    migrate._known_revisions.cache_clear()
    yield
    migrate._scripts.cache_clear()
    migrate._known_revisions.cache_clear()


def test_a_database_of_an_older_schema_is_upgraded_when_a_store_opens_it(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    request.getfixturevalue("newer_library")

    with _open(url):
        pass

    assert current_revision(url) == _NEWER


def test_a_database_of_an_older_schema_is_refused_when_auto_upgrade_is_off(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    old = head_revision()
    request.getfixturevalue("newer_library")

    with pytest.raises(
        StoreError, match=rf"revision {old}.*needs revision {_NEWER}.*wladna db upgrade"
    ):
        _open(url, auto_upgrade=False)
    assert current_revision(url) == old

    upgrade(url)
    assert current_revision(url) == _NEWER


def test_a_failing_migration_leaves_the_database_at_its_previous_revision(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    old = head_revision()
    request.getfixturevalue("newer_library")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        # The column the next revision adds exists already: the revision fails.
        connection.execute(sa.text("ALTER TABLE cases ADD COLUMN note_for_test VARCHAR(20)"))
    engine.dispose()

    with pytest.raises(
        StoreError,
        match=rf"to schema revision {_NEWER} failed: duplicate column.*stays at revision {old}",
    ):
        upgrade(url)
    assert current_revision(url) == old


@pytest.mark.postgresql
def test_a_postgresql_url_naming_a_missing_schema_is_refused_with_a_remedy() -> None:
    url = in_schema(server_url(), "wladna_test_no_such_schema")

    with pytest.raises(StoreError, match=r"schema named by the URL's search_path does not exist"):
        upgrade(url)
