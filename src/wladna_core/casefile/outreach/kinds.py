"""The kind of record of outreach contacts, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`).
An outreach contact happens **before** a case opens: it belongs to the body whose team made it
and is no case's record, so :data:`OUTREACH` is declared with
:class:`~wladna_core.storage.kinds.RecordKind` itself rather than
:func:`~wladna_core.casefile.kinds.case_kind`.  Searches::

    with store.unit_of_work() as uow:
        found = uow.repository(OutreachContact).find(
            OUTREACH.query(body_id=body.id, territory="MA-04", on_from=date(2026, 1, 1))
        )

SQL stores get the table from the migrations of :data:`MIGRATIONS` (the branch
``wladna_casefile_outreach``, which also holds the tables of tracing and reunification).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.kinds import id_field
from wladna_core.casefile.outreach.contacts import OutreachContact
from wladna_core.casefile.outreach.rules import OUTREACH_RULES
from wladna_core.hookspecs import hookimpl
from wladna_core.model import Case, Child, TerritorialBody
from wladna_core.storage.kinds import Field, FieldType, Filter, ManyField, Match, RecordKind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule

__all__ = ["MIGRATIONS", "OUTREACH", "OUTREACH_KINDS", "wladna_record_kinds", "wladna_rules"]

#: The package of the Alembic scripts creating the tables of outreach, tracing and reunification.
MIGRATIONS: Final = "wladna_core.casefile.outreach.migrations"


def _references(contact: OutreachContact) -> list[tuple[type, str | None]]:
    return [
        (TerritorialBody, contact.body_id),
        (Child, contact.child.child_id),
        (Case, contact.case_id),
    ]


#: Outreach contacts.
OUTREACH: Final = RecordKind(
    name="outreach_contact",
    record_type=OutreachContact,
    table="outreach_contacts",
    fields=(
        id_field("body_id", lambda contact: contact.body_id),
        Field("territory", FieldType.TERRITORY, lambda contact: contact.territory, nullable=False),
        Field("met_on", FieldType.DATE, lambda contact: contact.on, nullable=False),
        Field("agreed", FieldType.BOOLEAN, lambda contact: contact.agreed, nullable=False),
        id_field("child_id", lambda contact: contact.child.child_id, nullable=True),
        id_field("case_id", lambda contact: contact.case_id, nullable=True),
    ),
    many=(
        ManyField(
            "offered",
            (("offer", FieldType.CODE),),
            lambda contact: [(offer,) for offer in sorted(contact.offered)],
        ),
    ),
    filters={
        "body_id": Filter("body_id", Match.EQUAL),
        "territory": Filter("territory", Match.WITHIN),
        "on_from": Filter("met_on", Match.FROM),
        "on_to": Filter("met_on", Match.TO),
        "agreed": Filter("agreed", Match.EQUAL),
        "child_id": Filter("child_id", Match.EQUAL),
        "case_id": Filter("case_id", Match.EQUAL),
        "offer": Filter("offered", Match.CONTAINS),
    },
    references=_references,
    migrations=MIGRATIONS,
    description="A contact by a body's outreach team with a child in a street situation.",
)

#: The kinds this plug-in declares.
OUTREACH_KINDS: Final[tuple[RecordKind[Any], ...]] = (OUTREACH,)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of outreach contacts."""
    return OUTREACH_KINDS


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of outreach contacts, which every store runs on the way in."""
    return OUTREACH_RULES
