"""The checks of wladna_core: ``nox`` runs tests, lint, typecheck and docs.

Every session installs from ``pyproject.toml`` (the project and one of its dependency groups) into
a virtual environment made with the Python that runs nox. ``nox -s bench`` and ``nox -s plugins``
run on demand.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).resolve().parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")
PROJECT_NAME = canonicalize_name(PYPROJECT["project"]["name"])
LINTED_PATHS = ("src", "tests", "docs", "bench", "noxfile.py", "plugins")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Each plug-in is a separate distribution, tested in its own environment next to the core.
PLUGIN_DIRS = sorted(path.parent for path in ROOT.glob("plugins/*/pyproject.toml"))


def install_locally(session: nox.Session, projects: dict[Path, tuple[str, ...]]) -> None:
    """Install local projects, each with the requirements of its dependency groups, in one go.

    ``projects`` maps a project directory to the names of the groups to install with it. A group
    entry naming one of these projects or the core (``wladna-core[testing]``) becomes an extra of
    the local directory, so that a version under test is never fetched from an index.
    """
    pyprojects = {path: nox.project.load_toml(path / "pyproject.toml") for path in projects}
    local = {canonicalize_name(toml["project"]["name"]): path for path, toml in pyprojects.items()}
    local.setdefault(PROJECT_NAME, ROOT)
    extras: dict[Path, set[str]] = {path: set() for path in projects}
    requirements: list[str] = []
    for path, groups in projects.items():
        specs = nox.project.dependency_groups(pyprojects[path], *groups) if groups else ()
        for spec in specs:
            requirement = Requirement(spec)
            name = canonicalize_name(requirement.name)
            if name in local:
                extras.setdefault(local[name], set()).update(requirement.extras)
            else:
                requirements.append(spec)
    targets = [
        # A leading "./" makes pip read a directory, never a name to look up on an index.
        ("." if path == ROOT else f"./{path.relative_to(ROOT).as_posix()}")
        + (f"[{','.join(sorted(names))}]" if names else "")
        for path, names in extras.items()
    ]
    session.install(*targets, *requirements)


def install_project(session: nox.Session, *groups: str) -> None:
    """Install this checkout of the core with the requirements of its dependency ``groups``."""
    install_locally(session, {ROOT: groups})


def set_test_environment(session: nox.Session) -> None:
    """Point the PostgreSQL tests at the local server unless told otherwise; keep ``CI``."""
    if "WLADNA_TEST_POSTGRES_URL" not in os.environ:
        session.env["WLADNA_TEST_POSTGRES_URL"] = DEFAULT_POSTGRES_URL
    if "CI" in os.environ:
        session.env["CI"] = os.environ["CI"]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (and the examples of the docs) with branch coverage of 90 % or more."""
    install_project(session, "tests")
    set_test_environment(session)
    session.run("coverage", "erase")
    # Not `pytest --cov`: pytest imports our pytest11 plug-in, and the package, before it starts.
    # The tests are independent (each store test has its own file or PostgreSQL schema), so they
    # run on every core; `nox -s tests -- -n 0` runs them in one process.
    session.run("coverage", "run", "-m", "pytest", "-n", "auto", *session.posargs)
    session.run("coverage", "combine")
    session.run("coverage", "report")


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and formatting with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    paths = [path for path in LINTED_PATHS if (ROOT / path).exists()]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def typecheck(session: nox.Session) -> None:
    """Check types with mypy in strict mode."""
    install_project(session, "typecheck")
    session.run("mypy", "--strict", "src", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the HTML docs, warnings as errors, and run every example they show."""
    install_project(session, "docs")
    # A fresh build: Sphinx does not repeat the warnings of pages it does not re-read.
    shutil.rmtree(ROOT / "docs" / "_build", ignore_errors=True)
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")
    session.run("pytest", "docs", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks (``nox -s bench -- --help`` for their options)."""
    install_project(session, "bench")
    # The PostgreSQL benchmarks (load, import, dashboard) reach the same server as the tests.
    set_test_environment(session)
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
@nox.parametrize(
    "plugin",
    [nox.param(path, id=path.name) for path in PLUGIN_DIRS] or [nox.param(None, id="none")],
)
def plugins(session: nox.Session, plugin: Path | None) -> None:
    """Test each plug-in under plugins/ against this checkout of the core."""
    if plugin is None:
        session.log("There are no plug-ins with a pyproject.toml under plugins/: nothing to test.")
        return
    # One pip call, so that the plug-in's requirement on the core is met by this checkout.
    plugin_groups = nox.project.load_toml(plugin / "pyproject.toml").get("dependency-groups", {})
    install_locally(
        session, {ROOT: ("tests",), plugin: ("tests",) if "tests" in plugin_groups else ()}
    )
    set_test_environment(session)
    session.chdir(plugin)
    # The plug-in's own pyproject.toml is its pytest configuration, not the core's.
    session.run("pytest", "-c", "pyproject.toml", "--rootdir", ".", *session.posargs)
