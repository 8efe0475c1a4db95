"""Reading a material's file to compare it with its record: size and SHA-256 digest."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["file_digest"]

_CHUNK: Final = 1 << 20


def file_digest(path: Path, algorithm: str = "sha256") -> tuple[int, str]:
    """Return the size in bytes and the hexadecimal digest of the file at ``path``.

    The file is read in chunks of 1 MiB, so that a video does not fill the memory.

    :raises OSError: when the file cannot be read.
    """
    digest = hashlib.new(algorithm)
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
