"""Every example of the CLI reference (``docs/cli.md``) runs, and prints what the page shows.

Each ``console`` block is run in a folder of its own, one ``$`` line after the other, in this
process (``wladna`` through click's runner; ``< FILE`` and ``> FILE`` as a shell would), on
:data:`TODAY`.  The lines after a command are what it prints, standard output and standard
error as a terminal shows them (``...`` stands for any text); a command followed by
``$ echo $?`` must end with the status shown there, any other with 0.  The folder holds
``cases.jsonl`` (the records of a demonstration of Salé and Rabat), ``broken.jsonl`` (the same
with a case whose child is unknown on line 250), ``pseudonym.key``, ``children.jsonl`` (one
child registered three times, see :data:`CHILDREN_TWICE`), and what the MyST comment
``% setup: ...`` before the block asks for: ``store`` (``wladna.db`` holding those records),
``html`` (the ``wladna-report-html`` plug-in installed), ``postgresql`` (the URL
``postgresql+psycopg://wladna@db/wladna`` names a database of the test server).
"""

from __future__ import annotations

import doctest
import json
import re
import shlex
import shutil
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs
import pytest
from click.testing import CliRunner

from install_helpers import pip_install
from postgres import private_schema, server_url
from wladna_core import app
from wladna_core.cli import ExitCode, main
from wladna_core.cli.jsonlines import parse_line, violation_json
from wladna_core.demo import plan_demo, run_demo
from wladna_core.storage import Store
from wladna_core.storage.ports import redact_url

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT: Final = Path(__file__).resolve().parents[1]
PAGE: Final = ROOT / "docs" / "cli.md"
#: The day the examples run on: in 2026, after the demonstration's last day.
TODAY: Final = date(2026, 6, 30)
#: The PostgreSQL URL of the examples, replaced by a database of the test server.
DOC_POSTGRES: Final = "postgresql+psycopg://wladna@db/wladna"
#: The module of the ``wladna-report-html`` plug-in.
HTML_MODULE: Final = "wladna_report_html"
#: The line of ``broken.jsonl`` whose case names an unknown child.
BROKEN_LINE: Final = 250
#: ``children.jsonl``: one boy registered three times, in Arabic and Latin script (Salé, Rabat,
#: Kénitra), and his sister.
CHILDREN_TWICE: Final = "".join(
    json.dumps({"type": "child", "record": record}, ensure_ascii=False) + "\n"
    for record in (
        {"id": "0193a7e2-0000-7000-8000-000000000001", "sex": "male", "birth_date": "2013-05-04",
         "given_name_ar": "محمد", "family_name_ar": "العمراني", "residence": "MA-SAL"},
        {"id": "0193a7e2-0000-7000-8000-000000000002", "sex": "male", "birth_date": "2013-05-04",
         "given_name": "Mohamed", "family_name": "El Amrani", "residence": "MA-RAB"},
        {"id": "0193a7e2-0000-7000-8000-000000000003", "sex": "male", "birth_date": "2013-04-05",
         "given_name": "Mohammed", "family_name": "Amrani", "residence": "MA-KEN"},
        {"id": "0193a7e2-0000-7000-8000-000000000004", "sex": "female", "birth_date": "2015-01-20",
         "given_name": "Salma", "family_name": "El Amrani", "residence": "MA-SAL"},
    )
)  # fmt: skip


@attrs.frozen
class Command:
    """One ``$`` line of a block and the text shown after it (``None``: nothing shown)."""

    line: int
    text: str
    expected: str | None


@attrs.frozen
class Block:
    """One ``console`` block of the page: where it is, what it needs, its commands."""

    line: int
    setup: frozenset[str]
    commands: tuple[Command, ...]

    @property
    def id(self) -> str:
        return f"line-{self.line}"


