"""The example ``python -m wladna_core`` shows valid records and a faulty one."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wladna_core.__main__ import main


def test_example_prints_valid_records_then_every_problem_of_the_faulty_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main() == 0
    out = capsys.readouterr().out
    for kind in ("TerritorialBody", "Child", "Family", "Case"):
        assert f"{kind:<16} valid" in out
    assert "[child.adult]" in out
    assert "[case.closure_reason_missing]" in out
    assert '"territory":"MA-SAL"' in out


def test_example_speaks_french_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main("fr") == 0
    assert "[child.adult]" in capsys.readouterr().out


def test_example_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wladna_core"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Case             valid" in done.stdout


def test_example_refuses_an_unknown_language_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main("de") == 2
    assert capsys.readouterr().err == "unknown language 'de'; choose one of en, fr, ar\n"
