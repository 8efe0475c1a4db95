"""The ``wladna`` command: check, move, report and audit records; plug-ins; the database; a demo.

Its commands validate, import and export records, report indicators, verify the audit trail,
list possible duplicates, list plug-ins, upgrade the database and build a demonstration.
Plug-ins add their own (hook ``wladna_cli_commands``, :mod:`~wladna_core.cli.plugin_commands`):
the built-in training programme adds ``wladna training``.

:data:`main` is the command group (the ``wladna`` script runs it).  Each command lives in its
own module and is registered here; the plumbing they share is in :mod:`~wladna_core.cli.options`
(``--db``, ``--lang``, ``--as``), :mod:`~wladna_core.cli.stores` (opening the store),
:mod:`~wladna_core.cli.errors` (messages and exit codes), :mod:`~wladna_core.cli.progress`
(progress on stderr), :mod:`~wladna_core.cli.output` (tables and figures) and
:mod:`~wladna_core.cli.jsonlines` (the file format).

>>> from click.testing import CliRunner
>>> result = CliRunner().invoke(main, ["--version"])
>>> result.output.startswith("wladna, version ")
True
"""

from __future__ import annotations

import click

from wladna_core._version import __version__
from wladna_core.cli.audit import audit_group
from wladna_core.cli.db import db_group
from wladna_core.cli.demo import demo_command
from wladna_core.cli.duplicates import duplicates_command
from wladna_core.cli.errors import ExitCode
from wladna_core.cli.plugin_commands import WladnaCommandLine
from wladna_core.cli.plugins import plugins_command
from wladna_core.cli.report import report_command
from wladna_core.cli.transfer import export_command, import_command
from wladna_core.cli.validate import validate_command

__all__ = ["ExitCode", "main"]


@click.group(
    "wladna", cls=WladnaCommandLine, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="wladna")
def main() -> None:
    """Child-protection case records of the Wladna programme: check, move and manage them.

    Exit status: 0 ok; 1 invalid records, a file failing part-way, or an audit trail failing
    verification; 2 wrong command line (a file named that cannot be opened too) or
    checkpoint; 3 store or database problem; 4 a plug-in failed; 130 interrupted.
    """


for _command in (
    validate_command,
    import_command,
    export_command,
    report_command,
    audit_group,
    plugins_command,
    db_group,
    demo_command,
    duplicates_command,
):
    main.add_command(_command)
