"""The built-in document store: the bytes of documents as files in a directory.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_open_document_store`` opens ``file:///<directory>`` as a :class:`FileDocumentStore`.

The store is *content-addressed*: a document's bytes are kept in the file named after their
SHA-256 digest (``<directory>/ab/abcdef...``, the first two digits making a sub-directory so
that no directory grows too large), and its location is ``sha256:<digest>``.  The same bytes
attached twice are kept once; a location never names other bytes; moving the directory
elsewhere (and setting ``documents.url`` to the new place) keeps every location valid.

Every file is written atomically: into a temporary file of the same directory, flushed to the
disk, then renamed over its name (:func:`os.replace`), so that a reader never sees half a file
and a failure leaves no file under a digest's name.  Files and directories are made readable by
their owner only (modes 0600 and 0700).

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> store = FileDocumentStore(folder)
>>> location = store.put(b"%PDF-1.7 a court decision")
>>> location
'sha256:b6cd448ba2a3ced1ed4a41ab6f12d6d4dc463e521ba6effd95286b68a9c4f04e'
>>> store.get(location)
b'%PDF-1.7 a court decision'
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Final

from wladna_core.casefile.documents.storage import DocumentMissing, DocumentStoreError
from wladna_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from wladna_core.casefile.documents.storage import DocumentStore

__all__ = ["FileDocumentStore", "wladna_open_document_store"]

#: The scheme of the URLs this store opens.
SCHEME: Final = "file"
#: The prefix of the locations it gives.
LOCATION_PREFIX: Final = "sha256:"
_DIGEST: Final = re.compile(r"[0-9a-f]{64}")


class FileDocumentStore:
    """A document store keeping each document's bytes in a file named after its SHA-256.

    :param root: the directory; made (with its parents) on the first :meth:`put`.
    """

    scheme: Final = SCHEME

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"<FileDocumentStore {self.url}>"

    @property
    def url(self) -> str:
        """The store's URL, ``file:///<directory>``."""
        return self.root.absolute().as_uri()

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, content: bytes) -> str:
        """Keep ``content`` in the file named after its digest; return ``sha256:<digest>``.

        Bytes already kept are not written again (unless the file under their name no longer
        holds them, when it is replaced).

        :raises DocumentStoreError: when the file cannot be written (its directory is not
            writable, the disk is full...).
        """
        if not isinstance(content, bytes | bytearray | memoryview):  # for callers without types
            msg = f"a document's content is bytes, got {type(content).__name__}"  # type: ignore[unreachable]
            raise TypeError(msg)
        data = bytes(content)
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if self._holds(path, data):
            return LOCATION_PREFIX + digest
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            _sync_directory(path.parent)
        except OSError as error:
            msg = (
                f"the document store {self.url} cannot keep a document: {error.strerror or error}"
                ". Check that its directory exists, is writable by this program and has room."
            )
            raise DocumentStoreError(msg) from error
        return LOCATION_PREFIX + digest

    def get(self, location: str) -> bytes:
        """Return the bytes kept at ``location`` (``sha256:<digest>``).

        :raises DocumentMissing: when no file holds them, or the location is not one of this
            store's.
        """
        digest = location[len(LOCATION_PREFIX) :] if location.startswith(LOCATION_PREFIX) else ""
        # The digest's shape is checked before it becomes a path: no "../" ever reaches one.
        if not _DIGEST.fullmatch(digest):
            raise DocumentMissing(location)
        try:
            return self._path(digest).read_bytes()
        except FileNotFoundError:
            raise DocumentMissing(location) from None
        except OSError as error:
            msg = f"the document store {self.url} cannot read {location}: {error.strerror}"
            raise DocumentStoreError(msg) from error

    def delete(self, location: str) -> None:
        """Erase the file holding the bytes at ``location``; nothing kept there is no error.

        :raises DocumentStoreError: when the file cannot be removed.
        """
        digest = location[len(LOCATION_PREFIX) :] if location.startswith(LOCATION_PREFIX) else ""
        if not _DIGEST.fullmatch(digest):
            return  # not one of this store's locations: nothing of it is kept here
        path = self._path(digest)
        try:
            path.unlink(missing_ok=True)
            _sync_directory(path.parent)
        except FileNotFoundError:
            return
        except OSError as error:
            msg = f"the document store {self.url} cannot erase {location}: {error.strerror}"
            raise DocumentStoreError(msg) from error

    def _holds(self, path: Path, data: bytes) -> bool:
        try:
            return path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            return False


def _sync_directory(directory: Path) -> None:
    """Flush a directory's entries to the disk, so that a rename survives a crash (POSIX)."""
    if os.name != "posix":  # pragma: no cover (Windows has no directory descriptors)
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _root(url: str) -> Path:
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in {"", "localhost"} or not parts.path.startswith("/"):
        msg = (
            f"the document store URL {url!r} is not a local directory; write it "
            "'file:///<absolute path>', e.g. 'file:///var/lib/wladna/documents'"
        )
        raise DocumentStoreError(msg)
    return Path(urllib.parse.unquote(parts.path))


@hookimpl
def wladna_open_document_store(url: str) -> DocumentStore | None:
    """Open ``file:///<directory>`` as a :class:`FileDocumentStore`; other schemes are not ours."""
    if urllib.parse.urlsplit(url).scheme != SCHEME:
        return None
    return FileDocumentStore(_root(url))
