"""The kind of record of the details of protection concerns, declared as a plug-in would.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`CONCERN_DETAIL` (name ``concern_detail``) and its
``wladna_rules`` hands the store :data:`~wladna_core.casefile.concerns.rules.CONCERN_RULES`.
SQL stores get the table through :mod:`wladna_core.casefile.documents.migrations`.

Searches::

    with store.unit_of_work() as uow:
        open_begging = uow.repository(CONCERN_DETAIL).find(
            CONCERN_DETAIL.query(concern={"begging"}, open=True)
        )
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from wladna_core.casefile.concerns.model import ConcernDetail
from wladna_core.casefile.concerns.rules import CONCERN_RULES
from wladna_core.casefile.kinds import case_kind
from wladna_core.casefile.participation.kinds import MIGRATIONS
from wladna_core.hookspecs import hookimpl
from wladna_core.storage.kinds import Field, FieldType, Filter, Match

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule
    from wladna_core.storage.kinds import RecordKind

__all__ = ["CONCERN_DETAIL", "wladna_record_kinds", "wladna_rules"]

#: The details of the protection concerns of cases.
CONCERN_DETAIL: Final[RecordKind[ConcernDetail]] = case_kind(
    name="concern_detail",
    record_type=ConcernDetail,
    table="casefile_concern_details",
    migrations=MIGRATIONS,
    description="When and by whom a protection concern of a case was identified, and resolved.",
    fields=(
        Field("concern", FieldType.CODE, lambda detail: detail.concern, nullable=False),
        Field("identified_on", FieldType.DATE, lambda d: d.identified_on, nullable=False),
        Field("resolved_on", FieldType.DATE, lambda detail: detail.resolved_on),
        Field("is_open", FieldType.BOOLEAN, lambda detail: detail.is_open, nullable=False),
    ),
    filters={
        "concern": Filter("concern", Match.ONE_OF),
        "open": Filter("is_open", Match.EQUAL),
        "identified_from": Filter("identified_on", Match.FROM),
        "identified_to": Filter("identified_on", Match.TO),
    },
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of the details of protection concerns."""
    return (CONCERN_DETAIL,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of the details of protection concerns."""
    return CONCERN_RULES
