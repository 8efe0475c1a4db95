"""The command is audited: who imported or exported which record; ``wladna audit verify``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from cli_support import SQL_KINDS, audit_of, filled, run, sample_lines, sql_store
from wladna_core.audit import AuditTrail
from wladna_core.cli import ExitCode
from wladna_core.cli.transfer import EXPORT_ACTION, IMPORT_ACTION
from wladna_core.storage import StoreError, open_store
from wladna_core.storage.ports import AuditLog

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(params=SQL_KINDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        request.applymarker(pytest.mark.postgresql)
    with sql_store(request.param, tmp_path) as found:
        yield found


def _ids(lines: bytes) -> list[tuple[str, str]]:
    found = []
    for line in lines.splitlines():
        data = json.loads(line)
        found.append((data["type"], data["record"]["id"]))
    return found


_TYPES = {
    "body": "TerritorialBody",
    "child": "Child",
    "family": "Family",
    "case": "Case",
    "referral": "Referral",
    "duplicate_pair": "DuplicatePair",
}


# import ----------------------------------------------------------------------------------------


def test_import_writes_one_audit_entry_per_record_stored(url: str) -> None:
    result = run(
        "import", "-", "--db", url, "--as", "n.amrani", "--batch-size", "4", stdin=sample_lines()
    )
    assert result.exit_code == 0, result.stderr
    entries = audit_of(url)
    assert [(e.record_type, e.record_id) for e in entries] == [
        (_TYPES[kind], record_id) for kind, record_id in _ids(sample_lines())
    ]
    assert {(e.actor_id, e.action, e.version, e.outcome, e.detail) for e in entries} == {
        ("n.amrani", IMPORT_ACTION, 1, "done", "wladna import")
    }
    with open_store(url) as store:
        assert AuditTrail(store).verify().ok


def test_a_refused_batch_leaves_no_audit_entry(url: str) -> None:
    lines = sample_lines().splitlines(keepends=True)
    broken = b"".join(lines[:2]) + b'{"type": "child", "record": {"sex": "?"}}\n'
    result = run("import", "-", "--db", url, "--as", "n.amrani", "--batch-size", "2", stdin=broken)
    assert result.exit_code == ExitCode.INVALID_DATA
    assert [entry.record_id for entry in audit_of(url)] == [
        record_id for _, record_id in _ids(b"".join(lines[:2]))
    ]


def test_import_stores_nothing_when_its_audit_entries_cannot_be_written(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: AuditLog, drafts: object, at: object) -> None:
        msg = "the audit trail refuses entries"
        raise StoreError(msg)

    lines = sample_lines()
    run("db", "upgrade", "--db", url)
    monkeypatch.setattr(AuditLog, "append", refuse)
    result = run("import", "-", "--db", url, "--as", "n.amrani", stdin=lines)
    assert result.exit_code == ExitCode.STORE
    assert "the audit trail refuses entries" in result.stderr
    monkeypatch.undo()
    with open_store(url) as store, store.unit_of_work() as uow:
        assert uow.children.count() == 0
        assert uow.bodies.count() == 0


def test_who_acts_comes_from_the_environment_or_the_login(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "operator7")
    lines = sample_lines().splitlines(keepends=True)
    assert run("import", "-", "--db", url, stdin=lines[0]).exit_code == 0
    from_env = run("import", "-", "--db", url, stdin=lines[1], env={"WLADNA_ACTOR": "k.idrissi"})
    assert from_env.exit_code == 0
    assert [entry.actor_id for entry in audit_of(url)] == ["operator7", "k.idrissi"]


def test_without_a_login_name_the_command_asks_who_acts(monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown() -> str:
        raise KeyError("uid not found")  # what getpass does with no password entry

    monkeypatch.setattr("getpass.getuser", unknown)
    result = run("export", "--db", "sqlite:///never-opened.db", env={"WLADNA_ACTOR": None})  # type: ignore[dict-item]
    assert result.exit_code == ExitCode.USAGE
    assert "--as NAME or set WLADNA_ACTOR" in result.stderr


@pytest.mark.parametrize(("actor", "problem"), [("x" * 101, "at most 100"), ("a\x00b", "NUL")])
def test_a_name_the_audit_trail_cannot_keep_is_refused(actor: str, problem: str) -> None:
    result = run("export", "--db", "sqlite:///never-opened.db", "--as", actor)
    assert result.exit_code == ExitCode.USAGE
    assert "--as" in result.stderr
    assert problem in result.stderr


# export ----------------------------------------------------------------------------------------


def test_export_writes_one_audit_entry_per_record_written(url: str) -> None:
    filled(url)
    before = len(audit_of(url))
    result = run("export", "--db", url, "--as", "analyst.rabat", "--type", "child")
    assert result.exit_code == 0, result.stderr
    written = _ids(result.stdout_bytes)
    assert written
    assert {kind for kind, _ in written} == {"child"}
    entries = audit_of(url)[before:]
    assert [(e.record_type, e.record_id) for e in entries] == [
        ("Child", record_id) for _, record_id in written
    ]
    assert {(e.actor_id, e.action, e.version, e.detail) for e in entries} == {
        ("analyst.rabat", EXPORT_ACTION, 1, "wladna export")
    }


def test_a_pseudonymised_export_is_audited_with_the_real_ids(url: str, tmp_path: Path) -> None:
    filled(url)
    key = tmp_path / "key.hex"
    key.write_text("ab" * 32)
    before = len(audit_of(url))
    result = run("export", "--db", url, "--pseudonymise", "--key-file", str(key), "--as", "r.a")
    assert result.exit_code == 0, result.stderr
    entries = audit_of(url)[before:]
    # What a pseudonymised export carries (docs/consent.md): every body, and the cases whose
    # consent includes reporting with their children, households and referrals.
    records = [json.loads(line) for line in sample_lines().splitlines()]
    consenting = [
        line["record"]
        for line in records
        if line["type"] == "case" and ((line["record"].get("consent") or {}).get("reporting"))
    ]
    named = {case["id"] for case in consenting}
    named |= {case["child_id"] for case in consenting}
    named |= {case["family_id"] for case in consenting if case.get("family_id")}
    expected = [
        line["record"]["id"]
        for line in records
        if line["type"] == "body"
        or line["record"]["id"] in named
        or (line["type"] == "referral" and line["record"]["case_id"] in named)
    ]
    assert expected  # the bodies at least
    assert [entry.record_id for entry in entries] == expected
    assert len(result.stdout_bytes.splitlines()) == len(expected)
    assert {entry.detail for entry in entries} == {"wladna export --pseudonymise"}


def test_export_writes_no_record_whose_audit_entry_was_not_written(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled(url)

    def refuse(self: AuditLog, drafts: object, at: object) -> None:
        msg = "the audit trail refuses entries"
        raise StoreError(msg)

    monkeypatch.setattr(AuditLog, "append", refuse)
    to_stdout = run("export", "--db", url, "--as", "r.a")
    assert to_stdout.exit_code == ExitCode.STORE
    assert to_stdout.stdout == ""
    target = tmp_path / "out.jsonl"
    to_file = run("export", "--db", url, "--as", "r.a", "--output", str(target))
    assert to_file.exit_code == ExitCode.STORE
    assert not target.exists()
    assert list(tmp_path.glob(".out.jsonl*")) == []


def test_export_audits_batch_by_batch_before_writing(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = filled(url)
    monkeypatch.setattr("wladna_core.cli.transfer.EXPORT_BATCH", 2)
    appended: list[int] = []
    append = AuditLog.append

    def counting(self: AuditLog, drafts: object, at: object) -> object:
        batch = list(drafts)  # type: ignore[call-overload]
        appended.append(len(batch))
        return append(self, batch, at)  # type: ignore[arg-type]

    monkeypatch.setattr(AuditLog, "append", counting)
    result = run("export", "--db", url, "--as", "r.a")
    assert result.exit_code == 0, result.stderr
    assert sum(appended) == total
    assert max(appended) <= 2


# audit verify ----------------------------------------------------------------------------------


def test_audit_verify_of_an_intact_trail_exits_0_and_prints_the_head(url: str) -> None:
    filled(url)
    result = run("audit", "verify", "--db", url)
    assert result.exit_code == 0, result.stderr
    with open_store(url) as store:
        head = AuditTrail(store).head()
    assert result.stdout.rstrip().endswith(f"entries, chain intact; head {head}")
    again = run("audit", "verify", "--db", url, "--anchor", str(head))
    assert again.exit_code == 0


def _tamper(url: str, seq: int) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE audit_entries SET actor_id = 'someone.else' WHERE seq = :seq"),
            {"seq": seq},
        )
    engine.dispose()


def test_audit_verify_lists_every_problem_and_exits_1(url: str) -> None:
    filled(url)
    _tamper(url, 2)
    _tamper(url, 5)
    result = run("audit", "verify", "--db", url)
    assert result.exit_code == ExitCode.INVALID_DATA
    assert result.stdout.splitlines() == [
        "seq 2 (edited): its fields do not give its hash: it was edited, or forged, after it "
        "was written",
        "seq 5 (edited): its fields do not give its hash: it was edited, or forged, after it "
        "was written",
    ]
    assert "the audit trail fails verification: 2 problem(s)" in result.stderr


def test_audit_verify_finds_a_trail_cut_short_from_an_anchor(url: str) -> None:
    filled(url)
    with open_store(url) as store:
        head = AuditTrail(store).head()
    assert head is not None
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_entries WHERE seq = :seq"), {"seq": head.seq})
    engine.dispose()
    result = run("audit", "verify", "--db", url, "--anchor", str(head))
    assert result.exit_code == ExitCode.INVALID_DATA
    assert f"seq {head.seq} (truncated)" in result.stdout


def test_audit_verify_refuses_a_malformed_anchor() -> None:
    result = run("audit", "verify", "--db", "sqlite:///x.db", "--anchor", "12:nothex")
    assert result.exit_code == ExitCode.USAGE
    assert "is not an audit head: write SEQ:HASH" in result.stderr


def test_audit_verify_of_a_store_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    result = run("audit", "verify", "--db", f"sqlite:///{tmp_path / 'nope.db'}")
    assert result.exit_code == ExitCode.STORE
    assert "there is no database at" in result.stderr
    assert not (tmp_path / "nope.db").exists()