def _blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```console":
            index += 1
            continue
        setup: frozenset[str] = frozenset()
        before = index - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        if before >= 0 and lines[before].startswith("% setup:"):
            setup = frozenset(lines[before].removeprefix("% setup:").replace(",", " ").split())
        start = index + 1
        end = lines.index("```", start)
        commands: list[Command] = []
        for number in range(start, end):
            if lines[number].startswith("$ "):
                commands.append(Command(number + 1, lines[number][2:], None))
            elif commands:
                last = commands[-1]
                shown = (last.expected or "") + lines[number] + "\n"
                commands[-1] = attrs.evolve(last, expected=shown)
        blocks.append(Block(index + 1, setup, tuple(commands)))
        index = end + 1
    return blocks


BLOCKS: Final = _blocks(PAGE.read_text(encoding="utf-8"))


# What the folders hold -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def materials(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files every example's folder starts from, made once."""
    folder = tmp_path_factory.mktemp("cli-docs")
    store = f"sqlite:///{folder / 'wladna.db'}"
    plan = plan_demo(cases=120, cities=["MA-SAL", "MA-RAB"], seed=7, today=date(2026, 3, 31))
    run_demo(plan, store)
    exported = CliRunner().invoke(main, ["export", "--db", store, "--as", "tests"])
    assert exported.exit_code == 0, exported.output
    (folder / "cases.jsonl").write_bytes(exported.stdout_bytes)
    lines = exported.stdout_bytes.splitlines(keepends=True)
    broken = lines[BROKEN_LINE - 1]
    assert b'"type":"case"' in broken, "broken.jsonl must break a case line"
    child = re.search(rb'"child_id":"([^"]+)"', broken)
    assert child is not None
    lines[BROKEN_LINE - 1] = broken.replace(child.group(1), b"0193a7e2-5c1d-7b3e-9f00-000000000000")
    (folder / "broken.jsonl").write_bytes(b"".join(lines))
    (folder / "pseudonym.key").write_text("5e" * 32 + "\n", encoding="ascii")
    (folder / "children.jsonl").write_text(CHILDREN_TWICE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def html_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("html-site")
    pip_install(site, ROOT / "plugins" / "wladna-report-html")
    return site


@attrs.define
class Folder:
    """Where one block runs, and the URL its PostgreSQL example names."""

    path: Path
    postgres: str | None = None
    status: int = 0


@pytest.fixture
def folder(
    request: pytest.FixtureRequest,
    materials: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Folder]:
    block: Block = request.param
    for name in ("cases.jsonl", "broken.jsonl", "pseudonym.key", "children.jsonl"):
        shutil.copy(materials / name, tmp_path / name)
    if "store" in block.setup:
        shutil.copy(materials / "wladna.db", tmp_path / "wladna.db")
    if "html" in block.setup:
        site = request.getfixturevalue("html_plugin")
        monkeypatch.syspath_prepend(str(site))
        # Imported by the block: forgotten after it, so that the next blocks run without it.
        for name in [name for name in sys.modules if name.startswith(HTML_MODULE)]:
            monkeypatch.delitem(sys.modules, name)
    else:
        monkeypatch.setitem(sys.modules, HTML_MODULE, None)  # not installed: imports fail
    monkeypatch.chdir(tmp_path)
    for variable in ("WLADNA_DB", "WLADNA_LANG", "WLADNA_ACTOR", "WLADNA_PLUGINS", "COLUMNS"):
        monkeypatch.delenv(variable, raising=False)
    moment = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=UTC)
    monkeypatch.setattr(app, "_system_clock", lambda: moment)
    monkeypatch.setattr("wladna_core.cli.validate.date", _Today)
    monkeypatch.setattr(Store, "today", lambda _store: TODAY)  # the date a store validates on
    # The page shows what a terminal shows: a progress bar, which vanishes, not the lines a log
    # gets every LOG_EVERY seconds of a long command.
    monkeypatch.setattr("wladna_core.cli.progress.LOG_EVERY", float("inf"))
    try:
        if "postgresql" in block.setup:
            with private_schema(server_url()) as url:
                yield Folder(tmp_path, url)
        else:
            yield Folder(tmp_path)
    finally:
        for name in [name for name in sys.modules if name.startswith(HTML_MODULE)]:
            sys.modules.pop(name)


