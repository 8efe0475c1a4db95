"""Commands that plug-ins add to ``wladna`` (hook ``wladna_cli_commands``), run from the group.

Each test registers a throw-away plug-in in a manager of its own, which ``wladna`` then uses as
if the plug-in were installed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import click
import pytest
from click.testing import CliRunner

from wladna_core import plugins
from wladna_core.cli import ExitCode, main
from wladna_core.errors import WladnaError
from wladna_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable


class OutreachRefused(WladnaError):
    """What the plug-in's command raises when told to."""


@click.group("outreach")
def outreach() -> None:
    """The street outreach teams of Salé."""


@outreach.command("teams")
@click.option("--refuse", is_flag=True)
def teams(refuse: bool) -> None:
    """List the teams."""
    if refuse:
        msg = "the outreach register is closed; try again tomorrow"
        raise OutreachRefused(msg)
    click.echo("night team")


@pytest.fixture
def with_plugins(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make ``wladna`` load the built-in plug-ins and those given, by name."""

    def install(**named: Callable[[], object]) -> None:
        pm = plugins.make_plugin_manager(load_entrypoints=False)
        for name, answer in named.items():
            pm.register(SimpleNamespace(wladna_cli_commands=hookimpl(answer)), name=name)
        monkeypatch.setattr(plugins, "make_plugin_manager", lambda *_a, **_k: pm)

    return install


def test_a_plugins_group_is_listed_and_runs(with_plugins: Callable[..., None]) -> None:
    with_plugins(outreach=lambda: [outreach])
    listed = CliRunner().invoke(main, ["--help"])
    assert "  outreach " in listed.output
    result = CliRunner().invoke(main, ["outreach", "teams"])
    assert (result.exit_code, result.output) == (0, "night team\n")


def test_a_plugins_command_reports_a_user_error_as_the_core_commands_do(
    with_plugins: Callable[..., None],
) -> None:
    with_plugins(outreach=lambda: [outreach])
    result = CliRunner().invoke(main, ["outreach", "teams", "--refuse"])
    assert result.exit_code == ExitCode.INVALID_DATA
    assert result.stderr == ("wladna: error: the outreach register is closed; try again tomorrow\n")


@pytest.mark.parametrize("asked", [["--help"], ["outreach", "teams"], ["plugins"]])
def test_a_command_named_like_a_core_command_stops_wladna_naming_the_plugin(
    with_plugins: Callable[..., None], asked: list[str]
) -> None:
    with_plugins(outreach=lambda: [outreach], copycat=lambda: [click.Command("import")])
    result = CliRunner().invoke(main, asked)
    assert result.exit_code == ExitCode.PLUGIN
    assert result.stderr.startswith(
        "wladna: error: plug-in 'copycat', hook wladna_cli_commands: its command 'import' has "
        "the name of a command of wladna itself (wladna import); rename it"
    )
    assert "WLADNA_PLUGINS" in result.stderr


def test_two_plugins_offering_one_command_name_are_both_named(
    with_plugins: Callable[..., None],
) -> None:
    with_plugins(first=lambda: [outreach], second=lambda: [click.Group("outreach")])
    result = CliRunner().invoke(main, ["outreach", "teams"])
    assert result.exit_code == ExitCode.PLUGIN
    assert "plug-ins 'second' and 'first'" in result.stderr or (
        "plug-ins 'first' and 'second'" in result.stderr
    )
    assert "both offer a command named 'outreach'" in result.stderr


def test_a_hook_that_fails_stops_wladna_naming_the_plugin(
    with_plugins: Callable[..., None],
) -> None:
    def broken() -> object:
        msg = "no commands today"
        raise RuntimeError(msg)

    with_plugins(broken=broken)
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == ExitCode.PLUGIN
    assert "plug-in 'broken', hook wladna_cli_commands" in result.stderr
    assert "no commands today" in result.stderr


def test_an_unknown_command_is_still_a_usage_error(with_plugins: Callable[..., None]) -> None:
    with_plugins(outreach=lambda: [outreach])
    result = CliRunner().invoke(main, ["outreech"])
    assert result.exit_code == ExitCode.USAGE
    assert "No such command 'outreech'" in result.stderr
