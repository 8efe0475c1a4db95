"""The case file: what every child-protection system records around a case.

Plans and referrals say what should happen; the case file says what did and what is: the
services delivered, the approvals asked and given, the incidents of violence, abuse,
exploitation and neglect, where and with whom the child lives, outreach to children in street
situations, the tracing of families and reunification, the child's own views, the details of
each protection concern and the documents of the case.

Each is a kind of record (:class:`~wladna_core.storage.kinds.RecordKind`) declared through the
hook ``wladna_record_kinds`` by a built-in plug-in, as a partner would declare their own, so
that every store keeps them the same way (:func:`~wladna_core.casefile.kinds.case_kind`), with
its rules (``wladna_rules``), its Alembic branch, its Hypothesis strategies and its services
(:class:`CaseFile`, reached as ``work.casefile`` from :meth:`wladna_core.Wladna.as_actor`),
which check access and audit as the casework services do (:mod:`wladna_core.casefile.base`).
"""

from __future__ import annotations

from wladna_core.casefile.approvals import ApprovalRequest, ApprovalSubject
from wladna_core.casefile.care import CareArrangement
from wladna_core.casefile.concerns import ConcernDetail
from wladna_core.casefile.context import CASEFILE_NEEDS, CaseFileContext, CaseFileStoreContext
from wladna_core.casefile.delivery import ServiceDelivery, ServiceStatus
from wladna_core.casefile.documents import Document, DocumentCategory, DocumentStore, Sensitivity
from wladna_core.casefile.incidents import Incident
from wladna_core.casefile.kinds import case_kind
from wladna_core.casefile.outreach import ChildAsMet, OutreachContact, OutreachOffer
from wladna_core.casefile.participation import Decision, Hearing, Participation
from wladna_core.casefile.rules import case_link_rules
from wladna_core.casefile.tracing import (
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingMethod,
    TracingResult,
    VisitOutcome,
)
from wladna_core.casefile.work import CaseFile

__all__ = [
    "CASEFILE_NEEDS",
    "ApprovalRequest",
    "ApprovalSubject",
    "CareArrangement",
    "CaseFile",
    "CaseFileContext",
    "CaseFileStoreContext",
    "ChildAsMet",
    "ConcernDetail",
    "Decision",
    "Document",
    "DocumentCategory",
    "DocumentStore",
    "FollowUpVisit",
    "Hearing",
    "Incident",
    "OutreachContact",
    "OutreachOffer",
    "Participation",
    "Reunification",
    "ReunificationOutcome",
    "Sensitivity",
    "ServiceDelivery",
    "ServiceStatus",
    "TracingAction",
    "TracingMethod",
    "TracingResult",
    "VisitOutcome",
    "case_kind",
    "case_link_rules",
]
