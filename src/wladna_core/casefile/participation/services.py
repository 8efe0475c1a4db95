"""The services of the child's participation: :class:`ParticipationServices`.

A mixin of :class:`~wladna_core.casefile.CaseFile` (``work.casefile``): case workers and
supervisors of the case's body record the child's views (``case.participation.record``); the
members of the body who see the case in full read them (``case.participation.read``), each
record read audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.access import Action
from wladna_core.casefile.base import CaseFileBase, made
from wladna_core.casefile.participation.model import Decision, Hearing, Participation

if TYPE_CHECKING:
    from datetime import date

    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["ParticipationServices"]


class ParticipationServices(CaseFileBase):
    """Record and read the child's views on the decisions of their case."""

    def record_participation(
        self,
        case_id: str,
        *,
        decision: Decision,
        heard: Hearing,
        views: str | None = None,
        taken_into_account: str | None = None,
        not_heard_reason: str | None = None,
        about: str | None = None,
        on: date | None = None,
    ) -> Outcome[Participation]:
        """Record how the child was heard on ``decision`` of the case, and what they said.

        The actor is recorded as ``recorded_by``.  The store refuses the record whole when a
        rule fails (:class:`~wladna_core.errors.InvalidRecord`): a child not heard needs
        ``not_heard_reason``, a child heard needs ``views``; the outcome carries the warnings
        (``participation.weight_not_recorded``, ``participation.closure_not_heard``).

        :param case_id: the case.
        :param decision: the decision the views concern.
        :param heard: how the child was heard, or :attr:`Hearing.NOT_HEARD`.
        :param views: the child's views and wishes.
        :param taken_into_account: how they weighed in the decision.
        :param not_heard_reason: why the child was not heard.
        :param about: what the decision is, in a few words.
        :param on: the day; today when omitted.
        :raises AccessDenied: for a case the actor may not record on, or does not see.
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> Participation:
            case, view = self._case_for(
                uow, case_id, Action.PARTICIPATION_RECORD, read=Action.PARTICIPATION_READ
            )
            record = made(
                Participation,
                case_id=case.id,
                on=day,
                decision=decision,
                heard=heard,
                recorded_by=self.actor.id,
                views=views,
                taken_into_account=taken_into_account,
                not_heard_reason=not_heard_reason,
                about=about,
            )
            self._allow(Action.PARTICIPATION_RECORD, record, view)
            return self._add(uow, work, Action.PARTICIPATION_RECORD, record)

        return self._write(run)

    def participation(self, case_id: str) -> list[Participation]:
        """Return the records of the child's participation in the case, oldest first.

        Each record returned is audited as a read of personal data.

        :raises AccessDenied: for a case the actor does not see in full.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[Participation]:
            return self._read_of_case(
                uow,
                work,
                Participation,
                case_id,
                Action.PARTICIPATION_READ,
                order=lambda record: (record.on, record.id),
            )

        return self._read(run)
