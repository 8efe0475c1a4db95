"""Cases: one child's path through identification, assessment, plan, follow-up and closure."""

from __future__ import annotations

from datetime import date

import attrs

from wladna_core.errors import InvariantError
from wladna_core.model import _checks as check
from wladna_core.model.enums import (
    CaseStatus,
    ClosureReason,
    ConsentGiver,
    FollowUpKind,
    IdentificationSource,
    OverrideReason,
    ProtectionConcern,
    RiskLevel,
    ServiceType,
)
from wladna_core.model.ids import new_id

__all__ = [
    "Approval",
    "Assessment",
    "Case",
    "CasePlan",
    "Closure",
    "ClosureRequest",
    "Consent",
    "ConsentOverride",
    "ConsentWithdrawal",
    "FollowUp",
    "Goal",
    "Identification",
    "TransitionPlan",
]


@attrs.frozen
class ConsentOverride:
    """Acting without consent, for a stated reason, authorised by a supervisor.

    :param reason: best interest of the child, emergency, or a judicial order.
    :param justification: why, in words a reviewer can check (rule ``referral.override_unjustified``
        refuses a blank one).
    :param authorised_by: the identifier of the supervisor who authorised it.
    :param authorised_on: the date of the authorisation.
    """

    reason: OverrideReason = attrs.field(validator=check.member_of(OverrideReason))
    justification: str = attrs.field(validator=check.text(check.NOTE_MAX, blank=True, lines=True))
    authorised_by: str | None = attrs.field(default=None, validator=check.optional_text(100))
    authorised_on: date | None = attrs.field(default=None, validator=check.optional_date)

    @property
    def is_authorised(self) -> bool:
        """Whether the override names who authorised it and says why."""
        return self.authorised_by is not None and bool(self.justification.strip())


@attrs.frozen
class Consent:
    """What the child or their caregivers agreed to, and when.

    Consent to services and consent to sharing with other organisations are separate: a referral
    needs both, or an authorised :class:`ConsentOverride`.  The child's own **assent** is kept
    alongside the consent of whoever gave it (rule ``case.assent_missing`` asks for it from the
    age the deployment sets).

    :param given_by: who gave it; ``None`` when only an override is recorded.
    :param recorded_on: the date consent (or the override) was recorded.
    :param reporting: consent to the use of the case's data for reporting beyond the body:
        pseudonymised record-level exports carry only cases that have it (aggregate indicators
        count every case; see ``docs/consent.md``).
    :param assent: the child's own agreement: ``True`` agreed, ``False`` declined, ``None`` not
        sought or not recorded.
    :param assent_note: how the child was consulted, or why their assent was not sought.
    """

    recorded_on: date = attrs.field(validator=check.a_date)
    given_by: ConsentGiver | None = attrs.field(
        default=None, validator=check.optional_member_of(ConsentGiver)
    )
    services: bool = attrs.field(default=False, validator=check.a_bool)
    sharing: bool = attrs.field(default=False, validator=check.a_bool)
    reporting: bool = attrs.field(default=False, validator=check.a_bool)
    override: ConsentOverride | None = attrs.field(
        default=None, validator=check.optional_instance(ConsentOverride)
    )
    assent: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(check.a_bool)
    )
    assent_note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )

    def __attrs_post_init__(self) -> None:
        granted = self.services or self.sharing or self.reporting
        if granted and self.given_by is None:
            raise InvariantError(
                "consent.giver_missing",
                "consent to services, sharing or reporting must say who gave it (given_by)",
                "given_by",
            )

    @property
    def allows_referral(self) -> bool:
        """Whether services and sharing were both agreed to, or an authorised override exists."""
        if self.services and self.sharing:
            return True
        return self.override is not None and self.override.is_authorised


