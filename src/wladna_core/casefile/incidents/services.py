"""The services of incidents: :class:`IncidentServices`, a mixin of ``work.casefile``.

Incidents are the most sensitive records of the system.  They are for those who **work** a
case — the casework team of its responsible body (:func:`~wladna_core.access.works_on`) —
alone: not for a body coordinator who sees the case because their territory covers it, not for
the target of a referral, not for an analyst.  So:

* recording an incident needs the actor to work **every** case it is linked to; a case they
  do not work is refused exactly as a case that does not exist
  (:func:`~wladna_core.access.unseen_refusal`), before anything is validated, so that neither
  the refusal nor a rule's message tells whether the case exists;
* reading gives the incidents of a case the actor works, each **without the ids of the linked
  cases they do not work**: a child's incident never points another team to another child;
* every incident read is audited, one entry per incident (``case.incident.read``).

The limited view of a case (:class:`~wladna_core.access.LimitedCase`) and the exports
(:meth:`~wladna_core.services.CaseWork.export`, ``wladna export``) carry no incident.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from wladna_core.access import Action, works_on
from wladna_core.casefile.base import CaseFileBase, changed
from wladna_core.casefile.incidents.kinds import INCIDENT
from wladna_core.casefile.incidents.model import Incident
from wladna_core.storage import NotFound

if TYPE_CHECKING:
    from wladna_core.model import Case
    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["IncidentServices"]


class IncidentServices(CaseFileBase):
    """Record and read the incidents of the cases the actor works."""

    def _worked_case(self, uow: UnitOfWork, case_id: str, action: Action) -> Case:
        """Return a case the actor works, once ``action`` is allowed; refuse any other as unseen."""
        case, _ = self._case_for(uow, case_id, action, read=Action.INCIDENT_READ)
        return case

    def _worked(self, uow: UnitOfWork, case_ids: set[str]) -> set[str]:
        """Return which of ``case_ids`` the actor works (cases that do not exist are not)."""
        found: set[str] = set()
        for case_id in case_ids:
            try:
                case = uow.cases.get(case_id)
            except (NotFound, TypeError, ValueError):
                continue
            if works_on(self.actor, case) or any(
                works_on(self.actor, later) for later in self._continued_by(uow, case)
            ):
                found.add(case_id)
        return found

    def _as_shown(self, uow: UnitOfWork, incidents: list[Incident]) -> list[Incident]:
        """Return the incidents without the linked cases the actor does not work."""
        worked = self._worked(uow, {case_id for item in incidents for case_id in item.case_ids})
        shown = []
        for incident in incidents:
            kept = tuple(case_id for case_id in incident.case_ids if case_id in worked)
            if kept:
                shown.append(
                    incident if kept == incident.case_ids else attrs.evolve(incident, case_ids=kept)
                )
        return shown

    def record_incident(self, incident: Incident) -> Outcome[Incident]:
        """Record an incident linked to one or more cases, all worked by the actor.

        ``recorded_by`` is set to the actor.  The store runs the ``incident.*`` rules; a
        warning (``incident.not_reported_to_prosecutor``) comes back in the outcome.

        :raises AccessDenied: for a linked case the actor does not work or that does not
            exist (alike), or an actor who is not a case worker or supervisor.
        :raises InvalidRecord: when a rule of error severity fails.
        :raises TypeError: if ``incident`` is not an :class:`Incident`.
        """
        incident = self._argument(incident, Incident, "incident")

        def run(uow: UnitOfWork, work: _Work) -> Incident:
            for case_id in incident.case_ids:
                self._worked_case(uow, case_id, Action.INCIDENT_RECORD)
            recorded = changed(incident, recorded_by=self.actor.id)
            return self._add(uow, work, Action.INCIDENT_RECORD, recorded)

        return self._write(run)

    def incidents(self, case_id: str) -> list[Incident]:
        """Return the incidents of a case the actor works, by date, each read audited.

        Each shows only the linked cases the actor works.

        :raises AccessDenied: for a case the actor does not work or that does not exist.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[Incident]:
            case, view = self._case_for(
                uow, case_id, Action.INCIDENT_READ, read=Action.INCIDENT_READ
            )
            found: dict[str, Incident] = {
                incident.id: incident
                for each in self._continues(uow, case)
                for incident in uow.repository(Incident).find(INCIDENT.query(linked_case=each.id))
            }
            shown = self._as_shown(uow, list(found.values()))
            shown.sort(key=lambda item: (item.occurred_on, item.id))
            for incident in shown:  # the wladna_authorize plug-ins see each incident
                self._allow(Action.INCIDENT_READ, incident, view)
            self._audit_reads(work, Action.INCIDENT_READ, shown)
            return shown

        return self._read(run)

    def incident(self, incident_id: str) -> Incident:
        """Return one incident, if the actor works one of its cases; the read is audited.

        :raises AccessDenied: for an incident none of whose cases the actor works, or that
            does not exist (alike).
        """

        def run(uow: UnitOfWork, work: _Work) -> Incident:
            stored = self._stored(uow, Incident, incident_id, Action.INCIDENT_READ)
            shown = self._as_shown(uow, [stored])
            if not shown:
                raise self._unseen(Action.INCIDENT_READ, "Incident", incident_id)
            seen = self._seen_through(uow, uow.cases.get(shown[0].case_id), Action.INCIDENT_READ)
            if seen is None:  # a coordinator of the body
                raise self._unseen(Action.INCIDENT_READ, "Incident", incident_id)
            case, view = seen
            self._allow(Action.INCIDENT_READ, case, view)
            self._allow(Action.INCIDENT_READ, shown[0], view)
            self._audit_reads(work, Action.INCIDENT_READ, shown)
            return shown[0]

        return self._read(run)
