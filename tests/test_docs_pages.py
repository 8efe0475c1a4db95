"""The shell and SQL examples of the storage guide run as written.

The Python examples of every page are doctests (``--doctest-glob=*.md``); the backups and the
PostgreSQL set-up of ``docs/storage.md`` are commands for a shell or a database, run here with
the page's names replaced by the test's: the test server, a schema of the test's own.
"""

from __future__ import annotations

import re
import secrets
import shlex
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from postgres import in_ci, libpq_url, server_url
from wladna_core.model import BodyKind, TerritorialBody
from wladna_core.storage import BodyQuery, open_store

STORAGE_PAGE = Path(__file__).resolve().parent.parent / "docs" / "storage.md"


def page() -> str:
    return STORAGE_PAGE.read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    """Return the code blocks of the page in ``language``, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```$", page(), re.MULTILINE | re.DOTALL)


def tool(name: str) -> str:
    """Return the path of a command-line tool; skip (fail in CI) when it is not installed."""
    found = shutil.which(name)
    if found is None:
        reason = f"the page's example needs {name}, which is not on the PATH"
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return found


def run(command: str, cwd: Path, **names: str) -> None:
    """Run a command of the page, each name in ``names`` replaced by its value."""
    arguments = shlex.split(command)
    arguments[0] = tool(arguments[0])
    for old, new in names.items():
        arguments = [argument.replace(old, new) for argument in arguments]
    subprocess.run(arguments, cwd=cwd, check=True, capture_output=True, timeout=120)


def body_names(url: str) -> list[str]:
    with open_store(url) as store, store.unit_of_work() as uow:
        return [body.name for body in uow.bodies.find(BodyQuery())]


def add_a_body(url: str) -> None:
    with open_store(url) as store, store.unit_of_work() as uow:
        uow.bodies.add(TerritorialBody(name="UPE Salé", kind=BodyKind.UPE, territory="MA-SAL"))


def test_the_sqlite_shell_backups_of_the_storage_page_copy_an_open_store(tmp_path: Path) -> None:
    commands = re.findall(r"`(sqlite3 wladna\.db [^`]+)`", page())
    assert len(commands) == 2
    url = f"sqlite:///{tmp_path / 'wladna.db'}"
    add_a_body(url)
    with open_store(url):  # the copies are taken while the store is open
        for number, command in enumerate(commands):
            run(command, tmp_path, **{"wladna-2026-01-31.db": f"copy-{number}.db"})
    for number in range(len(commands)):
        assert body_names(f"sqlite:///{tmp_path / f'copy-{number}.db'}") == ["UPE Salé"]


@pytest.mark.postgresql
def test_a_store_in_its_own_schema_is_backed_up_and_restored_as_the_storage_page_shows(
    tmp_path: Path,
) -> None:
    server = sa.make_url(server_url())
    schema = f"wladna_docs_{secrets.token_hex(4)}"
    [_create_database, create_schema] = blocks("sql")
    [url_shape] = [text.strip() for text in blocks("text") if text.startswith("postgresql+")]
    [dump, restore] = [
        line for text in blocks("text") for line in text.splitlines() if line.startswith("pg_")
    ]
    admin = libpq_url(server.render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as connection:
        # The page's schema, owned by the page's role: here the test's, owned by the server's.
        statement = create_schema.replace("SCHEMA wladna", f"SCHEMA {schema}").replace(
            "AUTHORIZATION wladna", f'AUTHORIZATION "{server.username}"'
        )
        connection.execute(statement)
    try:
        shape = sa.make_url(url_shape)
        assert shape.query["options"] == "-csearch_path=wladna"  # the %3D of the page, decoded
        url = shape.set(
            username=server.username,
            password=server.password,
            host=server.host,
            port=server.port,
            database=server.database,
            query={"options": f"-csearch_path={schema}"},
        ).render_as_string(hide_password=False)
        add_a_body(url)
        with psycopg.connect(admin) as connection:
            found = connection.execute(
                sql.SQL("SELECT count(*) FROM {}.bodies").format(sql.Identifier(schema))
            ).fetchall()
        assert found == [(1,)]  # the tables are in the schema named by the URL

        # Dump (with --schema, as the page says for a store in its own schema), lose, restore.
        page_url = "postgresql://wladna@db.example.ma/wladna"
        run(f"{dump} --schema={schema}", tmp_path, **{page_url: admin})
        with psycopg.connect(admin) as connection:
            connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        run(restore, tmp_path, **{page_url: admin})
        assert body_names(url) == ["UPE Salé"]
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


# Every Python example of the docs is run ------------------------------------------------------

DOCS = STORAGE_PAGE.parent
#: The pages whose Python examples are plug-in modules or scripts rather than doctests, and the
#: test module that runs them.
RUN_ELSEWHERE = {
    "plugin_hooks.md": Path("tests/test_plugin_docs.py"),
    "writing_plugins.md": Path("tests/test_plugin_docs.py"),
    "testing.md": Path("tests/test_plugin_docs.py"),
    "html_report.md": Path("plugins/wladna-report-html/tests/test_docs_page.py"),
    "fhir.md": Path("plugins/wladna-fhir/tests/test_docs_page.py"),
}
FENCE = re.compile(
    r"^```(?:\{code-block\} )?(?P<language>python|pycon|py)\n(?P<code>.*?)^```$",
    re.MULTILINE | re.DOTALL,
)


@pytest.mark.parametrize("page", sorted(path.name for path in DOCS.glob("*.md")))
def test_every_python_example_of_the_page_is_run(page: str) -> None:
    """A block is a doctest (``>>>``, run by ``--doctest-glob``), or a test module runs it."""
    text = (DOCS / page).read_text(encoding="utf-8")
    not_doctests = [m["code"] for m in FENCE.finditer(text) if ">>>" not in m["code"]]
    if not not_doctests:
        return
    runner = RUN_ELSEWHERE.get(page)
    assert runner is not None, f"{page} has Python examples that no test runs: {not_doctests}"
    assert page in (DOCS.parent / runner).read_text(encoding="utf-8")
