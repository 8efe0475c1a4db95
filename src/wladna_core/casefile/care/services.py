"""The services of care arrangements: :class:`CareServices`, a mixin of ``work.casefile``.

Case workers and supervisors who see a case in full record its care arrangements and end
them; members of its body and coordinators covering it read them.  Every arrangement written
or read is audited (``case.care.record``, ``case.care.read``); an arrangement or a case the
actor may not see is refused exactly as one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.access import Action
from wladna_core.casefile.base import CaseFileBase, changed
from wladna_core.casefile.care.model import CareArrangement
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from datetime import date

    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["CareServices"]


def _history_order(arrangement: CareArrangement) -> tuple[object, ...]:
    return (arrangement.started_on, arrangement.id)


class CareServices(CaseFileBase):
    """Record, end and read the care arrangements of a case."""

    def record_care(self, arrangement: CareArrangement) -> Outcome[CareArrangement]:
        """Record where and with whom the child of a case lives (``recorded_by``: the actor).

        End the current arrangement first (:meth:`end_care`): the store refuses two open
        arrangements (``care.more_than_one_open``) and overlapping ones (``care.overlap``).

        :raises AccessDenied: for a case the actor does not see in full or that does not
            exist (alike), or an actor who is not a case worker or supervisor.
        :raises InvalidRecord: when a rule of error severity fails.
        :raises TypeError: if ``arrangement`` is not a :class:`CareArrangement`.
        """
        arrangement = self._argument(arrangement, CareArrangement, "arrangement")

        def run(uow: UnitOfWork, work: _Work) -> CareArrangement:
            self._case_for(uow, arrangement.case_id, Action.CARE_RECORD, read=Action.CARE_READ)
            recorded = changed(arrangement, recorded_by=self.actor.id)
            return self._add(uow, work, Action.CARE_RECORD, recorded)

        return self._write(run)

    def end_care(
        self,
        arrangement_id: str,
        *,
        expected_version: int | None = None,
        on: date | None = None,
    ) -> Outcome[CareArrangement]:
        """End a care arrangement on ``on`` (default today): the child left it that day.

        :param expected_version: the version the actor read (``None``: any); another change
            since is a :class:`~wladna_core.storage.ConcurrencyConflict`.
        :raises AccessDenied: for an arrangement the actor may not see or that does not exist.
        :raises TransitionRefused: if it has already ended.
        :raises InvalidRecord: when a rule fails (an end in the future...), the end falls
            before the start (``care.ended_before_started``, at ``$.ended_on``) or ``on`` is
            not a day (at ``$.ended_on``).
        """
        ended_on = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> CareArrangement:
            stored, _, _ = self._record_of_case(
                uow, CareArrangement, arrangement_id, Action.CARE_RECORD, read=Action.CARE_READ
            )
            self._at_version(stored, expected_version)
            if stored.ended_on is not None:
                raise TransitionRefused(
                    f"CareArrangement {stored.id}",
                    "end",
                    f"it ended on {stored.ended_on.isoformat()}; record a new arrangement instead",
                )
            ended = changed(stored, ended_on=ended_on)
            return self._update(uow, work, Action.CARE_RECORD, ended)

        return self._write(run)

    def care_history(self, case_id: str) -> list[CareArrangement]:
        """Return the care arrangements of a case, oldest first; each read is audited.

        :raises AccessDenied: for a case the actor may not see in full or that does not exist.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[CareArrangement]:
            return self._read_of_case(
                uow, work, CareArrangement, case_id, Action.CARE_READ, order=_history_order
            )

        return self._read(run)

    def current_care(self, case_id: str) -> CareArrangement | None:
        """Return the open care arrangement of a case, or ``None``; its read is audited.

        :raises AccessDenied: for a case the actor may not see in full or that does not exist.
        """

        def run(uow: UnitOfWork, work: _Work) -> CareArrangement | None:
            open_now = self._read_of_case(
                uow,
                work,
                CareArrangement,
                case_id,
                Action.CARE_READ,
                order=_history_order,
                keep=lambda item, _case, _view: item.is_open,
            )
            return open_now[-1] if open_now else None

        return self._read(run)
