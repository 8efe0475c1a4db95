"""The kind of record of care arrangements, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`CARE_ARRANGEMENT` (:func:`~wladna_core.casefile.kinds.
case_kind`), whose rules' context is a :class:`~wladna_core.casefile.care.context.
CareStoreContext` (the case's other arrangements and the deployment's care settings); its
``wladna_rules`` hands the store :data:`~wladna_core.casefile.care.rules.CARE_RULES`.  Its
table is created by the migrations of the group (:data:`wladna_core.casefile.incidents.kinds.
MIGRATIONS`)::

    with store.unit_of_work() as uow:
        history = uow.repository(CareArrangement).find(CARE_ARRANGEMENT.query(case_id=case.id))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.casefile.care.context import CareStoreContext
from wladna_core.casefile.care.model import CareArrangement
from wladna_core.casefile.care.rules import CARE_RULES
from wladna_core.casefile.incidents.kinds import MIGRATIONS
from wladna_core.casefile.kinds import case_kind, id_field
from wladna_core.hookspecs import hookimpl
from wladna_core.model import TerritorialBody
from wladna_core.storage.kinds import Field, FieldType, Filter, Match

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule
    from wladna_core.storage.kinds import RecordKind

__all__ = ["CARE_ARRANGEMENT", "wladna_record_kinds", "wladna_rules"]


def _references(arrangement: CareArrangement) -> list[tuple[type, str | None]]:
    if arrangement.establishment_id is None:
        return []
    return [(TerritorialBody, arrangement.establishment_id)]


def _context(unit_of_work: Any) -> CareStoreContext:
    return CareStoreContext(unit_of_work)


#: Care arrangements: where and with whom the child of a case lives.
CARE_ARRANGEMENT: Final[RecordKind[Any]] = attrs.evolve(
    case_kind(
        name="care_arrangement",
        record_type=CareArrangement,
        table="casefile_care_arrangements",
        migrations=MIGRATIONS,
        description="Where and with whom the child of a case lives, from a day to a day.",
        fields=(
            Field("type", FieldType.CODE, lambda care: care.type, nullable=False),
            Field("started_on", FieldType.DATE, lambda care: care.started_on, nullable=False),
            Field("ended_on", FieldType.DATE, lambda care: care.ended_on),
            Field("open", FieldType.BOOLEAN, lambda care: care.is_open, nullable=False),
            id_field("establishment_id", lambda care: care.establishment_id, nullable=True),
        ),
        filters={
            "type": Filter("type", Match.ONE_OF),
            "open": Filter("open", Match.EQUAL),
            "started_from": Filter("started_on", Match.FROM),
            "started_to": Filter("started_on", Match.TO),
            "establishment_id": Filter("establishment_id", Match.EQUAL),
        },
        references=_references,
    ),
    context=_context,
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of care arrangements."""
    return (CARE_ARRANGEMENT,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the care-arrangement rules, which every store runs on care arrangements."""
    return CARE_RULES
