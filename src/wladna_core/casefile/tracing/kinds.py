"""The kinds of record of tracing and reunification, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`).  Both
kinds belong to a case (:func:`~wladna_core.casefile.kinds.case_kind`): ``kind.query(case_id=...)``
finds a case's records.  Their tables come with the outreach contacts' in the branch
``wladna_casefile_outreach`` (:data:`wladna_core.casefile.outreach.kinds.MIGRATIONS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.kinds import case_kind
from wladna_core.casefile.tracing.records import Reunification, TracingAction
from wladna_core.casefile.tracing.rules import TRACING_RULES
from wladna_core.hookspecs import hookimpl
from wladna_core.storage.kinds import Field, FieldType, Filter, Match, RecordKind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule

__all__ = [
    "REUNIFICATION",
    "TRACING",
    "TRACING_KINDS",
    "wladna_record_kinds",
    "wladna_rules",
]

# The one branch of migrations of the group (outreach, tracing, reunification).
_MIGRATIONS: Final = "wladna_core.casefile.outreach.migrations"

#: Tracing actions.
TRACING: Final = case_kind(
    name="tracing_action",
    record_type=TracingAction,
    table="tracing_actions",
    migrations=_MIGRATIONS,
    description="A step of the search for a separated child's family, and its result.",
    fields=(
        Field("acted_on", FieldType.DATE, lambda action: action.on, nullable=False),
        Field("method", FieldType.CODE, lambda action: action.method, nullable=False),
        Field("result", FieldType.CODE, lambda action: action.result, nullable=False),
    ),
    filters={
        "on_from": Filter("acted_on", Match.FROM),
        "on_to": Filter("acted_on", Match.TO),
        "method": Filter("method", Match.ONE_OF),
        "result": Filter("result", Match.ONE_OF),
    },
)

#: Reunifications.
REUNIFICATION: Final = case_kind(
    name="reunification",
    record_type=Reunification,
    table="reunifications",
    migrations=_MIGRATIONS,
    description="The return of a separated child to their family, and its follow-up.",
    fields=(
        Field("reunified_on", FieldType.DATE, lambda item: item.on, nullable=False),
        Field("territory", FieldType.TERRITORY, lambda item: item.where, nullable=False),
        Field("with_whom", FieldType.CODE, lambda item: item.with_whom, nullable=False),
        Field("verified", FieldType.BOOLEAN, lambda item: item.verified, nullable=False),
        Field("outcome", FieldType.CODE, lambda item: item.outcome, nullable=False),
        Field("follow_ups", FieldType.INTEGER, lambda item: len(item.follow_ups), index=False),
    ),
    filters={
        "on_from": Filter("reunified_on", Match.FROM),
        "on_to": Filter("reunified_on", Match.TO),
        "territory": Filter("territory", Match.WITHIN),
        "outcome": Filter("outcome", Match.ONE_OF),
        "verified": Filter("verified", Match.EQUAL),
    },
)

#: The kinds this plug-in declares.
TRACING_KINDS: Final[tuple[RecordKind[Any], ...]] = (TRACING, REUNIFICATION)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kinds of record of tracing and reunification."""
    return TRACING_KINDS


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of tracing and reunification, which every store runs on the way in."""
    return TRACING_RULES
