"""The checkpoint of an import: how far into its input an import has committed.

``wladna import`` writes a small JSON file (by default next to the input, named
``<input>.wladna-import.json``) after every batch it commits.  It holds the number of lines and
bytes committed and the SHA-256 of those bytes, so that ``--resume`` continues after them and
refuses an input whose committed part has changed (lines after it may be mended).  Before a
batch is committed the checkpoint also names that batch and one of its records (``pending``,
``probe``): if the process dies between the commit and the next checkpoint, ``--resume`` looks
the record up in the store to learn whether the batch was committed.

>>> start = Position.start()
>>> start.lines, start.size
(0, 0)
>>> start.after([b'{"type": "body", "record": {}}']).size
30
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final

import attrs

from wladna_core.cli.errors import CheckpointError
from wladna_core.convert import dumps, loads
from wladna_core.errors import InvalidRecord

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["FORMAT", "SUFFIX", "Checkpoint", "Position", "Probe", "skip_committed"]

#: The format tag of checkpoint files.
FORMAT: Final = "wladna-import-checkpoint/1"
#: What is appended to the input's name to name its checkpoint.
SUFFIX: Final = ".wladna-import.json"
_CHUNK: Final = 1 << 20
_EMPTY_SHA256: Final = hashlib.sha256().hexdigest()


@attrs.frozen
class Position:
    """A place in the input: after ``lines`` lines, ``size`` bytes whose SHA-256 is ``sha256``.

    :param lines: how many lines come before it.
    :param size: how many bytes come before it.
    :param sha256: the hexadecimal SHA-256 of those bytes.
    """

    lines: int
    size: int
    sha256: str

    @classmethod
    def start(cls) -> Position:
        """Return the start of an input."""
        return cls(0, 0, _EMPTY_SHA256)

    def after(self, lines: Iterable[bytes], digest: hashlib._Hash | None = None) -> Position:
        """Return the position after ``lines`` read from this one.

        :param lines: the lines read, with their ends of line.
        :param digest: the SHA-256 state of the bytes before this position, updated in place;
            the hash is computed from the start of the input when it is omitted (tests).
        """
        if digest is None:
            if self.size:
                msg = "give the digest of the bytes before a position other than the start"
                raise ValueError(msg)
            digest = hashlib.sha256()
        count = size = 0
        for line in lines:
            digest.update(line)
            count += 1
            size += len(line)
        return Position(self.lines + count, self.size + size, digest.hexdigest())


@attrs.frozen
class Probe:
    """A record of a batch being committed, to look up after a crash.

    :param type: the record's line type (``case``...).
    :param id: the record's id.
    """

    type: str
    id: str


@attrs.frozen
class Checkpoint:
    """What an unfinished import has done.

    :param input: the input's name, as given on the command line (for people).
    :param store: the store's URL, password masked; a resume must use the same store.
    :param committed: the position after the last committed batch.
    :param pending: the position after the batch being committed, if one is.
    :param probe: a record of the pending batch (``None`` if it holds no record).
    :param format: the checkpoint format, :data:`FORMAT`.
    """

    input: str
    store: str
    committed: Position
    pending: Position | None = None
    probe: Probe | None = None
    format: str = FORMAT

    def save(self, path: Path) -> None:
        """Write the checkpoint to ``path`` atomically: a reader sees the old one or this one.

        :param path: the checkpoint file.
        """
        fd, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(dumps(self) + b"\n")
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
            raise

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        """Read the checkpoint at ``path``.

        :param path: the checkpoint file.
        :raises CheckpointError: if it is not a checkpoint of this format.
        :raises OSError: if it cannot be read.
        """
        try:
            checkpoint = loads(path.read_bytes(), cls)
        except InvalidRecord as error:
            problems = "; ".join(f"{found.path}: {found.message}" for found in error.violations)
            msg = (
                f"{path} is not an import checkpoint ({problems}); give the right --checkpoint, "
                "or delete the file to import from the first line"
            )
            raise CheckpointError(msg) from None
        if checkpoint.format != FORMAT:
            msg = (
                f"{path} is a checkpoint of format {checkpoint.format!r}, which this version of "
                f"wladna does not read ({FORMAT!r}); finish the import with the version that "
                "wrote it, or delete the file to import from the first line"
            )
            raise CheckpointError(msg)
        return checkpoint


def skip_committed(stream: BinaryIO, position: Position, name: str) -> hashlib._Hash:
    """Read the committed part of the input and check that it has not changed.

    :param stream: the input, at its start.
    :param position: where the committed part ends.
    :param name: the input's name, for messages.
    :returns: the SHA-256 state of the committed bytes, to go on hashing from.
    :raises CheckpointError: if the input is shorter, or its committed part differs.
    """
    digest = hashlib.sha256()
    left = position.size
    while left:
        chunk = stream.read(min(left, _CHUNK))
        if not chunk:
            msg = (
                f"{name} is shorter than its {position.size} bytes already imported: it is not "
                "the file of this checkpoint. Resume with the file that was imported, or give "
                "another --checkpoint"
            )
            raise CheckpointError(msg)
        digest.update(chunk)
        left -= len(chunk)
    if digest.hexdigest() != position.sha256:
        msg = (
            f"the first {position.lines} lines of {name} have changed since they were imported "
            "(their SHA-256 differs from the checkpoint's): refusing to resume on another file. "
            "Restore the imported lines as they were (only lines after them may be mended), "
            "or import the new file into another store"
        )
        raise CheckpointError(msg)
    return digest
