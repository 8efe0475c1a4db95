"""The ``wladna`` command: every command's help, output, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wladna_core as wl
from postgres import private_schema, server_url
from test_kind_migrations import builtin_heads
from wladna_core.cli import ExitCode, main
from wladna_core.cli.checkpoint import SUFFIX, Checkpoint, Position, Probe
from wladna_core.cli.jsonlines import KIND_ORDER, encode_line, kind_of, parse_line
from wladna_core.cli.options import DAY
from wladna_core.cli.transfer import Importer
from wladna_core.model import DuplicatePair
from wladna_core.storage import open_store
from wladna_core.storage.sql import head_revision
from wladna_core.testing.strategies import REFERENCE_DATE, case_files, many_case_files

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from wladna_core.cli.jsonlines import Record
    from wladna_core.storage import Store
    from wladna_core.testing.strategies import CaseFile

FEW = settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=True)
    # A user's mistake never shows a traceback, and leaves through SystemExit alone.
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def ordered(files: Sequence[CaseFile]) -> list[Record]:
    records = [record for file in files for record in file.records]
    return sorted(records, key=lambda record: KIND_ORDER.index(kind_of(record)))


def jsonl(records: Sequence[Record]) -> bytes:
    return b"".join(encode_line(record) for record in records)


def violations(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def memory_url() -> Iterator[str]:
    url = f"memory://cli-{uuid.uuid4().hex}"
    # A named memory store lives while one of its stores is referenced: keep one open.
    with open_store(url):
        yield url


def stored(url: str, *, numbered: bool = False) -> list[Record]:
    with open_store(url) as store, store.unit_of_work() as uow:
        return [
            record if numbered else _unnumbered(record)
            for kind in KIND_ORDER
            for record in uow.repository(kind.record_class).find()  # type: ignore[attr-defined]
        ]


def as_stored(records: Sequence[Record]) -> list[Record]:
    """The records as a store returns them after adding them: version 1, numbers left out."""
    by_kind = sorted(records, key=lambda r: (KIND_ORDER.index(kind_of(r)), r.id))
    return [_unnumbered(attrs.evolve(record, version=1)) for record in by_kind]


def _unnumbered(record: Record) -> Record:
    # A store gives a case without a number the next one of its province.
    return attrs.evolve(record, number=None) if isinstance(record, wl.Case) else record


# Help ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[], ["validate"], ["import"], ["export"], ["plugins"], ["db"], ["db", "upgrade"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")


def test_main_help_documents_the_exit_codes() -> None:
    assert "3 store or database problem" in " ".join(run("--help").stdout.split())


def test_unknown_option_is_a_usage_error() -> None:
    result = run("validate", "--nope", "x")
    assert result.exit_code == ExitCode.USAGE == 2
    assert "No such option '--nope'" in result.stderr
    assert "Usage: wladna validate" in result.stderr


# validate --------------------------------------------------------------------------------------


@FEW
@given(many_case_files(min_size=1, max_size=3))
def test_validate_passes_files_of_valid_case_files(files: tuple[CaseFile, ...]) -> None:
    result = run("validate", "-", "--on", REFERENCE_DATE.isoformat(), stdin=jsonl(ordered(files)))
    assert result.exit_code == 0, result.stdout
    assert all(found["severity"] == "warning" for found in violations(result))


@FEW
@given(case_files())
def test_validate_checks_a_case_against_the_child_of_the_file(file: CaseFile) -> None:
    records = ordered([file])
    without_child = [record for record in records if record is not file.child]
    result = run("validate", "-", "--on", REFERENCE_DATE.isoformat(), stdin=jsonl(without_child))
    assert result.exit_code == 1
    line = 1 + without_child.index(file.case)
    found = [v for v in violations(result) if v["code"] == "case.child_unknown"]
    assert found == [
        {
            "line": line,
            "record_type": "case",
            "record_id": file.case.id,
            "code": "case.child_unknown",
            "path": "$.record.child_id",
            "severity": "error",
            "message": found[0]["message"],
            "remedy": found[0]["remedy"],
        }
    ]


def _child(**changes: object) -> wl.Child:
    child = wl.Child(
        sex=wl.Sex.FEMALE,
        birth_date=date(2014, 3, 8),
        given_name="Salma",
        residence="MA-SAL",
        id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f",
    )
    return attrs.evolve(child, **changes)


def test_validate_reports_a_bad_json_line_with_its_line_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    blank_nickname = b'{"type": "child", "record": {"sex": "male", "birth_date": "2015-01-01", '
    blank_nickname += b'"given_name": "Ali", "nickname": " "}}\n'
    path.write_bytes(b'{"type": "child", "record": {,}}\n\n' + blank_nickname)
    result = run("validate", str(path))
    assert result.exit_code == ExitCode.INVALID_DATA
    first, second = violations(result)
    assert first["line"] == 1
    assert first["code"] == "input.json"
    assert first["path"] == "$"
    assert first["record_type"] is None
    assert str(first["message"]).startswith("The text is not valid JSON at line 1, column 30")
    assert second["line"] == 3
    assert (second["code"], second["path"]) == ("input.blank", "$.record.nickname")
    assert "3 lines read" in result.stderr
    assert "2 error(s)" in result.stderr


def test_validate_places_json_errors_at_their_line_in_the_file() -> None:
    result = run("validate", "-", stdin=encode_line(_child()) + b"\n" * 3 + b'{"type": "child"\n')
    [found] = violations(result)
    assert found["line"] == 5
    assert "at line 5, column" in str(found["message"])


def test_validate_names_an_unknown_type_and_a_malformed_line() -> None:
    result = run(
        "validate", "-", stdin=b'{"type": "person", "record": {}}\n[1, 2]\n{"type": "child"}\n'
    )
    assert [(v["line"], v["code"], v["path"]) for v in violations(result)] == [
        (1, "input.enum", "$.type"),
        (2, "input.not_object", "$"),
        (3, "input.missing", "$.record"),
    ]
    assert result.exit_code == 1


def test_validate_reports_every_violation_of_an_invalid_record() -> None:
    line = b'{"type": "child", "record": '
    line += b'{"sex": "femme", "birth_date": "2024-02-30", "given_name": "S"}}\n'
    found = violations(run("validate", "-", stdin=line))
    assert [(v["code"], v["path"], v["record_type"]) for v in found] == [
        ("input.enum", "$.record.sex", "child"),
        ("input.date", "$.record.birth_date", "child"),
    ]


def test_validate_with_warnings_only_exits_0() -> None:
    # Aged 17 on the date of validation without a CNIE: a warning, not an error.
    child = _child(birth_date=date(2008, 6, 1))
    result = run("validate", "-", "--on", "2026-01-01", stdin=encode_line(child))
    assert result.exit_code == 0
    assert [v["code"] for v in violations(result)] == ["child.cnie_expected"]
    assert "0 error(s), 1 warning(s)" in result.stderr


def test_validate_reports_a_repeated_id_with_the_store_code() -> None:
    result = run("validate", "-", "--lang", "fr", stdin=encode_line(_child()) * 2)
    [found] = violations(result)
    assert (found["line"], found["code"], found["path"]) == (2, "store.id_taken", "$.record.id")
    assert found["message"] == (
        "l'identifiant de child 0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f est déjà utilisé à la ligne 1"
    )


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "birth_date is not a valid date written YYYY-MM-DD."),
        ("fr", "birth_date n'est pas une date valide écrite AAAA-MM-JJ."),
        ("ar", "birth_date ليس تاريخًا صحيحًا مكتوبًا بصيغة YYYY-MM-DD."),
    ],
)
def test_validate_speaks_the_language_asked_for(lang: str, message: str) -> None:
    line = b'{"type": "child", "record": {"sex": "male", "birth_date": "x", "given_name": "Ali"}}'
    [found] = violations(run("validate", "-", "--lang", lang, stdin=line))
    assert found["message"] == message


def test_validate_language_comes_from_the_environment() -> None:
    line = b'{"type": "child", "record": {"sex": "male", "birth_date": "x", "given_name": "Ali"}}'
    [found] = violations(run("validate", "-", stdin=line, env={"WLADNA_LANG": "fr"}))
    assert found["message"] == "birth_date n'est pas une date valide écrite AAAA-MM-JJ."


def test_validate_text_format_is_one_sentence_per_violation() -> None:
    result = run(
        "validate", "-", "--format", "text", stdin=encode_line(_child(birth_date=date(2031, 1, 1)))
    )
    assert result.stdout.splitlines() == [
        "line 1: error: child 0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f $.record.birth_date "
        "[child.birth_in_future] " + result.stdout.split("[child.birth_in_future] ")[1].rstrip()
    ]
    assert result.exit_code == 1


def test_validate_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == ExitCode.USAGE
    assert "nope.jsonl" in result.stderr
    assert "No such file or directory" in result.stderr


def test_validate_a_bad_date_option_is_a_usage_error() -> None:
    result = run("validate", "-", "--on", "2026-02-30", stdin=b"")
    assert result.exit_code == ExitCode.USAGE
    assert "--on" in result.stderr


def test_parse_line_keeps_the_id_of_a_refused_record() -> None:
    parsed = parse_line(b'{"type": "case", "record": {"id": "abc", "risk": 3}}', 4)
    assert (parsed.number, parsed.kind, parsed.record, parsed.record_id) == (4, "case", None, "abc")
    assert all(found.path.startswith("$.record") for found in parsed.violations)


# import ----------------------------------------------------------------------------------------


@st.composite
def _one_file(draw: st.DrawFn) -> list[Record]:
    return ordered([draw(case_files(max_referrals=2))])


def test_import_stores_every_record(tmp_path: Path, memory_url: str) -> None:
    records = [_child(), _child(id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", given_name="Amina")]
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl(records))
    result = run("import", str(path), "--db", memory_url, "--batch-size", "1")
    assert result.exit_code == 0, result.stderr
    assert "2 records stored" in result.stderr
    assert "in 2 batch(es)" in result.stderr
    assert stored(memory_url) == as_stored(records)
    assert not (tmp_path / ("in.jsonl" + SUFFIX)).exists()
    assert result.stdout == ""


@FEW
@given(_one_file())
def test_import_refuses_a_whole_batch_and_keeps_the_earlier_ones(records: list[Record]) -> None:
    url = f"memory://cli-{uuid.uuid4().hex}"
    broken = (
        jsonl(records[:2]) + b'{"type": "child", "record": {"sex": "?"}}\n' + jsonl(records[2:])
    )
    with tempfile.TemporaryDirectory() as folder, open_store(url):
        path = Path(folder) / "in.jsonl"
        path.write_bytes(broken)
        result = run("import", str(path), "--db", url, "--batch-size", "2")
        assert result.exit_code == ExitCode.INVALID_DATA
        assert stored(url) == as_stored(records[:2])
        assert "the batch of lines 3-4 of" in result.stderr
        assert "line 3: error: child $.record.sex [input.enum]" in result.stderr
        assert "lines 1-2 are stored" in result.stderr
        assert "--resume" in result.stderr
        checkpoint = Checkpoint.load(Path(str(path) + SUFFIX))
        assert checkpoint.committed.lines == 2
        assert checkpoint.pending is None
        # Mend the line: the import goes on after the committed batch.
        path.write_bytes(jsonl(records))
        resumed = run("import", str(path), "--db", url, "--batch-size", "2", "--resume")
        assert resumed.exit_code == 0, resumed.stderr
        assert stored(url) == as_stored(records)
        assert not Path(str(path) + SUFFIX).exists()


def test_import_names_line_record_code_path_of_a_store_refusal(
    tmp_path: Path, memory_url: str
) -> None:
    case = wl.Case(
        child_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0eff",
        body_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0efe",
        territory="MA-SAL",
        opened_on=date(2026, 6, 1),
        identification=wl.Identification(wl.IdentificationSource.SCHOOL, date(2026, 6, 1)),
        concerns=[wl.ProtectionConcern.CHILD_LABOUR],
        id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e99",
    )
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl([_child(), case]))
    result = run("import", str(path), "--db", memory_url)
    assert result.exit_code == ExitCode.INVALID_DATA
    assert "the batch of lines 1-2" in result.stderr
    assert (
        "line 2: error: case 0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e99 $.record.child_id "
        "[case.child_unknown]"
    ) in result.stderr
    assert stored(memory_url) == []


def test_import_records_may_refer_to_later_lines_of_the_same_batch(
    tmp_path: Path, memory_url: str
) -> None:
    # A family listing its child, then the case of both: one batch, in dependency order.
    child = _child()
    family = wl.Family(
        members=[wl.FamilyMember(wl.Relation.CHILD, child_id=child.id, given_name="Salma")],
        id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e30",
    )
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl([child, family]))
    assert run("import", str(path), "--db", memory_url).exit_code == 0
    assert stored(memory_url) == as_stored([child, family])


def test_import_refuses_to_start_again_over_an_unfinished_import(
    tmp_path: Path, memory_url: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(encode_line(_child()))
    Checkpoint("in.jsonl", memory_url, Position.start()).save(Path(str(path) + SUFFIX))
    result = run("import", str(path), "--db", memory_url)
    assert result.exit_code == ExitCode.USAGE
    assert "an unfinished import left the checkpoint" in result.stderr
    assert stored(memory_url) == []


def test_resume_refuses_a_file_whose_imported_lines_changed(
    tmp_path: Path, memory_url: str
) -> None:
    path = tmp_path / "in.jsonl"
    first = encode_line(_child())
    path.write_bytes(first)
    committed = Position.start().after([first])
    Checkpoint("in.jsonl", memory_url, committed).save(Path(str(path) + SUFFIX))
    path.write_bytes(encode_line(_child(given_name="Samira")))
    result = run("import", str(path), "--db", memory_url, "--resume")
    assert result.exit_code == ExitCode.USAGE
    assert "the first 1 lines of" in result.stderr
    assert "have changed since they were imported" in result.stderr


def test_resume_refuses_a_shorter_file(tmp_path: Path, memory_url: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"")
    committed = Position.start().after([encode_line(_child())])
    Checkpoint("in.jsonl", memory_url, committed).save(Path(str(path) + SUFFIX))
    result = run("import", str(path), "--db", memory_url, "--resume")
    assert result.exit_code == ExitCode.USAGE
    assert "is shorter than its" in result.stderr


def test_resume_refuses_another_store(tmp_path: Path, memory_url: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(encode_line(_child()))
    Checkpoint("in.jsonl", "sqlite:///elsewhere.db", Position.start()).save(
        Path(str(path) + SUFFIX)
    )
    result = run("import", str(path), "--db", memory_url, "--resume")
    assert result.exit_code == ExitCode.USAGE
    assert "is of an import into sqlite:///elsewhere.db" in result.stderr


def test_resume_refuses_a_file_that_is_not_a_checkpoint(tmp_path: Path, memory_url: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(encode_line(_child()))
    Path(str(path) + SUFFIX).write_text("{}")
    result = run("import", str(path), "--db", memory_url, "--resume")
    assert result.exit_code == ExitCode.USAGE
    assert "is not an import checkpoint" in result.stderr


def test_resume_without_checkpoint_imports_from_the_first_line(
    tmp_path: Path, memory_url: str
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(encode_line(_child()))
    result = run("import", str(path), "--db", memory_url, "--resume")
    assert result.exit_code == 0
    assert "importing from the first line" in result.stderr
    assert len(stored(memory_url)) == 1


@pytest.mark.parametrize("committed", [True, False])
def test_resume_learns_whether_the_pending_batch_was_committed(
    tmp_path: Path, memory_url: str, committed: bool
) -> None:
    records = [_child(), _child(id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", given_name="Amina")]
    lines = [encode_line(record) for record in records]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(lines))
    if committed:  # the process died after the commit, before the checkpoint was written
        with open_store(memory_url) as store, store.unit_of_work() as uow:
            uow.children.add(records[0])
    pending = Position.start().after(lines[:1])
    probe = Probe("child", records[0].id)
    Checkpoint("in.jsonl", memory_url, Position.start(), pending, probe).save(
        Path(str(path) + SUFFIX)
    )
    result = run("import", str(path), "--db", memory_url, "--resume", "--batch-size", "1")
    assert result.exit_code == 0, result.stderr
    assert f"{1 if committed else 2} records stored" in result.stderr
    assert stored(memory_url) == as_stored(records)


def test_an_interrupted_import_resumes(
    tmp_path: Path, memory_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [_child(), _child(id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", given_name="Amina")]
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl(records))
    commit = Importer._commit
    calls = []

    def interrupted(self: Importer, parsed: object) -> object:
        calls.append(parsed)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return commit(self, parsed)  # type: ignore[arg-type]

    monkeypatch.setattr(Importer, "_commit", interrupted)
    result = run("import", str(path), "--db", memory_url, "--batch-size", "1")
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    assert "wladna: error: interrupted" in result.stderr
    assert stored(memory_url) == as_stored(records[:1])
    monkeypatch.undo()
    resumed = run("import", str(path), "--db", memory_url, "--batch-size", "1", "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert stored(memory_url) == as_stored(records)


def test_import_from_standard_input(memory_url: str) -> None:
    result = run("import", "-", "--db", memory_url, stdin=encode_line(_child()))
    assert result.exit_code == 0
    assert len(stored(memory_url)) == 1


def test_resume_from_standard_input_needs_a_checkpoint(memory_url: str) -> None:
    result = run("import", "-", "--db", memory_url, "--resume", stdin=b"")
    assert result.exit_code == ExitCode.USAGE
    assert "--resume needs --checkpoint PATH" in result.stderr


def test_import_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.jsonl"), "--db", "memory://")
    assert result.exit_code == ExitCode.USAGE
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("url", ["nosuch://x", "memory://bad name"])
def test_import_into_a_bad_url_is_a_store_error(tmp_path: Path, url: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(encode_line(_child()))
    result = run("import", str(path), "--db", url)
    assert result.exit_code == ExitCode.STORE == 3
    assert result.stderr.startswith("wladna: error: ")


def test_store_url_comes_from_the_environment(tmp_path: Path, memory_url: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(encode_line(_child()))
    assert run("import", str(path), env={"WLADNA_DB": memory_url}).exit_code == 0
    assert len(stored(memory_url)) == 1


# export ----------------------------------------------------------------------------------------


def _case(body: wl.TerritorialBody, child: wl.Child, *, reporting: bool = False) -> wl.Case:
    opened = date(2026, 3, 2)
    return wl.Case(
        child_id=child.id,
        body_id=body.id,
        territory="MA-SAL",
        opened_on=opened,
        identification=wl.Identification(wl.IdentificationSource.SCHOOL, opened),
        consent=wl.Consent(
            opened, wl.ConsentGiver.CAREGIVER, services=True, reporting=reporting, assent=True
        ),
    )


def _seed(store: Store, records: Sequence[Record]) -> None:
    with store.unit_of_work() as uow:
        for record in records:
            uow.repository(type(record)).add(record)


@FEW
@given(many_case_files(min_size=1, max_size=3))
def test_export_then_import_into_an_empty_memory_store_round_trips(
    files: tuple[CaseFile, ...],
) -> None:
    records = ordered(files)
    source, target = (f"memory://cli-{uuid.uuid4().hex}" for _ in range(2))
    with open_store(source, clock=lambda: REFERENCE_DATE) as store, open_store(target):
        _seed(store, records)
        exported = run("export", "--db", source)
        assert exported.exit_code == 0
        original = stored(source, numbered=True)
        imported = run(
            "import", "-", "--db", target, "--batch-size", "3", stdin=exported.stdout_bytes
        )
        assert imported.exit_code == 0, imported.stderr
        assert stored(target, numbered=True) == original
        assert stored(source) == as_stored(records)
        assert run("export", "--db", target).stdout_bytes == exported.stdout_bytes


def test_export_writes_in_dependency_order(memory_url: str) -> None:
    child = _child()
    body = wl.TerritorialBody("UPE Salé", wl.BodyKind.UPE, "MA-SAL")
    with open_store(memory_url) as store:
        _seed(store, [child, body])
    result = run("export", "--db", memory_url)
    assert [json.loads(line)["type"] for line in result.stdout.splitlines()] == ["body", "child"]
    assert "2 records written" in result.stderr


def test_export_only_the_types_asked_for_to_a_file(tmp_path: Path, memory_url: str) -> None:
    body = wl.TerritorialBody("UPE Salé", wl.BodyKind.UPE, "MA-SAL")
    with open_store(memory_url) as store:
        _seed(store, [_child(), body])
    out = tmp_path / "children.jsonl"
    result = run("export", "--db", memory_url, "--type", "child", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    [line] = out.read_bytes().splitlines(keepends=True)
    assert parse_line(line, 1).record == attrs.evolve(_child(), version=1)


def test_export_from_a_missing_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    result = run("export", "--db", f"sqlite:///{tmp_path}/nope.db")
    assert result.exit_code == ExitCode.STORE
    assert "there is no database at" in result.stderr
    assert not (tmp_path / "nope.db").exists()


def test_export_an_unknown_type_is_a_usage_error(memory_url: str) -> None:
    result = run("export", "--db", memory_url, "--type", "person")
    assert result.exit_code == ExitCode.USAGE
    assert "the store keeps no kind of record named 'person'" in result.stderr
    assert "care_arrangement" in result.stderr  # the kinds it keeps are listed
    assert result.stdout == ""


def test_a_pseudonymised_export_of_the_case_file_is_a_usage_error(
    memory_url: str, tmp_path: Path
) -> None:
    key = tmp_path / "pseudonym.key"
    key.write_text("ab" * 32)
    for kind in ("care_arrangement", "training_session", "duplicate_pair"):
        result = run(
            "export", "--db", memory_url, "--type", kind, "--pseudonymise", "--key-file", str(key)
        )
        assert result.exit_code == ExitCode.USAGE
        assert f"{kind} cannot be pseudonymised" in result.stderr
        assert result.stdout == ""


# plugins ---------------------------------------------------------------------------------------


def test_plugins_lists_the_built_in_plugins_as_a_table() -> None:
    result = run("plugins", env={"WLADNA_PLUGINS": "none", "COLUMNS": "200"})
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "storage.memory" in line)
    assert "wladna-core" in row
    assert "wladna_open_store" in row


def test_plugins_json_is_for_programs() -> None:
    result = run("plugins", "--json", env={"WLADNA_PLUGINS": "none"})
    found = {info["name"]: info for info in json.loads(result.stdout)}
    assert found["wladna_core.storage.memory"]["distribution"] == "wladna-core"
    assert found["wladna_core.storage.memory"]["hooks"] == [
        "wladna_open_store",
        "wladna_store_schemes",
    ]
    assert set(found["wladna_core.storage.memory"]) == {"name", "distribution", "version", "hooks"}


def test_plugins_with_an_unknown_plugin_named_exits_4() -> None:
    result = run("plugins", env={"WLADNA_PLUGINS": "no-such-plugin"})
    assert result.exit_code == ExitCode.PLUGIN == 4
    assert "no-such-plugin" in result.stderr


# db upgrade ------------------------------------------------------------------------------------


def test_db_upgrade_of_a_memory_store_has_nothing_to_do() -> None:
    result = run("db", "upgrade", "--db", "memory://")
    assert result.exit_code == 0
    assert "a memory store has no schema" in result.stdout


def test_db_upgrade_of_an_unknown_url_is_a_store_error() -> None:
    result = run("db", "upgrade", "--db", "nosuch://x")
    assert result.exit_code == ExitCode.STORE
    assert result.stderr.startswith("wladna: error: ")


# The installed script --------------------------------------------------------------------------


def test_the_installed_script_reports_errors_without_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "wladna"
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"type": "child", "record": {}}\nnot json\n')
    done = subprocess.run(
        [str(script), "validate", str(path), "--format", "text"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WLADNA_PLUGINS": "none"},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "line 2: error: $ [input.json]" in done.stdout
    assert "2 lines read" in done.stderr


# SQLite and PostgreSQL -------------------------------------------------------------------------


@settings(FEW, max_examples=4)
@given(many_case_files(min_size=1, max_size=3))
def test_export_then_import_into_an_empty_sqlite_store_round_trips(
    files: tuple[CaseFile, ...],
) -> None:
    records = ordered(files)
    with tempfile.TemporaryDirectory() as folder:
        source, target = (f"sqlite:///{folder}/{name}.db" for name in ("source", "target"))
        with open_store(source, clock=lambda: REFERENCE_DATE) as store:
            _seed(store, records)
        exported = run("export", "--db", source, "--output", f"{folder}/out.jsonl")
        assert exported.exit_code == 0, exported.stderr
        imported = run("import", f"{folder}/out.jsonl", "--db", target, "--batch-size", "4")
        assert imported.exit_code == 0, imported.stderr
        assert stored(target, numbered=True) == stored(source, numbered=True)
        assert stored(source) == as_stored(records)


def test_sqlite_import_refuses_a_batch_whole(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    second = _child(id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20", given_name="Amina")
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl([_child(), second]) + jsonl([second]))
    result = run("import", str(path), "--db", url, "--batch-size", "2")
    assert result.exit_code == ExitCode.INVALID_DATA
    assert (
        "line 3: error: child 0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20 $.record.id [store.id_taken]"
        in (result.stderr)
    )
    assert stored(url) == as_stored([_child(), second])


def test_db_upgrade_of_a_new_sqlite_database_then_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    first = run("db", "upgrade", "--db", url)
    assert first.exit_code == 0
    # The core's revision, and the branches of the built-in kinds (training, case file...).
    revisions = ", ".join(builtin_heads())
    assert "training_0001" in revisions
    assert first.stdout == f"{url}: schema revision none -> {revisions}\n"
    again = run("db", "upgrade", "--db", url)
    assert again.stdout == (
        f"{url}: schema revision {revisions} (the latest, {head_revision()}); nothing to do\n"
    )


def test_db_upgrade_of_an_unreachable_sqlite_database_is_a_store_error(tmp_path: Path) -> None:
    result = run("db", "upgrade", "--db", f"sqlite:///{tmp_path}/no/such/folder/store.db")
    assert result.exit_code == ExitCode.STORE
    assert "cannot open the database" in result.stderr


@pytest.mark.postgresql
def test_export_from_postgresql_imports_into_sqlite(tmp_path: Path) -> None:
    records = [_child(), wl.TerritorialBody("UPE Salé", wl.BodyKind.UPE, "MA-SAL")]
    with private_schema(server_url()) as url:
        upgraded = run("db", "upgrade", "--db", url)
        assert upgraded.exit_code == 0, upgraded.stderr
        with open_store(url) as store:
            _seed(store, records)
        exported = run("export", "--db", url)
        assert exported.exit_code == 0, exported.stderr
        target = f"sqlite:///{tmp_path}/store.db"
        imported = run("import", "-", "--db", target, stdin=exported.stdout_bytes)
        assert imported.exit_code == 0, imported.stderr
        assert stored(target) == stored(url) == as_stored(records)


def test_export_with_pseudonyms_names_no_one_and_still_joins(
    tmp_path: Path, memory_url: str
) -> None:
    key = tmp_path / "key.hex"
    key.write_text("ab" * 32)
    body = wl.TerritorialBody("UPE Salé", wl.BodyKind.UPE, "MA-SAL")
    consenting, silent = _child(), _child(id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20")
    with open_store(memory_url) as store:
        _seed(
            store,
            [
                body,
                consenting,
                silent,
                _case(body, consenting, reporting=True),
                _case(body, silent),
            ],
        )
    result = run("export", "--db", memory_url, "--pseudonymise", "--key-file", str(key))
    assert result.exit_code == 0, result.stderr
    assert "Salma" not in result.stdout
    assert _child().id not in result.stdout
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # Only the case with consent to reporting, and its child, leave for analysis.
    assert [line["type"] for line in lines] == ["body", "child", "case"]
    assert str(lines[1]["record"]["id"]).startswith("child_")
    assert lines[2]["record"]["consent"]["reporting"] is True
    again = run("export", "--db", memory_url, "--pseudonymise", "--key-file", str(key))
    assert again.stdout == result.stdout


def test_export_pseudonymise_needs_a_key_file() -> None:
    result = run("export", "--db", "memory://", "--pseudonymise")
    assert result.exit_code == ExitCode.USAGE
    assert "--pseudonymise and --key-file go together" in result.stderr


def test_export_with_a_short_key_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "key.hex"
    key.write_text("ab" * 4)
    result = run("export", "--db", "memory://", "--pseudonymise", "--key-file", str(key))
    assert result.exit_code == ExitCode.INVALID_DATA
    assert "a pseudonym key needs at least 32 bytes" in result.stderr


# Warnings, pseudonymised files, unusable files, wide tables ------------------------------------


def _teenager(record_id: str) -> wl.Child:
    # 16 or 17 today, without a CNIE: the store stores her with a child.cnie_expected warning.
    return _child(id=record_id, birth_date=date(datetime.now(UTC).year - 17, 1, 1))


def test_import_warnings_are_counted_and_shown_on_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    first = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e21"
    second = "0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e22"
    path = tmp_path / "in.jsonl"
    path.write_bytes(jsonl([_child(), _teenager(first)]))
    quiet = run("import", str(path), "--db", url)
    assert quiet.exit_code == 0, quiet.stderr
    assert "1 warning(s) (--show-warnings lists them)" in quiet.stderr
    assert "[child.cnie_expected]" not in quiet.stderr
    path.write_bytes(b"\n" + jsonl([_teenager(second)]))
    shown = run("import", str(path), "--db", url, "--show-warnings")
    assert shown.exit_code == 0, shown.stderr
    [warning] = [line for line in shown.stderr.splitlines() if "[child.cnie_expected]" in line]
    assert warning.startswith(f"line 2: warning: child {second} $.record.identifiers ")
    assert "CNIE" in warning
    assert "1 warning(s) (listed above)" in shown.stderr


@pytest.mark.parametrize("command", ["import", "validate"])
def test_a_pseudonymised_export_is_named_for_what_it_is(
    tmp_path: Path, memory_url: str, command: str
) -> None:
    key = tmp_path / "key.hex"
    key.write_text("ab" * 32)
    body = wl.TerritorialBody("UPE Salé", wl.BodyKind.UPE, "MA-SAL")
    with open_store(memory_url) as store:
        _seed(store, [body, _child(), _child(id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20")])
    exported = run("export", "--db", memory_url, "--pseudonymise", "--key-file", str(key))
    assert exported.exit_code == 0
    path = tmp_path / "analysis.jsonl"
    path.write_bytes(exported.stdout_bytes)
    target = f"sqlite:///{tmp_path}/target.db"
    result = run(command, str(path), *(["--db", target] if command == "import" else []))
    assert result.exit_code == ExitCode.INVALID_DATA
    assert result.stderr.startswith(
        f"wladna: error: {path} is a pseudonymised export (wladna export --pseudonymise): line 1 "
        "gives the body id body_"
    )
    assert "cannot be imported or checked as records" in result.stderr
    assert result.stdout == ""
    assert "[input." not in result.stderr
    if command == "import":
        assert stored(target) == []


@pytest.mark.parametrize(
    ("arguments", "where"),
    [
        (["validate", "{dir}"], "{dir}"),
        (["import", "{dir}", "--db", "sqlite:///{dir}/s.db"], "{dir}"),
        (["import", "{dir}/nope.jsonl", "--db", "sqlite:///{dir}/s.db"], "nope.jsonl"),
        (["export", "--db", "{store}", "--output", "{dir}/no/such/out.jsonl"], "out.jsonl"),
        (["export", "--db", "{store}", "--output", "{dir}"], "{dir}"),
        (["report", "cases_opened", "--db", "{store}", "--output", "{dir}/no/r.csv"], "r.csv"),
        (["import", "{file}", "--db", "{store}", "--checkpoint", "{dir}/no/c.json"], "no"),
        (["export", "--db", "{store}", "--pseudonymise", "--key-file", "{dir}/k"], "k"),
    ],
)
def test_a_file_named_that_cannot_be_opened_is_exit_status_2(
    tmp_path: Path, arguments: list[str], where: str
) -> None:
    store = f"sqlite:///{tmp_path}/store.db"
    source = tmp_path / "in.jsonl"
    source.write_bytes(encode_line(_child()))
    assert run("import", str(source), "--db", store).exit_code == 0
    names = {"dir": str(tmp_path), "store": store, "file": str(source)}
    result = run(*(argument.format(**names) for argument in arguments))
    assert result.exit_code == ExitCode.USAGE, result.stderr
    assert where.format(**names) in result.stderr
    assert list(tmp_path.glob(".out.jsonl*")) == []


def test_plugins_piped_is_not_cut_at_80_columns() -> None:
    result = run("plugins", env={"WLADNA_PLUGINS": "none", "COLUMNS": None})  # type: ignore[dict-item]
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) > 80
    assert "…" not in result.stdout
    hooks = {info["name"]: info["hooks"] for info in json.loads(run("plugins", "--json").stdout)}
    for name, implemented in hooks.items():
        [row] = [line for line in result.stdout.splitlines() if f" {name} " in line]
        assert ", ".join(implemented) in row


def test_report_list_piped_is_not_cut_at_80_columns() -> None:
    result = run("report", "--list", env={"COLUMNS": None})  # type: ignore[dict-item]
    assert result.exit_code == 0
    [row] = [line for line in result.stdout.splitlines() if " cases_opened " in line]
    assert "month, quarter, year, region, province, body, risk, concern, sex, age_band" in row


# days given on the command line -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-02-30", "'2026-02-30' is not a day of the calendar: February 2026 has 28 days"),
        ("2028-02-30", "February 2028 has 29 days"),
        ("2026-13-01", "there is no month 13"),
        ("2026-04-31", "April 2026 has 30 days"),
        ("0000-01-01", "there is no year 0"),
        ("26-1-1", "'26-1-1' is not a date; write YYYY-MM-DD, e.g. 2026-03-02"),
        ("2026/03/02", "is not a date; write YYYY-MM-DD"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ("demo", "--db", "sqlite:///never-created.db", "--today"),
        ("report", "--db", "sqlite:///never-created.db", "--on"),
        ("validate", "-", "--on"),
    ],
    ids=lambda command: command[0],
)
def test_a_day_that_is_not_one_is_a_usage_error_saying_why(
    command: tuple[str, ...], text: str, says: str
) -> None:
    result = run(*command, text, stdin=b"")
    assert result.exit_code == ExitCode.USAGE
    assert says in result.stderr


@pytest.mark.parametrize("day", ["2028-02-29", "2026-12-31", "2026-01-01"])
def test_a_real_day_is_read_as_that_day(day: str) -> None:
    assert DAY.convert(day, None, None).isoformat() == day


def test_validate_checks_the_shape_of_a_kind_no_rule_checks(tmp_path: Path) -> None:
    pair = DuplicatePair(
        child_id="0193a7e2-5c1d-7b3e-9f00-000000000001",
        other_id="0193a7e2-5c1d-7b3e-9f00-000000000002",
        body_id="0193a7e2-5c1d-7b3e-9f00-000000000003",
        score=0.9,
        proposed_on=date(2026, 3, 2),
    )
    result = run("validate", "-", "--format", "text", stdin=encode_line(pair))
    assert result.exit_code == 0, result.stderr
    assert "1 lines read" in result.stderr
    broken = encode_line(pair).replace(b'"score":0.9', b'"score":"high"')
    result = run("validate", "-", "--format", "text", stdin=broken)
    assert result.exit_code == 1
    assert "duplicate_pair" in result.stdout
    assert "$.record.score" in result.stdout
