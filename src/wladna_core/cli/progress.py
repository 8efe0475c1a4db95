"""Progress of long work, on stderr: a bar on a terminal, a line now and then in a log.

Standard output carries what machines read (JSON Lines, tables), so progress never goes there.
When stderr is a terminal, :func:`progress` shows a bar.  When it is a file or a pipe (a log, a
scheduled job), it writes a line such as ``Casework: 1200 of 45000 steps (2%), 0:00:10`` once
every :data:`LOG_EVERY` seconds of work, and nothing for work shorter than that: a long run is
never silent, a short one is never noisy.  :meth:`Progress.advance` costs next to nothing.

>>> import io, itertools
>>> ticks = itertools.count(0, 6)  # a clock advancing 6 seconds per reading
>>> out = io.StringIO()
>>> with progress("Casework", 4, unit="steps", clock=lambda: next(ticks), log=out) as bar:
...     for _ in range(4):
...         bar.advance()
>>> print(out.getvalue(), end="")
Casework: 2 of 4 steps (50%), 0:00:12
Casework: 4 of 4 steps (100%), 0:00:24
"""

from __future__ import annotations

import contextlib
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Final, TextIO

import rich.console
import rich.filesize
import rich.progress

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["LOG_EVERY", "Progress", "progress"]

#: Seconds between two progress lines when stderr is not a terminal.
LOG_EVERY: Final = 10.0


class _Lines:
    """Writes a progress line to ``out`` at most once every :data:`LOG_EVERY` seconds."""

    def __init__(
        self,
        out: TextIO,
        description: str,
        total: float | None,
        unit: str,
        clock: Callable[[], float],
    ) -> None:
        self.out = out
        self.description = description
        self.total = total
        self.unit = unit
        self.clock = clock
        self.done = 0.0
        self.started = clock()
        self.next_line = self.started + LOG_EVERY

    def advance(self, amount: float) -> None:
        self.done += amount
        now = self.clock()
        if now >= self.next_line:
            self.next_line = now + LOG_EVERY
            elapsed = timedelta(seconds=round(now - self.started))
            self.out.write(f"{self.description}: {self._amount()}, {elapsed}\n")
            self.out.flush()

    def _quantity(self, value: float) -> str:
        if self.unit == "bytes":
            return rich.filesize.decimal(int(value))
        return f"{int(value)}"

    def _amount(self) -> str:
        noun = "" if self.unit == "bytes" else f" {self.unit}"
        if not self.total:
            return f"{self._quantity(self.done)}{noun}"
        share = min(self.done / self.total, 1.0)
        return f"{self._quantity(self.done)} of {self._quantity(self.total)}{noun} ({share:.0%})"


class Progress:
    """One task's progress: call :meth:`advance` as work gets done.

    :param bar: the rich progress display, or ``None`` when no bar is shown.
    :param task: the task's id in ``bar``.
    :param lines: where progress lines go when there is no bar, or ``None`` for none.
    """

    def __init__(
        self,
        bar: rich.progress.Progress | None,
        task: rich.progress.TaskID,
        lines: _Lines | None = None,
    ) -> None:
        self._bar = bar
        self._task = task
        self._lines = lines

    def advance(self, amount: float = 1) -> None:
        """Record ``amount`` more units of work done.

        :param amount: how many units (bytes, records) were done since the last call.
        """
        if self._bar is not None:
            self._bar.advance(self._task, amount)
        elif self._lines is not None:
            self._lines.advance(amount)

    def describe(self, description: str) -> None:
        """Change the text shown before the bar, or at the start of progress lines.

        :param description: what is being done now, e.g. ``exporting cases``.
        """
        if self._bar is not None:
            self._bar.update(self._task, description=description)
        elif self._lines is not None:
            self._lines.description = description


@contextlib.contextmanager
def progress(
    description: str,
    total: float | None,
    *,
    unit: str = "records",
    clock: Callable[[], float] = time.monotonic,
    log: TextIO | None = None,
) -> Iterator[Progress]:
    """Show the progress of the ``with`` block's work on stderr (see the module's description).

    :param description: what is being done, e.g. ``importing``.
    :param total: how many units the work has, or ``None`` when it is not known.
    :param unit: what is counted: ``records``, ``steps``..., or ``bytes`` to show sizes.
    :param clock: gives seconds, for the pace of progress lines (tests pass their own).
    :param log: where progress lines go instead of stderr when it is not a terminal.
    """
    console = rich.console.Console(file=sys.stderr)
    if log is not None or not console.is_terminal:
        out = log if log is not None else sys.stderr
        yield Progress(None, rich.progress.TaskID(0), _Lines(out, description, total, unit, clock))
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
