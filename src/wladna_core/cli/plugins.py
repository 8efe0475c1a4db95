"""``wladna plugins``: the plug-ins installed, where they come from, and the hooks they implement.

The built-in features (stores, rules, renderers) are plug-ins too, and are listed with the
installed ones.  ``--json`` writes the same as a JSON list for programs.  On a terminal the table
fits its width; piped or written to a file it is as wide as its rows.
"""

from __future__ import annotations

import sys

import click
import msgspec
import rich.table

from wladna_core.cli.output import stdout_console
from wladna_core.convert import unstructure
from wladna_core.plugins import make_plugin_manager, plugin_list

__all__ = ["plugins_command"]


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Write a JSON list instead of a table.")
def plugins_command(as_json: bool) -> None:
    """List the plug-ins: name, distribution, version and hooks implemented.

    The plug-ins loaded are those of make_plugin_manager(): the built-in ones and every
    installed one, or those WLADNA_PLUGINS names.
    """
    found = plugin_list(make_plugin_manager())
    if as_json:
        out = sys.stdout.buffer
        out.write(msgspec.json.encode([unstructure(info) for info in found]) + b"\n")
        out.flush()
        return
    table = rich.table.Table(title="wladna plug-ins", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("distribution")
    table.add_column("version")
    table.add_column("hooks")
    for info in found:
        table.add_row(info.name, info.distribution or "", info.version or "", ", ".join(info.hooks))
    # Piped or written to a file, the table is as wide as its rows: never cut at 80 columns.
    stdout_console().print(table)
