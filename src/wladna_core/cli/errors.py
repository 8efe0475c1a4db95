"""Exit codes of the ``wladna`` command, and the one place that turns errors into messages.

Every command runs inside :class:`WladnaGroup`, which catches what a user can cause (a
:class:`~wladna_core.errors.WladnaError`, a file that cannot be read or written, an interrupt)
and prints one paragraph on stderr, ``wladna: error: ...``, then exits with the code of
:class:`ExitCode`.  Anything else is a bug and keeps its traceback.

>>> int(ExitCode.INVALID_DATA), int(ExitCode.STORE)
(1, 3)
"""

from __future__ import annotations

import contextlib
import enum
import io
import os
import sys
from typing import Any, NoReturn

import click

from wladna_core.errors import WladnaError
from wladna_core.plugins import PluginHookError, PluginLoadError
from wladna_core.storage import StoreError

__all__ = ["CheckpointError", "DataError", "ExitCode", "WladnaGroup", "exit_code_of", "fail"]


class ExitCode(enum.IntEnum):
    """What the exit status of ``wladna`` means."""

    #: Everything went well (``validate``: no error-level violation; warnings may be reported).
    OK = 0
    #: Invalid records or lines were found, or a file could not be read or written.
    INVALID_DATA = 1
    #: The command line is wrong (click's own code), or a checkpoint does not fit the input.
    USAGE = 2
    #: The store cannot be opened or used: unknown URL, unreachable database, schema problem.
    STORE = 3
    #: An installed plug-in failed to load or failed in a hook.
    PLUGIN = 4
    #: Interrupted (Ctrl-C); committed work stays, ``wladna import --resume`` continues it.
    INTERRUPTED = 130


class DataError(WladnaError):
    """The input of a command is refused; the message names the lines, codes and remedies."""


class CheckpointError(WladnaError):
    """An import checkpoint does not fit the input, the store or the options given."""


def exit_code_of(error: BaseException) -> ExitCode:
    """Return the exit code ``wladna`` ends with after ``error``.

    :param error: an exception a command let through.
    """
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(error, PluginLoadError | PluginHookError):
        return ExitCode.PLUGIN
    if isinstance(error, StoreError):
        return ExitCode.STORE
    if isinstance(error, CheckpointError):
        return ExitCode.USAGE
    return ExitCode.INVALID_DATA


def _describe(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return (
            "interrupted; what was committed stays in the store. Run `wladna import --resume` "
            "with the same file to continue an import"
        )
    if isinstance(error, OSError) and not isinstance(error, WladnaError):
        where = f" {error.filename}" if error.filename else ""
        return f"cannot use the file{where}: {error.strerror or error}"
    return str(error)


def fail(error: BaseException) -> NoReturn:
    """Print ``error`` as one paragraph on stderr and leave with its exit code.

    :param error: a user's error: a :class:`WladnaError`, an :class:`OSError` or an interrupt.
    :raises click.exceptions.Exit: always, carrying the exit code.
    """
    click.echo(f"wladna: error: {_describe(error)}", err=True)
    raise click.exceptions.Exit(exit_code_of(error))


class WladnaGroup(click.Group):
    """A click group whose commands report user errors as messages, never tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning user errors into a message and an exit code."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except (WladnaError, OSError, KeyboardInterrupt) as error:
            if isinstance(error, BrokenPipeError):
                _silence_stdout()
                raise click.exceptions.Exit(ExitCode.OK) from None
            fail(error)


def _silence_stdout() -> None:
    """Point stdout at the null device once its reader has gone (``wladna export | head``).

    Python would otherwise report the broken pipe again when it flushes stdout at exit.
    """
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
