"""``wladna report``: figures from the store, in the format asked, and clear errors."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from casework import deploy
from wladna_core.cli import main

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'wladna.db'}"
    dep = deploy(url)
    for _ in range(6):
        dep.case()
    dep.wl.close()
    return url


def _run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(arguments))
    return result.exit_code, result.stdout, result.stderr


def test_list_names_the_indicators_and_their_dimensions() -> None:
    code, out, _ = _run("report", "--list")
    assert code == 0
    assert "cases_opened" in out
    assert "province" in out


def test_a_table_for_people(db: str) -> None:
    code, out, _ = _run(
        "report", "cases_opened", "--by", "province", "--db", db, "--on", "2026-03-31"
    )
    assert code == 0
    assert "MA-SAL" in out
    assert "6" in out


def test_csv_and_json_for_programs(db: str) -> None:
    code, out, _ = _run(
        "report",
        "cases_opened",
        "--by",
        "province",
        "--format",
        "csv",
        "--db",
        db,
        "--on",
        "2026-03-31",
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["province", "count"]
    assert ["MA-SAL", "6"] in rows
    code, out, _ = _run(
        "report", "cases_opened", "referrals", "--format", "json", "--db", db, "--on", "2026-03-31"
    )
    assert code == 0
    tables = json.loads(out)
    assert len(tables) == 2


def test_a_public_report_suppresses_small_cells(db: str, tmp_path: Path) -> None:
    target = tmp_path / "public.csv"
    code, _, _ = _run(
        "report",
        "cases_opened",
        "--by",
        "province",
        "--public",
        "--threshold",
        "10",
        "--format",
        "csv",
        "--output",
        str(target),
        "--db",
        db,
        "--on",
        "2026-03-31",
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert ["MA-SAL", "[c]"] in rows


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["report"], 2, "name at least one indicator"),
        (["report", "cases_opened", "--period", "last year"], 2, "is not a period"),
        (["report", "cases_opened", "--on", "31/03/2026"], 2, "is not a date"),
        (["report", "cases_opened", "--where", "province"], 2, "NAME=VALUE"),
        (["report", "cases_opened", "--format", "pdf"], 2, "unknown format 'pdf'"),
        (["report", "no_such_indicator"], 1, "no_such_indicator"),
        (["report", "cases_opened", "--by", "colour"], 1, "colour"),
    ],
)
def test_bad_input_gets_a_message_and_an_exit_code(
    db: str, arguments: list[str], code: int, message: str
) -> None:
    status, out, err = _run(*arguments, "--db", db)
    assert status == code
    assert message in out + err
    assert "Traceback" not in out + err
