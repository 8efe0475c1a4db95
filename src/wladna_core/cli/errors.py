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
import inspect
import io
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wladna_core.errors import WladnaError
from wladna_core.plugins import DEFAULT_PLUGINS, PluginHookError, PluginLoadError, plugin_list
from wladna_core.storage import StoreError

if TYPE_CHECKING:
    from types import TracebackType

    import pluggy

__all__ = [
    "CheckpointError",
    "DataError",
    "ExitCode",
    "UnusableFile",
    "WladnaGroup",
    "exit_code_of",
    "fail",
    "plugin_failure",
]


class ExitCode(enum.IntEnum):
    """What the exit status of ``wladna`` means."""

    #: Everything went well (``validate``: no error-level violation; warnings may be reported).
    OK = 0
    #: Invalid records or lines were found, reading or writing a file failed part-way, or the
    #: audit trail fails verification.
    INVALID_DATA = 1
    #: The command line is wrong (click's own code): an unknown option, a file named that
    #: cannot be opened (missing, a directory, not allowed); or a checkpoint does not fit.
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


class UnusableFile(WladnaError):
    """A file named on the command line cannot be opened: missing, a directory, not allowed.

    :param error: the error opening it gave, with the file's name.
    """

    def __init__(self, error: OSError) -> None:
        self.error = error
        where = f" {error.filename}" if error.filename else ""
        super().__init__(f"cannot open the file{where}: {error.strerror or error}")


def _modules_in(error: BaseException) -> list[str]:
    """Return the modules of the frames ``error`` went through, innermost first."""
    modules: list[str] = []
    traceback: TracebackType | None = error.__traceback__
    while traceback is not None:
        modules.append(str(traceback.tb_frame.f_globals.get("__name__", "")))
        traceback = traceback.tb_next
    return modules[::-1]


def _package(plugin: object) -> str | None:
    module = plugin if inspect.ismodule(plugin) else inspect.getmodule(type(plugin))
    return None if module is None else module.__name__.partition(".")[0]


def plugin_failure(
    plugins: pluggy.PluginManager, hook: str, error: Exception, what: str
) -> Exception:
    """Return the error to raise for ``error``, raised while the core used a plug-in's objects.

    When ``error`` went through the code of an installed (not built-in) plug-in, a
    :class:`~wladna_core.plugins.PluginHookError` naming that plug-in (exit status 4);
    otherwise ``error`` itself, a bug that keeps its traceback.

    :param plugins: the plug-in manager the objects came from.
    :param hook: the hook that gave them, e.g. ``wladna_indicators``.
    :param error: what was raised.
    :param what: what failed, e.g. ``an indicator it offers failed``.
    """
    packages: dict[str, str] = {}
    for name, plugin in plugins.list_name_plugin():
        if plugin is None or name in DEFAULT_PLUGINS:
            continue
        package = _package(plugin)
        # The core's own code is never a plug-in's: a failure there is a bug of the core.
        if package is not None and package != "wladna_core":
            packages.setdefault(package, name)
    culprit = next(
        (
            packages[module.partition(".")[0]]
            for module in _modules_in(error)
            if module.partition(".")[0] in packages
        ),
        None,
    )
    if culprit is None:
        return error
    info = {found.name: found for found in plugin_list(plugins)}.get(culprit)
    label = repr(culprit)
    if info is not None and info.distribution:
        label += f" ({info.distribution} {info.version})"
    reason = f"{what}: it raised {type(error).__name__}: {error}; nothing was written"
    return PluginHookError(hook, [label], reason)


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
    if isinstance(error, CheckpointError | UnusableFile):
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
