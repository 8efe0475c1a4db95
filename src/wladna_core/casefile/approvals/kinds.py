"""The kind of record of the approvals, declared as any plug-in declares its own.

This module is a built-in plug-in (listed in :data:`wladna_core.plugins.DEFAULT_PLUGINS`): its
``wladna_record_kinds`` declares :data:`APPROVAL` (kind ``approval``) and its ``wladna_rules``
hands the store :data:`~wladna_core.casefile.approvals.rules.APPROVAL_RULES`, run with an
:class:`~wladna_core.casefile.approvals.context.ApprovalStoreContext` that knows the
deployment's subjects.  Its table comes with the services log's
(:mod:`wladna_core.casefile.delivery.migrations`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from wladna_core.casefile.approvals.context import ApprovalStoreContext
from wladna_core.casefile.approvals.model import ApprovalRequest
from wladna_core.casefile.approvals.rules import APPROVAL_RULES
from wladna_core.casefile.kinds import case_kind
from wladna_core.hookspecs import hookimpl
from wladna_core.storage.kinds import Field, FieldType, Filter, Match, RecordKind

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.rules import Rule

__all__ = ["APPROVAL", "wladna_record_kinds", "wladna_rules"]


def _context(unit_of_work: Any) -> ApprovalStoreContext:
    return ApprovalStoreContext(unit_of_work)


#: The approval requests of a case.
APPROVAL: Final[RecordKind[Any]] = attrs.evolve(
    case_kind(
        name="approval",
        record_type=ApprovalRequest,
        table="casefile_approvals",
        migrations="wladna_core.casefile.delivery.migrations",
        description="A request for a supervisor's approval of a step of a case, and the decision.",
        fields=(
            Field("subject", FieldType.TEXT, lambda r: r.subject, length=40, nullable=False),
            Field("decision", FieldType.CODE, lambda r: r.decision, nullable=False),
            Field("requested_on", FieldType.DATE, lambda r: r.requested_on, nullable=False),
            Field("decided_on", FieldType.DATE, lambda r: r.decided_on),
        ),
        filters={
            "subject": Filter("subject", Match.ONE_OF),
            "decision": Filter("decision", Match.ONE_OF),
            "requested_from": Filter("requested_on", Match.FROM),
            "requested_to": Filter("requested_on", Match.TO),
        },
    ),
    context=_context,
)


@hookimpl
def wladna_record_kinds() -> Iterable[RecordKind[Any]]:
    """Declare the kind of record of the approvals."""
    return (APPROVAL,)


@hookimpl
def wladna_rules() -> Iterable[Rule]:
    """Offer the rules of the approvals."""
    return APPROVAL_RULES
