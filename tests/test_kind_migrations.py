"""The tables of a plug-in's kinds of record, made by its migrations on any database."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from postgres import private_schema, server_url
from wladna_core.plugins import make_plugin_manager
from wladna_core.storage import StoreError, open_store, upgrade
from wladna_core.storage.sql import engine as sql_engine
from wladna_core.storage.sql import head_revision
from wladna_core.storage.sql.migrate import current_revision, current_revisions
from wladna_core.testing import kinds as test_kinds

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import pluggy


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wladna.db'}"
    else:
        with private_schema(server_url()) as url:
            yield url


#: The heads of the case file's branches of migrations (one per group of kinds).
CASEFILE_BRANCHES = {
    "casefile_documents_0001",
    "casefile_incidents_0001",
    "casefile_outreach_0001",
    "casefile_services_0001",
}


def builtin_heads() -> tuple[str, ...]:
    """The revisions of a database of the core and its built-in plug-ins (training included)."""
    return tuple(sorted({head_revision(), "training_0001"} | CASEFILE_BRANCHES))


def with_test_kind() -> pluggy.PluginManager:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(test_kinds, name=test_kinds.PLUGIN_NAME)
    return pm


def visit() -> test_kinds.HomeVisit:
    return test_kinds.HomeVisit(
        "case-a", date(2025, 11, 3), "MA-SAL", test_kinds.VisitOutcome.REFUSED
    )


def test_a_store_opening_an_existing_database_adds_the_tables_of_a_newly_installed_kind(
    database_url: str,
) -> None:
    # A database of the core alone, as it was before the plug-in was installed.
    open_store(database_url, plugins=make_plugin_manager(load_entrypoints=False)).close()
    assert current_revisions(database_url) == builtin_heads()
    with open_store(database_url, plugins=with_test_kind()) as store:
        with store.unit_of_work() as uow:
            saved = uow.repository(test_kinds.HomeVisit).add(visit())
        with store.unit_of_work() as uow:
            assert uow.repository(test_kinds.HomeVisit).get(saved.id) == saved
    assert current_revisions(database_url) == tuple(sorted((*builtin_heads(), "test_kinds_0001")))
    assert current_revision(database_url) == head_revision()


def test_upgrade_applies_the_migrations_of_the_plugins_kinds_with_the_cores(
    database_url: str,
) -> None:
    upgrade(database_url, plugins=make_plugin_manager(load_entrypoints=False))
    assert current_revisions(database_url) == builtin_heads()
    upgrade(database_url, plugins=with_test_kind())
    assert "test_kinds_0001" in current_revisions(database_url)


def test_a_database_holding_the_tables_of_a_plugin_not_installed_is_refused_naming_it(
    database_url: str,
) -> None:
    open_store(database_url, plugins=with_test_kind()).close()
    with pytest.raises(StoreError, match=r"test_kinds_0001.*plug-in") as refused:
        open_store(database_url, plugins=make_plugin_manager(load_entrypoints=False))
    assert "install" in str(refused.value)


def test_a_missing_database_driver_is_a_store_error_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_driver(*_args: object) -> object:
        raise ModuleNotFoundError("No module named 'psycopg'", name="psycopg")

    monkeypatch.setattr(sql_engine, "make_engine", no_driver)
    with pytest.raises(StoreError, match=r"psycopg is not installed.*wladna-core\[postgresql\]"):
        current_revision("postgresql+psycopg://someone@127.0.0.1:5432/nowhere")