class _Today(date):
    """``date`` whose ``today()`` is :data:`TODAY` (the date of validation by default)."""

    @classmethod
    def today(cls) -> _Today:
        return cls(TODAY.year, TODAY.month, TODAY.day)


# Running a command -----------------------------------------------------------------------------


def _run(command: str, where: Folder) -> str:
    """Run one ``$`` line in ``where``; return what a terminal shows, set ``where.status``."""
    if command == "echo $?":
        shown, where.status = f"{where.status}\n", 0
        return shown
    words = shlex.split(command)
    stdin: bytes | None = None
    stdout_to: Path | None = None
    arguments: list[str] = []
    items = iter(words)
    for word in items:
        if word == "<":
            stdin = (where.path / next(items)).read_bytes()
        elif word == ">":
            stdout_to = where.path / next(items)
        else:
            arguments.append(word)
    assert arguments[0] == "wladna", f"the examples run wladna, not {arguments[0]!r}"
    result = CliRunner().invoke(main, arguments[1:], input=stdin, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    where.status = result.exit_code
    if stdout_to is not None:
        stdout_to.write_bytes(result.stdout_bytes)
        return result.stderr
    return result.output


def _matches(expected: str, shown: str) -> bool:
    tidy = "".join(line.rstrip() + "\n" for line in shown.splitlines())
    return doctest.OutputChecker().check_output(expected, tidy, doctest.ELLIPSIS)


def _params() -> list[object]:
    return [
        pytest.param(
            block,
            block,
            id=block.id,
            marks=[pytest.mark.postgresql] if "postgresql" in block.setup else [],
        )
        for block in BLOCKS
    ]


@pytest.mark.parametrize(("folder", "block"), _params(), indirect=["folder"])
def test_every_console_example_runs_as_shown(folder: Folder, block: Block) -> None:
    for index, command in enumerate(block.commands):
        text = command.text
        expected = command.expected
        if folder.postgres is not None:
            text = text.replace(DOC_POSTGRES, shlex.quote(folder.postgres))
            if expected is not None:
                expected = expected.replace(DOC_POSTGRES, redact_url(folder.postgres))
        shown = _run(text, folder)
        following = block.commands[index + 1] if index + 1 < len(block.commands) else None
        if text != "echo $?" and (following is None or following.text != "echo $?"):
            assert folder.status == 0, f"docs/cli.md:{command.line}: $ {text}\n{shown}"
        if expected is not None:
            assert _matches(expected, shown), (
                f"docs/cli.md:{command.line}: $ {text}\nthe page shows:\n{expected}\n"
                f"the command printed:\n{shown}"
            )


def _section(title: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_the_exit_status_table_is_the_commands_exit_codes() -> None:
    rows = re.findall(r"^\| (\d+) \| ", _section("Exit status and errors"), flags=re.MULTILINE)
    assert [int(row) for row in rows] == sorted(int(code) for code in ExitCode)


def test_the_failing_exit_statuses_are_shown_by_examples() -> None:
    shown = {
        int(command.expected or "0")
        for block in BLOCKS
        for command in block.commands
        if command.text == "echo $?"
    }
    # 0 is what every other example ends with; 4 needs a broken plug-in, 130 a Ctrl-C.
    assert shown == {int(code) for code in ExitCode} - {0, ExitCode.PLUGIN, ExitCode.INTERRUPTED}


def test_the_lines_of_the_file_format_are_records() -> None:
    block = _section("The file format: JSON Lines").split("```json\n")[1].split("```")[0]
    lines = block.encode().splitlines()
    parsed = [parse_line(line, number) for number, line in enumerate(lines, 1)]
    assert [line.kind for line in parsed] == ["body", "child"]
    assert all(line.record is not None and not line.violations for line in parsed)


def test_the_output_of_validate_shown_has_the_keys_it_writes() -> None:
    block = _section("`wladna validate FILE`").split("```json\n")[1].split("```")[0]
    shown = json.loads(block)
    parsed = parse_line(b'{"type": "case", "record": {}}', 7)
    assert list(shown) == list(violation_json(parsed, parsed.violations[0]))
