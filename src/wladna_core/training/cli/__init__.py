"""The built-in plug-in that adds ``wladna training`` to the command line.

It implements ``wladna_cli_commands``, the hook any plug-in uses to add commands, and imports
the commands (:mod:`wladna_core.training.cli.commands`) only when the command line asks for
them, so that programs using the library never load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click

__all__ = ["wladna_cli_commands"]


@hookimpl
def wladna_cli_commands() -> list[click.Command]:
    """Add the group ``wladna training``: plan, bag export, bag verify, report."""
    from wladna_core.training.cli.commands import training_group  # noqa: PLC0415 (on use)

    return [training_group]
