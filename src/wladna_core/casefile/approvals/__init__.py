"""Approvals of a case: who asked a supervisor to approve what, who decided, when, and why.

An :class:`ApprovalRequest` (kind ``approval``) asks for the approval of a step of a case — its
assessment, its plan, its closure, or a subject the deployment configures
(``approvals.subjects``, :class:`ApprovalSettings`) — and holds the decision.  The rules are
:data:`APPROVAL_RULES` (codes ``approval.*``), the services :class:`ApprovalServices`
(``work.casefile.request_approval``...), which stay in step with the casework's approvals of
the plan and the closure.  See ``docs/casefile_services.md``.
"""

from __future__ import annotations

from wladna_core.casefile.approvals.context import ApprovalContext, ApprovalStoreContext
from wladna_core.casefile.approvals.model import (
    BUILTIN_SUBJECTS,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalSettings,
    ApprovalSettingsError,
    ApprovalSubject,
)
from wladna_core.casefile.approvals.rules import APPROVAL_RULES
from wladna_core.casefile.approvals.services import ApprovalServices

__all__ = [
    "APPROVAL_RULES",
    "BUILTIN_SUBJECTS",
    "ApprovalContext",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalServices",
    "ApprovalSettings",
    "ApprovalSettingsError",
    "ApprovalStoreContext",
    "ApprovalSubject",
]
