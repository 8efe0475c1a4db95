"""The kind of record of incidents, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`INCIDENT` (:func:`~wladna_core.casefile.kinds.
case_kind`), its ``wladna_rules`` hands the store :data:`~wladna_core.casefile.incidents.rules.
INCIDENT_RULES`.  An incident linked to several cases keeps its first in the column
``case_id`` and every one of them in the side table of ``cases``, so that a case's incidents
are found by any of its cases::

    with store.unit_of_work() as uow:
        found = uow.repository(Incident).find(INCIDENT.query(linked_case=case.id))

SQL stores get the tables through :data:`MIGRATIONS` (revision ``casefile_incidents_0001``,
branch ``wladna_casefile_incidents``), which also creates the table of the care arrangements
(:mod:`wladna_core.casefile.care.kinds`): one branch for the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.incidents.model import Incident
from wladna_core.casefile.incidents.rules import INCIDENT_RULES
from wladna_core.casefile.kinds import ID_LENGTH, case_kind
from wladna_core.hookspecs import hookimpl
from wladna_core.model import Case, TerritorialBody
from wladna_core.storage.kinds import Field, FieldType, Filter, ManyField, Match

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule
    from wladna_core.storage.kinds import RecordKind

__all__ = ["INCIDENT", "MIGRATIONS", "wladna_record_kinds", "wladna_rules"]

#: The package of the Alembic scripts of the group's tables (incidents and care arrangements).
MIGRATIONS: Final = "wladna_core.casefile.incidents.migrations"


def _references(incident: Incident) -> list[tuple[type, str | None]]:
    found: list[tuple[type, str | None]] = [(Case, case_id) for case_id in incident.case_ids[1:]]
    if incident.disclosure is not None and incident.disclosure.to_body_id is not None:
        found.append((TerritorialBody, incident.disclosure.to_body_id))
    return found


#: Incidents of violence, abuse, exploitation and neglect.
INCIDENT: Final[RecordKind[Any]] = case_kind(
    name="incident",
    record_type=Incident,
    table="casefile_incidents",
    migrations=MIGRATIONS,
    description="An incident of violence, abuse, exploitation or neglect against children.",
    case_id=lambda incident: incident.case_id,
    exported=False,  # never in a file: limited views and exports never carry an incident
    fields=(
        Field("type", FieldType.CODE, lambda incident: incident.type, nullable=False),
        Field("occurred_on", FieldType.DATE, lambda incident: incident.occurred_on),
        Field("territory", FieldType.TERRITORY, lambda incident: incident.territory),
        Field("perpetrator", FieldType.CODE, lambda incident: incident.perpetrator),
    ),
    many=(
        ManyField(
            "cases",
            (("case_id", FieldType.TEXT),),
            lambda incident: [(case_id,) for case_id in incident.case_ids],
            length=ID_LENGTH,
        ),
        ManyField(
            "actions",
            (("action", FieldType.CODE),),
            lambda incident: [(action,) for action in incident.actions],
        ),
    ),
    filters={
        "linked_case": Filter("cases", Match.CONTAINS),
        "linked_cases": Filter("cases", Match.CONTAINS_ANY),
        "type": Filter("type", Match.ONE_OF),
        "territory": Filter("territory", Match.WITHIN),
        "occurred_from": Filter("occurred_on", Match.FROM),
        "occurred_to": Filter("occurred_on", Match.TO),
        "action": Filter("actions", Match.CONTAINS),
    },
    references=_references,
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of incidents."""
    return (INCIDENT,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the incident rules, which every store runs on incidents."""
    return INCIDENT_RULES
