"""Progress bars for long work, on stderr, and only when stderr is a terminal.

Standard output carries what machines read (JSON Lines, tables), so progress never goes there;
and a log file or a pipe gets no bar at all.  :func:`progress` gives a :class:`Progress` whose
:meth:`~Progress.advance` costs next to nothing when no bar is shown.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import rich.console
import rich.progress

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Progress", "progress"]


class Progress:
    """One task's progress: call :meth:`advance` as work gets done.

    :param bar: the rich progress display, or ``None`` when nothing is shown.
    :param task: the task's id in ``bar``.
    """

    def __init__(self, bar: rich.progress.Progress | None, task: rich.progress.TaskID) -> None:
        self._bar = bar
        self._task = task

    def advance(self, amount: float = 1) -> None:
        """Record ``amount`` more units of work done.

        :param amount: how many units (bytes, records) were done since the last call.
        """
        if self._bar is not None:
            self._bar.advance(self._task, amount)

    def describe(self, description: str) -> None:
        """Change the text shown before the bar.

        :param description: what is being done now, e.g. ``exporting cases``.
        """
        if self._bar is not None:
            self._bar.update(self._task, description=description)


@contextlib.contextmanager
def progress(description: str, total: float | None, *, unit: str = "records") -> Iterator[Progress]:
    """Show a progress bar on stderr while the ``with`` block runs, if stderr is a terminal.

    :param description: what is being done, e.g. ``importing``.
    :param total: how many units the work has, or ``None`` when it is not known.
    :param unit: what is counted: ``records``, or ``bytes`` to show sizes and speeds.
    """
    console = rich.console.Console(file=sys.stderr)
    if not console.is_terminal:
        yield Progress(None, rich.progress.TaskID(0))
        return
    if unit == "bytes":
        columns: tuple[rich.progress.ProgressColumn, ...] = (
            rich.progress.DownloadColumn(),
            rich.progress.TransferSpeedColumn(),
        )
    else:
        columns = (rich.progress.MofNCompleteColumn(),)
    with rich.progress.Progress(
        rich.progress.TextColumn("{task.description}"),
        rich.progress.BarColumn(),
        *columns,
        rich.progress.TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        yield Progress(bar, bar.add_task(description, total=total))
