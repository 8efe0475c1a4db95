"""What the examples of the documentation find ready: ``url`` (and ``WLADNA_DB``), ``tmp_path``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _store_url(
    doctest_namespace: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A SQLite file per page, as a deployment would use; tests/test_tutorial.py runs the
    # tutorial against PostgreSQL too. The pages that read it from WLADNA_DB, as the `wladna`
    # command does (the tutorial), find it there.
    url = f"sqlite:///{tmp_path / 'wladna.db'}"
    doctest_namespace["url"] = url
    monkeypatch.setenv("WLADNA_DB", url)
    # A directory of their own for the examples that write files (docs/training.md).
    doctest_namespace["tmp_path"] = tmp_path
