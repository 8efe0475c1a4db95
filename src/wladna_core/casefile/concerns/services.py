"""The services of the details of protection concerns: :class:`ConcernServices`.

A mixin of :class:`~wladna_core.casefile.CaseFile` (``work.casefile``): case workers and
supervisors of the case's body record and resolve details (``case.concern.record``); the
members of the body who see the case in full read them (``case.concern.read``), each record
read audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.access import Action
from wladna_core.casefile.base import CaseFileBase, changed, made
from wladna_core.casefile.concerns.model import ConcernDetail
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from datetime import date

    from wladna_core.model import ProtectionConcern
    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["ConcernServices"]


class ConcernServices(CaseFileBase):
    """Record, resolve and read the details of a case's protection concerns."""

    def record_concern_detail(
        self,
        case_id: str,
        concern: ProtectionConcern,
        *,
        identified_on: date | None = None,
        identified_by: str | None = None,
        notes: str | None = None,
    ) -> Outcome[ConcernDetail]:
        """Record when and by whom ``concern`` of the case was identified.

        The store refuses the record whole (:class:`~wladna_core.errors.InvalidRecord`) when
        the concern is not among the case's concerns (``concern.not_in_case``: add it to the
        case first), or when the case already has an open detail of it
        (``concern.already_open``).

        :param case_id: the case.
        :param concern: one of the case's protection concerns.
        :param identified_on: the day it was identified; today when omitted.
        :param identified_by: who identified it; the actor when omitted.
        :param notes: what was observed.
        :raises AccessDenied: for a case the actor may not record on, or does not see.
        """
        day = self._on(identified_on)

        def run(uow: UnitOfWork, work: _Work) -> ConcernDetail:
            case, view = self._case_for(
                uow, case_id, Action.CONCERN_RECORD, read=Action.CONCERN_READ
            )
            detail = made(
                ConcernDetail,
                case_id=case.id,
                concern=concern,
                identified_on=day,
                identified_by=self.actor.id if identified_by is None else identified_by,
                notes=notes,
            )
            self._allow(Action.CONCERN_RECORD, detail, view)
            return self._add(uow, work, Action.CONCERN_RECORD, detail)

        return self._write(run)

    def resolve_concern(
        self,
        detail_id: str,
        *,
        on: date | None = None,
        resolution: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome[ConcernDetail]:
        """Record that the concern of a detail was resolved, on ``on`` (today by default).

        :param detail_id: the concern detail.
        :param resolution: how it was resolved.
        :param expected_version: the version the caller read; a newer stored one is a
            :class:`~wladna_core.storage.ConcurrencyConflict`.
        :raises AccessDenied: for a detail that does not exist or whose case the actor may not
            record on (alike).
        :raises TransitionRefused: when it was resolved already (a resolved detail is final:
            record the concern again if it came back).
        :raises InvalidRecord: for arguments the record refuses (``resolution``, ``on``).
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> ConcernDetail:
            detail, _case, _view = self._record_of_case(
                uow, ConcernDetail, detail_id, Action.CONCERN_RECORD, read=Action.CONCERN_READ
            )
            self._at_version(detail, expected_version)
            if not detail.is_open:
                raise _already_resolved(detail)
            resolved = changed(detail, resolved_on=day, resolution=resolution)
            return self._update(uow, work, Action.CONCERN_RECORD, resolved)

        return self._write(run)

    def concern_details(self, case_id: str) -> list[ConcernDetail]:
        """Return the details of the case's protection concerns, by day identified.

        Each record returned is audited as a read of personal data.

        :raises AccessDenied: for a case the actor does not see in full.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[ConcernDetail]:
            return self._read_of_case(
                uow,
                work,
                ConcernDetail,
                case_id,
                Action.CONCERN_READ,
                order=lambda detail: (detail.identified_on, detail.id),
            )

        return self._read(run)


def _already_resolved(detail: ConcernDetail) -> TransitionRefused:
    on = detail.resolved_on.isoformat() if detail.resolved_on is not None else "?"
    return TransitionRefused(
        f"ConcernDetail {detail.id}",
        "resolve",
        f"the concern {detail.concern.value} was resolved already, on {on}; record the "
        "concern again (record_concern_detail) if it came back",
    )
