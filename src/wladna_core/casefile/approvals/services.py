"""The services of the approvals: :class:`ApprovalServices` (part of ``work.casefile``).

* :meth:`ApprovalServices.request_approval` — a case worker or supervisor of the case's body
  asks (``case.approval.request``);
* :meth:`ApprovalServices.decide_approval` — a supervisor of the case's body, other than the
  requester, approves or declines (``case.approval.decide``);
* :meth:`ApprovalServices.approvals` and :meth:`ApprovalServices.pending_approvals` — the
  members of the body read them (``case.approval.read``).

**With the casework.**  The plan's approval and the closure's are kept on the case by the
casework services (:meth:`~wladna_core.services.CaseWork.approve_plan`,
:meth:`~wladna_core.services.CaseWork.close`, :meth:`~wladna_core.services.CaseWork.
approve_closure`, :meth:`~wladna_core.services.CaseWork.decline_closure`), which keep this log
in step in the same unit of work (:func:`casework_asked`, :func:`casework_decided`): a case
worker's closure that needs approval adds a pending ``closure`` request, and the supervisor's
decision decides the pending request of its subject.  Deciding a ``case_plan`` or ``closure``
request here goes through those same services, so that the case and the log never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wladna_core.access import Action
from wladna_core.casefile.approvals.model import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalSubject,
)
from wladna_core.casefile.base import CaseFileBase, changed, made
from wladna_core.model import CaseStatus, TerritorialBody
from wladna_core.workflow import ReasonRequired, StepMissing, TransitionRefused

if TYPE_CHECKING:
    from datetime import date

    from wladna_core.model import Case
    from wladna_core.services import CaseWork, Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["ApprovalServices", "casework_asked", "casework_decided"]

_REQUEST, _DECIDE, _READ = Action.APPROVAL_REQUEST, Action.APPROVAL_DECIDE, Action.APPROVAL_READ


class ApprovalServices(CaseFileBase):
    """Ask for, decide and read the approvals of a case."""

    def request_approval(
        self, case_id: str, subject: str, *, note: str | None = None, on: date | None = None
    ) -> Outcome[ApprovalRequest]:
        """Ask a supervisor to approve ``subject`` of the case (``assessment``, ``case_plan``...).

        A closure is asked for by closing the case (:meth:`~wladna_core.services.CaseWork.
        close`), which adds its request here.

        :raises AccessDenied: unless the actor is a case worker or supervisor of the body; an
            actor who may not read the case's approvals as for a case that does not exist.
        :raises StepMissing: for an assessment or a plan the case does not have yet.
        :raises TransitionRefused: for ``closure``.
        :raises InvalidRecord: for a subject not configured, a second pending request of the
            same subject... (``approval.*``), or an argument of the wrong shape (a NUL
            character, a megabyte of text: with its ``$.path`` and code).
        """
        day = self._on(on)

        def run(uow: UnitOfWork, work: _Work) -> ApprovalRequest:
            case, view = self._case_for(uow, case_id, _REQUEST, read=_READ)
            record = made(
                ApprovalRequest,
                case_id=case.id,
                subject=subject,
                requested_by=self.actor.id,
                requested_on=day,
                note=note,
            )
            self._allow(_REQUEST, record, view)
            _check_subject(case, subject)
            return self._add(uow, work, _REQUEST, record)

        return self._write(run)

    def decide_approval(
        self,
        approval_id: str,
        *,
        approved: bool,
        comment: str | None = None,
        on: date | None = None,
        expected_version: int | None = None,
    ) -> Outcome[ApprovalRequest]:
        """Approve or decline a pending request, as a supervisor of the case's body.

        A ``case_plan`` request approved approves the plan (:meth:`~wladna_core.services.
        CaseWork.approve_plan`); a ``closure`` request approved or declined goes through
        :meth:`~wladna_core.services.CaseWork.approve_closure` or :meth:`~wladna_core.
        services.CaseWork.decline_closure`; the request is decided in the same unit of work.

        :raises AccessDenied: unless the actor is a supervisor of the body; an unknown id as
            one out of scope.
        :raises TransitionRefused: if the request is already decided.
        :raises ReasonRequired: when declining without a comment.
        :raises InvalidRecord: when deciding one's own request (``approval.self_decided``), or
            for a comment of the wrong shape (a NUL character, a megabyte: at ``$.comment``).
        :raises ConcurrencyConflict: if the request changed since ``expected_version``, or
            since it was read, before the casework decided it.
        """
        day = self._on(on)
        stored = self._read(lambda uow, _work: self._pending(uow, approval_id, expected_version))
        if not approved and not (comment or "").strip():
            raise ReasonRequired(
                f"ApprovalRequest {stored.id}",
                "decide_approval",
                "say why it is declined (comment)",
            )
        casework: Outcome[Case] | None = None
        # The casework decides the request in its own unit of work: the request is checked
        # again there (still pending, at the version read), so that two deciders never race.
        checked = self.work._approval_check
        self.work._approval_check = lambda uow: self._pending(uow, stored.id, stored.version)
        try:
            if stored.subject == ApprovalSubject.CLOSURE.value:
                if approved:
                    casework = self.work.approve_closure(stored.case_id, comment=comment, on=day)
                else:
                    casework = self.work.decline_closure(stored.case_id, comment or "", on=day)
            elif stored.subject == ApprovalSubject.CASE_PLAN.value and approved:
                casework = self.work.approve_plan(stored.case_id, on=day)
        finally:
            self.work._approval_check = checked
        if casework is not None:
            return self._settled(stored, casework)

        def run(uow: UnitOfWork, work: _Work) -> ApprovalRequest:
            request = self._pending(uow, approval_id, expected_version)
            decided = changed(
                request,
                decision=ApprovalDecision.APPROVED if approved else ApprovalDecision.DECLINED,
                decided_by=self.actor.id,
                decided_on=day,
                comment=comment,
            )
            return self._update(uow, work, _DECIDE, decided)

        return self._write(run)

    def _pending(
        self, uow: UnitOfWork, approval_id: str, expected_version: int | None
    ) -> ApprovalRequest:
        """Return a pending request the actor may decide, at ``expected_version``."""
        stored, _, _ = self._record_of_case(
            uow, ApprovalRequest, approval_id, _DECIDE, read=_READ, through_transfers=False
        )
        self._at_version(stored, expected_version)
        if not stored.pending:
            raise TransitionRefused(
                f"ApprovalRequest {stored.id}",
                "decide_approval",
                f"it is already {stored.decision.value}; ask again with a new request",
            )
        return stored

    def _settled(self, asked: ApprovalRequest, casework: Outcome[Case]) -> Outcome[ApprovalRequest]:
        """Return the outcome of a request the casework decided (read back, unaudited).

        The casework's warnings, events and plug-in failures come with it.
        """
        from wladna_core.services import Outcome  # noqa: PLC0415 (services builds on this)

        return Outcome(
            record=self._read(lambda uow, _work: uow.repository(ApprovalRequest).get(asked.id)),
            warnings=casework.warnings,
            events=casework.events,
            failures=casework.failures,
        )

    def approvals(self, case_id: str) -> list[ApprovalRequest]:
        """Return the approval requests of the case, in order of id (each read audited).

        :raises AccessDenied: unless the actor is a member of the body (or a coordinator
            covering it), who sees the case in full.
        """

        def run(uow: UnitOfWork, work: _Work) -> list[ApprovalRequest]:
            return self._read_of_case(
                uow, work, ApprovalRequest, case_id, _READ, order=lambda request: request.id
            )

        return self._read(run)

    def pending_approvals(self, body_id: str) -> list[ApprovalRequest]:
        """Return the requests awaiting a decision on the cases of ``body_id``, oldest first.

        :raises AccessDenied: for a body the actor does not belong to (as for no such body).
        """

        def run(uow: UnitOfWork, work: _Work) -> list[ApprovalRequest]:
            body = self._stored(uow, TerritorialBody, body_id, _READ)
            if body.id not in self.actor.bodies:
                raise self._unseen(_READ, "TerritorialBody", body_id)
            kind = self.wladna.store.kinds[ApprovalRequest]
            waiting = uow.repository(ApprovalRequest).find(
                kind.query(decision={ApprovalDecision.PENDING})
            )
            found: list[ApprovalRequest] = []
            cases: dict[str, Case] = {}
            for request in waiting:
                if request.case_id not in cases:
                    cases[request.case_id] = uow.cases.get(request.case_id)
                case = cases[request.case_id]
                if case.body_id != body.id:
                    continue
                view = self.work._view(uow, case)
                if self.wladna.policy.refusal(self.actor, _READ, case, view) is None:
                    found.append(request)
            found.sort(key=lambda request: (request.requested_on, request.id))
            self._audit_reads(work, _READ, found)
            return found

        return self._read(run)


def _check_subject(case: Case, subject: str) -> None:
    label = f"Case {case.id}"
    if subject == ApprovalSubject.CLOSURE.value:
        raise TransitionRefused(
            label,
            "request_approval",
            "a closure is asked for by closing the case (CaseWork.close), which records the "
            "request for approval when the case's risk level needs one",
        )
    if subject == ApprovalSubject.ASSESSMENT.value and case.assessment is None:
        raise StepMissing(label, "request_approval", "the case has no assessment yet")
    if subject == ApprovalSubject.CASE_PLAN.value and case.plan is None:
        raise StepMissing(label, "request_approval", "the case has no plan yet")
    if subject == ApprovalSubject.CASE_PLAN.value and case.status is CaseStatus.CLOSED:
        raise StepMissing(label, "request_approval", "the case is closed")


# --- the casework's side (called by wladna_core.services in its own unit of work) -------------


def _kept(uow: UnitOfWork) -> bool:
    return ApprovalRequest in uow.store.kinds


def casework_asked(
    casework: CaseWork, uow: UnitOfWork, work: _Work, case: Case, *, subject: str, on: date
) -> None:
    """Add the pending request of ``subject`` the casework just made on ``case`` (audited).

    Does nothing in a store that does not keep approvals (the kind not declared).
    """
    if not _kept(uow):
        return
    record = ApprovalRequest(
        case_id=case.id, subject=subject, requested_by=casework.actor.id, requested_on=on
    )
    saved = uow.repository(ApprovalRequest).add(record)
    work.drafts.append(casework._draft(_REQUEST, saved))


def casework_decided(
    casework: CaseWork,
    uow: UnitOfWork,
    work: _Work,
    case: Case,
    subject: str,
    *,
    approved: bool,
    on: date,
    comment: str | None = None,
) -> None:
    """Decide the pending request of ``subject`` on ``case`` as the casework just did (audited).

    Does nothing when no request of that subject is pending, or in a store that does not keep
    approvals.
    """
    if not _kept(uow):
        return
    kind = uow.store.kinds[ApprovalRequest]
    repository = uow.repository(ApprovalRequest)
    pending = repository.find(
        kind.query(case_id=case.id, subject={subject}, decision={ApprovalDecision.PENDING})
    )
    for request in pending:
        decided = request.decided(casework.actor.id, on, approved=approved, comment=comment)
        saved = repository.update(decided)
        work.drafts.append(casework._draft(_DECIDE, saved))
