"""The state machines of the Case and the Referral, as pure functions.

Each transition takes a record, what the step records, and the day it happens (``on``), and
returns the new record (made with :func:`attrs.evolve`; its ``version`` is left for the store to
bump) together with the domain events it caused:

>>> from datetime import date
>>> from wladna_core.model import Closure, ClosureReason, Identification, IdentificationSource
>>> from wladna_core.workflow import close, open_case, start_implementation
>>> case, events = open_case(
...     child_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f",
...     body_id="0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e20",
...     territory="MA-SAL",
...     identification=Identification(IdentificationSource.SCHOOL, date(2026, 3, 2)),
...     on=date(2026, 3, 2),
... )
>>> case.status.value, [event.name for event in events]
('registered', ['case.opened'])
>>> start_implementation(case, on=date(2026, 3, 3))
Traceback (most recent call last):
...
wladna_core.workflow.IllegalTransition: cannot start_implementation Case ...: it is 'registered'...
>>> reason = ClosureReason.RISK_RESOLVED
>>> closed, events = close(case, Closure(date(2026, 3, 3), reason), date(2026, 3, 3), referrals=[])
>>> closed.status.value, closed.version, [event.name for event in events]
('closed', 0, ['case.closed'])

Nothing here reads the clock, touches a store or checks who acts: the application services do
that around these functions.  A transition that is not allowed raises a
:class:`TransitionRefused`, which names the record, the action and why; the most common one,
:class:`IllegalTransition`, also says which statuses the action is allowed from.

The allowed transitions are data: :data:`CASE_TRANSITIONS` and :data:`REFERRAL_TRANSITIONS` map
each action to its :class:`Transition` (the statuses it is allowed from and the status it leads
to).  The functions consult these tables, and the documentation and the tests read them.

Case statuses follow the inter-agency case-management steps::

    registered -> assessment -> case_plan -> implementation -> follow_up -> closed
    closed -> reopened -> assessment ...
    any active status -> closed | transferred | duplicate

A case leaves the active statuses (closed, transferred, duplicate) only when none of its
referrals is still pending or accepted.  A high-risk case starts implementation only with a plan
a supervisor approved.  Referrals go ``pending -> accepted | rejected | cancelled`` and
``accepted -> completed | cancelled``.
"""

from __future__ import annotations

from datetime import date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, TypeVar, cast

import attrs

