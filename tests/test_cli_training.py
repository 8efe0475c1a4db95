"""``wladna training``: plan, bag export, bag verify and report, run from the ``wladna`` group."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import TYPE_CHECKING

import bagit
import pytest
from click.testing import CliRunner

from wladna_core.cli import ExitCode, main
from wladna_core.training import (
    Material,
    MaterialKind,
    SessionMode,
    TrainingSession,
    TrainingUnit,
    export_bag,
    session_bag,
)

if TYPE_CHECKING:
    from pathlib import Path

ON = date(2026, 3, 2)


def material(folder: Path, name: str, content: bytes) -> Material:
    path = folder / name
    path.write_bytes(content)
    return Material(
        title=f"Guide {name}",
        kind=MaterialKind.GUIDE,
        language="fr",
        edition="1.0",
        media_type="text/markdown",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        location=path.as_uri(),
    )


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """A bag of two materials, exported by the library, as a receiver gets it."""
    sources = tmp_path / "sources"
    sources.mkdir()
    materials = [material(sources, "guide.md", b"# Guide\n"), material(sources, "cas.md", b"1\n")]
    unit = TrainingUnit(
        code="BI-01",
        title_ar="قاعدة المعطيات",
        title_fr="Base d'information",
        duration_hours=6,
        materials=[item.id for item in materials],
    )
    session = TrainingSession(
        units=[unit.id], mode=SessionMode.REMOTE, days=[ON], territory="MA-SAL", capacity=20
    )
    return export_bag(session_bag(session, [unit], materials), tmp_path / "bag", on=ON)


def test_the_training_group_is_listed_by_wladna() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "  training " in result.output


def test_an_intact_bag_verifies(exported: Path) -> None:
    result = CliRunner().invoke(main, ["training", "bag", "verify", str(exported)])
    assert result.exit_code == ExitCode.OK, result.output
    assert result.output == f"{exported}: bag valid, every file matches its manifest\n"
    bagit.Bag(str(exported)).validate()


def test_a_tampered_file_is_reported_with_exit_status_1(exported: Path) -> None:
    [first, *_] = sorted((exported / "data" / "materials").iterdir())
    first.write_bytes(b"# Guide, changed\n")
    result = CliRunner().invoke(main, ["training", "bag", "verify", str(exported)])
    assert result.exit_code == ExitCode.INVALID_DATA
    assert result.stdout.startswith(f"changed: data/materials/{first.name}: its sha256 is ")
    assert "1 problem(s)" in result.stderr
    assert "ask the sender for the bag again" in result.stderr


def test_a_missing_file_is_reported_with_exit_status_1(exported: Path) -> None:
    [*_, last] = sorted((exported / "data" / "materials").iterdir())
    last.unlink()
    result = CliRunner().invoke(main, ["training", "bag", "verify", str(exported)])
    assert result.exit_code == ExitCode.INVALID_DATA
    assert f"missing: data/materials/{last.name}: listed in the manifest\n" in result.stdout


def test_a_folder_that_is_no_bag_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["training", "bag", "verify", str(tmp_path)])
    assert result.exit_code == ExitCode.INVALID_DATA
    assert result.stdout.startswith("invalid: ")
