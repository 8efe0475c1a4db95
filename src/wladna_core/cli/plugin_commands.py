"""The commands plug-ins add to ``wladna`` (hook ``wladna_cli_commands``), beside the core's.

:class:`WladnaCommandLine` is the class of the ``wladna`` group.  Each time ``wladna`` runs, it
asks the plug-ins of :func:`~wladna_core.plugins.make_plugin_manager` (the built-in ones, such
as the training programme's ``wladna training``, and the installed ones that
``WLADNA_PLUGINS`` lets load) for their commands, and lists and runs them as its own.  A
plug-in's command named like a core command, or like another plug-in's, stops ``wladna`` with
a message naming the plug-ins (exit status 4), whatever command was asked for: a command name
never means two things.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from wladna_core import plugins
from wladna_core.cli.errors import WladnaGroup, fail
from wladna_core.plugins import PluginHookError, PluginLoadError

if TYPE_CHECKING:
    import click

__all__ = ["WladnaCommandLine"]

_CACHE_KEY: Final = "wladna.plugin_commands"


class WladnaCommandLine(WladnaGroup):
    """The ``wladna`` group: the core's commands, and those of the plug-ins.

    The plug-ins' commands are gathered once per run, on the first lookup, and kept in the
    run's :class:`click.Context` (never on the group, which outlives a run in programs and
    tests that call it more than once).
    """

    def plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        """Return the commands the plug-ins add, by name.

        :raises PluginHookError: if a plug-in's hook fails, or a command's name is taken by the
            core or another plug-in.
        :raises PluginLoadError: if a plug-in cannot be loaded.
        """
        root = ctx.find_root()
        cached: dict[str, click.Command] | None = root.meta.get(_CACHE_KEY)
        if cached is None:
            cached = plugins.cli_commands_from(plugins.make_plugin_manager(), self.commands)
            root.meta[_CACHE_KEY] = cached
        return cached

    def _plugin_commands_or_fail(self, ctx: click.Context) -> dict[str, click.Command]:
        try:
            return self.plugin_commands(ctx)
        except (PluginHookError, PluginLoadError) as error:
            fail(error)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the names of the core's commands and of the plug-ins', in order."""
        return sorted([*super().list_commands(ctx), *self._plugin_commands_or_fail(ctx)])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, the core's or a plug-in's (checked in every run)."""
        added = self._plugin_commands_or_fail(ctx)
        return super().get_command(ctx, cmd_name) or added.get(cmd_name)