@attrs.frozen
class ConsentWithdrawal:
    """Consent withdrawn: from when, by whom, and what it covered.

    Withdrawing consent to sharing stops sharing at once: the bodies an open referral is
    addressed to then see of the case what they would see had sharing never been agreed to
    (see ``docs/consent.md``).

    :param on: the day the withdrawal was made known.
    :param recorded_by: the identifier of the person who recorded it (an actor's id).
    :param withdrawn_by: who withdrew it (the child, a caregiver...), when known.
    :param services: whether consent to services was withdrawn.
    :param sharing: whether consent to sharing with other organisations was withdrawn.
    :param reporting: whether consent to reporting was withdrawn.
    :param note: what was said, in words a reviewer can check.
    """

    on: date = attrs.field(validator=check.a_date)
    recorded_by: str = attrs.field(validator=check.text(100))
    withdrawn_by: ConsentGiver | None = attrs.field(
        default=None, validator=check.optional_member_of(ConsentGiver)
    )
    services: bool = attrs.field(default=False, validator=check.a_bool)
    sharing: bool = attrs.field(default=True, validator=check.a_bool)
    reporting: bool = attrs.field(default=False, validator=check.a_bool)
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )

    def __attrs_post_init__(self) -> None:
        if not (self.services or self.sharing or self.reporting):
            raise InvariantError(
                "consent.withdrawal_empty",
                "a withdrawal must withdraw consent to services, sharing or reporting",
                "sharing",
            )


@attrs.frozen
class Identification:
    """How and when the child came to the system's attention."""

    source: IdentificationSource = attrs.field(validator=check.member_of(IdentificationSource))
    on: date = attrs.field(validator=check.a_date)
    by_body: str | None = attrs.field(default=None, validator=check.optional_identifier)
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )


@attrs.frozen
class Assessment:
    """The assessment of the child's situation, needs and risk."""

    on: date = attrs.field(validator=check.a_date)
    by: str = attrs.field(validator=check.text(100))
    risk: RiskLevel = attrs.field(validator=check.member_of(RiskLevel))
    summary: str = attrs.field(
        default="", validator=check.text(check.NOTE_MAX, blank=True, lines=True)
    )
    needs: frozenset[ServiceType] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(ServiceType), frozenset),
    )


@attrs.frozen
class Goal:
    """One goal of a case plan, with who is responsible and by when."""

    description: str = attrs.field(validator=check.text(check.NOTE_MAX, lines=True))
    responsible: str = attrs.field(validator=check.text())
    due: date = attrs.field(validator=check.a_date)
    service: ServiceType | None = attrs.field(
        default=None, validator=check.optional_member_of(ServiceType)
    )
    achieved_on: date | None = attrs.field(default=None, validator=check.optional_date)


@attrs.frozen
class Approval:
    """A supervisor's approval of a case plan."""

    by: str = attrs.field(validator=check.text(100))
    on: date = attrs.field(validator=check.a_date)


@attrs.frozen
class TransitionPlan:
    """The part of a case plan that prepares a child's coming of age (18).

    :param agreed_on: the day it was agreed with the young person.
    :param arrangements: where and with whom they will live, income, schooling or work.
    :param services: the services for adults they are to be referred to.
    :param responsible: who follows the transition, when named.
    """

    agreed_on: date = attrs.field(validator=check.a_date)
    arrangements: str = attrs.field(validator=check.text(check.NOTE_MAX, lines=True))
    services: frozenset[ServiceType] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(ServiceType), frozenset),
    )
    responsible: str | None = attrs.field(default=None, validator=check.optional_text(100))


@attrs.frozen
class CasePlan:
    """The case plan: goals, when it was drawn up, when to review it, and its approval.

    :param transition: the plan for the child's coming of age, needed once the child of an
        active case is 18 (rule ``case.transition_plan_missing``).
    """

    drawn_up_on: date = attrs.field(validator=check.a_date)
    goals: tuple[Goal, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(Goal), max_items=100),
    )
    review_on: date | None = attrs.field(
        default=None,
        validator=[check.optional_date, check.not_before("drawn_up_on", "plan.review_before_plan")],
    )
    approval: Approval | None = attrs.field(
        default=None,
        validator=check.optional_instance(Approval),
    )
    transition: TransitionPlan | None = attrs.field(
        default=None, validator=check.optional_instance(TransitionPlan)
    )

    def __attrs_post_init__(self) -> None:
        if self.approval is not None and self.approval.on < self.drawn_up_on:
            raise InvariantError(
                "plan.approved_before_drawn_up",
                f"the plan is approved on {self.approval.on.isoformat()}, before it was drawn "
                f"up on {self.drawn_up_on.isoformat()}",
                "approval",
            )

    @property
    def approved(self) -> bool:
        """Whether a supervisor approved the plan."""
        return self.approval is not None


