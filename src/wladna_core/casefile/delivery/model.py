"""A service delivered to a child or family: :class:`ServiceDelivery`, and when it is overdue.

Plans and referrals say what should happen; the services log says what did: which service,
by whom (a territorial body, or a public social programme), when it was arranged, by when it
was due, the appointment, and whether it was delivered, missed or cancelled.

>>> from datetime import date
>>> from wladna_core.model import ServiceType, new_id
>>> service = ServiceDelivery(
...     case_id=new_id(),
...     service=ServiceType.PSYCHOSOCIAL,
...     provider_body_id=new_id(),
...     planned_on=date(2026, 3, 2),
...     due_on=date(2026, 3, 7),
...     recorded_by="worker.sale",
... )
>>> is_overdue(service, date(2026, 3, 7)), is_overdue(service, date(2026, 3, 8))
(False, True)
"""

from __future__ import annotations

import enum
from datetime import date

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import ServiceType, SocialProgramme, Urgency, new_id
from wladna_core.model import _checks as check

__all__ = ["ServiceDelivery", "ServiceStatus", "days_overdue", "delivered_in_time", "is_overdue"]


class ServiceStatus(enum.StrEnum):
    """Where a service stands."""

    #: Arranged, not delivered yet.
    PLANNED = "planned"
    #: Delivered (``delivered_on`` says when).
    DELIVERED = "delivered"
    #: Not delivered: the child or family did not come, or the provider did not provide
    #: (``ended_on`` says when it was known).
    MISSED = "missed"
    #: Called off (``ended_on`` says when).
    CANCELLED = "cancelled"


_ENDED = frozenset({ServiceStatus.MISSED, ServiceStatus.CANCELLED})


@attrs.frozen
class ServiceDelivery:
    """One service of a case's services log.

    The provider is exactly one of a territorial body (``provider_body_id``) or a public
    social programme (``programme``, a code of :data:`wladna_core.programmes.PROGRAMMES`).

    :param case_id: the case the service is for.
    :param service: the kind of service.
    :param provider_body_id: the body providing it.
    :param programme: the social programme providing it.
    :param referral_id: the referral it answers, when there is one (a referral of the same case).
    :param planned_on: the day the service was arranged: its timeframe starts then.
    :param due_on: the last day it should be delivered by (the response timeframe; see
        :mod:`wladna_core.casefile.delivery.services` for the default, from the deadlines).
    :param urgency: how fast it is needed.
    :param appointment_on: the day of the appointment, when one is set.
    :param status: planned, delivered, missed or cancelled.
    :param delivered_on: the day it was delivered: required when delivered, only then.
    :param ended_on: the day it was known missed or was cancelled: required then, only then.
    :param recorded_by: who recorded it (an actor's id).
    :param note: what a reviewer needs to know.
    :raises InvariantError: ``service.provider`` (not exactly one provider),
        ``service.status_dates`` (dates that do not go with the status),
        ``service.due_before_planned``, ``service.appointment_before_planned``,
        ``service.delivered_before_planned``, ``service.ended_before_planned``.
    """

    case_id: str = attrs.field(validator=check.identifier)
    service: ServiceType = attrs.field(validator=check.member_of(ServiceType))
    planned_on: date = attrs.field(validator=check.a_date)
    due_on: date = attrs.field(
        validator=[check.a_date, check.not_before("planned_on", "service.due_before_planned")]
    )
    recorded_by: str = attrs.field(validator=check.text(100))
    provider_body_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    programme: SocialProgramme | None = attrs.field(
        default=None, validator=check.optional_member_of(SocialProgramme)
    )
    referral_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    urgency: Urgency = attrs.field(default=Urgency.ROUTINE, validator=check.member_of(Urgency))
    appointment_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("planned_on", "service.appointment_before_planned"),
        ],
    )
    status: ServiceStatus = attrs.field(
        default=ServiceStatus.PLANNED, validator=check.member_of(ServiceStatus)
    )
    delivered_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("planned_on", "service.delivered_before_planned"),
        ],
    )
    ended_on: date | None = attrs.field(
        default=None,
        validator=[
            check.optional_date,
            check.not_before("planned_on", "service.ended_before_planned"),
        ],
    )
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    def __attrs_post_init__(self) -> None:
        if (self.provider_body_id is None) == (self.programme is None):
            raise InvariantError(
                "service.provider",
                "a service names exactly one provider: a body (provider_body_id) or a social "
                "programme (programme)",
                "provider_body_id",
            )
        delivered = self.status is ServiceStatus.DELIVERED
        ended = self.status in _ENDED
        if delivered != (self.delivered_on is not None):
            raise InvariantError(
                "service.status_dates",
                "a delivered service gives delivered_on, and only a delivered one does "
                f"(status {self.status.value})",
                "delivered_on",
            )
        if ended != (self.ended_on is not None):
            raise InvariantError(
                "service.status_dates",
                "a missed or cancelled service gives ended_on, and only such a service does "
                f"(status {self.status.value})",
                "ended_on",
            )

    @property
    def provider(self) -> str:
        """The provider, for people: the body's id or the programme's code."""
        return self.provider_body_id or str(self.programme)

    @property
    def done_on(self) -> date | None:
        """The day the service stopped being owed: delivered, missed or cancelled."""
        return self.delivered_on if self.delivered_on is not None else self.ended_on


def is_overdue(service: ServiceDelivery, on: date) -> bool:
    """Return whether ``service`` was not delivered by its due date, as of the day ``on``.

    It is overdue on ``on`` when ``on`` is after its due date and it was still owed that day:
    not yet delivered, missed or cancelled (whatever it became later).  Work due on ``on``
    itself is not overdue yet, as in :func:`wladna_core.deadlines.overdue`.
    """
    done = service.done_on
    return on > service.due_on and (done is None or done > on)


def days_overdue(service: ServiceDelivery, on: date) -> int:
    """Return how many days ``service`` is overdue on ``on`` (0 when it is not)."""
    return (on - service.due_on).days if is_overdue(service, on) else 0


def delivered_in_time(service: ServiceDelivery) -> bool:
    """Return whether ``service`` was delivered, on or before its due date."""
    return service.delivered_on is not None and service.delivered_on <= service.due_on
