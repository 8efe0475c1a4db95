"""The tutorial (docs/tutorial.md) runs as written on SQLite and on PostgreSQL."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import postgres

TUTORIAL = Path(__file__).resolve().parent.parent / "docs" / "tutorial.md"


def _run(url: str) -> doctest.TestResults:
    with pytest.MonkeyPatch.context() as patch:
        # The page reads its store from WLADNA_DB, as a reader running it would set it.
        patch.setenv("WLADNA_DB", url)
        return _run_page()


def _run_page() -> doctest.TestResults:
    return doctest.testfile(
        str(TUTORIAL),
        module_relative=False,
        globs={},
        optionflags=doctest.ELLIPSIS,
        raise_on_error=False,
        verbose=False,
    )


def test_the_tutorial_runs_on_sqlite(tmp_path: Path) -> None:
    results = _run(f"sqlite:///{tmp_path / 'tutorial.db'}")
    assert results.attempted > 40
    assert results.failed == 0


@pytest.mark.postgresql
def test_the_tutorial_runs_on_postgresql() -> None:
    with postgres.private_schema(postgres.server_url()) as url:
        results = _run(url)
    assert results.attempted > 40
    assert results.failed == 0