from wladna_core.errors import InvariantError, WladnaError
from wladna_core.model import (
    Approval,
    Assessment,
    Case,
    CasePlan,
    CaseStatus,
    Closure,
    ClosureReason,
    ClosureRequest,
    Consent,
    ConsentWithdrawal,
    FollowUp,
    FollowUpKind,
    Identification,
    ProtectionConcern,
    Referral,
    ReferralStatus,
    ReferralTarget,
    RiskLevel,
    ServiceType,
    TransitionPlan,
    Urgency,
    new_id,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from wladna_core.model import ConsentOverride

__all__ = [
    "CASE_TRANSITIONS",
    "REFERRAL_TRANSITIONS",
    "CaseAssessed",
    "CaseClosed",
    "CaseClosureApproved",
    "CaseClosureDeclined",
    "CaseClosureRequested",
    "CaseEvent",
    "CaseMarkedDuplicate",
    "CaseOpened",
    "CasePlanApproved",
    "CasePlanRecorded",
    "CaseReopened",
    "CaseTransferred",
    "ConsentWithdrawn",
    "DateOutOfOrder",
    "Event",
    "FollowUpRecorded",
    "IllegalTransition",
    "ImplementationStarted",
    "PlanNotApproved",
    "ReasonRequired",
    "ReferralAccepted",
    "ReferralCancelled",
    "ReferralCompleted",
    "ReferralEvent",
    "ReferralMade",
    "ReferralRejected",
    "ReferralsStillOpen",
    "StepMissing",
    "Transition",
    "TransitionPlanRecorded",
    "TransitionRefused",
    "accept",
    "approve_closure",
    "approve_plan",
    "cancel",
    "close",
    "complete",
    "decline_closure",
    "make_referral",
    "mark_duplicate",
    "open_case",
    "record_assessment",
    "record_follow_up",
    "record_plan",
    "record_transition_plan",
    "reject",
    "reopen",
    "request_closure",
    "start_implementation",
    "transfer",
    "withdraw_consent",
]

_Status = TypeVar("_Status", CaseStatus, ReferralStatus)
_T = TypeVar("_T", Case, Referral, CasePlan, ClosureRequest, Consent)


# --- the tables ---------------------------------------------------------------------------------


@attrs.frozen
class Transition(Generic[_Status]):
    """One action of a state machine.

    :param action: the name of the action, which is also the name of its function here.
    :param sources: the statuses the action is allowed from.
    :param target: the status the action leads to; ``None`` when the status stays as it was.
    :param description: one line of English for the documentation.
    """

    action: str
    sources: frozenset[_Status]
    target: _Status | None
    description: str

    def allows(self, status: _Status) -> bool:
        """Return whether the action is allowed from ``status``."""
        return status in self.sources

    def result(self, status: _Status) -> _Status:
        """Return the status a record in ``status`` has after the action."""
        return status if self.target is None else self.target


_C = CaseStatus
_ACTIVE: Final = frozenset(status for status in CaseStatus if status.is_active)

#: The actions on a case: for each, the statuses it is allowed from and the status it leads to.
#: ``make_referral`` keeps the case's status; it is listed because it is refused for a case that
#: is no longer active.
CASE_TRANSITIONS: Final[Mapping[str, Transition[CaseStatus]]] = MappingProxyType(
    {
        item.action: item
        for item in (
            Transition(
                "record_assessment",
                frozenset({_C.REGISTERED, _C.ASSESSMENT, _C.REOPENED}),
                _C.ASSESSMENT,
                "Record the assessment of the child's situation; the case takes its risk level.",
            ),
            Transition(
                "record_plan",
                frozenset({_C.ASSESSMENT, _C.CASE_PLAN}),
                _C.CASE_PLAN,
                "Record the case plan (a new plan replaces the previous one).",
            ),
            Transition(
                "approve_plan",
                frozenset({_C.CASE_PLAN, _C.IMPLEMENTATION}),
                None,
                "Record a supervisor's approval of the case plan.",
            ),
            Transition(
                "start_implementation",
                frozenset({_C.CASE_PLAN}),
                _C.IMPLEMENTATION,
                "Start carrying out the plan; a high-risk case needs an approved plan.",
            ),
            Transition(
                "record_follow_up",
                frozenset({_C.IMPLEMENTATION, _C.FOLLOW_UP}),
                _C.FOLLOW_UP,
                "Record a follow-up contact or a review of the plan.",
            ),
            Transition(
                "close",
                _ACTIVE,
                _C.CLOSED,
                "Close the case for a reason, once no referral is pending or accepted.",
            ),
            Transition(
                "reopen",
                frozenset({_C.CLOSED}),
                _C.REOPENED,
                "Reopen a closed case for a stated reason; it is then assessed again.",
            ),
            Transition(
                "transfer",
                _ACTIVE,
                _C.TRANSFERRED,
                "Hand the case over to another body, where a new case continues it.",
            ),
            Transition(
                "mark_duplicate",
                _ACTIVE,
                _C.DUPLICATE,
                "Mark the case as a duplicate of another case of the same child.",
            ),
            Transition(
                "make_referral",
                _ACTIVE,
                None,
                "Refer the case for a service; the case's status does not change.",
            ),
            Transition(
                "request_closure",
                _ACTIVE,
                None,
                "Ask a supervisor to approve the closure of a case (at the risk levels a "
                "deployment sets).",
            ),
            Transition(
                "approve_closure",
                _ACTIVE,
                _C.CLOSED,
                "A supervisor approves the pending closure request; the case closes.",
            ),
            Transition(
                "decline_closure",
                _ACTIVE,
                None,
                "A supervisor declines the pending closure request, with a comment.",
            ),
            Transition(
                "record_transition_plan",
                _ACTIVE,
                None,
                "Add to the case plan the part that prepares the child's coming of age.",
            ),
        )
    }
)

_R = ReferralStatus

#: The actions on a referral: for each, the statuses it is allowed from and the status it leads
#: to.  :func:`make_referral` creates a referral in status ``pending``.
REFERRAL_TRANSITIONS: Final[Mapping[str, Transition[ReferralStatus]]] = MappingProxyType(
    {
        item.action: item
        for item in (
            Transition(
                "accept",
                frozenset({_R.PENDING}),
                _R.ACCEPTED,
                "The target accepts to provide the service.",
            ),
            Transition(
                "reject",
                frozenset({_R.PENDING}),
                _R.REJECTED,
                "The target rejects the referral, saying why.",
            ),
            Transition(
                "cancel",
                frozenset({_R.PENDING, _R.ACCEPTED}),
                _R.CANCELLED,
                "The sender withdraws the referral.",
            ),
            Transition(
                "complete",
                frozenset({_R.ACCEPTED}),
                _R.COMPLETED,
                "The service was provided; the outcome may be recorded.",
            ),
        )
    }
)


# --- errors -------------------------------------------------------------------------------------


def _label(record: Case | Referral) -> str:
    return f"{type(record).__name__} {record.id}"


class TransitionRefused(WladnaError):
    """A transition was refused; the message names the record, the action and why.

    :param record: which record, e.g. ``Case 0193a7e2-...``.
    :param action: the action refused, as named in the transition tables (``close``).
    :param reason: why, and what to do about it.
    """

    def __init__(self, record: str, action: str, reason: str) -> None:
        self.record = record
        self.action = action
        self.reason = reason
        super().__init__(f"cannot {action} {record}: {reason}")

    def __reduce__(self) -> tuple[type[TransitionRefused], tuple[object, ...]]:
        return (type(self), (self.record, self.action, self.reason))


class IllegalTransition(TransitionRefused):
    """The action is not allowed from the record's current status.

    :param status: the record's current status.
    :param allowed: the statuses the action is allowed from, in workflow order.
    """

    def __init__(self, record: str, action: str, status: str, allowed: Iterable[str]) -> None:
        self.status = status
        self.allowed: tuple[str, ...] = tuple(allowed)
        super().__init__(
            record, action, f"it is {status!r}; {action} is allowed from {', '.join(self.allowed)}"
        )

    def __reduce__(self) -> tuple[type[TransitionRefused], tuple[object, ...]]:
        return (type(self), (self.record, self.action, self.status, self.allowed))


class StepMissing(TransitionRefused):
    """The action needs what an earlier step records (an assessment before a plan...)."""


class PlanNotApproved(TransitionRefused):
    """A high-risk case cannot start implementation before a supervisor approves its plan."""


class ReasonRequired(TransitionRefused):
    """The action needs a reason: closing a case, reopening it, rejecting a referral."""


class DateOutOfOrder(TransitionRefused):
    """A date is before the record was opened, or what is recorded is dated after the action."""


class ReferralsStillOpen(TransitionRefused):
    """A case cannot be closed, transferred or marked duplicate while referrals are open.

    :param still_open: ``(referral id, status)`` of each referral still pending or accepted.
    """

    def __init__(self, record: str, action: str, still_open: Iterable[tuple[str, str]]) -> None:
        self.still_open: tuple[tuple[str, str], ...] = tuple(still_open)
        listed = ", ".join(f"{referral_id} ({status})" for referral_id, status in self.still_open)
        if len(self.still_open) == 1:
            reason = f"referral {listed} is still open; complete or cancel it first"
        else:
            reason = f"referrals {listed} are still open; complete or cancel them first"
        super().__init__(record, action, reason)

    @property
    def referral_ids(self) -> tuple[str, ...]:
        """The ids of the referrals still pending or accepted."""
        return tuple(referral_id for referral_id, _status in self.still_open)

    def __reduce__(self) -> tuple[type[TransitionRefused], tuple[object, ...]]:
        return (type(self), (self.record, self.action, self.still_open))


# --- events -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened to a record, returned by the transition that caused it.

    :param record_id: the id of the record the event is about.
    :param on: the day it happened.

    Each kind of event has a stable :attr:`name` such as ``case.closed``.  Events carry codes,
    ids and dates, and the reasons people gave; the record itself is returned alongside.
    """

    #: The stable name of the kind of event, ``<record>.<what happened>``.
    name: ClassVar[str] = "event"

    record_id: str
    on: date


@attrs.frozen(kw_only=True)
class CaseEvent(Event):
    """Something that happened to a case; ``record_id`` is the case's id."""


@attrs.frozen(kw_only=True)
class ReferralEvent(Event):
    """Something that happened to a referral; ``record_id`` is the referral's id.

    :param case_id: the case referred.
    """

    case_id: str


@attrs.frozen(kw_only=True)
class CaseOpened(CaseEvent):
    """A case was opened (status ``registered``)."""

    name: ClassVar[str] = "case.opened"

    child_id: str
    body_id: str
    territory: str
    risk: RiskLevel


@attrs.frozen(kw_only=True)
class CaseAssessed(CaseEvent):
    """An assessment was recorded; the case's risk changed from ``previous_risk`` to ``risk``."""

    name: ClassVar[str] = "case.assessed"

    risk: RiskLevel
    previous_risk: RiskLevel


@attrs.frozen(kw_only=True)
class CasePlanRecorded(CaseEvent):
    """A case plan was recorded, with ``goals`` goals; ``approved`` if it came approved."""

    name: ClassVar[str] = "case.plan_recorded"

    goals: int
    review_on: date | None
    approved: bool


@attrs.frozen(kw_only=True)
class CasePlanApproved(CaseEvent):
    """A supervisor (``by``) approved the case plan."""

    name: ClassVar[str] = "case.plan_approved"

    by: str


@attrs.frozen(kw_only=True)
class ImplementationStarted(CaseEvent):
    """Implementation of the case plan started."""

    name: ClassVar[str] = "case.implementation_started"


@attrs.frozen(kw_only=True)
class FollowUpRecorded(CaseEvent):
    """A follow-up of ``kind`` by ``by`` was recorded."""

    name: ClassVar[str] = "case.follow_up_recorded"

    kind: FollowUpKind
    by: str


@attrs.frozen(kw_only=True)
class CaseClosed(CaseEvent):
    """The case was closed for ``reason``."""

    name: ClassVar[str] = "case.closed"

    reason: ClosureReason


@attrs.frozen(kw_only=True)
class CaseReopened(CaseEvent):
    """The case was reopened for ``reason``.

    It had been closed on ``closed_on`` for ``previous_closure_reason``; the case record no
    longer holds that closure, the event does.
    """

    name: ClassVar[str] = "case.reopened"

    reason: str
    closed_on: date | None
    previous_closure_reason: ClosureReason | None


@attrs.frozen(kw_only=True)
class CaseTransferred(CaseEvent):
    """The case was handed over from ``from_body`` to ``to_body``, continued by ``new_case_id``."""

    name: ClassVar[str] = "case.transferred"

    from_body: str
    to_body: str
    new_case_id: str


@attrs.frozen(kw_only=True)
class CaseMarkedDuplicate(CaseEvent):
    """The case was marked as a duplicate of ``of_case_id``."""

    name: ClassVar[str] = "case.marked_duplicate"

    of_case_id: str


@attrs.frozen(kw_only=True)
class CaseClosureRequested(CaseEvent):
    """``requested_by`` asked a supervisor to approve the closure of the case for ``reason``."""

    name: ClassVar[str] = "case.closure_requested"

    reason: ClosureReason
    requested_by: str


@attrs.frozen(kw_only=True)
class CaseClosureApproved(CaseEvent):
    """A supervisor (``by``) approved the closure request; a ``case.closed`` event follows."""

    name: ClassVar[str] = "case.closure_approved"

    by: str


@attrs.frozen(kw_only=True)
class CaseClosureDeclined(CaseEvent):
    """A supervisor (``by``) declined the closure request, saying why (``comment``)."""

    name: ClassVar[str] = "case.closure_declined"

    by: str
    comment: str


@attrs.frozen(kw_only=True)
class TransitionPlanRecorded(CaseEvent):
    """The case plan gained (or replaced) its transition part for the child's coming of age."""

    name: ClassVar[str] = "case.transition_plan_recorded"

    agreed_on: date


@attrs.frozen(kw_only=True)
class ConsentWithdrawn(CaseEvent):
    """Consent was withdrawn; ``sharing`` says whether sharing stopped with it."""

    name: ClassVar[str] = "case.consent_withdrawn"

    services: bool
    sharing: bool
    reporting: bool
    recorded_by: str


@attrs.frozen(kw_only=True)
class ReferralMade(ReferralEvent):
    """A referral was made (status ``pending``)."""

    name: ClassVar[str] = "referral.made"

    from_body: str
    target: ReferralTarget
    service: ServiceType
    urgency: Urgency


@attrs.frozen(kw_only=True)
class ReferralAccepted(ReferralEvent):
    """The target accepted the referral."""

    name: ClassVar[str] = "referral.accepted"


@attrs.frozen(kw_only=True)
class ReferralRejected(ReferralEvent):
    """The target rejected the referral for ``reason``."""

    name: ClassVar[str] = "referral.rejected"

    reason: str


@attrs.frozen(kw_only=True)
class ReferralCancelled(ReferralEvent):
    """The sender cancelled the referral, for ``reason`` when one was given."""

    name: ClassVar[str] = "referral.cancelled"

    reason: str | None


@attrs.frozen(kw_only=True)
class ReferralCompleted(ReferralEvent):
    """The service was provided; ``outcome`` says how it went, when recorded."""

    name: ClassVar[str] = "referral.completed"

    outcome: str | None


# --- checks shared by the transitions -----------------------------------------------------------


def _check_on(on: object) -> date:
    if not isinstance(on, date) or isinstance(on, datetime):
        msg = f"on must be a date, got {type(on).__name__}"
        raise TypeError(msg)
    return on


def _require_case(case: Case, action: str) -> Transition[CaseStatus]:
    transition = CASE_TRANSITIONS[action]
    if not transition.allows(case.status):
        raise IllegalTransition(
            _label(case), action, case.status.value, _in_order(transition.sources, CaseStatus)
        )
    return transition


def _require_referral(referral: Referral, action: str) -> Transition[ReferralStatus]:
    transition = REFERRAL_TRANSITIONS[action]
    if not transition.allows(referral.status):
        raise IllegalTransition(
            _label(referral),
            action,
            referral.status.value,
            _in_order(transition.sources, ReferralStatus),
        )
    return transition


def _in_order(statuses: frozenset[_Status], kind: type[_Status]) -> list[str]:
    return [status.value for status in kind if status in statuses]


def _not_before(record: Case | Referral, action: str, on: date, start: date, started: str) -> None:
    if on < start:
        raise DateOutOfOrder(
            _label(record),
            action,
            f"on {on.isoformat()} is before the {started} on {start.isoformat()}",
        )


def _dated_within(case: Case, action: str, what: str, when: date, on: date) -> None:
    """Refuse a dated item (an assessment, a follow-up...) outside [case opening, on]."""
    if when < case.opened_on:
        raise DateOutOfOrder(
            _label(case),
            action,
            f"the {what} is dated {when.isoformat()}, before the case was opened on "
            f"{case.opened_on.isoformat()}",
        )
    if when > on:
        raise DateOutOfOrder(
            _label(case),
            action,
            f"the {what} is dated {when.isoformat()}, after the day it is recorded "
            f"({on.isoformat()})",
        )


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _evolve(record: _T, owner: Case | Referral, action: str, **changes: Any) -> _T:
    """Return ``record`` with ``changes``; an invariant the change breaks names ``owner``."""
    try:
        return attrs.evolve(record, **changes)
    except InvariantError as error:
        message = f"cannot {action} {_label(owner)}: {error.message}"
        raise InvariantError(error.code, message, error.field) from error


def _refuse_open_referrals(case: Case, action: str, referrals: Iterable[Referral]) -> None:
    """Refuse to let a case leave the active statuses while a referral of it is open."""
    still_open: list[tuple[str, str]] = []
    for referral in referrals:
        if referral.case_id != case.id:
            msg = (
                f"cannot {action} {_label(case)}: referral {referral.id} belongs to case "
                f"{referral.case_id}; pass the referrals of this case only"
            )
            raise ValueError(msg)
        if referral.is_open:
            still_open.append((referral.id, referral.status.value))
    if still_open:
        raise ReferralsStillOpen(_label(case), action, still_open)


# --- the case -----------------------------------------------------------------------------------


def open_case(
    *,
    child_id: str,
    body_id: str,
    territory: str,
    identification: Identification,
    on: date,
    risk: RiskLevel = RiskLevel.MEDIUM,
    concerns: Iterable[ProtectionConcern] = (),
    family_id: str | None = None,
    worker_id: str | None = None,
    consent: Consent | None = None,
    case_id: str | None = None,
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Open a case for a child at a body; it starts in status ``registered``.

    :param identification: how the child came to attention; dated on or before ``on``.
    :param on: the day the case is opened (its ``opened_on``).
    :param risk: the risk as first judged; the assessment revises it.
    :param case_id: the new case's id; a fresh time-ordered id when omitted.
    :raises InvariantError: if a field breaks the case's invariants (the message names it).
    """
    on = _check_on(on)
    # The model's converter accepts any iterable; its annotation only admits literals.
    found = cast("Any", frozenset(concerns))
    case = Case(
        child_id=child_id,
        body_id=body_id,
        territory=territory,
        opened_on=on,
        identification=identification,
        risk=risk,
        concerns=found,
        family_id=family_id,
        worker_id=worker_id,
        consent=consent,
        id=new_id() if case_id is None else case_id,
    )
    opened = CaseOpened(
        record_id=case.id,
        on=on,
        child_id=child_id,
        body_id=body_id,
        territory=territory,
        risk=risk,
    )
    return case, (opened,)


def record_assessment(
    case: Case,
    assessment: Assessment,
    on: date,
    *,
    concerns: Iterable[ProtectionConcern] | None = None,
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Record the assessment; the case takes the assessed risk and goes to ``assessment``.

    A later assessment (of a case still in assessment, or reopened) replaces the earlier one.

    :param concerns: the protection concerns the assessment found; when given they replace the
        case's concerns.  Rule ``case.concerns_missing`` refuses an assessed case without any.
    :raises IllegalTransition: unless the case is registered, in assessment or reopened.
    :raises DateOutOfOrder: if the assessment is dated before the case opened or after ``on``.
    """
    action = "record_assessment"
    on = _check_on(on)
    transition = _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    _dated_within(case, action, "assessment", assessment.on, on)
    changes: dict[str, Any] = {
        "assessment": assessment,
        "risk": assessment.risk,
        "status": transition.result(case.status),
    }
    if concerns is not None:
        changes["concerns"] = frozenset(concerns)
    new = _evolve(case, case, action, **changes)
    event = CaseAssessed(record_id=case.id, on=on, risk=assessment.risk, previous_risk=case.risk)
    return new, (event,)


def record_plan(case: Case, plan: CasePlan, on: date) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Record the case plan (replacing any earlier one); the case goes to ``case_plan``.

    :raises IllegalTransition: unless the case is in assessment or case_plan.
    :raises StepMissing: if the case has no assessment.
    :raises DateOutOfOrder: if the plan is drawn up before the case opened or after ``on``.
    """
    action = "record_plan"
    on = _check_on(on)
    transition = _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    if case.assessment is None:
        raise StepMissing(_label(case), action, "it has no assessment; record the assessment first")
    _dated_within(case, action, "plan", plan.drawn_up_on, on)
    if plan.approval is not None:
        _dated_within(case, action, "approval", plan.approval.on, on)
    new = _evolve(case, case, action, plan=plan, status=transition.result(case.status))
    event = CasePlanRecorded(
        record_id=case.id,
        on=on,
        goals=len(plan.goals),
        review_on=plan.review_on,
        approved=plan.approved,
    )
    return new, (event,)


def approve_plan(case: Case, approval: Approval, on: date) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Record a supervisor's approval of the case plan; the status does not change.

    :raises IllegalTransition: unless the case is in case_plan or implementation.
    :raises StepMissing: if the case has no plan.
    :raises TransitionRefused: if the plan is already approved.
    :raises DateOutOfOrder: if the approval is dated before the case opened or after ``on``.
    :raises InvariantError: if the approval is dated before the plan was drawn up.
    """
    action = "approve_plan"
    on = _check_on(on)
    transition = _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    plan = case.plan
    if plan is None:
        raise StepMissing(_label(case), action, "it has no case plan; record the plan first")
    if plan.approval is not None:
        raise TransitionRefused(
            _label(case),
            action,
            f"its plan was already approved by {plan.approval.by} on "
            f"{plan.approval.on.isoformat()}; record a new plan to approve it again",
        )
    _dated_within(case, action, "approval", approval.on, on)
    new_plan = _evolve(plan, case, action, approval=approval)
    new = _evolve(case, case, action, plan=new_plan, status=transition.result(case.status))
    return new, (CasePlanApproved(record_id=case.id, on=on, by=approval.by),)


def start_implementation(case: Case, on: date) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Start carrying out the case plan; the case goes to ``implementation``.

    :raises IllegalTransition: unless the case is in case_plan.
    :raises StepMissing: if the case has no plan.
    :raises PlanNotApproved: if the case is high risk and no supervisor approved its plan.
    """
    action = "start_implementation"
    on = _check_on(on)
    transition = _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    if case.plan is None:
        raise StepMissing(_label(case), action, "it has no case plan; record the plan first")
    if case.risk is RiskLevel.HIGH and not case.plan.approved:
        raise PlanNotApproved(
            _label(case),
            action,
            "it is high risk and no supervisor has approved its case plan; record the "
            "approval (approve_plan) first",
        )
    new = _evolve(case, case, action, status=transition.result(case.status))
    return new, (ImplementationStarted(record_id=case.id, on=on),)


def record_follow_up(
    case: Case, follow_up: FollowUp, on: date
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Add a follow-up to the case; the case goes to (or stays in) ``follow_up``.

    :raises IllegalTransition: unless the case is in implementation or follow_up.
    :raises DateOutOfOrder: if the follow-up is dated before the case opened or after ``on``.
    """
    action = "record_follow_up"
    on = _check_on(on)
    transition = _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    _dated_within(case, action, "follow-up", follow_up.on, on)
    new = _evolve(
        case,
        case,
        action,
        follow_ups=(*case.follow_ups, follow_up),
        status=transition.result(case.status),
    )
    event = FollowUpRecorded(record_id=case.id, on=on, kind=follow_up.kind, by=follow_up.by)
    return new, (event,)


def close(
    case: Case, closure: Closure, on: date, *, referrals: Iterable[Referral]
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Close the case for the reason its ``closure`` gives; the case goes to ``closed``.

    Closing a case does not close its referrals: it is refused while one is still pending or
    accepted.  A registered case found not to need protection may be closed at once.

    :param referrals: the referrals of this case (any status); the caller must pass them all,
        since an open one refuses the closure.
    :raises IllegalTransition: unless the case is active (not closed, transferred, duplicate).
    :raises ReasonRequired: if the closure has no reason.
    :raises ReferralsStillOpen: if a referral of the case is pending or accepted.
    :raises DateOutOfOrder: if the closure is dated before the case opened or after ``on``.
    :raises ValueError: if a referral of another case is passed.
    """
    action = "close"
    on = _check_on(on)
    transition = _require_case(case, action)
    if closure.reason is None:
        reasons = ", ".join(reason.value for reason in ClosureReason)
        raise ReasonRequired(
            _label(case), action, f"the closure has no reason; give one of {reasons}"
        )
    _not_before(case, action, on, case.opened_on, "case was opened")
    _refuse_open_referrals(case, action, referrals)
    _dated_within(case, action, "closure", closure.on, on)
    new = _evolve(case, case, action, closure=closure, status=transition.result(case.status))
    return new, (CaseClosed(record_id=case.id, on=on, reason=closure.reason),)


def request_closure(
    case: Case,
    *,
    reason: ClosureReason,
    requested_by: str,
    on: date,
    note: str | None = None,
    referrals: Iterable[Referral],
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Ask a supervisor to approve closing the case for ``reason``; the status does not change.

    At the risk levels a deployment sets (``case_rules.closure_approval_risks``) this is what a
    case worker's closure does; a supervisor then calls :func:`approve_closure` or
    :func:`decline_closure`.

    :param referrals: the referrals of this case; an open one refuses the request, as it
        would refuse the closure.
    :raises IllegalTransition: unless the case is active.
    :raises TransitionRefused: if a request already awaits a decision.
    :raises ReferralsStillOpen: if a referral of the case is pending or accepted.
    :raises DateOutOfOrder: if ``on`` is before the case opened.
    """
    action = "request_closure"
    on = _check_on(on)
    transition = _require_case(case, action)
    pending = case.pending_closure_request
    if pending is not None:
        raise TransitionRefused(
            _label(case),
            action,
            f"a closure request made on {pending.requested_on.isoformat()} by "
            f"{pending.requested_by} awaits a supervisor's decision; have it approved or "
            "declined first",
        )
    _not_before(case, action, on, case.opened_on, "case was opened")
    _refuse_open_referrals(case, action, referrals)
    request = ClosureRequest(requested_by=requested_by, requested_on=on, reason=reason, note=note)
    new = _evolve(
        case,
        case,
        action,
        closure_requests=(*case.closure_requests, request),
        status=transition.result(case.status),
    )
    event = CaseClosureRequested(record_id=case.id, on=on, reason=reason, requested_by=requested_by)
    return new, (event,)


def _pending_request(case: Case, action: str, on: date) -> ClosureRequest:
    pending = case.pending_closure_request
    if pending is None:
        raise StepMissing(
            _label(case),
            action,
            "no closure request awaits a decision; a case worker asks for the closure first "
            "(request_closure)",
        )
    _not_before(case, action, on, pending.requested_on, "closure was requested")
    return pending


def approve_closure(
    case: Case,
    *,
    by: str,
    on: date,
    comment: str | None = None,
    referrals: Iterable[Referral],
    reason: ClosureReason | None = None,
    note: str | None = None,
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Approve the pending closure request as supervisor ``by``; the case goes to ``closed``.

    The closure takes the day of the approval and the request's reason and note, unless the
    supervisor gives their own (``reason``, ``note``).

    :raises IllegalTransition: unless the case is active.
    :raises StepMissing: if no closure request awaits a decision.
    :raises ReferralsStillOpen: if a referral of the case is pending or accepted.
    :raises DateOutOfOrder: if ``on`` is before the request was made.
    """
    action = "approve_closure"
    on = _check_on(on)
    transition = _require_case(case, action)
    pending = _pending_request(case, action, on)
    _refuse_open_referrals(case, action, referrals)
    decided = _evolve(
        pending, case, action, decided_by=by, decided_on=on, approved=True, comment=comment
    )
    new = _evolve(
        case,
        case,
        action,
        closure_requests=(*case.closure_requests[:-1], decided),
        closure=Closure(
            on=on,
            reason=pending.reason if reason is None else reason,
            note=pending.note if reason is None else note,
        ),
        status=transition.result(case.status),
    )
    return new, (
        CaseClosureApproved(record_id=case.id, on=on, by=by),
        CaseClosed(record_id=case.id, on=on, reason=pending.reason if reason is None else reason),
    )


def decline_closure(
    case: Case, *, by: str, on: date, comment: str
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Decline the pending closure request as supervisor ``by``; the case stays as it is.

    :param comment: why the case stays open; must not be blank.
    :raises IllegalTransition: unless the case is active.
    :raises StepMissing: if no closure request awaits a decision.
    :raises ReasonRequired: if ``comment`` is blank.
    :raises DateOutOfOrder: if ``on`` is before the request was made.
    """
    action = "decline_closure"
    on = _check_on(on)
    transition = _require_case(case, action)
    pending = _pending_request(case, action, on)
    if _blank(comment):
        raise ReasonRequired(_label(case), action, "say why the case stays open (comment)")
    decided = _evolve(
        pending, case, action, decided_by=by, decided_on=on, approved=False, comment=comment
    )
    new = _evolve(
        case,
        case,
        action,
        closure_requests=(*case.closure_requests[:-1], decided),
        status=transition.result(case.status),
    )
    return new, (CaseClosureDeclined(record_id=case.id, on=on, by=by, comment=comment),)


def record_transition_plan(
    case: Case, transition_plan: TransitionPlan, on: date
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Add the transition part to the case plan (replacing one recorded before).

    :raises IllegalTransition: unless the case is active.
    :raises StepMissing: if the case has no plan.
    :raises DateOutOfOrder: if the transition plan is dated before the case opened or after
        ``on``.
    """
    action = "record_transition_plan"
    on = _check_on(on)
    transition = _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    plan = case.plan
    if plan is None:
        raise StepMissing(_label(case), action, "it has no case plan; record the plan first")
    _dated_within(case, action, "transition plan", transition_plan.agreed_on, on)
    new_plan = _evolve(plan, case, action, transition=transition_plan)
    new = _evolve(case, case, action, plan=new_plan, status=transition.result(case.status))
    return new, (
        TransitionPlanRecorded(record_id=case.id, on=on, agreed_on=transition_plan.agreed_on),
    )


def withdraw_consent(
    case: Case, withdrawal: ConsentWithdrawal, on: date
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Record that consent was withdrawn; the consent loses what was withdrawn, at once.

    Not a step of the case (any status allows it, the status does not change): a child or a
    caregiver may withdraw consent whatever becomes of the case.  An override in the consent
    (a judicial order, an emergency) is a ground other than consent and is kept.

    :raises StepMissing: if the case holds no consent to withdraw.
    :raises DateOutOfOrder: if the withdrawal is dated before the consent was recorded, before
        the case opened, or after ``on``.
    """
    action = "withdraw_consent"
    on = _check_on(on)
    consent = case.consent
    if consent is None or not (consent.services or consent.sharing or consent.reporting):
        raise StepMissing(
            _label(case), action, "it holds no consent to services, sharing or reporting"
        )
    _dated_within(case, action, "withdrawal", withdrawal.on, on)
    _not_before(case, action, withdrawal.on, consent.recorded_on, "consent was recorded")
    kept = _evolve(
        consent,
        case,
        action,
        services=consent.services and not withdrawal.services,
        sharing=consent.sharing and not withdrawal.sharing,
        reporting=consent.reporting and not withdrawal.reporting,
    )
    new = _evolve(
        case,
        case,
        action,
        consent=kept,
        consent_withdrawals=(*case.consent_withdrawals, withdrawal),
    )
    event = ConsentWithdrawn(
        record_id=case.id,
        on=withdrawal.on,
        services=withdrawal.services,
        sharing=withdrawal.sharing,
        reporting=withdrawal.reporting,
        recorded_by=withdrawal.recorded_by,
    )
    return new, (event,)


def reopen(case: Case, on: date, reason: str) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Reopen a closed case; it goes to ``reopened`` and is then assessed again.

    The closure is removed from the case (an open case holds none); the :class:`CaseReopened`
    event keeps its date and reason.

    :param reason: why the case is reopened; must not be blank.
    :raises IllegalTransition: unless the case is closed.
    :raises ReasonRequired: if ``reason`` is blank.
    :raises DateOutOfOrder: if ``on`` is before the case was closed.
    """
    action = "reopen"
    on = _check_on(on)
    transition = _require_case(case, action)
    if _blank(reason):
        raise ReasonRequired(_label(case), action, "say why the case is reopened")
    _not_before(case, action, on, case.opened_on, "case was opened")
    closure = case.closure
    if closure is not None:
        _not_before(case, action, on, closure.on, "case was closed")
    new = _evolve(case, case, action, closure=None, status=transition.result(case.status))
    event = CaseReopened(
        record_id=case.id,
        on=on,
        reason=reason,
        closed_on=None if closure is None else closure.on,
        previous_closure_reason=None if closure is None else closure.reason,
    )
    return new, (event,)


def transfer(
    case: Case, *, to_body: str, new_case_id: str, on: date, referrals: Iterable[Referral]
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Hand the case over to ``to_body``, where the case ``new_case_id`` continues it.

    The case goes to ``transferred`` and records ``transferred_to``; the new case is opened at
    the other body with :func:`open_case`.

    :param referrals: the referrals of this case (any status); an open one refuses the transfer.
    :raises IllegalTransition: unless the case is active.
    :raises TransitionRefused: if ``to_body`` is the case's own body or ``new_case_id`` its id.
    :raises ReferralsStillOpen: if a referral of the case is pending or accepted.
    """
    action = "transfer"
    on = _check_on(on)
    transition = _require_case(case, action)
    if to_body == case.body_id:
        raise TransitionRefused(_label(case), action, f"{to_body} is already its responsible body")
    if new_case_id == case.id:
        raise TransitionRefused(
            _label(case), action, "the case that continues it must be another case"
        )
    _not_before(case, action, on, case.opened_on, "case was opened")
    _refuse_open_referrals(case, action, referrals)
    new = _evolve(
        case, case, action, transferred_to=new_case_id, status=transition.result(case.status)
    )
    event = CaseTransferred(
        record_id=case.id,
        on=on,
        from_body=case.body_id,
        to_body=to_body,
        new_case_id=new_case_id,
    )
    return new, (event,)


def mark_duplicate(
    case: Case, of_case_id: str, on: date, *, referrals: Iterable[Referral]
) -> tuple[Case, tuple[CaseEvent, ...]]:
    """Mark the case as a duplicate of the case ``of_case_id``; it goes to ``duplicate``.

    :param referrals: the referrals of this case (any status); an open one refuses the marking.
    :raises IllegalTransition: unless the case is active.
    :raises TransitionRefused: if ``of_case_id`` is the case's own id.
    :raises ReferralsStillOpen: if a referral of the case is pending or accepted.
    """
    action = "mark_duplicate"
    on = _check_on(on)
    transition = _require_case(case, action)
    if of_case_id == case.id:
        raise TransitionRefused(_label(case), action, "a case cannot duplicate itself")
    _not_before(case, action, on, case.opened_on, "case was opened")
    _refuse_open_referrals(case, action, referrals)
    new = _evolve(
        case, case, action, duplicate_of=of_case_id, status=transition.result(case.status)
    )
    return new, (CaseMarkedDuplicate(record_id=case.id, on=on, of_case_id=of_case_id),)


# --- the referral -------------------------------------------------------------------------------


def make_referral(
    case: Case,
    *,
    target: ReferralTarget,
    service: ServiceType,
    on: date,
    from_body: str | None = None,
    urgency: Urgency = Urgency.ROUTINE,
    note: str | None = None,
    consent_override: ConsentOverride | None = None,
    response_due: date | None = None,
    referral_id: str | None = None,
) -> tuple[Referral, tuple[ReferralEvent, ...]]:
    """Refer an active case for a service; the referral starts in status ``pending``.

    Consent is checked by the rules (``referral.consent_missing``), not here.

    :param from_body: the sending body; the case's responsible body when omitted.
    :param response_due: the day by which the target should answer (configuration decides it).
    :param referral_id: the new referral's id; a fresh time-ordered id when omitted.
    :raises IllegalTransition: if the case is closed, transferred or duplicate.
    :raises DateOutOfOrder: if ``on`` is before the case was opened.
    """
    action = "make_referral"
    on = _check_on(on)
    _require_case(case, action)
    _not_before(case, action, on, case.opened_on, "case was opened")
    sender = case.body_id if from_body is None else from_body
    try:
        referral = Referral(
            case_id=case.id,
            from_body=sender,
            target=target,
            service=service,
            made_on=on,
            urgency=urgency,
            note=note,
            consent_override=consent_override,
            response_due=response_due,
            id=new_id() if referral_id is None else referral_id,
        )
    except InvariantError as error:
        message = f"cannot {action} {_label(case)}: {error.message}"
        raise InvariantError(error.code, message, error.field) from error
    event = ReferralMade(
        record_id=referral.id,
        on=on,
        case_id=case.id,
        from_body=sender,
        target=target,
        service=service,
        urgency=urgency,
    )
    return referral, (event,)


def accept(referral: Referral, on: date) -> tuple[Referral, tuple[ReferralEvent, ...]]:
    """Accept the referral (its target does); it goes to ``accepted``.

    :raises IllegalTransition: unless the referral is pending.
    :raises DateOutOfOrder: if ``on`` is before the referral was made.
    """
    action = "accept"
    on = _check_on(on)
    transition = _require_referral(referral, action)
    _not_before(referral, action, on, referral.made_on, "referral was made")
    new = _evolve(
        referral, referral, action, responded_on=on, status=transition.result(referral.status)
    )
    return new, (ReferralAccepted(record_id=referral.id, on=on, case_id=referral.case_id),)


def reject(referral: Referral, reason: str, on: date) -> tuple[Referral, tuple[ReferralEvent, ...]]:
    """Reject the referral for ``reason`` (its target does); it goes to ``rejected``.

    :raises IllegalTransition: unless the referral is pending.
    :raises ReasonRequired: if ``reason`` is blank.
    :raises DateOutOfOrder: if ``on`` is before the referral was made.
    """
    action = "reject"
    on = _check_on(on)
    transition = _require_referral(referral, action)
    if _blank(reason):
        raise ReasonRequired(
            _label(referral), action, "say why the referral is rejected (the reason is blank)"
        )
    _not_before(referral, action, on, referral.made_on, "referral was made")
    new = _evolve(
        referral,
        referral,
        action,
        responded_on=on,
        closed_on=on,
        rejection_reason=reason,
        status=transition.result(referral.status),
    )
    event = ReferralRejected(record_id=referral.id, on=on, case_id=referral.case_id, reason=reason)
    return new, (event,)


def cancel(
    referral: Referral, on: date, reason: str | None = None
) -> tuple[Referral, tuple[ReferralEvent, ...]]:
    """Cancel the referral (its sender does); it goes to ``cancelled``.

    :param reason: why, when the sender says; kept in the :class:`ReferralCancelled` event.
    :raises IllegalTransition: unless the referral is pending or accepted.
    :raises DateOutOfOrder: if ``on`` is before the referral was made.
    """
    action = "cancel"
    on = _check_on(on)
    transition = _require_referral(referral, action)
    _not_before(referral, action, on, referral.made_on, "referral was made")
    new = _evolve(
        referral, referral, action, closed_on=on, status=transition.result(referral.status)
    )
    given = None if _blank(reason) else reason
    event = ReferralCancelled(record_id=referral.id, on=on, case_id=referral.case_id, reason=given)
    return new, (event,)


def complete(
    referral: Referral, on: date, outcome: str | None = None
) -> tuple[Referral, tuple[ReferralEvent, ...]]:
    """Complete the referral: the service was provided; it goes to ``completed``.

    :raises IllegalTransition: unless the referral is accepted.
    :raises DateOutOfOrder: if ``on`` is before the referral was made or answered.
    """
    action = "complete"
    on = _check_on(on)
    transition = _require_referral(referral, action)
    _not_before(referral, action, on, referral.made_on, "referral was made")
    if referral.responded_on is not None:
        _not_before(referral, action, on, referral.responded_on, "referral was accepted")
    given = None if _blank(outcome) else outcome
    new = _evolve(
        referral,
        referral,
        action,
        closed_on=on,
        outcome=given,
        status=transition.result(referral.status),
    )
    event = ReferralCompleted(record_id=referral.id, on=on, case_id=referral.case_id, outcome=given)
    return new, (event,)
