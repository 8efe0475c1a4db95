"""The services log of a case: what services were delivered, by whom, and when.

Plans and referrals say what should happen; this says what did.  A
:class:`ServiceDelivery` (kind ``service_delivery``) names the service, its provider (a
territorial body or a social programme), the referral it answers, when it was arranged and by
when it was due (the response timeframe, from the deployment's deadlines), the appointment,
and whether it was delivered, missed or cancelled.  :func:`is_overdue` says whether it was
overdue on a day.  The rules are :data:`SERVICE_RULES` (codes ``service.*``), the services
:class:`DeliveryServices` (``work.casefile.record_service``...).  See ``docs/casefile_services.md``.
"""

from __future__ import annotations

from wladna_core.casefile.delivery.model import (
    ServiceDelivery,
    ServiceStatus,
    days_overdue,
    delivered_in_time,
    is_overdue,
)
from wladna_core.casefile.delivery.rules import SERVICE_RULES
from wladna_core.casefile.delivery.services import DeliveryServices

__all__ = [
    "SERVICE_RULES",
    "DeliveryServices",
    "ServiceDelivery",
    "ServiceStatus",
    "days_overdue",
    "delivered_in_time",
    "is_overdue",
]
