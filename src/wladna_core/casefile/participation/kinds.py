"""The kind of record of the child's participation, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`PARTICIPATION` (name ``participation``) and its
``wladna_rules`` hands the store :data:`~wladna_core.casefile.participation.rules.
PARTICIPATION_RULES`.  SQL stores get the table through the migrations of the case file's
documents group (:mod:`wladna_core.casefile.documents.migrations`).

Searches::

    with store.unit_of_work() as uow:
        found = uow.repository(PARTICIPATION).find(
            PARTICIPATION.query(case_id=case.id, decision={"closure"})
        )
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.kinds import case_kind
from wladna_core.casefile.participation.model import Participation
from wladna_core.casefile.participation.rules import PARTICIPATION_RULES
from wladna_core.hookspecs import hookimpl
from wladna_core.storage.kinds import Field, FieldType, Filter, Match

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule
    from wladna_core.storage.kinds import RecordKind

__all__ = ["MIGRATIONS", "PARTICIPATION", "wladna_record_kinds", "wladna_rules"]

#: The package of the Alembic scripts creating the tables of the documents group's kinds.
MIGRATIONS: Final = "wladna_core.casefile.documents.migrations"

#: The child's participation in the decisions of their case.
PARTICIPATION: Final[RecordKind[Participation]] = case_kind(
    name="participation",
    record_type=Participation,
    table="casefile_participation",
    migrations=MIGRATIONS,
    description="The child's views on a decision of their case, how heard and how weighed.",
    fields=(
        Field("on", FieldType.DATE, lambda record: record.on, nullable=False),
        Field("decision", FieldType.CODE, lambda record: record.decision, nullable=False),
        Field("heard", FieldType.CODE, lambda record: record.heard, nullable=False),
    ),
    filters={
        "decision": Filter("decision", Match.ONE_OF),
        "heard": Filter("heard", Match.ONE_OF),
        "on_from": Filter("on", Match.FROM),
        "on_to": Filter("on", Match.TO),
    },
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of the child's participation."""
    return (PARTICIPATION,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of the child's participation, which every store runs on its records."""
    return PARTICIPATION_RULES
