"""The services of the services log: :class:`DeliveryServices` (part of ``work.casefile``).

Who may do what (actions ``case.service.record`` and ``case.service.read``):

* the people who see the case in full — its body's team, and the coordinators whose territory
  covers it — record and read every service of the case;
* the people of a body an open referral of the case is addressed to (the limited view) record
  and read only the services their own body provides, in answer to that referral.

A service the actor may not see is refused exactly as one that does not exist.  Every write is
audited, and every service shown is audited as a read.

The response timeframe: a service is due by the day given (``due_on``), or else by the
deadline of the deployment's deadlines for answering a referral of a case of that risk level
(:func:`wladna_core.deadlines.response_due`, setting ``deadlines.referral_response``), counted
from the day the service was arranged.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from wladna_core.access import Action, View
from wladna_core.casefile.base import CaseFileBase, changed, made
from wladna_core.casefile.delivery.model import ServiceDelivery, ServiceStatus, is_overdue
from wladna_core.deadlines import response_due
from wladna_core.model import Case, Referral, ServiceType, SocialProgramme, TerritorialBody, Urgency
from wladna_core.storage import ReferralQuery
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["DeliveryServices"]

_RECORD, _READ = Action.SERVICE_RECORD, Action.SERVICE_READ
_DONE = frozenset({ServiceStatus.DELIVERED, ServiceStatus.MISSED, ServiceStatus.CANCELLED})


def _status(stored: ServiceDelivery, status: object) -> ServiceStatus | None:
    """Return the status asked for; an unknown one is refused as an invalid record."""
    if status is None:
        return None
    for known in ServiceStatus:
        if status == known.value:
            return known
    changed(stored, status=status)  # raises InvalidRecord at $.status
    msg = f"status must be a ServiceStatus, got {status!r}"  # pragma: no cover (refused above)
    raise TypeError(msg)  # pragma: no cover


class DeliveryServices(CaseFileBase):
    """Record, update and read the services delivered to a case."""

    def _shown(self, view: View, service: ServiceDelivery, referrals: Iterable[Referral]) -> bool:
        """Return whether the actor, with ``view`` of the case, sees ``service``."""
        if view is View.FULL:
            return True
        if view is not View.LIMITED or service.provider_body_id not in self.actor.bodies:
            return False
        return any(
            referral.id == service.referral_id
            and referral.is_open
            and referral.target.body_id == service.provider_body_id
            for referral in referrals
        )

    def record_service(
        self,
        case_id: str,
        *,
        service: ServiceType,
        provider_body_id: str | None = None,
        programme: SocialProgramme | None = None,
        referral_id: str | None = None,
        urgency: Urgency = Urgency.ROUTINE,
        due_on: date | None = None,
        appointment_on: date | None = None,
        delivered_on: date | None = None,
        note: str | None = None,
        on: date | None = None,
    ) -> Outcome[ServiceDelivery]:
        """Record a service of the case, arranged on ``on`` (today by default).

        Give exactly one provider: ``provider_body_id`` or ``programme``.  ``due_on`` defaults
        to the response timeframe of the deadlines (see the module).  With ``delivered_on``
        the service is recorded as delivered.

        :raises AccessDenied: unless the actor sees the case in full, or holds an open
            referral of it (``referral_id``) and records a service of their own body.
            An actor who may not read the services of the case is refused as for a case that
            does not exist.
        :raises InvalidRecord: if an argument is of the wrong shape (an unknown code, a megabyte
            of text, a NUL character, dates out of order: with its ``$.path`` and code) or the
            service breaks a rule (``service.*``).
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> ServiceDelivery:
            case, view = self._case_for(uow, case_id, _RECORD, read=_READ)
            record = made(
                ServiceDelivery,
                case_id=case.id,
                service=service,
                provider_body_id=provider_body_id,
                programme=programme,
                referral_id=referral_id,
                urgency=urgency,
                planned_on=day,
                due_on=due_on or response_due(case, day, self.wladna.deadlines),
                appointment_on=appointment_on,
                status=ServiceStatus.PLANNED if delivered_on is None else ServiceStatus.DELIVERED,
                delivered_on=delivered_on,
                recorded_by=self.actor.id,
                note=note,
            )
            self._check_shown(uow, case, view, record)
            self._allow(_RECORD, record, view)
            return self._add(uow, work, _RECORD, record)

        return self._write(run)

    def _check_shown(
        self, uow: UnitOfWork, case: Case, view: View, record: ServiceDelivery
    ) -> None:
        referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
        if not self._shown(view, record, referrals):
            raise self.work._deny(
                _RECORD,
                record,
                "a body an open referral is addressed to records only the services it provides "
                "itself, in answer to that referral (give referral_id and its own body)",
            )

    def update_service(
        self,
        service_id: str,
        *,
        status: ServiceStatus | None = None,
        on: date | None = None,
        appointment_on: date | None = None,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome[ServiceDelivery]:
        """Mark a planned service delivered, missed or cancelled on ``on`` (today by default).

        Without ``status`` only the appointment or the note change.  A service delivered,
        missed or cancelled is final: record a new one for what follows.

        :raises AccessDenied: as :meth:`record_service`; an unknown id as one out of scope.
        :raises ConcurrencyConflict: if ``expected_version`` is not the stored version.
        :raises TransitionRefused: to change a service that is no longer planned, or to give
            ``status`` planned (a service is planned once, when recorded).
        :raises InvalidRecord: for an unknown status, a megabyte of note, a day before the
            service was planned... (with its ``$.path`` and code).
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> ServiceDelivery:
            stored = self._at_version(
                self._visible_service(uow, service_id, _RECORD), expected_version
            )
            if stored.status in _DONE:
                raise TransitionRefused(
                    f"ServiceDelivery {stored.id}",
                    "update_service",
                    f"it is {stored.status.value}, which is final; record a new service",
                )
            fields: dict[str, object] = {"appointment_on": appointment_on, "note": note}
            wanted = _status(stored, status)
            if wanted is ServiceStatus.PLANNED:
                raise TransitionRefused(
                    f"ServiceDelivery {stored.id}",
                    "update_service",
                    "it is planned already; give status delivered, missed or cancelled, or no "
                    "status to change only the appointment or the note",
                )
            if wanted is ServiceStatus.DELIVERED:
                fields |= {"status": wanted, "delivered_on": day}
            elif wanted is not None:
                fields |= {"status": wanted, "ended_on": day}
            new = changed(stored, **{k: v for k, v in fields.items() if v is not None})
            return self._update(uow, work, _RECORD, new)

        return self._write(run)

    def _visible_service(self, uow: UnitOfWork, service_id: str, action: Action) -> ServiceDelivery:
        """Return a service the actor may read, once ``action`` is allowed; else as unseen.

        Seeing the case is not enough for the limited view: a referral's target sees only
        the services its own body provides in answer to that referral.
        """
        stored, case, view = self._record_of_case(
            uow, ServiceDelivery, service_id, action, read=_READ
        )
        referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
        if not self._shown(view, stored, referrals):
            raise self._unseen(action, "ServiceDelivery", service_id)
        return stored

    def service(self, service_id: str) -> ServiceDelivery:
        """Return one service the actor may see (audited)."""

        def run(uow: UnitOfWork, work: _Work) -> ServiceDelivery:
            found = self._visible_service(uow, service_id, _READ)
            self._audit_reads(work, _READ, [found])
            return found

        return self._read(run)

    def services(self, case_id: str) -> list[ServiceDelivery]:
        """Return the services of the case the actor may see, in order of id (each audited)."""

        def run(uow: UnitOfWork, work: _Work) -> list[ServiceDelivery]:
            referrals: list[Referral] = []

            def shown(service: ServiceDelivery, case: Case, view: View) -> bool:
                if not referrals:
                    referrals.extend(uow.referrals.find(ReferralQuery(case_id=case.id)))
                return self._shown(view, service, referrals)

            return self._read_of_case(
                uow,
                work,
                ServiceDelivery,
                case_id,
                _READ,
                order=lambda service: service.id,
                keep=shown,
            )

        return self._read(run)

    def overdue_services(self, body_id: str, *, on: date | None = None) -> list[ServiceDelivery]:
        """Return the services not delivered by their due date as of ``on`` (today by default).

        Those of the body's cases, and those the body provides, as far as the actor sees
        them; most overdue first.  The actor must belong to the body.

        :raises AccessDenied: for a body the actor does not belong to (as for no such body).
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> list[ServiceDelivery]:
            body = self._stored(uow, TerritorialBody, body_id, _READ)
            if body.id not in self.actor.bodies:
                raise self._unseen(_READ, "TerritorialBody", body_id)
            if day == date.min:
                return []
            kind = self.wladna.store.kinds[ServiceDelivery]
            due = uow.repository(ServiceDelivery).find(kind.query(due_to=day - timedelta(days=1)))
            cases: dict[str, tuple[Case, list[Referral], View]] = {}
            found: list[ServiceDelivery] = []
            for service in due:
                if not is_overdue(service, day):
                    continue
                if service.case_id not in cases:
                    case = uow.cases.get(service.case_id)
                    referrals = uow.referrals.find(ReferralQuery(case_id=case.id))
                    cases[case.id] = (case, referrals, self.work._view(uow, case, referrals))
                case, referrals, view = cases[service.case_id]
                ours = body.id in {case.body_id, service.provider_body_id}
                if not ours or not self._shown(view, service, referrals):
                    continue
                if self.wladna.policy.refusal(self.actor, _READ, service, view) is None:
                    found.append(service)
            found.sort(key=lambda service: (service.due_on, service.id))
            self._audit_reads(work, _READ, found)
            return found

        return self._read(run)
