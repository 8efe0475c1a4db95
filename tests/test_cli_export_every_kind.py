"""Moving records between stores: every kind, on every store, and incidents never in a file.

``wladna export`` then ``wladna import``: the case file (but its incidents), the training
records (a unit whose prerequisite has a later id included), the review queue of duplicates
and the five kinds of the information base come back the same, at version 1.
``wladna db copy``: every kind, incidents included, from store to store, audited in both.
A kind left behind would be records lost without a word.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from casefile_support import case_with_a_full_file
from casework import STORES, deploy, store_url
from cli_support import run
from wladna_core import plugins
from wladna_core.audit import AuditTrail
from wladna_core.casefile.incidents.model import Incident
from wladna_core.cli import ExitCode
from wladna_core.cli.jsonlines import parse_line
from wladna_core.hookspecs import hookimpl
from wladna_core.messages import Message, Text
from wladna_core.rules import Finding, Rule, rule
from wladna_core.storage import open_store
from wladna_core.training import Material, MaterialKind, TrainingUnit

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from wladna_core.rules import Context


def _training(url: str, folder: Path) -> None:
    """Store two units, the first recorded needing the second as a prerequisite."""
    content = b"# Guide\n"
    (folder / "guide.md").write_bytes(content)
    material = Material(
        title="Guide de l'intervenant",
        kind=MaterialKind.GUIDE,
        language="fr",
        edition="1.0",
        media_type="text/markdown",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        location=(folder / "guide.md").as_uri(),
    )
    first = TrainingUnit(
        code="BI-02",
        title_ar="المتابعة",
        title_fr="Suivi",
        duration_hours=6,
        id="01a00000-0000-7000-8000-000000000001",
    )
    second = TrainingUnit(
        code="BI-01",
        title_ar="قاعدة المعطيات",
        title_fr="Base d'information",
        duration_hours=6,
        materials=[material.id],
        id="01a00000-0000-7000-8000-000000000002",
    )
    assert first.id < second.id  # written in order of id, the first would come before its need
    with open_store(url) as store, store.unit_of_work() as uow:
        uow.repository(Material).add(material)
        stored = uow.repository(TrainingUnit).add(first)
        uow.repository(TrainingUnit).add(second)
        uow.repository(TrainingUnit).update(attrs.evolve(stored, prerequisites={second.id}))


def _every_record(url: str) -> dict[str, list[Any]]:
    with open_store(url) as store, store.unit_of_work(read_only=True) as uow:
        return {
            store.kinds[record_type].name: sorted(
                (attrs.evolve(record, version=1) for record in uow.repository(record_type).find()),
                key=lambda record: record.id,
            )
            for record_type in store.kinds
        }


@pytest.mark.parametrize("store", STORES)
def test_export_then_import_moves_every_kind_of_record(store: str, tmp_path: Path) -> None:
    with store_url(store, tmp_path) as source, store_url(store, tmp_path) as target:
        options = {"documents": {"url": (tmp_path / "documents").as_uri()}}
        dep = deploy(source, settings=options)
        try:
            for _ in range(2):  # the second child is a possible duplicate of the first
                case_with_a_full_file(dep)
            _training(source, tmp_path)
            before = _every_record(source)
        finally:
            dep.wl.close()
        before.pop("incident")  # never in a file: wladna db copy moves them
        exported = run("export", "--db", source, "--as", "r.alami")
        assert exported.exit_code == 0, exported.stderr
        kinds = [parse_line(line, 1).kind for line in exported.stdout_bytes.splitlines()]
        assert {name for name, records in before.items() if records} == set(kinds)
        (tmp_path / "all.jsonl").write_bytes(exported.stdout_bytes)
        if store == "memory":  # a named memory store lives while a store of it is open
            with open_store(target):
                imported = run(
                    "import", str(tmp_path / "all.jsonl"), "--db", target, "--as", "r.alami"
                )
                after = _every_record(target)
        else:
            run("db", "upgrade", "--db", target)
            imported = run("import", str(tmp_path / "all.jsonl"), "--db", target, "--as", "r.alami")
            after = _every_record(target)
        assert imported.exit_code == 0, imported.stderr
        assert after.pop("incident") == []
        assert after == before
        assert f"{len(kinds)} records stored" in imported.stderr


def test_every_record_is_written_after_the_records_it_refers_to(tmp_path: Path) -> None:
    with store_url("sqlite", tmp_path) as url:
        dep = deploy(url, settings={"documents": {"url": (tmp_path / "documents").as_uri()}})
        try:
            case_with_a_full_file(dep)
            _training(url, tmp_path)
            registry = dep.wl.store.kinds
        finally:
            dep.wl.close()
        exported = run("export", "--db", url, "--as", "r.alami")
    assert exported.exit_code == 0, exported.stderr
    written: set[tuple[type, str]] = set()
    for line in exported.stdout_bytes.splitlines():
        record = parse_line(line, 1).record
        kind = registry[type(record)]
        for other, other_id in kind.references(record):
            assert other_id is None or (other, other_id) in written, (kind.name, other.__name__)
        written.add((type(record), record.id))
    units = [line for line in exported.stdout_bytes.splitlines() if b'"training_unit"' in line]
    assert [parse_line(line, 1).record.code for line in units] == ["BI-01", "BI-02"]


def _filled(url: str, folder: Path) -> dict[str, list[Any]]:
    dep = deploy(url, settings={"documents": {"url": (folder / "documents").as_uri()}})
    try:
        for _ in range(2):
            case_with_a_full_file(dep)
        _training(url, folder)
        return _every_record(url)
    finally:
        dep.wl.close()


@pytest.mark.parametrize(
    ("source_kind", "target_kind"),
    [("memory", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")],
)
def test_db_copy_moves_every_record_incidents_included_audited_in_both_stores(
    source_kind: str, target_kind: str, tmp_path: Path
) -> None:
    with store_url(source_kind, tmp_path) as source, store_url(target_kind, tmp_path) as target:
        with open_store(source):  # a memory store lives while a store of it is open
            before = _filled(source, tmp_path)
            copied = run("db", "copy", "--db", source, "--to", target, "--as", "r.alami")
            assert copied.exit_code == 0, copied.stderr
            after = _every_record(target)
            with open_store(source) as store:
                out = AuditTrail(store).entries()
        assert before["incident"]
        assert after == before
        held = sum(len(records) for records in before.values())
        assert f"{held} records copied" in copied.stderr
        with open_store(target) as store:
            trail = AuditTrail(store)
            entries = trail.entries()
            assert trail.verify().ok
        assert {(entry.action, entry.actor_id) for entry in entries} == {("record.copy", "r.alami")}
        assert sorted(entry.record_id for entry in entries) == sorted(
            record.id for records in before.values() for record in records
        )
        left = [entry for entry in out if entry.action == "record.copy"]
        assert sorted(entry.record_id for entry in left) == sorted(
            entry.record_id for entry in entries
        )


def test_db_copy_fills_an_empty_store_only(tmp_path: Path) -> None:
    with store_url("sqlite", tmp_path) as source, store_url("sqlite", tmp_path) as target:
        _filled(source, tmp_path)
        first = run("db", "copy", "--db", source, "--to", target, "--as", "r.alami")
        assert first.exit_code == 0, first.stderr
        before = _every_record(target)
        again = run("db", "copy", "--db", source, "--to", target, "--as", "r.alami")
        assert again.exit_code == ExitCode.INVALID_DATA
        assert "wladna db copy fills an empty store only" in again.stderr
        assert _every_record(target) == before
        itself = run("db", "copy", "--db", source, "--to", source, "--as", "r.alami")
        assert itself.exit_code == ExitCode.USAGE
        assert "--to names the store to copy from" in itself.stderr
        # The same file, spelled another way, is the same store.
        relative = "sqlite:///" + os.path.relpath(source.removeprefix("sqlite:///"))
        spelled = run("db", "copy", "--db", source, "--to", relative, "--as", "r.alami")
        assert spelled.exit_code == ExitCode.USAGE, spelled.stderr
        assert "--to names the store to copy from" in spelled.stderr


def test_db_copy_refuses_a_store_that_does_not_exist(tmp_path: Path) -> None:
    result = run(
        "db",
        "copy",
        "--db",
        f"sqlite:///{tmp_path / 'none.db'}",
        "--to",
        f"sqlite:///{tmp_path / 'new.db'}",
        "--as",
        "r.alami",
    )
    assert result.exit_code == ExitCode.STORE
    assert not (tmp_path / "new.db").exists()


@rule(
    "test.incident_refused",
    entity=Incident,
    description="A rule of the new deployment that its old records do not meet.",
    message=Message(
        message=Text(
            en="incidents are refused here", fr="incidents refusés ici", ar="الحوادث مرفوضة هنا"
        ),
        remedy=Text(en="mend the incident", fr="corrigez l'incident", ar="صحح الحادث"),
    ),
)
def _incident_refused(incident: Incident, ctx: Context) -> Iterator[Finding]:
    yield Finding("$.occurred_on")


class _StricterRules:
    """The rules of a store that refuses what the store copied from holds."""

    @hookimpl
    def wladna_rules(self) -> list[Rule]:
        return [_incident_refused]


@pytest.mark.parametrize("target_kind", ["sqlite", "postgresql"])
def test_db_copy_refused_midway_leaves_the_new_store_empty(
    target_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with store_url("sqlite", tmp_path) as source, store_url(target_kind, tmp_path) as target:
        before = _filled(source, tmp_path)
        made = plugins.make_plugin_manager

        def stricter(*args: Any, **kwargs: Any) -> Any:
            manager = made(*args, **kwargs)
            manager.register(_StricterRules(), name="stricter")
            return manager

        # Incidents come after the cases they are about: a copy in several transactions would
        # leave children, cases and referrals behind it.
        with monkeypatch.context() as patched:
            patched.setattr(plugins, "make_plugin_manager", stricter)
            refused = run("db", "copy", "--db", source, "--to", target, "--as", "r.alami")
        assert refused.exit_code == ExitCode.INVALID_DATA
        assert "refused incident records" in refused.stderr
        assert "test.incident_refused" in refused.stderr
        assert "$.occurred_on" in refused.stderr
        assert "is still empty" in refused.stderr
        after = _every_record(target)
        assert before["case"]
        assert all(records == [] for records in after.values())
        with open_store(target) as store:
            assert AuditTrail(store).entries() == []
        # Once the rule is met (here: gone), the same store takes the copy whole.
        again = run("db", "copy", "--db", source, "--to", target, "--as", "r.alami")
        assert again.exit_code == 0, again.stderr
        assert _every_record(target) == before
