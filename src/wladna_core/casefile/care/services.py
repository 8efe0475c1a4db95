"""The services of care arrangements: :class:`CareServices`, a mixin of ``work.casefile``.

Case workers and supervisors who see a case in full record its care arrangements and end
them; members of its body and coordinators covering it read them.  Every arrangement written
or read is audited (``case.care.record``, ``case.care.read``); an arrangement or a case the
actor may not see is refused exactly as one that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from wladna_core.access import Action, View
from wladna_core.casefile.base import CaseFileBase
from wladna_core.casefile.care.model import CareArrangement
from wladna_core.errors import InvalidRecord, InvariantError, Violation
from wladna_core.storage import ConcurrencyConflict
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

    def _arrangement(self, uow: UnitOfWork, arrangement_id: str, action: Action) -> CareArrangement:
        """Return a stored arrangement whose case the actor sees in full, ``action`` allowed."""
        stored = self._stored(uow, CareArrangement, arrangement_id, action)
        case = uow.cases.get(stored.case_id)
        view = self.work._view(uow, case)
        if view is not View.FULL:
            raise self._unseen(action, "CareArrangement", arrangement_id)
        self._allow(action, stored, view)
        return stored

    def record_care(self, arrangement: CareArrangement) -> Outcome[CareArrangement]:
        """Record where and with whom the child of a case lives (``recorded_by``: the actor).

        End the current arrangement first (:meth:`end_care`): the store refuses two open
        arrangements (``care.more_than_one_open``) and overlapping ones (``care.overlap``).

        :raises AccessDenied: for a case the actor does not see in full or that does not
            exist (alike), or an actor who is not a case worker or supervisor.
        :raises InvalidRecord: when a rule of error severity fails.
        """

        def run(uow: UnitOfWork, work: _Work) -> CareArrangement:
            self._case(uow, arrangement.case_id, Action.CARE_RECORD)
            recorded = attrs.evolve(arrangement, recorded_by=self.actor.id)
            return self._add(uow, work, Action.CARE_RECORD, recorded)

        return self._write(run)

    def end_care(
        self, arrangement_id: str, *, expected_version: int, on: date | None = None
    ) -> Outcome[CareArrangement]:
        """End a care arrangement on ``on`` (default today): the child left it that day.

        :param expected_version: the version the actor read; another change since is a
            :class:`~wladna_core.storage.ConcurrencyConflict`.
        :raises AccessDenied: for an arrangement the actor may not see or that does not exist.
        :raises TransitionRefused: if it has already ended.
        :raises InvalidRecord: when a rule fails (an end in the future...) or the end falls
            before the start (``care.ended_before_started``, at ``$.ended_on``).
        """
        ended_on = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> CareArrangement:
            stored = self._arrangement(uow, arrangement_id, Action.CARE_RECORD)
            if stored.version != expected_version:
                raise ConcurrencyConflict(
                    "CareArrangement", stored.id, expected_version, stored.version
                )
            if stored.ended_on is not None:
                raise TransitionRefused(
                    f"CareArrangement {stored.id}",
                    "end",
                    f"it ended on {stored.ended_on.isoformat()}; record a new arrangement instead",
                )
            try:
                ended = attrs.evolve(stored, ended_on=ended_on)
            except InvariantError as error:
                raise InvalidRecord(
                    "CareArrangement",
                    [
                        Violation(
                            code=error.code,
                            path=f"$.{error.field or 'ended_on'}",
                            message=error.message,
                            record=f"CareArrangement {stored.id}",
                            remedy="End it on or after the day it started.",
                        )
                    ],
                ) from None
            return self._update(uow, work, Action.CARE_RECORD, ended)

        return self._write(run)

    def care_history(self, case_id: str) -> list[CareArrangement]:
        """Return the care arrangements of a case, oldest first; each read is audited.

        :raises AccessDenied: for a case the actor may not see in full or that does not exist.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[CareArrangement]:
            self._case(uow, case_id, Action.CARE_READ)
            history = sorted(self._of_case(uow, CareArrangement, case_id), key=_history_order)
            self._audit_reads(work, Action.CARE_READ, history)
            return history

        return self._read(run)

    def current_care(self, case_id: str) -> CareArrangement | None:
        """Return the open care arrangement of a case, or ``None``; its read is audited.

        :raises AccessDenied: for a case the actor may not see in full or that does not exist.
        """

        def run(uow: UnitOfWork, work: _Work) -> CareArrangement | None:
            self._case(uow, case_id, Action.CARE_READ)
            found = [item for item in self._of_case(uow, CareArrangement, case_id) if item.is_open]
            current = max(found, key=_history_order) if found else None
            self._audit_reads(work, Action.CARE_READ, [] if current is None else [current])
            return current

        return self._read(run)
