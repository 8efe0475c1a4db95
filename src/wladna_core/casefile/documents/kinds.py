"""The kind of record of the documents of cases, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`DOCUMENT` (name ``document``), whose rules' context
also knows the deployment's document settings
(:class:`~wladna_core.casefile.documents.context.DocumentStoreContext`); its ``wladna_rules``
hands the store :data:`~wladna_core.casefile.documents.rules.DOCUMENT_RULES`.  SQL stores get
the table through :mod:`wladna_core.casefile.documents.migrations`.

Searches::

    with store.unit_of_work() as uow:
        decisions = uow.repository(DOCUMENT).find(
            DOCUMENT.query(case_id=case.id, category={"court_decision"})
        )
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.casefile.documents.context import DocumentStoreContext
from wladna_core.casefile.documents.model import Document
from wladna_core.casefile.documents.rules import DOCUMENT_RULES
from wladna_core.casefile.kinds import case_kind
from wladna_core.casefile.participation.kinds import MIGRATIONS
from wladna_core.hookspecs import hookimpl
from wladna_core.storage.kinds import Field, FieldType, Filter, Match

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule
    from wladna_core.storage.kinds import RecordKind

__all__ = ["DOCUMENT", "wladna_record_kinds", "wladna_rules"]


def _context(unit_of_work: Any) -> DocumentStoreContext:
    return DocumentStoreContext(unit_of_work)


#: The documents of cases (their metadata; the bytes are in the document store).
DOCUMENT: Final[RecordKind[Document]] = attrs.evolve(
    case_kind(
        name="document",
        record_type=Document,
        table="casefile_documents",
        migrations=MIGRATIONS,
        description="A document of a case: what it is, its SHA-256, where its bytes are kept.",
        fields=(
            Field("category", FieldType.CODE, lambda doc: doc.category, nullable=False),
            Field("added_on", FieldType.DATE, lambda doc: doc.added_on, nullable=False),
            Field("sha256", FieldType.TEXT, lambda doc: doc.sha256, length=64, nullable=False),
            Field("size", FieldType.INTEGER, lambda doc: doc.size, nullable=False, index=False),
            Field("sensitivity", FieldType.CODE, lambda doc: doc.sensitivity, nullable=False),
        ),
        filters={
            "category": Filter("category", Match.ONE_OF),
            "sha256": Filter("sha256", Match.EQUAL),
            "sensitivity": Filter("sensitivity", Match.ONE_OF),
            "added_from": Filter("added_on", Match.FROM),
            "added_to": Filter("added_on", Match.TO),
        },
    ),
    context=_context,
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of the documents of cases."""
    return (DOCUMENT,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of the documents of cases."""
    return DOCUMENT_RULES
