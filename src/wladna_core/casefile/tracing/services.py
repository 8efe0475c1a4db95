"""The tracing services: record tracing actions, reunifications and their follow-up; read them.

:class:`TracingServices` is a mixin of :class:`~wladna_core.casefile.CaseFile`
(``work.casefile``).  Tracing and reunification are part of a case: recording them
(:attr:`~wladna_core.access.Action.TRACING_RECORD`) is for the case workers and supervisors who
see the case in full, reading them (:attr:`~wladna_core.access.Action.TRACING_READ`) for every
member role with the full view.  A record whose case the actor does not see in full is refused
exactly as a record that does not exist.  Every write is audited, and every record read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from wladna_core.access import Action
from wladna_core.casefile.base import CaseFileBase, changed
from wladna_core.casefile.tracing.records import (
    FollowUpVisit,
    Reunification,
    ReunificationOutcome,
    TracingAction,
    TracingResult,
)
from wladna_core.convert import unstructure

if TYPE_CHECKING:
    from datetime import date

    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["TracingFile", "TracingServices"]


@attrs.frozen
class TracingFile:
    """The tracing and reunification of one case, as :meth:`TracingServices.tracing` reads it.

    :param case_id: the case.
    :param actions: its tracing actions, oldest first.
    :param reunifications: its reunifications, oldest first.
    """

    case_id: str
    actions: tuple[TracingAction, ...]
    reunifications: tuple[Reunification, ...]


class TracingServices(CaseFileBase):
    """The services of tracing and reunification (a mixin of :class:`~.casefile.CaseFile`)."""

    def record_tracing(self, action: TracingAction) -> Outcome[TracingAction]:
        """Record a tracing action of a case.

        :raises AccessDenied: if the actor may not record on the case.
        :raises InvalidRecord: if a rule refuses it (``tracing.*``).
        :raises TypeError: if ``action`` is not a :class:`TracingAction`.
        """
        self._argument(action, TracingAction, "action")

        def run(uow: UnitOfWork, work: _Work) -> TracingAction:
            _case, view = self._case_for(
                uow, action.case_id, Action.TRACING_RECORD, read=Action.TRACING_READ
            )
            self._allow(Action.TRACING_RECORD, action, view)
            return self._add(uow, work, Action.TRACING_RECORD, action)

        return self._write(run)

    def record_tracing_result(
        self,
        action_id: str,
        result: TracingResult,
        *,
        expected_version: int | None = None,
        note: str | None = None,
    ) -> Outcome[TracingAction]:
        """Record the result of a tracing action (a lead, found, not found) once it is known.

        :param result: what the action gave.
        :param expected_version: the version the actor last read, or ``None`` for any; a
            record changed since is refused with :class:`~wladna_core.storage.
            ConcurrencyConflict`.
        :param note: a new note, or ``None`` to keep the one recorded.
        :raises AccessDenied: if the actor may not record on the action's case (refused as a
            record that does not exist when the actor may not read the case's tracing).
        :raises InvalidRecord: for a result that is not a :class:`TracingResult` or a note of
            the wrong shape (``$.result``, ``$.note``), or a rule refusing the action.
        """

        def run(uow: UnitOfWork, work: _Work) -> TracingAction:
            stored, _case, view = self._record_of_case(
                uow, TracingAction, action_id, Action.TRACING_RECORD, read=Action.TRACING_READ
            )
            self._at_version(stored, expected_version)
            updated = changed(stored, result=result, note=stored.note if note is None else note)
            self._allow(Action.TRACING_RECORD, updated, view)
            return self._update(uow, work, Action.TRACING_RECORD, updated)

        return self._write(run)

    def record_reunification(self, reunification: Reunification) -> Outcome[Reunification]:
        """Record the reunification of a case's child with their family.

        Its warnings (``reunification.not_verified``, ``reunification.without_trace``) are in
        the outcome.

        :raises AccessDenied: if the actor may not record on the case.
        :raises InvalidRecord: if a rule refuses it (``reunification.*``).
        :raises TypeError: if ``reunification`` is not a :class:`Reunification`.
        """
        self._argument(reunification, Reunification, "reunification")

        def run(uow: UnitOfWork, work: _Work) -> Reunification:
            _case, view = self._case_for(
                uow, reunification.case_id, Action.TRACING_RECORD, read=Action.TRACING_READ
            )
            self._allow(Action.TRACING_RECORD, reunification, view)
            return self._add(uow, work, Action.TRACING_RECORD, reunification)

        return self._write(run)

    def record_reunification_follow_up(
        self,
        reunification_id: str,
        visit: FollowUpVisit,
        *,
        expected_version: int | None = None,
        outcome: ReunificationOutcome | None = None,
    ) -> Outcome[Reunification]:
        """Add a follow-up visit to a reunification, and its outcome when it is known.

        :param visit: the visit, dated on or after the reunification and the visits before it.
        :param expected_version: the version the actor last read, or ``None`` for any; a
            record changed since is refused with :class:`~wladna_core.storage.
            ConcurrencyConflict`.
        :param outcome: the reunification's outcome now (sustained, breakdown...), or ``None``
            to keep it.
        :raises AccessDenied: if the actor may not record on the reunification's case (refused
            as a record that does not exist when the actor does not see the case in full).
        :raises InvalidRecord: for an outcome that is not a :class:`ReunificationOutcome`
            (``$.outcome``), or a visit a rule refuses (``reunification.follow_up_before``).
        :raises TypeError: if ``visit`` is not a :class:`FollowUpVisit`.
        """
        if not isinstance(visit, FollowUpVisit):  # a guard for callers without type checks
            msg = (  # type: ignore[unreachable]
                f"visit must be a FollowUpVisit, got {type(visit).__name__}; "
                "make one with FollowUpVisit(...)"
            )
            raise TypeError(msg)

        def run(uow: UnitOfWork, work: _Work) -> Reunification:
            stored, _case, view = self._record_of_case(
                uow,
                Reunification,
                reunification_id,
                Action.TRACING_RECORD,
                read=Action.TRACING_READ,
            )
            self._at_version(stored, expected_version)
            updated = changed(
                stored,
                follow_ups=[unstructure(each) for each in (*stored.follow_ups, visit)],
                outcome=stored.outcome if outcome is None else outcome,
            )
            self._allow(Action.TRACING_RECORD, updated, view)
            return self._update(uow, work, Action.TRACING_RECORD, updated)

        return self._write(run)

    def tracing(self, case_id: str) -> TracingFile:
        """Return the tracing actions and reunifications of a case; each read is audited.

        :raises AccessDenied: if the actor does not see the case in full.
        """

        def run(uow: UnitOfWork, work: _Work) -> TracingFile:
            actions = self._read_of_case(
                uow, work, TracingAction, case_id, Action.TRACING_READ, order=_in_order
            )
            reunifications = self._read_of_case(
                uow, work, Reunification, case_id, Action.TRACING_READ, order=_in_order
            )
            return TracingFile(case_id, tuple(actions), tuple(reunifications))

        return self._read(run)


def _in_order(record: TracingAction | Reunification) -> tuple[date, str]:
    """Order tracing actions and reunifications by day, then id."""
    return (record.on, record.id)