@attrs.frozen
class FollowUp:
    """A follow-up contact or review."""

    on: date = attrs.field(validator=check.a_date)
    by: str = attrs.field(validator=check.text(100))
    kind: FollowUpKind = attrs.field(validator=check.member_of(FollowUpKind))
    note: str = attrs.field(
        default="", validator=check.text(check.NOTE_MAX, blank=True, lines=True)
    )


@attrs.frozen
class Closure:
    """When and why a case was closed.

    A closure without a reason can be built (so that the rule ``case.closure_reason_missing``
    can report it) but is refused by the stores.
    """

    on: date = attrs.field(validator=check.a_date)
    reason: ClosureReason | None = attrs.field(
        default=None, validator=check.optional_member_of(ClosureReason)
    )
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )


@attrs.frozen
class ClosureRequest:
    """A case worker's request to close a case, and a supervisor's decision on it.

    At the risk levels the deployment sets (``case_rules.closure_approval_risks``) a case
    worker's closure is a request: a supervisor of the case's body approves it (the case
    closes) or declines it with a comment.

    :param requested_by: who asked (an actor's id).
    :param requested_on: when.
    :param reason: the reason the case would be closed for.
    :param note: the case worker's note on the closure.
    :param decided_by: the supervisor who decided, once decided.
    :param decided_on: when they decided.
    :param approved: ``True`` approved, ``False`` declined, ``None`` not decided yet.
    :param comment: the supervisor's comment; required when declining.
    """

    requested_by: str = attrs.field(validator=check.text(100))
    requested_on: date = attrs.field(validator=check.a_date)
    reason: ClosureReason = attrs.field(validator=check.member_of(ClosureReason))
    note: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )
    decided_by: str | None = attrs.field(default=None, validator=check.optional_text(100))
    decided_on: date | None = attrs.field(default=None, validator=check.optional_date)
    approved: bool | None = attrs.field(
        default=None, validator=attrs.validators.optional(check.a_bool)
    )
    comment: str | None = attrs.field(
        default=None, validator=check.optional_text(check.NOTE_MAX, lines=True)
    )

    def __attrs_post_init__(self) -> None:
        decided = (self.decided_by, self.decided_on, self.approved)
        if any(part is not None for part in decided) and any(part is None for part in decided):
            raise InvariantError(
                "closure_request.decision_incomplete",
                "a decision on a closure request names who decided (decided_by), when "
                "(decided_on) and whether it was approved (approved)",
                "approved",
            )
        if self.decided_on is not None and self.decided_on < self.requested_on:
            raise InvariantError(
                "closure_request.decided_before_requested",
                f"the closure request is decided on {self.decided_on.isoformat()}, before it was "
                f"made on {self.requested_on.isoformat()}",
                "decided_on",
            )
        if self.approved is False and not (self.comment or "").strip():
            raise InvariantError(
                "closure_request.decline_without_comment",
                "a declined closure request needs the supervisor's comment",
                "comment",
            )

    @property
    def pending(self) -> bool:
        """Whether no supervisor has decided on the request yet."""
        return self.approved is None


