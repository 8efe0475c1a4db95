"""The documents of cases, kept by reference: metadata and SHA-256 here, bytes in a store.

:class:`Document` (kind ``document``) describes a file of a case; its bytes are kept by the
deployment's document store (:class:`~wladna_core.casefile.documents.storage.DocumentStore`),
opened by a plug-in through the hook ``wladna_open_document_store`` from the setting
``documents.url`` — the built-in one keeps them as files in a directory
(:mod:`wladna_core.casefile.documents.files`).  Rules ``document.*``
(:data:`~wladna_core.casefile.documents.rules.DOCUMENT_RULES`); services
``work.casefile.attach_document``, ``documents``, ``document_content`` and
``withdraw_document``
(:class:`~wladna_core.casefile.documents.services.DocumentServices`).
"""

from __future__ import annotations

from wladna_core.casefile.documents.context import DocumentContext, DocumentStoreContext
from wladna_core.casefile.documents.model import (
    Document,
    DocumentCategory,
    Sensitivity,
    Withdrawal,
)
from wladna_core.casefile.documents.rules import DOCUMENT_RULES
from wladna_core.casefile.documents.settings import DocumentSettings, DocumentSettingsError
from wladna_core.casefile.documents.storage import (
    DocumentIntegrityError,
    DocumentMissing,
    DocumentStore,
    DocumentStoreError,
    DocumentStoreUnavailable,
    ErasingDocumentStore,
    open_document_store,
)

__all__ = [
    "DOCUMENT_RULES",
    "Document",
    "DocumentCategory",
    "DocumentContext",
    "DocumentIntegrityError",
    "DocumentMissing",
    "DocumentSettings",
    "DocumentSettingsError",
    "DocumentStore",
    "DocumentStoreContext",
    "DocumentStoreError",
    "DocumentStoreUnavailable",
    "ErasingDocumentStore",
    "Sensitivity",
    "Withdrawal",
    "open_document_store",
]
