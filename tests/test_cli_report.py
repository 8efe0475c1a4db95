"""``wladna report``: figures from the store, in the format asked, and clear errors."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from casework import deploy
from cli_support import SQL_KINDS, run, sql_store
from wladna_core import app, hookimpl
from wladna_core.cli import ExitCode, main
from wladna_core.demo import plan_demo, run_demo
from wladna_core.plugins import make_plugin_manager
from wladna_core.renderers import Renderer
from wladna_core.reporting import Indicator
from wladna_core.reporting.build import available_indicators

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import pluggy


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
        (["report", "--by", "colour"], 2, "no indicator allows --by colour;"),
        (
            ["report", "--by", "provnce"],
            2,
            "no indicator allows --by provnce (did you mean --by province for --by provnce?)",
        ),
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


# The reference and the behaviour agree ---------------------------------------------------------


@pytest.fixture(params=SQL_KINDS)
def cases_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store of six cases opened on 2026-03-02, on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgresql)
    with sql_store(request.param, tmp_path) as url:
        dep = deploy(url)
        for _ in range(6):
            dep.case()
        dep.wl.close()
        yield url


def _today_is(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    moment = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(app, "_system_clock", lambda: moment)


def test_a_period_still_running_is_counted_up_to_the_reports_date(
    cases_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _today_is(monkeypatch, date(2026, 6, 15))  # "--period 2026" during 2026
    result = run("report", "cases_opened", "--period", "2026", "--format", "csv", "--db", cases_db)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["count", "6"]
    assert "counting 2026-01-01 to 2026-06-15" in result.stderr
    on = run(
        "report",
        "cases_opened",
        "--period",
        "2026-03",
        "--on",
        "2026-03-01",
        "--format",
        "csv",
        "--db",
        cases_db,
    )
    assert on.exit_code == 0, on.stderr
    assert on.stdout.splitlines() == ["count", "0"]
    assert "counting 2026-03-01 to 2026-03-01" in on.stderr


def test_a_period_after_the_reports_date_names_the_options(cases_db: str) -> None:
    result = run(
        "report", "cases_opened", "--period", "2027", "--on", "2026-06-15", "--db", cases_db
    )
    assert result.exit_code == ExitCode.USAGE
    assert "--period" in result.stderr
    assert "a later --on" in result.stderr
    assert "on=" not in result.stderr


def test_library_messages_name_the_options_not_the_parameters(cases_db: str) -> None:
    result = run("report", "cases_opened", "--by", "province", "--by", "province", "--db", cases_db)
    assert result.exit_code == ExitCode.INVALID_DATA
    assert "--by" in result.stderr
    assert "by=" not in result.stderr


def test_without_an_indicator_every_one_allowing_the_dimensions_is_reported(cases_db: str) -> None:
    result = run(
        "report", "--by", "month", "--format", "json", "--db", cases_db, "--on", "2026-03-31"
    )
    assert result.exit_code == 0, result.stderr
    reported = {table["title"] for table in json.loads(result.stdout)}
    plugins = make_plugin_manager()
    allowing = {
        indicator.title
        for indicator in available_indicators(plugins).values()
        if "month" in indicator.dimensions
    }
    assert reported == allowing
    assert "Caseload per worker" not in reported  # it has no month dimension


def test_a_table_written_to_a_file_goes_to_the_file(cases_db: str, tmp_path: Path) -> None:
    target = tmp_path / "table.txt"
    result = run(
        "report", "cases_opened", "--db", cases_db, "--on", "2026-03-31", "--output", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Cases opened" in target.read_text(encoding="utf-8")


def test_html_without_its_plugin_says_what_to_install(cases_db: str) -> None:
    result = run("report", "--format", "html", "--db", cases_db)
    assert result.exit_code == ExitCode.USAGE
    assert "unknown format 'html'" in result.stderr
    assert "wladna-report-html plug-in: install it" in result.stderr


def test_shares_and_durations_print_for_people(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    run_demo(plan_demo(cases=20, cities=["MA-AGD"], seed=3, today=date(2026, 3, 31)), url)
    result = run(
        "report",
        "time_to_first_assessment",
        "referrals",
        "referral_response_time",
        "--db",
        url,
        "--on",
        "2026-03-31",
    )
    assert result.exit_code == 0, result.stderr
    assert re.search(r"\d\.\d{2,}", result.stdout) is None, result.stdout
    assert re.search(r"│ +\d{1,3}\.\d%", result.stdout), result.stdout  # a share, as a percentage


# Plug-ins that fail ----------------------------------------------------------------------------


def _boom(*_args: object) -> list[tuple[object, ...]]:
    msg = "the partner's indicator divided by zero"
    raise ZeroDivisionError(msg)


class FaultyPlugin:
    """A partner's plug-in whose indicator and renderer raise."""

    @hookimpl
    def wladna_indicators(self) -> list[Indicator]:
        return [
            Indicator(
                name="partner_count",
                title="Partner count",
                definition="Counts nothing: it raises.",
                unit="count",
                measures=("count",),
                dimensions=(),
                counts="cases",
                compute=_boom,
            )
        ]

    @hookimpl
    def wladna_renderers(self) -> list[Renderer]:
        return [Renderer("partner", "text/plain; charset=utf-8", ".txt", _boom)]


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> None:
    def manager() -> pluggy.PluginManager:
        plugins = make_plugin_manager(load_entrypoints=False)
        plugins.register(FaultyPlugin(), name="partner")
        return plugins

    monkeypatch.setattr("wladna_core.cli.report.make_plugin_manager", manager)


@pytest.mark.usefixtures("faulty")
def test_an_indicator_of_a_plugin_that_raises_is_exit_4_naming_it(cases_db: str) -> None:
    result = run("report", "partner_count", "--db", cases_db, "--on", "2026-03-31")
    assert result.exit_code == ExitCode.PLUGIN
    assert result.stderr.startswith("wladna: error: plug-in 'partner', hook wladna_indicators: ")
    assert "ZeroDivisionError: the partner's indicator divided by zero" in result.stderr


@pytest.mark.usefixtures("faulty")
def test_a_renderer_of_a_plugin_that_raises_is_exit_4_naming_it(
    cases_db: str, tmp_path: Path
) -> None:
    target = tmp_path / "out.txt"
    result = run(
        "report", "cases_opened", "--format", "partner", "-o", str(target), "--db", cases_db
    )
    assert result.exit_code == ExitCode.PLUGIN
    assert (
        "plug-in 'partner', hook wladna_renderers: its renderer 'partner' failed" in result.stderr
    )
    assert not target.exists()


def test_a_missing_store_is_refused_not_reported_as_zeros(tmp_path: Path) -> None:
    missing = tmp_path / "wladna.db"
    status, out, err = _run("report", "cases_opened", "--db", f"sqlite:///{missing}")
    assert status == ExitCode.STORE
    assert out == ""
    assert "there is no database at" in err
    assert not missing.exists()
