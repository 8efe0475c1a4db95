"""``wladna training``: plan, bag export, bag verify and report, run from the ``wladna`` group."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import attrs
import bagit
import pytest
from click.testing import CliRunner

from cli_support import SQL_KINDS, run, sql_store
from wladna_core import plugins
from wladna_core.cli import ExitCode, main
from wladna_core.cli import report as core_report
from wladna_core.hookspecs import hookimpl
from wladna_core.model import BodyKind, TerritorialBody
from wladna_core.reporting import Indicator
from wladna_core.storage import open_store
from wladna_core.training import (
    Enrolment,
    InternetAccess,
    Material,
    MaterialKind,
    Participant,
    Sector,
    SessionMode,
    SiteLogistics,
    StaffRole,
    TrainingSession,
    TrainingUnit,
    export_bag,
    material_path,
    session_bag,
)
from wladna_core.training.cli import commands
from wladna_core.training.cli.commands import BAG_ACTION, PLAN_ACTION

if TYPE_CHECKING:
    from collections.abc import Iterator
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


# Commands that read a store -----------------------------------------------------------------


@attrs.frozen
class Filled:
    """A store holding a small training programme, and what is in it."""

    url: str
    unit: TrainingUnit
    materials: tuple[Material, ...]
    bodies: dict[str, TerritorialBody]
    participants: tuple[Participant, ...]
    trained: Participant


def fill(url: str, sources: Path) -> Filled:
    """Store bodies of Salé and Rabat, sites, staff, unit BI-01 and a session in ``url``."""
    bodies = {
        "cape": TerritorialBody("CAPE Salé", BodyKind.CAPE, "MA-SAL"),
        "association": TerritorialBody("Association Amal", BodyKind.ASSOCIATION, "MA-SAL"),
        "upe": TerritorialBody("UPE Rabat", BodyKind.UPE, "MA-RAB"),
    }
    sites = [
        SiteLogistics(
            bodies["cape"].id, ON, seats=20, devices=10, internet=InternetAccess.BROADBAND
        ),
        SiteLogistics(
            bodies["association"].id, ON, seats=8, devices=1, internet=InternetAccess.MOBILE
        ),
    ]
    materials = (material(sources, "guide.md", b"# Guide\n"), material(sources, "cas.md", b"1\n"))
    unit = TrainingUnit(
        code="BI-01",
        title_ar="استعمال قاعدة المعطيات",
        title_fr="Utilisation de la base d'information",
        duration_hours=12,
        materials=[item.id for item in materials],
    )
    staff = [
        ("cape", StaffRole.CASE_WORKER, Sector.MINISTRY),
        ("cape", StaffRole.CASE_WORKER, Sector.MINISTRY),
        ("cape", StaffRole.SOCIAL_WORKER, Sector.MINISTRY),
        ("association", StaffRole.SOCIAL_WORKER, Sector.ASSOCIATION),
        ("association", StaffRole.CASE_WORKER, Sector.ASSOCIATION),
        ("upe", StaffRole.CASE_WORKER, Sector.MINISTRY),
    ]
    participants = tuple(
        Participant(f"staff-{number}", bodies[body].id, role, sector)
        for number, (body, role, sector) in enumerate(staff, start=1)
    )
    days = (date(2026, 2, 2), date(2026, 2, 3))
    session = TrainingSession(
        units=[unit.id], mode=SessionMode.REMOTE, days=days, territory="MA-SAL", capacity=20
    )
    trained = participants[0]
    enrolment = Enrolment(trained.id, session.id, date(2026, 1, 20), attended=days, completed=True)
    with open_store(url) as store, store.unit_of_work() as uow:
        uow.bodies.add_many(bodies.values())
        uow.repository(SiteLogistics).add_many(sites)
        uow.repository(Material).add_many(materials)
        uow.repository(TrainingUnit).add(unit)
        uow.repository(Participant).add_many(participants)
        uow.repository(TrainingSession).add(session)
        uow.repository(Enrolment).add(enrolment)
    return Filled(url, unit, materials, bodies, participants, trained)


@pytest.fixture(params=["memory", *SQL_KINDS])
def filled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Filled]:
    """A store of each kind holding the programme of :func:`fill`."""
    sources = tmp_path / "sources"
    sources.mkdir()
    if request.param == "memory":
        url = f"memory://training-{uuid.uuid4().hex}"
        with open_store(url):  # held open: the commands use the store of this process
            yield fill(url, sources)
        return
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgresql)
    with sql_store(request.param, tmp_path) as url:
        yield fill(url, sources)


def audit_of(url: str, action: str) -> list[tuple[str, str, str | None]]:
    with open_store(url) as store:
        return [
            (entry.actor_id, entry.record_type, entry.record_id)
            for entry in store.audit_entries()
            if entry.action == action
        ]


def test_plan_proposes_sessions_and_lists_the_gaps(filled: Filled) -> None:
    result = run("training", "plan", "BI-01", "--db", filled.url, "--as", "n.amrani", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert (plan["unit"], plan["participants"], plan["trained_already"]) == ("BI-01", 5, 1)
    placed = {pid for session in plan["sessions"] for pid in session["participant_ids"]}
    assert placed == {person.id for person in filled.participants[1:]}
    # The CAPE follows remotely from its site; the association's site has neither the devices
    # nor broadband, and Rabat's unit has no site at all.
    gaps = {gap["body_id"]: gap for gap in plan["gaps"]}
    association, upe = filled.bodies["association"].id, filled.bodies["upe"].id
    assert set(gaps) == {association, upe}
    assert (gaps[association]["devices_missing"], gaps[association]["access_needed"]) == (
        1,
        "broadband",
    )
    assert (gaps[upe]["site_id"], gaps[upe]["access"]) == (None, None)


def test_plan_reads_only_the_territory_and_roles_asked_for(filled: Filled) -> None:
    asked = ["--territory", "MA-RAB", "--role", "case_worker", "--include-trained", "--json"]
    result = run("training", "plan", "BI-01", "--db", filled.url, "--as", "t", *asked)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["participants"] == 1


def test_plan_writes_each_participant_read_to_the_audit_trail(filled: Filled) -> None:
    result = run("training", "plan", "BI-01", "--db", filled.url, "--as", "n.amrani")
    assert result.exit_code == 0, result.output
    assert "Unit BI-01 (Utilisation de la base d'information), 12 h" in result.stdout
    assert "Logistics gaps" in result.stdout
    audited = audit_of(filled.url, PLAN_ACTION)
    assert sorted(audited) == sorted(
        ("n.amrani", "Participant", person.id) for person in filled.participants[1:]
    )


def test_plan_of_an_unknown_unit_names_the_units(filled: Filled) -> None:
    result = run("training", "plan", "XX-99", "--db", filled.url, "--as", "t")
    assert result.exit_code == ExitCode.INVALID_DATA
    assert result.stderr == (
        "wladna: error: no training unit 'XX-99' in the store; the units are BI-01\n"
    )
    assert audit_of(filled.url, PLAN_ACTION) == []


def test_bag_export_writes_a_bag_that_bagit_validates(filled: Filled, tmp_path: Path) -> None:
    target = tmp_path / "bag"
    result = run("training", "bag", "export", str(target), "--unit", "BI-01", "--db", filled.url)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Educational bag: BI-01: 2 materials (10 bytes) written to ")
    bagit.Bag(str(target)).validate()
    verified = run("training", "bag", "verify", str(target))
    assert verified.exit_code == 0, verified.output


def test_a_participants_bag_is_audited(filled: Filled, tmp_path: Path) -> None:
    target = tmp_path / "mine"
    who = filled.trained.id
    result = run(
        "training", "bag", "export", str(target), "--participant", who, "--db", filled.url,
        "--as", "s.idrissi",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert who not in (target / "bag-info.txt").read_text(encoding="utf-8")
    assert audit_of(filled.url, BAG_ACTION) == [("s.idrissi", "Participant", who)]


def test_a_changed_material_stops_the_export_and_leaves_nothing(
    filled: Filled, tmp_path: Path
) -> None:
    material_path(filled.materials[0]).write_bytes(b"# Guide, edited\n")
    target = tmp_path / "bag"
    result = run("training", "bag", "export", str(target), "--unit", "BI-01", "--db", filled.url)
    assert result.exit_code == ExitCode.INVALID_DATA
    assert "training.material_" in result.stderr
    assert not target.exists()


def test_bag_export_needs_exactly_one_source(filled: Filled, tmp_path: Path) -> None:
    result = run("training", "bag", "export", str(tmp_path / "b"), "--db", filled.url)
    assert result.exit_code == ExitCode.USAGE
    assert "give one of --session, --unit or --participant" in result.stderr


def test_an_unknown_session_is_refused_without_telling_more(filled: Filled, tmp_path: Path) -> None:
    result = run(
        "training", "bag", "export", str(tmp_path / "b"), "--session", str(uuid.uuid4()),
        "--db", filled.url,
    )  # fmt: skip
    assert result.exit_code == ExitCode.INVALID_DATA
    assert "no training session" in result.stderr


# wladna training report -------------------------------------------------------------------------


def count_sessions(records: Any, query: Any) -> list[tuple[object, ...]]:
    """The number of training sessions, whatever the report's dimensions (there are none)."""
    return [(records.unit_of_work.repository(TrainingSession).count(),)]


