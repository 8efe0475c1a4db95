"""Where the bytes of documents live: the port :class:`DocumentStore` and how one is opened.

A document's record (:class:`~wladna_core.casefile.documents.Document`) holds its metadata and
a ``location``; the bytes are kept by a *document store*, which a plug-in provides through the
hook ``wladna_open_document_store(url, clock)`` — a directory of files (built in,
:mod:`wladna_core.casefile.documents.files`), an object store, a national archive.  The
deployment names its document store in the setting ``documents.url``; :func:`open_document_store`
asks the plug-ins for it, first answer wins.

A document store does two things: :meth:`DocumentStore.put` keeps bytes and returns their
location, :meth:`DocumentStore.get` returns the bytes at a location.  A store that can also
erase bytes (:class:`ErasingDocumentStore`, :meth:`~ErasingDocumentStore.delete`) lets
supervisors erase those of a withdrawn document.  It need not check what it
returns: the services check the size and SHA-256 digest of every document they read
(:class:`DocumentIntegrityError`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from wladna_core.errors import WladnaError
from wladna_core.plugins import PluginHookError, first_answer
from wladna_core.storage.ports import redact_url

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    import pluggy

__all__ = [
    "DocumentIntegrityError",
    "DocumentMissing",
    "DocumentStore",
    "DocumentStoreError",
    "DocumentStoreUnavailable",
    "ErasingDocumentStore",
    "open_document_store",
]

_HOOK = "wladna_open_document_store"


@runtime_checkable
class DocumentStore(Protocol):
    """Keeps the bytes of documents; a plug-in's answer to ``wladna_open_document_store``."""

    @property
    def scheme(self) -> str:
        """The scheme of the URLs this store opens (``file``)."""
        ...

    def put(self, content: bytes) -> str:
        """Keep ``content`` and return its location, an opaque reference with a scheme.

        Writing is all or nothing: a location returned holds all the bytes, and a failure
        leaves nothing that a location names.  Putting the same bytes twice may return the
        same location.

        :raises DocumentStoreError: when the bytes cannot be kept.
        """
        ...

    def get(self, location: str) -> bytes:
        """Return the bytes kept at ``location`` (as :meth:`put` returned it).

        :raises DocumentMissing: when nothing is kept there.
        """
        ...


@runtime_checkable
class ErasingDocumentStore(DocumentStore, Protocol):
    """A document store that can also erase the bytes at a location."""

    def delete(self, location: str) -> None:
        """Erase the bytes kept at ``location``, for good; nothing kept there is no error.

        :raises DocumentStoreError: when the bytes cannot be erased.
        """
        ...


class DocumentStoreError(WladnaError):
    """The store of documents' bytes failed, or is not there."""


class DocumentStoreUnavailable(DocumentStoreError):
    """No document store is set, or none of the installed plug-ins opens its URL.

    :param url: the URL asked for (password masked), or ``None`` when none is set.
    """

    def __init__(self, url: str | None) -> None:
        self.url = url
        if url is None:
            reason = "no document store is set, so documents cannot be attached or read"
            remedy = (
                "Set documents.url in the deployment's settings: Wladna.open(..., settings="
                "{'documents': {'url': 'file:///var/lib/wladna/documents'}})."
            )
        else:
            reason = f"no installed document store opens {url!r}"
            remedy = (
                "Use file:///<directory> (built in), or install the plug-in whose "
                "wladna_open_document_store opens this scheme."
            )
        self.remedy = remedy
        super().__init__(f"{reason}. {remedy}")

    def __reduce__(self) -> tuple[type[DocumentStoreUnavailable], tuple[str | None]]:
        return (type(self), (self.url,))


class DocumentMissing(DocumentStoreError, LookupError):
    """The bytes of a document are not where its record says.

    :param location: the location looked at.
    """

    def __init__(self, location: str) -> None:
        self.location = location
        super().__init__(
            f"no bytes are kept at {location!r}. Restore the document store from its backup, "
            "or attach the document again."
        )

    def __reduce__(self) -> tuple[type[DocumentMissing], tuple[str]]:
        return (type(self), (self.location,))


class DocumentIntegrityError(DocumentStoreError):
    """The bytes read for a document are not those its record describes.

    :param document: the document, e.g. ``Document 0193...``.
    :param expected: the SHA-256 digest (and size) the record holds.
    :param found: the digest (and size) of the bytes read.
    """

    #: The stable code of this refusal.
    code = "document.integrity"

    def __init__(self, document: str, expected: str, found: str) -> None:
        self.document = document
        self.expected = expected
        self.found = found
        self.remedy = (
            "The bytes were altered or replaced since the document was attached: do not use "
            "them; restore the document store from its backup and tell the administrator."
        )
        super().__init__(
            f"[{self.code}] the bytes of {document} do not match its record: expected "
            f"{expected}, found {found}. {self.remedy}"
        )

    def __reduce__(self) -> tuple[type[DocumentIntegrityError], tuple[str, str, str]]:
        return (type(self), (self.document, self.expected, self.found))


def open_document_store(
    plugins: pluggy.PluginManager, url: str | None, *, clock: Callable[[], datetime]
) -> DocumentStore:
    """Return the document store at ``url``, from the first plug-in that opens it.

    :param plugins: the deployment's plug-in manager.
    :param url: the ``documents.url`` setting; ``None`` when it is not set.
    :param clock: the deployment's clock, handed to the plug-ins.
    :raises DocumentStoreUnavailable: when ``url`` is ``None`` or no plug-in opens it.
    :raises PluginHookError: naming the plug-in, when one fails or answers something that is
        not a :class:`DocumentStore`.
    """
    if url is None:
        raise DocumentStoreUnavailable(None)
    answer = first_answer(plugins, _HOOK, url=url, clock=clock)
    if answer is None:
        raise DocumentStoreUnavailable(redact_url(url))
    plugin, store = answer
    if not isinstance(store, DocumentStore):
        reason = (
            f"it returned {type(store).__name__}, where a DocumentStore (scheme, put, get) or "
            "None is expected"
        )
        raise PluginHookError(_HOOK, [plugin], reason)
    return store
