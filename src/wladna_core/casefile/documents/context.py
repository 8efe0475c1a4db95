"""The rules' context of documents: the case file, and the deployment's document settings.

The rule ``document.too_large`` compares a document's size with the setting
``documents.max_size``: :class:`DocumentContext` carries the settings for validation outside a
store, :class:`DocumentStoreContext` reads them from the store's settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wladna_core.casefile.context import CaseFileContext, CaseFileStoreContext
from wladna_core.casefile.documents.settings import DocumentSettings

if TYPE_CHECKING:
    from wladna_core.storage.ports import UnitOfWork

__all__ = ["DocumentContext", "DocumentStoreContext", "document_settings"]


class DocumentContext(CaseFileContext):
    """A case-file context that knows the deployment's document settings.

    :param documents: the document settings; the defaults when omitted.
    :param kwargs: what :class:`~wladna_core.casefile.CaseFileContext` takes.
    """

    def __init__(self, *, documents: DocumentSettings | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._documents = documents if documents is not None else DocumentSettings()

    @property
    def document_settings(self) -> DocumentSettings:
        """The deployment's document settings."""
        return self._documents


class DocumentStoreContext(CaseFileStoreContext):
    """A case-file store context whose document settings are the store's (``documents``)."""

    def __init__(self, unit_of_work: UnitOfWork, **kwargs: Any) -> None:
        super().__init__(unit_of_work, **kwargs)
        self._documents = DocumentSettings.from_settings(unit_of_work.store.settings)

    @property
    def document_settings(self) -> DocumentSettings:
        """The store's document settings."""
        return self._documents


def document_settings(context: object) -> DocumentSettings:
    """Return the document settings ``context`` knows; the defaults for any other context."""
    if isinstance(context, DocumentContext | DocumentStoreContext):
        return context.document_settings
    return DocumentSettings()