SESSIONS_HELD = Indicator(
    name="training_test_sessions",
    title="Training sessions recorded",
    definition="The number of training sessions the store keeps.",
    unit="count",
    measures=("count",),
    dimensions=(),
    counts="cases",  # what the machinery knows today; the figure is computed by hand
    compute=count_sessions,
)


@pytest.fixture
def with_indicator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``wladna`` load a plug-in offering the training indicator :data:`SESSIONS_HELD`."""
    pm = plugins.make_plugin_manager(load_entrypoints=False)
    pm.register(SimpleNamespace(wladna_indicators=hookimpl(lambda: [SESSIONS_HELD])), name="t")
    monkeypatch.setattr(plugins, "make_plugin_manager", lambda *_a, **_k: pm)
    monkeypatch.setattr(core_report, "make_plugin_manager", lambda *_a, **_k: pm)


@pytest.mark.usefixtures("with_indicator")
def test_report_lists_the_training_indicators_only() -> None:
    result = run("training", "report", "--list")
    assert result.exit_code == 0, result.output
    assert "training_test_sessions" in result.stdout
    assert "cases_opened" not in result.stdout


@pytest.mark.usefixtures("with_indicator")
def test_report_computes_a_plugins_training_indicator(filled: Filled) -> None:
    asked = ["training_test_sessions", "--format", "csv", "--on", "2026-06-30"]
    result = run("training", "report", *asked, "--db", filled.url)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["count", "1"]


def test_report_computes_the_training_indicators_in_the_store(filled: Filled) -> None:
    asked = ["--by", "mode", "--format", "csv", "--on", "2026-06-30"]
    result = run("training", "report", *asked, "--db", filled.url)
    assert result.exit_code == 0, result.output
    tables = result.stdout.split("\n\n")
    assert "mode,sessions\nremote,1\nTotal,1\n" in tables
    # Every table is a training indicator's: none of the casework's.
    assert all(table.startswith("mode,") for table in tables if table.strip())
    assert "cases" not in result.stdout


def test_report_of_a_dimension_no_training_indicator_allows_says_so(filled: Filled) -> None:
    result = run("training", "report", "--by", "need", "--by", "role", "--db", filled.url)
    assert result.exit_code == ExitCode.USAGE
    assert "no training indicator allows --by need --by role" in result.stderr


def test_report_without_training_indicators_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commands, "INDICATOR_PREFIX", "no_such_prefix_")
    result = run("training", "report", "--list")
    assert result.exit_code == ExitCode.USAGE
    assert "no training indicator is installed" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["plan", "BI-01"], ["bag", "export", "bag", "--unit", "BI-01"], ["report", "--by", "mode"]],
    ids=lambda command: command[0],
)
def test_a_store_that_does_not_exist_is_refused_never_created(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "missing.db"
    result = run(
        "training",
        *command,
        "--db",
        f"sqlite:///{missing}",
        *(["--as", "t"] if command[0] != "report" else []),
    )
    assert result.exit_code == ExitCode.STORE
    assert "is never created" in result.stderr
    assert not missing.exists()
    assert not (tmp_path / "bag").exists()
