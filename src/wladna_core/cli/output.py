"""Where ``wladna`` commands write, and what they print for people: tables, figures.

:func:`output_file` gives the stream of an ``--output`` option: standard output, or a file that
appears only once complete.  On a terminal, tables fit its width.  Piped or written to a file,
they are never cut at 80 columns: each line is as wide as its content.  Shares print as
percentages and durations in days with at most one decimal, not as raw floating-point numbers:

>>> figure("share_within_deadline", 0.6176470588235294), figure("median_days", 3.5)
('61.8%', '3.5')
>>> figure("median_days", 12.0), figure("count", 7), figure("count", None)
('12', '7', '')
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final, TextIO

import rich.console

from wladna_core.cli.errors import UnusableFile

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["figure", "output_file", "stdout_console", "text_console"]

# Width of lines written to a file or a pipe: wide enough that no table is ever cut.
_UNBOUNDED: Final = 100_000


def stdout_console(*, highlight: bool = True) -> rich.console.Console:
    """Return a console writing to stdout, as wide as its content when stdout is not a terminal.

    :param highlight: whether rich colours numbers and the like (on a terminal).
    """
    console = rich.console.Console(file=sys.stdout, soft_wrap=False, highlight=highlight)
    if not console.is_terminal:
        console = rich.console.Console(
            file=sys.stdout, soft_wrap=False, highlight=highlight, width=_UNBOUNDED
        )
    return console


def text_console(stream: TextIO) -> rich.console.Console:
    """Return a console writing to ``stream`` (a file), each line as wide as its content.

    :param stream: where to write.
    """
    return rich.console.Console(file=stream, soft_wrap=False, width=_UNBOUNDED)


@contextlib.contextmanager
def output_file(name: str) -> Iterator[BinaryIO]:
    """Yield where to write: stdout for ``-``, else a file that appears only once complete.

    The file is written under a temporary name next to it, and takes its name when the
    ``with`` block ends without error; if it raises, nothing is left.

    :param name: ``-`` or the path of the file.
    :raises UnusableFile: at once, if the file cannot be made there (no such directory, a
        directory, not allowed).
    """
    if name == "-":
        out = sys.stdout.buffer
        yield out
        out.flush()
        return
    target = Path(name)
    if target.is_dir():
        raise UnusableFile(IsADirectoryError(21, "Is a directory", name))
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    except OSError as error:
        error.filename = name
        raise UnusableFile(error) from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        Path(temporary).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def figure(measure: str, value: object) -> str:
    """Return ``value`` of ``measure`` as a person reads it.

    A float of a share or a rate (``share_within_deadline``, ``acceptance_rate``) prints as a
    percentage with one decimal; any other float (days, a median) with at most one decimal;
    ``None`` (a withheld or missing value) as nothing; anything else as it is.

    :param measure: the measure's name.
    :param value: its value.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if "share" in measure or "rate" in measure:
            return f"{value:.1%}"
        text = f"{value:.1f}"
        return text.removesuffix(".0")
    return str(value)
