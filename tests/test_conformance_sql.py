"""The adapter contract suite against the SQL store, run as an adapter author runs it.

SQLite in a file and in memory, and PostgreSQL (in a private schema), must each pass it whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from postgres import private_schema, server_url

if TYPE_CHECKING:
    from pathlib import Path

pytest_plugins = ["pytester"]

SUITE = "wladna_core.testing.conformance"


def _assert_passes_whole_suite(pytester: pytest.Pytester, url: str) -> None:
    result = pytester.runpytest_subprocess(
        "--pyargs", SUITE, "--wladna-store", url, "-p", "no:cacheprovider", "-W", "error"
    )
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert outcomes.get("passed", 0) >= 40
    assert set(outcomes) == {"passed"}


def test_a_sqlite_file_store_passes_the_whole_contract_suite(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    _assert_passes_whole_suite(pytester, f"sqlite:///{tmp_path / 'conformance.db'}")


def test_an_in_memory_sqlite_store_passes_the_whole_contract_suite(
    pytester: pytest.Pytester,
) -> None:
    _assert_passes_whole_suite(pytester, "sqlite://")


@pytest.mark.postgresql
def test_a_postgresql_store_passes_the_whole_contract_suite(pytester: pytest.Pytester) -> None:
    with private_schema(server_url()) as url:
        _assert_passes_whole_suite(pytester, url)