@attrs.frozen
class Case:
    """One child's case, held by one responsible body.

    :param child_id: the child the case is about.
    :param body_id: the responsible territorial body.
    :param territory: code of the territory where the child was identified or lives; the case
        number's province and jurisdiction checks use it.
    :param opened_on: the day the case was opened; the child must be under 18 on it.
    :param number: the human case number (``SAL-2026-000123``), assigned at first save.
    :param concerns: the protection concerns; required once the case is assessed.
    :param transferred_to: the case that continues this one at another body, after a transfer.
    :param duplicate_of: the case this one duplicates, when marked duplicate.
    :param closure_requests: the requests to close the case and the decisions on them, oldest
        first; only the last may be pending.
    :param consent_withdrawals: every withdrawal of consent, oldest first.
    """

    child_id: str = attrs.field(validator=check.identifier)
    body_id: str = attrs.field(validator=check.identifier)
    territory: str = attrs.field(validator=check.territory_code)
    opened_on: date = attrs.field(validator=check.a_date)
    identification: Identification = attrs.field(validator=check.instance(Identification))
    status: CaseStatus = attrs.field(
        default=CaseStatus.REGISTERED, validator=check.member_of(CaseStatus)
    )
    risk: RiskLevel = attrs.field(default=RiskLevel.MEDIUM, validator=check.member_of(RiskLevel))
    concerns: frozenset[ProtectionConcern] = attrs.field(
        default=frozenset(),
        converter=check.to_frozenset,
        validator=check.items(check.member_of(ProtectionConcern), frozenset),
    )
    family_id: str | None = attrs.field(default=None, validator=check.optional_identifier)
    worker_id: str | None = attrs.field(default=None, validator=check.optional_text(100))
    number: str | None = attrs.field(default=None, validator=check.optional_text(40))
    consent: Consent | None = attrs.field(default=None, validator=check.optional_instance(Consent))
    assessment: Assessment | None = attrs.field(
        default=None, validator=check.optional_instance(Assessment)
    )
    plan: CasePlan | None = attrs.field(default=None, validator=check.optional_instance(CasePlan))
    follow_ups: tuple[FollowUp, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(FollowUp), max_items=1000),
    )
    closure: Closure | None = attrs.field(default=None, validator=check.optional_instance(Closure))
    transferred_to: str | None = attrs.field(default=None, validator=check.optional_identifier)
    duplicate_of: str | None = attrs.field(default=None, validator=check.optional_identifier)
    closure_requests: tuple[ClosureRequest, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(ClosureRequest), max_items=100),
    )
    consent_withdrawals: tuple[ConsentWithdrawal, ...] = attrs.field(
        default=(),
        converter=check.to_tuple,
        validator=check.items(check.instance(ConsentWithdrawal), max_items=100),
    )
    id: str = attrs.field(factory=new_id, validator=check.identifier)
    version: int = attrs.field(default=0, validator=check.count)

    def __attrs_post_init__(self) -> None:
        self._check_dates()
        if self.duplicate_of is not None and self.duplicate_of == self.id:
            raise InvariantError(
                "case.duplicate_of_itself", "a case cannot duplicate itself", "duplicate_of"
            )
        if any(request.pending for request in self.closure_requests[:-1]):
            raise InvariantError(
                "case.closure_request_superseded",
                "only the last closure request of a case may still await a decision",
                "closure_requests",
            )

    def _check_dates(self) -> None:
        dated: list[tuple[str, date]] = [("identification.on", self.identification.on)]
        if self.assessment is not None:
            dated.append(("assessment.on", self.assessment.on))
        if self.plan is not None:
            dated.append(("plan.drawn_up_on", self.plan.drawn_up_on))
        dated.extend(
            (f"follow_ups[{index}].on", follow_up.on)
            for index, follow_up in enumerate(self.follow_ups)
        )
        if self.closure is not None:
            dated.append(("closure.on", self.closure.on))
        dated.extend(
            (f"closure_requests[{index}].requested_on", request.requested_on)
            for index, request in enumerate(self.closure_requests)
        )
        dated.extend(
            (f"consent_withdrawals[{index}].on", withdrawal.on)
            for index, withdrawal in enumerate(self.consent_withdrawals)
        )
        for field, when in dated[1:]:
            if when < self.opened_on:
                raise InvariantError(
                    "case.date_before_opening",
                    f"{field} ({when.isoformat()}) is before the case was opened "
                    f"({self.opened_on.isoformat()})",
                    field,
                )
        if self.identification.on > self.opened_on:
            raise InvariantError(
                "case.identified_after_opening",
                f"the child was identified on {self.identification.on.isoformat()}, after the "
                f"case was opened on {self.opened_on.isoformat()}",
                "identification",
            )

    @property
    def is_active(self) -> bool:
        """Whether work still goes on in the case (not closed, transferred or duplicate)."""
        return self.status.is_active

    @property
    def pending_closure_request(self) -> ClosureRequest | None:
        """The closure request that awaits a supervisor's decision, if there is one."""
        if self.closure_requests and self.closure_requests[-1].pending:
            return self.closure_requests[-1]
        return None
