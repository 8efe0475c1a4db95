"""The case file's services, one class: :class:`CaseFile` (``work.casefile``).

Each group of kinds adds its services as a mixin; see :mod:`wladna_core.casefile`.
"""

from __future__ import annotations

from wladna_core.casefile.approvals.services import ApprovalServices
from wladna_core.casefile.base import CaseFileBase
from wladna_core.casefile.care.services import CareServices
from wladna_core.casefile.concerns.services import ConcernServices
from wladna_core.casefile.delivery.services import DeliveryServices
from wladna_core.casefile.documents.services import DocumentServices
from wladna_core.casefile.incidents.services import IncidentServices
from wladna_core.casefile.outreach.services import OutreachServices
from wladna_core.casefile.participation.services import ParticipationServices
from wladna_core.casefile.tracing.services import TracingServices

__all__ = ["CaseFile"]


class CaseFile(
    DeliveryServices,
    ApprovalServices,
    IncidentServices,
    CareServices,
    OutreachServices,
    TracingServices,
    ParticipationServices,
    ConcernServices,
    DocumentServices,
    CaseFileBase,
):
    """The services of the case file for one actor; get them as ``work.casefile``.

    Every call is checked and audited as the casework services are
    (:mod:`wladna_core.casefile.base`).
    """
